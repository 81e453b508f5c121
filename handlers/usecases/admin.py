"""History from the audit trail, told as sentences; team roles; the team's people."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import col, func, select

from handlers import anchors, grammar, relative
from handlers.amounts import format_money
from handlers.context import Ctx, find_contract, person_ref, require_admin, resolve_owner
from handlers.dates import format_date
from handlers.errors import UserError
from handlers.grammar_ledger import History, SetRole
from handlers.i18n import t
from handlers.replies import Line, PersonRef, Reply, Span
from storage import repo
from storage.models import AuditEvent, ChangeRequest, Contract, Milestone, Payment, Person, Role

HISTORY_LIMIT = 50  # the newest events shown; the reply says how many older ones there are

# --- members / 成员 -----------------------------------------------------------------------------------------

ROLES = ("admin", "member", "viewer")


@dataclass(frozen=True)
class Members:
    """``members`` / ``成员``: the team's people and their roles."""


def parse_members(words: str, now: datetime, tz: str, ex: str, lang: str) -> Members:
    """``members`` takes no arguments (a question mark is fine)."""
    if words.strip(" ?？.。!！"):
        raise UserError("err.members_args", example=ex)
    return Members()


def quiet_ref(person: Person | None) -> PersonRef | None:
    """A person named without a platform id, so reading a list or the history pings nobody on Slack."""
    ref = person_ref(person)
    return PersonRef(name=ref.name, handle=ref.handle, person_id=ref.person_id) if ref else None


def members(ctx: Ctx, cmd: Members) -> list[Reply]:
    """Everyone in the team with their role, admins first; anyone (viewers too) may ask."""
    people = list(ctx.session.exec(select(Person).where(Person.tenant_id == ctx.tenant.id)).all())
    rank = {role: i for i, role in enumerate(ROLES)}
    people.sort(key=lambda p: (rank.get(p.role, len(ROLES)), _name(p).lower(), p.id or 0))
    reply = Reply(title=ctx.t("members.title", count=len(people)), lang=ctx.lang)
    for p in people:
        role = ctx.t("members.role." + p.role) if p.role in rank else p.role
        you = ctx.t("members.you") if p.id == ctx.person.id else ""
        reply.add(quiet_ref(p) or "?", f"{you} · {role}")
    reply.context.append(ctx.t("members.rights"))
    reply.context.append(ctx.t("members.hint", example=grammar.example_for("role", ctx.lang)))
    return [reply]


def _name(p: Person) -> str:
    return p.display_name or p.handle or p.platform_user_id or "?"


# --- roles --------------------------------------------------------------------------------------------------


def set_role(ctx: Ctx, cmd: SetRole) -> list[Reply]:
    """Make someone an admin, a member or a viewer (admins only; a team keeps at least one admin)."""
    require_admin(ctx)
    person = resolve_owner(ctx, cmd.who)
    if person.role == Role.ADMIN and cmd.role != Role.ADMIN:
        admins = ctx.session.exec(
            select(func.count()).select_from(Person).where(Person.tenant_id == ctx.tenant.id, Person.role == Role.ADMIN)
        ).one()
        if admins <= 1:
            raise UserError("err.last_admin", example=grammar.example_for("role", ctx.lang))
    before = repo.snapshot(person, ("role",))
    person.role = cmd.role
    ctx.session.add(person)
    repo.audit(ctx.session, tenant_id=ctx.tenant_id, actor_id=ctx.person.id, action="person.role",
               entity="person", entity_id=person.id, before=before, after=repo.snapshot(person, ("role",)))
    ref = person_ref(person)
    return [Reply(lines=[(ref or "?", " " + ctx.t("ok.role", role=ctx.t("role." + cmd.role)))], lang=ctx.lang,
                  title=ctx.t("ok.role_title"))]


# --- history / 历史 -----------------------------------------------------------------------------------------


def history(ctx: Ctx, cmd: History) -> list[Reply]:
    """Every change, payment and completion of a contract, one sentence each: when, who, what."""
    contract = find_contract(ctx, cmd.number, grammar.example_for("history", ctx.lang))
    events = repo.audit_trail(ctx.session, tenant_id=ctx.tenant_id, contract_id=contract.id or 0)
    book = _Book.load(ctx, contract, events)
    zone = ZoneInfo(ctx.tz)
    reply = Reply(title=ctx.t("history.title", number=contract.number, count=len(events)), lang=ctx.lang)
    for e in _in_reading_order(events, book)[-HISTORY_LIMIT:]:
        who = book.person(e.actor_id) if e.actor_id else None
        reply.add(f"{e.at.astimezone(zone):%Y-%m-%d %H:%M} ", who if who is not None else ctx.t("history.system"),
                  " ", *describe(book, e))
    if len(events) > HISTORY_LIMIT:
        reply.context.append(ctx.t("history.more", n=len(events) - HISTORY_LIMIT))
    return [reply]


@dataclass
class _Book:
    """What the sentences of one contract's history refer to: its people, milestones, payments and changes."""

    lang: str
    contract: Contract
    people: dict[int, Person]
    milestones: dict[int, Milestone]
    payments: dict[int, Payment]
    changes: dict[int, ChangeRequest]
    # audit event id -> the change request it carried out (the writes an approval made)
    applied: dict[int, ChangeRequest] = field(default_factory=dict)

    @classmethod
    def load(cls, ctx: Ctx, contract: Contract, events: list[AuditEvent]) -> _Book:
        s, tenant_id, cid = ctx.session, ctx.tenant_id, contract.id or 0
        milestones = {m.id: m for m in repo.milestones_of(s, tenant_id=tenant_id, contract_id=cid) if m.id}
        payments = {p.id: p for p in s.exec(select(Payment).where(Payment.tenant_id == tenant_id,
                                                                  Payment.contract_id == cid)).all() if p.id}
        changes = {c.id: c for c in s.exec(select(ChangeRequest).where(ChangeRequest.tenant_id == tenant_id,
                                                                       ChangeRequest.contract_id == cid)).all() if c.id}
        ids: set[int] = {contract.owner_id} if contract.owner_id else set()
        for e in events:
            ids |= {e.actor_id} if e.actor_id else set()
            if e.entity == "person" and e.entity_id:
                ids.add(e.entity_id)
            for snap in (_load(e.before), _load(e.after)):
                ids |= {v for k, v in snap.items() if _is_person_key(k) and isinstance(v, int)}
        for c in changes.values():
            ids |= {c.requested_by_id} if c.requested_by_id else set()
            if c.field == "owner":
                ids |= {int(v) for v in (c.old_value, c.new_value) if v and v.isdigit()}
        people = {p.id: p for p in s.exec(select(Person).where(Person.tenant_id == tenant_id,
                                                              col(Person.id).in_(ids))).all() if p.id}
        return cls(ctx.lang, contract, people, milestones, payments, changes)

    def t(self, msg_key: str, /, **params: Any) -> str:
        return t(msg_key, self.lang, **params)

    def say(self, msg_key: str, /, **params: Any) -> list[Span]:
        """A sentence whose person parameters stay mentions (PersonRef spans) inside it."""
        refs: list[PersonRef] = []
        text_params: dict[str, Any] = {}
        for k, v in params.items():
            if isinstance(v, PersonRef):
                text_params[k] = f"\x00{len(refs)}\x00"
                refs.append(v)
            else:
                text_params[k] = v
        parts = self.t(msg_key, **text_params).split("\x00")
        spans: list[Span] = [refs[int(p)] if i % 2 else p for i, p in enumerate(parts)]
        return [s for s in spans if s != ""]

    def person(self, person_id: int | None) -> PersonRef | None:
        return quiet_ref(self.people.get(person_id or 0))

    def who(self, person_id: object) -> PersonRef | str:
        """A person by id (int or digits), or 'nobody'."""
        pid = int(person_id) if isinstance(person_id, int | str) and str(person_id).isdigit() else None
        return self.person(pid) or self.t("hist.nobody")

    def date(self, value: object) -> str:
        try:
            return format_date(date.fromisoformat(str(value)[:10]), self.lang) if value else "-"
        except ValueError:
            return str(value)

    def money(self, value: object, currency: str | None = None) -> str:
        try:
            return format_money(Decimal(str(value)), currency or self.contract.currency) if value is not None else "-"
        except InvalidOperation:
            return str(value)

    def title(self, milestone_id: int | None, snap: dict[str, Any] | None = None) -> str:
        """A milestone's name: from the event itself when it has one, else as it is now."""
        if snap and snap.get("title"):
            return str(snap["title"])
        m = self.milestones.get(milestone_id or 0)
        return m.title if m is not None else "?"

    def cr_note(self, event: AuditEvent) -> list[Span]:
        """(CR-3, customer asked) after a write that an approved change made."""
        cr = self.applied.get(event.id or 0)
        if cr is None:
            return []
        reason = _request_reason(cr)
        return self.say("hist.part.cr_reason", seq=cr.seq, reason=reason) if reason else self.say("hist.part.cr",
                                                                                                  seq=cr.seq)


def _load(text: str | None) -> dict[str, Any]:
    try:
        data = json.loads(text) if text else {}
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _request_reason(cr: ChangeRequest) -> str:
    """The requester's reason (the first line; approvers' and rejecters' notes follow as '@name: …' lines)."""
    lines = [line.strip() for line in (cr.reason or "").split("\n") if line.strip()]
    return lines[0] if lines and not lines[0].startswith("@") else ""


def _decision_note(cr: ChangeRequest) -> str:
    """What the approver or rejecter wrote, without their '@name: ' tag."""
    lines = [line.strip() for line in (cr.reason or "").split("\n") if line.strip().startswith("@")]
    return lines[-1].partition(": ")[2].strip() if lines else ""


# what one command writes before the event that says what it did (same person, at once, just before)
_LEADS = {
    "change.approved": {"milestone.changed", "contract.changed", "contract.status", "milestone.moved",
                        "milestone.created", "milestone.cancelled"},
    "payment.recorded": {"milestone.paid"},
    "payment.reversed": {"milestone.reopened"},
    "contract.renewed": {"milestone.cancelled", "milestone.moved"},
}


def _in_reading_order(events: list[AuditEvent], book: _Book) -> list[AuditEvent]:
    """Events oldest first, except that what a command did comes before what followed from it.

    An approval comes before the writes it made (which then name its CR); a payment before the milestones it
    closed; a reversal before the milestones it reopened; a renewal before its old renewal notice is cancelled.
    """
    key: dict[int, float] = {i: float(i) for i in range(len(events))}
    taken: set[int] = set()
    for i, e in enumerate(events):
        follows = _LEADS.get(e.action)
        if follows is None:
            continue
        cr = book.changes.get(e.entity_id or 0) if e.action == "change.approved" else None
        j = i - 1
        while (j >= 0 and j not in taken and events[j].action in follows and events[j].actor_id == e.actor_id
               and abs(e.at - events[j].at) <= timedelta(seconds=5)):
            taken.add(j)
            if cr is not None:
                book.applied[events[j].id or 0] = cr
            j -= 1
        if j < i - 1:
            key[i] = j + 0.5
    return [events[i] for i in sorted(key, key=lambda i: key[i])]


def describe(book: _Book, e: AuditEvent) -> Line:
    """One audit event as a sentence in the reader's language (the part after 'TIME @who ')."""
    before, after = _load(e.before), _load(e.after)
    tell = _TELLERS.get(e.action)
    spans = tell(book, e, before, after) if tell is not None else None
    return tuple(spans) if spans else tuple(_unknown(book, e, before, after))


def _contract_created(book: _Book, e: AuditEvent, b: dict[str, Any], a: dict[str, Any]) -> list[Span]:
    number = a.get("number") or book.contract.number
    out = book.say("hist.contract.term" if a.get("previous_id") else "hist.contract.created", number=number)
    if a.get("title") and not a.get("previous_id"):
        out += book.say("hist.part.title", title=a["title"])
    if a.get("counterparty") and not a.get("previous_id"):
        out += book.say("hist.part.counterparty", counterparty=a["counterparty"])
    if a.get("amount") is not None:
        out += book.say("hist.part.amount", amount=book.money(a["amount"], a.get("currency")))
    if a.get("end_on"):
        out += book.say("hist.part.ends", date=book.date(a["end_on"]))
    if a.get("owner_id") and a.get("owner_id") != e.actor_id:
        out += book.say("hist.part.owner", owner=book.who(a["owner_id"]))
    return out


def _contract_renewed(book: _Book, e: AuditEvent, b: dict[str, Any], a: dict[str, Any]) -> list[Span]:
    return book.say("hist.contract.renewed", number=a.get("number") or book.contract.number)


def _contract_ended(book: _Book, e: AuditEvent, b: dict[str, Any], a: dict[str, Any]) -> list[Span]:
    out = book.say("hist.contract.ended", number=book.contract.number)
    if a.get("reason"):
        out += book.say("hist.part.reason", reason=a["reason"])
    if a.get("cancelled"):
        out += book.say("hist.part.cancelled", titles=", ".join(str(x) for x in a["cancelled"]))
    return out


def _contract_status(book: _Book, e: AuditEvent, b: dict[str, Any], a: dict[str, Any]) -> list[Span]:
    status = str(a.get("status") or "")
    return book.say("hist.contract.status", number=book.contract.number, status=book.t("cstatus." + status))


def _contract_changed(book: _Book, e: AuditEvent, b: dict[str, Any], a: dict[str, Any]) -> list[Span]:
    number, out = book.contract.number, []
    for k in [k for k in a if b.get(k) != a.get(k)]:
        if k == "end_on":
            out.append(book.say("hist.contract.end_on", number=number, old=book.date(b.get(k)), new=book.date(a[k])))
        elif k == "amount":
            out.append(book.say("hist.contract.amount", number=number, old=book.money(b.get(k)),
                                new=book.money(a[k])))
        elif k == "owner_id":
            out.append(book.say("hist.contract.owner", number=number, new=book.who(a[k]))
                       + (book.say("hist.part.was", before=book.who(b[k])) if b.get(k) else []))
        elif k == "scope":
            out.append(book.say("hist.contract.scope", number=number, new=a[k] or "-"))
    return _joined(out, book.cr_note(e))


def _edited(book: _Book, e: AuditEvent, b: dict[str, Any], a: dict[str, Any]) -> list[Span]:
    """A correction (edit): "corrected the title of HT-1 from “Acme” to “ACME”", one clause per field."""
    what = book.contract.number if e.entity == "contract" else book.title(e.entity_id)
    out = []
    for k in [k for k in a if k in b and b.get(k) != a.get(k) and k not in _HIDDEN]:
        old, new = b.get(k), a.get(k)
        if k.endswith("_on"):
            old, new = book.date(old), book.date(new)
        elif k == "amount":
            old, new = book.money(old), book.money(new)
        elif k.endswith("owner_id"):
            old, new = book.who(old), book.who(new)
        out.append(book.say("hist.edited", field=book.t("hist.field." + k) if ("hist.field." + k) in _FIELD_KEYS
                            else k, what=what, old="-" if old in (None, "") else old,
                            new="-" if new in (None, "") else new))
    return _joined(out, [])


def _contract_reminders(book: _Book, e: AuditEvent, b: dict[str, Any], a: dict[str, Any]) -> list[Span]:
    return book.say("hist.contract.reminders", number=book.contract.number, offsets=a.get("reminder_offsets") or "-")


def _milestone_created(book: _Book, e: AuditEvent, b: dict[str, Any], a: dict[str, Any]) -> list[Span]:
    if a.get("after_count") is not None and not a.get("due_on"):  # due after an event still to come
        out = book.say("hist.milestone.created_after", title=book.title(e.entity_id, a), rule=_rule(book, a))
    else:
        out = book.say("hist.milestone.created", title=book.title(e.entity_id, a), date=book.date(a.get("due_on")))
    if a.get("amount") is not None:
        out += book.say("hist.part.amount", amount=book.money(a["amount"]))
    if a.get("owner_id"):
        out += book.say("hist.part.owner", owner=book.who(a["owner_id"]))
    return out + book.cr_note(e)


def _rule(book: _Book, snap: dict[str, Any]) -> str:
    """A relative due date kept in a milestone snapshot, in words: '30 days after 交付验收'."""
    after_id = snap.get("after_id")
    anchor = book.title(int(after_id)) if isinstance(after_id, int) else None
    event = relative.event_name(snap.get("after_event"), anchor, book.lang)
    return relative.rule_text(int(snap.get("after_count") or 0), str(snap.get("after_unit") or "day"), event,
                              book.lang)


def _milestone_due_set(book: _Book, e: AuditEvent, b: dict[str, Any], a: dict[str, Any]) -> list[Span]:
    """Its event set (or moved) its due date: 'set final payment due Sat 2027-02-27 (45 days after …; … done …)'."""
    m = book.milestones.get(e.entity_id or 0)
    rule = _rule(book, repo.snapshot(m)) if m is not None else "-"
    if a.get("event_on") and m is not None:
        anchor = book.title(m.after_id) if m.after_id else None
        event = relative.event_name(m.after_event, anchor, book.lang)
        rule = book.t("after.from_date" if m.after_event else "after.from_done", rule=rule, event=event,
                      day=book.date(a["event_on"]))
    return book.say("hist.milestone.due_set", title=book.title(e.entity_id), date=book.date(a.get("due_on")),
                    rule=rule)


def _milestone_due_unset(book: _Book, e: AuditEvent, b: dict[str, Any], a: dict[str, Any]) -> list[Span]:
    m = book.milestones.get(e.entity_id or 0)
    anchor = book.title(m.after_id) if m is not None and m.after_id else None
    event = relative.event_name(m.after_event if m is not None else None, anchor, book.lang)
    return book.say("hist.milestone.due_unset", title=book.title(e.entity_id), event=event,
                    date=book.date(b.get("due_on")))


def _milestone_simple(key: str) -> Callable[[_Book, AuditEvent, dict[str, Any], dict[str, Any]], list[Span]]:
    def tell(book: _Book, e: AuditEvent, b: dict[str, Any], a: dict[str, Any]) -> list[Span]:
        return book.say(key, title=book.title(e.entity_id)) + book.cr_note(e)

    return tell


def _milestone_snoozed(book: _Book, e: AuditEvent, b: dict[str, Any], a: dict[str, Any]) -> list[Span]:
    return book.say("hist.milestone.snoozed", title=book.title(e.entity_id), date=book.date(a.get("snoozed_until")))


def _milestone_waived(book: _Book, e: AuditEvent, b: dict[str, Any], a: dict[str, Any]) -> list[Span]:
    out = book.say("hist.milestone.waived", title=book.title(e.entity_id), amount=book.money(a.get("written_off")))
    reason = str(a.get("reason") or "").strip()
    return out + (book.say("hist.part.reason", reason=_short(reason)) if reason else [])


def _milestone_noted(book: _Book, e: AuditEvent, b: dict[str, Any], a: dict[str, Any]) -> list[Span]:
    old, new = str(b.get("note") or ""), str(a.get("note") or "")
    added = new[len(old):] if new.startswith(old) else new
    line = added.strip().split("\n")[-1] if added.strip() else ""
    text = line.partition(": ")[2] or line  # "2026-11-27 alice: invoice sent" -> "invoice sent"
    return book.say("hist.milestone.noted", title=book.title(e.entity_id), note=_short(text))


def _milestone_changed(book: _Book, e: AuditEvent, b: dict[str, Any], a: dict[str, Any]) -> list[Span]:
    title, out = book.title(e.entity_id), []
    for k in [k for k in a if b.get(k) != a.get(k)]:
        if k == "due_on":
            out.append(book.say("hist.milestone.due_on", title=title, old=book.date(b.get(k)), new=book.date(a[k])))
        elif k == "after_count" and a.get(k) is not None:  # due relative to an event from now on
            out.append(book.say("hist.milestone.rule", title=title, rule=_rule(book, a)))
        elif k == "amount":
            out.append(book.say("hist.milestone.amount", title=title, old=book.money(b.get(k)), new=book.money(a[k])))
        elif k == "owner_id":
            out.append(book.say("hist.milestone.owner", title=title, new=book.who(a[k]))
                       + (book.say("hist.part.was", before=book.who(b[k])) if b.get(k) else []))
        elif k == "snoozed_until" and a.get(k):
            out.append(book.say("hist.milestone.snoozed", title=title, date=book.date(a[k])))
        elif k == "status":
            key = {"done": "hist.milestone.done", "open": "hist.milestone.reopened",
                   "cancelled": "hist.milestone.cancelled"}.get(str(a[k]))
            if key:
                out.append(book.say(key, title=title))
    return _joined(out, book.cr_note(e))


def _milestone_reminders(book: _Book, e: AuditEvent, b: dict[str, Any], a: dict[str, Any]) -> list[Span]:
    return book.say("hist.milestone.reminders", title=book.title(e.entity_id), offsets=a.get("reminder_offsets") or "-")


def _payment_recorded(book: _Book, e: AuditEvent, b: dict[str, Any], a: dict[str, Any]) -> list[Span]:
    currency = a.get("currency")
    out = book.say("hist.payment.recorded", amount=book.money(a.get("amount"), currency), seq=a.get("seq", "?"),
                   date=book.date(a.get("received_on")))
    allocations = a.get("allocations") or {}
    if isinstance(allocations, dict) and allocations:
        parts = ", ".join(f"{book.title(int(mid) if str(mid).isdigit() else None)} {book.money(amount, currency)}"
                          for mid, amount in allocations.items())
        out += book.say("hist.part.for", parts=parts)
    if a.get("note"):
        out += book.say("hist.part.note", note=_short(str(a["note"])))
    return out


def _payment_reversed(book: _Book, e: AuditEvent, b: dict[str, Any], a: dict[str, Any]) -> list[Span]:
    p = book.payments.get(e.entity_id or 0)
    if p is None:
        return []
    return book.say("hist.payment.reversed", amount=book.money(p.amount, p.currency), seq=p.seq)


def _change_value(book: _Book, fld: str, value: object) -> PersonRef | str:
    if value is None or value == "":
        return "-"
    if (rule := anchors.decode(str(value))) is not None:  # due relative to an event
        anchor = book.title(rule.after_id) if rule.after_id else None
        return relative.rule_text(rule.count, rule.unit, relative.event_name(rule.after_event, anchor, book.lang),
                                  book.lang)
    if fld in ("due", "end"):
        return book.date(value)
    if fld == "amount":
        return book.money(value)
    if fld == "owner":
        return book.who(value)
    return str(value)


def _change_requested(book: _Book, e: AuditEvent, b: dict[str, Any], a: dict[str, Any]) -> list[Span]:
    fld = str(a.get("field") or "")
    what = book.title(a["milestone_id"]) if a.get("milestone_id") else book.contract.number
    params: dict[str, Any] = {"seq": a.get("seq", "?"), "field": book.t("field." + fld), "what": what,
                              "new": _change_value(book, fld, a.get("new_value"))}
    if fld == "scope":
        out = book.say("hist.change.requested_to", **params)
    else:
        out = book.say("hist.change.requested", old=_change_value(book, fld, a.get("old_value")), **params)
    reason = str(a.get("reason") or "").strip()
    return out + (book.say("hist.part.reason", reason=_short(reason)) if reason else [])


def _change_decided(book: _Book, e: AuditEvent, b: dict[str, Any], a: dict[str, Any]) -> list[Span]:
    cr = book.changes.get(e.entity_id or 0)
    if cr is None:
        return []
    out = book.say(f"hist.{e.action}", seq=cr.seq, who=book.who(cr.requested_by_id))
    note = _decision_note(cr)
    return out + (book.say("hist.part.reason", reason=_short(note)) if note else [])


def _change_applied(book: _Book, e: AuditEvent, b: dict[str, Any], a: dict[str, Any]) -> list[Span]:
    cr = book.changes.get(e.entity_id or 0)
    return book.say("hist.change.applied", seq=cr.seq) if cr is not None else []


def _person_joined(book: _Book, e: AuditEvent, b: dict[str, Any], a: dict[str, Any]) -> list[Span]:
    return book.say("hist.person.joined", role=book.t("role." + str(a.get("role") or "member")))


def _person_created(book: _Book, e: AuditEvent, b: dict[str, Any], a: dict[str, Any]) -> list[Span]:
    return book.say("hist.person.created", who=book.who(e.entity_id))


def _person_role(book: _Book, e: AuditEvent, b: dict[str, Any], a: dict[str, Any]) -> list[Span]:
    out = book.say("hist.person.role", who=book.who(e.entity_id), role=book.t("role." + str(a.get("role"))))
    return out + (book.say("hist.part.was", before=book.t("role." + str(b["role"]))) if b.get("role") else [])


_SETTINGS = {"timezone": "timezone", "reminder_time": "time", "reminder_offsets": "stages",
             "overdue_every_days": "overdue", "escalate_after_days": "escalation", "escalation_target": "escalation",
             "routing": "routing", "holiday_shift": "holidays", "currency": "currency", "language": "language",
             "default_channel": "channel"}


def _tenant_settings(book: _Book, e: AuditEvent, b: dict[str, Any], a: dict[str, Any]) -> list[Span]:
    changes = [book.t("hist.tenant.setting", setting=book.t("setting." + _SETTINGS[k]), value=_plain(book, a[k]))
               for k in a if k in _SETTINGS and b.get(k) != a.get(k)]
    return book.say("hist.tenant.settings", changes="; ".join(changes)) if changes else []


def _tenant_moved(book: _Book, e: AuditEvent, b: dict[str, Any], a: dict[str, Any]) -> list[Span]:
    return book.say("hist.tenant.moved")


_Teller = Callable[[_Book, AuditEvent, dict[str, Any], dict[str, Any]], list[Span]]
_TELLERS: dict[str, _Teller] = {
    "contract.created": _contract_created,
    "contract.renewed": _contract_renewed,
    "contract.ended": _contract_ended,
    "contract.status": _contract_status,
    "contract.changed": _contract_changed,
    "contract.edited": _edited,
    "milestone.edited": _edited,
    "contract.reminders_set": _contract_reminders,
    "milestone.created": _milestone_created,
    "milestone.done": _milestone_simple("hist.milestone.done"),
    "milestone.paid": _milestone_simple("hist.milestone.paid"),
    "milestone.reopened": _milestone_simple("hist.milestone.reopened"),
    "milestone.cancelled": _milestone_simple("hist.milestone.cancelled"),
    "milestone.snoozed": _milestone_snoozed,
    "milestone.waived": _milestone_waived,
    "milestone.reassigned": _milestone_changed,
    "milestone.noted": _milestone_noted,
    "milestone.moved": _milestone_changed,
    "milestone.changed": _milestone_changed,
    "milestone.due_set": _milestone_due_set,
    "milestone.due_unset": _milestone_due_unset,
    "milestone.reminders_set": _milestone_reminders,
    "payment.recorded": _payment_recorded,
    "payment.reversed": _payment_reversed,
    "change.requested": _change_requested,
    "change.approved": _change_decided,
    "change.rejected": _change_decided,
    "change.applied": _change_applied,
    "person.joined": _person_joined,
    "person.created": _person_created,
    "person.role": _person_role,
    "tenant.settings": _tenant_settings,
    "tenant.moved": _tenant_moved,
}

_HIDDEN = {"id", "tenant_id", "contract_id", "created_by_id", "created_at", "updated_at"}
_FIELD_KEYS = {f"hist.field.{k}" for k in ("title", "counterparty", "amount", "currency", "start_on", "end_on",
                                           "signed_on", "owner_id", "channel", "kind", "percent", "status")}


def _unknown(book: _Book, e: AuditEvent, b: dict[str, Any], a: dict[str, Any]) -> list[Span]:
    """An action without its own sentence: its name and what changed, in words ('due on from X to Y')."""
    changes = []
    for k in [k for k in a if k not in _HIDDEN and b.get(k) != a.get(k)][:4]:
        old: PersonRef | str
        new: PersonRef | str
        if _is_person_key(k):
            old, new = (book.who(b[k]) if b.get(k) else "-"), book.who(a[k])
        elif k == "milestone_id":
            old, new = (book.title(b[k]) if b.get(k) else "-"), book.title(a[k]) if a.get(k) else "-"
        elif k.endswith("_on") or k.endswith("_until"):
            old, new = (book.date(b[k]) if b.get(k) else "-"), book.date(a[k])
        else:
            old, new = (_plain(book, b[k]) if k in b else "-"), _plain(book, a[k])
        changes.append(book.say("hist.field", field=k.removesuffix("_id").replace("_", " "), old=old, new=new))
    out = book.say("hist.unknown", action=e.action.replace(".", " ").replace("_", " "))
    return out + book.say("hist.colon") + _joined(changes, []) if changes else out


def _is_person_key(key: str) -> bool:
    return key in ("owner_id", "actor_id") or key.endswith("_by_id")


def _joined(sentences: list[list[Span]], tail: list[Span], sep: str = "; ") -> list[Span]:
    out: list[Span] = []
    for i, s in enumerate(sentences):
        out += ([sep] if i else []) + s
    return out + tail if out else []


def _plain(book: _Book, value: object) -> str:
    if value is None or value == "":
        return "-"
    if isinstance(value, bool):
        return book.t("settings.on" if value else "settings.off")
    return _short(str(value))


def _short(text: str, limit: int = 120) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
