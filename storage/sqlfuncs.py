"""Date arithmetic and percentiles that SQLite and PostgreSQL spell differently, as SQLAlchemy Core expressions.

Reports are computed by the database (group by, window functions); these helpers keep the two back ends'
spelling in one place. ``dialect`` is ``session.get_bind().dialect.name``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Date, Integer, case, cast, func, literal, select, type_coerce
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


def nearest_rank(values: Any, value: str, groups: list[str]) -> Any:
    """Per group: count, median and 90th percentile of ``value`` in the subquery ``values`` (nearest rank).

    The p-th percentile of n sorted values is the value at rank ceil(p * n): rank (n + 1) // 2 for the median
    and (9n + 9) // 10 for the 90th percentile. Returns a select of (*groups, n, median, p90).
    """
    v = values.c[value]
    keys = [values.c[g] for g in groups]
    ranked = select(
        *keys, v.label("v"),
        func.row_number().over(partition_by=keys or None, order_by=v).label("rn"),
        func.count().over(partition_by=keys or None).label("n"),
    ).subquery()
    rkeys = [ranked.c[g] for g in groups]
    n = ranked.c.n
    return select(
        *rkeys, n,
        func.min(case((ranked.c.rn == (n + literal(1)) // literal(2), ranked.c.v))).label("median"),
        func.min(case((ranked.c.rn == (n * literal(9) + literal(9)) // literal(10), ranked.c.v))).label("p90"),
    ).group_by(*rkeys, n)
