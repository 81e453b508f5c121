"""Date arithmetic and percentiles that SQLite and PostgreSQL spell differently, as SQLAlchemy Core expressions.

Reports are computed by the database (group by, window functions); these helpers keep the two back ends'
spelling in one place. ``dialect`` is ``session.get_bind().dialect.name``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Date, Integer, cast, func, type_coerce
from sqlalchemy.sql.elements import ColumnElement


def local_day(dialect: str, instant: Any, tz: str, offset_minutes: int) -> ColumnElement[Any]:
    """The calendar day of a UTC instant column in a zone.

    PostgreSQL converts with the zone's rules; SQLite only knows fixed offsets, so it gets the zone's offset
    at the report's date (exact for zones without daylight saving, such as Asia/Shanghai).
    """
    if dialect == "sqlite":
        return func.date(instant, f"{offset_minutes:+d} minutes", type_=Date)
    return cast(func.timezone(tz, func.timezone("UTC", instant)), Date)


def day_diff(dialect: str, later: Any, earlier: Any) -> ColumnElement[int]:
    """Whole days from ``earlier`` to ``later`` (two date expressions); negative when later is earlier."""
    if dialect == "sqlite":
        return cast(func.julianday(later) - func.julianday(earlier), Integer)
    return type_coerce(later - earlier, Integer)  # date - date is an integer in PostgreSQL


def add_days(dialect: str, day: Any, days: Any) -> ColumnElement[Any]:
    """A date expression moved by an integer expression of days."""
    if dialect == "sqlite":
        return func.date(day, func.printf("%+d days", days), type_=Date)
    return type_coerce(day + cast(days, Integer), Date)


def positive(dialect: str, value: Any) -> ColumnElement[Any]:
    """``value`` when above zero, else zero (NULL stays NULL in SQLite; sums skip it either way).

    One expression, so a correlated subquery inside ``value`` runs once per row (``CASE WHEN v > 0 THEN v``
    runs it twice).
    """
    if dialect == "sqlite":
        return func.max(value, 0)  # the two-argument max is SQLite's scalar maximum
    return func.greatest(value, 0)
