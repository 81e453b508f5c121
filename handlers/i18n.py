"""Every sentence the bot says, in English and Chinese."""

from __future__ import annotations

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
    "warn.past_date": {
        "en": "Note: {date} is in the past; saved as a backfilled milestone.",
        "zh": "注意：{date} 已过去，按补录节点保存。",
    },
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
    "list.next": {"en": "next: {title} {due}", "zh": "下一节点：{title} {due}"},
    "list.no_next": {"en": "no open milestones", "zh": "无未完成节点"},
    "show.milestones": {"en": "Milestones", "zh": "节点"},
    "show.no_milestones": {
        "en": "No milestones yet. Add one: {example}",
        "zh": "还没有节点。添加：{example}",
    },
    "console.actions": {"en": "Actions: {buttons} (type the command, e.g. done / snooze)",
                        "zh": "操作：{buttons}（直接输入命令，如 完成 / 延后）"},
    # help
    "help.title": {"en": "ContractBot commands", "zh": "合同履约跟踪机器人 命令"},
    "help.body": {
        "en": (
            'new NUMBER "TITLE" COUNTERPARTY AMOUNT [CURRENCY] [ends DATE] [starts DATE] [signed DATE] '
            "[owner @name] [notice 30 days] [auto-renew] [opp ID] [order ID]\n"
            "    new HT-2026-001 \"Acme annual license\" Acme Corp 1,200,000 CNY ends 2027-12-31\n"
            "milestone NUMBER NAME [30% | AMOUNT] [due] DATE [owner @name]\n"
            "    milestone HT-2026-001 first payment 30% due next Friday owner @alice\n"
            "done NUMBER [MILESTONE]       done HT-2026-001 first payment\n"
            "show NUMBER                   show HT-2026-001\n"
            "list | list mine | list overdue | list due this week\n"
            "help\n"
            "Dates: 2026-12-04, next Friday, in 3 days, end of month, the 15th, in 5 business days.\n"
            "Amounts: 1,200,000 / 120万 / 1.2亿 / 30% of the contract amount.\n"
            "Every command also works in Chinese: type 帮助."
        ),
        "zh": (
            "新建 编号 名称 对方 金额 [币种] [到期 日期] [开始 日期] [签订 日期] [负责人 @某人] "
            "[提前30天通知] [自动续约] [商机 编号] [订单 编号]\n"
            "    新建 HT-2026-002 华为云采购 华为 120万 到期 2027年12月31日\n"
            "节点 编号 名称 [30% | 金额] 日期 [负责人] @某人\n"
            "    节点 HT-2026-002 首付款 30% 下周五 @张三\n"
            "    节点 HT-2026-002 交付验收 3月15日 负责人 @李四\n"
            "完成 编号 [节点]              完成 HT-2026-002 首付款\n"
            "查看 编号                     查看 HT-2026-002\n"
            "列表 | 我的 | 逾期 | 本周到期\n"
            "帮助\n"
            "日期：2026-12-04、下周五、三天后、月底、15号、3个工作日后。\n"
            "金额：1,200,000 / 120万 / 1.2亿 / 合同金额的 30%。\n"
            "所有命令也可用英文输入：help。"
        ),
    },
}


def t(key: str, lang: str, **params: Any) -> str:
    """Look up a sentence in the user's language and fill in its parameters."""
    entry = MESSAGES.get(key)
    if entry is None:
        return key
    text = entry.get(lang) or entry["en"]
    return text.format(**params) if params else text


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
