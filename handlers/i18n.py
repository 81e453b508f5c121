"""Every sentence the bot says, in English and Chinese."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

LANGS = ("en", "zh")

MESSAGES: dict[str, dict[str, str]] = {
    # examples: always correct commands
    "ex.new": {
        "en": 'new HT-2026-001 "Acme annual license" Acme Corp 1,200,000 CNY ends 2027-12-31',
        "zh": "新建 HT-2026-002 华为云采购 华为 120万 到期 2027年12月31日",
    },
    "ex.milestone": {
        "en": "milestone HT-2026-001 first payment 30% due next Friday owner @alice",
        "zh": "节点 HT-2026-002 首付款 30% 下周五 @张三",
    },
    "ex.done": {"en": "done HT-2026-001 first payment", "zh": "完成 HT-2026-002 首付款"},
    "ex.show": {"en": "show HT-2026-001", "zh": "查看 HT-2026-002"},
    "ex.list": {"en": "list overdue", "zh": "逾期"},
    "ex.mine": {"en": "list mine", "zh": "我的"},
    "ex.overdue": {"en": "list overdue", "zh": "逾期"},
    "ex.week": {"en": "list due this week", "zh": "本周到期"},
    "ex.help": {"en": "help", "zh": "帮助"},
    "ex.snooze": {"en": "snooze HT-2026-001 first payment 3d", "zh": "延后 HT-2026-002 首付款 3天"},
    "ex.reassign": {"en": "reassign HT-2026-001 first payment @bob", "zh": "转交 HT-2026-002 首付款 @王五"},
    "ex.note": {"en": "note HT-2026-001 first payment: invoice sent to Acme", "zh": "备注 HT-2026-002 首付款：发票已寄出"},
    "ex.remind": {"en": "remind HT-2026-001 first payment 14,7,1", "zh": "提醒 HT-2026-002 首付款 14,7,1"},
    "ex.paid": {"en": "paid HT-2026-001 360,000 for first payment", "zh": "回款 HT-2026-002 36万 首付款"},
    "ex.receivables": {"en": "receivables", "zh": "应收"},
    "ex.undo": {"en": "undo P-3", "zh": "撤销 P-3"},
    "ex.waive": {"en": "waive HT-2026-001 first payment reason customer discount",
                 "zh": "核销 HT-2026-002 首付款 原因 客户折让"},
    "ex.renew": {"en": "renew HT-2026-001 to 2028-12-31 amount 1,300,000", "zh": "续约 HT-2026-002 至 2028年12月31日"},
    "ex.end": {"en": "end HT-2026-001 customer did not renew", "zh": "终止 HT-2026-002 客户不再续约"},
    "ex.change": {
        "en": "change HT-2026-001 first payment due 2026-12-15 reason customer asked",
        "zh": "变更 HT-2026-002 首付款 截止 12月15日 原因 客户要求延期",
    },
    "ex.approve": {"en": "approve CR-12", "zh": "批准 CR-12"},
    "ex.reject": {"en": "reject CR-12 not agreed with the customer", "zh": "驳回 CR-12 未与客户确认"},
    "ex.history": {"en": "history HT-2026-001", "zh": "历史 HT-2026-002"},
    "ex.role": {"en": "role @bob admin", "zh": "角色 @王五 管理员"},
    "ex.settings.timezone": {"en": "settings timezone Asia/Shanghai", "zh": "设置 时区 Asia/Shanghai"},
    "ex.settings.time": {"en": "settings time 09:30", "zh": "设置 时间 09:30"},
    "ex.settings.stages": {"en": "settings stages 14,7,3", "zh": "设置 提醒 14,7,3"},
    "ex.settings.routing": {"en": "settings routing both", "zh": "设置 发送 两者"},
    "ex.settings.escalation": {"en": "settings escalation 7 @boss", "zh": "设置 升级 7 @老板"},
    "ex.settings.overdue": {"en": "settings overdue 3", "zh": "设置 逾期 3"},
    "ex.settings.currency": {"en": "settings currency USD", "zh": "设置 币种 CNY"},
    "ex.settings.language": {"en": "settings language zh", "zh": "设置 语言 中文"},
    "ex.settings.holidays": {"en": "settings holidays on", "zh": "设置 节假日 开"},
    "ex.settings.channel": {"en": "settings channel #contracts", "zh": "设置 频道 #合同"},
    "ex.settings": {"en": "settings time 09:30", "zh": "设置 时间 09:30"},
    # reading free phrasing
    "read_as": {"en": "Read as: {command}", "zh": "理解为：{command}"},
    "err.word_unplaced": {
        "en": "I can't place “{word}” in this command, so nothing was saved.",
        "zh": "无法识别“{word}”，这条命令没有保存任何内容。",
    },
    "err.date_range": {
        "en": "The date “{phrase}” is outside the years 2000–2100.",
        "zh": "日期“{phrase}”超出了 2000–2100 年的范围。",
    },
    "err.unknown_suggest": {
        "en": "I don't know the command “{got}”. Did you mean “{suggestion}”?",
        "zh": "无法识别的命令“{got}”。您是不是想输入“{suggestion}”？",
    },
    "err.not_understood": {
        "en": "I couldn't tell what to do with “{got}”. Type help for the commands.",
        "zh": "没看懂“{got}”要做什么。输入“帮助”查看全部命令。",
    },
    "err.not_understood_number": {
        "en": "I found {number}, but not what to do with it (show, done, paid, snooze …).",
        "zh": "找到了合同 {number}，但没看懂要做什么（查看、完成、回款、延后……）。",
    },
    "err.use_form": {
        "en": "Please type this one in the command form for {number}.",
        "zh": "这项操作请按命令格式输入（合同 {number}）。",
    },
    "err.busy": {
        "en": "The database is busy; please try again in a moment.",
        "zh": "数据库正忙，请稍后再试。",
    },
    "err.milestone_ambiguous": {
        "en": "“{name}” fits several milestones of {number}: {choices}. Say which one.",
        "zh": "“{name}”对应 {number} 的多个节点：{choices}。请说明是哪一个。",
    },
    "ask.nothing": {"en": "There is no open question to answer or cancel.", "zh": "当前没有需要回答或取消的问题。"},
    "ask.pay_rest": {
        "en": "How much was received for {title} ({number})? It still owes {amount}.",
        "zh": "{number} 的 {title} 收到多少？剩余未收 {amount}。",
    },
    "ask.done_owed": {
        "en": "{title} ({number}) still owes {owed}. Close it how?",
        "zh": "{number} 的 {title} 还欠 {owed}。怎么关闭？",
    },
    "ask.done_pay": {"en": "Record {owed} received", "zh": "登记收到 {owed}"},
    "ask.done_waive": {"en": "Close without payment (write off)", "zh": "不收款关闭（核销）"},
    "ask.waive_reason": {
        "en": "Why is {title} ({number}) closed without the {owed}? (written off, waived …)",
        "zh": "{number} 的 {title} 为什么不收这 {owed}？（核销、减免……）",
    },
    "ask.undo": {
        "en": "Reverse payment P-{seq}: {amount} on {number}, received {date} by {who}?",
        "zh": "撤销回款 P-{seq}：{number} 于 {date} 收到 {amount}（{who} 登记）？",
    },
    "ask.undo_yes": {"en": "Reverse P-{seq}", "zh": "撤销 P-{seq}"},
    "ok.waived": {
        "en": "{title} of {number} closed without payment: {amount} written off ({reason}).",
        "zh": "{number} 的 {title} 已不收款关闭：核销 {amount}（{reason}）。",
    },
    "err.waive_nothing_owed": {
        "en": "{title} of {number} owes nothing; use done instead.",
        "zh": "{number} 的 {title} 没有欠款，请用“完成”。",
    },
    "ask.which_contract": {"en": "Which contract do you mean?", "zh": "您指的是哪个合同？"},
    "ask.which_milestone": {"en": "Which milestone of {number} do you mean?", "zh": "您指的是 {number} 的哪个节点？"},
    "ask.amount": {"en": "How much was received on {number}?", "zh": "{number} 收到的金额是多少？"},
    "ask.snooze_until": {"en": "Until when should I hold the reminders?", "zh": "要暂停提醒到哪天？"},
    "ask.new_date": {"en": "What is the new due date?", "zh": "新的截止日期是哪天？"},
    "ask.due_date": {"en": "When is it due?", "zh": "截止日期是哪天？"},
    "ask.title": {"en": "What is the contract's title?", "zh": "合同名称是什么？"},
    "ask.renew_year": {"en": "Renew {number} to {date}?", "zh": "将 {number} 续约至 {date}？"},
    "ask.counterparty": {
        "en": "Which one is the counterparty: {b} or {a}?",
        "zh": "哪个是合同对方：{b} 还是 {a}？",
    },
    "ask.day_month": {"en": "“{text}”: which date do you mean?", "zh": "“{text}”指的是哪一天？"},
    "ask.choose_hint": {
        "en": "Reply yes or 1 for the first, a number for another, or cancel.",
        "zh": "回复“是”或 1 选第一个，回复数字选其他，或回复“取消”。",
    },
    "ask.fill_or_yes_hint": {
        "en": "Reply yes or 1 for that, another amount, or cancel.",
        "zh": "回复“是”或 1 确认，或直接回复其他金额，或回复“取消”。",
    },
    "ask.fill_hint": {"en": "Reply with the answer, or cancel.", "zh": "直接回复答案，或回复“取消”。"},
    "ask.cancel_button": {"en": "Cancel", "zh": "取消"},
    "ask.cancelled": {"en": "OK, nothing was changed.", "zh": "好的，没有做任何修改。"},
    "ask.expired": {
        "en": "That question has expired or was answered; please type the command again.",
        "zh": "这个问题已过期或已回答，请重新输入命令。",
    },
    # answers to questions
    "answer.next": {"en": "Next on {number}: {title}, due {date} ({status}).",
                    "zh": "{number} 的下一个节点：{title}，截止 {date}（{status}）。"},
    "answer.next_none": {"en": "{number} has no open milestones.", "zh": "{number} 没有未完成的节点。"},
    "err.contract_name_unknown": {
        "en": "No contract of this team has a number, title or counterparty “{name}”.",
        "zh": "本团队没有编号、名称或对方为“{name}”的合同。",
    },
    "answer.more": {"en": "More: {command}", "zh": "详情：{command}"},
    "answer.outstanding": {
        "en": "{number}: {owed} outstanding (received {received} of {total}).",
        "zh": "{number}：还有 {owed} 未收（已收 {received}，共 {total}）。",
    },
    "answer.milestone_owed": {
        "en": "{title} ({number}): owes {owed} of {amount}; due {date} ({status}).",
        "zh": "{title}（{number}）：还欠 {owed}，共 {amount}；截止 {date}（{status}）。",
    },
    "answer.paid_none": {
        "en": "{title} ({number}): not paid; {owed} owed, {status}.",
        "zh": "{title}（{number}）：还没收到；欠 {owed}，{status}。",
    },
    "answer.paid_part": {
        "en": "{title} ({number}): partly paid, {got} received; {owed} still owed, {status}.",
        "zh": "{title}（{number}）：已收 {got}；还欠 {owed}，{status}。",
    },
    "answer.paid_full": {
        "en": "{title} ({number}): paid in full ({amount}).",
        "zh": "{title}（{number}）：已全部收到（{amount}）。",
    },
    "answer.no_amount": {
        "en": "{title} ({number}) has no amount to pay; it is {state}.",
        "zh": "{title}（{number}）没有金额；状态：{state}。",
    },
    "answer.state_done": {"en": "done", "zh": "已完成"},
    "answer.state_open": {"en": "open", "zh": "未完成"},
    "answer.days_overdue": {"en": "{days} days overdue", "zh": "已逾期 {days} 天"},
    "answer.due_today": {"en": "due today", "zh": "今天到期"},
    "answer.days_left": {"en": "due in {days} days", "zh": "还有 {days} 天到期"},
    "answer.owner": {"en": "Owner of {what}:", "zh": "{what} 的负责人："},
    "answer.due": {"en": "{title} ({number}) is due {date} ({status}).", "zh": "{title}（{number}）截止日期 {date}（{status}）。"},
    "answer.ends": {"en": "{number} {title} ends {date}.", "zh": "{number} {title} 于 {date} 到期。"},
    "answer.no_end": {"en": "{number} has no end date.", "zh": "{number} 没有到期日。"},
    "answer.notice": {"en": "Notice deadline: {date}.", "zh": "续约通知截止：{date}。"},
    "answer.value": {"en": "{number} {title} is worth {amount}.", "zh": "{number} {title} 合同金额 {amount}。"},
    "answer.due_on": {"en": "due {date}", "zh": "截止 {date}"},
    "answer.and_more": {"en": "… and {n} more", "zh": "……还有 {n} 项"},
    "answer.person_overdue": {"en": "{who} has {count} overdue:", "zh": "{who} 有 {count} 项逾期："},
    "answer.person_overdue_none": {"en": "{who}: nothing overdue.", "zh": "{who}：没有逾期的节点。"},
    "answer.person_week": {"en": "{who} has {count} due this week:", "zh": "{who} 本周有 {count} 项到期："},
    "answer.person_week_none": {"en": "{who}: nothing due this week.", "zh": "{who}：本周没有到期的节点。"},
    "answer.person_open": {"en": "{who} has {count} open:", "zh": "{who} 有 {count} 项未完成："},
    "answer.person_open_none": {"en": "{who}: nothing open.", "zh": "{who}：没有未完成的节点。"},
    # errors: one line each
    "error.prefix": {"en": "⚠️ {reason}", "zh": "⚠️ {reason}"},
    "error.example": {"en": "Example: {example}", "zh": "例如：{example}"},
    "err.unknown_command": {
        "en": "I don't know the command “{got}”. Type help for the list.",
        "zh": "无法识别的命令“{got}”。输入“帮助”查看全部命令。",
    },
    "err.date_missing": {
        "en": "The due date is missing.",
        "zh": "缺少截止日期。",
    },
    "err.date_refused": {
        "en": "I can't take that date: {reason}",
        "zh": "这个日期无法采用：{reason}",
    },
    "err.date_unreadable": {
        "en": "I can't read “{phrase}” as a date.",
        "zh": "无法把“{phrase}”识别为日期。",
    },
    "err.amount_negative": {
        "en": "The amount must be more than zero (got {amount}).",
        "zh": "金额必须大于零（收到的是 {amount}）。",
    },
    "err.amount_absurd": {
        "en": "The amount {amount} is too large to be real; check the digits.",
        "zh": "金额 {amount} 过大，不像真实金额，请检查位数。",
    },
    "err.amount_unreadable": {"en": "I can't read “{got}” as an amount.", "zh": "无法把“{got}”识别为金额。"},
    "err.number_missing": {
        "en": "A contract number such as HT-2026-001 is needed here.",
        "zh": "这里需要合同编号，例如 HT-2026-001。",
    },
    "err.owner_missing": {
        "en": "Name the owner with an @mention.",
        "zh": "请用 @ 指定负责人。",
    },
    "err.notice_unreadable": {
        "en": "I can't read the notice period “{got}”; give a number of days.",
        "zh": "无法识别通知期“{got}”，请写天数。",
    },
    "err.title_missing": {"en": "The contract needs a title.", "zh": "合同需要一个名称。"},
    "err.percent_range": {"en": "A percentage must be above 0 (got {percent}%).", "zh": "百分比必须大于 0（收到 {percent}%）。"},
    "err.percent_over": {
        "en": "A percentage can't be over 100 (got {percent}%).",
        "zh": "百分比不能超过 100（收到 {percent}%）。",
    },
    "err.milestone_name_missing": {
        "en": "Say which milestone, e.g. first payment or delivery.",
        "zh": "请写明节点名称，例如 首付款 或 交付验收。",
    },
    "err.kind_unknown": {"en": "Unknown kind “{got}”; use one of {kinds}.", "zh": "未知类型“{got}”，可选：{kinds}。"},
    "err.list_scope": {
        "en": "I can list: all, mine, overdue, due this week (not “{got}”).",
        "zh": "可以列出：全部、我的、逾期、本周到期（不支持“{got}”）。",
    },
    "err.contract_unknown": {
        "en": "No contract {number} in this team.",
        "zh": "本团队没有合同 {number}。",
    },
    "err.contract_unknown_suggest": {
        "en": "No contract {number} in this team. Did you mean {suggestions}?",
        "zh": "本团队没有合同 {number}。您是不是要找 {suggestions}？",
    },
    "err.contract_duplicate": {
        "en": "Contract {number} already exists; pick another number.",
        "zh": "合同 {number} 已存在，请换一个编号。",
    },
    "err.milestone_unknown": {
        "en": "Contract {number} has no open milestone “{name}”. Open: {choices}.",
        "zh": "合同 {number} 没有未完成的节点“{name}”。未完成的有：{choices}。",
    },
    "err.milestone_none_open": {
        "en": "Contract {number} has no open milestones.",
        "zh": "合同 {number} 没有未完成的节点。",
    },
    "err.milestone_which": {
        "en": "Contract {number} has several open milestones; say which: {choices}.",
        "zh": "合同 {number} 有多个未完成节点，请指明：{choices}。",
    },
    "err.percent_no_amount": {
        "en": "Contract {number} has no amount, so {percent}% can't be turned into money; give an amount.",
        "zh": "合同 {number} 没有金额，无法按 {percent}% 计算，请直接写金额。",
    },
    "err.plan_exceeds": {
        "en": "Planned payments would total {total}, more than the contract amount {amount}.",
        "zh": "计划付款合计将达 {total}，超过合同金额 {amount}。",
    },
    "err.currency_mismatch": {
        "en": "Contract {number} is in {expected}, not {got}.",
        "zh": "合同 {number} 的币种是 {expected}，不是 {got}。",
    },
    "err.date_order": {
        "en": "The end date {end} is before the start date {start}.",
        "zh": "到期日 {end} 早于开始日 {start}。",
    },
    "err.viewer": {
        "en": "Sorry, viewers can read but not change anything. Ask a team admin for the member role.",
        "zh": "抱歉，查看者只能查看，不能修改。请联系团队管理员开通成员角色。",
    },
    "err.not_allowed": {
        "en": "Sorry, only the owner of {title}, the owner of {number} or a team admin can do that.",
        "zh": "抱歉，只有 {title} 的负责人、{number} 的负责人或团队管理员可以操作。",
    },
    "err.snooze_range": {"en": "Snooze for 1 to 365 days.", "zh": "延后天数须在 1 到 365 之间。"},
    "err.snooze_how_long": {"en": "Say how long to snooze (3d) or until when.", "zh": "请写明延后多久（如 3天）或延到哪天。"},
    "err.snooze_past": {"en": "Snooze until a day after today, not {date}.", "zh": "延后日期须晚于今天，{date} 不行。"},
    "err.offsets_unreadable": {
        "en": "Give the reminder days as numbers, e.g. 14,7,1.",
        "zh": "请用数字写提醒天数，例如 14,7,1。",
    },
    "err.offsets_range": {"en": "Give at most 6 reminder days, each from 1 to 365.",
                          "zh": "提醒天数最多 6 个，每个在 1 到 365 之间。"},
    "err.note_empty": {"en": "The note is empty.", "zh": "备注内容为空。"},
    "err.note_long": {"en": "The note is too long; keep it under {limit} characters.",
                      "zh": "备注太长，请控制在 {limit} 字以内。"},
    "err.setting_unknown": {"en": "Unknown setting “{got}”; settings are {keys}.", "zh": "未知设置项“{got}”，可选：{keys}。"},
    "err.setting_missing": {"en": "Give a value for {setting}.", "zh": "请写明 {setting} 的值。"},
    "err.setting_value": {"en": "“{got}” is not a valid value for {setting}.", "zh": "“{got}”不是 {setting} 的有效值。"},
    "err.setting_range": {
        "en": "“{got}” is not a valid value for {setting}: use a whole number of days from {low} to {high}.",
        "zh": "“{got}”不是 {setting} 的有效值：请填 {low} 到 {high} 之间的整数天数。",
    },
    "err.stages_range": {
        "en": "“{got}” is not a valid value for {setting}: give at most {n} days, each a whole number from {low} to "
              "{high}.",
        "zh": "“{got}”不是 {setting} 的有效值：最多 {n} 个天数，每个为 {low} 到 {high} 之间的整数。",
    },
    "err.too_long": {"en": "{field} is too long: at most {limit} characters.",
                     "zh": "{field}太长：最多 {limit} 个字符。"},
    "err.handle_long": {"en": "That @name is too long: at most {limit} characters.",
                        "zh": "这个 @名字太长：最多 {limit} 个字符。"},
    "err.admin_only": {
        "en": "Sorry, only a team admin can change settings.",
        "zh": "抱歉，只有团队管理员可以修改设置。",
    },
    "err.action_unknown": {
        "en": "Sorry, that button is not valid here (it may be from another team or expired).",
        "zh": "抱歉，该按钮在此无效（可能来自其他团队或已过期）。",
    },
    "err.milestone_closed": {
        "en": "{title} of {number} is already {status}.",
        "zh": "{number} 的 {title} 已{status}。",
    },
    "err.payment_amount": {"en": "Say how much was received.", "zh": "请写明回款金额。"},
    "err.payment_id": {"en": "Name the payment by its number, e.g. P-3 (not “{got}”).",
                       "zh": "请写回款编号，例如 P-3（不是“{got}”）。"},
    "err.done_future": {"en": "A milestone can't be done in the future ({date}); give the day it was done.",
                        "zh": "完成日期不能在将来（{date}），请写实际完成的日期。"},
    "err.payment_future": {"en": "A payment can't be received in the future ({date}); give the day it arrived.",
                           "zh": "回款日期不能在将来（{date}），请写实际到账日期。"},
    "err.contract_closed": {"en": "Contract {number} is {status}; it takes no new milestones.",
                            "zh": "合同 {number} {status}，不能再添加节点。"},
    "err.amount_below_plan": {
        "en": "The new amount {amount} is below what is already planned or received ({floor}).",
        "zh": "新金额 {amount} 低于已计划或已回款的金额（{floor}）。",
    },
    "err.currency_unknown": {"en": "Unknown currency “{got}”; use a code such as CNY, USD or EUR.",
                             "zh": "未知币种“{got}”，请用 CNY、USD、EUR 等代码。"},
    "err.channel_unreadable": {"en": "I can't read “{got}” as a channel; use #channel.",
                               "zh": "无法识别频道“{got}”，请用 #频道。"},
    "err.channel_foreign": {"en": "Sorry, reminders of this team can only go to this chat (not {got}).",
                            "zh": "抱歉，本团队的提醒只能发到本群（不能发到 {got}）。"},
    "err.change_stale": {
        "en": "CR-{seq} no longer applies: what it changes has moved on since it was requested. Request it again.",
        "zh": "CR-{seq} 已不适用：提交后相关内容已有变化，请重新提交变更。",
    },
    "err.amount_below_paid": {"en": "The new amount {amount} is not above what was already paid ({paid}).",
                              "zh": "新金额 {amount} 不高于已付金额（{paid}）。"},
    "err.owner_viewer": {"en": "{name} is a viewer and can't own milestones; change their role first.",
                         "zh": "{name} 是查看者，不能负责节点，请先修改其角色。"},
    "err.payment_unknown": {"en": "There is no payment P-{seq} in this team.", "zh": "本团队没有回款 P-{seq}。"},
    "err.payment_reversed": {"en": "Payment P-{seq} was already reversed.", "zh": "回款 P-{seq} 已撤销过。"},
    "err.payment_not_yours": {
        "en": "Sorry, only the person who recorded P-{seq} or an admin can reverse it.",
        "zh": "抱歉，只有 P-{seq} 的登记人或管理员可以撤销。",
    },
    "err.payment_closed": {"en": "Contract {number} is {status}; payments can't be recorded on it.",
                           "zh": "合同 {number} {status}，不能登记回款。"},
    "err.overpayment": {
        "en": "That would over-pay {number}: amount {amount}, already received {received}, this payment {payment}; "
              "at most {room} can still be received.",
        "zh": "将超额回款：{number} 合同金额 {amount}，已回款 {received}，本次 {payment}，最多还可回款 {room}。",
    },
    "err.change_field": {
        "en": "Say what to change: due (of a milestone), amount, owner, scope or end.",
        "zh": "请写明变更项：截止（节点）、金额、负责人、范围 或 到期。",
    },
    "err.change_value": {"en": "Give the new value.", "zh": "请写明新的值。"},
    "err.change_id": {"en": "Name the change by its number, e.g. CR-12 (not “{got}”).",
                      "zh": "请写变更编号，例如 CR-12（不是“{got}”）。"},
    "err.change_unknown": {"en": "There is no change request CR-{seq} in this team.", "zh": "本团队没有变更 CR-{seq}。"},
    "err.change_decided": {"en": "CR-{seq} is already {status}.", "zh": "CR-{seq} 已{status}。"},
    "err.change_own": {"en": "Sorry, you can't approve or reject your own change CR-{seq}.",
                       "zh": "抱歉，不能审批自己提交的变更 CR-{seq}。"},
    "err.change_approver": {
        "en": "Sorry, only the owner of {number} or a team admin can decide CR-{seq}.",
        "zh": "抱歉，只有 {number} 的负责人或团队管理员可以审批 CR-{seq}。",
    },
    "err.renew_closed": {"en": "Contract {number} is {status} and can't be renewed.", "zh": "合同 {number} {status}，不能续约。"},
    "err.renew_earlier": {"en": "The new end {date} must be after the current end {end}.",
                          "zh": "新的到期日 {date} 必须晚于当前到期日 {end}。"},
    "err.already_ended": {"en": "Contract {number} has already ended.", "zh": "合同 {number} 已终止。"},
    "err.role_usage": {"en": "Name a person and a role: admin, member or viewer.",
                       "zh": "请指定人员和角色：管理员、成员 或 查看者。"},
    "err.last_admin": {"en": "A team needs at least one admin; make someone else admin first.",
                       "zh": "团队至少需要一名管理员，请先任命其他管理员。"},
    "err.not_allowed_contract": {
        "en": "Sorry, only the owner of {number}, the owner of one of its milestones or a team admin can do that.",
        "zh": "抱歉，只有 {number} 的负责人、其节点负责人或团队管理员可以操作。",
    },
    "err.not_contract_owner": {"en": "Sorry, only the owner of {number} or a team admin can do that.",
                               "zh": "抱歉，只有 {number} 的负责人或团队管理员可以操作。"},
    "err.admin_only_action": {"en": "Sorry, only a team admin can do that.", "zh": "抱歉，只有团队管理员可以操作。"},
    "err.internal": {
        "en": "Something went wrong on our side (ref {ref}); nothing was saved. Please try again.",
        "zh": "系统出错（编号 {ref}），未保存任何内容，请重试。",
    },
    # confirmations
    "ok.contract_created": {"en": "Contract {number} created", "zh": "已创建合同 {number}"},
    "ok.milestone_added": {"en": "Milestone added to {number}", "zh": "已为 {number} 添加节点"},
    "ok.milestone_done": {"en": "{title} of {number} is done", "zh": "{number} 的 {title} 已完成"},
    "ok.plan_total": {
        "en": "Payments planned: {planned} of {amount} ({percent}%).",
        "zh": "已计划付款 {planned} / {amount}（{percent}%）。",
    },
    "ok.snoozed": {
        "en": "Reminders for {title} of {number} snoozed until {date}",
        "zh": "{number} 的 {title} 提醒已延后至 {date}",
    },
    "ok.reassigned": {"en": "{title} of {number} reassigned", "zh": "{number} 的 {title} 已转交"},
    "ok.noted": {"en": "Note added to {title} of {number}", "zh": "已为 {number} 的 {title} 添加备注"},
    "ok.reminders_set": {"en": "Reminders for {scope}: {offsets} days ahead", "zh": "{scope} 的提醒：提前 {offsets} 天"},
    "ok.setting_changed": {"en": "Setting changed: {setting}", "zh": "已修改设置：{setting}"},
    "setting.timezone": {"en": "time zone", "zh": "时区"},
    "setting.time": {"en": "reminder time", "zh": "提醒时间"},
    "setting.stages": {"en": "reminder stages", "zh": "提醒阶段"},
    "setting.routing": {"en": "routing", "zh": "发送方式"},
    "setting.escalation": {"en": "escalation", "zh": "升级"},
    "setting.overdue": {"en": "overdue reminders", "zh": "逾期提醒"},
    "setting.currency": {"en": "currency", "zh": "币种"},
    "setting.language": {"en": "language", "zh": "语言"},
    "setting.holidays": {"en": "holiday shift", "zh": "节假日提前"},
    "setting.channel": {"en": "default channel", "zh": "默认频道"},
    "settings.title": {"en": "Team settings", "zh": "团队设置"},
    "settings.timezone": {"en": "Time zone", "zh": "时区"},
    "settings.time": {"en": "Reminder time", "zh": "提醒时间"},
    "settings.stages": {"en": "Stages", "zh": "提醒阶段"},
    "settings.stages_value": {
        "en": "{offsets} days ahead, due day, overdue",
        "zh": "提前 {offsets} 天、到期当天、逾期",
    },
    "settings.overdue": {"en": "Overdue reminders", "zh": "逾期提醒"},
    "settings.overdue_value": {"en": "every {n} days", "zh": "每 {n} 天"},
    "settings.escalation": {"en": "Escalation", "zh": "升级"},
    "settings.escalation_value": {
        "en": "after {n} days overdue, to the contract owner and {target}",
        "zh": "逾期 {n} 天后，通知合同负责人和 {target}",
    },
    "settings.contract_owner": {"en": "nobody else", "zh": "（无其他人）"},
    "settings.routing": {"en": "Send to", "zh": "发送到"},
    "settings.holidays": {"en": "Move off holidays", "zh": "节假日提前"},
    "settings.currency": {"en": "Currency", "zh": "币种"},
    "settings.language": {"en": "Language", "zh": "语言"},
    "settings.on": {"en": "on", "zh": "开"},
    "settings.off": {"en": "off", "zh": "关"},
    "settings.hint": {
        "en": "Change one: settings timezone Asia/Shanghai · time 09:00 · stages 14,7,3 · overdue 3 · "
              "escalation 7 @boss · routing channel|dm|both|email|both+email · holidays on · currency CNY · language zh",
        "zh": "修改：设置 时区 Asia/Shanghai · 时间 09:00 · 提醒 14,7,3 · 逾期 3 · 升级 7 @老板 · "
              "发送 频道|私信|两者|邮件|两者+邮件 · 节假日 开 · 币种 CNY · 语言 zh",
    },
    "routing.channel": {"en": "the contract's channel", "zh": "合同所在频道/群"},
    "routing.dm": {"en": "a DM to the owner", "zh": "私信负责人"},
    "routing.both": {"en": "the channel and a DM to the owner", "zh": "频道/群和私信负责人"},
    "warn.past_date": {
        "en": "Note: {date} is in the past; saved as a backfilled milestone.",
        "zh": "注意：{date} 已过去，按补录节点保存。",
    },
    "warn.notice_passed": {"en": "Note: the last day to give notice ({date}) has already passed.",
                           "zh": "注意：发出通知的最后期限（{date}）已经过了。"},
    "warn.reading": {"en": "Read as: {note}", "zh": "按此理解：{note}"},
    "ok.next_reminders": {"en": "Reminders: {when}", "zh": "提醒时间：{when}"},
    # labels
    "label.number": {"en": "Number", "zh": "编号"},
    "label.title": {"en": "Title", "zh": "名称"},
    "label.counterparty": {"en": "Counterparty", "zh": "对方"},
    "label.amount": {"en": "Amount", "zh": "金额"},
    "label.due": {"en": "Due", "zh": "截止"},
    "label.owner": {"en": "Owner", "zh": "负责人"},
    "label.status": {"en": "Status", "zh": "状态"},
    "label.ends": {"en": "Ends", "zh": "到期"},
    "label.starts": {"en": "Starts", "zh": "开始"},
    "label.signed": {"en": "Signed", "zh": "签订"},
    "label.notice": {"en": "Notice", "zh": "通知期"},
    "label.crm": {"en": "CRM", "zh": "CRM"},
    "label.kind": {"en": "Kind", "zh": "类型"},
    "label.milestone": {"en": "Milestone", "zh": "节点"},
    "label.contract": {"en": "Contract", "zh": "合同"},
    "label.done_by": {"en": "Done by", "zh": "完成人"},
    "label.done_on": {"en": "Done on", "zh": "完成日期"},
    "label.planned": {"en": "Planned", "zh": "计划"},
    "label.nobody": {"en": "nobody", "zh": "未指定"},
    "label.days": {"en": "{n} days", "zh": "{n} 天"},
    "label.auto_renew": {"en": "auto-renews", "zh": "自动续约"},
    "kind.payment": {"en": "payment", "zh": "付款"},
    "kind.delivery": {"en": "delivery", "zh": "交付"},
    "kind.acceptance": {"en": "acceptance", "zh": "验收"},
    "kind.warranty": {"en": "warranty", "zh": "质保"},
    "kind.renewal": {"en": "renewal", "zh": "续约"},
    "kind.other": {"en": "other", "zh": "其他"},
    "status.open": {"en": "open", "zh": "未完成"},
    "status.done": {"en": "done", "zh": "已完成"},
    "status.cancelled": {"en": "cancelled", "zh": "已取消"},
    "status.overdue": {"en": "overdue by {days} d", "zh": "已逾期 {days} 天"},
    "status.due_in": {"en": "due in {days} d", "zh": "{days} 天后到期"},
    "status.due_today": {"en": "due today", "zh": "今天到期"},
    "cstatus.active": {"en": "active", "zh": "执行中"},
    "cstatus.expiring": {"en": "expiring", "zh": "即将到期"},
    "cstatus.expired": {"en": "expired", "zh": "已到期"},
    "cstatus.renewed": {"en": "renewed", "zh": "已续约"},
    "cstatus.ended": {"en": "ended", "zh": "已终止"},
    # lists
    "list.contracts": {"en": "Contracts ({count})", "zh": "合同（{count}）"},
    "list.mine": {"en": "My open milestones ({count})", "zh": "我的未完成节点（{count}）"},
    "list.overdue": {"en": "Overdue milestones ({count})", "zh": "逾期节点（{count}）"},
    "list.week": {"en": "Due this week, {start} – {end} ({count})", "zh": "本周到期 {start} – {end}（{count}）"},
    "list.empty.contracts": {
        "en": "No contracts yet. Add one: {example}",
        "zh": "还没有合同。新建一个：{example}",
    },
    "list.empty.mine": {"en": "You have no open milestones.", "zh": "您没有未完成的节点。"},
    "list.empty.overdue": {"en": "Nothing is overdue.", "zh": "没有逾期节点。"},
    "list.empty.week": {"en": "Nothing is due this week.", "zh": "本周没有到期节点。"},
    "list.due_soon": {"en": "My milestones: overdue and due in the next {days} days ({count})",
                      "zh": "我的节点：逾期及未来 {days} 天到期（{count}）"},
    "action.snooze": {"en": "Snooze", "zh": "延后"},
    "list.all_teams": {"en": "all your teams", "zh": "您所在的全部团队"},
    "list.next": {"en": "next: {title} {due}", "zh": "下一节点：{title} {due}"},
    "list.no_next": {"en": "no open milestones", "zh": "无未完成节点"},
    "show.milestones": {"en": "Milestones", "zh": "节点"},
    "ok.renewal_tracked": {
        "en": "Renewal is tracked: the last day to give notice is {date}.",
        "zh": "已跟踪续约：发出通知的最后期限是 {date}。",
    },
    "ok.next_step": {
        "en": "Next, add its milestones: milestone {number} first payment 30% due next Friday owner @name",
        "zh": "下一步，添加节点：节点 {number} 首付款 30% 下周五 @某人",
    },
    "show.no_milestones": {
        "en": "No milestones yet. Add one: milestone {number} first payment 30% due next Friday owner @name",
        "zh": "还没有节点。添加：节点 {number} 首付款 30% 下周五 @某人",
    },
    "console.actions": {"en": "Actions (type one):", "zh": "可用操作（直接输入）："},
    "action.done": {"en": "Done", "zh": "完成"},
    "action.snooze1": {"en": "Snooze 1 day", "zh": "延后1天"},
    "action.snooze3": {"en": "Snooze 3 days", "zh": "延后3天"},
    "action.snooze_date": {"en": "Snooze until…", "zh": "延后到…"},
    "action.reassign": {"en": "Reassign", "zh": "转交"},
    "action.note": {"en": "Add note", "zh": "备注"},
    "action.pay": {"en": "Record payment", "zh": "登记回款"},
    "action.pick_owner": {"en": "Pick the new owner of {title} ({number}):", "zh": "选择 {number} {title} 的新负责人："},
    "action.type_note": {"en": "Type the note as a command: {example}", "zh": "请以命令输入备注：{example}"},
    "action.type_date": {"en": "Type the date as a command: {example}", "zh": "请以命令输入日期：{example}"},
    "action.type_payment": {"en": "Type the payment as a command: {example}", "zh": "请以命令输入回款：{example}"},
    "cmd.done": {"en": "done {n} {m}", "zh": "完成 {n} {m}"},
    "cmd.snooze1": {"en": "snooze {n} {m} 1d", "zh": "延后 {n} {m} 1天"},
    "cmd.snooze3": {"en": "snooze {n} {m} 3d", "zh": "延后 {n} {m} 3天"},
    "cmd.snooze_date": {"en": "snooze {n} {m} until DATE", "zh": "延后 {n} {m} 到 日期"},
    "cmd.reassign": {"en": "reassign {n} {m} @name", "zh": "转交 {n} {m} @某人"},
    "cmd.note": {"en": "note {n} {m}: TEXT", "zh": "备注 {n} {m}：内容"},
    "cmd.pay": {"en": "paid {n} AMOUNT for {m}", "zh": "回款 {n} 金额 {m}"},
    "remind.ahead": {
        "en": "⏰ Reminder: {title} of {number} is due in {days} days ({date})",
        "zh": "⏰ 提醒：{number} 的 {title} 将于 {days} 天后到期（{date}）",
    },
    "remind.today": {
        "en": "⏰ Due today: {title} of {number} ({date})",
        "zh": "⏰ 今天到期：{number} 的 {title}（{date}）",
    },
    "remind.overdue": {
        "en": "🔴 Overdue: {title} of {number} is {days} days late (was due {date})",
        "zh": "🔴 逾期：{number} 的 {title} 已逾期 {days} 天（原定 {date}）",
    },
    "remind.escalated": {"en": "🔺 Escalated:", "zh": "🔺 升级提醒："},
    "remind.start_private": {
        "en": "I can't DM the owner yet: open a private chat with me and press Start to get reminders there.",
        "zh": "暂时无法私信负责人：请与我开启私聊并点击“开始”，之后提醒会私信发送。",
    },
    "remind.failed": {
        "en": "⚠️ The reminder for {title} of {number} could not be delivered: {error}. "
              "Check that the bot is still in the contract's channel.",
        "zh": "⚠️ {number} 的 {title} 提醒发送失败：{error}。请确认机器人仍在合同所在的频道/群中。",
    },
    "status.done_by": {"en": "✅ Done by {who} · {when}", "zh": "✅ {who} 已完成 · {when}"},
    "status.snoozed_by": {"en": "💤 Snoozed until {date} by {who} · {when}", "zh": "💤 {who} 延后至 {date} · {when}"},
    "status.reassigned_by": {"en": "👤 Reassigned to {owner} by {who} · {when}", "zh": "👤 {who} 转交给 {owner} · {when}"},
    "status.noted_by": {"en": "📝 Note by {who} · {when}", "zh": "📝 {who} 添加了备注 · {when}"},
    "status.paid_by": {"en": "💰 Payment recorded by {who} · {when}", "zh": "💰 {who} 登记了回款 · {when}"},
    "digest.daily": {"en": "📋 Daily digest · {date}", "zh": "📋 每日汇总 · {date}"},
    "digest.weekly": {"en": "📋 Weekly summary · week of {date}", "zh": "📋 每周汇总 · {date} 这一周"},
    "digest.summary": {"en": "{due} due in the next 7 days · {overdue} overdue",
                       "zh": "未来 7 天到期 {due} 项 · 逾期 {overdue} 项"},
    "digest.done_last_week": {"en": "{n} completed in the last 7 days", "zh": "过去 7 天完成 {n} 项"},
    "ok.payment": {"en": "Payment P-{seq} of {amount} recorded on {number} ({date})",
                   "zh": "已登记回款 P-{seq}：{number} 收到 {amount}（{date}）"},
    "ok.payment_reversed": {"en": "Payment P-{seq} of {amount} on {number} reversed",
                            "zh": "已撤销 {number} 的回款 P-{seq}（{amount}）"},
    "ok.renewed": {"en": "{number} renewed until {date}", "zh": "{number} 已续约至 {date}"},
    "ok.ended": {"en": "Contract {number} ended", "zh": "合同 {number} 已终止"},
    "ok.role_title": {"en": "Role changed", "zh": "角色已修改"},
    "ok.role": {"en": "is now {role}", "zh": "现在是{role}"},
    "role.admin": {"en": "an admin", "zh": "管理员"},
    "role.member": {"en": "a member", "zh": "成员"},
    "role.viewer": {"en": "a viewer", "zh": "查看者"},
    "money.settled": {"en": "{title} paid in full ({amount})", "zh": "{title} 已全额付清（{amount}）"},
    "money.partly": {"en": "{title}: {amount} received, {owed} still owed", "zh": "{title}：收到 {amount}，尚欠 {owed}"},
    "money.unplanned": {"en": "{amount} is beyond the planned payments.", "zh": "{amount} 超出已计划的付款节点。"},
    "money.undo_hint": {"en": "Mistake? undo P-{seq}", "zh": "登记错了？撤销 P-{seq}"},
    "money.reopened": {"en": "{title} is open again", "zh": "{title} 已重新打开"},
    "money.paid_owed": {"en": "paid {paid}, owes {owed}", "zh": "已收 {paid}，尚欠 {owed}"},
    "money.owes": {"en": "owes {owed} of {amount}", "zh": "尚欠 {owed} / 共 {amount}"},
    "label.received": {"en": "Received", "zh": "已回款"},
    "label.outstanding": {"en": "Outstanding", "zh": "未回款"},
    "label.reason": {"en": "Reason", "zh": "原因"},
    "ar.title": {"en": "Receivables", "zh": "应收账款"},
    "ar.none": {"en": "Nothing is outstanding.", "zh": "没有未回款项。"},
    "ar.total": {"en": "Total ({currency})", "zh": "合计（{currency}）"},
    "ar.total_value": {"en": "{outstanding} outstanding, {overdue} overdue", "zh": "未回款 {outstanding}，逾期 {overdue}"},
    "ar.buckets": {"en": "Ageing:", "zh": "账龄："},
    "ar.by_owner": {"en": "By owner:", "zh": "按负责人："},
    "ar.by_party": {"en": "By counterparty:", "zh": "按客户："},
    "ar.not_due": {"en": "not yet due", "zh": "未到期"},
    "ar.unplanned": {"en": "not yet scheduled", "zh": "未排期"},
    "ar.waived": {"en": "Written off (not counted): {amount}", "zh": "已核销（不计入）：{amount}"},
    "ar.footnote": {
        "en": "Outstanding = contract amount − received − written off; overdue = still owed on milestones past due.",
        "zh": "未回款 = 合同金额 − 已回款 − 已核销；逾期 = 已过截止日期的节点尚欠金额。",
    },
    "label.waived": {"en": "Written off", "zh": "已核销"},
    "status.waived": {"en": "written off", "zh": "已核销"},
    "ar.1_30": {"en": "1-30 d", "zh": "1-30天"},
    "ar.31_60": {"en": "31-60 d", "zh": "31-60天"},
    "ar.61_90": {"en": "61-90 d", "zh": "61-90天"},
    "ar.over_90": {"en": "over 90 d", "zh": "90天以上"},
    "renewal.milestone": {"en": "renewal notice", "zh": "续约通知"},
    "renewal.previous": {"en": "The previous term is kept as {number}.", "zh": "上一期合同保留为 {number}。"},
    "renewal.cancelled": {"en": "Cancelled: {titles}", "zh": "已取消：{titles}"},
    "renewal.changes_closed": {"en": "Change requests closed unapplied: {changes}", "zh": "未批准的变更申请已关闭：{changes}"},
    "renewal.change_reason": {"en": "closed unapplied: the contract ended", "zh": "合同已终止，变更未执行"},
    "renewal.auto": {"en": "🔁 {number} renewed automatically until {date}", "zh": "🔁 {number} 已自动续约至 {date}"},
    "renewal.auto_why": {"en": "No notice was given by {deadline}, and the contract auto-renews.",
                         "zh": "截至 {deadline} 未发出终止通知，合同按约自动续约。"},
    "change.title": {"en": "Change request CR-{seq}: {field} of {what}", "zh": "变更申请 CR-{seq}：{what} 的{field}"},
    "change.from": {"en": "From", "zh": "原值"},
    "change.to": {"en": "To", "zh": "新值"},
    "change.status": {"en": "Status", "zh": "状态"},
    "change.by": {"en": "Requested by", "zh": "申请人"},
    "change.approvers": {"en": "The contract owner or a team admin can approve it (not the requester).",
                         "zh": "合同负责人或团队管理员可审批（申请人本人不可）。"},
    "change.approved": {"en": "CR-{seq} approved and applied", "zh": "CR-{seq} 已批准并生效"},
    "change.rejected": {"en": "CR-{seq} rejected; nothing changed", "zh": "CR-{seq} 已驳回，未做任何修改"},
    "change.told_approved": {"en": "your change was approved by {who}.", "zh": "您的变更已由 {who} 批准。"},
    "change.told_rejected": {"en": "your change was rejected by {who}.", "zh": "您的变更已被 {who} 驳回。"},
    "cr.pending": {"en": "pending", "zh": "待审批"},
    "cr.approved": {"en": "approved", "zh": "已批准"},
    "cr.rejected": {"en": "rejected", "zh": "已驳回"},
    "field.due": {"en": "due date", "zh": "截止日期"},
    "field.end": {"en": "end date", "zh": "到期日"},
    "field.amount": {"en": "amount", "zh": "金额"},
    "field.owner": {"en": "owner", "zh": "负责人"},
    "field.scope": {"en": "scope", "zh": "范围"},
    "action.approve": {"en": "Approve", "zh": "批准"},
    "action.reject": {"en": "Reject", "zh": "驳回"},
    "cmd.approve": {"en": "approve CR-{seq}", "zh": "批准 CR-{seq}"},
    "cmd.reject": {"en": "reject CR-{seq}", "zh": "驳回 CR-{seq}"},
    "status.changed_by": {"en": "✏️ Changed (approved by {who}) · {when}", "zh": "✏️ 已变更（{who} 批准）· {when}"},
    "history.title": {"en": "History of {number} ({count} events)", "zh": "{number} 的历史（{count} 条）"},
    "history.system": {"en": "the bot", "zh": "系统"},
    "history.more": {"en": "{n} older events not shown.", "zh": "另有 {n} 条较早记录未显示。"},
    "audit.contract.created": {"en": "created the contract", "zh": "创建了合同"},
    "audit.contract.renewed": {"en": "renewed the contract", "zh": "续约了合同"},
    "audit.contract.ended": {"en": "ended the contract", "zh": "终止了合同"},
    "audit.contract.status": {"en": "status changed", "zh": "状态变化"},
    "audit.contract.changed": {"en": "changed the contract", "zh": "变更了合同"},
    "audit.milestone.created": {"en": "added a milestone", "zh": "添加了节点"},
    "audit.milestone.done": {"en": "completed a milestone", "zh": "完成了节点"},
    "audit.milestone.paid": {"en": "a milestone was paid off", "zh": "节点已付清"},
    "audit.milestone.reopened": {"en": "reopened a milestone", "zh": "重新打开了节点"},
    "audit.milestone.snoozed": {"en": "snoozed a milestone", "zh": "延后了节点"},
    "audit.milestone.reassigned": {"en": "reassigned a milestone", "zh": "转交了节点"},
    "audit.milestone.noted": {"en": "added a note", "zh": "添加了备注"},
    "audit.milestone.changed": {"en": "changed a milestone", "zh": "变更了节点"},
    "audit.milestone.moved": {"en": "moved the renewal deadline", "zh": "调整了续约期限"},
    "audit.payment.recorded": {"en": "recorded a payment", "zh": "登记了回款"},
    "audit.payment.reversed": {"en": "reversed a payment", "zh": "撤销了回款"},
    "audit.milestone.reminders_set": {"en": "set the reminder days of a milestone", "zh": "设置了节点提醒天数"},
    "audit.contract.reminders_set": {"en": "set the reminder days of the contract", "zh": "设置了合同提醒天数"},
    "audit.milestone.cancelled": {"en": "cancelled a milestone", "zh": "取消了节点"},
    "audit.change.requested": {"en": "requested a change", "zh": "提交了变更"},
    "audit.change.approved": {"en": "approved a change", "zh": "批准了变更"},
    "audit.change.rejected": {"en": "rejected a change", "zh": "驳回了变更"},
    # help
    "help.title": {"en": "ContractBot commands", "zh": "合同履约跟踪机器人 命令"},
    "help.section.contracts": {"en": "Contracts and milestones", "zh": "合同与节点"},
    "help.section.reminders": {"en": "Reminders", "zh": "提醒"},
    "help.section.money": {"en": "Money, renewals and changes", "zh": "回款、续约与变更"},
    "help.section.team": {"en": "History, roles and help", "zh": "历史、角色与帮助"},
    "help.footer": {
        "en": (
            "Dates: 2026-12-04, next Friday, in 3 days, end of month, the 15th, in 5 business days, "
            "the first Monday of October, before Chinese New Year; after an event: 30 days after acceptance.\n"
            "Amounts: 1,200,000 / 120万 / 1.2亿 / 人民币壹佰贰拾万元整 / 30% of the contract amount.\n"
            "You can also just say it: “HT-2026-001 first payment is done”, “Contoso wired 360k today”, "
            "“what's overdue?”, “who owns HT-2026-001?”. Every command also works in Chinese: type 帮助."
        ),
        "zh": (
            "日期：2026-12-04、下周五、3天后、月底、15号、5个工作日内、十月第一个星期一、春节前；"
            "按事件：验收后30天、签约后5个工作日。\n"
            "金额：1,200,000 / 120万 / 1.2亿 / 人民币壹佰贰拾万元整 / 合同金额的 30%。\n"
            "也可以直接说：“HT-2026-002 首付款 已完成”、“京东今天打来 36万”、“哪些节点逾期了？”、"
            "“HT-2026-002 谁负责？”。所有命令也可用英文输入：help。"
        ),
    },
}


# sentences kept in their own modules, one per area, so areas can grow without touching this table
from handlers import (  # noqa: E402
    i18n_changes,
    i18n_corrections,
    i18n_dates,
    i18n_digest,
    i18n_export,
    i18n_ledger,
    i18n_lists,
    i18n_mail,
    i18n_people,
    i18n_relative,
    i18n_reports,
)

MESSAGES.update(i18n_people.MESSAGES)
MESSAGES.update(i18n_changes.MESSAGES)
MESSAGES.update(i18n_corrections.MESSAGES)
MESSAGES.update(i18n_reports.MESSAGES)
MESSAGES.update(i18n_digest.MESSAGES)
MESSAGES.update(i18n_ledger.MESSAGES)
MESSAGES.update(i18n_export.MESSAGES)
MESSAGES.update(i18n_lists.MESSAGES)
MESSAGES.update(i18n_mail.MESSAGES)
MESSAGES.update(i18n_relative.MESSAGES)
MESSAGES.update(i18n_dates.MESSAGES)


@dataclass(frozen=True)
class PerLanguage:
    """A parameter whose own text depends on the reader's language (e.g. the reason the date reader gave)."""

    en: str
    zh: str

    def get(self, lang: str) -> str:
        """The text in ``lang`` (English for any language without its own)."""
        return self.zh if lang == "zh" else self.en


def t(msg_key: str, lang: str, /, **params: Any) -> str:
    """Look up a sentence in the user's language and fill in its parameters."""
    entry = MESSAGES.get(msg_key)
    if entry is None:
        return msg_key
    text = entry.get(lang) or entry["en"]
    if not params:
        return text
    return text.format(**{k: v.get(lang) if isinstance(v, PerLanguage) else v for k, v in params.items()})


def norm_lang(lang: str | None) -> str | None:
    """Map zh-hans, zh_CN, en-US ... to 'zh' or 'en'; None when unknown."""
    if not lang:
        return None
    low = lang.lower()
    if low.startswith("zh"):
        return "zh"
    if low.startswith("en"):
        return "en"
    return None
