"""Sentences about corrections (edit / 修改, delete / 删除), in English and Chinese (merged into handlers.i18n)."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    # examples: always correct commands
    "ex.edit": {"en": "edit HT-2026-001 amount 1,300,000", "zh": "修改 HT-2026-002 名称 华为云采购二期"},
    "ex.delete": {"en": "delete HT-2026-001 first payment reason entered twice",
                  "zh": "删除 HT-2026-002 首付款 原因 重复录入"},
    # what can be corrected, by its name in a sentence
    "edit.field.title": {"en": "title", "zh": "名称"},
    "edit.field.name": {"en": "name", "zh": "名称"},
    "edit.field.counterparty": {"en": "counterparty", "zh": "对方"},
    "edit.field.amount": {"en": "amount", "zh": "金额"},
    "edit.field.currency": {"en": "currency", "zh": "币种"},
    "edit.field.starts": {"en": "start date", "zh": "开始日期"},
    "edit.field.ends": {"en": "end date", "zh": "到期日"},
    "edit.field.signed": {"en": "signing date", "zh": "签订日期"},
    "edit.field.owner": {"en": "owner", "zh": "负责人"},
    "edit.field.channel": {"en": "channel", "zh": "频道"},
    "edit.field.kind": {"en": "kind", "zh": "类型"},
    # the reply: "✏️ Corrected HT-2026-001" then "amount: 1,200,000.00 CNY → 1,300,000.00 CNY"
    "edit.title": {"en": "✏️ Corrected {what}", "zh": "✏️ 已更正 {what}"},
    "edit.what_ms": {"en": "{title} of {number}", "zh": "{number} 的节点 {title}"},
    "edit.diff": {"en": "{field}: {before} → {after}", "zh": "{field}：{before} → {after}"},
    "edit.diff_ms": {"en": "{title} {field}: {before} → {after}", "zh": "{title} 的{field}：{before} → {after}"},
    "edit.replanned": {"en": "Reminders re-planned for {count} open milestone(s).",
                       "zh": "已为 {count} 个未完成节点重新安排提醒。"},
    "status.corrected_by": {"en": "✏️ Corrected by {who} · {when}", "zh": "✏️ {who} 已更正 · {when}"},
    # delete / 删除
    "ok.milestone_deleted": {"en": "🗑️ Deleted {title} of {number}; its reminders stopped.",
                             "zh": "🗑️ 已删除 {number} 的节点 {title}，提醒已停止。"},
    "note.deleted": {"en": "deleted: {reason}", "zh": "已删除：{reason}"},
    "note.deleted_plain": {"en": "deleted", "zh": "已删除"},
    "status.deleted_by": {"en": "🗑️ Deleted by {who} · {when}", "zh": "🗑️ {who} 已删除 · {when}"},
    # refusals: nothing is written
    "err.edit_field": {
        "en": "Say what to correct: title, counterparty, amount, currency, starts, ends, signed, owner or channel "
              "(for a milestone: its name, amount or kind).",
        "zh": "请写明要更正的内容：名称、对方、金额、币种、开始、到期、签订、负责人或频道"
              "（节点可更正：名称、金额、类型）。",
    },
    "err.edit_ms_field": {
        "en": "For the milestone {title}, only its name, amount or kind can be corrected; "
              "move a due date with change or snooze, and give it to someone else with reassign.",
        "zh": "节点 {title} 只能更正名称、金额或类型；截止日期请用“变更”或“延后”，换负责人请用“转交”。",
    },
    "err.edit_percent_contract": {
        "en": "A contract's amount is money, not a percentage.",
        "zh": "合同金额须写金额，不能写百分比。",
    },
    "err.edit_same": {"en": "The {field} of {what} is already {value}; nothing changed.",
                      "zh": "{what} 的{field}已经是 {value}，无需更正。"},
    "err.edit_too_long": {"en": "The {field} is too long ({length} characters); keep it to {limit}.",
                          "zh": "{field}太长（{length} 个字符），请控制在 {limit} 个以内。"},
    "err.edit_currency_paid": {
        "en": "Payments were already recorded on {number} in {currency}, so its currency can't change; "
              "undo them first.",
        "zh": "{number} 已按 {currency} 登记了回款，不能更改币种；请先撤销这些回款。",
    },
    "err.edit_renewal": {
        "en": "The renewal notice of {number} follows its end date and notice period; correct the end date instead.",
        "zh": "{number} 的续约提醒节点随到期日和通知期自动调整，请更正到期日。",
    },
    "err.delete_paid": {
        "en": "{title} of {number} has {paid} received on it and can't be deleted; undo the payment first: {undo}.",
        "zh": "{number} 的节点 {title} 已回款 {paid}，不能删除；请先撤销回款：{undo}。",
    },
}
