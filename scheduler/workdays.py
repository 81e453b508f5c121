"""Working days: weekends and public holidays from the maintained `holidays` library.

For China the library also knows the adjusted working weekends (调休, e.g. Sunday 2026-01-04, its
``weekend_workdays``) for the years whose official schedule it ships, and ``is_working_day`` honours them,
so "3个工作日后" across National Day lands where a Chinese office expects.

``holiday_period`` gives the official run of days off around a public holiday (weekends and 调休 days off
included), which "节前" / "节后" count from; ``official_schedule_known`` tells whether the library ships the
State Council's schedule for a year (later years are its estimate, without 调休).
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


# --------------------------------------------------------------------------------------------
# Official holiday periods (节前 / 节后): the run of days off around a public holiday
# --------------------------------------------------------------------------------------------


def official_schedule_known(year: int, *, country: str = "CN") -> bool:
    """Tell whether the library ships the official holiday schedule (with 调休 days) for year."""
    if country.upper() != "CN":
        return True  # other countries have no make-up working days: the rules are the schedule
    return year in _cn_official_years()


@cache
def _cn_official_years() -> frozenset[int]:
    # The years with a published State Council notice: the library lists their substituted days off
    # (调休). A later year's holidays are the library's estimate from the rules, without 调休.
    from holidays.countries.china import ChinaStaticHolidays

    return frozenset(getattr(ChinaStaticHolidays, "special_public_holidays", {}))


def holiday_period(day: date, *, country: str = "CN") -> tuple[date, date] | None:
    """Return the official run of days off that contains day (a public holiday), or None."""
    cal = _calendar(country.upper())
    with _LOCK:
        if day not in cal:
            return None
    first = last = day
    while not is_working_day(first - timedelta(days=1), country=country):
        first -= timedelta(days=1)
    while not is_working_day(last + timedelta(days=1), country=country):
        last += timedelta(days=1)
    return first, last


def next_working_day(d: date, *, country: str = "CN") -> date:
    """Return d if it is a working day, else the first working day after it."""
    while not is_working_day(d, country=country):
        d += timedelta(days=1)
    return d


def warm_up(country: str = "CN") -> None:
    """Load this year's holiday table now rather than on a user's first command."""
    is_working_day(date.today(), country=country)
