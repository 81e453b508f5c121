"""Money and percentages as people type them: 1,200,000 / 120万 / 1.2亿 / $50k / 30%."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from handlers.numerals import NUMERAL_CHARS, cn_int

# The largest amount we accept: beyond this it is a typo, not a contract.
MAX_AMOUNT = Decimal(1000000000000)  # 1万亿

CURRENCIES = {
    "CNY", "RMB", "USD", "EUR", "GBP", "JPY", "HKD", "SGD", "AUD", "CAD", "CHF", "KRW", "TWD", "INR", "RUB",
}
_CURRENCY_ALIASES = {"RMB": "CNY", "元": "CNY", "人民币": "CNY", "美元": "USD", "欧元": "EUR", "港币": "HKD",
                     "日元": "JPY", "英镑": "GBP"}
_SYMBOLS = {"¥": "CNY", "￥": "CNY", "$": "USD", "€": "EUR", "£": "GBP"}
_MULTIPLIERS = {
    "": Decimal(1), "k": Decimal(1000), "千": Decimal(1000), "w": Decimal(10000), "万": Decimal(10000),
    "m": Decimal(1000000), "mm": Decimal(1000000), "百万": Decimal(1000000), "亿": Decimal(100000000),
    "b": Decimal(1000000000), "thousand": Decimal(1000), "million": Decimal(1000000), "mn": Decimal(1000000),
    "billion": Decimal(1000000000), "bn": Decimal(1000000000),
}

# 1,200,000 / 1200000 / 1200000.50; commas must group by thousands ("1,5" is not a number we guess at)
_NUMBER = r"[-−]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
_CODE = "|".join(sorted(CURRENCIES, key=len, reverse=True))
AMOUNT_RE = re.compile(
    rf"(?<![A-Za-z0-9_.\-/])(?<!\d,)(?P<sym>[¥￥$€£])?\s?(?P<num>{_NUMBER})\s?"
    rf"(?P<mult>百万|万|亿|千|million|thousand|billion|mn|bn|mm|[kKwWmMbB](?![A-Za-z]))?"
    rf"(?:\s?(?P<cur>{_CODE}|元|块|人民币|美元|欧元|港币|日元|英镑)(?![A-Za-z]))?"
    rf"(?![A-Za-z0-9_%.\-/年月日号]|,\d)",
    re.IGNORECASE,
)
# the currency written first: RMB 200k, USD 80,000, 人民币 50万
PREFIX_AMOUNT_RE = re.compile(
    rf"(?<![A-Za-z])(?P<cur>{_CODE}|人民币)\s?(?P<num>{_NUMBER})\s?(?P<mult>百万|万|亿|千|mm|[kKwWmMbB])?"
    rf"(?![\w%.\-/年月日号]|,\d)",
    re.IGNORECASE,
)
# 八十万 / 二十万元 / 人民币捌拾万元整 (大写, as written on contracts and cheques)
CN_AMOUNT_RE = re.compile(
    rf"(?<![{NUMERAL_CHARS}A-Za-z0-9])(?P<neg>负)?(?:人民币)?(?P<num>[{NUMERAL_CHARS}]+?)(?P<unit>万元|亿元|万|亿|元|圆|块)整?(?![A-Za-z0-9])"
)
CN_COMPOUND_RE = re.compile(
    rf"(?<![{NUMERAL_CHARS}A-Za-z0-9])(?P<neg>负)?(?:人民币)?(?P<num>[{NUMERAL_CHARS}]+万[{NUMERAL_CHARS}]*[千仟百佰]"
    rf"[{NUMERAL_CHARS}]*)(?P<unit>元|圆|块)?整?(?![A-Za-z0-9])"
)
PERCENT_RE = re.compile(rf"(?<![\w.])(?P<num>{_NUMBER})\s?[%％]|百分之(?P<cn>[\d.]+|[{NUMERAL_CHARS}]+)")
CURRENCY_RE = re.compile(rf"(?<![A-Za-z])(?P<cur>{_CODE})(?![A-Za-z])", re.IGNORECASE)
BAD_NUMBER_RE = re.compile(r"(?<![\w.,])\d+(?:,\d+)+(?:\.\d+)?(?![\d,])")
# words after which a number is an identifier, not money: order 1234, ISO 9001, phase 2, 第3期
_ID_BEFORE = re.compile(
    r"(?:order|po|invoice|inv|no\.?|number|id|iso|phase|stage|step|version|v|lot|batch|#|第|订单|编号|批次|型号)\s*$",
    re.IGNORECASE,
)
@dataclass(frozen=True)
class Money:
    """An amount found in text, with its currency when one was written."""

    amount: Decimal
    currency: str | None
    start: int
    end: int
    # written unmistakably as money: a currency, a symbol, a multiplier (万, k) or thousands separators
    strong: bool = True


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


def cn_number(text: str) -> int | None:
    """Read a Chinese numeral: 三百 -> 300, 两千五百 -> 2500, 三百万 -> 3000000, 捌拾万 -> 800000."""
    return cn_int(text)


def find_percent(text: str) -> Percent | None:
    """Find the first percentage in text (30%, 30％, 百分之三十)."""
    m = PERCENT_RE.search(text)
    if not m:
        return None
    if m.group("cn") is not None:
        raw = m.group("cn")
        value = _decimal(raw) if raw[0].isdigit() else (Decimal(n) if (n := cn_number(raw)) is not None else None)
    else:
        value = _decimal(m.group("num"))
    if value is None:
        return None
    return Percent(value, m.start(), m.end())


def money_candidates(text: str) -> list[Money]:
    """Every amount of money in text, in order (Arabic and Chinese numerals)."""
    found: list[Money] = []
    for m in AMOUNT_RE.finditer(text):
        value = _decimal(m.group("num"))
        if value is None:
            continue
        mult = (m.group("mult") or "").lower()
        value = value * _MULTIPLIERS.get(mult, Decimal(1))
        cur = m.group("cur") or (_SYMBOLS.get(m.group("sym")) if m.group("sym") else None)
        strong = bool(cur or mult or "," in m.group("num") or "." in m.group("num"))
        currency = normalize_currency(cur) if cur and cur != "块" else ("CNY" if cur == "块" else None)
        found.append(Money(quantize(value), currency, m.start(), m.end(), strong))
    for m in PREFIX_AMOUNT_RE.finditer(text):
        value = _decimal(m.group("num"))
        if value is None:
            continue
        value = quantize(value * _MULTIPLIERS.get((m.group("mult") or "").lower(), Decimal(1)))
        # "invoice 2 RMB 200k": the code belongs to the larger amount it touches
        clash = [c for c in found if c.start < m.end() and m.start() < c.end]
        if all(c.amount <= value for c in clash):
            found = [c for c in found if c not in clash]
            found.append(Money(value, normalize_currency(m.group("cur")), m.start(), m.end(), True))
    compound: list[tuple[int, int]] = []
    for m in CN_COMPOUND_RE.finditer(text):  # 六十八万五千: 万 then more digits
        n = cn_number(m.group("num"))
        if n:
            found.append(Money(quantize(Decimal(-n if m.group("neg") else n)),
                               "CNY" if (m.group("unit") or "人民币" in m.group()) else None, m.start(), m.end(), True))
            compound.append((m.start(), m.end()))
    for m in CN_AMOUNT_RE.finditer(text):
        if any(a <= m.start() < b for a, b in compound):
            continue
        unit = m.group("unit")
        n = cn_number(m.group("num") + ("万" if unit.startswith("万") else "亿" if unit.startswith("亿") else ""))
        if n is None or n == 0:
            continue
        value = Decimal(-n if m.group("neg") else n)
        currency = "CNY" if ("元" in unit or "圆" in unit or "人民币" in m.group()) else None
        found.append(Money(quantize(value), currency, m.start(), m.end(), True))
    return sorted(found, key=lambda x: x.start)


def pick_money(text: str, *, min_bare: Decimal = Decimal(100)) -> Money | None:
    """The amount a command means: the first one written as money, else the last plain number that is not
    a small count, a year or an identifier (order 1234, ISO 9001)."""
    candidates = money_candidates(text)
    strong = [c for c in candidates if c.strong]
    if strong:
        return strong[0]
    bare = [
        c for c in candidates
        if (c.amount >= min_bare or c.amount <= 0)
        and not (1900 <= c.amount <= 2100 and c.end - c.start == 4)
        and not _ID_BEFORE.search(text[: c.start])
    ]
    return bare[-1] if bare else None


def bad_number(text: str) -> str | None:
    """A number with misplaced commas (1,5 or 12,34,567), which we refuse rather than guess at."""
    for m in BAD_NUMBER_RE.finditer(text):
        if not re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?", m.group()):
            return m.group()
    return None


def find_money(text: str) -> Money | None:
    """Find the first amount of money in text (a bare number counts)."""
    found = money_candidates(text)
    return found[0] if found else None


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
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)  # 四舍五入, as finance expects


def format_money(value: Decimal | None, currency: str) -> str:
    """Render an amount with thousands separators and its currency: 1,200,000.00 CNY."""
    if value is None:
        return "-"
    return f"{quantize(value):,} {currency}"
