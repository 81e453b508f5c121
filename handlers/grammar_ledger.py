"""Grammar of the money and contract-life commands: payments, receivables, renewals, changes, history, roles."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from handlers import amounts, relative
from handlers.errors import UserError
from handlers.grammar import (
    DateValue,
    OwnerRef,
    _check_amount,
    _date_value,
    _find_date_in,
    _number_and_rest,
    _take_money,
    _Text,
    past_day,
    split_keywords,
    take_mentions,
)
from handlers.relative import DueAfter


@dataclass(frozen=True)
class RecordPayment:
    number: str
    amount: Decimal
    currency: str | None = None
    received_on: DateValue | None = None
    milestone: str = ""
    note: str | None = None


@dataclass(frozen=True)
class Receivables:
    pass


@dataclass(frozen=True)
class UndoPayment:
    seq: int
    confirmed: bool = False


@dataclass(frozen=True)
class WaiveMilestone:
    number: str
    milestone: str
    reason: str = ""


@dataclass(frozen=True)
class Renew:
    number: str
    end_on: DateValue
    amount: Decimal | None = None
    currency: str | None = None


@dataclass(frozen=True)
class EndContract:
    number: str
    reason: str = ""


@dataclass(frozen=True)
class RequestChange:
    number: str
    milestone: str
    field: str  # due | amount | owner | scope | end
    value: str
    date_value: DateValue | None = None
    amount: Decimal | None = None
    owner: OwnerRef | None = None
    reason: str = ""
    currency: str | None = None
    after: DueAfter | None = None  # a milestone due relative to an event from now on (验收后30天)


@dataclass(frozen=True)
class DecideChange:
    seq: int
    approve: bool
    reason: str = ""


@dataclass(frozen=True)
class History:
    number: str


@dataclass(frozen=True)
class SetRole:
    who: OwnerRef
    role: str



_PAY_KEYWORDS = {
    "on": ("on", "received", "日期", "于"),
    "for": ("for", "against", "节点"),
    "note": ("note", "备注"),
}
_CHANGE_FIELDS = {
    "due": ("due", "due-date", "截止", "截止日期", "日期"),
    "amount": ("amount", "金额"),
    "owner": ("owner", "负责人"),
    "scope": ("scope", "范围", "内容"),
    "end": ("end", "ends", "end-date", "到期", "到期日", "结束"),
}
_REASON = re.compile(r"(?<![\w-])(?:reason|because)(?![\w-])[:：]?|原因[:：]?|理由[:：]?", re.IGNORECASE)
_ROLES = {"admin": "admin", "管理员": "admin", "member": "member", "成员": "member", "viewer": "viewer",
          "查看者": "viewer", "只读": "viewer"}
_PAYMENT_SEQ = re.compile(r"^(?:P|PAY)?[-#]?(\d{1,9})$", re.IGNORECASE)
_CHANGE_SEQ = re.compile(r"^(?:CR)?[-#]?(\d{1,9})$", re.IGNORECASE)


def _seq(text: str, ex: str, key: str) -> int:
    pattern = _PAYMENT_SEQ if key == "err.payment_id" else _CHANGE_SEQ
    m = pattern.match(text.strip().split(" ")[0]) if text.strip() else None
    if m is None:
        raise UserError(key, example=ex, got=text.strip()[:20])
    return int(m.group(1))


def _parse_paid(words: str, *, now: datetime, tz: str, ex: str) -> RecordPayment:
    number, rest = _number_and_rest(words, ex)
    head, kw = split_keywords(rest, _PAY_KEYWORDS)
    h = _Text(head)
    when = _date_value(kw["on"], now=now, tz=tz, example=ex) if kw.get("on") else _find_date_in(h, now=now, tz=tz)
    if when is not None:
        when = _received_on(when, now=now, tz=tz, ex=ex)
    money = _take_money(h, min_bare=Decimal(1), example=ex)
    if money is None:
        raise UserError("err.payment_amount", example=ex)
    amount = _check_amount(money.amount, ex)
    currency = money.currency
    if currency is None and (cur := amounts.find_currency(h.text)) is not None:
        currency = cur[0]
        h.cut(cur[1], cur[2])
    if kw.get("for") and h.rest():
        raise UserError("err.word_unplaced", example=ex, word=h.rest().split(" ")[0])
    milestone = kw.get("for") or h.rest()
    return RecordPayment(number, amount, currency, when, milestone.strip(), kw.get("note") or None)


def _received_on(dv: DateValue, *, now: datetime, tz: str, ex: str) -> DateValue:
    """Money arrives in the past: "15号" or "3月1日" said after the day means the last one, not the next."""
    return past_day(dv, now=now, tz=tz, ex=ex, error="err.payment_future")


def _parse_renew(words: str, *, now: datetime, tz: str, ex: str) -> Renew:
    number, rest = _number_and_rest(words, ex)
    head, kw = split_keywords(rest, {"to": ("to", "until", "至", "到"), "amount": ("amount", "金额")})
    phrase = kw.get("to") or head
    if not phrase:
        raise UserError("err.date_missing", example=ex)
    amount, currency = None, None
    if kw.get("amount"):
        money = amounts.parse_money(kw["amount"])
        if money is None:
            raise UserError("err.amount_unreadable", example=ex, got=kw["amount"])
        amount, currency = _check_amount(money.amount, ex), money.currency
    return Renew(number, _date_value(phrase, now=now, tz=tz, example=ex), amount, currency)


def _parse_change(words: str, *, now: datetime, tz: str, ex: str) -> RequestChange:
    number, rest = _number_and_rest(words, ex)
    reason = ""
    parts = _REASON.split(rest, maxsplit=1)
    if len(parts) == 2:
        rest, reason = parts[0].strip(), parts[1].strip()
    head, kw = split_keywords(rest, _CHANGE_FIELDS)
    if len(kw) != 1:
        raise UserError("err.change_field", example=ex)
    field, value = next(iter(kw.items()))
    milestone = head.strip()
    if field == "end" and milestone:
        field = "due"  # "变更 HT-1 首付款 到期 ..." means the milestone's due date
    if field == "due" and not milestone:
        field = "end"  # a due date without a milestone is the contract's end date
    if not value:
        raise UserError("err.change_value", example=ex)
    if field == "due" and (rel := relative.find_due_after(value, now=now, tz=tz)) is not None and not (
            value[: rel.start] + value[rel.end:]).strip():
        return RequestChange(number, milestone, field, value, after=rel.due, reason=reason)
    if field in ("due", "end"):
        return RequestChange(number, milestone, field, value, date_value=_date_value(value, now=now, tz=tz,
                                                                                     example=ex), reason=reason)
    if field == "amount":
        money = amounts.parse_money(value)
        if money is None:
            raise UserError("err.amount_unreadable", example=ex, got=value)
        return RequestChange(number, milestone, field, value, amount=_check_amount(money.amount, ex), reason=reason,
                             currency=money.currency)
    if field == "owner":
        found = take_mentions(_Text(value))
        if not found:
            raise UserError("err.owner_missing", example=ex)
        return RequestChange(number, milestone, field, value, owner=found[0], reason=reason)
    return RequestChange(number, milestone, field, value, reason=reason)


def _parse_role(words: str, ex: str) -> SetRole:
    t = _Text(words)
    mentions = take_mentions(t)
    role = _ROLES.get(t.rest().lower())
    if not mentions or role is None:
        raise UserError("err.role_usage", example=ex)
    return SetRole(mentions[0], role)


def _parse_decide(words: str, ex: str, approve: bool) -> DecideChange:
    seq = _seq(words, ex, "err.change_id")
    reason = words.strip().partition(" ")[2].strip()
    return DecideChange(seq, approve, reason)


_CONFIRM = re.compile(r"(?<![A-Za-z])(?:confirm(?:ed)?|yes|sure)(?![A-Za-z])|确认|是的|是", re.IGNORECASE)


def _parse_undo(words: str, ex: str) -> UndoPayment:
    """undo P-3 [confirm]: without "confirm" the bot shows the payment and asks first."""
    seq = _seq(words, ex, "err.payment_id")
    rest = words.strip().partition(" ")[2]
    return UndoPayment(seq, confirmed=bool(_CONFIRM.search(rest)))


def _parse_waive(words: str, ex: str) -> WaiveMilestone:
    """waive NUMBER MILESTONE [reason TEXT]: close a milestone without the money, saying why."""
    number, rest = _number_and_rest(words, ex)
    reason = ""
    parts = _REASON.split(rest, maxsplit=1)
    if len(parts) == 2:
        rest, reason = parts[0].strip(), parts[1].strip()
    return WaiveMilestone(number, rest.strip(), reason)


# --- corrections: edit / 修改, delete / 删除 (issue #11) ---------------------------------------------------

from dataclasses import replace  # noqa: E402

from handlers.grammar import MILESTONE_KINDS, QUOTED_RE, kind_from_word, only_mention  # noqa: E402


@dataclass(frozen=True)
class Edit:
    """`edit NUMBER [MILESTONE] FIELD VALUE`: correct a typo in a contract or one of its open milestones."""

    number: str
    milestone: str  # "" for the contract itself
    field: str  # title | counterparty | amount | currency | starts | ends | signed | owner | channel | kind
    value: str
    amount: Decimal | None = None
    percent: Decimal | None = None
    currency: str | None = None
    date_value: DateValue | None = None
    owner: OwnerRef | None = None
    kind: str | None = None
    # other readings of the same words that name a milestone ("customer acceptance amount …")
    alternatives: tuple[Edit, ...] = ()


@dataclass(frozen=True)
class DeleteMilestone:
    """`delete NUMBER MILESTONE [reason TEXT]`: cancel a milestone entered by mistake."""

    number: str
    milestone: str
    reason: str = ""


# each language's words work in both; a milestone takes title (its name), amount and kind
EDIT_FIELDS: dict[str, tuple[str, ...]] = {
    "title": ("title", "name", "名称", "标题", "名字"),
    "counterparty": ("counterparty", "party", "client", "customer", "对方", "客户", "甲方"),
    "amount": ("amount", "金额"),
    "currency": ("currency", "币种"),
    "starts": ("starts", "start", "start-date", "开始", "开始日期", "起始", "生效"),
    "ends": ("ends", "end", "end-date", "expires", "到期", "到期日", "结束"),
    "signed": ("signed", "signed-on", "签订", "签订日期", "签署", "签约"),
    "owner": ("owner", "负责人", "责任人"),
    "channel": ("channel", "频道"),
    "kind": ("kind", "type", "类型"),
    # a due date: the contract's end date; a milestone's is moved by change or snooze, not corrected
    "due": ("due", "due-date", "截止", "截止日期"),
}
MILESTONE_EDIT_FIELDS = ("title", "amount", "kind")
_FIELD_OF = {w.lower(): f for f, words in EDIT_FIELDS.items() for w in words}
_FIELD_WORDS = sorted(_FIELD_OF, key=len, reverse=True)
_CJK_WORD = re.compile(r"[\u4e00-\u9fff]")
# a field word standing on its own (Chinese: after a space or at the start), with an optional colon
_FIELD_RE = re.compile(
    "|".join(rf"(?:(?<=\s)|^){re.escape(w)}(?=[\s:：]|$)" if _CJK_WORD.search(w)
             else rf"(?<![\w-]){re.escape(w)}(?![\w-])" for w in _FIELD_WORDS),
    re.IGNORECASE,
)
# Chinese typed without spaces: 首付款金额 40% / 名称华为云
_FIELD_RE_GLUED = re.compile("|".join(re.escape(w) for w in _FIELD_WORDS if _CJK_WORD.search(w)))
# "to", "=", "改为" before the new value are not part of it
_VALUE_LEAD = re.compile(r"^(?:[:：=→]|->|改为|改成|更正为|更改为)\s*")
_VALUE_TO = re.compile(r"^to\s+", re.IGNORECASE)
_TEXT_FIELDS = ("title", "counterparty", "channel")


def _unquote(text: str) -> str:
    text = text.strip()
    m = QUOTED_RE.fullmatch(text)
    return next(g for g in m.groups() if g).strip() if m else text


def _field_hits(rest: str) -> list[re.Match[str]]:
    hits = list(_FIELD_RE.finditer(rest))
    return hits or list(_FIELD_RE_GLUED.finditer(rest))


def _splits(rest: str, ex: str) -> list[tuple[str, str, str]]:
    """Every way to read "[MILESTONE] FIELD VALUE", first field word first; a quoted milestone name may hold any."""
    quoted = ""
    m = QUOTED_RE.match(rest)
    if m is not None:
        quoted, rest = next(g for g in m.groups() if g).strip(), rest[m.end():].strip()
    hits = _field_hits(rest)
    if quoted:
        hits = [h for h in hits if not rest[: h.start()].strip()]
    if not hits:
        raise UserError("err.edit_field", example=ex)
    out = []
    for hit in hits:
        head = rest[: hit.start()].strip(" ,，;；:：")
        value = _VALUE_LEAD.sub("", rest[hit.end():].strip()).strip()
        out.append((quoted or _unquote(head), _FIELD_OF[hit.group().lower()], value))
    return out


def _parse_edit(words: str, *, now: datetime, tz: str, ex: str) -> Edit:
    """The first reading that makes sense; later ones whose head could be a milestone ride along.

    "edit HT-1 customer acceptance amount 100,000" reads first as the counterparty; the use case takes the
    milestone reading instead when the contract has an open milestone of that name.
    """
    number, rest = _number_and_rest(words, ex)
    readings: list[Edit] = []
    error: UserError | None = None
    for milestone, field, value in _splits(rest, ex):
        try:
            readings.append(_edit_reading(number, milestone, field, value, now=now, tz=tz, ex=ex))
        except UserError as err:
            error = error or err
    if not readings:
        assert error is not None
        raise error
    first, *others = readings
    return replace(first, alternatives=tuple(r for r in others if r.milestone))


def _edit_reading(number: str, milestone: str, field: str, value: str, *, now: datetime, tz: str,
                  ex: str) -> Edit:
    if milestone and field not in MILESTONE_EDIT_FIELDS:
        raise UserError("err.edit_ms_field", example=ex, title=milestone)
    if field == "due":
        field = "ends"
    if not milestone and field == "kind":
        raise UserError("err.edit_field", example=ex)
    if field not in _TEXT_FIELDS:
        value = _VALUE_TO.sub("", value).strip()
    if not value:
        raise UserError("err.change_value", example=ex)
    if field in ("title", "counterparty"):
        return Edit(number, milestone, field, _unquote(value))
    if field == "amount":
        pct = amounts.find_percent(value)
        if pct is not None and pct.start == 0 and pct.end == len(value):
            if not milestone:
                raise UserError("err.edit_percent_contract", example=ex)
            if pct.value <= 0:
                raise UserError("err.percent_range", example=ex, percent=str(pct.value))
            if pct.value > 100:
                raise UserError("err.percent_over", example=ex, percent=str(pct.value))
            return Edit(number, milestone, field, value, percent=pct.value)
        if (bad := amounts.bad_number(value)) is not None:
            raise UserError("err.amount_unreadable", example=ex, got=bad)
        money = amounts.parse_money(value)
        if money is None:
            raise UserError("err.amount_unreadable", example=ex, got=value)
        return Edit(number, milestone, field, value, amount=_check_amount(money.amount, ex), currency=money.currency)
    if field == "currency":
        code, *extra = value.split()
        if extra:
            raise UserError("err.word_unplaced", example=ex, word=extra[0])
        return Edit(number, milestone, field, value, currency=amounts.normalize_currency(code))
    if field in ("starts", "ends", "signed"):
        return Edit(number, milestone, field, value, date_value=_date_value(value, now=now, tz=tz, example=ex))
    if field == "owner":
        return Edit(number, milestone, field, value, owner=only_mention(value, ex))
    if field == "kind":
        kind = kind_from_word(value)
        if kind is None:
            raise UserError("err.kind_unknown", example=ex, got=value, kinds=", ".join(MILESTONE_KINDS))
        return Edit(number, milestone, field, value, kind=kind)
    return Edit(number, milestone, field, value)  # channel: read against the platform by the use case


def _parse_delete(words: str, ex: str) -> DeleteMilestone:
    """delete NUMBER MILESTONE [reason TEXT]: the milestone is named; the reason is kept in its note."""
    number, rest = _number_and_rest(words, ex)
    reason = ""
    parts = _REASON.split(rest, maxsplit=1)
    if len(parts) == 2:
        rest, reason = parts[0].strip(), parts[1].strip()
    name = _unquote(rest.strip(" ,，;；:："))
    return DeleteMilestone(number, name, reason)
