"""Working days: weekends and public holidays from the maintained `holidays` library.

For China the library also knows the adjusted working weekends (调休, e.g. Sunday 2026-01-04), and
``is_working_day`` honours them, so "3个工作日后" across National Day lands where a Chinese office expects.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays


@lru_cache(maxsize=32)
def _calendar(country: str, year: int) -> holidays.HolidayBase:
    # one calendar per (country, year); neighbouring years are loaded on demand
    return holidays.country_holidays(country, years=range(year - 1, year + 2))


def is_working_day(day: date, *, country: str = "CN") -> bool:
    """True on a working day: not a weekend (unless a 调休 working weekend) and not a public holiday."""
    return bool(_calendar(country, day.year).is_working_day(day))


def business_days_after(start: date, n: int, *, country: str = "CN") -> date:
    """The n-th working day after start (start itself never counts)."""
    day = start
    step = 1 if n >= 0 else -1
    left = abs(n)
    while left:
        day += timedelta(days=step)
        if is_working_day(day, country=country):
            left -= 1
    return day


def previous_working_day(day: date, *, country: str = "CN") -> date:
    """The day itself when it is a working day, else the closest working day before it."""
    while not is_working_day(day, country=country):
        day -= timedelta(days=1)
    return day


def warm_up(country: str = "CN") -> None:
    """Load this year's holiday tables now rather than on a user's first command."""
    _calendar(country, date.today().year)
