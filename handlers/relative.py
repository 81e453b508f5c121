"""Due dates written relative to an event: 验收后30天, 签约后5个工作日, 12 months after acceptance.

A milestone may fall due some days (working days, weeks, months, years) after another milestone of the same
contract is done, or after the contract's signing, start or end date. This module reads such a phrase out of a
line, writes it back in README form, computes the due date once the event's day is known, and says the rule in
either language. Which milestone an event word names is decided against the ledger (``handlers.anchors``).

``内`` / ``within`` change nothing: "验收后30天内" is due on the 30th day, like "验收后30天".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Protocol

from dateutil.relativedelta import relativedelta

from handlers import dates
from handlers.errors import UserError
from handlers.i18n import t
from handlers.numerals import cn_int
from scheduler.workdays import business_days_after
from storage.models import Milestone, MilestoneStatus

UNITS = ("day", "workday", "week", "month", "year")
# the contract's own dates a milestone may be due after (Milestone.after_event) and the columns holding them
EVENTS = {"signed": "signed_on", "start": "start_on", "end": "end_on"}
# how far from its event a due date may be: ten years, in each unit
LIMITS = {"day": 3660, "workday": 2500, "week": 522, "month": 120, "year": 10}


@dataclass(frozen=True)
class DueAfter:
    """A due date as typed relative to an event: ``count`` ``unit``s after (negative: before) ``event``."""

    event: str  # the event as typed, trimmed: 验收, acceptance, 签约, contract signed
    count: int
    unit: str  # one of UNITS
    text: str  # the whole phrase as typed
    # why it can't be taken as written: ``rough`` (about 30 days, 30天左右, 30 to 45 days) or ``either``
    # (验收后12个月或上线后6个月, 30 days after go-live or acceptance, whichever is later); refused, nothing written
    doubt: str | None = None


@dataclass(frozen=True)
class Found:
    """A relative due date found in a line, and where it stands."""

    due: DueAfter
    start: int
    end: int


_ZH_NUM = r"\d{1,4}|[零〇一二两三四五六七八九十百]{1,4}"
_ZH_UNITS = {"个工作日": "workday", "工作日": "workday", "个自然日": "day", "自然日": "day", "天": "day", "日": "day",
             "个星期": "week", "星期": "week", "个礼拜": "week", "礼拜": "week", "周": "week", "个自然月": "month",
             "个月": "month", "月": "month", "年": "year"}
# 验收后30天内, 合同签订之日起15个工作日内支付, 在签约后5个工作日, 合同到期前1个月, 验收满一年后, 上线后满12个月,
# 验收后半年: the event is the shortest run of letters right before 后/起/满/前 (a space or a number ends it, so
# "尾款 验收后30天" names 验收, not 尾款验收); a pay word right after the count is part of the phrase (…后30天付)
# the count: 30天, 三个月, 5个工作日, 半年, 一年半; 约30天 / 30到45天 / 第二年 are not exact (doubt)
_ZH_COUNT = (
    r"(?P<rough>约|大约|大概|差不多|大致|不少于|不低于|至少|最少|不超过|最多|超过)?\s*(?P<nth>第)?\s*"
    r"(?:(?P<half>半年)|(?:(?P<n_from>" + _ZH_NUM + r")\s*(?:到|至|-|~|－|或)\s*)?(?P<n>" + _ZH_NUM + r")\s*"
    r"(?P<unit>个工作日|工作日|个自然日|自然日|天|日|个星期|星期|个礼拜|礼拜|周|个自然月|个月|月(?![\d零〇一二两三四五六七八九十])|年)"
    r"(?P<plus_half>(?<=年)半)?)"
)
_ZH_ROUGH_AFTER = r"(?P<rough_after>\s*(?:左右|上下|前后|多(?![次个])|余|以上))?"
_ZH_PAY = r"(?:\s*(?:支付|付款|付清|结清|到期|截止|释放|退还|返还|付))?"
# 验收后30天内, 合同签订之日起15个工作日内支付, 在签约后5个工作日, 合同到期前1个月, 验收满一年后, 上线后满12个月,
# 验收后半年: the event is the shortest run of letters right before 后/起/满/前 (a space or a number ends it, so
# "尾款 验收后30天" names 验收, not 尾款验收); a pay word right after the count is part of the phrase (…后30天付)
_ZH = re.compile(
    r"(?P<event>[\u4e00-\u9fffA-Za-z][\u4e00-\u9fffA-Za-z0-9\-]*?)\s*(?:之日|当日|当天)?\s*"
    r"(?P<dir>(?:之后|以后|之後|以後|后|後|起算|起)(?:\s*满)?|满|之前|以前|前)\s*(?:的)?\s*" + _ZH_COUNT +
    r"(?:\s*(?:之后|以后|后|後)(?![\d零〇一二两三四五六七八九十]))?(?:\s*(?:之内|以内|内))?" + _ZH_ROUGH_AFTER + _ZH_PAY
)
# 验收一年后, 交付验收合格30天后支付, 上线三个月后: the count between the event and 后, glued to an event word
# (首付款三天后 and 上线 三天后 are three days from now: a milestone named so)
_ZH_EVENT_WORD = r"验收|交付|交货|到货|发货|上线|投产|签约|签订|签署|生效|终验|初验|试运行|开票|发票"
_ZH_LATE = re.compile(
    r"(?P<event>[\u4e00-\u9fff]{0,4}?(?:" + _ZH_EVENT_WORD + r")(?:合格|完成|通过|结束)?)(?:之日起|起)?(?:满)?(?!\s)" +
    _ZH_COUNT + r"(?P<dir>之后|以后|之後|以後|后|後)(?![\d零〇一二两三四五六七八九十])(?:\s*(?:之内|以内|内))?" +
    _ZH_ROUGH_AFTER + _ZH_PAY
)
_EN_NUM = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
           "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30,
           "forty-five": 45, "sixty": 60, "ninety": 90}
# words that end an English event: the next slot of the command ("... after delivery owner @bob")
_EN_STOP = (r"(?:owner|amount|kind|type|due|by|on|for|with|and|or|to|reason|note|within|plus|whichever|if|unless|"
            r"when|at|payable|instead|is|are|was|were|gets|has|now|please|pls|thanks)\b")
_EN_WORD = r"[A-Za-z\u4e00-\u9fff][\w\u4e00-\u9fff'’\-]*"
_EN_EVENT = (r"(?P<event>(?!" + _EN_STOP + r")" + _EN_WORD + r"(?:\s+(?!" + _EN_STOP + r")" + _EN_WORD + r"){0,3}"
             r"(?:\s+(?:is|are|gets|has\s+been)\s+(?:done|completed?|finished|received|paid|issued|signed(?:\s+off)?|"
             r"accepted|delivered|live))?)")
_EN_UNIT = (r"(?P<unit>(?:working|business|work)[\s-]+days?|calendar\s+days?|days?|weeks?|months?|years?|"
            r"d|wks?|mos?|mths?|yrs?)(?![A-Za-z])")
# "2 weeks from now", "3 days after today": a date, not an event
_EN_NOT_EVENT = r"(?!(?:now|today|tomorrow|tonight|yesterday|this|next|last)\b)"
_EN = re.compile(
    r"(?:(?<![\w-])(?P<within>within|in)\s+)?(?:(?<![\w.,\-])(?P<n_from>\d{1,4})\s*(?:-|–|to)\s*)?"
    r"(?<![\w.,])(?P<n>\d{1,4}|" + "|".join(sorted(_EN_NUM, key=len, reverse=True))
    + r")\s*" + _EN_UNIT + r"\s+"
    r"(?P<dir>after|following|from|of|post(?:[\s-]+|(?=-))|before|prior\s+to)\s*-?\s*" + _EN_NOT_EVENT + _EN_EVENT,
    re.IGNORECASE,
)
# net 30 after acceptance, net 45 from delivery: days
_EN_NET = re.compile(
    r"(?<![\w-])net[\s-]*(?P<n>\d{1,4})(?:\s*(?:days?|d)(?![A-Za-z]))?\s+"
    r"(?P<dir>after|following|from|of|post(?:[\s-]+|(?=-))|upon|on)\s*-?\s*" + _EN_NOT_EVENT + _EN_EVENT,
    re.IGNORECASE,
)
# acceptance + 30 days, invoice date + 30d: an event word before the plus ("final payment +1 month" moves a date)
_EN_PLUS_EVENT = (r"(?:(?:delivery|final|contract|goods|user|system)\s+)?(?:acceptance|accepted|delivery|delivered|go-?live|launch|sign-?off|uat|"
                  r"invoice|invoicing|signing|signature|effective|shipment|arrival|start|end|expiry)(?:\s+date)?")
_EN_PLUS = re.compile(
    r"(?<![\w-])(?P<event>(?!" + _EN_STOP + r")" + _EN_PLUS_EVENT + r")"
    r"\s*\+\s*(?P<n>\d{1,4})\s*" + _EN_UNIT,
    re.IGNORECASE,
)
# said around a count it can't be taken as: about 30 days, 30 to 45 days, 30-45天
_ROUGH_BEFORE = re.compile(r"(?:(?<![A-Za-z])(?:about|around|roughly|approximately|approx\.?|circa|ca\.|some|"
                           r"more\s+or\s+less|a\s+few|several|some\s+time|at\s+(?:least|most|the\s+latest|the\s+earliest)|"
                           r"(?:no|not)\s+(?:less|more|later|earlier)\s+than|up\s+to|over|more\s+than|less\s+than)|~)\s*$|\d\s*(?:to|-|–|~)\s*$", re.IGNORECASE)
_EITHER_AFTER = re.compile(r"^\s*[,，]?\s*(?:(?:or|whichever)(?![A-Za-z])|或者?|或是)", re.IGNORECASE)


# what may stand glued before a Chinese event: the verb that gives the rule (尾款改成验收后30天) or the milestone's
# own name (尾款验收后30天, 质保金上线满一年)
_ZH_LEAD_VERB = re.compile(r"^.*(?:改成|改为|改到|改在|调整为|调整到|调整成|延期到|延期至|延到|推迟到|推迟至|顺延到|顺延至|挪到|"
                           r"定为|设为|设置为|变为|变成|换成|截止日期|截止时间|截止日|为|在|是|按)(?=.)")
_ZH_LEAD_NAME = re.compile(r"^[\u4e00-\u9fff]{1,5}?(?:款|金|费)(?=验收|交付|交货|到货|发货|上线|签约|签订|签署|合同|开票|发票|"
                           r"终验|初验|试运行|投产)")


def _zh_lead(event: str) -> int:
    """How many characters before a Chinese event's own word belong to the rest of the line."""
    m = _ZH_LEAD_VERB.match(event)
    lead = m.end() if m else 0
    if (n := _ZH_LEAD_NAME.match(event[lead:])) is not None:
        lead += n.end()
    return lead


def _en_unit(word: str) -> str:
    low = word.lower()
    if low.startswith(("working", "business", "work")):
        return "workday"
    if low in ("d",):
        return "day"
    if low.startswith("wk"):
        return "week"
    if low.startswith(("mo", "mth")):
        return "month"
    if low.startswith("yr"):
        return "year"
    for unit in ("day", "week", "month", "year"):
        if unit in low:
            return unit
    return "day"


def _doubt(text: str, start: int, end: int, rough: bool = False) -> str | None:
    if rough or _ROUGH_BEFORE.search(text[:start]):
        return "rough"
    if _EITHER_AFTER.search(text[end:]):
        return "either"
    return None


# traditional characters of the words a rule is said with (驗收後二十個工作日內, 簽約後兩週): read as simplified, one
# character for one, so positions in the line stay the same
_TRAD = str.maketrans("驗後簽約線貨發開運試訂務單質營個週禮內滿兩當時際後開", "验后签约线货发开运试订务单质营个周礼内满两当时际后开")


def find_due_after(text: str, *, now: datetime | None = None, tz: str | None = None) -> Found | None:
    """The first relative due date in ``text`` (Chinese or English form), or None.

    With ``now`` and ``tz``, a phrase the date reader reads as a date from its first word on is a date, not an
    event: 元旦后三天, 春节后5个工作日, 3 days after Christmas.
    """
    hits: list[Found] = []
    text = text.translate(_TRAD)
    for pattern in (_ZH, _ZH_LATE):
        if (m := pattern.search(text)) is None:
            continue
        if m.group("half"):
            n: int | None = 6
            unit = "month"
        else:
            n = cn_int(m.group("n"))
            unit = _ZH_UNITS[m.group("unit")]
            if n is not None and m.group("plus_half"):
                n, unit = n * 12 + 6, "month"  # 一年半: eighteen months
        if n is None:
            continue
        sign = -1 if "前" in m.group("dir") else 1
        lead = _zh_lead(m.group("event"))  # 尾款改成验收后30天: the event is 验收
        event, start = m.group("event")[lead:], m.start() + lead
        rough = bool(m.group("rough") or m.group("rough_after") or m.group("n_from")
                     or (m.group("nth") and unit != "day"))  # 验收后第二年: some time in the second year
        doubt = _doubt(text, m.start("n") if m.group("n") else m.start("half"), m.end(), rough=rough)
        hits.append(Found(DueAfter(event, sign * n, unit, text[start:m.end()].strip(), doubt), start, m.end()))
    for m in _EN.finditer(text):
        if m.group("dir").lower() == "of" and not m.group("within"):
            continue  # "30 days of support" is a name; "within 30 days of acceptance" is a due date
        raw = m.group("n").lower()
        n = int(raw) if raw.isdigit() else _EN_NUM[raw]
        sign = -1 if m.group("dir").lower().startswith(("before", "prior")) else 1
        event = re.sub(r"^the\s+", "", m.group("event"), flags=re.IGNORECASE)
        hits.append(Found(DueAfter(event, sign * n, _en_unit(m.group("unit")), m.group().strip(),
                                   _doubt(text, m.start(), m.end(), rough=bool(m.group("n_from")))), m.start(), m.end()))
        break
    for pattern in (_EN_NET, _EN_PLUS):
        if (other := pattern.search(text)) is not None:
            event = re.sub(r"^the\s+", "", other.group("event"), flags=re.IGNORECASE)
            unit = _en_unit(other.group("unit")) if "unit" in pattern.groupindex and other.group("unit") else "day"
            hits.append(Found(DueAfter(event, int(other.group("n")), unit, other.group().strip(),
                                       _doubt(text, other.start(), other.end())), other.start(), other.end()))
    if now is not None and tz is not None:
        hits = [f for f in hits if not _a_date(f.due.text, now, tz)]
    return min(hits, key=lambda f: f.start) if hits else None


# an event named with no count after it (验收合格后支付尾款, 到货后付50%, 签约当天, 30% on signing, upon acceptance):
# found only to say what is missing
_EVENT_HINT = (r"验收|交付|交货|到货|发货|上线|投产|签约|签订|签署|生效|到期|开票|发票|终验|初验|试运行|质保期满|首付款|"
               r"预付款|到账")
_ZH_NO_COUNT = re.compile(r"[\u4e00-\u9fff]{0,6}?(?:" + _EVENT_HINT + r")[\u4e00-\u9fff]{0,4}?"
                          r"(?:之后|以后|后|時|时|当天|当日)(?![\s\d零〇一二两三四五六七八九十半第约]*(?:个|天|日|周|月|年|工作日|星期))")
_EN_NO_COUNT = re.compile(r"(?<![A-Za-z])(?:on|upon|at|after|following)\s+(?:the\s+)?(?:contract\s+|final\s+|delivery\s+)?"
                          r"(?:signing|signature|acceptance|delivery|go-?live|launch|invoice|invoicing|shipment|"
                          r"execution|completion)(?![A-Za-z])", re.IGNORECASE)


def event_without_count(text: str) -> str | None:
    """An event a due date would count from, said without how long after it (验收合格后支付尾款, upon acceptance)."""
    m = _ZH_NO_COUNT.search(text) or _EN_NO_COUNT.search(text)
    return m.group().strip() if m else None


def _a_date(phrase: str, now: datetime, tz: str) -> bool:
    found = dates.find_date(phrase, now=now, tz=tz)
    return found is not None and found.start == 0


# --- the contract's own dates -----------------------------------------------------------------------------

_EVENT_WORDS: dict[str, tuple[str, ...]] = {
    "signed": ("签约", "签订", "签署", "签字", "签订合同", "签署合同", "签合同", "signing", "signature", "signed",
               "contract signing", "contract signature", "contract signed", "execution", "contract execution"),
    "start": ("开始", "生效", "起始", "启动", "合同生效", "合同开始", "start", "starts", "started", "start date",
              "commencement", "effective date", "effective", "contract start", "contract starts",
              "contract started", "contract commencement"),
    "end": ("到期", "结束", "期满", "终止", "合同到期", "合同结束", "合同期满", "合同终止", "end", "ends", "ended",
            "end date", "expiry", "expiration", "contract end", "contract ends", "contract expiry",
            "contract expiration", "end of the contract", "end of contract", "term end", "end of term"),
}
_EVENT_OF = {w: key for key, words in _EVENT_WORDS.items() for w in words}


def normal_event(event: str) -> str:
    """An event word without the filler around it: 在验收合格之日 -> 验收, the contract is signed -> contract signed."""
    text = event.strip()
    if re.search(r"[\u4e00-\u9fff]", text):
        text = text.translate(_TRAD)
        text = re.sub(r"^(?:在|于|自|从|待|经|由|收到|取得|完成|正式|系统|项目|整体|全部|货物)+", "", text) or text
        text = re.sub(r"(?:之日|当日|当天|日期|日)$", "", text)
        done = re.sub(r"(?:完成|通过|合格|结束|确认|到账|支付|完毕|付清|签字|签收|开具|收到)+$", "", text)
        text = done if done not in ("", "合同") else text  # 合同结束 is the contract's end, not 合同
        text = re.sub(r"(?:之|以)$", "", text) or text
        return text.strip()
    low = re.sub(r"\s+", " ", text.lower())
    low = re.sub(r"^(?:the|a) ", "", low)
    low = re.sub(r"'s\b|’s\b", "", low)
    low = re.sub(r" (?:is|are|was|were|gets|has been|have been|being)\b", "", low)
    low = re.sub(r" (?:is )?(?:done|completed?|finished|received|paid|happens|achieved|issued|signed off)$", "", low) \
        or low
    low = re.sub(r"\bthe ", "", low)
    # the date of acceptance, receipt of the invoice, acceptance date: the event itself
    if low not in _EVENT_OF:
        low = re.sub(r"^(?:(?:date|day|receipt|issue|completion) of )+", "", low) or low
        low = re.sub(r" (?:date|day)$", "", low) or low
    return low.strip()


def contract_event(event: str) -> str | None:
    """``signed``, ``start`` or ``end`` when an event word names one of the contract's own dates."""
    n = normal_event(event)
    if n in _EVENT_OF:
        return _EVENT_OF[n]
    if n.startswith("合同") and n[2:] in _EVENT_OF:
        return _EVENT_OF[n[2:]]
    if n.startswith("contract ") and n[9:] in _EVENT_OF:
        return _EVENT_OF[n[9:]]
    # signing the contract, signature of the contract, 签订合同: the word with the contract named after it
    bare = re.sub(r"(?:\s+(?:of\s+)?(?:the\s+)?(?:contract|agreement))$|合同$", "", n)
    if bare != n and bare in _EVENT_OF:
        return _EVENT_OF[bare]
    return None


# --- the date ---------------------------------------------------------------------------------------------


def shift(day: date, count: int, unit: str) -> date:
    """``count`` units after ``day`` (before it when negative); months and years stop at a month's end."""
    if unit == "workday":
        return business_days_after(day, count)
    if unit == "week":
        return day + timedelta(weeks=count)
    if unit == "month":
        return day + relativedelta(months=count)
    if unit == "year":
        return day + relativedelta(years=count)
    return day + timedelta(days=count)


# --- saying it --------------------------------------------------------------------------------------------


def event_name(after_event: str | None, anchor_title: str | None, lang: str) -> str:
    """What the event is called in a sentence: a milestone's name, or the contract's signing / start / end."""
    if after_event:
        return t(f"after.event.{after_event}", lang)
    return anchor_title or t("after.event.unknown", lang)


def rule_text(count: int, unit: str, event: str, lang: str) -> str:
    """'30 days after 交付验收' / '交付验收后30天'; 'before' for a negative count."""
    n = abs(count)
    unit_name = t(f"after.unit.{unit}" if n != 1 else f"after.unit1.{unit}", lang)
    return t("after.rule" if count >= 0 else "after.rule_before", lang, n=n, unit=unit_name, event=event)


def canonical(due: DueAfter, lang: str) -> str:
    """The README form of a relative due date: ``due 30 days after 验收`` / ``验收后30天``."""
    text = rule_text(due.count, due.unit, normal_event(due.event), lang)
    return f"due {text}" if lang == "en" else text


def rule_of(m: Milestone, anchor_title: str | None, lang: str) -> str:
    """A milestone's rule in words: '30 days after 交付验收' / '签约后5个工作日'."""
    return rule_text(m.after_count or 0, m.after_unit or "day", event_name(m.after_event, anchor_title, lang), lang)


def waiting_text(m: Milestone, anchor: Milestone | None, lang: str, *, as_field: bool = False) -> str:
    """'due 30 days after 交付验收 (交付验收 not yet done)': a milestone with no date yet, and why.

    ``anchor`` is the milestone it is due after (None for a contract date, or when the caller has not loaded it).
    ``as_field``: the value of a "Due:" field, without the leading "due". A closed milestone gets its rule only.
    """
    rule = rule_of(m, anchor.title if anchor else None, lang)
    if m.status != MilestoneStatus.OPEN:
        return rule
    return t("after.waiting_field" if as_field else "after.waiting", lang, rule=rule,
             state=waiting_state(m, anchor, lang))


def waiting_state(m: Milestone, anchor: Milestone | None, lang: str) -> str:
    """Why a milestone has no date yet: '交付验收 not yet done', '… was cancelled', 'no signing date yet'."""
    event = event_name(m.after_event, anchor.title if anchor else None, lang)
    if m.after_event:
        return t("after.state.no_date", lang, event=event)
    if anchor is not None and anchor.status == MilestoneStatus.CANCELLED:
        return t("after.state.cancelled", lang, event=event)
    return t("after.state.waiting", lang, event=event)


class TextPiece(Protocol):
    """What is left of a typed line while its parts are read off it (grammar's _Text, the free reader's _Line)."""

    @property
    def text(self) -> str: ...

    def cut(self, start: int, end: int) -> object: ...


def take_due_after(piece: TextPiece, *, now: datetime, tz: str, example: str) -> DueAfter | None:
    """Cut a due date written relative to an event (验收后30天) out of the text; refuse two, or one with a date too."""
    found = find_due_after(piece.text, now=now, tz=tz)
    if found is None:
        return None
    piece.cut(found.start, found.end)
    if (again := find_due_after(piece.text, now=now, tz=tz)) is not None:  # 验收后30天 验收后60天
        raise UserError("err.after_two", example=example, first=found.due.text, second=again.due.text)
    if (also := dates.find_date(piece.text, now=now, tz=tz)) is not None:
        raise UserError("err.after_and_date", example=example, date=also.text, phrase=found.due.text)
    return found.due
