"""Chinese numerals, in one place: 十五 / 二〇二七 / 一百二十万 / 壹佰贰拾万 (大写) -> int.

Dates, amounts and the grammar all read Chinese numbers; they all call this module. The positional reading
(十, 百, 千, 万, 亿, and the financial 大写 forms 拾, 佰, 仟) is cn2an's, a maintained library; digit-by-digit
years (二〇二七) are read here because cn2an's "smart" mode reads them as a positional number.
"""

from __future__ import annotations

import re

import cn2an

DIGITS = "零〇一二两三四五六七八九"
UPPER_DIGITS = "零壹贰叁肆伍陆柒捌玖"
UNITS = "十百千万亿"
UPPER_UNITS = "拾佰仟万亿"
# every character a Chinese numeral can be written with (lower and 大写 upper case)
NUMERAL_CHARS = DIGITS + UPPER_DIGITS + UNITS + UPPER_UNITS + "貮两"
_DIGIT_VALUE = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"〇": 0, "两": 2}
_UPPER = str.maketrans({"壹": "一", "贰": "二", "貮": "二", "叁": "三", "肆": "四", "伍": "五", "陆": "六", "柒": "七",
                        "捌": "八", "玖": "九", "拾": "十", "佰": "百", "仟": "千"})
_ALL = re.compile(rf"[{NUMERAL_CHARS}]+")


def cn_int(text: str) -> int | None:
    """Read a whole Chinese (or Arabic) integer; None when ``text`` is not one."""
    text = text.strip()
    if not text:
        return None
    if text.isdigit():
        return int(text)
    if not _ALL.fullmatch(text):
        return None
    low = text.translate(_UPPER)
    if not any(u in low for u in UNITS):
        # digit by digit: 二〇二七 -> 2027, 五 -> 5
        return int("".join(str(_DIGIT_VALUE[c]) for c in low))
    try:
        value = cn2an.cn2an(low.replace("两", "二"), "normal")
    except (ValueError, KeyError):
        return None
    return int(value) if float(value).is_integer() else None


def is_upper_case(text: str) -> bool:
    """Say whether a numeral uses the financial 大写 characters (壹贰叁 ... 拾佰仟)."""
    return any(c in UPPER_DIGITS[1:] + "拾佰仟" for c in text)
