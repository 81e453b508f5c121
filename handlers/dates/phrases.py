"""Reading one whole phrase: the rules, then what wraps a core phrase.

Wrappers peeled off both ends: deadline words (due, by, 截止, 请于, 前), time of day (下午3点, 5pm, EOD).
Then two compositions: an offset from another day (元旦后三天, 下周一之后两天, two days after tomorrow,
16 days from 2018-01-02) and a weekday written next to a date ("2027-02-05 周五", "this friday 5/12"),
which must name the same day or the phrase is refused with both readings.

An offset from an event rather than a day (验收后30天, 30 days after acceptance) is refused here, and
never handed to dateparser: relative milestones (handlers.relative) read those.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from . import rules_en, rules_numeric, rules_zh
from .calendar import add_months, business_days_after, coming_after, previous_before
from .core import (
    EN_COUNT,
    EN_WD_WORDS,
    Day,
    NotMine,
    Reading,
    Refusal,
    Res,
    Rule,
    alt,
    cn_num,
    en_int,
    note,
    wd_word,
)
from .normalize import EDGE
from .rules_en import EN_DUR_UNIT, unit_of
from .rules_zh import CN_WD, NUM

# Order matters only for a whole phrase (the first full match wins); a command tries every rule.
RULES: list[Rule] = rules_zh.RULES + rules_numeric.RULES + rules_en.RULES
SEARCH_RULES: list[Rule] = [r for r in RULES if r.search]

EN_KW = (r"due(?:\s+date)?(?:\s+(?:on|by|before))?|deadline(?:\s+is)?|no\s+later\s+than"
         r"|not\s+later\s+than|on\s+or\s+before|by|before|until|till|til|on")
CN_KW = (r"截止(?:日期|时间|日)?(?:到|至|于|为|是|在)?|截至(?:到|于)?|到期(?:日期|时间|日)?(?:为|是|在)?"
         r"|最晚(?:于|在)?|最迟(?:于|在)?|不晚于|不迟于|务必(?:于|在)?|须于|需于|请于|请在|于")
# A field label in front of a whole phrase: "交付日期：2027/03/05", "delivery date: March 5"
_LABEL_CN = r"[\u4e00-\u9fff]{1,6}(?:日期|时间|期限)\s*:"
_LABEL_EN = r"(?:[a-z]+\s+){0,2}date\s*:"
_PREFIX_EN = re.compile(rf"^(?:(?:{EN_KW})(?:\s*:\s*|\s+)|{_LABEL_EN}\s*)")
_PREFIX_CN = re.compile(rf"^(?:(?:{CN_KW}|在|到|从|自|由)\s*:?|{_LABEL_CN})\s*")
SUFFIX_WORDS = (r"或之前|或以前|之前|以前|前|为止|截止|截至|止|到期|当天|当日"
                r"|[(（]?含(?:当日|当天|本日)?[)）]?"
                r"|(?<![a-z])(?:at\s+the\s+latest|or\s+earlier|or\s+before|\(?inclusive\)?)")
_SUFFIX = re.compile(rf"\s*(?:{SUFFIX_WORDS})$")
TIME_CN = (rf"(?:(?:早上|上午|中午|下午|晚上|傍晚|凌晨|下班|上班|白天|一大早|一早|大清早|清早|朝早|朝头早|下昼|晏昼|晚黑|夜晚|夜里|放工|收工"
           rf"|早|晚)"
           rf"(?:{NUM}(?:点|时)(?:半|整|{NUM}分?)?)?|{NUM}(?:点|时)(?:半|整|{NUM}分?)?"
           r"|\d{1,2}:\d{2})")
TIME_EN = (r"(?:(?:at|by|before)\s+)?(?:\d{1,2}(?::\d{2})?\s*(?:am|pm|a\.m\.?|p\.m\.?)"
           r"|\d{1,2}:\d{2}|noon|midday|midnight|eod|eob|cob|close\s+of\s+(?:business|play)|end\s+of\s+business"
           r"|first\s+thing(?:\s+in\s+the\s+morning)?"
           r"|(?:the\s+)?end\s+of\s+(?:the\s+)?(?:business\s+)?day|(?:in\s+the\s+)?(?:morning|afternoon|evening)"
           r"|(?:at\s+)?lunch(?:time)?)"
           r"(?![a-z])")
# After a day only: "thursday by 5", "friday @ 3", "monday 10h", "fri pm"
TIME_EN_AFTER = (r"(?:(?<![a-z])(?:at|by|before)\s+\d{1,2}(?![\d:%.,])(?!\s*[a-z\u4e00-\u9fff%])|@\s*\d{1,2}(?::\d{2})?(?:\s*(?:am|pm))?"
                 r"|(?<![a-z\d])\d{1,2}h(?:\d{2})?|(?<![a-z])(?:am|pm|a\.m\.|p\.m\.))(?![a-z\d])")
_TIME_TRAIL = re.compile(rf"[\s,]*(?:{TIME_EN}|{TIME_CN}|{TIME_EN_AFTER})$")
_TIME_LEAD = re.compile(rf"^{TIME_EN}[\s,]+")

# A weekday next to a date: 周五 / 下周五 / Fri / this friday.
# (Also the weekday character alone in brackets, as Taiwanese dates are written: 12/4(五).)
ANN = (rf"(?:{rules_zh.ANN_WEEKDAY}|(?<![a-z]){rules_en.ANN_WEEKDAY}"
       r"|(?<=[(（])(?P<pd>[一二三四五六日天])(?=[)）]|$))")
_ANN_TRAIL = re.compile(rf"[\s,，、]*[(（]?{ANN}[)）]?$")
_ANN_LEAD = re.compile(rf"^[(（]?{ANN}(?![a-z])[)）]?[\s,，、]*")

# 元旦后三天 / 下周一之后两天 / 3月1日起30天: a tail counting from the day before it
_ZH_UNIT = r"(?P<unit>个?工作日|个?交易日|个?自然日|个?日历日|天|日|个?星期|个?礼拜|周|个月|年)"
ZH_TAIL = (rf"的?(?P<dir>之后|以后|过后|后|之前|以前|前|起|开始)的?(?P<nth>第)?(?P<n>{NUM}|半)"
           rf"{_ZH_UNIT}(?P<within>以内|之内|内)?")
_ZH_TAIL_END = re.compile(rf"{ZH_TAIL}$")
# two days after tomorrow / within 5 business days of March 1 / the day before Christmas
EN_HEAD = (rf"(?<![a-z])(?:(?P<pre>in|within)\s+)?(?:the\s+)?(?:{EN_COUNT}\s+{EN_DUR_UNIT}|(?P<theday>day)"
           rf"|(?P<hwd>{alt(list(EN_WD_WORDS))})\.?)"
           r"\s+(?P<dir>after|from|before|prior\s+to|following|past|of)\s+")
_EN_HEAD_START = re.compile(f"^{EN_HEAD}")
_ZH_UNITS = {"工作日": "bday", "交易日": "bday", "自然日": "day", "日历日": "day", "天": "day", "日": "day",
             "星期": "week", "礼拜": "week",
             "周": "week", "个月": "month", "年": "year"}
_MAX_DEPTH = 2


def strip_once(s: str) -> str:
    """Peel one layer of deadline keywords and time of day off both ends."""
    s = _PREFIX_CN.sub("", _PREFIX_EN.sub("", s, count=1), count=1)
    s = _SUFFIX.sub("", s, count=1)
    s = _TIME_LEAD.sub("", _TIME_TRAIL.sub("", s, count=1), count=1)
    return s.strip(EDGE)


def strip_all(s: str) -> str:
    while (t := strip_once(s)) != s:
        s = t
    return s


def match_core(s: str, today: date) -> Reading:
    for r in RULES:
        m = r.pattern.fullmatch(s)
        if m:
            try:
                res = r.resolve(m, today)
            except NotMine:
                continue
            return Refusal() if res is None else res
    raise NotMine


def offset(anchor: date, n: int, unit: str, sign: int) -> date:
    """Count n units from anchor (months clamp to the month end)."""
    if unit == "day":
        return anchor + timedelta(days=sign * n)
    if unit == "week":
        return anchor + timedelta(weeks=sign * n)
    if unit == "bday":
        return business_days_after(anchor, sign * n)
    return add_months(anchor, sign * n * (12 if unit == "year" else 1))[0]


def zh_offset(m: re.Match[str]) -> tuple[int, str, int] | None:
    """Read a Chinese tail as (n, unit, sign); None for half units that are not dates."""
    unit = _ZH_UNITS[m["unit"].lstrip("个")] if m["unit"] != "个月" else "month"
    if m["n"] == "半":
        if unit != "month" and unit != "year":
            return None
        n, unit = (15, "day") if unit == "month" else (6, "month")
    else:
        n = cn_num(m["n"])
    return n, unit, (-1 if m["dir"].endswith("前") else 1)


def en_head_date(m: re.Match[str], anchor: date) -> date:
    """Apply an English head to its anchor: 3 days after X, the day before X, the Monday before X."""
    if m["hwd"]:
        wd = EN_WD_WORDS[m["hwd"]]
        if m["dir"].split()[0] in ("before", "prior"):
            return previous_before(anchor, wd)
        return coming_after(anchor, wd)
    return offset(anchor, *en_offset(m))


def en_offset(m: re.Match[str]) -> tuple[int, str, int]:
    """Read an English head as (n, unit, sign)."""
    sign = -1 if m["dir"].split()[0] in ("before", "prior") else 1
    if m["theday"]:
        return 1, "day", sign
    cnt = re.sub(r"\s+", " ", m["cnt"])
    unit, times = unit_of(m["unit"])
    return (0 if cnt.startswith("half") else en_int(cnt)) * times, unit, sign


def counted_from(p: str, anchor_text: str, anchor: Res, value: date) -> Res:
    return Res(value, anchor.notes + (note("date.note.counted_from", phrase=p, anchor=anchor_text,
                                                 date=anchor.value),))


def event_refusal(p: str) -> Refusal:
    return Refusal(note("date.refuse.event", phrase=p), event=True)


def _composite(s: str, today: date, depth: int) -> Reading:
    if m := _ZH_TAIL_END.search(s):
        head = s[: m.start()].strip(EDGE)
        if not head:
            raise NotMine
        try:
            anchor = resolve(head, today, depth + 1)
        except NotMine:
            return event_refusal(s)
        off = zh_offset(m)
        if not isinstance(anchor, Res) or off is None:
            return anchor if isinstance(anchor, Refusal) else Refusal()
        return counted_from(s, head, anchor, offset(anchor.value, *off))
    if m := _EN_HEAD_START.match(s):
        if (m["dir"] == "of" and not m["pre"]) or (m["hwd"] and m["dir"] not in ("before", "after")):
            raise NotMine
        rest = s[m.end():].strip(EDGE)
        try:
            anchor = resolve(rest, today, depth + 1)
        except NotMine:
            return event_refusal(s)
        if not isinstance(anchor, Res):
            return anchor
        return counted_from(s, rest, anchor, en_head_date(m, anchor.value))
    raise NotMine


def annotation_weekday(m: re.Match[str]) -> int:
    if m["cd"] or m["pd"]:
        return CN_WD[m["cd"] or m["pd"]]
    return EN_WD_WORDS[m["wd"]]


def annotation_has_modifier(m: re.Match[str]) -> bool:
    return bool(m["cmod"] or m["emod"])


def check_weekday(p: str, ann: re.Match[str], ann_text: str, rest: str, res: Res, today: date) -> Reading:
    """Accept a date with a weekday next to it only when both name the same day."""
    if annotation_has_modifier(ann):
        try:
            other = match_core(ann_text, today)
        except NotMine:
            other = Refusal()
        if isinstance(other, Res) and other.value != res.value:
            return Refusal(note("date.refuse.two_readings", phrase=p, first=ann_text, first_date=Day(other.value),
                                second=rest, second_date=Day(res.value)))
        return res
    wd = annotation_weekday(ann)
    if res.value.weekday() != wd:
        return Refusal(note("date.refuse.weekday", phrase=p, weekday=wd_word(wd), date=Day(res.value)))
    return res


def _annotated(s: str, today: date, depth: int) -> Reading:
    """Read "2027-02-05 周五" / "Fri, Feb 5" / "this friday 5/12": the weekday must agree with the date."""
    for pattern, trailing in ((_ANN_TRAIL, True), (_ANN_LEAD, False)):
        m = pattern.search(s) if trailing else pattern.match(s)
        if not m:
            continue
        rest = (s[: m.start()] if trailing else s[m.end():]).strip(EDGE)
        if not rest:
            continue
        try:
            res = resolve(rest, today, depth + 1)
        except NotMine:
            continue
        if not isinstance(res, Res):
            return res
        return check_weekday(s, m, m[0].strip(EDGE + "（）"), rest, res, today)
    raise NotMine


def resolve(s: str, today: date, depth: int = 0) -> Reading:
    """Read a whole normalised phrase; a Refusal = recognised but no day; NotMine = unknown."""
    if depth > _MAX_DEPTH:
        raise NotMine
    stages: list[str] = []
    while s and s not in stages:
        try:
            return match_core(s, today)
        except NotMine:
            stages.append(s)
        s = strip_once(s)
    # Only then compositions: "Friday EOD" must not be read as "Friday" + "today".
    event: Refusal | None = None
    for stage in stages:
        for reader in (_composite, _annotated):
            try:
                found = reader(stage, today, depth)
            except NotMine:
                continue
            if isinstance(found, Refusal) and found.event:
                event = event or found
                continue
            return found
    if event is not None:
        return event
    raise NotMine


# Event-relative wording anywhere in a phrase: never guessed at by the fallback.
EVENT_ANYWHERE = re.compile(
    rf"(?:之后|以后|过后|后|起|开始|之前|以前|前)\s*(?:第)?(?:{NUM})\s*(?:个?工作日|个?自然日|天|日|个?星期|个?礼拜|周|个?月|年)"
    rf"|{EN_COUNT}\s+{EN_DUR_UNIT}\s+(?:after|of|following|before|prior\s+to)\s+[a-z]"
)
