"""Sentences about change requests and approvals, in English and Chinese (merged into handlers.i18n)."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "ex.pending": {"en": "pending", "zh": "待审批"},
    # a new request: where it went
    "change.notified": {"en": "Sent for approval to {names}.", "zh": "已发给 {names} 审批。"},
    "change.name_sep": {"en": ", ", "zh": "、"},
    "change.mention": {"en": "Please approve or reject: {names}", "zh": "请 {names} 审批。"},
    "change.nobody": {
        "en": "Nobody else can approve it yet: only the contract owner or a team admin can, not the requester.",
        "zh": "目前没有其他人可以审批：只有合同负责人或团队管理员可以审批，申请人本人不可。",
    },
    "change.start_private": {
        "en": "Approvers who open a private chat with me and press Start get requests there.",
        "zh": "审批人与我开启私聊并点击“开始”后，审批请求会私信发送。",
    },
    # the copy in an approver's DM
    "change.for_you": {"en": "{who} asks you to approve or reject this change.",
                       "zh": "{who} 请您审批这项变更。"},
    "change.why_owner": {"en": "You get this as the owner of {number}.",
                         "zh": "您是 {number} 的负责人，因此收到此审批。"},
    "change.why_admin": {"en": "You get this as a team admin (for {number}).",
                         "zh": "您是团队管理员，因此收到此审批（{number}）。"},
    # what a change does: "first payment due date: Fri 2026-12-04 → Tue 2026-12-15"
    "change.subject_ms": {"en": "{title} {field}", "zh": "{title} 的{field}"},
    "change.diff": {"en": "{subject}: {before} → {after}", "zh": "{subject}：{before} → {after}"},
    "change.age_now": {"en": "just now", "zh": "刚刚"},
    "change.age_hours": {"en": "{n} h ago", "zh": "{n}小时前"},
    "change.age_days": {"en": "{n} d ago", "zh": "{n}天前"},
    # pending / 待审批
    "pending.title": {"en": "Change requests waiting for approval ({count})", "zh": "待审批的变更（{count}）"},
    "pending.none": {"en": "No change requests are waiting for approval.", "zh": "没有待审批的变更。"},
    "pending.item": {"en": "CR-{seq} · {number} · {diff} · by {who} · {age}",
                     "zh": "CR-{seq} · {number} · {diff} · 申请人 {who} · {age}"},
    "pending.approve_n": {"en": "Approve CR-{seq}", "zh": "批准 CR-{seq}"},
    "pending.reject_n": {"en": "Reject CR-{seq}", "zh": "驳回 CR-{seq}"},
    "pending.more": {"en": "{n} more without buttons: type approve CR-n or reject CR-n.",
                     "zh": "另有 {n} 项未附按钮：请输入 批准 CR-编号 或 驳回 CR-编号。"},
    # show HT-…
    "show.changes": {"en": "Open change requests", "zh": "待审批的变更"},
    "show.change_item": {"en": "CR-{seq} · {diff} · by {who} · {age}",
                         "zh": "CR-{seq} · {diff} · 申请人 {who} · {age}"},
}
