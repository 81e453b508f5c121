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

from dateutil.relativedelta import relativedelta

from handlers import dates
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


@dataclass(frozen=True)
class Found:
    """A relative due date found in a line, and where it stands."""

    due: DueAfter
    start: int
    end: int


_ZH_NUM = r"\d{1,4}|[零〇一二两三四五六七八九十百]{1,4}"
_ZH_UNITS = {"个工作日": "workday", "工作日": "workday", "个自然日": "day", "自然日": "day", "天": "day", "日": "day",
             "个星期": "week", "星期": "week", "周": "week", "个月": "month", "月": "month", "年": "year"}
# 验收后30天内, 合同签订之日起15个工作日内支付, 在签约后5个工作日, 合同到期前1个月: the event is the shortest run of
# letters right before 后/起/前 (a space or a number ends it, so "尾款 验收后30天" names 验收, not 尾款验收)
_ZH = re.compile(
    r"(?P<event>[\u4e00-\u9fffA-Za-z][\u4e00-\u9fffA-Za-z0-9\-]*?)\s*(?:之日|当日|当天)?\s*"
    r"(?P<dir>之后|以后|后|起|之前|以前|前)\s*(?P<n>" + _ZH_NUM + r")\s*"
    r"(?P<unit>个工作日|工作日|个自然日|自然日|天|日|个星期|星期|周|个月|月(?![\d零〇一二两三四五六七八九十])|年)"
    r"(?:\s*(?:之内|以内|内))?(?:\s*(?:支付|付款|付清|到期|截止))?"
)
_EN_NUM = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
           "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30,
           "forty-five": 45, "sixty": 60, "ninety": 90}
# words that end an English event: the next slot of the command ("... after delivery owner @bob")
_EN_STOP = r"(?:owner|amount|kind|type|due|by|on|for|with|and|to|reason|note|within|plus)\b"
_EN_WORD = r"[A-Za-z\u4e00-\u9fff][\w\u4e00-\u9fff'’\-]*"
_EN = re.compile(
    r"(?:(?<![\w-])(?P<within>within|in)\s+)?(?<![\w.,\-])(?P<n>\d{1,4}|" + "|".join(sorted(_EN_NUM, key=len, reverse=True))
    + r")\s*(?P<unit>(?:working|business|work)[\s-]+days?|calendar\s+days?|days?|weeks?|months?|years?)\s+"
    r"(?P<dir>after|following|from|of|before|prior\s+to)\s+"
    # "2 weeks from now", "3 days after today": a date, not an event
    r"(?!(?:now|today|tomorrow|tonight|yesterday|this|next|last)\b)"
    r"(?P<event>(?!" + _EN_STOP + r")" + _EN_WORD + r"(?:\s+(?!" + _EN_STOP + r")" + _EN_WORD + r"){0,3})",
    re.IGNORECASE,
)


def _en_unit(word: str) -> str:
    low = word.lower()
    if low.startswith(("working", "business", "work")):
        return "workday"
    for unit in ("day", "week", "month", "year"):
        if unit in low:
            return unit
    return "day"


def find_due_after(text: str, *, now: datetime | None = None, tz: str | None = None) -> Found | None:
    """The first relative due date in ``text`` (Chinese or English form), or None.

    With ``now`` and ``tz``, a phrase the date reader reads as a date from its first word on is a date, not an
    event: 元旦后三天, 春节后5个工作日, 3 days after Christmas.
    """
    hits: list[Found] = []
    if (m := _ZH.search(text)) is not None:
        n = cn_int(m.group("n"))
        if n is not None:
            sign = -1 if "前" in m.group("dir") else 1
            hits.append(Found(DueAfter(m.group("event"), sign * n, _ZH_UNITS[m.group("unit")], m.group().strip()),
                              m.start(), m.end()))
    for m in _EN.finditer(text):
        if m.group("dir").lower() == "of" and not m.group("within"):
            continue  # "30 days of support" is a name; "within 30 days of acceptance" is a due date
        raw = m.group("n").lower()
        n = int(raw) if raw.isdigit() else _EN_NUM[raw]
        sign = -1 if m.group("dir").lower().startswith(("before", "prior")) else 1
        event = re.sub(r"^the\s+", "", m.group("event"), flags=re.IGNORECASE)
        hits.append(Found(DueAfter(event, sign * n, _en_unit(m.group("unit")), m.group().strip()), m.start(), m.end()))
        break
    if now is not None and tz is not None:
        hits = [f for f in hits if not _a_date(f.due.text, now, tz)]
    return min(hits, key=lambda f: f.start) if hits else None


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
        text = re.sub(r"^(?:在|于|自|从|待|经)", "", text)
        text = re.sub(r"(?:之日|当日|当天|日期|日)$", "", text)
        text = re.sub(r"(?:完成|通过|合格|结束|确认|到账|支付)$", "", text) or text
        text = re.sub(r"(?:之|以)$", "", text) or text
        return text.strip()
    low = re.sub(r"\s+", " ", text.lower())
    low = re.sub(r"^(?:the|a) ", "", low)
    low = re.sub(r"'s\b|’s\b", "", low)
    low = re.sub(r" (?:is|are|was|were|gets|has been|have been|being)\b", "", low)
    low = re.sub(r" (?:is )?(?:done|completed?|finished|received|paid|happens|achieved)$", "", low) or low
    low = re.sub(r"\bthe ", "", low)
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
