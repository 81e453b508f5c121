"""Numeric dates: ISO, month/day (day/month where only that is possible), compact and spaced forms."""

from __future__ import annotations

import re
from datetime import date

from .calendar import safe_date
from .core import MON, NB, NE, MonthDay, Res, Rule, month_day, month_from_en, note, rule, with_notes


def _year(s: str | None) -> int | None:
    """Four digits as written; two digits are 20xx."""
    if not s:
        return None
    return int(s) if len(s) == 4 else 2000 + int(s)


def _r_iso(m: re.Match[str], today: date) -> Res | None:
    value = safe_date(int(m["y"]), int(m["m"]), int(m["d"]))
    return Res(value) if value else None


def _r_compact(m: re.Match[str], today: date) -> Res | None:
    value = safe_date(int(m["y"]), int(m["m"]), int(m["d"]))
    return Res(value, strong=False) if value else None


def _r_numeric(m: re.Match[str], today: date) -> Res | None:
    """Read 2/15, 15/2, 2-15, 3/3/15, 21/04/2027: month first unless only day-first is possible."""
    a, b = int(m["a"]), int(m["b"])
    year = _year(m["y"])
    order: str | None
    if a > 12 and 1 <= b <= 12:
        month, day, order = b, a, "date.note.day_first"
    elif 1 <= a <= 12:
        month, day, order = a, b, ("date.note.month_first" if b <= 12 and a != b else None)
    else:
        return None
    res = month_day(m[0], today, year, month, day)
    if res is None:
        return None
    notes = []
    if order:
        notes.append(note(order, phrase=m[0], md=MonthDay(month, day)))
    if m["y"] and len(m["y"]) == 2:
        notes.append(note("date.note.two_digit_year", phrase=m[0], year=year))
    # "2-3" or "2 - 3" in a command is as likely a range as a date
    strong = m["sep"] == "/" or bool(m["y"])
    res = Res(res.value, tuple(notes) + res.notes, strong)
    return res


def _r_dotted(m: re.Match[str], today: date) -> Res | None:
    """Read 15.03.2027 / 01.04.27 day-first, as everywhere dots separate a day, a month and a year."""
    day, month, year = int(m["a"]), int(m["b"]), _year(m["y"])
    res = month_day(m[0], today, year, month, day)
    if res is None:
        return None
    notes = [note("date.note.day_month_year", phrase=m[0], md=MonthDay(month, day))] if day <= 12 and day != month else []
    if m["y"] and len(m["y"]) == 2:
        notes.append(note("date.note.two_digit_year", phrase=m[0], year=year))
    return Res(res.value, tuple(notes))


def _r_day_mon_year(m: re.Match[str], today: date) -> Res | None:
    res = month_day(m[0], today, _year(m["y"]), month_from_en(m["mon"]), int(m["d"]))
    if res is None or not (m["y"] and len(m["y"]) == 2):
        return res
    return with_notes(res, note("date.note.two_digit_year", phrase=m[0], year=_year(m["y"])))


_TAIL = r"(?![\d天日号个周月年点时分%万亿千百元块]|[.,/\-:]\d)"

RULES: list[Rule] = [
    rule(_r_iso, rf"{NB}(?P<y>\d{{4}})(?P<sep>[-/.])(?P<m>\d{{1,2}})(?P=sep)(?P<d>\d{{1,2}}){NE}"),
    rule(_r_iso, r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})t\d{1,2}:\d{2}(?::\d{2})?(?:z|[+\-]\d{2}:?\d{2})?",
         search=False),  # an ISO timestamp: its date
    rule(_r_iso, r"(?P<y>(?:19|20|21)\d{2})\s(?P<m>\d{1,2})\s(?P<d>\d{1,2})", search=False),  # 2027 03 15
    rule(_r_iso, r"(?P<y>\d{4})\s?(?P<sep>[-/.])\s?(?P<m>\d{1,2})\s?(?P=sep)\s?(?P<d>\d{1,2})", search=False),
    rule(_r_compact, rf"{NB}(?P<y>(?:19|20|21)\d{{2}})(?P<m>0[1-9]|1[0-2])(?P<d>0[1-9]|[12]\d|3[01])(?![\d%万亿千百元块])"),
    rule(_r_numeric, rf"{NB}(?P<a>\d{{1,2}})(?P<sep>/|-)(?P<b>\d{{1,2}})(?:(?P=sep)(?P<y>\d{{4}}|\d{{2}}))?{_TAIL}"),
    rule(_r_numeric, rf"{NB}(?P<a>\d{{1,2}})\s?(?P<sep>/)\s?(?P<b>\d{{1,2}})(?:\s?/\s?(?P<y>\d{{4}}|\d{{2}}))?{_TAIL}",
         search=False),  # 2 / 15
    rule(_r_numeric, r"(?P<a>\d{1,2})\s(?P<sep>-)\s(?P<b>\d{1,2})(?P<y>)", search=False),  # 2 - 15: a range in a command
    rule(_r_dotted, rf"{NB}(?P<a>\d{{1,2}})\.(?P<b>\d{{1,2}})\.(?P<y>\d{{4}}|\d{{2}}){_TAIL}"),
    rule(_r_numeric, r"(?P<a>\d{1,2})(?P<sep>\.)(?P<b>\d{1,2})(?P<y>)", search=False),  # 3.15: a decimal in a command
    rule(_r_day_mon_year, rf"{NB}(?P<d>\d{{1,2}})(?P<sep>[-/]){MON}(?P=sep)(?P<y>\d{{4}}|\d{{2}}){NE}"),
    # 5-Mar / Mar-05: a day and a month name joined by a hyphen
    rule(_r_day_mon_year, rf"{NB}(?P<d>\d{{1,2}})-{MON}(?P<y>)(?![a-z\-/]|[.,]?\d)"),
    rule(_r_day_mon_year, rf"(?<![a-z\d]){MON}-(?P<d>\d{{1,2}})(?P<y>){NE}"),
]
