"""Sentences of the e-mail channel: the ``email`` command, e-mail routing, reminder mails and their link pages."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    # --- the email command -------------------------------------------------------------------------------------
    "ex.email": {"en": "email @bob bob@example.com", "zh": "邮箱 @王五 wang@example.com"},
    "ex.email_off": {"en": "email off", "zh": "邮箱 关闭"},
    "err.email_address": {
        "en": "“{got}” is not an e-mail address (name@example.com, letters, digits and . _ % + - only).",
        "zh": "“{got}”不是有效的邮箱地址（如 name@example.com，只能含字母、数字和 . _ % + -）。",
    },
    "err.email_one_person": {"en": "Name one person at a time.", "zh": "一次只能设置一个人。"},
    "err.email_taken": {"en": "{address} is already the e-mail address of {name} in this team.",
                        "zh": "{address} 已是本团队 {name} 的邮箱。"},
    "err.email_admin_only": {
        "en": "Only a team admin may set, change or switch off someone else's e-mail.",
        "zh": "只有团队管理员可以设置、修改或关闭他人的邮件提醒。",
    },
    "err.email_admin_only_read": {"en": "Only a team admin may see someone else's e-mail address.",
                                  "zh": "只有团队管理员可以查看他人的邮箱。"},
    "ok.email_set": {"en": "The e-mail address of {name} is now {address}.", "zh": "{name} 的邮箱已设为 {address}。"},
    "ok.email_off": {"en": "No more reminder e-mails for {name}.", "zh": "{name} 不再接收邮件提醒。"},
    "ok.email_on": {"en": "Reminder e-mails for {name} are on again.", "zh": "{name} 的邮件提醒已重新开启。"},
    "ok.email_removed": {"en": "The e-mail address of {name} was removed.", "zh": "已删除 {name} 的邮箱。"},
    "email.title": {"en": "E-mail of {name}", "zh": "{name} 的邮箱"},
    "email.address": {"en": "Address", "zh": "地址"},
    "email.none": {"en": "none yet", "zh": "尚未设置"},
    "email.state": {"en": "Reminder e-mails", "zh": "邮件提醒"},
    "email.state_on": {"en": "on", "zh": "开启"},
    "email.state_off": {"en": "off (they asked for none)", "zh": "关闭（本人不接收）"},
    "email.routing": {"en": "Team routing: {routing}.", "zh": "团队发送方式：{routing}。"},
    "email.hint": {
        "en": "Set: email @bob bob@example.com · yours: email you@example.com · stop: email off (admins: "
              "email @bob off) · again: email on · remove: email @bob remove",
        "zh": "设置：邮箱 @王五 wang@example.com · 自己的：邮箱 me@example.com · 停止：邮箱 关闭（管理员："
              "邮箱 @王五 关闭）· 恢复：邮箱 开启 · 删除：邮箱 @王五 删除",
    },
    # --- routing (settings routing …) ---------------------------------------------------------------------------
    "routing.email": {
        "en": "e-mail to everyone with an address (the contract's channel for the others)",
        "zh": "有邮箱的人发邮件（其他人发到合同所在频道/群）",
    },
    "routing.plus_email": {"en": "{chat}, and an e-mail to everyone with an address",
                           "zh": "{chat}，并给有邮箱的人发邮件"},
    "routing.fallback": {"en": "{chat}; e-mail to those the chat can't reach (address known)",
                         "zh": "{chat}；聊天联系不到但有邮箱的人发邮件"},
    "err.routing_value": {
        "en": "“{got}” is not a valid value for routing: use channel, dm, both or email, or add e-mail to one "
              "(both+email).",
        "zh": "“{got}”不是 发送方式 的有效值：可选 频道、私信、两者、邮件，或组合（两者+邮件）。",
    },
    # --- reminder e-mails ---------------------------------------------------------------------------------------
    "mail.links_note": {"en": "Each link works once, within {days} days.",
                        "zh": "每个链接只能使用一次，{days} 天内有效。"},
    "mail.or_type": {"en": "Or type in the chat:", "zh": "也可以在聊天中输入："},
    "mail.why": {"en": "Sent by ContractBot for the team “{team}”.", "zh": "本邮件由合同履约跟踪机器人为团队“{team}”发送。"},
    "mail.stop": {
        "en": "No more e-mails: type “email off” in the chat, or ask a team admin.",
        "zh": "不想再收邮件：在聊天中输入“邮箱 关闭”，或请团队管理员处理。",
    },
    # --- the page a link opens ----------------------------------------------------------------------------------
    "mail.page.title": {"en": "ContractBot", "zh": "合同履约跟踪机器人"},
    "mail.page.confirm_done": {"en": "Mark {title} of {number} done?", "zh": "将 {number} 的 {title} 标记为完成？"},
    "mail.page.confirm_snooze": {
        "en": "Hold the reminders of {title} ({number}) for {days} days, until {date}?",
        "zh": "将 {number} 的 {title} 的提醒延后 {days} 天，到 {date}？",
    },
    "mail.page.button_done": {"en": "Mark done", "zh": "标记完成"},
    "mail.page.confirm_paid": {
        "en": "{title} of {number} still owes {owed}. Record it as received today, which closes it?",
        "zh": "{number} 的 {title} 还欠 {owed}。登记为今天已收到并关闭？",
    },
    "mail.page.waive_hint": {"en": "To close it without the money, type in the chat: {command}",
                             "zh": "如要不收款关闭（核销），请在聊天中输入：{command}"},
    "cmd.waive": {"en": "waive {n} {m} reason TEXT", "zh": "核销 {n} {m} 原因 内容"},
    "mail.page.button_snooze": {"en": "Snooze {days} days", "zh": "延后 {days} 天"},
    "mail.page.as": {"en": "You act as {name}.", "zh": "将以 {name} 的身份操作。"},
    "mail.page.used": {"en": "This link was already used ({at}).", "zh": "此链接已经用过（{at}）。"},
    "mail.page.expired": {
        "en": "This link has expired: links work for {days} days. In the chat, type: {command}",
        "zh": "此链接已过期（{days} 天内有效）。请在聊天中输入：{command}",
    },
    "mail.page.closed": {"en": "{title} of {number} is already {status}.", "zh": "{number} 的 {title} 当前状态：{status}。"},
    "mail.page.owed": {"en": "To close it, type one of these in the chat:", "zh": "如要关闭，请在聊天中输入以下任一命令："},
    "mail.page.done": {"en": "Done.", "zh": "已完成。"},
}
