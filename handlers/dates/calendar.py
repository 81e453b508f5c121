"""The calendar the readers compute on: month arithmetic, working days, festivals and the lunar calendar.

Festivals are computed, never looked up in a table of years: lunar dates through lunar-python (an
astronomical lunisolar calendar, right far beyond 2000-2100), solar terms (清明, 冬至) from the same
library, Easter from dateutil, "the fourth Thursday of November" by counting. Working days and the
official holiday periods (with 调休 make-up days) come from scheduler.workdays, the calendar the
reminders use.
"""

from __future__ import annotations

import threading
from calendar import monthrange
from datetime import date, timedelta
from functools import lru_cache

from dateutil.easter import easter
from lunar_python import Lunar, LunarYear, Solar

from scheduler.workdays import (
    business_days_after,
    holiday_period,
    is_working_day,
    next_working_day,
    official_schedule_known,
    previous_working_day,
)

__all__ = [
    "business_days_after",
    "holiday_period",
    "is_working_day",
    "next_working_day",
    "official_schedule_known",
    "previous_working_day",
]

# --------------------------------------------------------------------------------------------
# Month arithmetic
# --------------------------------------------------------------------------------------------


def safe_date(y: int, m: int, d: int) -> date | None:
    """Return the date, or None when it does not exist (2月30日)."""
    try:
        return date(y, m, d)
    except ValueError:
        return None


def month_end(y: int, m: int) -> date:
    return date(y, m, monthrange(y, m)[1])


def add_months(d: date, n: int) -> tuple[date, bool]:
    """Add n months, clamping to the month end; also say whether it clamped."""
    total = d.year * 12 + d.month - 1 + n
    y, m = divmod(total, 12)
    last = monthrange(y, m + 1)[1]
    return date(y, m + 1, min(d.day, last)), d.day > last


def shift_month(y: int, m: int, k: int) -> tuple[int, int]:
    y2, m2 = divmod(y * 12 + m - 1 + k, 12)
    return y2, m2 + 1


def monday(today: date, weeks: int = 0) -> date:
    """Return Monday of today's week, shifted by weeks."""
    return today - timedelta(days=today.weekday()) + timedelta(weeks=weeks)


def coming(today: date, wd: int) -> date:
    """Return the next weekday wd on or after today."""
    return today + timedelta(days=(wd - today.weekday()) % 7)


def coming_after(today: date, wd: int) -> date:
    """Return the next weekday wd strictly after today."""
    return today + timedelta(days=(wd - today.weekday() - 1) % 7 + 1)


def previous_before(today: date, wd: int) -> date:
    """Return the last weekday wd strictly before today."""
    return today - timedelta(days=(today.weekday() - wd - 1) % 7 + 1)


def nth_weekday(y: int, m: int, wd: int, n: int) -> date | None:
    """Return the n-th weekday wd of a month (n = -1: the last), or None (no fifth Monday)."""
    if n < 0:
        last = month_end(y, m)
        return last - timedelta(days=(last.weekday() - wd) % 7)
    first = date(y, m, 1)
    value = first + timedelta(days=(wd - first.weekday()) % 7 + 7 * (n - 1))
    return value if value.month == m else None


def nth_working_day(first: date, last: date, n: int) -> date | None:
    """Return the n-th working day in [first, last] (n = -1: the last), or None."""
    if n < 0:
        d = previous_working_day(last)
        return d if d >= first else None
    d = next_working_day(first)
    if n > 1:
        d = business_days_after(d, n - 1)
    return d if d <= last else None


# Periods are (first month, number of months) inside a year; "pos" is start / mid / end.
PERIOD_MONTHS = {"month": 1, "quarter": 3, "half": 6, "year": 12}


def period_point(y: int, first_month: int, kind: str, pos: str) -> date | None:
    months = PERIOD_MONTHS[kind]
    if pos == "start":
        return date(y, first_month, 1)
    if pos == "end":
        return month_end(*shift_month(y, first_month, months - 1))
    return date(y, first_month, 15) if kind == "month" else None  # mid-quarter/year: no rule


def known_point(y: int, first_month: int, kind: str, pos: str) -> date:
    """``period_point`` where the caller knows there is one (start or end, or mid-month)."""
    value = period_point(y, first_month, kind, pos)
    assert value is not None
    return value


def period_first_month(today: date, kind: str, offset: int) -> tuple[int, int]:
    """Return (year, first month) of the period containing today, shifted by offset periods."""
    months = PERIOD_MONTHS[kind]
    current = (today.month - 1) // months * months + 1
    return shift_month(today.year, current, offset * months)


def bare_point(today: date, kind: str, pos: str) -> tuple[date, bool] | None:
    """Return the point of the current period, or of the next when it is past (and say it rolled)."""
    y, m = period_first_month(today, kind, 0)
    value = period_point(y, m, kind, pos)
    if value is None:
        return None
    if value >= today:
        return value, False
    return known_point(*period_first_month(today, kind, 1), kind, pos), True


def period_bounds(y: int, first_month: int, kind: str) -> tuple[date, date]:
    return known_point(y, first_month, kind, "start"), known_point(y, first_month, kind, "end")


# --------------------------------------------------------------------------------------------
# The lunar calendar and the solar terms (lunar-python computes them; results are cached)
# --------------------------------------------------------------------------------------------

_LUNAR_LOCK = threading.Lock()  # lunar-python caches years in class-level dicts


@lru_cache(maxsize=4096)
def lunar_to_solar(year: int, month: int, day: int, leap: bool = False) -> date | None:
    """Return the Gregorian date of a lunar date (month 1-12, leap = the 闰 month), or None."""
    if not (1 <= month <= 12 and 1 <= day <= 30):
        return None
    with _LUNAR_LOCK:
        lunar_month = LunarYear.fromYear(year).getMonth(-month if leap else month)
        if lunar_month is None or day > lunar_month.getDayCount():
            return None  # no 闰 month that year, or 三十 in a 29-day month
        solar = Lunar.fromYmd(year, -month if leap else month, day).getSolar()
    return date(solar.getYear(), solar.getMonth(), solar.getDay())


@lru_cache(maxsize=512)
def _solar_terms(lunar_year: int) -> dict[str, date]:
    with _LUNAR_LOCK:
        table = Lunar.fromYmd(lunar_year, 1, 1).getJieQiTable()
        out: dict[str, date] = {}
        for name, solar in table.items():
            if isinstance(solar, Solar) and not name.isascii():
                out.setdefault(name, date(solar.getYear(), solar.getMonth(), solar.getDay()))
    return out


def solar_term(name: str, year: int) -> date | None:
    """Return the day of a solar term (清明, 冬至…) in the Gregorian year."""
    for lunar_year in (year, year + 1, year - 1):
        value = _solar_terms(lunar_year).get(name)
        if value is not None and value.year == year:
            return value
    return None


# --------------------------------------------------------------------------------------------
# Festivals: (kind, args). kind "solar" (month, day), "lunar" (lunar month, day), "eve" (the day
# before the lunar new year), "term" (solar term), "nth" (month, weekday, n, days after),
# "easter" (days after Easter Sunday).
# --------------------------------------------------------------------------------------------

FESTIVALS: dict[str, tuple[str, tuple[int | str, ...]]] = {
    "new_year": ("solar", (1, 1)),
    "spring": ("lunar", (1, 1)),
    "spring_eve": ("eve", ()),
    "lantern": ("lunar", (1, 15)),
    "dragon_head": ("lunar", (2, 2)),
    "qingming": ("term", ("清明",)),
    "labour": ("solar", (5, 1)),
    "dragon_boat": ("lunar", (5, 5)),
    "qixi": ("lunar", (7, 7)),
    "ghost": ("lunar", (7, 15)),
    "mid_autumn": ("lunar", (8, 15)),
    "national": ("solar", (10, 1)),
    "double_ninth": ("lunar", (9, 9)),
    "laba": ("lunar", (12, 8)),
    "little_new_year": ("lunar", (12, 23)),
    "winter_solstice": ("term", ("冬至",)),
    "valentine": ("solar", (2, 14)),
    "women": ("solar", (3, 8)),
    "arbor": ("solar", (3, 12)),
    "fools": ("solar", (4, 1)),
    "youth": ("solar", (5, 4)),
    "children": ("solar", (6, 1)),
    "party": ("solar", (7, 1)),
    "army": ("solar", (8, 1)),
    "teachers": ("solar", (9, 10)),
    "halloween": ("solar", (10, 31)),
    "singles": ("solar", (11, 11)),
    "double_twelve": ("solar", (12, 12)),
    "christmas_eve": ("solar", (12, 24)),
    "christmas": ("solar", (12, 25)),
    "boxing": ("solar", (12, 26)),
    "new_years_eve": ("solar", (12, 31)),
    "independence": ("solar", (7, 4)),
    "patrick": ("solar", (3, 17)),
    "veterans": ("solar", (11, 11)),
    "juneteenth": ("solar", (6, 19)),
    "earth": ("solar", (4, 22)),
    "groundhog": ("solar", (2, 2)),
    "thanksgiving": ("nth", (11, 3, 4, 0)),
    "black_friday": ("nth", (11, 3, 4, 1)),
    "cyber_monday": ("nth", (11, 3, 4, 4)),
    "mothers": ("nth", (5, 6, 2, 0)),
    "fathers": ("nth", (6, 6, 3, 0)),
    "memorial": ("nth", (5, 0, -1, 0)),
    "labor_us": ("nth", (9, 0, 1, 0)),
    "mlk": ("nth", (1, 0, 3, 0)),
    "presidents": ("nth", (2, 0, 3, 0)),
    "columbus": ("nth", (10, 0, 2, 0)),
    "easter": ("easter", (0,)),
    "good_friday": ("easter", (-2,)),
    "easter_monday": ("easter", (1,)),
    "palm_sunday": ("easter", (-7,)),
    "maundy_thursday": ("easter", (-3,)),
    "holy_saturday": ("easter", (-1,)),
    "ash_wednesday": ("easter", (-46,)),
    "shrove_tuesday": ("easter", (-47,)),
    "ascension": ("easter", (39,)),
    "pentecost": ("easter", (49,)),
    "whit_monday": ("easter", (50,)),
    "trinity_sunday": ("easter", (56,)),
    "consumer_rights": ("solar", (3, 15)),
    "canada": ("solar", (7, 1)),
    "remembrance": ("solar", (11, 11)),
    "australia": ("solar", (1, 26)),
    "anzac": ("solar", (4, 25)),
    "bastille": ("solar", (7, 14)),
    "cinco": ("solar", (5, 5)),
    "epiphany": ("solar", (1, 6)),
    "all_saints": ("solar", (11, 1)),
    "guy_fawkes": ("solar", (11, 5)),
    "mothering": ("easter", (-21,)),
}

# The other solar terms (节气), by the names they go by in Chinese.
SOLAR_TERMS = {"lichun": "立春", "jingzhe": "惊蛰", "chunfen": "春分", "guyu": "谷雨", "lixia": "立夏",
               "mangzhong": "芒种", "xiazhi": "夏至", "xiaoshu": "小暑", "dashu": "大暑", "liqiu": "立秋",
               "chushu": "处暑", "bailu": "白露", "qiufen": "秋分", "hanlu": "寒露", "shuangjiang": "霜降",
               "lidong": "立冬", "xiaohan": "小寒", "dahan": "大寒"}
FESTIVALS.update({key: ("term", (name,)) for key, name in SOLAR_TERMS.items()})

# The festivals with an official holiday in China, and the holiday period each belongs to.
OFFICIAL = {"new_year": "new_year", "spring": "spring", "spring_eve": "spring", "qingming": "qingming",
            "labour": "labour", "dragon_boat": "dragon_boat", "mid_autumn": "mid_autumn",
            "national": "national"}


@lru_cache(maxsize=4096)
def festival_in_year(key: str, year: int) -> date | None:
    """Return the festival's day in the Gregorian year, or None (a lunar day outside that year)."""
    kind, args = FESTIVALS[key]
    if kind == "solar":
        return safe_date(year, int(args[0]), int(args[1]))
    if kind == "lunar":
        # A lunar festival belongs to the lunar year that starts in this Gregorian year, or (腊八, 小年,
        # late in the lunar year) to the one that started in the previous Gregorian year.
        for lunar_year in (year, year - 1):
            value = lunar_to_solar(lunar_year, int(args[0]), int(args[1]))
            if value is not None and value.year == year:
                return value
        return None
    if kind == "eve":
        new_year = lunar_to_solar(year, 1, 1)
        return None if new_year is None else new_year - timedelta(days=1)
    if kind == "term":
        return solar_term(str(args[0]), year)
    if kind == "nth":
        month, wd, n, after = (int(a) for a in args)
        value = nth_weekday(year, month, wd, n)
        return None if value is None else value + timedelta(days=after)
    return easter(year) + timedelta(days=int(args[0]))  # "easter"


def next_festival(key: str, today: date, *, strict: bool = False) -> date:
    """Return the festival's next day on or after today (strictly after when strict)."""
    for year in range(today.year - 1, today.year + 3):
        value = festival_in_year(key, year)
        if value is not None and (value > today or (value == today and not strict)):
            return value
    raise ValueError(key)  # unreachable: every festival happens every year


def last_festival(key: str, today: date) -> date:
    """Return the festival's last day strictly before today."""
    for year in range(today.year + 1, today.year - 3, -1):
        value = festival_in_year(key, year)
        if value is not None and value < today:
            return value
    raise ValueError(key)


def official_period(key: str, day: date, *, estimate: bool = False) -> tuple[date, date] | None:
    """Return the official days off around the festival day, or None when the year's schedule is unknown.

    With estimate, a year whose schedule is not published yet gets the library's estimate: the statutory
    days off and the weekend next to them, without the make-up working days (调休) the notice will add.
    """
    if key not in OFFICIAL or not (estimate or official_schedule_known(day.year)):
        return None
    # 除夕 was a working day in some years: its holiday is the Spring Festival's, the next day's.
    return holiday_period(day + timedelta(days=1) if key == "spring_eve" else day)
