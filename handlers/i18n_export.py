"""Sentences of the ledger export and the calendar feeds, in English and Chinese (merged into handlers.i18n)."""

from __future__ import annotations

# Column names of the Contracts and Milestones sheets are the ones a ledger reader recognises (合同编号, 节点名称 …),
# so an export imports back as the same ledger.
_COLUMNS: dict[str, dict[str, tuple[str, str]]] = {
    "contracts": {
        "number": ("Contract No.", "合同编号"),
        "title": ("Title", "合同名称"),
        "counterparty": ("Customer", "客户名称"),
        "amount": ("Amount", "合同金额"),
        "currency": ("Currency", "币种"),
        "signed": ("Signed", "签订日期"),
        "start": ("Start", "开始日期"),
        "end": ("End", "到期日"),
        "owner": ("Owner", "负责人"),
        "notes": ("Notes", "备注"),
        "status": ("Contract status", "合同状态"),
    },
    "milestones": {
        "number": ("Contract No.", "合同编号"),
        "title": ("Milestone", "节点名称"),
        "kind": ("Kind", "类型"),
        "percent": ("Percent", "比例"),
        "amount": ("Amount", "金额"),
        "currency": ("Currency", "币种"),
        "due": ("Due", "计划日期"),
        "owner": ("Owner", "负责人"),
        "status": ("Status", "状态"),
        "received": ("Received", "实收金额"),
        "received_on": ("Received on", "实收日期"),
        "note": ("Notes", "备注"),
    },
    "payments": {
        "seq": ("Payment No.", "回款编号"),
        # not "Contract No.": a ledger reader would take this sheet for one to import (and count the money twice)
        "number": ("On contract", "所属合同"),
        "received_on": ("Received on", "到账日期"),
        "amount": ("Amount", "到账金额"),
        "currency": ("Currency", "币种"),
        "applied": ("Applied to", "对应节点"),
        "recorded_by": ("Recorded by", "登记人"),
        "note": ("Note", "备注"),
        "status": ("Status", "状态"),
    },
    "receivables": {
        "number": ("On contract", "所属合同"),
        "counterparty": ("Customer", "客户名称"),
        "owner": ("Owner", "负责人"),
        "currency": ("Currency", "币种"),
        "outstanding": ("Outstanding", "未收合计"),
        "not_due": ("Not yet due", "未到期"),
        "1_30": ("1–30 days late", "逾期1–30天"),
        "31_60": ("31–60 days late", "逾期31–60天"),
        "61_90": ("61–90 days late", "逾期61–90天"),
        "over_90": ("Over 90 days late", "逾期90天以上"),
        "unplanned": ("Not scheduled", "未排期"),
        "overdue": ("Overdue total", "逾期合计"),
    },
}

MESSAGES: dict[str, dict[str, str]] = {
    "ex.export": {"en": "export overdue @bob 2027", "zh": "导出 逾期 @王五 2027年"},
    "ex.calendar": {"en": "calendar", "zh": "日历"},
    # export
    "export.sheet.contracts": {"en": "Contracts", "zh": "合同"},
    "export.sheet.milestones": {"en": "Milestones", "zh": "节点"},
    "export.sheet.payments": {"en": "Payments", "zh": "回款"},
    "export.sheet.receivables": {"en": "Receivables", "zh": "应收"},
    **{f"export.col.{sheet}.{key}": {"en": en, "zh": zh}
       for sheet, cols in _COLUMNS.items() for key, (en, zh) in cols.items()},
    # statuses as a ledger reader maps them (done / 已完成, open / 未完成)
    "export.status.open": {"en": "open", "zh": "未完成"},
    "export.status.done": {"en": "done", "zh": "已完成"},
    "export.status.cancelled": {"en": "cancelled", "zh": "已取消"},
    "export.status.waived": {"en": "written off", "zh": "已核销"},
    "export.status.reversed": {"en": "reversed", "zh": "已冲销"},
    "export.status.valid": {"en": "valid", "zh": "有效"},
    "export.status.c_active": {"en": "active", "zh": "执行中"},
    "export.status.c_expiring": {"en": "expiring", "zh": "即将到期"},
    "export.status.c_expired": {"en": "expired", "zh": "已到期"},
    "export.status.c_renewed": {"en": "renewed", "zh": "已续约"},
    "export.status.c_ended": {"en": "ended", "zh": "已终止"},
    "export.total": {"en": "Total {currency}", "zh": "合计 {currency}"},
    "export.title": {"en": "Ledger export (Excel): {counts}", "zh": "台账导出（Excel）：{counts}"},
    "export.title_csv": {"en": "Ledger export (CSV, zipped): {counts}", "zh": "台账导出（CSV 压缩包）：{counts}"},
    "export.doc_title": {"en": "Ledger: {counts}", "zh": "台账：{counts}"},
    "export.filters": {"en": "Only: {filters}", "zh": "筛选：{filters}"},
    "export.file": {"en": "File: {filename} ({size})", "zh": "文件：{filename}（{size}）"},
    "export.sheets": {
        "en": "Sheets: Contracts · Milestones (with money received) · Payments · Receivables by age "
              "(not yet due, 1–30, 31–60, 61–90, over 90 days late, not scheduled).",
        "zh": "工作表：合同 · 节点（含实收） · 回款 · 应收账龄（未到期、逾期1–30天、31–60天、61–90天、90天以上、未排期）。",
    },
    "export.sheets_csv": {
        "en": "Four CSV files in UTF-8 (with BOM, so Excel opens Chinese correctly): contracts, milestones, "
              "payments, receivables.",
        "zh": "4 个 UTF-8 编码的 CSV 文件（带 BOM，Excel 打开中文不乱码）：合同、节点、回款、应收。",
    },
    "export.footnote": {
        "en": "Ageing as of {today}, as in “receivables”. The Contracts and Milestones sheets can be imported again.",
        "zh": "账龄按 {today} 计算，与“应收”一致。合同和节点两张表可以再导入。",
    },
    "export.none": {"en": "There is nothing to export yet: the ledger has no contracts.",
                    "zh": "暂无可导出的内容：台账里还没有合同。"},
    "export.none_filtered": {"en": "No contract matches: {filters}.", "zh": "没有符合条件的合同：{filters}。"},
    "export.f_overdue": {"en": "overdue", "zh": "逾期"},
    "export.f_owner": {"en": "owner {owner}", "zh": "负责人 {owner}"},
    "export.f_period": {"en": "{period} ({start} – {end})", "zh": "{period}（{start} – {end}）"},
    "err.export_owners": {
        "en": "An export takes one owner at most.",
        "zh": "导出时最多只能指定一位负责人。",
    },
    "err.export_owner": {
        "en": "Nobody called {owner} is in this team.",
        "zh": "团队里没有 {owner} 这个人。",
    },
    "err.export_words": {
        "en": "I can't read “{words}” in an export. It takes csv, overdue, @name and a period.",
        "zh": "导出命令里的“{words}”无法识别。可以加：csv、逾期、@某人、时间段。",
    },
    # calendar
    "err.calendar_words": {
        "en": "I can't read “{words}” in a calendar command. It takes team and reset.",
        "zh": "日历命令里的“{words}”无法识别。可以加：团队、重置。",
    },
    "err.calendar_team_admin": {
        "en": "Only team admins can get the team's calendar feed. Type “calendar” for your own milestones.",
        "zh": "只有团队管理员可以获取团队日历。输入“日历”获取你自己的节点日历。",
    },
    "cal.name_team": {"en": "{team} · contract milestones", "zh": "{team} · 合同节点"},
    "cal.name_person": {"en": "{team} · milestones of {name}", "zh": "{team} · {name} 的节点"},
    "cal.caldesc": {"en": "Open contract milestones from ContractBot", "zh": "ContractBot 中未完成的合同节点"},
    "cal.summary": {"en": "{number} {title}{party}", "zh": "{number} {title}{party}"},
    "cal.summary_owed": {"en": "{number} {title}{party} · {owed} owed", "zh": "{number} {title}{party} · 待收 {owed}"},
    "cal.contract": {"en": "Contract: {number} {title}", "zh": "合同：{number} {title}"},
    "cal.party": {"en": "Counterparty: {party}", "zh": "对方：{party}"},
    "cal.owed": {"en": "Still owed: {owed} (of {amount})", "zh": "待收：{owed}（应收 {amount}）"},
    "cal.owner": {"en": "Owner: {owner}", "zh": "负责人：{owner}"},
    "cal.link": {"en": "In the chat: {link}", "zh": "在群聊中查看：{link}"},
    "cal.act_done": {"en": "When it is done, tell the bot: done {number} {title}",
                     "zh": "完成后告诉机器人：完成 {number} {title}"},
    "cal.act_paid": {"en": "When the money arrives, tell the bot: paid {number} {amount} for {title}",
                     "zh": "到账后告诉机器人：回款 {number} {amount} {title}"},
    "cal.title_person": {"en": "Your calendar feed ({n} open milestones)",
                         "zh": "你的节点日历（{n} 个未完成节点）"},
    "cal.title_team": {"en": "The team's calendar feed ({n} open milestones)",
                       "zh": "团队节点日历（{n} 个未完成节点）"},
    "cal.title_person_reset": {"en": "New calendar link ({n} open milestones); the old link no longer works",
                               "zh": "已生成新的日历链接（{n} 个未完成节点），旧链接已失效"},
    "cal.title_team_reset": {"en": "New team calendar link ({n} open milestones); the old link no longer works",
                             "zh": "已生成新的团队日历链接（{n} 个未完成节点），旧链接已失效"},
    "cal.how": {
        "en": "Subscribe to this address in your calendar app: Google Calendar (Other calendars → From URL), "
              "Outlook (Add calendar → Subscribe from web), Apple Calendar (File → New Calendar Subscription). "
              "It updates itself as milestones change.",
        "zh": "在日历应用中订阅这个地址：Google 日历（其他日历 → 通过网址添加）、Outlook（添加日历 → 从 Web 订阅）、"
              "苹果日历（文件 → 新建日历订阅）。节点变化时会自动更新。",
    },
    "cal.file": {"en": "The attached .ics file is a one-off copy of today's milestones.",
                 "zh": "附带的 .ics 文件是当前节点的一次性副本。"},
    "cal.secret": {
        "en": "Keep this link to yourself: anyone who has it can see these milestones. "
              "“calendar reset” makes a new link and turns this one off.",
        "zh": "请勿转发此链接：拿到链接的人都能看到这些节点。输入“日历 重置”可生成新链接并让旧链接失效。",
    },
    "cal.secret_team": {
        "en": "Keep this link private: anyone who has it can see all of the team's open milestones. "
              "“calendar team reset” makes a new link and turns this one off.",
        "zh": "请勿转发此链接：拿到链接的人都能看到团队全部未完成节点。输入“日历 团队 重置”可生成新链接并让旧链接失效。",
    },
    "cal.doc_person": {"en": "My milestones (calendar file)", "zh": "我的节点（日历文件）"},
    "cal.doc_team": {"en": "Team milestones (calendar file)", "zh": "团队节点（日历文件）"},
    "cal.sent_dm": {"en": "I sent you the calendar link in a private message (it is personal).",
                    "zh": "日历链接已私信发给你（链接是私密的）。"},
    "cal.dm_first": {
        "en": "A calendar link is private, so I send it in a private chat: open a private chat with me first, "
              "then type “calendar” again.",
        "zh": "日历链接是私密的，需要私信发送：请先和我开启私聊，然后再输入“日历”。",
    },
}
