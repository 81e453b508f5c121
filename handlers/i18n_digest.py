"""Sentences of the digest, in English and Chinese (merged into handlers.i18n)."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    # --- the weekly digest ---------------------------------------------------------------------------------
    "digest.week_money": {"en": "💰 Last week ({start} – {end}):", "zh": "💰 上周（{start} – {end}）："},
    "digest.collected": {"en": "received {received} of {due} due ({rate}% on time)",
                         "zh": "应收 {due}，实收 {received}（按时回款 {rate}%）"},
    "digest.collected_none_due": {"en": "received {received}; nothing fell due",
                                  "zh": "实收 {received}；无到期应收"},
    "digest.no_money": {"en": "nothing fell due and nothing came in", "zh": "没有到期应收，也没有回款"},
    "digest.overdue_now": {"en": "⏰ Overdue now: {n} ({change} vs a week ago)",
                           "zh": "⏰ 当前逾期：{n} 项（较上周 {change}）"},
    "digest.overdue_owed": {"en": "{amount} owed ({change} vs a week ago)", "zh": "欠款 {amount}（较上周 {change}）"},
    "digest.unchanged": {"en": "unchanged", "zh": "持平"},
    "digest.next_week": {"en": "📅 Next 7 days and overdue, by owner:", "zh": "📅 未来 7 天及逾期（按负责人）："},
    "digest.nothing_next_week": {"en": "📅 Nothing due in the next 7 days.", "zh": "📅 未来 7 天没有到期事项。"},
    # --- weekday names -------------------------------------------------------------------------------------
    "weekday.0": {"en": "Monday", "zh": "周一"},
    "weekday.1": {"en": "Tuesday", "zh": "周二"},
    "weekday.2": {"en": "Wednesday", "zh": "周三"},
    "weekday.3": {"en": "Thursday", "zh": "周四"},
    "weekday.4": {"en": "Friday", "zh": "周五"},
    "weekday.5": {"en": "Saturday", "zh": "周六"},
    "weekday.6": {"en": "Sunday", "zh": "周日"},
    # --- the setting ---------------------------------------------------------------------------------------
    "setting.digest": {"en": "weekly digest", "zh": "周报"},
    "ex.settings.digest": {"en": "settings digest monday 09:00", "zh": "设置 周报 周一 09:00"},
    "settings.digest": {"en": "Weekly digest", "zh": "周报"},
    "settings.digest_value": {"en": "{day} at {time}", "zh": "{day} {time}"},
    "settings.digest_off": {"en": "off (a daily digest every day)", "zh": "关闭（每天发每日汇总）"},
    "settings.digest_hint": {
        "en": "Weekly digest: settings digest friday 17:30 · settings digest off · settings digest on "
              "(digests go out between {earliest} and {latest})",
        "zh": "周报：设置 周报 周五 17:30 · 设置 周报 关闭 · 设置 周报 开启（汇总在 {earliest} 到 {latest} 之间发送）",
    },
    "err.digest_value": {
        "en": "“{got}” is not a valid value for the weekly digest: give a weekday and a time, or off / on.",
        "zh": "“{got}”不是周报的有效值：请写星期几和时间，或 关闭 / 开启。",
    },
    "err.digest_night": {
        "en": "“{got}” is outside day hours: the weekly digest is sent between {earliest} and {latest} team time "
              "({tz}), never at night.",
        "zh": "“{got}”不在白天：周报只在团队时间（{tz}）{earliest} 到 {latest} 之间发送，夜间不发送。",
    },
    "warn.digest_skipped": {
        "en": "Note: digests are never sent at night ({night}); with the reminder time at {time} the daily "
              "digest will not be sent.",
        "zh": "注意：夜间（{night}）不发送汇总；提醒时间为 {time} 时，每日汇总将不会发送。",
    },
    "warn.digest_moved": {
        "en": "Note: digests are never sent at night ({night}); the daily digest will go out at {start}.",
        "zh": "注意：夜间（{night}）不发送汇总；每日汇总将在 {start} 发送。",
    },
}
