"""Sentences about milestones due relative to an event (验收后30天), in English and Chinese (merged into handlers.i18n)."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    # the rule: "30 days after 交付验收" / "交付验收后30天"
    "after.rule": {"en": "{n} {unit} after {event}", "zh": "{event}后{n}{unit}"},
    "after.rule_before": {"en": "{n} {unit} before {event}", "zh": "{event}前{n}{unit}"},
    "after.unit.day": {"en": "days", "zh": "天"},
    "after.unit.workday": {"en": "working days", "zh": "个工作日"},
    "after.unit.week": {"en": "weeks", "zh": "周"},
    "after.unit.month": {"en": "months", "zh": "个月"},
    "after.unit.year": {"en": "years", "zh": "年"},
    "after.unit1.day": {"en": "day", "zh": "天"},
    "after.unit1.workday": {"en": "working day", "zh": "个工作日"},
    "after.unit1.week": {"en": "week", "zh": "周"},
    "after.unit1.month": {"en": "month", "zh": "个月"},
    "after.unit1.year": {"en": "year", "zh": "年"},
    # the contract's own dates, as events
    "after.event.signed": {"en": "signing", "zh": "签约"},
    "after.event.start": {"en": "the contract's start", "zh": "合同开始"},
    "after.event.end": {"en": "the contract's end", "zh": "合同到期"},
    "after.event.unknown": {"en": "another milestone", "zh": "另一个节点"},
    # a milestone still waiting for its event: "due 30 days after 交付验收 (交付验收 not yet done)"
    "after.waiting": {"en": "due {rule} ({state})", "zh": "{rule}到期（{state}）"},
    "after.waiting_field": {"en": "{rule} ({state})", "zh": "{rule}（{state}）"},
    "after.state.waiting": {"en": "{event} not yet done", "zh": "{event}尚未完成"},
    "after.state.no_date": {"en": "no {event} date yet", "zh": "合同尚无{event}日期"},
    "after.state.cancelled": {"en": "{event} was cancelled", "zh": "{event}已取消"},
    # the due date is known: how it was reached
    "after.from_done": {"en": "{rule}; {event} done {day}", "zh": "{rule}；{event}完成于 {day}"},
    "after.from_date": {"en": "{rule}; {event} on {day}", "zh": "{rule}；{event}日期 {day}"},
    # told to the owner once (a notice in the reminders outbox) and to whoever caused it (a line of the reply)
    "after.set": {"en": "{title} of {number} is now due {date} ({how})",
                  "zh": "{number} 的 {title} 截止日期已确定：{date}（{how}）"},
    "after.notice": {"en": "📅 {line}", "zh": "📅 {line}"},
    "after.unset": {"en": "{title} of {number} waits for {event} again (it was due {date})",
                    "zh": "{number} 的 {title} 重新等待{event}（原截止 {date}）"},
    # adding one
    "after.added_waits": {
        "en": "No reminders until {event} is done; then the due date is set, reminders are planned and the owner "
              "is told.",
        "zh": "{event}完成前不提醒；完成后自动确定截止日期、安排提醒并通知负责人。",
    },
    "after.added_no_date": {
        "en": "No reminders until {number} has a date for {event} (e.g. {example}).",
        "zh": "{number} 有{event}日期后才会确定截止日期并提醒（例如：{example}）。",
    },
    "after.fix_signed": {"en": "edit {number} signed 2027-01-15", "zh": "修改 {number} 签订 2027-01-15"},
    "after.fix_start": {"en": "edit {number} starts 2027-01-15", "zh": "修改 {number} 开始 2027-01-15"},
    "after.fix_end": {"en": "edit {number} ends 2027-12-31", "zh": "修改 {number} 到期 2027-12-31"},
    "after.added_done": {"en": "{event} is already done ({day}), so it is due {date}.",
                         "zh": "{event}已于 {day} 完成，因此截止日期为 {date}。"},
    # a rule said of a milestone that exists: its due date is meant, asked first
    "ask.after_change": {"en": "{number} already has {title}. Make it due {rule}?",
                         "zh": "{number} 已有节点 {title}。要把它改为{rule}到期吗？"},
    # refusals
    "err.after_unknown": {
        "en": "{number} has no milestone “{event}” to count from. Its milestones: {choices}; or count from "
              "signing, the start or the end of the contract.",
        "zh": "{number} 没有可作为起算点的节点“{event}”。现有节点：{choices}；也可以从签约、合同开始或合同到期起算。",
    },
    "err.after_invoice": {
        "en": "{number} has no invoice milestone, so nothing can count from “{event}”: invoices are not in the "
              "ledger. Add one first (milestone {number} invoice due DATE), or count from one of its milestones "
              "({choices}), signing, the start or the end of the contract.",
        "zh": "{number} 没有开票节点，无法从“{event}”起算：发票不在台账里。可以先添加开票节点（节点 {number} 开票 日期），"
              "或从现有节点（{choices}）、签约、合同开始或合同到期起算。",
    },
    "err.after_rough": {
        "en": "“{phrase}” is not an exact count: say how many days (weeks, months) after the event it falls due.",
        "zh": "“{phrase}”不是确切的期限：请写明事件后多少天（周、月）到期。",
    },
    "err.after_either": {
        "en": "“{phrase}” is one of two choices: a milestone counts from one event. Give the one that applies.",
        "zh": "“{phrase}”是二选一：节点只能从一个事件起算，请写明按哪一个。",
    },
    "err.after_ambiguous": {
        "en": "“{event}” fits several milestones of {number}: {choices}. Name the one to count from.",
        "zh": "“{event}”对应 {number} 的多个节点：{choices}。请写明从哪一个起算。",
    },
    "err.after_cycle": {
        "en": "{title} can't be due after {event}: {event} already waits for {title}, so neither would ever fall due.",
        "zh": "{title} 不能在 {event} 之后到期：{event} 本身在等 {title}，两者都永远不会到期。",
    },
    "err.after_snooze": {"en": "{title} has no reminders to hold yet: it is due {due}.",
                         "zh": "{title} 目前还没有提醒可延后：{due}。"},
    "err.after_self": {"en": "{title} can't be due after itself.", "zh": "{title} 不能以自身为起算点。"},
    "err.after_count": {
        "en": "Count 1 to {limit} {unit} from the event (got {n}).",
        "zh": "距离起算事件应为 1 到 {limit}{unit}（收到的是 {n}）。",
    },
    "err.after_before_milestone": {
        "en": "A milestone can be due after another one is done, not before it (“{phrase}”).",
        "zh": "节点只能在另一个节点完成之后到期，不能在它之前（“{phrase}”）。",
    },
    "err.after_and_date": {
        "en": "Give a due date or an event to count from, not both (“{date}” and “{phrase}”).",
        "zh": "截止日期和起算事件只能写一个（“{date}”和“{phrase}”）。",
    },
    "err.after_no_count": {
        "en": "“{phrase}” doesn't say how long after the event it falls due. Give a count, e.g. due 30 days after "
              "acceptance, or a date.",
        "zh": "“{phrase}”没有写明事件后多久到期。请写明天数，例如 验收后30天，或者写一个日期。",
    },
    "err.after_two": {
        "en": "Two due dates counted from events (“{first}” and “{second}”): a milestone has one. Give the one "
              "that applies.",
        "zh": "写了两个起算期限（“{first}”和“{second}”）：一个节点只能有一个，请写明按哪一个。",
    },
    "err.after_closed_anchor": {
        "en": "{event} of {number} was cancelled; count from another milestone or a date.",
        "zh": "{number} 的 {event} 已取消；请从其他节点或日期起算。",
    },
    "after.orphaned": {
        "en": "Note: {titles} waited for {event}, which will not happen now; give them a date "
              "(change {number} MILESTONE due DATE) or delete them.",
        "zh": "注意：{titles} 在等待{event}，现在不会等到了；请为它们指定日期（变更 {number} 节点 截止 日期）或删除。",
    },
    # the weekly digest: milestones still waiting for their event
    "digest.waiting": {"en": "⏳ Waiting for an event ({n}):", "zh": "⏳ 等待前置事件（{n}）："},
    # history
    "hist.milestone.created_after": {"en": "added milestone {title} due {rule}",
                                     "zh": "添加了节点 {title}，{rule}到期"},
    "hist.milestone.rule": {"en": "made {title} due {rule}", "zh": "把 {title} 改为{rule}到期"},
    "hist.milestone.due_set": {"en": "set {title} due {date} ({rule})", "zh": "把 {title} 的截止日期定为 {date}（{rule}）"},
    "hist.milestone.due_unset": {"en": "put {title} back to waiting for {event} (was due {date})",
                                 "zh": "让 {title} 重新等待{event}（原截止 {date}）"},
}
