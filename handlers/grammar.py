"""The command grammar: text in English or Chinese -> a typed command, or a ParseError with an example.

The grammar is deliberately forgiving about order ("首付款 30% 下周五 @张三" and
"first payment 30% due next Friday owner @alice" both work): it pulls out the parts it can recognise
(mentions, keyword segments, the date phrase, amounts, percentages) and what remains is the name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from handlers import amounts, dates, relative
from handlers.errors import UserError
from handlers.i18n import PerLanguage
from handlers.numerals import cn_int
from handlers.relative import DueAfter

_CJK = re.compile(r"[\u3400-\u9fff\uff00-\uffef]")
NUMBER_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_\-/.]*$")
MENTION_RE = re.compile(
    r"<@(?P<id>[A-Za-z0-9:_\-]+)(?:\|(?P<name>[^>]+))?>"
    # @name, or @ before a whole e-mail address (a member known by address: @zhao.liu@yunqi-tech.cn)
    r"|(?<![A-Za-z0-9_.@])@(?P<handle>[\w\u4e00-\u9fff][\w\u4e00-\u9fff.\-]*(?:@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+)?)"
)
# the longest title or counterparty the ledger keeps (storage/models.py); longer ones are refused, not cut
NAME_LIMIT = 255
QUOTED_RE = re.compile(r"\"([^\"]+)\"|“([^”]+)”|「([^」]+)」|'([^']+)'")

MILESTONE_KINDS = ("payment", "delivery", "acceptance", "warranty", "renewal", "other")

# Words that say what kind a milestone is; checked in this order, so 交付验收 is an acceptance.
_KIND_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("warranty", ("warranty", "retention", "质保", "保证金")),
    ("renewal", ("renewal", "renew", "续约", "续签", "续费")),
    ("acceptance", ("acceptance", "accept", "验收", "sign-off", "signoff")),
    ("payment", ("payment", "pay", "invoice", "installment", "deposit", "fee", "rent", "款", "付费", "支付", "回款",
                 "发票", "定金", "订金", "费", "租金")),
    ("delivery", ("delivery", "deliver", "go-live", "golive", "launch", "交付", "上线", "发货", "交货")),
)
_KIND_NAMES = {
    "payment": ("payment", "付款", "款项", "回款"),
    "delivery": ("delivery", "交付"),
    "acceptance": ("acceptance", "验收"),
    "warranty": ("warranty", "质保"),
    "renewal": ("renewal", "续约"),
    "other": ("other", "其他"),
}


def detect_language(text: str) -> str | None:
    """Say 'zh' for Chinese text, 'en' for Latin text, None when there is nothing to tell."""
    if _CJK.search(text):
        return "zh"
    if re.search(r"[A-Za-z]", text):
        return "en"
    return None


def milestone_kind(title: str, *, carries_money: bool = False) -> str:
    """Guess a milestone's kind from its name (首付款 -> payment, 交付验收 -> acceptance); a name that says nothing
    more but comes with an amount or a percentage ("balance 80%") is a payment."""
    low = title.lower()
    for kind, words in _KIND_WORDS:
        if any(w in low for w in words):
            return kind
    return "payment" if carries_money else "other"


def kind_from_word(word: str) -> str | None:
    """Map a typed kind name (payment / 付款 ...) to a kind."""
    low = word.strip().lower()
    for kind, names in _KIND_NAMES.items():
        if low in names:
            return kind
    return None


# --- commands ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OwnerRef:
    """A person named in a command: a platform user id, an @handle, or both."""

    user_id: str | None = None
    handle: str | None = None
    name: str | None = None


@dataclass(frozen=True)
class DateValue:
    """A date the user typed, with what we understood and any note on an ambiguous reading."""

    value: date
    text: str
    note: str | None = None
    note_zh: str | None = None

    def reading(self, lang: str) -> str | None:
        """The note on an ambiguous reading, in the reply language."""
        return (self.note_zh or self.note) if lang == "zh" else self.note


@dataclass(frozen=True)
class NewContract:
    number: str
    title: str
    counterparty: str = ""
    amount: Decimal | None = None
    currency: str | None = None
    end_on: DateValue | None = None
    start_on: DateValue | None = None
    signed_on: DateValue | None = None
    owner: OwnerRef | None = None
    notice_days: int | None = None
    auto_renew: bool = False
    crm_opportunity: str | None = None
    crm_order: str | None = None
    channel: str | None = None
    kind: str | None = None


@dataclass(frozen=True)
class AddMilestone:
    number: str
    title: str
    kind: str
    due_on: DateValue | None  # None: due relative to an event (``after``)
    owner: OwnerRef | None = None
    amount: Decimal | None = None
    currency: str | None = None
    percent: Decimal | None = None
    after: DueAfter | None = None  # 验收后30天, 12 months after acceptance


@dataclass(frozen=True)
class CompleteMilestone:
    number: str
    milestone: str = ""
    done_on: DateValue | None = None  # the day it was done, when not today ("done HT-1 delivery on 2026-11-02")


@dataclass(frozen=True)
class ShowContract:
    number: str


@dataclass(frozen=True)
class ListItems:
    scope: str = "contracts"  # contracts | mine | overdue | week
    page: int = 1  # pages of LIST_PAGE items, from 1
    # +1 / -1: the page after / before the one the sender last saw in this chat (下一页); scope and page then
    # come from that list, not from this command
    step: int = 0


@dataclass(frozen=True)
class Help:
    topic: str = ""


@dataclass(frozen=True)
class Snooze:
    number: str
    milestone: str
    days: int | None = None
    until: DateValue | None = None


@dataclass(frozen=True)
class Reassign:
    number: str
    milestone: str
    owner: OwnerRef


@dataclass(frozen=True)
class AddNote:
    number: str
    words: str  # "<milestone name> <note text>": the use case splits it against the real milestone names


@dataclass(frozen=True)
class SetReminders:
    number: str
    milestone: str
    offsets: tuple[int, ...]


@dataclass(frozen=True)
class Settings:
    key: str = ""
    value: str = ""


# --- pieces ------------------------------------------------------------------------------------------


@dataclass
class _Text:
    """Text being taken apart: pieces are cut out as they are recognised."""

    text: str
    taken: list[tuple[int, int]] = field(default_factory=list)

    def cut(self, start: int, end: int) -> str:
        piece = self.text[start:end]
        self.text = self.text[:start] + " " * (end - start) + self.text[end:]
        return piece

    def rest(self) -> str:
        return re.sub(r"\s+", " ", self.text).strip()


def _owner_from_match(m: re.Match[str]) -> OwnerRef:
    if m.group("id"):
        return OwnerRef(user_id=m.group("id"), name=m.group("name"))
    return OwnerRef(handle=m.group("handle"))


def take_mentions(t: _Text) -> list[OwnerRef]:
    """Cut every mention out of the text, in order."""
    found: list[OwnerRef] = []
    while (m := MENTION_RE.search(t.text)) is not None:
        found.append(_owner_from_match(m))
        t.cut(m.start(), m.end())
    return found


def _keyword_pattern(words: tuple[str, ...]) -> str:
    parts = []
    for w in sorted(words, key=len, reverse=True):
        if _CJK.search(w):
            parts.append(rf"(?:(?<=\s)|^){re.escape(w)}[:：]?")
        else:
            parts.append(rf"(?<![\w-]){re.escape(w)}(?![\w-])[:：]?")
    return "|".join(parts)


def split_keywords(text: str, keywords: dict[str, tuple[str, ...]]) -> tuple[str, dict[str, str]]:
    """Split 'head kw1 value kw2 value' into the head and {kw: value}; values run to the next keyword."""
    pattern = re.compile(
        "|".join(f"(?P<{name.replace('-', '_')}>{_keyword_pattern(words)})" for name, words in keywords.items()),
        re.IGNORECASE,
    )
    hits = [(m.start(), m.end(), m.lastgroup or "") for m in pattern.finditer(text)]
    if not hits:
        return text.strip(), {}
    head = text[: hits[0][0]].strip()
    values: dict[str, str] = {}
    for i, (_start, end, name) in enumerate(hits):
        stop = hits[i + 1][0] if i + 1 < len(hits) else len(text)
        values[name.replace("_", "-")] = text[end:stop].strip()
    return head, values


def date_error(phrase: str, *, example: str, now: datetime, tz: str, within: str | None = None) -> UserError:
    """The error for a phrase that names no date: with the reason when the date reader refused it on purpose
    (a weekday that contradicts the date, a day counted from an event). ``within`` is the whole text the
    phrase came from, where a refused date may be longer than the piece that looked like one."""
    source = within if within and dates.refusal_reason(within, now=now, tz=tz, lang="en") else phrase
    reason_en = dates.refusal_reason(source, now=now, tz=tz, lang="en")
    if reason_en is None:
        return UserError("err.date_unreadable", example=example, phrase=phrase)
    reason_zh = dates.refusal_reason(source, now=now, tz=tz, lang="zh") or reason_en
    return UserError("err.date_refused", example=example, reason=PerLanguage(reason_en, reason_zh))


def _date_value(phrase: str, *, now: datetime, tz: str, example: str) -> DateValue:
    phrase = phrase.strip()
    if not phrase:
        raise UserError("err.date_missing", example=example)
    found = dates.find_date(phrase, now=now, tz=tz)
    if found is None or phrase[: found.start].strip() or phrase[found.end:].strip():
        value = dates.parse_date(phrase, now=now, tz=tz)
        if value is None:
            raise date_error(phrase, example=example, now=now, tz=tz)
        return DateValue(value, phrase)
    return DateValue(found.value, found.text, found.note, found.note_zh)


def only_mention(value: str, ex: str) -> OwnerRef:
    """The one person an ``owner`` keyword names; anything else after it is refused, not dropped."""
    t = _Text(value)
    found = take_mentions(t)
    if not found:
        raise UserError("err.owner_missing", example=ex)
    if t.rest().strip(" ,，;；."):
        raise UserError("err.word_unplaced", example=ex, word=t.rest().split(" ")[0])
    return found[0]


_FORWARD = re.compile(r"后|内|以后|之后|下|明|(?<![\w-])(?:in|next|tomorrow|from now)(?![\w-])", re.IGNORECASE)


def past_day(dv: DateValue, *, now: datetime, tz: str, ex: str, error: str) -> DateValue:
    """A day something already happened: "15号" or "3月1日" said after the day means the last one, not the next;
    a day still to come is refused with ``error`` (its ``{date}``)."""
    today = now.astimezone(ZoneInfo(tz)).date()
    if dv.value <= today:
        return dv
    if not _FORWARD.search(dv.text):
        for back in (7, 31, 366):
            earlier = dates.parse_date(dv.text, now=now - timedelta(days=back), tz=tz)
            if earlier is not None and earlier <= today:
                return DateValue(earlier, dv.text)
    raise UserError(error, example=ex, date=dv.value.isoformat())


# "on" / "于" / "在" / "dated" just before the completion day of a done line
_DONE_ON_WORD = re.compile(r"(?:(?<![\w-])(?:on|at|dated)|完成于|于|在|日期[:：]?)\s*$", re.IGNORECASE)


def take_done_on(text: str, *, now: datetime, tz: str, ex: str) -> tuple[str, DateValue | None]:
    """The day a milestone was done, when a done line ends with one ("… on 2026-11-02", "… 于11月2日", "…
    yesterday"): (the text before it, the day). Only a date at the end counts, so a title with a number or a
    month in it ("phase 2", "March delivery") stays a title; the day must not be in the future."""
    found = dates.find_date(text, now=now, tz=tz)
    if found is None or re.sub(r"[了啦的吧呢!！。.,，\s\x00]", "", text[found.end:]):
        return text, None
    head = _DONE_ON_WORD.sub("", text[: found.start].rstrip(" \t,，\x00"))
    if not head.strip(" \t,，\x00"):
        return text, None  # the date is all there is: a title such as "2027", not a day
    dv = past_day(DateValue(found.value, found.text, found.note, found.note_zh), now=now, tz=tz, ex=ex,
                  error="err.done_future")
    return head, dv


def _find_date_in(t: _Text, *, now: datetime, tz: str) -> DateValue | None:
    found = dates.find_date(t.text, now=now, tz=tz)
    if found is None:
        return None
    glued = re.match(r"-?[A-Za-z]+", t.text[found.end:])
    if glued and found.text[-1:].isalpha():
        # "yesterday-ish": half a date is not a date
        raise UserError("err.word_unplaced", word=found.text + glued.group())
    t.cut(found.start, found.end)
    return DateValue(found.value, found.text, found.note, found.note_zh)


def _take_money(t: _Text, *, min_bare: Decimal, example: str) -> amounts.Money | None:
    """Cut out the amount a command means (see amounts.pick_money); refuse numbers with odd commas."""
    if (bad := amounts.bad_number(t.text)) is not None:
        raise UserError("err.amount_unreadable", example=example, got=bad)
    money = amounts.pick_money(t.text, min_bare=min_bare)
    if money is not None:
        t.cut(money.start, money.end)
    return money


def _check_amount(value: Decimal, example: str) -> Decimal:
    if value <= 0:
        raise UserError("err.amount_negative", example=example, amount=str(value))
    if value > amounts.MAX_AMOUNT:
        raise UserError("err.amount_absurd", example=example, amount=f"{value:,}")
    return value


def _check_number(number: str, example: str) -> str:
    if not number or not NUMBER_RE.match(number) or not re.search(r"\d", number):
        raise UserError("err.number_missing", example=example, got=number)
    return number.upper()


# --- the commands ------------------------------------------------------------------------------------

_CONTRACT_KEYWORDS: dict[str, tuple[str, ...]] = {
    "end": ("ends", "expires", "until", "end-date", "到期", "截止", "结束", "到期日"),
    "start": ("starts", "start", "effective", "开始", "起始", "生效"),
    "signed": ("signed", "签订", "签署", "签约"),
    "owner": ("owner", "负责人", "责任人"),
    "notice": ("notice", "通知期"),
    "opp": ("opp", "opportunity", "商机"),
    "order": ("order", "订单"),
    "channel": ("channel", "频道"),
    "kind": ("kind", "type", "类型"),
    "currency": ("currency", "币种"),
    "counterparty": ("with", "client", "customer", "客户", "对方", "甲方"),
}
_MILESTONE_KEYWORDS: dict[str, tuple[str, ...]] = {
    "owner": ("owner", "负责人", "责任人"),
    "amount": ("amount", "金额"),
    "kind": ("kind", "type", "类型"),
}
# auto-renew and notice period, as typed in a new contract (shared with the free-phrasing reader)
AUTO_RENEW_RE = re.compile(r"(?<![A-Za-z-])auto[-\s]?renew(?:al|s|ing|ed)?(?![A-Za-z-])|自动续约|自动续期|自动续签", re.IGNORECASE)
NOTICE_RE = re.compile(r"(?:notice(?:\s+period)?(?:\s+of)?\s*(\d+)\s*days?|(\d+)\s*days?'?\s*notice|提前\s*(\d+)\s*天\s*通知"
                     r"|通知期\s*(\d+)\s*天)", re.IGNORECASE)
# Something that looks like a date but was not understood (2月30日, 2027-02-30, 13/45): say so, not "missing"
_DATEISH = re.compile(
    r"\d+\s*月\s*\d*\s*[日号]?|\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\b\d{1,2}/\d{1,2}\b|[周星期礼拜]\s*[八九十]"
    r"|(?<![\w-])(?:next|this|last)\s+[a-z]+day\b",
    re.IGNORECASE,
)
_DUE_WORDS = re.compile(r"(?<![\w-])(due(?:\s+on|\s+by)?|by|on|deadline)(?![\w-])|截止(?:日期)?|到期", re.IGNORECASE)


def _parse_new(words: str, *, now: datetime, tz: str, ex: str) -> NewContract:
    number, _, rest = words.partition(" ")
    number = _check_number(number, ex)
    t = _Text(rest)
    auto = False
    if (m := AUTO_RENEW_RE.search(t.text)) is not None:
        auto = True
        t.cut(m.start(), m.end())
    notice: int | None = None
    if (m := NOTICE_RE.search(t.text)) is not None:
        notice = int(next(x for x in m.groups() if x))
        t.cut(m.start(), m.end())
    quoted = [next(g for g in m.groups() if g) for m in QUOTED_RE.finditer(t.text)]
    for m in reversed(list(QUOTED_RE.finditer(t.text))):
        t.cut(m.start(), m.end())
    head, kw = split_keywords(t.text, _CONTRACT_KEYWORDS)
    h = _Text(head)
    mentions = take_mentions(h)
    owner = mentions[0] if mentions else None
    if "owner" in kw:
        found = take_mentions(_Text(kw["owner"]))
        if not found:
            raise UserError("err.owner_missing", example=ex)
        owner = found[0]
    end_on = _date_value(kw["end"], now=now, tz=tz, example=ex) if "end" in kw else None
    start_on = _date_value(kw["start"], now=now, tz=tz, example=ex) if "start" in kw else None
    signed_on = _date_value(kw["signed"], now=now, tz=tz, example=ex) if "signed" in kw else None
    if end_on is None:
        end_on = _find_date_in(h, now=now, tz=tz)
    money = _take_money(h, min_bare=Decimal(100), example=ex)
    if money is None and kw.get("counterparty"):
        # "客户 华为 100万": the amount may follow the counterparty keyword
        party = _Text(kw["counterparty"])
        money = _take_money(party, min_bare=Decimal(100), example=ex)
        kw["counterparty"] = party.rest()
    currency = money.currency if money else None
    if "currency" in kw:
        currency = amounts.normalize_currency(kw["currency"].split()[0]) if kw["currency"] else None
    elif (cur := amounts.find_currency(h.text)) is not None:
        currency = currency or cur[0]
        h.cut(cur[1], cur[2])
    amount = _check_amount(money.amount, ex) if money else None
    if "notice" in kw:
        m = re.search(r"\d+", kw["notice"])
        if not m:
            raise UserError("err.notice_unreadable", example=ex, got=kw["notice"])
        notice = int(m.group())
    remaining = h.rest()
    if len(quoted) >= 2:
        title, counterparty = quoted[0], quoted[1]
    elif quoted:
        title, counterparty = quoted[0], remaining
    else:
        title, _, counterparty = remaining.partition(" ")
    if "counterparty" in kw:
        counterparty = kw["counterparty"]
    title, counterparty = title.strip(), counterparty.strip()
    if not title:
        raise UserError("err.title_missing", example=ex)
    kind = kw.get("kind") or None
    return NewContract(
        number=number, title=title, counterparty=counterparty, amount=amount, currency=currency,
        end_on=end_on, start_on=start_on, signed_on=signed_on, owner=owner, notice_days=notice,
        auto_renew=auto, crm_opportunity=kw.get("opp") or None, crm_order=kw.get("order") or None,
        channel=kw.get("channel") or None, kind=kind,
    )


def _parse_milestone(words: str, *, now: datetime, tz: str, ex: str) -> AddMilestone:
    number, _, rest = words.partition(" ")
    number = _check_number(number, ex)
    quoted = None
    if (qm := QUOTED_RE.search(rest)) is not None:
        # a quoted name is the name, whatever words it holds ("UAT sign-off due", "owner handover")
        quoted = next(g for g in qm.groups() if g)
        rest = rest[: qm.start()] + " " + rest[qm.end():]
    head, kw = split_keywords(rest, _MILESTONE_KEYWORDS)
    h = _Text(head)
    mentions = take_mentions(h)
    owner = mentions[0] if mentions else None
    if "owner" in kw:
        owner = only_mention(kw["owner"], ex)
    due_after = relative.take_due_after(h, now=now, tz=tz, example=ex)
    due = _find_date_in(h, now=now, tz=tz) if due_after is None else None
    if due is None and due_after is None:
        if (dm := _DATEISH.search(h.text)) is not None:
            raise date_error(dm.group().strip(), example=ex, now=now, tz=tz, within=h.text)
        if _DUE_WORDS.search(h.text):
            after = _DUE_WORDS.split(h.text, maxsplit=1)[-1].strip()
            raise date_error(after or h.rest(), example=ex, now=now, tz=tz, within=h.text)
        raise UserError("err.date_missing", example=ex)
    percent: Decimal | None = None
    if (p := amounts.find_percent(h.text)) is not None:
        if p.value <= 0:
            raise UserError("err.percent_range", example=ex, percent=str(p.value))
        if p.value > 100:
            raise UserError("err.percent_over", example=ex, percent=str(p.value))
        percent = p.value
        h.cut(p.start, p.end)
    money = None
    if "amount" in kw:
        money = amounts.parse_money(kw["amount"])
        if money is None:
            raise UserError("err.amount_unreadable", example=ex, got=kw["amount"])
    elif percent is None:
        # a plain number in a milestone name (300 servers, phase 2) is not money unless it is large
        money = _take_money(h, min_bare=Decimal(1000), example=ex)
    amount = _check_amount(money.amount, ex) if money else None
    # leftover filler around the name: "due", "of", "for", 截止 ...
    title = _DUE_WORDS.sub(" ", h.rest())
    title = re.sub(r"^\s*(?:(?:of|for|the)\s+)+|(?:\s+(?:of|for|the))+\s*$", " ", title, flags=re.IGNORECASE)
    title = re.sub(r"\s+", " ", title).strip(" ,，;；")
    if quoted:
        if title:
            raise UserError("err.word_unplaced", example=ex, word=title.split(" ")[0])
        title = quoted.strip()
    if not title:
        raise UserError("err.milestone_name_missing", example=ex)
    kind = kind_from_word(kw["kind"]) if kw.get("kind") else None
    if kw.get("kind") and kind is None:
        raise UserError("err.kind_unknown", example=ex, got=kw["kind"], kinds=", ".join(MILESTONE_KINDS))
    return AddMilestone(
        number=number, title=title, due_on=due, owner=owner,
        kind=kind or milestone_kind(title, carries_money=amount is not None or percent is not None),
        amount=amount, currency=money.currency if money else None, percent=percent, after=due_after,
    )


_LIST_SCOPES: dict[str, tuple[str, ...]] = {
    "contracts": ("", "all", "contracts", "全部", "合同"),
    "mine": ("mine", "my", "我的"),
    "overdue": ("overdue", "late", "逾期"),
    "week": ("due this week", "this week", "week", "due", "本周到期", "本周"),
}
_LIST_STEPS: dict[int, tuple[str, ...]] = {
    1: ("next", "next page", "more", "下一页", "下页", "后一页", "更多"),
    -1: ("previous", "previous page", "prev", "prev page", "back", "上一页", "上页", "前一页"),
}
# "page 2", "p2", "第2页", "第二页", "2页" or a bare trailing number, at the end of the words
_LIST_PAGE = re.compile(
    r"(?:(?:^|\s)(?:page|p\.?)\s*(?P<en>\d{1,6})"
    r"|第\s*(?P<zh>\d{1,6}|[零〇一二两三四五六七八九十百千]{1,6})\s*页"
    r"|(?P<zh2>\d{1,6})\s*页"
    r"|(?:^|\s)(?P<bare>\d{1,6}))\s*$",
    re.IGNORECASE,
)


def _parse_list(words: str, lang: str, alias: str | None = None) -> ListItems:
    """``list [mine | overdue | due this week] [page N]``, ``列表 逾期 第2页``, ``下一页`` / ``next page``.

    ``alias`` is the list word typed as the verb (``mine``, ``overdue``, ``week``, ``next``, ``previous``:
    ``逾期 第2页``, ``下一页``); its words are read for a page only, anything else is ignored as before.
    """
    low = " ".join(words.lower().split())
    ex = "list overdue page 2" if lang == "en" else "列表 逾期 第2页"
    if alias in ("next", "previous"):
        return ListItems(step=1 if alias == "next" else -1)
    for step, names in _LIST_STEPS.items():
        if low in names:
            return ListItems(step=step)
    page = 1
    m = _LIST_PAGE.search(low)
    if m is not None:
        raw = next(g for g in m.groups() if g is not None)
        page = int(raw) if raw.isdigit() else (cn_int(raw) or 0)
        if page < 1:
            raise UserError("err.list_page_number", example=ex, got=m.group().strip())
        low = low[: m.start()].strip()
    if alias is not None:
        return ListItems(alias, page)
    for scope, names in _LIST_SCOPES.items():
        if low in names:
            return ListItems(scope, page)
    raise UserError("err.list_scope", example="list overdue" if lang == "en" else "列表 逾期", got=words)


_DURATION = re.compile(
    r"(?<![\d月/\-.])(?P<n>\d+|[一二两三四五六七八九十]+)\s*(?P<unit>d|days?|天|日|w|weeks?|周|星期|h|hours?|小时)$",
    re.IGNORECASE,
)
# 到/至 only as a word of their own ("延后 HT-1 交付 到 12月5日"), never inside a name like 到货款
_UNTIL = re.compile(
    r"(?<![\w-])(?:until|till|to)(?![\w-])|(?:(?<=\s)|^)(?:直到|推迟到|延后到|延到|至|到)(?=\s|\d|[下本这明后今])",
    re.IGNORECASE,
)
_OFFSETS = re.compile(r"(?P<list>\d{1,6}(?:\s*[,，、]\s*\d{1,6})*)\s*(?:d|days?|天)?$", re.IGNORECASE)

SETTING_KEYS: dict[str, tuple[str, ...]] = {
    "timezone": ("timezone", "tz", "zone", "时区"),
    "time": ("time", "reminder-time", "提醒时间", "时间"),
    "stages": ("stages", "offsets", "reminders", "提醒", "提醒天数"),
    "routing": ("routing", "route", "send-to", "发送", "发送方式", "推送"),
    "escalation": ("escalation", "escalate", "升级"),
    "overdue": ("overdue", "overdue-every", "逾期间隔", "逾期"),
    "currency": ("currency", "币种"),
    "language": ("language", "lang", "语言"),
    "holidays": ("holiday-shift", "holidays", "节假日顺延", "节假日"),
    "channel": ("channel", "default-channel", "频道"),
    "digest": ("digest", "weekly-digest", "weekly", "周报", "摘要", "每周摘要", "每周汇总"),
}
_SETTING_OF = {alias.lower(): key for key, aliases in SETTING_KEYS.items() for alias in aliases}
_GLUED_KEYS = sorted((a for a in _SETTING_OF if not a.isascii()), key=len, reverse=True)


def _zh_int(text: str) -> int:
    return cn_int(text) or 0


def _number_and_rest(words: str, ex: str) -> tuple[str, str]:
    number, _, rest = words.strip().partition(" ")
    return _check_number(number, ex), rest.strip()


def _parse_snooze(words: str, *, now: datetime, tz: str, ex: str) -> Snooze:
    number, rest = _number_and_rest(words, ex)
    parts = _UNTIL.split(rest, maxsplit=1)
    if len(parts) == 2 and parts[1].strip():
        return Snooze(number, parts[0].strip(), until=_date_value(parts[1], now=now, tz=tz, example=ex))
    if (m := _DURATION.search(rest)) is not None:
        n = _zh_int(m.group("n"))
        unit = m.group("unit").lower()
        days = n * 7 if unit[0] in "w周星" else max(1, n // 24) if unit[0] in "h小" else n
        if not 0 < days <= 365:
            raise UserError("err.snooze_range", example=ex)
        return Snooze(number, rest[: m.start()].strip(), days=days)
    t = _Text(rest)
    found = _find_date_in(t, now=now, tz=tz)
    if found is None:
        raise UserError("err.snooze_how_long", example=ex)
    return Snooze(number, t.rest(), until=found)


def _parse_reassign(words: str, ex: str) -> Reassign:
    number, rest = _number_and_rest(words, ex)
    t = _Text(rest)
    mentions = take_mentions(t)
    if not mentions:
        raise UserError("err.owner_missing", example=ex)
    name = re.sub(r"(?<![\w-])(to|owner)(?![\w-])|给|负责人", " ", t.rest(), flags=re.IGNORECASE)
    return Reassign(number, re.sub(r"\s+", " ", name).strip(), mentions[-1])


def _parse_remind(words: str, ex: str) -> SetReminders:
    number, rest = _number_and_rest(words, ex)
    m = _OFFSETS.search(rest)
    if m is None:
        raise UserError("err.offsets_unreadable", example=ex)
    if re.search(r"[-+−.,，、A-Za-z0-9]$", rest[: m.start()]):
        # -1,7 / 7,-1 / 1e9 / 1.5: a sign, an exponent or a fraction glued to the days is refused, not dropped
        raise UserError("err.offsets_range", example=ex)
    offsets = sorted({int(x) for x in re.split(r"\s*[,，、]\s*", m.group("list"))}, reverse=True)
    if any(not 0 < o <= 365 for o in offsets) or len(offsets) > 6:
        raise UserError("err.offsets_range", example=ex)
    return SetReminders(number, rest[: m.start()].strip(), tuple(offsets))


def _parse_settings(words: str) -> Settings:
    key, _, value = words.strip().partition(" ")
    if not key:
        return Settings()
    canonical = _SETTING_OF.get(key.lower())
    if canonical is None:
        # a Chinese key written without a space before its value: 周报周五17:30, 提醒14,7,3 (longest key first)
        glued = next((a for a in _GLUED_KEYS if key.startswith(a) and len(key) > len(a)), None)
        if glued is None:
            raise UserError("err.setting_unknown", got=key, keys=", ".join(SETTING_KEYS))
        canonical, value = _SETTING_OF[glued], key[len(glued):] + " " + value
    return Settings(canonical, value.strip())


def example_for(verb: str, lang: str) -> str:
    """A correct example of a command, in the given language."""
    from handlers.i18n import t

    return t(f"ex.{verb}", lang)
