"""Payments received against plan (回款): record, reverse, and the team's receivables with ageing."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlmodel import Session, col, or_, select

from handlers import grammar, lifecycle
from handlers.allocation import Slot, allocate
from handlers.amounts import format_money
from handlers.context import (
    Ctx,
    find_contract,
    person_ref,
    require_contract_actor,
    require_currency,
    require_payment_actor,
    require_writer,
)
from handlers.dates import format_date
from handlers.errors import AskFirst, Refused, UserError
from handlers.grammar_ledger import Receivables, RecordPayment, UndoPayment
from handlers.reminders import followups
from handlers.replies import Field, Reply, at_text
from handlers.usecases.followup import MAX_NOTE
from handlers.usecases.milestones import followed_lines, match_milestone
from handlers.views import planned_payments
from storage import repo
from storage.models import Contract, Milestone, MilestoneStatus, Payment, PaymentAllocation, Role

CLOSED = ("ended",)
BUCKETS = ("not_due", "1_30", "31_60", "61_90", "over_90", "unplanned")


def payment_slots(ctx: Ctx, contract: Contract) -> tuple[list[Milestone], dict[int, Decimal]]:
    """A contract's open payment milestones with money planned, and what each has received."""
    paid = repo.paid_by_milestone(ctx.session, tenant_id=ctx.tenant_id, contract_id=contract.id or 0)
    ms = [m for m in repo.milestones_of(ctx.session, tenant_id=ctx.tenant_id, contract_id=contract.id or 0)
          if m.status == MilestoneStatus.OPEN and m.amount is not None]
    return ms, paid


def record_payment(ctx: Ctx, cmd: RecordPayment) -> list[Reply]:
    """Record money received and settle payment milestones (named one first, then the earliest due)."""
    ex = grammar.example_for("paid", ctx.lang)
    if cmd.note and len(cmd.note) > MAX_NOTE:
        raise UserError("err.note_long", example=ex, limit=MAX_NOTE)
    contract = find_contract(ctx, cmd.number, ex)
    require_contract_actor(ctx, contract)
    if contract.status in CLOSED:
        raise UserError("err.payment_closed", example=ex, number=contract.number,
                        status=ctx.t("cstatus." + contract.status))
    require_currency(contract, cmd.currency, ex)
    tenant_id = ctx.tenant_id
    received = repo.received_total(ctx.session, tenant_id=tenant_id, contract_id=contract.id or 0)
    if contract.amount is not None and received + cmd.amount > contract.amount:
        raise UserError("err.overpayment", example=ex, number=contract.number,
                        amount=format_money(contract.amount, contract.currency),
                        received=format_money(received, contract.currency),
                        payment=format_money(cmd.amount, contract.currency),
                        room=format_money(contract.amount - received, contract.currency))
    open_ms, paid = payment_slots(ctx, contract)
    named: Milestone | None = None
    if cmd.milestone:
        found = match_milestone(open_ms, cmd.milestone)
        if not found:
            choices = ", ".join(m.title for m in open_ms) or "-"
            raise UserError("err.milestone_unknown", example=ex, number=contract.number, name=cmd.milestone,
                            choices=choices)
        if len({m.title for m in found}) > 1:
            raise UserError("err.milestone_ambiguous", example=ex, number=contract.number, name=cmd.milestone,
                            choices=", ".join(m.title for m in found))
        named = found[0]
    slots = [Slot(m.id or 0, m.due_on, m.amount or Decimal(0), paid.get(m.id or 0, Decimal(0))) for m in open_ms]
    parts, left = allocate(cmd.amount, slots, named=named.id if named else None)
    require_payment_actor(ctx, contract, [named] if named else [m for m in open_ms if m.id in dict(parts)])
    payment = Payment(tenant_id=tenant_id, seq=repo.next_seq(ctx.session, Payment, tenant_id=tenant_id),
                      contract_id=contract.id or 0, amount=cmd.amount, currency=contract.currency,
                      received_on=cmd.received_on.value if cmd.received_on else ctx.today, note=cmd.note,
                      recorded_by_id=ctx.person.id, created_at=ctx.now)
    ctx.session.add(payment)
    ctx.session.flush()
    by_id = {m.id: m for m in open_ms}
    reply = Reply(title=ctx.t("ok.payment", seq=payment.seq, amount=format_money(cmd.amount, contract.currency),
                              number=contract.number, date=format_date(payment.received_on, ctx.lang)),
                  lang=ctx.lang)
    edits: list[Reply] = []
    for mid, part in parts:
        m = by_id[mid]
        now_paid = paid.get(mid, Decimal(0)) + part
        closes = now_paid >= (m.amount or Decimal(0))
        ctx.session.add(PaymentAllocation(payment_id=payment.id or 0, milestone_id=mid, amount=part, closed=closes))
        if closes:
            moved = lifecycle.complete(lifecycle.Actor.of(ctx), m, contract, action="milestone.paid")
            reply.add("✅ ", ctx.t("money.settled", title=m.title, amount=format_money(part, contract.currency)))
            reply.context.extend(followed_lines(ctx, contract, moved))  # 尾款 due 30 days after 首付款
            status = ctx.t("status.paid_by", who=ctx.who(), when=ctx.stamp())
            edits.extend(followups(ctx.session, m, contract, ctx.tenant, today=ctx.today, lang=ctx.lang,
                                   status_line=status))
        else:
            owed = (m.amount or Decimal(0)) - now_paid
            reply.add("◐ ", ctx.t("money.partly", title=m.title, amount=format_money(part, contract.currency),
                                  owed=format_money(owed, contract.currency)))
    if left > 0:
        reply.add(ctx.t("money.unplanned", amount=format_money(left, contract.currency)))
    repo.audit(ctx.session, tenant_id=tenant_id, actor_id=ctx.person.id, action="payment.recorded", entity="payment",
               entity_id=payment.id, contract_id=contract.id,
               after={**repo.snapshot(payment), "allocations": {str(k): str(v) for k, v in parts}})
    reply.fields = money_fields(ctx, contract)
    reply.context.append(ctx.t("money.undo_hint", seq=payment.seq))
    return [reply, *edits]


@dataclass(frozen=True)
class Balance:
    """A contract's money: planned, received, written off, and what is still outstanding."""

    total: Decimal
    planned: Decimal
    received: Decimal
    waived: Decimal
    outstanding: Decimal


def balance(session: Session, *, tenant_id: int, contract: Contract) -> Balance:
    """The one definition of what a contract still owes, used by show, answers and receivables alike.

    outstanding = (contract amount, else what its milestones plan) - money received - what was written off.
    """
    ms = repo.milestones_of(session, tenant_id=tenant_id, contract_id=contract.id or 0)
    paid = repo.paid_by_milestone(session, tenant_id=tenant_id, contract_id=contract.id or 0)
    planned = planned_payments(ms)
    waived = sum((max(Decimal(0), (m.amount or Decimal(0)) - paid.get(m.id or 0, Decimal(0)))
                  for m in ms if m.status == MilestoneStatus.WAIVED), Decimal(0))
    received = repo.received_total(session, tenant_id=tenant_id, contract_id=contract.id or 0)
    total = contract.amount if contract.amount is not None else planned
    return Balance(total, planned, received, waived, max(Decimal(0), total - received - waived))


def money_fields(ctx: Ctx, contract: Contract) -> list[Field]:
    """Planned vs received vs outstanding for a contract."""
    b = balance(ctx.session, tenant_id=ctx.tenant_id, contract=contract)
    cur = contract.currency
    fields = [
        Field(ctx.t("label.planned"), (format_money(b.planned, cur),)),
        Field(ctx.t("label.received"), (format_money(b.received, cur),)),
    ]
    if b.waived:
        fields.append(Field(ctx.t("label.waived"), (format_money(b.waived, cur),)))
    fields.append(Field(ctx.t("label.outstanding"), (format_money(b.outstanding, cur),)))
    return fields


def undo_payment(ctx: Ctx, cmd: UndoPayment) -> list[Reply]:
    """Reverse a mistaken payment (its recorder or an admin); nothing is deleted, milestones reopen."""
    tenant_id = ctx.tenant_id
    payment = ctx.session.exec(select(Payment).where(Payment.tenant_id == tenant_id, Payment.seq == cmd.seq)).first()
    ex = grammar.example_for("undo", ctx.lang)
    if payment is None:
        raise UserError("err.payment_unknown", example=ex, seq=cmd.seq)
    if payment.reversed_at is not None:
        raise UserError("err.payment_reversed", example=ex, seq=cmd.seq)
    require_writer(ctx)
    if ctx.person.role != Role.ADMIN and ctx.person.id != payment.recorded_by_id:
        raise Refused("err.payment_not_yours", seq=cmd.seq)
    contract = ctx.session.get(Contract, payment.contract_id)
    assert contract is not None
    if not cmd.confirmed:
        from handlers.understand import Ask  # the reader's question type

        recorder = repo.people_by_id(ctx.session, ids={payment.recorded_by_id} if payment.recorded_by_id else set())
        who = recorder.get(payment.recorded_by_id or 0)
        raise AskFirst(Ask("choose", "ask.undo", {
            "seq": str(payment.seq), "amount": format_money(payment.amount, payment.currency),
            "number": contract.number, "date": format_date(payment.received_on, ctx.lang),
            "who": at_text(who.display_name or who.handle or "?") if who else "-"},
            ((ctx.t("ask.undo_yes", seq=payment.seq),
              f"{'undo' if ctx.lang == 'en' else '撤销'} P-{payment.seq} {'confirm' if ctx.lang == 'en' else '确认'}"),)))
    before = repo.snapshot(payment, ("reversed_at", "reversed_by_id"))
    payment.reversed_at, payment.reversed_by_id = ctx.now, ctx.person.id
    ctx.session.add(payment)
    allocations = ctx.session.exec(select(PaymentAllocation).where(PaymentAllocation.payment_id == payment.id)).all()
    reply = Reply(title=ctx.t("ok.payment_reversed", seq=payment.seq,
                              amount=format_money(payment.amount, payment.currency), number=contract.number),
                  lang=ctx.lang)
    paid_now = repo.paid_by_milestone(ctx.session, tenant_id=tenant_id, contract_id=contract.id or 0)
    for alloc in allocations:
        m = ctx.session.get(Milestone, alloc.milestone_id)
        # reopen a milestone that payments had closed and that is now owed money again (whichever payment
        # closed it), unless the contract itself is closed
        if (m is None or m.status != MilestoneStatus.DONE or contract.status in CLOSED
                or not _closed_by_payment(ctx, m.id or 0, payment.id or 0)):
            continue
        if paid_now.get(m.id or 0, Decimal(0)) >= (m.amount or Decimal(0)):
            continue
        moved = lifecycle.reopen(lifecycle.Actor.of(ctx), m, contract)
        reply.add(ctx.t("money.reopened", title=m.title))
        reply.context.extend(followed_lines(ctx, contract, moved))
    repo.audit(ctx.session, tenant_id=tenant_id, actor_id=ctx.person.id, action="payment.reversed", entity="payment",
               entity_id=payment.id, contract_id=contract.id, before=before,
               after=repo.snapshot(payment, ("reversed_at", "reversed_by_id")))
    reply.fields = money_fields(ctx, contract)
    return [reply]


def _closed_by_payment(ctx: Ctx, milestone_id: int, undoing: int) -> bool:
    """Did a payment (still standing, or the one being undone) close this milestone, rather than a person?"""
    return ctx.session.exec(
        select(PaymentAllocation.id)
        .join(Payment, col(Payment.id) == col(PaymentAllocation.payment_id))
        .where(PaymentAllocation.milestone_id == milestone_id, col(PaymentAllocation.closed).is_(True),
               or_(col(Payment.reversed_at).is_(None), col(Payment.id) == undoing))
    ).first() is not None


def bucket_of(days_late: int) -> str:
    """The ageing bucket of an amount that is days_late past due (negative: not yet due)."""
    if days_late <= 0:
        return "not_due"
    if days_late <= 30:
        return "1_30"
    if days_late <= 60:
        return "31_60"
    if days_late <= 90:
        return "61_90"
    return "over_90"


def receivable_parts(session: Session, *, tenant_id: int, contract: Contract, today: date
                     ) -> list[tuple[Milestone | None, str, Decimal]]:
    """A contract's outstanding money split by milestone and ageing bucket; the parts add up to its outstanding.

    Open milestones with money are counted for what they still owe (earliest due first). Money received that
    no milestone took is credited to the earliest ones; what no milestone plans yet is "unplanned".
    """
    outstanding = balance(session, tenant_id=tenant_id, contract=contract).outstanding
    paid = repo.paid_by_milestone(session, tenant_id=tenant_id, contract_id=contract.id or 0)
    open_ms = sorted((m for m in repo.milestones_of(session, tenant_id=tenant_id, contract_id=contract.id or 0)
                      if m.status == MilestoneStatus.OPEN and m.amount is not None),
                     key=lambda m: (m.due_on is None, m.due_on or date.min, m.id or 0))
    owed = [(m, max(Decimal(0), (m.amount or Decimal(0)) - paid.get(m.id or 0, Decimal(0)))) for m in open_ms]
    excess = sum((o for _, o in owed), Decimal(0)) - outstanding
    parts: list[tuple[Milestone | None, str, Decimal]] = []
    for m, o in owed:
        if excess > 0:
            take = min(o, excess)
            o, excess = o - take, excess - take
        if o > 0:  # a milestone still waiting for its event is not due yet
            parts.append((m, bucket_of((today - m.due_on).days) if m.due_on else "not_due", o))
    rest = outstanding - sum((o for _, _, o in parts), Decimal(0))
    if rest > 0:
        parts.append((None, "unplanned", rest))
    return parts


def receivables(ctx: Ctx, cmd: Receivables) -> list[Reply]:
    """The team's outstanding and overdue money, by ageing bucket, by owner and by counterparty."""
    tenant_id = ctx.tenant_id
    contracts = [c for c in repo.list_contracts(ctx.session, tenant_id=tenant_id) if c.status not in CLOSED]
    by_owner: dict[tuple[str, int | None], dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    by_party: dict[tuple[str, str], dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    totals: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    waived: dict[str, Decimal] = defaultdict(Decimal)
    for c in contracts:
        waived[c.currency] += balance(ctx.session, tenant_id=tenant_id, contract=c).waived
        for m, bucket, owed in receivable_parts(ctx.session, tenant_id=tenant_id, contract=c, today=ctx.today):
            owner_id = m.owner_id if m is not None else c.owner_id
            by_owner[(c.currency, owner_id)][bucket] += owed
            by_party[(c.currency, c.counterparty or "-")][bucket] += owed
            totals[c.currency][bucket] += owed
    if not totals:
        return [Reply(title=ctx.t("ar.none"), lang=ctx.lang)]
    reply = Reply(title=ctx.t("ar.title"), lang=ctx.lang)
    for cur, buckets in sorted(totals.items()):
        outstanding = sum(buckets.values(), Decimal(0))
        overdue = outstanding - buckets.get("not_due", Decimal(0)) - buckets.get("unplanned", Decimal(0))
        reply.fields.append(Field(ctx.t("ar.total", currency=cur),
                                  (ctx.t("ar.total_value", outstanding=format_money(outstanding, cur),
                                         overdue=format_money(overdue, cur)),)))
        reply.add(ctx.t("ar.buckets") + " " + _bucket_text(ctx, buckets, cur))
        if waived.get(cur):
            reply.add(ctx.t("ar.waived", amount=format_money(waived[cur], cur)))
    people = repo.people_by_id(ctx.session, ids={oid for _, oid in by_owner if oid})
    reply.add(ctx.t("ar.by_owner"))
    for (cur, oid), buckets in sorted(by_owner.items(), key=lambda kv: -sum(kv[1].values())):
        owner = person_ref(people.get(oid or 0))
        reply.add("• ", owner if owner is not None else ctx.t("label.nobody"), ": " + _bucket_text(ctx, buckets, cur))
    reply.add(ctx.t("ar.by_party"))
    for (cur, party), buckets in sorted(by_party.items(), key=lambda kv: -sum(kv[1].values())):
        reply.add(f"• {party}: " + _bucket_text(ctx, buckets, cur))
    reply.context.append(ctx.t("ar.footnote"))
    return [reply]


def _bucket_text(ctx: Ctx, buckets: dict[str, Decimal], cur: str) -> str:
    return " · ".join(f"{ctx.t('ar.' + b)} {format_money(buckets[b], cur)}" for b in BUCKETS if buckets.get(b))
