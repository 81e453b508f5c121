"""What every rule shares: results and their notes, numbers, the common regex vocabulary and resolvers."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from handlers.i18n import t
from handlers.numerals import cn_int

from .calendar import (
    add_months,
    bare_point,
    business_days_after,
    coming,
    known_point,
    monday,
    nth_weekday,
    nth_working_day,
    period_bounds,
    period_first_month,
    period_point,
    safe_date,
    shift_month,
)

WD_EN = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
WD_ZH = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
MONTH_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def format_date(d: date, lang: str) -> str:
    """Format a date with its weekday: "Fri 2026-12-04" (en) or "2026-12-04 周五" (zh)."""
    if lang.lower().startswith("zh"):
        return f"{d.isoformat()} {WD_ZH[d.weekday()]}"
    return f"{WD_EN[d.weekday()]} {d.isoformat()}"


# --------------------------------------------------------------------------------------------
# Notes: an i18n key with parameters, rendered in the reader's language when shown
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Word:
    """A parameter that is itself a sentence key (a weekday, "next week")."""

    key: str
    params: tuple[tuple[str, object], ...] = ()


@dataclass(frozen=True)
class MonthDay:
    """A month and day without a year: "Feb 3" / "2月3日"."""

    month: int
    day: int


@dataclass(frozen=True)
class Ordinal:
    """A day of the month: "21st" / "21号"."""

    n: int


@dataclass(frozen=True)
class Day:
    """A date shown with its weekday, as replies echo dates."""

    value: date


@dataclass(frozen=True)
class Note:
    """Why a phrase was read the way it was (or refused): an i18n key with parameters."""

    key: str
    params: tuple[tuple[str, object], ...] = ()

    def render(self, lang: str) -> str:
        """Say the note in the user's language."""
        return t(self.key, lang, **{k: _render_param(v, lang) for k, v in self.params})

    def quoting(self, quoted: str, original: str) -> Note:
        """Quote the user's own spelling instead of the normalised phrase."""
        params = tuple((k, original if k == "phrase" and v == quoted else v) for k, v in self.params)
        return Note(self.key, params)


def note(key: str, **params: object) -> Note:
    return Note(key, tuple(params.items()))


def word(key: str, **params: object) -> Word:
    return Word(key, tuple(params.items()))


def _ordinal_en(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _render_param(v: object, lang: str) -> str:
    zh = lang.lower().startswith("zh")
    if isinstance(v, Word):
        return t(v.key, "zh" if zh else "en", **{k: _render_param(p, lang) for k, p in v.params})
    if isinstance(v, MonthDay):
        return f"{v.month}月{v.day}日" if zh else f"{MONTH_EN[v.month - 1]} {v.day}"
    if isinstance(v, Ordinal):
        return f"{v.n}号" if zh else _ordinal_en(v.n)
    if isinstance(v, Day):
        return format_date(v.value, "zh" if zh else "en")
    if isinstance(v, date):
        return v.isoformat()
    return str(v)


def render_notes(notes: tuple[Note, ...], lang: str) -> str | None:
    """Join a reading's notes in the user's language (None when there are none)."""
    if not notes:
        return None
    sep = "；" if lang.lower().startswith("zh") else "; "
    return sep.join(n.render(lang) for n in notes)


def wd_word(wd: int) -> Word:
    return Word(f"date.wd.{wd}")


def week_word(offset: int) -> Word:
    return Word(f"date.week.{offset:+d}")


# --------------------------------------------------------------------------------------------
# Rule results
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Res:
    """A reading: the date, why (notes), and whether it is strong enough to win inside a command."""

    value: date
    notes: tuple[Note, ...] = ()
    strong: bool = True  # weak readings (bare "1st", "sat", "2-3") lose to strong ones in a command
    kind: str = ""  # "duration": counted from today (an event word before it makes it someone else's); "weekday"


@dataclass(frozen=True)
class Refusal:
    """A phrase recognised as a date phrase that names no day we may give (impossible, contradicting)."""

    note: Note | None = None
    event: bool = False  # counted from an event (验收后30天): relative milestones read those


Reading = Res | Refusal


class NotMine(Exception):
    """The rule's regex matched but the rule does not own this phrase; try the others."""


Resolver = Callable[[re.Match[str], date], "Res | Refusal | None"]


@dataclass(frozen=True)
class Rule:
    pattern: re.Pattern[str]
    resolve: Resolver
    search: bool = True  # False: only a whole phrase (parse_date), never searched inside a command


def rule(resolver: Resolver, *parts: str, search: bool = True) -> Rule:
    return Rule(re.compile("".join(parts)), resolver, search)


def with_notes(res: Res, *notes: Note | None, strong: bool | None = None) -> Res:
    extra = tuple(n for n in notes if n is not None)
    return Res(res.value, res.notes + extra, res.strong if strong is None else strong, res.kind)


def refuse(key: str | None = None, **params: object) -> Refusal:
    return Refusal(note(key, **params) if key else None)


# --------------------------------------------------------------------------------------------
# Numbers
# --------------------------------------------------------------------------------------------


# Two or three digits written side by side without 十/百/零 (一两, 三五, 七八) are a rough count, never
# a number: positional digits are only for years (二〇二七, four of them).
_APPROX = re.compile(r"[一二两三四五六七八九]{2,3}")


def cn_num(s: str) -> int:
    """Convert 5 / 五 / 十五 / 廿三 / 卅 / 二〇二七 / 两千零二十七 to an int."""
    s = s.replace("廿", "二十").replace("卅", "三十")
    if _APPROX.fullmatch(s):
        raise NotMine(f"an approximate count: {s!r}")  # 一两天 / 三五天 are not 12 or 35 days
    value = cn_int(s)
    if value is None:
        raise NotMine(f"not a number: {s!r}")
    return value


EN_SMALL = [
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
    "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen",
]
EN_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
           "eighty": 80, "ninety": 90}
EN_ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13,
    "fourteenth": 14, "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18,
    "nineteenth": 19, "twentieth": 20, "thirtieth": 30,
}


def en_int(s: str) -> int:
    """Convert 5 / five / twenty-one / a / a couple of to an int."""
    s = re.sub(r"[\s-]+", " ", s.strip())
    if s.isdigit():
        return int(s)
    if s in ("a", "an", "one", "the"):
        return 1
    if s.endswith("couple of") or s == "couple":
        return 2
    if s in EN_SMALL:
        return EN_SMALL.index(s)
    tens, _, unit = s.partition(" ")
    if tens not in EN_TENS or (unit and unit not in EN_SMALL[1:10]):
        raise NotMine(s)
    return EN_TENS[tens] + (EN_SMALL.index(unit) if unit else 0)


def en_ordinal(s: str) -> int:
    """Convert first / 1st / twenty-first / thirtieth to an int."""
    s = re.sub(r"[\s-]+", " ", s.strip())
    if m := re.fullmatch(r"(\d{1,2})(?:st|nd|rd|th)?", s):
        return int(m[1])
    if s in EN_ORDINALS:
        return EN_ORDINALS[s]
    tens, _, unit = s.partition(" ")
    if tens not in EN_TENS or unit not in EN_ORDINALS:
        raise NotMine(s)
    return EN_TENS[tens] + EN_ORDINALS[unit]


def alt(words: list[str] | tuple[str, ...]) -> str:
    """Build a regex alternation, longest first, with spaces matching any whitespace."""
    return "|".join(w.replace(" ", r"\s+") for w in sorted(words, key=len, reverse=True))


# --------------------------------------------------------------------------------------------
# Shared vocabulary
# --------------------------------------------------------------------------------------------

# Boundaries: English words must not continue a word; numbers must not continue a number,
# an amount (30%, 120万, 1,200) or a code (HT-2026-001).
B = r"(?<![a-z])"
E = r"(?![a-z])"
NB = r"(?<![\da-z.,/\-#$¥_])"
NE = r"(?!\d|[.,/\-:]\d|\s*(?:%|万|亿|千|百|元|块|美元))"

MON = (r"(?P<mon>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
       r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?")
EN_WD_WORDS = {"monday": 0, "mon": 0, "tuesday": 1, "tues": 1, "tue": 1, "wednesday": 2,
               "wed": 2, "weds": 2, "thursday": 3, "thurs": 3, "thur": 3, "thu": 3, "friday": 4, "fri": 4,
               "saturday": 5, "sat": 5, "sunday": 6, "sun": 6}
EN_WD = rf"(?P<wd>{alt(list(EN_WD_WORDS))})\.?"
EN_NUMWORDS = EN_SMALL + [f"{t}(?:[\\s-]+(?:{'|'.join(EN_SMALL[1:10])}))?" for t in EN_TENS]
EN_COUNT = (rf"(?P<cnt>\d{{1,3}}|a\s+couple\s+of|couple\s+of|half\s+an?|an?|"
            rf"{'|'.join(sorted(EN_NUMWORDS, key=len, reverse=True))})")
EN_ORD_WORDS = list(EN_ORDINALS) + [
    f"{t}[\\s-]+(?:{'|'.join(w for w, v in EN_ORDINALS.items() if v < 10)})"
    for t in ("twenty", "thirty")]
EN_ORD_ALT = alt(EN_ORD_WORDS)


def month_from_en(word: str) -> int:
    return [x.lower() for x in MONTH_EN].index(word[:3]) + 1


# --------------------------------------------------------------------------------------------
# Shared resolvers
# --------------------------------------------------------------------------------------------


def rolled_note(p: str, value: date, today: date) -> Note | None:
    """Explain an inferred year that is not this year."""
    if value.year == today.year:
        return None
    return note("date.note.next_year", phrase=p, year=value.year)


def infer_year(today: date, month: int, day: int) -> int:
    return today.year if (month, day) >= (today.month, today.day) else today.year + 1


def month_day(p: str, today: date, year: int | None, month: int, day: int) -> Res | None:
    """Resolve month/day with an explicit year or the next occurrence on or after today."""
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    if year is not None:
        value = safe_date(year, month, day)
        return Res(value) if value else None
    value = safe_date(infer_year(today, month, day), month, day)
    if value is None:
        return None
    rolled = rolled_note(p, value, today)
    return Res(value, (rolled,) if rolled else ())


def next_day_of_month(p: str, today: date, day: int) -> Res | None:
    """Resolve a bare day of month: the next one on or after today."""
    if not 1 <= day <= 31:
        return None
    y, m = today.year, today.month
    if day < today.day:
        y, m = shift_month(y, m, 1)
    while (value := safe_date(y, m, day)) is None:  # 31号 in a 30-day month: the next that has it
        y, m = shift_month(y, m, 1)
    if value.month == today.month and value.year == today.year:
        return Res(value)
    return Res(value, (note("date.note.next_day", phrase=p, day=Ordinal(day), date=value),))


def bare_period(p: str, today: date, kind: str, pos: str) -> Res | None:
    """Resolve 月底/月初/季度末/年初/mid-month…: the point in the current period, or the next."""
    value = bare_point(today, kind, pos)
    if value is None:
        return None
    if value[1]:
        return Res(value[0], (note("date.note.next_one", phrase=p, date=value[0]),))
    return Res(value[0])


def relative_period(today: date, kind: str, offset: int, pos: str) -> Res | None:
    y, m = period_first_month(today, kind, offset)
    value = period_point(y, m, kind, pos)
    return Res(value) if value else None


def numbered_period(p: str, today: date, year: int | None, first_month: int, kind: str,
                    pos: str) -> Res | None:
    """Resolve 3月底 / 二季度末 / end of Q2 / 下半年: explicit year or the next occurrence."""
    if year is not None:
        value = period_point(year, first_month, kind, pos)
        return Res(value) if value else None
    value = period_point(today.year, first_month, kind, pos)
    if value is None:
        return None
    if value < today:
        value = known_point(today.year + 1, first_month, kind, pos)  # as this year's: there is one
    rolled = rolled_note(p, value, today)
    return Res(value, (rolled,) if rolled else ())


def weekday_res(p: str, today: date, wd: int, week: int | None, strong: bool = True) -> Res:
    """Resolve a weekday: week None = the coming one, else X of the week `week` weeks away."""
    if week is None:
        value = coming(today, wd)
        key = "date.note.weekday_today" if value == today else "date.note.weekday_coming"
        return Res(value, (note(key, phrase=p, weekday=wd_word(wd)),), strong, "weekday")
    value = monday(today, week) + timedelta(days=wd)
    if week == 0:
        return Res(value, (), strong, "weekday")
    return Res(value, (note("date.note.weekday_of_week", phrase=p, weekday=wd_word(wd),
                            week=week_word(week)),), strong, "weekday")


def monday_of_week(p: str, today: date, week: int) -> Res:
    return Res(monday(today, week), (note("date.note.monday_of_week", phrase=p, week=week_word(week)),))


def working_days_res(today: date, n: int) -> Res:
    value = business_days_after(today, n)
    way = word("date.word.after") if n >= 0 else word("date.word.before")
    return Res(value, (note("date.note.working_days", n=abs(n), way=way, date=today),), kind="duration")


def hours_res(p: str, today: date, n: int) -> Res:
    """Whole days of hours (24小时内, in 48 hours): the day that many days on; other counts name a time."""
    if n <= 0 or n % 24:
        raise NotMine(p)
    value = today + timedelta(days=n // 24)
    return Res(value, (note("date.note.hours_as_days", phrase=p, days=n // 24, date=value),), kind="duration")


def duration_res(p: str, today: date, n: int, half: bool, unit: str, sign: int) -> Res | None:
    """Apply N days/weeks/months/years/working days (half: +15 days or +6 months)."""
    if unit in ("day", "week", "bday") and half:
        return None  # 半天 / 两周半 / half a working day are not dates
    if unit == "day":
        return Res(today + timedelta(days=sign * n), kind="duration")
    if unit == "week":
        return Res(today + timedelta(weeks=sign * n), kind="duration")
    if unit == "bday":
        return working_days_res(today, sign * n)
    months = n * (12 if unit == "year" else 1) + (6 if half and unit == "year" else 0)
    value, clamped = add_months(today, sign * months)
    notes: list[Note] = []
    if half and unit == "month":
        value += timedelta(days=sign * 15)
        notes.append(note("date.note.half_month", phrase=p))
    if clamped:
        notes.append(note("date.note.clamped", phrase=p))
    return Res(value, tuple(notes), kind="duration")


def group_off(word_: str | None, table: dict[str, int]) -> int:
    """Map 下个 / the following / 这个 to a period offset via its first significant word."""
    if word_ is None:
        return 0
    w = word_.replace("the", "").replace("个", "").strip()
    return table[w]


def nth_in_period(y: int, first_month: int, kind: str, n: int, wd: int | None) -> date | None:
    """The n-th weekday ``wd`` of a month, or the n-th working day of a month/quarter/year (``wd`` None);
    None when there is no such day. An n-th weekday of a quarter or year is not read (say it by month)."""
    if wd is None:
        first, last = period_bounds(y, first_month, kind)
        return nth_working_day(first, last, n)
    if kind != "month":
        raise NotMine(f"an n-th weekday of a {kind}")
    return nth_weekday(y, first_month, wd, n)
