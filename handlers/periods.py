"""Report periods as people type them: this month, Q1, 2027, 上个月, 本季度, last 30 days, 2027-03, from … to ….

``read_period`` finds one period phrase in a text and returns the local days it covers (both ends included)
and the rest of the text (the filters). Nothing here guesses: a text with no period phrase has none.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from handlers.numerals import cn_int

_MONTHS_EN = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_MONTHS_EN.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
_MONTH_WORD = "|".join(sorted(_MONTHS_EN, key=len, reverse=True))
_EN_NUM = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve".split())}
_CN_NUM = r"[0-9一二三四五六七八九十两〇零]{1,3}"


def to_int(text: str) -> int | None:
    """A whole number written in digits, in Chinese or as an English word up to twelve."""
    text = text.strip().lstrip("'")
    return _EN_NUM.get(text.lower()) if text.lower() in _EN_NUM else cn_int(text)


@dataclass(frozen=True)
class Period:
    """Local days from ``start`` to ``end`` (both included) and how to name them."""

    start: date
    end: date
    kind: str  # month | quarter | year | week | days | range
    # words that name it: year, month, quarter, days (filled in by the reader)
    year: int = 0
    number: int = 0

    def label(self, lang: str) -> str:
        """A short name of the period in the user's language."""
        if self.kind == "month":
            return f"{self.year}年{self.number}月" if lang == "zh" else f"{calendar.month_name[self.number]} {self.year}"
        if self.kind == "quarter":
            return f"{self.year}年第{self.number}季度" if lang == "zh" else f"Q{self.number} {self.year}"
        if self.kind == "year":
            return f"{self.year}年" if lang == "zh" else str(self.year)
        if self.kind == "days":
            return f"最近 {self.number} 天" if lang == "zh" else f"last {self.number} days"
        if self.kind == "ytd":
            return f"{self.year}年初至今" if lang == "zh" else f"{self.year} to date"
        return f"{self.start.isoformat()} – {self.end.isoformat()}"


def month(year: int, number: int) -> Period:
    """A calendar month."""
    last = calendar.monthrange(year, number)[1]
    return Period(date(year, number, 1), date(year, number, last), "month", year, number)


def quarter(year: int, number: int) -> Period:
    """A calendar quarter."""
    first = 3 * (number - 1) + 1
    last = calendar.monthrange(year, first + 2)[1]
    return Period(date(year, first, 1), date(year, first + 2, last), "quarter", year, number)


def year(y: int) -> Period:
    """A calendar year."""
    return Period(date(y, 1, 1), date(y, 12, 31), "year", y)


def _shift_month(today: date, k: int) -> Period:
    index = today.year * 12 + today.month - 1 + k
    return month(index // 12, index % 12 + 1)


def _shift_quarter(today: date, k: int) -> Period:
    index = today.year * 4 + (today.month - 1) // 3 + k
    return quarter(index // 4, index % 4 + 1)


def _week(today: date, k: int) -> Period:
    monday = today - timedelta(days=today.weekday()) + timedelta(weeks=k)
    return Period(monday, monday + timedelta(days=6), "range")


_OFFSET = {"this": 0, "current": 0, "last": -1, "previous": -1, "prior": -1, "past": -1, "next": 1,
           "本": 0, "这个": 0, "这": 0, "当": 0, "今": 0, "上": -1, "上个": -1, "上一个": -1, "上一": -1, "前一": -1,
           "下": 1, "下个": 1, "下一个": 1, "下一": 1, "去": -1, "明": 1}


def _year_of(text: str | None, today: date) -> int | None:
    if not text:
        return None
    value = to_int(text)
    if value is None:
        return None
    return value + 2000 if value < 100 else value


def _relative(m: re.Match[str], today: date) -> Period | None:
    off = _OFFSET[m["off"].lower()]
    unit = m["unit"].lower()
    if unit in ("month", "月", "个月", "月份"):
        return _shift_month(today, off)
    if unit in ("quarter", "季度", "个季度", "季"):
        return _shift_quarter(today, off)
    if unit in ("year", "年", "年度"):
        return year(today.year + off)
    return _week(today, off)


def _quarter(m: re.Match[str], today: date) -> Period | None:
    g = m.groupdict()
    q, y = g.get("q") or g.get("q2"), g.get("y") or g.get("y2")
    n = to_int(q) if q else None
    if n is None or not 1 <= n <= 4:
        return None
    return quarter(_year_of(y, today) or today.year, n)


def _half(m: re.Match[str], today: date) -> Period | None:
    g = m.groupdict()
    y = _year_of(g.get("y") or g.get("y2"), today) or today.year
    first = (g.get("h") or g.get("h2") or "").lower() in ("上", "h1")
    return Period(date(y, 1, 1), date(y, 6, 30), "range") if first else Period(date(y, 7, 1), date(y, 12, 31), "range")


def _month_number(m: re.Match[str], today: date) -> Period | None:
    n = to_int(m["m"]) if m["m"] else None
    if n is None and m["name"]:
        n = _MONTHS_EN.get(m["name"].lower())
    if n is None or not 1 <= n <= 12:
        return None
    return month(_year_of(m["y"], today) or today.year, n)


def _year(m: re.Match[str], today: date) -> Period | None:
    y = _year_of(m["y"], today)
    return year(y) if y and 2000 <= y <= 2100 else None


def _last_days(m: re.Match[str], today: date) -> Period | None:
    g = m.groupdict()
    raw, unit = g.get("n") or g.get("n2") or "", (g.get("unit") or g.get("unit2") or "").lower()
    n = to_int(raw)
    if n is None or n <= 0:
        return None
    per = 7 if unit.startswith(("week", "周", "个星期", "星期")) else 30 if unit.startswith(("month", "个月", "月")) else 1
    if n * per > 3660:
        return None
    return Period(today - timedelta(days=n * per - 1), today, "days", number=n * per)


def _ytd(m: re.Match[str], today: date) -> Period | None:
    return Period(date(today.year, 1, 1), today, "ytd", today.year)


def _iso_range(m: re.Match[str], today: date) -> Period | None:
    try:
        a, b = date.fromisoformat(m["a"]), date.fromisoformat(m["b"])
    except ValueError:
        return None
    return Period(min(a, b), max(a, b), "range") if (b - a).days <= 3660 else None


_Y = r"(?P<y>(?:19|20)\d\d|'?\d\d)"
_RULES: list[tuple[re.Pattern[str], Callable[[re.Match[str], date], Period | None]]] = [
    (re.compile(r"(?:from\s+|从\s*)?(?P<a>\d{4}-\d{1,2}-\d{1,2})\s*(?:to|until|till|-|–|~|至|到)\s*(?P<b>\d{4}-\d{1,2}-\d{1,2})",
                re.I), _iso_range),
    (re.compile(r"\b(?:ytd|year[\s-]+to[\s-]+date)\b|年初至今|今年以来|本年迄今", re.I), _ytd),
    (re.compile(r"(?:(?:in\s+)?the\s+)?(?:last|past|previous)\s+(?P<n>\d{1,4}|\w+)\s*(?P<unit>days?|weeks?|months?)\b"
                r"|(?:最近|近|过去)\s*(?P<n2>" + _CN_NUM + r")\s*(?P<unit2>天|日|周|个星期|星期|个月|月)", re.I), _last_days),
    (re.compile(r"\b(?P<off>this|current|last|previous|prior|next)\s+(?P<unit>month|quarter|year|week)\b", re.I),
     _relative),
    (re.compile(r"(?P<off>上一个|下一个|上一|下一|前一|这个|上个|下个|本|这|当|上|下)\s*(?P<unit>个月|月份|月|个季度|季度|季|年度|周|星期|礼拜)"),
     _relative),
    (re.compile(r"(?P<off>今|去|明)(?P<unit>年)"), _relative),
    (re.compile(r"\b(?P<y>(?:19|20)\d\d)\s*[-\s]?\s*q(?P<q>[1-4])\b", re.I), _quarter),
    (re.compile(r"(?:" + _Y + r"\s*(?:年\s*)?)?(?:第\s*)?(?P<q>[1-4一二三四])\s*季度?"
                r"|\bq(?P<q2>[1-4])\b(?:\s*" + _Y.replace("?P<y>", "?P<y2>") + r")?", re.I), _quarter),
    (re.compile(r"(?:" + _Y + r"\s*年\s*)?(?P<h>上|下)半年|\b(?P<h2>h[12])\b(?:\s*(?P<y2>(?:19|20)\d\d))?", re.I), _half),
    (re.compile(r"\b(?P<y>(?:19|20)\d\d)[-/.](?P<m>0?[1-9]|1[0-2])\b(?![-/.]\d)"), _month_number),
    (re.compile(r"(?:" + _Y + r"\s*年\s*)?(?P<m>" + _CN_NUM + r")\s*月(?:份)?(?!\s*\d{1,2}\s*[日号])(?P<name>)"),
     _month_number),
    (re.compile(r"\b(?P<name>" + _MONTH_WORD + r")\.?(?:\s*,?\s*(?P<y>(?:19|20)\d\d))?\b(?P<m>)", re.I), _month_number),
    (re.compile(r"(?:\b|^)(?P<y>(?:19|20)\d\d)\s*(?:年(?:度)?)?(?!\s*[-/.年]?\s*\d)"), _year),
]


def read_period(text: str, today: date) -> tuple[Period | None, str]:
    """Find one period phrase in ``text``: (the period or None, the text without it)."""
    for pattern, resolver in _RULES:
        for m in pattern.finditer(text):
            found = resolver(m, today)
            if found is not None:
                rest = (text[:m.start()] + " " + text[m.end():]).strip()
                return found, re.sub(r"\s{2,}", " ", rest)
    return None, text.strip()


def this_month(today: date) -> Period:
    """The month of ``today`` (the report's default period)."""
    return month(today.year, today.month)
