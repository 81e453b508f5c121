"""The event a relative due date counts from (another milestone, or the contract's signing, start or end).

``resolve`` decides which milestone an event word names (验收 -> the acceptance milestone) and refuses unknown,
ambiguous, cancelled and circular ones. ``due_for`` computes a milestone's due date from its event, or None
while the event has not happened. The rest says in words how a milestone waits or how its date was reached.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from handlers import relative
from handlers.dates import format_date
from handlers.errors import UserError
from handlers.grammar import milestone_kind
from handlers.i18n import t
from handlers.relative import DueAfter
from handlers.understand import SYNONYMS, match_name, synonym_group
from storage import repo
from storage.models import Contract, Milestone, MilestoneStatus, Tenant

# Events people name by a general word (验收 / acceptance, 交付 / delivery, 上线 / go-live, 质保 / warranty): when
# no title fits the word itself, a milestone whose title holds a word of the same event (in either language) does.
_EVENT_FAMILIES: tuple[tuple[str, ...], ...] = (
    ("验收", "acceptance", "accept", "sign-off", "signoff"),
    ("交付", "交货", "delivery", "deliver"),
    ("上线", "投产", "go-live", "go live", "golive", "launch"),
    ("质保", "warranty", "retention"),
    ("续约", "续签", "renewal"),
)
# Events that name one stage and never a neighbouring one: 终验 is not 交付验收, 发货 is not 交付, an invoice is not
# a payment. Only a title holding one of the same words is that event; else the line is refused.
_SPECIFIC_EVENTS: tuple[tuple[str, ...], ...] = (
    ("终验", "最终验收", "final acceptance", "fac"),
    ("初验", "初步验收", "preliminary acceptance", "initial acceptance", "provisional acceptance", "pac"),
    ("发货", "发运", "出货", "shipment", "shipping", "shipped", "dispatch"),
    ("到货", "arrival", "goods received"),
    ("试运行", "试运营", "trial run", "trial operation", "pilot"),
    ("uat", "user acceptance"),
    ("开票", "发票", "invoice", "invoicing", "invoiced", "billing"),
)
_INVOICE = _SPECIFIC_EVENTS[-1]
_EVENT_KINDS = ("acceptance", "delivery", "warranty", "renewal")
_HAPPENED = (MilestoneStatus.DONE, MilestoneStatus.WAIVED)  # closed with a date: its event took place


@dataclass(frozen=True)
class Anchor:
    """What a milestone is due after: one of its contract's milestones, or one of the contract's own dates."""

    milestone: Milestone | None = None
    event: str | None = None  # signed | start | end


def resolve(session: Session, contract: Contract, due: DueAfter, *, tenant_id: int, lang: str, example: str,
            dependent: Milestone | None = None) -> Anchor:
    """The milestone or contract date ``due.event`` names, or a UserError that says why there is none.

    ``dependent``: the milestone being given this rule (when it exists already), which it must not lead back to.
    """
    if due.doubt is not None:  # about 30 days, 验收后12个月或上线后6个月: not a rule to write
        raise UserError(f"err.after_{due.doubt}", example=example, phrase=due.text)
    _check_count(due, lang, example)
    event = relative.contract_event(due.event)
    if event is not None:
        return Anchor(event=event)
    if due.count < 0:
        raise UserError("err.after_before_milestone", example=example, phrase=due.text)
    ms = repo.milestones_of(session, tenant_id=tenant_id, contract_id=contract.id or 0)
    pool = [m for m in ms if m.status != MilestoneStatus.CANCELLED]  # the dependent too: "after itself" is a loop
    name = relative.normal_event(due.event)
    titles = _named([(m.title, m.kind) for m in pool], name, due.event)
    found = [m for m in pool if m.title in titles]
    if not found:
        cancelled = [m for m in ms if m.status == MilestoneStatus.CANCELLED and m.title in match_name([m.title], name)]
        if cancelled:
            raise UserError("err.after_closed_anchor", example=example, number=contract.number,
                            event=cancelled[0].title)
        _refuse_unknown(contract.number, name, [m.title for m in pool], example)
    if len(found) > 1:
        choices = ", ".join(f"{m.title} ({format_date(m.due_on, lang) if m.due_on else '-'})" for m in found)
        raise UserError("err.after_ambiguous", example=example, number=contract.number, event=name, choices=choices)
    anchor = found[0]
    if dependent is not None:
        _check_no_cycle(session, dependent, anchor, example)
    return Anchor(milestone=anchor)


def _has_word(text: str, words: Iterable[str]) -> bool:
    """Whether ``text`` holds one of ``words``: anywhere for Chinese, as whole words for Latin."""
    low = text.lower()
    for w in words:
        if re.search(r"[\u4e00-\u9fff]", w):
            if w in low:
                return True
        elif re.search(r"(?<![a-z0-9])" + re.escape(w) + r"(?![a-z0-9])", low.replace("-", " ") if " " in w else low):
            return True
    return False


def _named(pool: list[tuple[str, str]], name: str, typed: str) -> list[str]:
    """The titles (of ``(title, kind)`` pairs) an event word names: its title (or a unique prefix or word of one),
    the same milestone in the other language, or a title holding a word of the same event; a stage-specific word
    (终验, shipment, invoice) only a title holding that stage's words."""
    specific = next((words for words in _SPECIFIC_EVENTS if _has_word(name, words)), None)
    if specific is not None:
        return [title for title, _kind in pool if _has_word(title, specific)]
    names = [title for title, _kind in pool]
    families = [f for f in _EVENT_FAMILIES if _has_word(name, f)]
    titles = match_name(names, name) or match_name(names, typed)
    if not titles and (group := synonym_group(name)) is not None:
        # the same event named in the other language: delivery -> 交付验收, 验收 -> delivery acceptance
        titles = next((hit for word in SYNONYMS[group] if (hit := match_name(names, word))), [])
    if not titles and len(families) == 1:
        # 验收合格 -> 交付验收, go-live -> 上线; never when the word names two events (上线验收: which one?)
        titles = [title for title, kind in pool if _has_word(title, families[0]) and kind in _EVENT_KINDS]
    return titles


def _refuse_unknown(number: str, name: str, titles: list[str], example: str) -> None:
    choices = ", ".join(dict.fromkeys(titles)) or "-"
    if _has_word(name, _INVOICE):
        raise UserError("err.after_invoice", example=example, number=number, event=name, choices=choices)
    raise UserError("err.after_unknown", example=example, number=number, event=name, choices=choices)


def check_words(number: str, titles: list[str], due: DueAfter, *, lang: str, example: str,
                subject: str | None = None) -> None:
    """Refuse, before anything is asked, a rule the contract's milestone titles already show can't be taken: an
    inexact count, an event that names no milestone (an invoice), several, or ``subject`` itself."""
    if due.doubt is not None:
        raise UserError(f"err.after_{due.doubt}", example=example, phrase=due.text)
    _check_count(due, lang, example)
    if relative.contract_event(due.event) is not None:
        return
    if due.count < 0:
        raise UserError("err.after_before_milestone", example=example, phrase=due.text)
    name = relative.normal_event(due.event)
    found = _named([(title, milestone_kind(title)) for title in titles], name, due.event)
    if not found:
        _refuse_unknown(number, name, titles, example)
    if len(found) > 1:
        raise UserError("err.after_ambiguous", example=example, number=number, event=name, choices=", ".join(found))
    if subject is not None and found == [subject]:
        raise UserError("err.after_self", example=example, title=subject)


def _check_count(due: DueAfter, lang: str, example: str) -> None:
    limit = relative.LIMITS[due.unit]
    if not 1 <= abs(due.count) <= limit:
        raise UserError("err.after_count", example=example, n=abs(due.count), limit=limit,
                        unit=t(f"after.unit.{due.unit}", lang))


def _check_no_cycle(session: Session, dependent: Milestone, anchor: Milestone, example: str) -> None:
    """Refuse a rule whose event waits, directly or through others, for the milestone itself."""
    if anchor.id == dependent.id:
        raise UserError("err.after_self", example=example, title=dependent.title)
    seen: set[int] = set()
    step: Milestone | None = anchor
    while step is not None and step.id not in seen:
        if step.id == dependent.id:
            raise UserError("err.after_cycle", example=example, title=dependent.title, event=anchor.title)
        seen.add(step.id or 0)
        step = session.get(Milestone, step.after_id) if step.after_id else None


def apply_rule(milestone: Milestone, anchor: Anchor, due: DueAfter) -> None:
    """Write the rule onto a milestone (its due date is computed by ``due_for``)."""
    milestone.after_id = anchor.milestone.id if anchor.milestone is not None else None
    milestone.after_event = anchor.event
    milestone.after_count = due.count
    milestone.after_unit = due.unit


def is_relative(m: Milestone) -> bool:
    """Whether a milestone's due date follows an event."""
    return m.after_count is not None and m.after_unit is not None and (m.after_id is not None or bool(m.after_event))


def anchor_of(session: Session, m: Milestone) -> Milestone | None:
    """The milestone ``m`` is due after (same team and contract), if any."""
    if m.after_id is None:
        return None
    anchor = session.get(Milestone, m.after_id)
    if anchor is None or anchor.tenant_id != m.tenant_id or anchor.contract_id != m.contract_id:
        return None
    return anchor


def event_day(session: Session, tenant: Tenant, contract: Contract, m: Milestone,
              anchor: Milestone | None = None) -> date | None:
    """The day ``m``'s event happened (or, for a contract date, is planned); None while it has not.

    A milestone paid off counts from the day the money arrived; one closed by hand from the day it was closed,
    in the team's time zone.
    """
    if m.after_event:
        column = relative.EVENTS.get(m.after_event)
        return getattr(contract, column) if column else None
    anchor = anchor or anchor_of(session, m)
    if anchor is None or anchor.status not in _HAPPENED or anchor.done_at is None:
        return None
    paid_off = repo.closing_payment_day(session, tenant_id=m.tenant_id, milestone_id=anchor.id or 0)
    return paid_off or anchor.done_at.astimezone(ZoneInfo(tenant.timezone)).date()


def due_for(session: Session, tenant: Tenant, contract: Contract, m: Milestone,
            anchor: Milestone | None = None) -> date | None:
    """The due date ``m``'s rule gives now: its event's day shifted by the rule; None while it waits."""
    if not is_relative(m):
        return m.due_on
    day = event_day(session, tenant, contract, m, anchor)
    if day is None:
        return None
    return relative.shift(day, m.after_count or 0, m.after_unit or "day")


# --- in words -----------------------------------------------------------------------------------------------


def rule_words(m: Milestone, anchor_title: str | None, lang: str) -> str:
    """'30 days after 交付验收' / '交付验收后30天' for a milestone with a rule."""
    return relative.rule_of(m, anchor_title, lang)


def waiting_texts(session: Session, milestones: Iterable[Milestone], lang: str, *,
                  as_field: bool = False) -> dict[int, str]:
    """'due 30 days after 交付验收 (交付验收 not yet done)' for each given milestone that has no date yet."""
    waiting = [m for m in milestones if m.due_on is None]
    ids = {m.after_id for m in waiting if m.after_id}
    anchors = {a.id: a for a in session.exec(select(Milestone).where(col(Milestone.id).in_(ids))).all()} if ids else {}
    out: dict[int, str] = {}
    for m in waiting:
        anchor = anchors.get(m.after_id or 0)
        if anchor is not None and anchor.tenant_id != m.tenant_id:
            anchor = None  # never name another team's milestone
        out[m.id or 0] = relative.waiting_text(m, anchor, lang, as_field=as_field)
    return out


def how_set(session: Session, tenant: Tenant, contract: Contract, m: Milestone, lang: str) -> str:
    """How a relative milestone's date was reached: '30 days after 交付验收; 交付验收 done Wed 2027-02-10'."""
    anchor = anchor_of(session, m)
    rule = rule_words(m, anchor.title if anchor else None, lang)
    day = event_day(session, tenant, contract, m, anchor)
    if day is None:
        return rule
    event = relative.event_name(m.after_event, anchor.title if anchor else None, lang)
    key = "after.from_date" if m.after_event else "after.from_done"
    return t(key, lang, rule=rule, event=event, day=format_date(day, lang))


def set_line(session: Session, tenant: Tenant, contract: Contract, m: Milestone, lang: str) -> str:
    """'尾款 of HT-1 is now due Fri 2027-03-12 (30 days after 交付验收; 交付验收 done Wed 2027-02-10)'."""
    assert m.due_on is not None
    return t("after.set", lang, title=m.title, number=contract.number, date=format_date(m.due_on, lang),
             how=how_set(session, tenant, contract, m, lang))


def due_words(session: Session, m: Milestone, lang: str) -> str:
    """A milestone's due date with its weekday, or, while it waits for its event, the rule and why it waits."""
    if m.due_on is not None:
        return format_date(m.due_on, lang)
    return waiting_texts(session, [m], lang, as_field=True)[m.id or 0]


# --- a rule as a change request's value ("after:m42:30:day", "after:signed:5:workday") ------------------------

RULE_PREFIX = "after:"


@dataclass(frozen=True)
class Rule:
    """A relative due date as stored on a milestone (its after_* columns)."""

    after_id: int | None
    after_event: str | None
    count: int
    unit: str


def encode(anchor: Anchor, due: DueAfter) -> str:
    """A rule as text, for a change request's new value."""
    target = f"m{anchor.milestone.id}" if anchor.milestone is not None else anchor.event
    return f"{RULE_PREFIX}{target}:{due.count}:{due.unit}"


def decode(value: str | None) -> Rule | None:
    """The rule a change request's value holds, or None when it holds a date (or is not a rule)."""
    if not value or not value.startswith(RULE_PREFIX):
        return None
    try:
        target, count, unit = value[len(RULE_PREFIX):].split(":")
        if unit not in relative.UNITS:
            return None
        if target.startswith("m"):
            return Rule(int(target[1:]), None, int(count), unit)
        return Rule(None, target, int(count), unit) if target in relative.EVENTS else None
    except ValueError:
        return None


def rule_value_words(session: Session, rule: Rule, *, tenant_id: int, lang: str) -> str:
    """A rule in words: '30 days after 交付验收'."""
    anchor = session.get(Milestone, rule.after_id) if rule.after_id else None
    title = anchor.title if anchor is not None and anchor.tenant_id == tenant_id else None
    return relative.rule_text(rule.count, rule.unit, relative.event_name(rule.after_event, title, lang), lang)


def rule_changes(session: Session, tenant: Tenant, contract: Contract, milestone: Milestone, rule: Rule, *,
                 example: str) -> dict[str, object]:
    """The fields that give ``milestone`` this rule and the due date it yields now; refused when its milestone is
    gone, cancelled, of another contract, or waits (through others) for ``milestone`` itself."""
    anchor = session.get(Milestone, rule.after_id) if rule.after_id else None
    if rule.after_id is not None:
        if anchor is None or anchor.tenant_id != tenant.id or anchor.contract_id != contract.id:
            raise UserError("err.after_unknown", example=example, number=contract.number, event="?", choices="-")
        if anchor.status == MilestoneStatus.CANCELLED:
            raise UserError("err.after_closed_anchor", example=example, number=contract.number, event=anchor.title)
        _check_no_cycle(session, milestone, anchor, example)
    probe = Milestone(tenant_id=milestone.tenant_id, contract_id=milestone.contract_id, title=milestone.title,
                      after_id=rule.after_id, after_event=rule.after_event, after_count=rule.count,
                      after_unit=rule.unit)
    return {"after_id": rule.after_id, "after_event": rule.after_event, "after_count": rule.count,
            "after_unit": rule.unit, "due_on": due_for(session, tenant, contract, probe, anchor)}
