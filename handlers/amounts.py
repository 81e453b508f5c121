"""Money and percentages as people type them: 1,200,000 / 120万 / 1.2亿 / $50k / 30%."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

# The largest amount we accept: beyond this it is a typo, not a contract.
MAX_AMOUNT = Decimal("1000000000000")  # 1万亿

CURRENCIES = {
    "CNY", "RMB", "USD", "EUR", "GBP", "JPY", "HKD", "SGD", "AUD", "CAD", "CHF", "KRW", "TWD", "INR", "RUB",
}
_CURRENCY_ALIASES = {"RMB": "CNY", "元": "CNY", "人民币": "CNY", "美元": "USD", "欧元": "EUR", "港币": "HKD",
                     "日元": "JPY", "英镑": "GBP"}
_SYMBOLS = {"¥": "CNY", "￥": "CNY", "$": "USD", "€": "EUR", "£": "GBP"}
_MULTIPLIERS = {
    "": Decimal(1), "k": Decimal(1000), "千": Decimal(1000), "w": Decimal(10000), "万": Decimal(10000),
    "m": Decimal(1000000), "mm": Decimal(1000000), "百万": Decimal(1000000), "亿": Decimal(100000000),
    "b": Decimal(1000000000),
}

_NUMBER = r"[-−]?\d[\d,]*(?:\.\d+)?"
_CODE = "|".join(sorted(CURRENCIES, key=len, reverse=True))
AMOUNT_RE = re.compile(
    rf"(?<![\w.\-/])(?P<sym>[¥￥$€£])?\s?(?P<num>{_NUMBER})\s?(?P<mult>百万|万|亿|千|mm|[kKwWmMbB])?"
    rf"(?:\s?(?P<cur>{_CODE}|元|人民币|美元|欧元|港币|日元|英镑)(?![A-Za-z]))?"
    rf"(?![\w%.\-/年月日号])",
    re.IGNORECASE,
)
PERCENT_RE = re.compile(rf"(?<![\w.])(?P<num>{_NUMBER})\s?[%％]")
CURRENCY_RE = re.compile(rf"(?<![A-Za-z])(?P<cur>{_CODE})(?![A-Za-z])", re.IGNORECASE)


@dataclass(frozen=True)
class Money:
    """An amount found in text, with its currency when one was written."""

    amount: Decimal
    currency: str | None
    start: int
    end: int


@dataclass(frozen=True)
class Percent:
    """A percentage found in text."""

    value: Decimal
    start: int
    end: int


def _decimal(num: str) -> Decimal | None:
    try:
        return Decimal(num.replace(",", "").replace("−", "-"))
    except InvalidOperation:
        return None


def normalize_currency(code: str) -> str:
    """Map RMB/元/美元... to an ISO 4217 code."""
    up = code.upper()
    return _CURRENCY_ALIASES.get(code, _CURRENCY_ALIASES.get(up, up))


def find_percent(text: str) -> Percent | None:
    """Find the first percentage in text."""
    m = PERCENT_RE.search(text)
    if not m:
        return None
    value = _decimal(m.group("num"))
    if value is None:
        return None
    return Percent(value, m.start(), m.end())


def find_money(text: str) -> Money | None:
    """Find the first amount of money in text (a bare number counts)."""
    for m in AMOUNT_RE.finditer(text):
        value = _decimal(m.group("num"))
        if value is None:
            continue
        mult = (m.group("mult") or "").lower()
        value = value * _MULTIPLIERS.get(mult, Decimal(1))
        cur = m.group("cur") or (_SYMBOLS.get(m.group("sym")) if m.group("sym") else None)
        return Money(quantize(value), normalize_currency(cur) if cur else None, m.start(), m.end())
    return None


def find_currency(text: str) -> tuple[str, int, int] | None:
    """Find a stand-alone currency code such as CNY or USD."""
    m = CURRENCY_RE.search(text)
    if not m:
        return None
    return normalize_currency(m.group("cur")), m.start(), m.end()


def parse_money(text: str) -> Money | None:
    """Parse text that is nothing but an amount; None when anything else is there."""
    m = find_money(text.strip())
    if m is None or m.start != 0 or m.end != len(text.strip()):
        return None
    return m


def quantize(value: Decimal) -> Decimal:
    """Round money to cents."""
    return value.quantize(Decimal("0.01"))


def format_money(value: Decimal | None, currency: str) -> str:
    """Render an amount with thousands separators and its currency: 1,200,000.00 CNY."""
    if value is None:
        return "-"
    return f"{quantize(value):,} {currency}"
