"""Working days: weekends and public holidays from the maintained `holidays` library.

For China the library also knows the adjusted working weekends (调休, e.g. Sunday 2026-01-04, its
``weekend_workdays``) for the years whose official schedule it ships, and ``is_working_day`` honours them,
so "3个工作日后" across National Day lands where a Chinese office expects.
"""

from __future__ import annotations

import threading
from datetime import date, timedelta
from functools import cache

import holidays

# HolidayBase fills in years lazily on lookup (it mutates itself), so lookups are serialised.
_LOCK = threading.Lock()


@cache
def _calendar(country: str) -> holidays.HolidayBase:
    return holidays.country_holidays(country)


def is_working_day(d: date, *, country: str = "CN") -> bool:
    """Tell whether d is a working day (调休 working weekends count, public holidays do not)."""
    cal = _calendar(country.upper())
    with _LOCK:
        return bool(cal.is_working_day(d))


def business_days_after(start: date, n: int, *, country: str = "CN") -> date:
    """Return the n-th working day after start (n < 0 counts backwards, n == 0 gives start)."""
    step = timedelta(days=1 if n >= 0 else -1)
    d, remaining = start, abs(n)
    while remaining:
        d += step
        if is_working_day(d, country=country):
            remaining -= 1
    return d


def previous_working_day(d: date, *, country: str = "CN") -> date:
    """Return d if it is a working day, else the last working day before it."""
    # "On or before", so a reminder day can be passed through unconditionally.
    while not is_working_day(d, country=country):
        d -= timedelta(days=1)
    return d


def warm_up(country: str = "CN") -> None:
    """Load this year's holiday table now rather than on a user's first command."""
    is_working_day(date.today(), country=country)
