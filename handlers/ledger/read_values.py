"""Cell values as people type them in a ledger: amounts, percentages, dates, currencies, owners, statuses.

Every reader takes the raw cell value (str, int, float, datetime, date or None) and returns a typed value,
None for an empty cell, or raises ``BadValue`` carrying the text it could not read.
"""

from __future__ import annotations

import re
import unicodedata
from calendar import monthrange
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from handlers.amounts import normalize_currency
from handlers.numerals import NUMERAL_CHARS, cn_int

CENT = Decimal("0.01")
HUNDRED = Decimal(100)
EXCEL_EPOCH = date(1899, 12, 30)
# Excel serial numbers we accept as dates in a date column: 1927-05-18 .. 2119-01-08
SERIAL_MIN, SERIAL_MAX = 10000, 80000


class BadValue(ValueError):
    """A cell that cannot be read as the value its column holds."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


def shown(value: object) -> str:
    """The cell as a person would quote it back."""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def fold(text: str) -> str:
    """Full-width digits, letters and punctuation to their ordinary forms (NFKC), trimmed."""
    return unicodedata.normalize("NFKC", text).strip()


def clean_text(value: object) -> str | None:
    """Trimmed text as written (names keep their full-width brackets), None when empty."""
    if value is None:
        return None
    if isinstance(value, (datetime, date, int, float)):
        text = shown(value)
    else:
        text = str(value)
    text = text.strip().strip("\u200b\ufeff").strip()
    return text or None


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# Cells that say "nothing here": a blank for dates and owners; amounts read them as blank too, except
# the words that promise an amount later (待定 / TBD), which a careful person queries.
_NOTHING = {"-", "--", "—", "——", "/", "\\", "n/a", "na", "none", "null", "nil", "无", "空", "#n/a", "·", "…"}
_LATER = {"待定", "tbd", "tba", "tbc", "未定", "待确认", "待议", "to be confirmed", "to be determined", "pending",
          "unknown", "未知", "?", "？", "暂无", "open", "ongoing", "长期", "无固定期限", "不定期", "持续"}


def is_nothing(value: object) -> bool:
    """An empty cell or a dash/N-A placeholder."""
    if value is None:
        return True
    if not isinstance(value, str):
        return False
    return not value.strip() or fold(value).lower() in _NOTHING


# --- amounts --------------------------------------------------------------------------------------------------

_SYMBOL_CURRENCY = [
    ("us$", "USD"), ("usd$", "USD"), ("hk$", "HKD"), ("s$", "SGD"), ("sg$", "SGD"), ("a$", "AUD"), ("au$", "AUD"),
    ("c$", "CAD"), ("ca$", "CAD"), ("nt$", "TWD"), ("rmb¥", "CNY"), ("rmb", "CNY"), ("cny", "CNY"), ("¥", "CNY"),
    ("$", "USD"), ("€", "EUR"), ("£", "GBP"), ("₩", "KRW"), ("₹", "INR"), ("円", "JPY"),
]
CURRENCY_WORDS = {
    "人民币": "CNY", "人民幣": "CNY", "元": "CNY", "圆": "CNY", "rmb": "CNY", "cny": "CNY", "cnh": "CNY", "¥": "CNY",
    "美元": "USD", "美金": "USD", "usd": "USD", "$": "USD", "us$": "USD", "us dollar": "USD", "us dollars": "USD",
    "dollar": "USD", "dollars": "USD", "欧元": "EUR", "eur": "EUR", "€": "EUR", "euro": "EUR", "euros": "EUR",
    "英镑": "GBP", "gbp": "GBP", "£": "GBP", "pound": "GBP", "pounds": "GBP", "港币": "HKD", "港元": "HKD",
    "港币元": "HKD", "hkd": "HKD", "hk$": "HKD", "日元": "JPY", "日币": "JPY", "円": "JPY", "jpy": "JPY", "yen": "JPY",
    "新加坡元": "SGD", "新币": "SGD", "新元": "SGD", "sgd": "SGD", "s$": "SGD", "澳元": "AUD", "澳币": "AUD",
    "aud": "AUD", "加元": "CAD", "加币": "CAD", "cad": "CAD", "瑞士法郎": "CHF", "瑞郎": "CHF", "chf": "CHF",
    "韩元": "KRW", "krw": "KRW", "新台币": "TWD", "台币": "TWD", "twd": "TWD", "卢比": "INR", "inr": "INR",
    "卢布": "RUB", "rub": "RUB", "澳门元": "MOP", "mop": "MOP", "泰铢": "THB", "thb": "THB", "林吉特": "MYR",
    "myr": "MYR", "迪拉姆": "AED", "aed": "AED", "瑞典克朗": "SEK", "sek": "SEK", "新西兰元": "NZD", "nzd": "NZD",
}
_MULTIPLIER_WORDS = {
    "万元": Decimal(10000), "万": Decimal(10000), "w": Decimal(10000), "千元": Decimal(1000), "千": Decimal(1000),
    "k": Decimal(1000), "千美元": Decimal(1000), "万美元": Decimal(10000), "百万": Decimal(1000000),
    "百万元": Decimal(1000000), "m": Decimal(1000000), "mm": Decimal(1000000), "mn": Decimal(1000000),
    "million": Decimal(1000000), "亿": Decimal(100000000), "亿元": Decimal(100000000), "bn": Decimal(1000000000),
    "billion": Decimal(1000000000), "thousand": Decimal(1000), "元": Decimal(1),
}
_CCY_CODES = "|".join(sorted((k for k in CURRENCY_WORDS if k.isascii() and k.isalpha()), key=len, reverse=True))
_SYMBOLS = "|".join(re.escape(s) for s, _ in _SYMBOL_CURRENCY)
_CN_CCY = "|".join(sorted((k for k in CURRENCY_WORDS if not k.isascii() and k not in ("元", "圆")), key=len,
                          reverse=True))
_MONEY_RE = re.compile(
    rf"^(?P<neg1>-)?\s*(?P<pre>{_SYMBOLS}|{_CN_CCY}|(?:{_CCY_CODES})(?![a-z]))?\s*(?P<neg2>-)?\s*"
    r"(?P<num>\d(?:[\d,.' ]*\d)?|\.\d+)\s*"
    r"(?P<mult>百万元|百万|万元|千元|亿元|万美元|千美元|万|千|亿|million|thousand|billion|mn|mm|bn|[kwm](?![a-z]))?\s*"
    rf"(?P<post>{_CN_CCY}|元|圆|块|{_SYMBOLS}|(?:{_CCY_CODES})(?![a-z]))?\s*(?:整|正)?$"
)
_CN_MONEY_RE = re.compile(
    rf"^(?P<neg>负)?(?:人民币|rmb|cny)?[:：]?\s*(?P<yuan>[{NUMERAL_CHARS}\d.]+?)\s*(?P<unit>万元|亿元|元|圆|块|万|亿)"
    rf"(?:(?P<jiao>[{NUMERAL_CHARS}])角)?(?:(?P<fen>[{NUMERAL_CHARS}])分)?[整正]?$"
)


def _decimal(text: str) -> Decimal | None:
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def _plain_number(num: str) -> Decimal | None:
    """1,234,567.89 / 1 234 567 / 1'234 / 1.234.567,89 -> Decimal; None for a misplaced comma (1,5 is refused, as
    handlers.amounts does: a typo, not a number to guess at)."""
    num = num.replace(" ", "").replace("'", "")
    thousands, decimal = ",", "."
    if ("," in num and "." in num and num.rfind(",") > num.rfind(".")) or num.count(".") > 1:
        thousands, decimal = ".", ","  # 1.234.567,89
    head, _, tail = num.partition(decimal)
    if decimal in tail or thousands in tail:
        return None
    if thousands in head:
        groups = head.split(thousands)
        if not (1 <= len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:])):
            return None
        head = "".join(groups)
    return _decimal(head + ("." + tail if tail else ""))


def _from_number(value: int | float) -> Decimal:
    if isinstance(value, bool):
        raise BadValue(str(value))
    return Decimal(value) if isinstance(value, int) else Decimal(repr(value))


def _cn_amount(text: str) -> tuple[Decimal, Decimal | None] | None:
    """人民币壹佰贰拾万元整 / 捌拾万元 / 一百二十万 / 1.2万元 / 壹万贰仟叁佰元伍角 -> (value in the unit, multiplier)."""
    m = _CN_MONEY_RE.match(text)
    if not m:
        return None
    yuan, unit = m.group("yuan"), m.group("unit")
    mult = {"万元": 10000, "亿元": 100000000, "万": 10000, "亿": 100000000}.get(unit, 1)
    if re.fullmatch(r"\d+(?:\.\d+)?", yuan):
        value = Decimal(yuan)
    elif re.search(r"\d", yuan):
        return None
    else:
        n = cn_int(yuan.replace("点", "."))
        if n is None:
            return None
        value = Decimal(n)
    if m.group("jiao") or m.group("fen"):
        if mult != 1:
            return None
        jiao = cn_int(m.group("jiao")) if m.group("jiao") else 0
        fen = cn_int(m.group("fen")) if m.group("fen") else 0
        if jiao is None or fen is None:
            return None
        value += Decimal(jiao) / 10 + Decimal(fen) / 100
    if m.group("neg"):
        value = -value
    return value * mult, Decimal(1)


def parse_money(value: object, unit: Decimal = Decimal(1)) -> tuple[Decimal | None, str | None]:
    """Read an amount and the currency written in the cell, if any; ``unit`` scales bare numbers (万元 = 10000).

    A unit written in the cell (120万, 80,000元, $50k) wins over the column's. Rounded to cents.
    """
    if is_nothing(value):
        return None, None
    if isinstance(value, (int, float)):
        return quantize(_from_number(value) * unit), None
    if isinstance(value, (datetime, date)):
        raise BadValue(shown(value))
    raw = str(value).strip()
    text = fold(raw).lower().replace("\u00a0", " ")
    text = re.sub(r"\s*[(（\[【][^\d()（）]*[)）\]】]\s*$", "", text)  # 50万（含税）, 1,000 (incl. VAT)
    text = re.sub(r"^\((.*)\)$", r"-\1", text)  # (1,000) accounting negative
    m = _MONEY_RE.match(text)
    if m:
        number = _plain_number(m.group("num").strip())
        if number is None:
            raise BadValue(raw)
        mult_word = m.group("mult")
        post = m.group("post")
        if mult_word:
            mult = _MULTIPLIER_WORDS[mult_word]
        elif post in ("元", "圆", "块"):
            mult = Decimal(1)
        else:
            mult = unit
        currency = _currency_of(m.group("pre")) or _currency_of(post)
        if mult_word and mult_word.endswith("美元"):
            currency = "USD"
        elif mult_word and mult_word.endswith("元") and currency is None:
            currency = "CNY"
        sign = -1 if (m.group("neg1") or m.group("neg2")) else 1
        return quantize(number * mult * sign), currency
    cn = _cn_amount(text)
    if cn is not None:
        currency = "CNY" if re.search(r"人民币|rmb|cny|元|圆|块", text) else None
        return quantize(cn[0]), currency
    raise BadValue(raw)


def _currency_of(token: str | None) -> str | None:
    if not token:
        return None
    token = token.strip()
    if token in CURRENCY_WORDS:
        return CURRENCY_WORDS[token]
    for sym, code in _SYMBOL_CURRENCY:
        if token == sym:
            return code
    return None


def quantize(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def share(percent: Decimal, amount: Decimal) -> Decimal:
    """percent % of amount, to the cent."""
    return quantize(amount * percent / HUNDRED)


# --- currencies -----------------------------------------------------------------------------------------------

# ISO 4217 codes in use (a code not here is a typo to query, not a currency to invent)
ISO_CURRENCIES = set("""
AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP BYN BZD CAD CDF CHF
CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG
HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA
MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD
RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX
USD UYU UZS VES VND VUV WST XAF XCD XOF XPF YER ZAR ZMW ZWL CNH
""".split())


def parse_currency(value: object) -> str | None:
    """人民币/RMB/元/￥ -> CNY, 美元/$ -> USD, an ISO 4217 code as itself, 人民币（元）/ USD (美元) read through their
    brackets; BadValue for anything else."""
    if is_nothing(value):
        return None
    raw = str(value).strip()
    text = fold(raw).lower().strip()
    for candidate in (text, re.sub(r"\s*[(（\[【].*?[)）\]】]\s*", "", text).strip(),
                      *re.findall(r"[(（\[【]\s*(.*?)\s*[)）\]】]", text), *re.split(r"\s*[-/|,，、\s]\s*", text)):
        if not candidate:
            continue
        if candidate in CURRENCY_WORDS:
            return CURRENCY_WORDS[candidate]
        code = _currency_of(candidate)
        if code:
            return code
        if re.fullmatch(r"[a-z]{3}", candidate) and normalize_currency(candidate.upper()) in ISO_CURRENCIES:
            return normalize_currency(candidate.upper())
    raise BadValue(raw)


# the currency words a header or title may name, longest first, each with its whole-word pattern (ASCII words)
_HINT_WORDS = [(word, re.compile(rf"(?<![a-z]){re.escape(word)}(?![a-z])") if word.isascii() and word.isalpha()
                else None, CURRENCY_WORDS[word]) for word in sorted(CURRENCY_WORDS, key=len, reverse=True)
               if word not in ("元", "圆", "dollar", "dollars", "pound", "pounds", "yen", "euro", "euros")]


def currency_hint(text: str) -> str | None:
    """A currency named anywhere in a header or title line: 金额(美元), Amount (USD), amounts in EUR."""
    low = fold(text).lower()
    for word, pattern, code in _HINT_WORDS:
        if pattern is not None:
            if word in low and pattern.search(low):
                return code
        elif word in low:
            return code
    for sym, code in _SYMBOL_CURRENCY:
        if not sym.isalpha() and sym in low:
            return code
    if "元" in low:
        return "CNY"
    return None


# --- percentages ----------------------------------------------------------------------------------------------

_PERCENT_RE = re.compile(r"^(?P<num>-?\d+(?:\.\d+)?|-?\.\d+)\s*(?P<pct>%|percent|pct)?$")
_CN_PERCENT_RE = re.compile(rf"^百分之(?P<num>[{NUMERAL_CHARS}点\d.]+)$")
_CHENG_RE = re.compile(rf"^(?P<num>[{NUMERAL_CHARS}\d])成(?P<half>半)?$")


def tidy(value: Decimal) -> Decimal:
    """A Decimal without trailing zeros or exponent: 30.0 -> 30, 12.50 -> 12.5."""
    text = format(value.normalize(), "f")
    return Decimal(text)


def parse_percent(value: object, *, fractions: bool = False) -> Decimal | None:
    """30% / 30 / ０.３ (when the column holds fractions) / 百分之三十 / 三成 -> Decimal percent (30)."""
    if is_nothing(value):
        return None
    if isinstance(value, (int, float)):
        number = _from_number(value)
        return tidy(round(number * HUNDRED if fractions else number, 6))
    if isinstance(value, (datetime, date)):
        raise BadValue(shown(value))
    raw = str(value).strip()
    text = fold(raw).lower().replace(" ", "")
    m = _PERCENT_RE.match(text)
    if m:
        number = Decimal(m.group("num"))
        if not m.group("pct") and fractions:
            number *= HUNDRED
        return tidy(round(number, 6))
    m = _CN_PERCENT_RE.match(text)
    if m:
        num = m.group("num")
        if re.fullmatch(r"\d+(?:\.\d+)?", num):
            return tidy(Decimal(num))
        whole, _, frac = num.partition("点")
        n = cn_int(whole)
        if n is not None:
            digits = "".join(str(cn_int(c)) for c in frac) if frac else ""
            return tidy(Decimal(f"{n}.{digits}" if digits else n))
    m = _CHENG_RE.match(text)
    if m:
        n = cn_int(m.group("num"))
        if n is not None:
            return tidy(Decimal(n * 10 + (5 if m.group("half") else 0)))
    raise BadValue(raw)


def looks_like_percent(value: object) -> bool:
    return isinstance(value, str) and bool(re.search(r"[%％]|百分之|^\s*\S成半?\s*$", value))


# --- dates ----------------------------------------------------------------------------------------------------

_MONTHS = {
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4, "april": 4, "may": 5,
    "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8, "sep": 9, "sept": 9, "september": 9,
    "oct": 10, "october": 10, "nov": 11, "november": 11, "dec": 12, "december": 12,
}
_MON = "|".join(sorted(_MONTHS, key=len, reverse=True))
_TIME_TAIL = re.compile(r"(?:[ t]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:z|[+-]\d{2}:?\d{2})?|\s*(?:am|pm))+$")
_WEEKDAY_TAIL = re.compile(
    r"\s*[(（]?(?:周|星期|礼拜)[一二三四五六日天][)）]?$|\s*,?\s*\(?(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?\)?$")
_YMD = re.compile(r"^(?P<y>\d{4})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*[日号]?$")
_YMD_COMPACT = re.compile(r"^(?P<y>(?:19|20|21)\d{2})(?P<m>[01]\d)(?P<d>[0-3]\d)$")
_YM = re.compile(r"^(?P<y>\d{4})\s*(?:[-/.]|年)\s*(?P<m>\d{1,2})\s*月?(?:份)?(?P<end>底|末)?$")
_XXY = re.compile(r"^(?P<a>\d{1,2})\s*[-/.]\s*(?P<b>\d{1,2})\s*[-/.]\s*(?P<y>\d{4}|\d{2})$")
_DMONY = re.compile(rf"^(?P<d>\d{{1,2}})(?:st|nd|rd|th)?[\s\-/.,]*(?P<mon>{_MON})\.?[\s\-/.,]*(?P<y>\d{{4}}|\d{{2}})$")
_MONDY = re.compile(rf"^(?P<mon>{_MON})\.?[\s\-/.,]*(?P<d>\d{{1,2}})(?:st|nd|rd|th)?[\s\-/.,]+(?P<y>\d{{4}})$")
_YMOND = re.compile(rf"^(?P<y>\d{{4}})[\s\-/.,]*(?P<mon>{_MON})\.?[\s\-/.,]*(?P<d>\d{{1,2}})$")
_MONY = re.compile(rf"^(?P<mon>{_MON})\.?[\s\-/.,]*(?P<y>\d{{4}})$")
_CN_DATE = re.compile(r"^(?P<y>[零〇一二三四五六七八九]{4})年(?P<m>[一二三四五六七八九十]{1,2})月"
                      r"(?:(?P<d>[一二三四五六七八九十]{1,3})[日号])?$")


def _safe(y: int, m: int, d: int, raw: str) -> date:
    try:
        return date(y, m, d)
    except ValueError:
        raise BadValue(raw) from None


def _year(y: str) -> int:
    n = int(y)
    return n + 2000 if len(y) == 2 else n


def _month_end(y: int, m: int, raw: str) -> date:
    if not 1 <= m <= 12:
        raise BadValue(raw)
    return date(y, m, monthrange(y, m)[1])


def serial_date(n: float) -> date:
    return EXCEL_EPOCH + timedelta(days=int(n))


def ambiguous_order(value: object) -> str | None:
    """For a day/month/year cell such as 31/03/2027 say which order it proves: 'dmy', 'mdy' or None."""
    if not isinstance(value, str):
        return None
    m = _XXY.match(fold(value))
    if not m:
        return None
    a, b = int(m.group("a")), int(m.group("b"))
    if a > 12 >= b:
        return "dmy"
    if b > 12 >= a:
        return "mdy"
    return None


def parse_date(value: object, *, order: str = "dmy") -> date | None:
    """Read a date cell: real dates, Excel serials, 2027.3.31, 2027/03/31, 2027年3月31日, 31/03/2027, Mar 9, 2026.

    ``order`` ('dmy' or 'mdy') settles 03/04/2027, which the cell alone cannot.
    """
    if is_nothing(value):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if SERIAL_MIN <= value <= SERIAL_MAX:
            return serial_date(value)
        if float(value).is_integer() and 19000101 <= value <= 21991231:
            return _from_compact(str(int(value)), str(value))
        raise BadValue(shown(value))
    raw = str(value).strip()
    text = fold(raw).lower()
    if text in _LATER:
        return None
    text = _WEEKDAY_TAIL.sub("", _TIME_TAIL.sub("", text)).strip()
    text = re.sub(r"^(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+", "", text)  # Thu, 26 Feb 2026
    if re.fullmatch(r"\d{5}(?:\.\d+)?", text) and SERIAL_MIN <= float(text) <= SERIAL_MAX:
        return serial_date(float(text))
    if m := _YMD.match(text):
        return _safe(int(m.group("y")), int(m.group("m")), int(m.group("d")), raw)
    if _YMD_COMPACT.match(text):
        return _from_compact(text, raw)
    if m := _XXY.match(text):
        a, b, y = int(m.group("a")), int(m.group("b")), _year(m.group("y"))
        if a > 12 or (order == "dmy" and b <= 12):
            return _safe(y, b, a, raw)
        return _safe(y, a, b, raw)
    if m := (_DMONY.match(text) or _MONDY.match(text) or _YMOND.match(text)):
        return _safe(_year(m.group("y")), _MONTHS[m.group("mon")], int(m.group("d")), raw)
    if m := _YM.match(text):
        return _month_end(int(m.group("y")), int(m.group("m")), raw)
    if m := _MONY.match(text):
        return _month_end(int(m.group("y")), _MONTHS[m.group("mon")], raw)
    if m := _CN_DATE.match(text):
        cy, cm = cn_int(m.group("y")), cn_int(m.group("m"))
        if cy is None or cm is None:
            raise BadValue(raw)
        if m.group("d") is None:
            return _month_end(cy, cm, raw)
        d = cn_int(m.group("d"))
        if d is None:
            raise BadValue(raw)
        return _safe(cy, cm, d, raw)
    raise BadValue(raw)


def _from_compact(text: str, raw: str) -> date:
    m = _YMD_COMPACT.match(text)
    if not m:
        raise BadValue(raw)
    return _safe(int(m.group("y")), int(m.group("m")), int(m.group("d")), raw)


def looks_like_date(value: object) -> bool:
    """A value a date column would hold (used to tell a received date from a received amount)."""
    if isinstance(value, (datetime, date)):
        return True
    if isinstance(value, str):
        try:
            return parse_date(value) is not None and not re.fullmatch(r"\s*\d+(?:\.\d+)?\s*", fold(value))
        except BadValue:
            return False
    return False


_PERIOD_SPLIT = re.compile(r"\s*(?:至|到|~|～|—|–|−|--|\bto\b|\buntil\b|\s-\s)\s*")


def parse_period(value: object, *, order: str = "dmy") -> tuple[date | None, date | None]:
    """A term written in one cell: 2026.1.1-2026.12.31 / 2026年1月1日至2026年12月31日 / 1 Jan 2026 to 31 Dec 2026."""
    if is_nothing(value):
        return None, None
    raw = str(value).strip()
    text = fold(raw)
    parts = _PERIOD_SPLIT.split(text, maxsplit=1)
    if len(parts) != 2:
        m = re.fullmatch(r"(\d{4}[./]\d{1,2}[./]\d{1,2})-(\d{4}[./]\d{1,2}[./]\d{1,2})", text)
        if not m:
            raise BadValue(raw)
        parts = [m.group(1), m.group(2)]
    start = parse_date(parts[0], order=order)
    end_text = parts[1]
    if start and re.fullmatch(r"\d{1,2}月\d{1,2}[日号]?", end_text):  # 2026年1月1日至12月31日
        end_text = f"{start.year}年{end_text}"
    return start, parse_date(end_text, order=order)


# --- owners ---------------------------------------------------------------------------------------------------

_EMAIL_RE = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")
_OWNER_SPLIT = re.compile(r"\s*(?:[/、,;，；|&]|\band\b)\s*")


def parse_owner(value: object) -> str | None:
    """张三 / @lisi -> '@张三' / '@lisi'; an e-mail address stays an address, in lower case. The first of several."""
    text = clean_text(value)
    if text is None:
        return None
    text = fold(text)
    if text.lower() in _NOTHING or text.lower() in _LATER:
        return None
    m = _EMAIL_RE.search(text)
    if m and not text.startswith("@"):
        return m.group().lower()
    first = _OWNER_SPLIT.split(text)[0].strip() or text
    m = re.match(r"^<@([^>|]+)(?:\|([^>]+))?>$", first)  # a Slack mention pasted in
    if m:
        first = m.group(2) or m.group(1)
    first = first.lstrip("@").strip()
    first = re.sub(r"\s*[(（].*?[)）]\s*$", "", first) or first  # 张三(销售一部)
    return "@" + first if first else None


# --- milestone status and kind --------------------------------------------------------------------------------

_OPEN_MARKS = re.compile(
    r"未|待|部分|尚未|没有|逾期|延期|进行|暂缓|开票|^否$|^不$|^无$|"
    r"\b(?:no|not|un\w*|partial\w*|part|open|pending|in progress|overdue|late|outstanding|waiting|todo|to do|"
    r"planned|scheduled|invoiced|ongoing)\b|^(?:x|×|✗|✘|0|false|n)$"
)
_DONE_MARKS = re.compile(
    r"已|完成|完毕|结清|收讫|付讫|到账|全额|^是$|^(?:y|yes|ok|1|true|[✓✔√☑])$|"
    r"\b(?:done|paid|received|complete|completed|closed|delivered|accepted|finished|settled|collected|signed off|"
    r"achieved|live)\b"
)


def parse_status(value: object) -> bool | None:
    """Whether the ledger marks a milestone done (True), open (False) or says nothing (None)."""
    if isinstance(value, (datetime, date)):
        return True
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return bool(value) if value in (0, 1) else None
    text = clean_text(value)
    if text is None:
        return None
    low = fold(text).lower()
    progress = re.fullmatch(r"(\d+(?:\.\d+)?)\s*%", low)
    if progress:  # a progress column: 100% is done
        return Decimal(progress.group(1)) >= HUNDRED
    if _OPEN_MARKS.search(low):
        return False
    if _DONE_MARKS.search(low):
        return True
    if looks_like_date(text):
        return True
    return None


_KIND_WORDS: list[tuple[str, re.Pattern[str]]] = [
    ("warranty", re.compile(r"质保|保修|保证金|维保金|warrant|retention|retainage|holdback")),
    ("renewal", re.compile(r"续约|续签|续期|续订|renew")),
    ("payment", re.compile(
        r"款|付款|支付|回款|收款|结算|预付|定金|订金|首期|尾期|费|deposit|payment|pay\b|installment|instalment|"
        r"invoice|advance|down ?payment|prepayment|balance|tranche|fee|billing|retainer")),
    ("acceptance", re.compile(r"验收|accept|sign[- ]?off|uat|签收")),
    ("delivery", re.compile(r"交付|上线|发货|到货|交货|部署|安装|实施完成|投产|deliver|go[- ]?live|launch|ship|"
                            r"handover|hand-over|install|deploy|rollout|roll-out")),
]


def milestone_kind(name: str, *, carries_money: bool = False, hint: str | None = None) -> str:
    """payment / delivery / acceptance / warranty / renewal / other, from the name (both languages).

    交付验收 is an acceptance; 验收款 is a payment. A milestone that carries money and whose name says
    nothing more specific than delivery/acceptance is still the payment due at that point.
    """
    for text in (hint, name):
        if not text:
            continue
        low = fold(text).lower()
        for kind, pattern in _KIND_WORDS:
            if pattern.search(low):
                if carries_money and kind in ("delivery", "acceptance"):
                    return "payment"
                return kind
        if low in ("other", "其他"):
            return "other"
    return "payment" if carries_money else "other"
