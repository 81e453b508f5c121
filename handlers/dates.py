"""Natural-language due dates in Chinese and English.

A deterministic business-date layer (precompiled regexes) reads the phrases people type in
contract chats; dateparser (languages en+zh, never auto-detected) is only the fallback for
anything the layer does not recognise.

Conventions (shared with shared/data/dates_public.tsv):

- Phrases are read in the user's time zone: ``today = now.astimezone(ZoneInfo(tz)).date()``.
- Weeks start on Monday. A bare weekday (周五, Friday, this Friday) is the next one on or after
  today; 下周X / next X is X of next week; 本周X / X this week is X of this week (may be past);
  上周X / last X is X of last week.
- A bare day (20号, the 20th) or month-day (3月15日, Feb 28, 2/15) is the next one on or after
  today. The year is picked by comparing (month, day) with today, *then* the date is checked, so
  2月29日 said in January 2027 is rejected rather than silently moved to 2028.
- Numeric M/D and M-D are always month/day (2/3 is Feb 3); there is no day/month guessing.
- 月底 / end of month = last day of the month; 季度末 / end of quarter = last day of the quarter;
  年底 = 31 Dec. A bare start/middle of a period (月初, 年初, mid-month) is the next one on or
  after today. 月中 / mid-March = the 15th.
- "X前 / X之前 / by X / before X / due X" is a deadline ON X. But a duration followed by 前 is
  "ago" (5天前 = five days ago), while N日前 is "by the Nth" (请于15日前付款).
- Durations: N天/周/个月/年 后|内; 半个月 = 15 days, 半年 = 6 months, 一个半月 = 1 month + 15
  days; month arithmetic clamps to the month end (Jan 31 + 1 month = Feb 28), like dateutil.
- Working days skip weekends and public holidays of the country (default CN) from the
  ``holidays`` library, and count its adjusted working weekends (调休, ``weekend_workdays``) as
  working days. The library only knows 调休 for years whose official schedule it ships.
- next week / 下周 = Monday of next week; next month / 下个月 = the 1st of next month;
  明年 / next year = 1 January; weekend / 周末 = Saturday; end of week = Friday.
- Impossible dates (2月30日, 13月1日, 2027-02-30, 下周八, next blursday) give None, never a
  clamped date; so does a weekday that contradicts its date ("2027-02-15 周二").
- Time of day (下午3点, 5pm, EOD) and a weekday next to a date ("2027-02-05 周五", our own echo)
  are accepted and ignored. A naive ``now`` is taken as wall-clock time in ``tz``.
- Not covered by the layer (left to dateparser, usually None): named holidays (春节前, 元旦),
  lunar dates, 上旬/下旬, mid-year, a bare 上半年.

``find_date`` locates the phrase inside a whole command (the same rules, searched instead of
fully matched, without the dateparser fallback) and reports which reading was taken when the
phrase is ambiguous, in English (``note``) and Chinese (``note_zh``; ``describe_note`` picks one).
@mentions, links, contract numbers (HT-2026-001) and amounts (30%, 120万, 1,200,000, 1.2亿) are
masked first. Overlapping readings keep the longest; among separate ones a phrase with a
due/by/截止/到期/前 keyword wins, then a strong reading (not a bare "1st", "sat" or "2-3"),
then the rightmost.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from calendar import monthrange
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import cast
from zoneinfo import ZoneInfo

from dateparser.date import DateDataParser

from handlers.numerals import cn_int

# The working-day calendar lives in scheduler.workdays (the planner needs it too); re-exported here.
from scheduler.workdays import business_days_after, is_working_day, previous_working_day

__all__ = [
    "DateMatch",
    "business_days_after",
    "describe_note",
    "find_date",
    "format_date",
    "is_working_day",
    "parse_date",
    "previous_working_day",
    "warm_up",
]

_WD_EN = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_WD_EN_LONG = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_WD_ZH = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
_MONTH_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class DateMatch:
    """A date phrase found inside a command.

    start/end index the ORIGINAL text (text == original[start:end]) and include a leading
    due/by/截止/到期/于 keyword or trailing 前/之前 so the caller can cut the whole phrase out.
    note / note_zh explain an ambiguous reading (None when the phrase is unambiguous).
    """

    start: int
    end: int
    value: date
    text: str
    note: str | None
    note_zh: str | None = None


def describe_note(match: DateMatch, lang: str) -> str | None:
    """Return the match's reading note in the user's language ("zh…" → Chinese, else English)."""
    return match.note_zh if lang.lower().startswith("zh") else match.note


def format_date(d: date, lang: str) -> str:
    """Format a date with its weekday: "Fri 2026-12-04" (en) or "2026-12-04 周五" (zh)."""
    if lang.lower().startswith("zh"):
        return f"{d.isoformat()} {_WD_ZH[d.weekday()]}"
    return f"{_WD_EN[d.weekday()]} {d.isoformat()}"


# --------------------------------------------------------------------------------------------
# Working days
# --------------------------------------------------------------------------------------------

# --------------------------------------------------------------------------------------------
# Normalisation (keeps a map back to the original indices for find_date)
# --------------------------------------------------------------------------------------------

# Traditional forms from other input methods, mapped 1:1 so the index map stays valid.
_TRAD = str.maketrans("週後個號禮內於點這當兩為時", "周后个号礼内于点这当两为时")
_EDGE = " \t\r\n.,;:!?。，、；：！？()[]{}<>\"'“”‘’「」『』【】《》~…*_-—–"


def _is_cjk(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff"


def _joinable(a: str, b: str, join: str) -> bool:
    """Decide whether the spaces between a and b are dropped."""
    if join == "cjk":  # an isolated phrase: 下周 五, 3 月 15 日, 明年 3月
        return _is_cjk(a) or _is_cjk(b)
    # Inside a command only digit/CJK seams are joined: "李明 天津" must not become 明天.
    return (_is_cjk(a) and b.isdigit()) or (a.isdigit() and _is_cjk(b))


def _in_mention(chars: list[str]) -> bool:
    """Tell whether the last token is an @mention (never glue "@张三 3月15日" together)."""
    for ch in reversed(chars):
        if ch == " ":
            return False
        if ch == "@":
            return True
    return False


def _normalize(text: str, *, join: str) -> tuple[str, list[int]]:
    """NFKC + lower-case + trad→simplified, collapsing spaces; return text and index map."""
    chars: list[str] = []
    index: list[int] = []
    for i, ch in enumerate(text):
        for out in unicodedata.normalize("NFKC", ch).lower().translate(_TRAD):
            chars.append(out)
            index.append(i)
    out_chars: list[str] = []
    out_index: list[int] = []
    i = 0
    while i < len(chars):
        if not chars[i].isspace():
            out_chars.append(chars[i])
            out_index.append(index[i])
            i += 1
            continue
        j = i
        while j < len(chars) and chars[j].isspace():
            j += 1
        if out_chars and j < len(chars) and not (
            _joinable(out_chars[-1], chars[j], join) and not _in_mention(out_chars)
        ):
            out_chars.append(" ")
            out_index.append(index[i])
        i = j
    return "".join(out_chars), out_index


# --------------------------------------------------------------------------------------------
# Numbers
# --------------------------------------------------------------------------------------------

def _cn_int(s: str) -> int:
    """Convert 5 / 五 / 十五 / 二十八 / 一百零五 / 二〇二七 to an int."""
    value = cn_int(s)
    if value is None:
        raise ValueError(f"not a number: {s!r}")
    return value


_EN_SMALL = [
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
    "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen",
]
_EN_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
            "eighty": 80, "ninety": 90}
_EN_ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13,
    "fourteenth": 14, "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18,
    "nineteenth": 19, "twentieth": 20, "thirtieth": 30,
}


def _en_int(s: str) -> int:
    """Convert 5 / five / twenty-one / a / a couple of to an int."""
    s = re.sub(r"[\s-]+", " ", s.strip())
    if s.isdigit():
        return int(s)
    if s in ("a", "an"):
        return 1
    if s.endswith("couple of"):
        return 2
    if s in _EN_SMALL:
        return _EN_SMALL.index(s)
    tens, _, unit = s.partition(" ")
    return _EN_TENS[tens] + (_EN_SMALL.index(unit) if unit else 0)


def _en_ordinal(s: str) -> int:
    """Convert first / twenty-first / thirtieth to an int."""
    s = re.sub(r"[\s-]+", " ", s)
    if s in _EN_ORDINALS:
        return _EN_ORDINALS[s]
    tens, _, unit = s.partition(" ")
    return _EN_TENS[tens] + _EN_ORDINALS[unit]


def _alt(words: list[str] | tuple[str, ...]) -> str:
    """Build a regex alternation, longest first, with spaces matching any whitespace."""
    return "|".join(w.replace(" ", r"\s+") for w in sorted(words, key=len, reverse=True))


# --------------------------------------------------------------------------------------------
# Calendar arithmetic
# --------------------------------------------------------------------------------------------


def _safe_date(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def _month_end(y: int, m: int) -> date:
    return date(y, m, monthrange(y, m)[1])


def _add_months(d: date, n: int) -> tuple[date, bool]:
    """Add n months, clamping to the month end; also say whether it clamped."""
    total = d.year * 12 + d.month - 1 + n
    y, m = divmod(total, 12)
    last = monthrange(y, m + 1)[1]
    return date(y, m + 1, min(d.day, last)), d.day > last


def _shift_month(y: int, m: int, k: int) -> tuple[int, int]:
    y2, m2 = divmod(y * 12 + m - 1 + k, 12)
    return y2, m2 + 1


def _monday(today: date, weeks: int = 0) -> date:
    return today - timedelta(days=today.weekday()) + timedelta(weeks=weeks)


def _coming(today: date, wd: int) -> date:
    return today + timedelta(days=(wd - today.weekday()) % 7)


# Periods are (first month, number of months) inside a year; "pos" is start / mid / end.
_PERIOD_MONTHS = {"month": 1, "quarter": 3, "half": 6, "year": 12}


def _period_point(y: int, first_month: int, kind: str, pos: str) -> date | None:
    months = _PERIOD_MONTHS[kind]
    if pos == "start":
        return date(y, first_month, 1)
    if pos == "end":
        return _month_end(y, first_month + months - 1)
    return date(y, first_month, 15) if kind == "month" else None  # mid-quarter/year: no rule


def _known_point(y: int, first_month: int, kind: str, pos: str) -> date:
    """``_period_point`` where the caller knows there is one (start or end, or mid-month): typed as a date."""
    return cast(date, _period_point(y, first_month, kind, pos))


def _period_first_month(today: date, kind: str, offset: int) -> tuple[int, int]:
    """Return (year, first month) of the period containing today, shifted by offset periods."""
    months = _PERIOD_MONTHS[kind]
    current = (today.month - 1) // months * months + 1
    return _shift_month(today.year, current, offset * months)


# --------------------------------------------------------------------------------------------
# Rule results
# --------------------------------------------------------------------------------------------

Note = tuple[str, str]  # (English, Chinese)


@dataclass(frozen=True)
class _Res:
    value: date
    note: Note | None = None
    strong: bool = True  # weak readings (bare "1st", "sat", "2-3") lose to strong ones in a command


class _NotMine(Exception):
    """The rule's regex matched but the rule does not own this phrase; try the others."""


_Resolver = Callable[[re.Match[str], date], "_Res | None"]


def _join_notes(*notes: Note | None) -> Note | None:
    real = [n for n in notes if n]
    if not real:
        return None
    return "; ".join(n[0] for n in real), "；".join(n[1] for n in real)


def _ordinal_en(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _rolled_note(p: str, value: date, today: date) -> Note | None:
    """Explain an inferred year that is not this year."""
    if value.year == today.year:
        return None
    return (f"{p} read as the next one, in {value.year}", f"{p}按下一次出现理解，即{value.year}年")


def _infer_year(today: date, month: int, day: int) -> int:
    return today.year if (month, day) >= (today.month, today.day) else today.year + 1


def _month_day(p: str, today: date, year: int | None, month: int, day: int) -> _Res | None:
    """Resolve month/day with an explicit year or the next occurrence on or after today."""
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    if year is not None:
        value = _safe_date(year, month, day)
        return _Res(value) if value else None
    value = _safe_date(_infer_year(today, month, day), month, day)
    return _Res(value, _rolled_note(p, value, today)) if value else None


def _next_day_of_month(p: str, today: date, day: int) -> _Res | None:
    """Resolve a bare day of month: the next one on or after today."""
    if not 1 <= day <= 31:
        return None
    y, m = today.year, today.month
    if day < today.day:
        y, m = _shift_month(y, m, 1)
    while (value := _safe_date(y, m, day)) is None:  # 31号 in a 30-day month: the next that has it
        y, m = _shift_month(y, m, 1)
    if value.month == today.month and value.year == today.year:
        return _Res(value)
    iso = value.isoformat()
    return _Res(value, (f"{p} read as the next {_ordinal_en(day)} ({iso})",
                        f"{p}按下一个{day}号理解（{iso}）"))


def _bare_period(p: str, today: date, kind: str, pos: str) -> _Res | None:
    """Resolve 月底/月初/季度末/年初/mid-month…: the point in the current period, or the next."""
    y, m = _period_first_month(today, kind, 0)
    value = _period_point(y, m, kind, pos)
    if value is None:
        return None
    if value >= today:
        return _Res(value)
    y, m = _period_first_month(today, kind, 1)
    value = _known_point(y, m, kind, pos)  # this kind and pos had a point in the current period
    return _Res(value, (f"{p} read as the next one ({value.isoformat()})",
                        f"{p}按下一次理解（{value.isoformat()}）"))


def _relative_period(today: date, kind: str, offset: int, pos: str) -> _Res | None:
    y, m = _period_first_month(today, kind, offset)
    value = _period_point(y, m, kind, pos)
    return _Res(value) if value else None


def _numbered_period(p: str, today: date, year: int | None, first_month: int, kind: str,
                     pos: str) -> _Res | None:
    """Resolve 3月底 / 二季度末 / end of Q2 / 下半年: explicit year or the next occurrence."""
    if year is not None:
        value = _period_point(year, first_month, kind, pos)
        return _Res(value) if value else None
    value = _period_point(today.year, first_month, kind, pos)
    if value is None:
        return None
    if value < today:
        value = _known_point(today.year + 1, first_month, kind, pos)  # as this year's: there is one
    return _Res(value, _rolled_note(p, value, today))


_WEEK_OFFSET_EN = {0: "this week", 1: "next week", 2: "the week after next", -1: "last week",
                   -2: "the week before last"}
_WEEK_OFFSET_ZH = {0: "本周", 1: "下周", 2: "下下周", -1: "上周", -2: "上上周"}


def _weekday_res(p: str, today: date, wd: int, week: int | None, strong: bool = True) -> _Res:
    """Resolve a weekday: week None = the coming one, else X of the week `week` weeks away."""
    if week is None:
        value = _coming(today, wd)
        if value == today:
            note = (f"{p} read as today ({_WD_EN_LONG[wd]})", f"{p}按今天（{_WD_ZH[wd]}）理解")
        else:
            note = (f"{p} read as the coming {_WD_EN_LONG[wd]}",
                    f"{p}按即将到来的{_WD_ZH[wd]}理解")
        return _Res(value, note, strong)
    value = _monday(today, week) + timedelta(days=wd)
    if week == 0:
        return _Res(value, None, strong)
    note = (f"{p} read as {_WD_EN_LONG[wd]} of {_WEEK_OFFSET_EN[week]}",
            f"{p}按{_WEEK_OFFSET_ZH[week]}的{_WD_ZH[wd]}理解")
    return _Res(value, note, strong)


def _working_days_res(today: date, n: int) -> _Res:
    value = business_days_after(today, n)
    way_en, way_zh = ("after", "后") if n >= 0 else ("before", "前")
    en = f"{abs(n)} working days {way_en} {today.isoformat()}, skipping weekends and CN public holidays"
    zh = f"自{today.isoformat()}起{way_zh}第{abs(n)}个工作日（跳过周末和法定节假日）"
    return _Res(value, (en, zh))


def _duration_res(p: str, today: date, n: int, half: bool, unit: str, sign: int) -> _Res | None:
    """Apply N days/weeks/months/years/working days (half: +15 days or +6 months)."""
    if unit in ("day", "week", "bday") and half:
        return None  # 半天 / 两周半 / half a working day are not dates
    if unit == "day":
        return _Res(today + timedelta(days=sign * n))
    if unit == "week":
        return _Res(today + timedelta(weeks=sign * n))
    if unit == "bday":
        return _working_days_res(today, sign * n)
    months = n * (12 if unit == "year" else 1) + (6 if half and unit == "year" else 0)
    value, clamped = _add_months(today, sign * months)
    notes: list[Note | None] = []
    if half and unit == "month":
        value += timedelta(days=sign * 15)
        notes.append((f"{p}: half a month counted as 15 days", f"{p}：半个月按15天计算"))
    if clamped:
        notes.append((f"{p}: no such day in that month, used its last day",
                      f"{p}：该月没有这一天，取当月最后一天"))
    return _Res(value, _join_notes(*notes))


# --------------------------------------------------------------------------------------------
# Regex vocabulary
# --------------------------------------------------------------------------------------------

_CND = "零〇一二两三四五六七八九"
_CNN = f"[{_CND}十百]{{1,5}}"
_NUM = rf"(?:\d{{1,3}}|{_CNN})"
_DAYN = rf"(?:\d{{1,2}}|[{_CND}十]{{1,4}})"
_YEAR = rf"(?:\d{{4}}|[{_CND}]{{4}})"
_YEARPART = rf"(?:(?:(?P<y>{_YEAR})年|(?P<yrel>[今明后去前次])年)的?)?"
_MREL = r"下下个?|下个?|上上个?|上个?|本|这个?|当|次"
_CN_POS = r"底|末|尾|初|中旬|中|结束|以内|之内|内|最后一天|第一天"
_CN_WEEK_MOD = r"下下|下|上上|上|本|这"
_WEEK_UNIT = r"(?:周|星期|礼拜)"

_YREL_OFF = {"今": 0, "明": 1, "次": 1, "后": 2, "去": -1, "前": -2}
_MREL_OFF = {"下下": 2, "下": 1, "上上": -2, "上": -1, "本": 0, "这": 0, "当": 0, "次": 1}
_CN_WD = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6,
          "1": 0, "2": 1, "3": 2, "4": 3, "5": 4, "6": 5, "7": 6}

_MON = (r"(?P<mon>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
        r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?")
_EN_WD_WORDS = {"monday": 0, "mon": 0, "tuesday": 1, "tues": 1, "tue": 1, "wednesday": 2,
                "wed": 2, "thursday": 3, "thurs": 3, "thur": 3, "thu": 3, "friday": 4, "fri": 4,
                "saturday": 5, "sat": 5, "sunday": 6, "sun": 6}
_EN_WD = rf"(?P<wd>{_alt(list(_EN_WD_WORDS))})\.?"
_EN_NUMWORDS = _EN_SMALL + [f"{t}(?:[\\s-]+(?:{'|'.join(_EN_SMALL[1:10])}))?" for t in _EN_TENS]
_EN_COUNT = (rf"(?P<cnt>\d{{1,3}}|a\s+couple\s+of|couple\s+of|half\s+an?|an?|"
             rf"{'|'.join(sorted(_EN_NUMWORDS, key=len, reverse=True))})")
_EN_DUR_UNIT = (r"(?P<unit>(?:business|working|work)\s+days?|workdays?|days?|weeks?|wks?"
                r"|fortnights?|months?|years?|yrs?)")
_EN_ORD_WORDS = list(_EN_ORDINALS) + [
    f"{t}[\\s-]+(?:{'|'.join(w for w, v in _EN_ORDINALS.items() if v < 10)})"
    for t in ("twenty", "thirty")]
_EN_REL = r"(?P<rel>this|next|last|previous|the\s+following|following|the\s+coming|coming|current|the\s+next)"
_EN_REL_OFF = {"this": 0, "current": 0, "next": 1, "following": 1, "coming": 1, "last": -1,
               "previous": -1}

_EN_REL_DAYS = {"today": 0, "tonight": 0, "eod": 0, "end of day": 0, "end of today": 0,
                "tomorrow": 1, "tmrw": 1, "tmr": 1, "tomorow": 1, "tommorow": 1,
                "tomorrow night": 1, "yesterday": -1, "the day after tomorrow": 2,
                "day after tomorrow": 2, "overmorrow": 2, "the day before yesterday": -2,
                "day before yesterday": -2}
_CN_REL_DAYS = {"今天": 0, "今日": 0, "今儿": 0, "今晚": 0, "今早": 0, "当天": 0,
                "明天": 1, "明日": 1, "明儿": 1, "明早": 1, "明晚": 1, "次日": 1,
                "后天": 2, "大后天": 3, "昨天": -1, "昨日": -1, "昨晚": -1, "前天": -2, "大前天": -3}

# Boundaries: English words must not continue a word; numbers must not continue a number,
# an amount (30%, 120万, 1,200) or a code (HT-2026-001).
_B = r"(?<![a-z])"
_E = r"(?![a-z])"
_NB = r"(?<![\da-z.,/\-#$¥_])"
_NE = r"(?!\d|[.,/\-:]\d|\s*(?:%|万|亿|千|百|元|块|美元))"


def _group_off(word: str | None, table: dict[str, int]) -> int:
    """Map 下个 / the following / 这个 to a period offset via its first significant word."""
    if word is None:
        return 0
    w = word.replace("the", "").replace("个", "").strip()
    return table[w]


# --------------------------------------------------------------------------------------------
# Rules: (regex, resolver). A resolver returns _Res, None (shape recognised but impossible:
# reject without falling back) or raises _NotMine.
# --------------------------------------------------------------------------------------------


def _r_rel_day(m: re.Match[str], today: date) -> _Res | None:
    key = re.sub(r"\s+", " ", m["w"])
    return _Res(today + timedelta(days=_EN_REL_DAYS.get(key, _CN_REL_DAYS.get(key, 0))))


def _r_cn_weekday(m: re.Match[str], today: date) -> _Res | None:
    mod = m["mod"]
    return _weekday_res(m[0], today, _CN_WD[m["d"]], None if mod is None else _MREL_OFF[mod])


def _r_reject(m: re.Match[str], today: date) -> _Res | None:
    return None


def _r_cn_weekend(m: re.Match[str], today: date) -> _Res | None:
    mod = m["mod"]
    res = _weekday_res(m[0], today, 5, None if mod is None else _MREL_OFF[mod])
    return _Res(res.value, (f"{m[0]} read as Saturday ({res.value.isoformat()})",
                            f"{m[0]}按周六理解（{res.value.isoformat()}）"))


def _r_cn_bare_week(m: re.Match[str], today: date) -> _Res | None:
    week = _MREL_OFF[m["mod"]]
    value = _monday(today, week)
    return _Res(value, (f"{m[0]} read as Monday of {_WEEK_OFFSET_EN[week]}",
                        f"{m[0]}按{_WEEK_OFFSET_ZH[week]}一理解"))


_CN_UNITS = {"工作日": "bday", "交易日": "bday", "天": "day", "日": "day", "星期": "week",
             "礼拜": "week", "周": "week", "月": "month", "年": "year"}


def _r_cn_duration(m: re.Match[str], today: date) -> _Res | None:
    n = 0 if m["h"] else _cn_int(m["n"])
    half = bool(m["h"] or m["nh"] or m["th"])
    unit = _CN_UNITS[m["unit"].lstrip("个")]
    sign = -1 if m["dir"].endswith("前") else 1
    return _duration_res(m[0], today, n, half, unit, sign)


def _r_cn_bare_workdays(m: re.Match[str], today: date) -> _Res | None:
    # "5个工作日" on its own is a payment term: read it as "within 5 working days" (weak).
    res = _working_days_res(today, _cn_int(m["n"]))
    return _Res(res.value, res.note, strong=False)


def _cn_year(m: re.Match[str], today: date) -> int | None:
    if m["y"]:
        return _cn_int(m["y"])
    if m["yrel"]:
        return today.year + _YREL_OFF[m["yrel"]]
    return None


def _cn_pos(word: str) -> str:
    return "start" if word in ("初", "第一天") else "mid" if word.startswith("中") else "end"


def _r_cn_month(m: re.Match[str], today: date) -> _Res | None:
    year = _cn_year(m, today)
    day = _cn_int(m["d"]) if m["d"] else None
    pos = _cn_pos(m["pos"]) if m["pos"] else None
    if m["m"]:
        month = _cn_int(m["m"])
        if not 1 <= month <= 12:
            return None
        if day is not None:
            return _month_day(m[0], today, year, month, day)
        return _numbered_period(m[0], today, year, month, "month", pos or "end")
    if year is not None:
        raise _NotMine  # 明年下个月 / 明年月底: no sensible reading
    if m["mrel"] is None:  # bare 月底 / 月初 / 月中
        if pos is None:
            raise _NotMine
        return _bare_period(m[0], today, "month", pos)
    y, mo = _shift_month(today.year, today.month, _group_off(m["mrel"], _MREL_OFF))
    if day is not None:
        value = _safe_date(y, mo, day)
        return _Res(value) if value else None
    return _Res(_known_point(y, mo, "month", pos or "end"))  # every month has a start, middle and end


def _r_cn_bare_day(m: re.Match[str], today: date) -> _Res | None:
    return _next_day_of_month(m[0], today, _cn_int(m["d"]))


def _r_cn_quarter(m: re.Match[str], today: date) -> _Res | None:
    year = _cn_year(m, today)
    pos = _cn_pos(m["pos"])
    q = m["qn"] or m["qq"]
    if q:
        q_index = _cn_int(q)
        return _numbered_period(m[0], today, year, q_index * 3 - 2, "quarter", pos)
    if year is not None:
        raise _NotMine
    if m["qrel"] is None:
        return _bare_period(m[0], today, "quarter", pos)
    return _relative_period(today, "quarter", _group_off(m["qrel"], _MREL_OFF), pos)


def _r_cn_half(m: re.Match[str], today: date) -> _Res | None:
    year = _cn_year(m, today)
    first = 1 if m["half"] == "上" else 7
    if first == 1 and not m["pos"]:
        return None  # bare 上半年: its start is (almost always) past, its end is a guess
    pos = _cn_pos(m["pos"]) if m["pos"] else "start"
    res = _numbered_period(m[0], today, year, first, "half", pos)
    if res and not m["pos"]:
        return _Res(res.value, _join_notes(res.note, (
            f"{m[0]} read as the start of that half-year ({res.value.isoformat()})",
            f"{m[0]}按该半年的第一天理解（{res.value.isoformat()}）")))
    return res


def _r_cn_year(m: re.Match[str], today: date) -> _Res | None:
    year = _cn_year(m, today)
    pos = _cn_pos(m["pos"])
    if year is not None:
        return _Res(_known_point(year, 1, "year", pos))  # the pattern has no 年中: start or end
    return _bare_period(m[0], today, "year", pos)


def _r_cn_bare_rel_period(m: re.Match[str], today: date) -> _Res | None:
    if m["yrel"]:
        value = date(today.year + _YREL_OFF[m["yrel"]], 1, 1)
        return _Res(value, (f"{m[0]} read as 1 January {value.year}",
                            f"{m[0]}按{value.year}年1月1日理解"))
    kind = "month" if m["unit"] == "月" else "quarter"
    res = _relative_period(today, kind, _group_off(m["mrel"], _MREL_OFF), "start")
    assert res is not None
    iso = res.value.isoformat()
    return _Res(res.value, (f"{m[0]} read as the first day of that {kind} ({iso})",
                            f"{m[0]}按该{'月' if kind == 'month' else '季度'}第一天理解（{iso}）"))


def _r_iso(m: re.Match[str], today: date) -> _Res | None:
    value = _safe_date(int(m["y"]), int(m["m"]), int(m["d"]))
    return _Res(value) if value else None


def _r_md_numeric(m: re.Match[str], today: date) -> _Res | None:
    month, day = int(m["m"]), int(m["d"])
    res = _month_day(m[0], today, int(m["y"]) if m["y"] else None, month, day)
    if res is None:
        return None
    strong = m["sep"] == "/"  # "2-3" in a command is as likely a range as a date
    if day > 12:
        return _Res(res.value, res.note, strong)
    note = (f"{m[0]} read as month/day ({_MONTH_EN[month - 1]} {day})",
            f"{m[0]}按月/日理解（{month}月{day}日）")
    return _Res(res.value, _join_notes(note, res.note), strong)


def _month_from_en(word: str) -> int:
    return [x.lower() for x in _MONTH_EN].index(word[:3]) + 1


def _r_en_month_day(m: re.Match[str], today: date) -> _Res | None:
    return _month_day(m[0], today, int(m["y"]) if m["y"] else None, _month_from_en(m["mon"]),
                      int(m["d"]))


def _r_en_ordinal_of_month(m: re.Match[str], today: date) -> _Res | None:
    day = _en_ordinal(m["dw"]) if m["dw"] else int(m["d"])
    if m["mon"]:
        return _month_day(m[0], today, int(m["y"]) if m["y"] else None,
                          _month_from_en(m["mon"]), day)
    y, mo = _shift_month(today.year, today.month, _group_off(m["rel"], _EN_REL_OFF))
    value = _safe_date(y, mo, day)
    return _Res(value) if value else None


def _r_en_the_day(m: re.Match[str], today: date) -> _Res | None:
    res = _next_day_of_month(m[0], today, int(m["d"] or m["d2"]))
    if res is None:
        return None
    # "1st payment": a bare ordinal without "the" is a weak reading inside a command.
    return _Res(res.value, res.note, strong=bool(m["the"]))


def _r_en_weekday(m: re.Match[str], today: date) -> _Res | None:
    wd = _EN_WD_WORDS[m["wd"]]
    week_word = m["wk1"] or m["wk2"]
    if week_word:
        return _weekday_res(m[0], today, wd, _EN_REL_OFF[week_word])
    mod = (m["mod"] or "").split()[-1] if m["mod"] else None
    if mod in ("next", "last", "previous", "past"):
        return _weekday_res(m[0], today, wd, 1 if mod == "next" else -1)
    strong = mod is not None or len(m["wd"]) > 3  # "sat"/"sun" alone may be plain English
    return _weekday_res(m[0], today, wd, None, strong)


def _r_en_bad_weekday(m: re.Match[str], today: date) -> _Res | None:
    if m["w"] in _EN_WD_WORDS or m["w"] in ("today", "yesterday"):
        raise _NotMine
    return None  # "next blursday", "next payday": weekday-shaped but not a weekday


def _r_en_rel_week(m: re.Match[str], today: date) -> _Res | None:
    week = 2 if m["after"] else _EN_REL_OFF[m["rel"].split()[-1]]
    return _Res(_monday(today, week), (f"{m[0]} read as Monday of {_WEEK_OFFSET_EN[week]}",
                                       f"{m[0]}按{_WEEK_OFFSET_ZH[week]}一理解"))


def _r_en_rel_period(m: re.Match[str], today: date) -> _Res | None:
    kind = m["unit"]
    res = _relative_period(today, kind, _EN_REL_OFF[m["rel"].split()[-1]], "start")
    assert res is not None
    iso = res.value.isoformat()
    return _Res(res.value, (f"{m[0]} read as the first day of that {kind} ({iso})",
                            f"{m[0]}按第一天理解（{iso}）"))


def _r_en_weekend(m: re.Match[str], today: date) -> _Res | None:
    week = 1 if m["rel"] and m["rel"].split()[-1] in ("next", "following") else None
    res = _weekday_res(m[0], today, 5, week)
    return _Res(res.value, (f"{m[0]} read as Saturday ({res.value.isoformat()})",
                            f"{m[0]}按周六理解（{res.value.isoformat()}）"))


_EN_DUR_UNITS = {"day": "day", "business": "bday", "working": "bday", "work": "bday",
                 "workday": "bday", "week": "week", "wk": "week", "fortnight": "week",
                 "month": "month", "year": "year", "yr": "year"}


def _r_en_duration(m: re.Match[str], today: date) -> _Res | None:
    cnt = re.sub(r"\s+", " ", m["cnt"])
    half = cnt.startswith("half") or bool(m["half"])
    n = 0 if cnt.startswith("half") else _en_int(cnt)
    unit_word = m["unit"].split()[0]
    unit_word = unit_word[:-1] if unit_word.endswith("s") and unit_word != "business" else unit_word
    unit = _EN_DUR_UNITS[unit_word]
    if unit_word == "fortnight":
        n *= 2
    post = re.sub(r"\s+", " ", m.groupdict().get("post") or "")
    sign = -1 if post in ("ago", "before today") else 1
    base = today + timedelta(days=1) if post.endswith("tomorrow") else today
    return _duration_res(m[0], base, n, half, unit, sign)


def _r_en_bare_workdays(m: re.Match[str], today: date) -> _Res | None:
    if m["cnt"].startswith("half"):
        return None
    res = _working_days_res(today, _en_int(m["cnt"]))
    return _Res(res.value, res.note, strong=False)


_EN_POS_WORDS = {"end": "end", "close": "end", "start": "start", "beginning": "start",
                 "begin": "start", "middle": "mid", "mid": "mid", "last day": "end",
                 "first day": "start"}
_EN_QORD = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4,
            "4th": 4}


def _en_week_point(p: str, today: date, offset: int | None, pos: str) -> _Res | None:
    if pos == "mid":
        return None
    if pos == "start":
        week = 1 if offset is None else offset
        return _Res(_monday(today, week), (f"{p} read as Monday of {_WEEK_OFFSET_EN[week]}",
                                           f"{p}按{_WEEK_OFFSET_ZH[week]}一理解"))
    # Business end of week: Friday of that week; a bare "end of week" is the coming Friday.
    value = _coming(today, 4) if offset is None else _monday(today, offset) + timedelta(days=4)
    return _Res(value, (f"{p} read as Friday ({value.isoformat()})",
                        f"{p}按周五理解（{value.isoformat()}）"))


def _r_en_period(m: re.Match[str], today: date) -> _Res | None:
    g = m.groupdict()
    pos = _EN_POS_WORDS[re.sub(r"\s+", " ", g["pos"])]
    p = m[0]
    if g.get("mon"):
        year = int(g["y"]) if g.get("y") else None
        return _numbered_period(p, today, year, _month_from_en(g["mon"]), "month", pos)
    q = g.get("q") or (g.get("qord") and _EN_QORD[g["qord"]])
    if q:
        year_s = g.get("qy") or g.get("qy2")
        return _numbered_period(p, today, int(year_s) if year_s else None, int(q) * 3 - 2,
                                "quarter", pos)
    half = g.get("h") or (g.get("hord") and _EN_QORD[g["hord"]])
    if half:
        return _numbered_period(p, today, None, 1 if int(half) == 1 else 7, "half", pos)
    if g.get("yonly"):
        return _Res(_known_point(int(g["yonly"]), 1, "year", pos)) if pos != "mid" else None
    unit = g["unit"]
    rel = g.get("rel")
    offset = None if rel is None else _EN_REL_OFF[rel.split()[-1]]
    if unit == "week":
        return _en_week_point(p, today, offset, pos)
    if offset is None:
        return _bare_period(p, today, unit, pos)
    return _relative_period(today, unit, offset, pos)


_EN_ABBR = {"eom": ("month", "end"), "eoq": ("quarter", "end"), "eoy": ("year", "end"),
            "eow": ("week", "end")}


def _r_en_abbr(m: re.Match[str], today: date) -> _Res | None:
    kind, pos = _EN_ABBR[m["abbr"]]
    if kind == "week":
        return _en_week_point(m[0], today, None, pos)
    return _bare_period(m[0], today, kind, pos)


_EN_PERIOD_TARGET = (
    rf"(?:(?:{_EN_REL}\s+)?(?P<unit>month|year|quarter|week)"
    rf"|{_MON}(?:,?\s+(?P<y>\d{{4}}))?"
    r"|q(?P<q>[1-4])(?:\s+(?P<qy>\d{4}))?"
    r"|(?P<qord>first|second|third|fourth|1st|2nd|3rd|4th)\s+quarter(?:\s+(?:of\s+)?(?P<qy2>\d{4}))?"
    r"|(?P<hord>first|second|1st|2nd)\s+half(?:\s+of\s+(?:the\s+)?year)?"
    r"|h(?P<h>[12])"
    r"|(?P<yonly>\d{4}))"
)

def _rule(resolver: _Resolver, *parts: str) -> tuple[re.Pattern[str], _Resolver]:
    return re.compile("".join(parts)), resolver


# Order matters only for parse_date (first full match wins); find_date tries every rule.
_RULES: list[tuple[re.Pattern[str], _Resolver]] = [
    # ---- Chinese ----
    _rule(_r_rel_day, rf"(?P<w>{_alt(list(_CN_REL_DAYS))})"),
    _rule(_r_cn_weekday, rf"(?:(?P<mod>{_CN_WEEK_MOD})个?)?{_WEEK_UNIT}(?P<d>[一二三四五六日天1-7])"),
    _rule(_r_reject, rf"(?:(?:{_CN_WEEK_MOD})个?)?{_WEEK_UNIT}[八九十零〇089]"),  # 下周八
    _rule(_r_cn_weekend, rf"(?:(?P<mod>{_CN_WEEK_MOD})个?)?(?:周末|礼拜天?末)"),
    _rule(_r_cn_bare_week, rf"(?P<mod>下下|下|上上|上)个?{_WEEK_UNIT}(?![一二三四五六日天1-7末])"),
    _rule(_r_cn_duration,
          rf"{_NB}(?:(?P<n>\d{{1,3}}|{_CNN})(?P<nh>个半)?|(?P<h>半))",
          r"(?P<unit>个?工作日|个?交易日|天|日(?!以前|之前|前)|个?星期|个?礼拜|周|(?:个|(?<=半))月|年)",
          r"(?P<th>半)?(?P<dir>以后|之后|过后|后|以内|之内|内|以前|之前|前)"),
    _rule(_r_cn_bare_workdays, rf"{_NB}(?P<n>\d{{1,3}}|{_CNN})个?工作日(?![内后前以之])"),
    _rule(_r_cn_quarter,
          rf"{_YEARPART}(?:第?(?P<qn>[1-4一二三四])(?:季度|季)|(?P<qrel>{_MREL})?(?:季度|季)",
          rf"|q(?P<qq>[1-4])\s*(?:季度|季)?)(?P<pos>{_CN_POS})"),
    _rule(_r_cn_half, rf"{_YEARPART}(?P<half>上|下)半年(?P<pos>{_CN_POS})?"),
    _rule(_r_cn_year,
          rf"(?:(?:(?P<y>{_YEAR})|(?P<yrel>[今明后去前次]))年年?|年)",
          r"(?P<pos>底|末|尾|初|终|以内|之内|内|最后一天|第一天)"),
    _rule(_r_cn_month,
          rf"{_NB}{_YEARPART}(?:(?P<m>{_DAYN})月份?|(?P<mrel>{_MREL})?月)的?",
          rf"(?:(?P<d>{_DAYN})(?:号|日|(?![\d{_CND}十万亿千百元块%.]))|(?P<pos>{_CN_POS}))"),
    _rule(_r_cn_bare_rel_period,
          r"(?:(?P<mrel>下下个?|下个?|上个?|次)(?P<unit>月|季度)|(?P<yrel>[明后次去])年)"),
    _rule(_r_cn_bare_day, rf"(?<![\d月/.\-])(?P<d>\d{{1,2}}|[{_CND}十]{{1,3}})(?:号|日){_NE}"),
    # ---- numeric ----
    _rule(_r_iso, rf"{_NB}(?P<y>\d{{4}})(?P<sep>[-/.])(?P<m>\d{{1,2}})(?P=sep)(?P<d>\d{{1,2}}){_NE}"),
    _rule(_r_md_numeric,
          rf"{_NB}(?P<m>\d{{1,2}})(?P<sep>[/\-])(?P<d>\d{{1,2}})(?:(?P=sep)(?P<y>\d{{4}}))?",
          r"(?![\d天日号个周月年点时分%万亿千百元块]|[.,/\-:]\d)"),
    # ---- English ----
    _rule(_r_rel_day, rf"{_B}(?P<w>{_alt(list(_EN_REL_DAYS))}){_E}"),
    _rule(_r_en_weekday,
          rf"{_B}(?:(?P<mod>this\s+coming|the\s+coming|coming|this|next|last|previous|past)\s+)?",
          rf"(?:(?P<wk1>this|next|last)\s+week(?:'s)?\s+(?:on\s+)?)?{_EN_WD}",
          rf"(?:,?\s+(?:of\s+)?(?P<wk2>this|next|last)\s+week)?{_E}"),
    _rule(_r_en_bad_weekday, rf"{_B}(?:this\s+coming|coming|this|next|last)\s+(?P<w>[a-z]+day){_E}"),
    _rule(_r_en_rel_week,
          rf"{_B}(?:(?P<rel>next|the\s+following|following|last|previous)\s+week",
          rf"|(?P<after>the\s+week\s+after\s+next)){_E}(?!')"),
    _rule(_r_en_rel_period,
          rf"{_B}(?P<rel>next|the\s+following|following|last|previous)\s+(?P<unit>month|year|quarter)",
          rf"{_E}(?!')"),
    _rule(_r_en_weekend,
          rf"{_B}(?:(?P<rel>this\s+coming|the\s+coming|coming|this|next|following)\s+)?week-?end{_E}"),
    _rule(_r_en_period,
          rf"{_B}(?:the\s+)?(?P<pos>end|close|start|beginning|begin|middle|mid|last\s+day|first\s+day)",
          rf"(?:\s+of\s+(?:the\s+)?|\s*-\s*|\s+){_EN_PERIOD_TARGET}(?![a-z\d])"),
    _rule(_r_en_period,
          rf"{_B}(?:(?:{_EN_REL}\s+)?(?P<unit>month|year|quarter|week)|q(?P<q>[1-4])|h(?P<h>[12])|{_MON})",
          r"(?:\s+|\s*-\s*)(?P<pos>end|start)(?![a-z])"),
    _rule(_r_en_abbr, rf"{_B}(?P<abbr>eom|eoq|eoy|eow){_E}"),
    _rule(_r_en_duration,
          rf"{_B}(?P<pre>in|within|after)\s+{_EN_COUNT}\s+{_EN_DUR_UNIT}",
          r"(?P<half>\s+and\s+a\s+half)?(?:(?:'s|s')?\s+time)?(?![a-z])"),
    _rule(_r_en_duration,
          rf"{_B}(?:the\s+)?{_EN_COUNT}\s+{_EN_DUR_UNIT}(?P<half>\s+and\s+a\s+half)?\s+",
          r"(?P<post>from\s+now|from\s+today|(?:from|after)\s+tomorrow|later|hence|out|ago|before\s+today)",
          r"(?![a-z])"),
    _rule(_r_en_bare_workdays,
          rf"{_B}{_EN_COUNT}\s+(?P<unit>(?:business|working|work)\s+days?|workdays?){_E}",
          r"(?!\s+(?:from|after|later|hence|out|ago|before))"),
    _rule(_r_en_ordinal_of_month,
          rf"{_B}(?:the\s+)?(?:(?P<d>\d{{1,2}})(?:st|nd|rd|th)?|(?P<dw>{_alt(_EN_ORD_WORDS)}))",
          rf"\s+of\s+(?:(?:the\s+)?{_EN_REL}\s+month|{_MON}(?:,?\s+(?P<y>\d{{4}}))?){_E}"),
    _rule(_r_en_month_day,
          rf"{_B}{_MON}\s*(?:the\s+)?(?P<d>\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s*(?P<y>\d{{4}}))?{_NE}{_E}"),
    _rule(_r_en_month_day,
          rf"{_NB}(?:the\s+)?(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s*{_MON}(?:,?\s*(?P<y>\d{{4}}))?{_NE}{_E}"),
    _rule(_r_en_the_day,
          rf"{_B}(?:(?P<the>the)\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?|(?<![\d.,/\-])(?P<d2>\d{{1,2}})",
          r"(?:st|nd|rd|th))(?![a-z\d%])"),
]


# --------------------------------------------------------------------------------------------
# Wrappers around a core phrase: deadline keywords, time of day, weekday annotations
# --------------------------------------------------------------------------------------------

_EN_KW = (r"due(?:\s+date)?(?:\s+(?:on|by|before))?|deadline(?:\s+is)?|no\s+later\s+than"
          r"|not\s+later\s+than|on\s+or\s+before|by|before|until|till|til|on")
_CN_KW = (r"截止(?:日期|时间|日)?(?:到|至|于|为|是|在)?|截至(?:到|于)?|到期(?:日期|时间|日)?(?:为|是|在)?"
          r"|最晚(?:于|在)?|最迟(?:于|在)?|不晚于|不迟于|务必(?:于|在)?|须于|需于|请于|请在|于")
_PREFIX_EN = re.compile(rf"^(?:{_EN_KW})(?:\s*:\s*|\s+)")
_PREFIX_CN = re.compile(rf"^(?:{_CN_KW}|在|到)\s*:?\s*")
_SUFFIX_WORDS = (r"或之前|或以前|之前|以前|前|为止|截止|截至|止|到期"
                 r"|(?<![a-z])(?:at\s+the\s+latest|or\s+earlier|or\s+before)")
_SUFFIX = re.compile(rf"\s*(?:{_SUFFIX_WORDS})$")
_TIME_CN = (rf"(?:(?:早上|上午|中午|下午|晚上|傍晚|凌晨|下班|上班|白天|早|晚)"
            rf"(?:{_NUM}(?:点|时)(?:半|整|{_NUM}分?)?)?|{_NUM}(?:点|时)(?:半|整|{_NUM}分?)?"
            r"|\d{1,2}:\d{2})")
_TIME_EN = (r"(?:(?:at|by|before)\s+)?(?:\d{1,2}(?::\d{2})?\s*(?:am|pm|a\.m\.|p\.m\.)"
            r"|\d{1,2}:\d{2}|noon|midday|midnight|eod|cob|close\s+of\s+business"
            r"|end\s+of\s+(?:the\s+)?(?:business\s+)?day|(?:in\s+the\s+)?(?:morning|afternoon|evening))"
            r"(?![a-z])")
_TIME_TRAIL = re.compile(rf"[\s,]*(?:{_TIME_EN}|{_TIME_CN})$")
_TIME_LEAD = re.compile(rf"^{_TIME_EN}[\s,]+")
_ANN_CN = rf"{_WEEK_UNIT}(?P<cd>[一二三四五六日天])"
_ANN_TRAIL = re.compile(rf"[\s,]*\(?(?:{_ANN_CN}|(?<![a-z]){_EN_WD})\)?$")
_ANN_LEAD = re.compile(rf"^(?:{_ANN_CN}|{_EN_WD}(?![a-z]))[\s,]*")


def _strip_once(s: str) -> str:
    """Peel one layer of deadline keywords and time of day off both ends."""
    s = _PREFIX_CN.sub("", _PREFIX_EN.sub("", s, count=1), count=1)
    s = _SUFFIX.sub("", s, count=1)
    s = _TIME_LEAD.sub("", _TIME_TRAIL.sub("", s, count=1), count=1)
    return s.strip(_EDGE)


def _strip_all(s: str) -> str:
    while (t := _strip_once(s)) != s:
        s = t
    return s


def _match_core(s: str, today: date) -> _Res | None:
    for pattern, resolver in _RULES:
        m = pattern.fullmatch(s)
        if m:
            try:
                return resolver(m, today)
            except _NotMine:
                continue
    raise _NotMine


def _annotation_weekday(m: re.Match[str]) -> int:
    return _CN_WD[m["cd"]] if m["cd"] else _EN_WD_WORDS[m["wd"]]


def _resolve_annotated(s: str, today: date) -> _Res | None:
    """Read "2027-02-05 周五" / "Fri, Feb 5": the weekday must agree with the date."""
    for pattern, trailing in ((_ANN_TRAIL, True), (_ANN_LEAD, False)):
        m = pattern.search(s) if trailing else pattern.match(s)
        if not m:
            continue
        rest = (s[: m.start()] if trailing else s[m.end():]).strip(_EDGE)
        if not rest:
            continue
        try:
            res = _resolve(rest, today)
        except _NotMine:
            continue
        if res is None or res.value.weekday() != _annotation_weekday(m):
            return None  # an impossible date, or a weekday that contradicts it
        return res
    raise _NotMine


def _resolve(s: str, today: date) -> _Res | None:
    """Read a whole normalised phrase; None = recognised but impossible; _NotMine = unknown."""
    stages: list[str] = []
    while s and s not in stages:
        try:
            return _match_core(s, today)
        except _NotMine:
            stages.append(s)
        s = _strip_once(s)
    # Only then a weekday next to a date: "Friday EOD" must not be read as "Friday" + "today".
    for stage in stages:
        try:
            return _resolve_annotated(stage, today)
        except _NotMine:
            pass
    raise _NotMine


# --------------------------------------------------------------------------------------------
# dateparser fallback
# --------------------------------------------------------------------------------------------

_DP_SETTINGS = {"PREFER_DATES_FROM": "future", "RETURN_AS_TIMEZONE_AWARE": False}
_HAS_WORD = re.compile(r"[a-z\u3400-\u9fff]")
_MAX_FALLBACK_CHARS = 80
_NUMERIC_DATE = re.compile(r"\d{1,4}[./\-]\d{1,2}[./\-]\d{1,4}")  # 15.03.2027 and other orders


@lru_cache(maxsize=16)
def _dateparser_for(base: datetime) -> DateDataParser:
    """Return a cached parser for this naive RELATIVE_BASE (minute resolution)."""
    # dateparser fixes RELATIVE_BASE when the parser is built; its language data is loaded
    # once per process (class level), so a parser per minute is cheap and thread-safe.
    return DateDataParser(languages=["en", "zh"], settings={**_DP_SETTINGS, "RELATIVE_BASE": base})


def _fallback(s: str, local_now: datetime) -> date | None:
    if not (_HAS_WORD.search(s) or _NUMERIC_DATE.fullmatch(s)):
        return None  # 30%, 5, 2027: dateparser would turn bare numbers into dates
    if len(s) > _MAX_FALLBACK_CHARS:
        return None  # a paragraph is not a date phrase; don't spend dateparser time on it
    base = local_now.replace(tzinfo=None, second=0, microsecond=0)
    data = _dateparser_for(base).get_date_data(s)
    # "March" / "2027" / "3月" come back as period month/year with today's day filled in.
    if data.date_obj is None or data.period not in ("day", "week"):
        return None
    return data.date_obj.date()


# --------------------------------------------------------------------------------------------
# Public parsing API
# --------------------------------------------------------------------------------------------


def _local_now(now: datetime, tz: str) -> datetime:
    zone = ZoneInfo(tz)
    # A naive now is taken to be wall-clock time in tz already.
    return now.astimezone(zone) if now.tzinfo else now.replace(tzinfo=zone)


def parse_date(text: str, *, now: datetime, tz: str) -> date | None:
    """Return the date a Chinese/English phrase means in zone tz, or None if it is not one."""
    local = _local_now(now, tz)
    s = _normalize(text, join="cjk")[0].strip(_EDGE)
    if not s:
        return None
    try:
        res = _resolve(s, local.date())
    except _NotMine:
        return _fallback(_strip_all(s), local)
    return res.value if res else None


# Inside a command: @mentions, links, contract numbers and amounts are never dates.
_MASK = re.compile(
    r"@\S+|<[@#!][^>]*>|https?://\S+"
    r"|(?<![0-9a-z])[a-z]{1,8}[-_#/]\d[0-9a-z_\-/]*"
    r"|(?<![0-9a-z])[a-z]{2,8}\d{3,}[0-9a-z_\-]*"
    r"|[$¥€£]\s*\d[\d,]*(?:\.\d+)?"
    r"|(?<![\d.,])\d{1,3}(?:,\d{3})+(?:\.\d+)?"
    r"|(?<![\d.])\d+(?:\.\d+)?\s*(?:%|万|亿|千|百万|元|块|美元|人民币|(?:k|w|m|rmb|usd|cny)(?![a-z]))"
    r"|(?<![\d.])\d+\.\d+(?![\d.])"
)
_KW_BEFORE = re.compile(rf"(?:(?<![a-z])(?:{_EN_KW})\s*:?\s*|(?:{_CN_KW})\s*:?\s*)$")
_KW_AFTER = re.compile(rf"\s*(?:{_SUFFIX_WORDS})")
_TIME_AFTER = re.compile(rf"[\s,]*(?:{_TIME_EN}|{_TIME_CN})")
_ANN_AFTER = re.compile(rf"[\s,]*\(?(?:{_ANN_CN}|(?<![a-z]){_EN_WD}(?![a-z]))\)?")
_ANN_BEFORE = re.compile(rf"(?:{_ANN_CN}|(?<![a-z]){_EN_WD})[\s,]*$")


@dataclass(frozen=True)
class _Cand:
    start: int
    end: int
    res: _Res | None  # None: an impossible date that still blocks shorter readings inside it
    keyword: bool = False
    core: tuple[int, int] = (0, 0)  # the phrase the note quotes, before keywords were added


def _expand(norm: str, start: int, end: int, res: _Res) -> _Cand:
    """Grow a match over time of day, 前/之前, a matching weekday and a due/截止 keyword."""
    keyword, core = False, (start, end)
    if m := _TIME_AFTER.match(norm, end):
        end = m.end()
    if m := _KW_AFTER.match(norm, end):
        end, keyword = m.end(), True
    if (m := _ANN_AFTER.match(norm, end)) and _annotation_weekday(m) == res.value.weekday():
        end = m.end()
    if (m := _ANN_BEFORE.search(norm, 0, start)) and _annotation_weekday(m) == res.value.weekday():
        start = m.start()
    if m := _KW_BEFORE.search(norm, 0, start):
        start, keyword = m.start(), True
    return _Cand(start, end, res, keyword, core)


def _candidates(norm: str, today: date) -> list[_Cand]:
    masked = [m.span() for m in _MASK.finditer(norm)]
    found: list[_Cand] = []
    for pattern, resolver in _RULES:
        for m in pattern.finditer(norm):
            s, e = m.span()
            if s == e or any(s < me and ms < e for ms, me in masked):
                continue
            try:
                res = resolver(m, today)
            except _NotMine:
                continue
            found.append(_expand(norm, s, e, res) if res else _Cand(s, e, None))
    return found


def _choose(cands: list[_Cand]) -> _Cand | None:
    """Keep the longest of overlapping readings, then prefer keyworded, strong, rightmost."""
    kept: list[_Cand] = []
    for c in sorted(cands, key=lambda c: (c.end - c.start, c.end), reverse=True):
        if all(c.end <= k.start or k.end <= c.start for k in kept):
            kept.append(c)
    valid = [c for c in kept if c.res is not None]
    if not valid:
        return None
    return max(valid, key=lambda c: (c.keyword, c.res.strong, c.end))  # type: ignore[union-attr]


def find_date(text: str, *, now: datetime, tz: str) -> DateMatch | None:
    """Find the due-date phrase inside a command; return its span in text, value and note."""
    today = _local_now(now, tz).date()
    norm, index = _normalize(text, join="digit")
    best = _choose(_candidates(norm, today))
    if best is None or best.res is None:
        return None
    start, end = index[best.start], index[best.end - 1] + 1
    note = best.res.note
    if note is None:
        return DateMatch(start, end, best.res.value, text[start:end], None, None)
    # Notes quote the normalised phrase; quote the user's own spelling instead.
    quoted = norm[best.core[0]:best.core[1]]
    original = text[index[best.core[0]]:index[best.core[1] - 1] + 1]
    en, zh = (n.replace(quoted, original, 1) for n in note)
    return DateMatch(start, end, best.res.value, text[start:end], en, zh)


# --------------------------------------------------------------------------------------------
# Start-up
# --------------------------------------------------------------------------------------------

_WARM_LOCK = threading.Lock()
_warmed = False


def warm_up() -> None:
    """Load dateparser's en/zh data and the CN holiday table once, so the first command is fast."""
    global _warmed
    with _WARM_LOCK:
        if _warmed:
            return
        now = datetime.now()
        parser = _dateparser_for(now.replace(second=0, microsecond=0))
        for phrase in ("tomorrow", "next friday", "15 March 2027", "明天", "2027年3月15日"):
            parser.get_date_data(phrase)
        for year in range(now.year - 1, now.year + 3):
            is_working_day(date(year, 1, 1))
        _warmed = True
