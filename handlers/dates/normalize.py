"""Normalisation: one spelling per date word, with a map back to the user's own text.

NFKC (full-width digits), lower case, traditional → simplified characters, Cantonese words → Mandarin ones
(今個星期三 → 这个星期三), curly apostrophes → straight ones, runs of spaces → one (or none between Chinese
characters of an isolated phrase). Every replacement keeps the length, so index i of the normalised text
still points at the user's character ``index[i]``.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Traditional forms from other input methods, mapped 1:1 so the index map stays valid.
_TRAD = str.maketrans(
    "週後個號禮內於點這當兩為時節慶國誕聖農曆陽陰閏臘勞動兒婦軍黨師聽尋過開來間鐘現頭龍擡萬復結東還歲業際"
    "雙簽驗貨約從將剛歷紀會黃團圓樹燈驗收齊長選擇夠數們晝‘’＇",
    "周后个号礼内于点这当两为时节庆国诞圣农历阳阴闰腊劳动儿妇军党师听寻过开来间钟现头龙抬万复结东还岁业际"
    "双签验货约从将刚历纪会黄团圆树灯验收齐长选择够数们昼'''",
)
# Cantonese and colloquial words, rewritten to the same length.
_REWRITES = (("今个", "这个"), ("呢个", "这个"), ("依家", "现在"), ("礼拜日", "礼拜天"), ("工作天", "工作日"))
EDGE = " \t\r\n.,;:!?。，、；：！？()[]{}<>\"'“”‘’「」『』【】《》~…*_-—–"


def is_cjk(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff"


def _joinable(a: str, b: str, join: str) -> bool:
    """Decide whether the spaces between a and b are dropped."""
    if join == "cjk":  # an isolated phrase: 下周 五, 3 月 15 日, 明年 3月
        return is_cjk(a) or is_cjk(b)
    # Inside a command only digit/CJK seams are joined: "李明 天津" must not become 明天.
    return (is_cjk(a) and b.isdigit()) or (a.isdigit() and is_cjk(b))


def _in_mention(chars: list[str]) -> bool:
    """Tell whether the last token is an @mention (never glue "@张三 3月15日" together)."""
    for ch in reversed(chars):
        if ch == " ":
            return False
        if ch == "@":
            return True
    return False


def normalize(text: str, *, join: str) -> tuple[str, list[int]]:
    """NFKC + lower-case + trad→simplified + Cantonese, collapsing spaces; return text and index map."""
    chars: list[str] = []
    index: list[int] = []
    for i, ch in enumerate(text):
        for out in unicodedata.normalize("NFKC", ch).lower().translate(_TRAD):
            chars.append(out)
            index.append(i)
    out_chars: list[str] = []
    out_index: list[int] = []
    i = 0
    while i < len(chars):
        if not chars[i].isspace():
            out_chars.append(chars[i])
            out_index.append(index[i])
            i += 1
            continue
        j = i
        while j < len(chars) and chars[j].isspace():
            j += 1
        if out_chars and j < len(chars) and not (
            _joinable(out_chars[-1], chars[j], join) and not _in_mention(out_chars)
        ):
            out_chars.append(" ")
            out_index.append(index[i])
        i = j
    out = "".join(out_chars)
    for old, new in _REWRITES:
        out = out.replace(old, new)
    return _fix_typos(out, out_index)


# --------------------------------------------------------------------------------------------
# Misspelt date words: "wendesday", "tommorrow", "Febuary", "firday"
# --------------------------------------------------------------------------------------------

# Long date words only: a short one (march, may, june) is one letter away from everyday words.
_TYPO_VOCAB = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "january",
               "february", "august", "september", "october", "november", "december", "tomorrow", "yesterday",
               "christmas", "thanksgiving", "weekend")
_NOT_TYPOS = frozenset({"sundry", "sundae", "augusta", "remember", "fridge", "tomorrows", "nonumber"})
_TYPO_WORD = re.compile(r"(?<![a-z])[a-z]{6,13}(?![a-z])")


def _within(a: str, b: str, limit: int) -> bool:
    """Tell whether a and b are at most limit edits apart (insert, delete, substitute, swap two neighbours)."""
    if abs(len(a) - len(b)) > limit:
        return False
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if min(cur) > limit:
            return False
        prev2, prev = prev, cur
    return prev[-1] <= limit


@lru_cache(maxsize=8192)
def typo_fix(word: str) -> str | None:
    """Return the date word a misspelt word stands for, or None (a word of its own, or no single match).

    One edit away, or two letters dropped or changed inside a long word that keeps its first and last two
    letters (wensday); the first letter is never the typo, and a plural (mondays, weekends) is another word.
    """
    if word in _NOT_TYPOS or word in _TYPO_VOCAB or word[:-1] in _TYPO_VOCAB:
        return None
    found = [v for v in _TYPO_VOCAB if v[0] == word[0] and (_within(word, v, 1) or _near_long(word, v))]
    return found[0] if len(found) == 1 else None


def _near_long(word: str, v: str) -> bool:
    return (len(v) >= 8 and 7 <= len(word) <= len(v) and word[:2] == v[:2] and word[-2:] == v[-2:]
            and _within(word, v, 2))


def _fix_typos(text: str, index: list[int]) -> tuple[str, list[int]]:
    """Spell misspelt date words right; the new letters map onto the user's misspelt word."""
    if not any("a" <= ch <= "z" for ch in text):
        return text, index
    out: list[str] = []
    out_index: list[int] = []
    pos = 0
    for m in _TYPO_WORD.finditer(text):
        fixed = typo_fix(m[0])
        if fixed is None:
            continue
        s, e = m.span()
        out.append(text[pos:s])
        out_index.extend(index[pos:s])
        out.append(fixed)
        out_index.extend(index[min(s + k, e - 1)] for k in range(len(fixed)))
        pos = e
    if pos == 0:
        return text, index
    out.append(text[pos:])
    out_index.extend(index[pos:])
    return "".join(out), out_index


# Inside a command: @mentions, links, contract numbers and amounts are never dates.
# mar-05 / 5-mar-2027 is a date, not a code
_MONTH_CODE = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]{0,6}[-/]\d{1,4}(?![\w\-/])"
MASK = re.compile(
    r"@\S+|<[@#!][^>]*>|https?://\S+"
    rf"|(?<![0-9a-z])(?!{_MONTH_CODE})[a-z]{{1,8}}[-_#/]\d[0-9a-z_\-/]*"
    r"|(?<![0-9a-z])[a-z]{2,8}\d{3,}[0-9a-z_\-]*"
    r"|[$¥€£]\s*\d[\d,]*(?:\.\d+)?"
    r"|(?<![\d.,])\d{1,3}(?:,\d{3})+(?:\.\d+)?"
    r"|(?<![\d.])\d+(?:\.\d+)?\s*(?:%|万|亿|千|百万|元|块|美元|人民币|(?:k|w|m|rmb|usd|cny)(?![a-z]))"
    r"|(?<![\d.])\d+\.\d+(?![\d.])"
)
