"""The dateparser fallback, for the phrases no rule reads (languages en+zh, never auto-detected)."""

from __future__ import annotations

import re
from datetime import date, datetime
from functools import lru_cache

from dateparser.date import DateDataParser

from .phrases import EVENT_ANYWHERE

_DP_SETTINGS = {"PREFER_DATES_FROM": "future", "RETURN_AS_TIMEZONE_AWARE": False}
_HAS_WORD = re.compile(r"[a-z\u3400-\u9fff]")
_MAX_CHARS = 80
_NUMERIC_DATE = re.compile(r"\d{1,4}[./\-]\d{1,2}[./\-]\d{1,4}")  # 15.03.2027 and other orders
_TWO_DIGIT_YEAR = re.compile(r"(?<![\d'])'?\d{2}(?!\d)")
# What dateparser misreads: a number glued to letters ("2day" as two days, "15h" as a date), a month
# alone or one past 12 ("13月" as March 1st).
# A fraction of a unit ("in 2.5 weeks", "1.5天后") names no day either.
_MISREAD = re.compile(r"\d(?!st|nd|rd|th|am|pm|a\.m|p\.m)[a-z]|(?<![a-z])[a-z]+\d|\d+\s*月(?!\s*(?:\d|[一二三四五六七八九十廿卅初]))"
                      r"|\d\.\d+\s*(?:[a-z]|[天日周星礼月年小])")


@lru_cache(maxsize=16)
def parser_for(base: datetime) -> DateDataParser:
    """Return a cached parser for this naive RELATIVE_BASE (minute resolution)."""
    # dateparser fixes RELATIVE_BASE when the parser is built; its language data is loaded
    # once per process (class level), so a parser per minute is cheap and thread-safe.
    return DateDataParser(languages=["en", "zh"], settings={**_DP_SETTINGS, "RELATIVE_BASE": base})


def read(s: str, local_now: datetime) -> date | None:
    """Ask dateparser about a normalised phrase; None for bare numbers, paragraphs and event offsets."""
    if not (_HAS_WORD.search(s) or _NUMERIC_DATE.fullmatch(s)):
        return None  # 30%, 5, 2027: dateparser would turn bare numbers into dates
    if len(s) > _MAX_CHARS or EVENT_ANYWHERE.search(s) or _MISREAD.search(s):
        return None  # a paragraph is not a date phrase; 验收后30天 is counted from an event
    base = local_now.replace(tzinfo=None, second=0, microsecond=0)
    data = parser_for(base).get_date_data(s)
    # "March" / "2027" / "3月" come back as period month/year with today's day filled in.
    if data.date_obj is None or data.period not in ("day", "week"):
        return None
    value: date = data.date_obj.date()
    if value.year >= 2100 and _TWO_DIGIT_YEAR.search(s):
        value = value.replace(year=value.year - 100)  # two-digit years are 20xx, never 21xx
    return value
