"""Change requests (变更): proposed in chat, approved by the contract owner or an admin, applied atomically."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlmodel import select

from handlers import grammar
from handlers.amounts import format_money, quantize
from handlers.context import Ctx, find_contract, person_ref, require_currency, require_writer, resolve_assignee
from handlers.dates import format_date
from handlers.errors import Refused, UserError
from handlers.grammar_ledger import DecideChange, RequestChange
from handlers.reminders import followups, new_key
from handlers.replies import Action, Field, Reply
from handlers.usecases.milestones import pick_open_milestone
from handlers.usecases.renewals import status_on, sync_renewal_milestone
from handlers.views import planned_payments
from scheduler import planner
from storage import repo
from storage.models import ChangeRequest, Contract, Milestone, Person


def _show_value(ctx: Ctx, field: str, value: str | None, currency: str) -> str:
    if value is None or value == "":
        return "-"
    if field in ("due", "end"):
        return format_date(date.fromisoformat(value), ctx.lang)
    if field == "amount":
        return format_money(Decimal(value), currency)
    if field == "owner":
        person = ctx.session.get(Person, int(value))
        return "@" + (person.display_name or person.handle or "?") if person else "-"
    return value


def request_change(ctx: Ctx, cmd: RequestChange) -> list[Reply]:
    """Record a proposed change; it does nothing until an approver approves it."""
    require_writer(ctx)
    ex = grammar.example_for("change", ctx.lang)
    contract = find_contract(ctx, cmd.number, ex)
    require_currency(contract, cmd.currency, ex)
    milestone = pick_open_milestone(ctx, contract, cmd.milestone, ex) if cmd.milestone else None
    if cmd.field == "due" and milestone is None:
        raise UserError("err.change_field", example=ex)
    target: Milestone | Contract = milestone if milestone is not None else contract
    if cmd.field in ("due", "end"):
        old = getattr(target, "due_on" if milestone is not None else "end_on")
        old_value = old.isoformat() if old else None
        new_value = cmd.date_value.value.isoformat() if cmd.date_value else None
    elif cmd.field == "amount":
        old_value = str(target.amount) if target.amount is not None else None
        new_value = str(quantize(cmd.amount or Decimal(0)))
    elif cmd.field == "owner":
        owner = resolve_assignee(ctx, cmd.owner) if cmd.owner else None
        old_value = str(target.owner_id) if target.owner_id else None
        new_value = str(owner.id) if owner else None
    else:
        if milestone is not None:
            raise UserError("err.change_field", example=ex)
        old_value, new_value = contract.scope, cmd.value
    tenant_id = ctx.tenant.id or 0
    cr = ChangeRequest(tenant_id=tenant_id, seq=repo.next_seq(ctx.session, ChangeRequest, tenant_id=tenant_id),
                       contract_id=contract.id or 0, milestone_id=milestone.id if milestone else None,
                       field=cmd.field, old_value=old_value, new_value=new_value, reason=cmd.reason or None,
                       requested_by_id=ctx.person.id, created_at=ctx.now)
    ctx.session.add(cr)
    ctx.session.flush()
    repo.audit(ctx.session, tenant_id=tenant_id, actor_id=ctx.person.id, action="change.requested", entity="change",
               entity_id=cr.id, contract_id=contract.id, after=repo.snapshot(cr))
    return [change_card(ctx, cr, contract, milestone, with_actions=True)]


def change_card(ctx: Ctx, cr: ChangeRequest, contract: Contract, milestone: Milestone | None, *,
                with_actions: bool) -> Reply:
    """A change request as a message, with Approve / Reject buttons while it is pending."""
    what = f"{milestone.title} ({contract.number})" if milestone else contract.number
    reply = Reply(title=ctx.t("change.title", seq=cr.seq, field=ctx.t("field." + cr.field), what=what),
                  lang=ctx.lang)
    reply.fields = [
        Field(ctx.t("change.from"), (_show_value(ctx, cr.field, cr.old_value, contract.currency),)),
        Field(ctx.t("change.to"), (_show_value(ctx, cr.field, cr.new_value, contract.currency),)),
        Field(ctx.t("change.status"), (ctx.t("cr." + cr.status),)),
    ]
    requester = ctx.session.get(Person, cr.requested_by_id) if cr.requested_by_id else None
    reply.fields.append(Field(ctx.t("change.by"), (person_ref(requester) or "-",)))
    if cr.reason:
        reply.fields.append(Field(ctx.t("label.reason"), (cr.reason,)))
    if with_actions and cr.status == "pending":
        for kind, label in (("approve", "action.approve"), ("reject", "action.reject")):
            key = new_key(ctx.session, tenant_id=cr.tenant_id, action=kind, change_id=cr.id)
            reply.actions.append(Action(kind=kind, label=ctx.t(label), key=key,
                                        style="primary" if kind == "approve" else "danger",
                                        command=ctx.t(f"cmd.{kind}", seq=cr.seq)))
        reply.context.append(ctx.t("change.approvers"))
    return reply


def decide_change(ctx: Ctx, cmd: DecideChange) -> list[Reply]:
    """Approve (apply in this transaction) or reject a pending change request."""
    cr = ctx.session.exec(
        select(ChangeRequest).where(ChangeRequest.tenant_id == ctx.tenant.id, ChangeRequest.seq == cmd.seq)
    ).first()
    ex = grammar.example_for("approve" if cmd.approve else "reject", ctx.lang)
    if cr is None:
        raise UserError("err.change_unknown", example=ex, seq=cmd.seq)
    return decide(ctx, cr, cmd.approve, cmd.reason)


def decide(ctx: Ctx, cr: ChangeRequest, approve: bool, reason: str = "") -> list[Reply]:
    """Check the approver and carry out the decision (shared by typed commands and buttons)."""
    contract = ctx.session.get(Contract, cr.contract_id)
    assert contract is not None and contract.tenant_id == ctx.tenant.id
    require_writer(ctx)
    if cr.status != "pending":
        raise UserError("err.change_decided", seq=cr.seq, status=ctx.t("cr." + cr.status))
    if ctx.person.id == cr.requested_by_id:
        raise Refused("err.change_own", seq=cr.seq)
    if ctx.person.role != "admin" and ctx.person.id != contract.owner_id:
        raise Refused("err.change_approver", seq=cr.seq, number=contract.number)
    milestone = ctx.session.get(Milestone, cr.milestone_id) if cr.milestone_id else None
    before = repo.snapshot(cr, ("status",))
    cr.status = "approved" if approve else "rejected"
    cr.decided_by_id, cr.decided_at = ctx.person.id, ctx.now
    if reason:
        cr.reason = f"{cr.reason or ''}\n{ctx.who()}: {reason}".strip()
    ctx.session.add(cr)
    extra: list[Reply] = []
    if approve:
        extra = _apply(ctx, cr, contract, milestone)
    repo.audit(ctx.session, tenant_id=ctx.tenant.id or 0, actor_id=ctx.person.id, action=f"change.{cr.status}",
               entity="change", entity_id=cr.id, contract_id=contract.id, before=before,
               after=repo.snapshot(cr, ("status",)))
    card = change_card(ctx, cr, contract, milestone, with_actions=False)
    requester = ctx.session.get(Person, cr.requested_by_id) if cr.requested_by_id else None
    card.title = ctx.t(f"change.{cr.status}", seq=cr.seq)
    card.lines.insert(0, (person_ref(requester) or "", " " + ctx.t(f"change.told_{cr.status}", who=ctx.who())))
    return [card, *extra]


def _current_value(cr: ChangeRequest, target: Milestone | Contract) -> str | None:
    attr = _ATTR[cr.field]
    value = getattr(target, attr)
    if value is None:
        return None
    return value.isoformat() if isinstance(value, date) else str(value)


_ATTR = {"due": "due_on", "end": "end_on", "amount": "amount", "owner": "owner_id", "scope": "scope"}


def _check_still_applies(ctx: Ctx, cr: ChangeRequest, contract: Contract, milestone: Milestone | None) -> None:
    """Refuse a change whose target moved on since it was requested (renewed, closed, or changed again)."""
    if contract.status in ("ended", "renewed") or (milestone is not None and milestone.status != "open"):
        raise UserError("err.change_stale", seq=cr.seq)
    target: Milestone | Contract = milestone if milestone is not None else contract
    if _current_value(cr, target) != cr.old_value:
        raise UserError("err.change_stale", seq=cr.seq)


def _apply(ctx: Ctx, cr: ChangeRequest, contract: Contract, milestone: Milestone | None) -> list[Reply]:
    """Write the approved value, audit before/after, and re-plan the reminders it affects."""
    _check_still_applies(ctx, cr, contract, milestone)
    target: Milestone | Contract = milestone if milestone is not None else contract
    attr = _ATTR[cr.field]
    fields: tuple[str, ...] = (attr, "percent") if milestone is not None and cr.field == "amount" else (attr,)
    before = repo.snapshot(target, fields)
    tenant_id = ctx.tenant.id or 0
    value: object
    if cr.field in ("due", "end"):
        value = date.fromisoformat(cr.new_value or "")
        if cr.field == "end" and contract.start_on and value < contract.start_on:  # type: ignore[operator]
            raise UserError("err.date_order", start=format_date(contract.start_on, ctx.lang),
                            end=format_date(value, ctx.lang))  # type: ignore[arg-type]
    elif cr.field == "amount":
        value = Decimal(cr.new_value or "0")
        if milestone is not None:
            _check_milestone_amount(ctx, contract, milestone, value)
            milestone.percent = None
        else:
            _rescale_percent_milestones(ctx, contract, value)
    else:
        value = int(cr.new_value) if cr.field == "owner" and cr.new_value else cr.new_value
    setattr(target, attr, value)
    target.updated_at = ctx.now
    ctx.session.add(target)
    kind = type(target).__name__.lower()
    repo.audit(ctx.session, tenant_id=tenant_id, actor_id=ctx.person.id, action=f"{kind}.changed", entity=kind,
               entity_id=target.id, contract_id=contract.id, before=before, after=repo.snapshot(target, fields))
    if milestone is not None:
        planner.replan(ctx.session, milestone=milestone, contract=contract, tenant=ctx.tenant, now=ctx.now)
        status = ctx.t("status.changed_by", who=ctx.who(), when=ctx.stamp())
        return followups(ctx.session, milestone, contract, ctx.tenant, today=ctx.today, lang=ctx.lang,
                         status_line=status)
    if cr.field == "end":
        new_status = status_on(contract, ctx.today)
        if new_status != contract.status:
            status_before = repo.snapshot(contract, ("status",))
            contract.status = new_status
            repo.audit(ctx.session, tenant_id=tenant_id, actor_id=ctx.person.id, action="contract.status",
                       entity="contract", entity_id=contract.id, contract_id=contract.id, before=status_before,
                       after=repo.snapshot(contract, ("status",)))
    if cr.field in ("end", "owner"):
        sync_renewal_milestone(ctx.session, contract, ctx.tenant, ctx.now, ctx.person.id)
    return []


def _check_milestone_amount(ctx: Ctx, contract: Contract, milestone: Milestone, value: Decimal) -> None:
    paid = repo.paid_by_milestone(ctx.session, tenant_id=ctx.tenant.id or 0, contract_id=contract.id or 0)
    already = paid.get(milestone.id or 0, Decimal(0))
    if value < already or (already and value == already):
        raise UserError("err.amount_below_paid", amount=format_money(value, contract.currency),
                        paid=format_money(already, contract.currency))
    if milestone.kind == "payment" and contract.amount is not None:
        others = [m for m in repo.milestones_of(ctx.session, tenant_id=ctx.tenant.id or 0,
                                                contract_id=contract.id or 0) if m.id != milestone.id]
        total = planned_payments(others) + value
        if total > contract.amount:
            raise UserError("err.plan_exceeds", total=format_money(total, contract.currency),
                            amount=format_money(contract.amount, contract.currency))


def _rescale_percent_milestones(ctx: Ctx, contract: Contract, value: Decimal) -> None:
    """A new contract amount: open percentage milestones follow it; the plan and receipts must still fit."""
    tenant_id = ctx.tenant.id or 0
    ms = repo.milestones_of(ctx.session, tenant_id=tenant_id, contract_id=contract.id or 0)
    for m in ms:
        if m.status == "open" and m.percent is not None:
            m_before = repo.snapshot(m, ("amount",))
            m.amount = quantize(value * m.percent / 100)
            ctx.session.add(m)
            repo.audit(ctx.session, tenant_id=tenant_id, actor_id=ctx.person.id, action="milestone.changed",
                       entity="milestone", entity_id=m.id, contract_id=contract.id, before=m_before,
                       after=repo.snapshot(m, ("amount",)))
    floor = max(planned_payments(ms), repo.received_total(ctx.session, tenant_id=tenant_id,
                                                          contract_id=contract.id or 0))
    if value < floor:
        raise UserError("err.amount_below_plan", amount=format_money(value, contract.currency),
                        floor=format_money(floor, contract.currency))
