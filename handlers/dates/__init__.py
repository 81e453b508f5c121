"""Natural-language due dates in Chinese (simplified, traditional, Cantonese) and English.

``parse_date`` reads one phrase, ``find_date`` finds the due-date phrase inside a whole command. A
deterministic layer of precompiled rules reads the phrases people type in contract chats; dateparser
(languages en+zh, never auto-detected) is only the fallback for a whole phrase no rule recognises.

Modules: ``normalize`` (one spelling per word), ``calendar`` (month arithmetic, working days,
festivals, the lunar calendar), ``rules_zh`` / ``rules_en`` / ``rules_numeric`` (regex → resolver),
``festivals`` (节前 / 节后), ``phrases`` (a whole phrase: wrappers and compositions), ``candidates``
(choosing inside a command), ``fallback`` (dateparser). Notes on a reading are i18n keys
(handlers/i18n_dates.py) rendered in the user's language.

Conventions (shared with shared/data/dates_public.tsv):

- Phrases are read in the user's time zone: ``today = now.astimezone(ZoneInfo(tz)).date()``; a naive
  ``now`` is wall-clock time in ``tz``.
- Weeks start on Monday. A bare weekday (周五, Friday, this Friday) is the next one on or after today;
  下周X / next X / the following X is X of next week; 本周X / X this week is X of this week (may be
  past); 上周X / last X is X of last week. (This) past X / 上一个周X is the last X before today;
  下一个周X the next X after today; X after next is the X after the coming one; "3 fridays from now"
  counts Fridays after today.
- A bare day (20号, the 20th) or month-day (3月15日, Feb 28, 2/15) is the next one on or after today.
  The year is picked by comparing (month, day) with today, *then* the date is checked, so 2月29日 said
  in January 2027 is rejected rather than silently moved to 2028. No bare numbers: "15" is not a date.
- Numeric M/D is month/day (2/3 is Feb 3, and the note says so), except where only day-first is
  possible: 22/04 and 21/04/2027 are day/month. Dotted dates with the year last are day.month.year
  (01.04.2027 is 1 April), as wherever dots are written; 3.15 alone is month.day. Two-digit years are 20xx (3/3/15 is 2015-03-03,
  05/05/89 is 2089-05-05). 20270315 and "2027 03 15" are year-month-day.
- 月底 / end of month = last day of the month; 季度末 / end of quarter = last day of the quarter;
  年底 = 31 Dec. A bare start/middle of a period (月初, 年初, mid-month) is the next one on or after
  today. 月中 / mid-March = the 15th.
- "X前 / X之前 / by X / before X / due X" is a deadline ON X. But a duration followed by 前 is
  "ago" (5天前 = five days ago), while N日前 is "by the Nth" (请于15日前付款).
- Durations: N天/周/个月/年 后|内; 半个月 = 15 days, 半年 = 6 months, 一个半月 = 1 month + 15
  days; month arithmetic clamps to the month end (Jan 31 + 1 month = Feb 28), like dateutil. An offset
  may count from another day: 元旦后三天, 下周一之后两天, two days after tomorrow, 16 days from
  2018-01-02. Counted from an event instead (验收后30天, 30 days after acceptance) it is refused here:
  relative milestones (handlers.relative) read those.
- Working days skip weekends and public holidays of the country (default CN) from the ``holidays``
  library, and count its adjusted working weekends (调休) as working days; the reminders use the same
  calendar (scheduler.workdays). 本月最后一个工作日, last business day of the quarter, the first Monday
  of October are counted on it.
- Festivals (春节, 中秋, 清明, Christmas, Thanksgiving…) and lunar dates (农历十月初一, 正月十五,
  腊月二十三) are computed from the calendar; a bare festival is the next one on or after today,
  明年春节 / Christmas 2028 that year's. 春节前 / 国庆后 (and before/after Chinese New Year) are the last
  working day before and the first working day after the official holiday period; a bare 节前 / 节后 is
  the next official holiday's. Where the State Council notice for a year is not out yet, the holiday is
  estimated from the statutory days off and the weekend next to them (without 调休) and the note says
  so. Before a festival without an official holiday is a deadline on it; after one is refused.
- next week / 下周 = Monday of next week; next month / 下个月 = the 1st of next month;
  明年 / next year = 1 January; weekend / 周末 = Saturday; end of week = Friday; 周初 / 下周初 = Monday;
  本周内 / 下周之内 = Friday of that week. 下周的今天 / 下个月的今天 / this time next week = today's
  date that much later. British "Friday week" / "a week on Friday" / "Friday fortnight" count from the
  coming Friday (on or after today), "tomorrow week" from tomorrow. 下一个工作日 / next business day =
  the first working day after today. Hours count only in whole days (24小时内, in 48 hours).
- Spelling: long date words one slip away are read as meant (wendesday, tommorrow, Febuary); 民国116年 is
  2027; 元月 is January; 月头 is 月初; Cantonese 听晚 / 朝早 / 下昼 / 放工 are read.
- Not one day, refused (also inside a command): two days joined by 或 / or (明天或后天), a recurring
  day (每周五, every Friday), a rough count (一两天, 三五天内, 几天后).
- Impossible dates (2月30日, 13月1日, 2027-02-30, 下周八, next blursday) give None, never a clamped
  date. A weekday that contradicts its date ("2027-02-15 周二", "monday 21", "this friday 5/12") is
  always refused, with a reason naming both readings (``refusal_reason``).
- Time of day (下午3点, 5pm, EOD) and a weekday that agrees with its date ("2027-02-05 周五", our own
  echo) are accepted and ignored.

``find_date`` locates the phrase inside a whole command (the same rules, searched instead of fully
matched, without the dateparser fallback) and reports which reading was taken when the phrase is
ambiguous (``DateMatch.notes``; ``describe_note`` / ``note`` / ``note_zh`` render them).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from . import fallback
from .calendar import business_days_after, is_working_day, previous_working_day
from .candidates import candidates, choose, read_inside
from .core import Note, NotMine, Refusal, Res, format_date, render_notes
from .normalize import EDGE, normalize
from .phrases import resolve, strip_all

__all__ = [
    "DateMatch",
    "business_days_after",
    "describe_note",
    "find_date",
    "format_date",
    "is_working_day",
    "parse_date",
    "previous_working_day",
    "refusal_reason",
    "warm_up",
]


@dataclass(frozen=True)
class DateMatch:
    """A date phrase found inside a command.

    start/end index the ORIGINAL text (text == original[start:end]) and include a leading
    due/by/截止/到期/于 keyword or trailing 前/之前 so the caller can cut the whole phrase out.
    notes explain an ambiguous reading (empty when the phrase is unambiguous).
    """

    start: int
    end: int
    value: date
    text: str
    notes: tuple[Note, ...] = ()

    @property
    def note(self) -> str | None:
        """The reading note in English (None when the reading is unambiguous)."""
        return render_notes(self.notes, "en")

    @property
    def note_zh(self) -> str | None:
        """The reading note in Chinese."""
        return render_notes(self.notes, "zh")


def describe_note(match: DateMatch, lang: str) -> str | None:
    """Return the match's reading note in the user's language ("zh…" → Chinese, else English)."""
    return render_notes(match.notes, lang)


def _local_now(now: datetime, tz: str) -> datetime:
    zone = ZoneInfo(tz)
    # A naive now is taken to be wall-clock time in tz already.
    return now.astimezone(zone) if now.tzinfo else now.replace(tzinfo=zone)


def parse_date(text: str, *, now: datetime, tz: str) -> date | None:
    """Return the date a Chinese/English phrase means in zone tz, or None if it is not one."""
    local = _local_now(now, tz)
    s = normalize(text, join="cjk")[0].strip(EDGE)
    if not s:
        return None
    try:
        res = resolve(s, local.date())
    except NotMine:  # no rule reads the whole phrase: one date among filler words, else dateparser
        inside = read_inside(s, local.date())
        if inside is None:
            return fallback.read(strip_all(s), local)
        res = inside
    return res.value if isinstance(res, Res) else None


def find_date(text: str, *, now: datetime, tz: str) -> DateMatch | None:
    """Find the due-date phrase inside a command; return its span in text, value and notes."""
    today = _local_now(now, tz).date()
    norm, index = normalize(text, join="digit")
    best = choose(candidates(norm, today))
    if best is None or not isinstance(best.res, Res):
        return None
    start, end = index[best.start], index[best.end - 1] + 1
    notes = best.res.notes
    if notes:
        # Notes quote the normalised phrase; quote the user's own spelling instead.
        quoted = norm[best.core[0]:best.core[1]]
        original = text[index[best.core[0]]:index[best.core[1] - 1] + 1]
        notes = tuple(n.quoting(quoted, original) for n in notes)
    return DateMatch(start, end, best.res.value, text[start:end], notes)


def refusal_reason(text: str, *, now: datetime, tz: str, lang: str) -> str | None:
    """Say why a phrase or command names no date although it looks like one (None: no reason known)."""
    today = _local_now(now, tz).date()
    best = choose(candidates(normalize(text, join="digit")[0], today))
    if best is not None and isinstance(best.res, Refusal) and best.res.note is not None:
        return best.res.note.render(lang)
    if best is not None and isinstance(best.res, Res):
        return None
    s = normalize(text, join="cjk")[0].strip(EDGE)
    try:
        res = resolve(s, today)
    except NotMine:
        return None
    if isinstance(res, Refusal) and res.note is not None:
        return res.note.render(lang)
    return None


# --------------------------------------------------------------------------------------------
# Start-up
# --------------------------------------------------------------------------------------------

_WARM_LOCK = threading.Lock()
_warmed = False


def warm_up() -> None:
    """Load dateparser's en/zh data, the CN holiday table and the lunar calendar once."""
    global _warmed
    with _WARM_LOCK:
        if _warmed:
            return
        now = datetime.now()
        parser = fallback.parser_for(now.replace(second=0, microsecond=0))
        for phrase in ("tomorrow", "next friday", "15 March 2027", "明天", "2027年3月15日"):
            parser.get_date_data(phrase)
        for year in range(now.year - 1, now.year + 3):
            is_working_day(date(year, 1, 1))
        parse_date("春节", now=now, tz="UTC")
        _warmed = True
