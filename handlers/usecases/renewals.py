"""Renewals (续约): tracked against the notice deadline; renew, end, and the daily status/auto-renew pass."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from handlers import grammar, lifecycle
from handlers.context import Ctx, find_contract, person_ref, require_contract_owner, require_currency
from handlers.dates import format_date
from handlers.errors import UserError
from handlers.grammar_ledger import EndContract, Renew
from handlers.i18n import norm_lang, t
from handlers.replies import Field, Reply
from handlers.views import contract_fields
from scheduler import planner
from scheduler.notify import Outgoing, Target
from scheduler.platforms import traits
from storage import repo
from storage.db import transaction
from storage.models import ChangeRequest, ChangeStatus, Contract, ContractStatus, Milestone, MilestoneStatus, Tenant

EXPIRING_WINDOW = timedelta(days=30)  # a contract is "expiring" from 30 days before its notice deadline


def notice_deadline(contract: Contract) -> date | None:
    """The last day to give notice: the end date minus the notice period (the end date without one)."""
    if contract.end_on is None:
        return None
    return contract.end_on - timedelta(days=contract.notice_days or 0)


def _renewal_title(lang: str) -> str:
    return t("renewal.milestone", lang)


def sync_renewal_milestone(session: Session, contract: Contract, tenant: Tenant, now: datetime,
                           actor_id: int | None, lang: str | None = None) -> Milestone | None:
    """Keep one open renewal milestone due on the notice deadline, so renewal reminders ride the engine."""
    deadline = notice_deadline(contract)
    existing = session.exec(
        select(Milestone).where(Milestone.contract_id == contract.id, Milestone.kind == "renewal",
                                col(Milestone.created_by_id).is_(None), Milestone.status == MilestoneStatus.OPEN)
    ).first()
    if deadline is None or contract.status not in ("active", "expiring"):
        if existing is not None:
            lifecycle.cancel(lifecycle.Actor(session, tenant, actor_id, now), existing, contract)
        return None
    if existing is None:
        existing = Milestone(tenant_id=contract.tenant_id, contract_id=contract.id or 0, kind="renewal",
                             title=_renewal_title(lang or norm_lang(tenant.language) or "en"), due_on=deadline,
                             owner_id=contract.owner_id, created_at=now, updated_at=now)
        session.add(existing)
        session.flush()
        repo.audit(session, tenant_id=contract.tenant_id, actor_id=actor_id, action="milestone.created",
                   entity="milestone", entity_id=existing.id, contract_id=contract.id,
                   after=repo.snapshot(existing))
    else:
        actor = lifecycle.Actor(session, tenant, actor_id, now)
        moved, reassigned = existing.due_on != deadline, existing.owner_id != contract.owner_id
        if moved:
            lifecycle.reschedule(actor, existing, contract, deadline)
        if reassigned:
            lifecycle.reassign(actor, existing, contract, contract.owner_id)
        if moved or reassigned:
            return existing
    # a new one, or one whose contract changed around it (status, reminder stages): plan it now
    planner.replan(session, milestone=existing, contract=contract, tenant=tenant, now=now)
    return existing


def next_term_end(start: date | None, end: date) -> date:
    """The end of a term as long as the current one: whole months stay whole months (a year is a year)."""
    from dateutil.relativedelta import relativedelta

    if start is None:
        return end + relativedelta(years=1)
    after = end + timedelta(days=1)
    months = (after.year - start.year) * 12 + after.month - start.month
    if after.day == start.day and months > 0:
        return after + relativedelta(months=months) - timedelta(days=1)
    return end + (after - start)


def status_on(contract: Contract, today: date) -> str:
    """active -> expiring (inside the notice window) -> expired; renewed and ended stay as they are."""
    if contract.status in ("renewed", "ended") or contract.end_on is None:
        return contract.status
    if today > contract.end_on:
        return "expired"
    deadline = notice_deadline(contract)
    if deadline is not None and today >= deadline - EXPIRING_WINDOW:
        return "expiring"
    return "active"


def start_new_term(session: Session, contract: Contract, tenant: Tenant, *, new_end: date,
                   amount: Decimal | None, now: datetime, actor_id: int | None) -> Contract:
    """Archive the current term under NUMBER/Tn and open the next term under the same number."""
    terms = 1
    prev_id = contract.previous_id
    while prev_id is not None and (prev := session.get(Contract, prev_id)) is not None:
        terms += 1
        prev_id = prev.previous_id
    before = repo.snapshot(contract, ("number", "status"))
    number = contract.number
    # the renewal the notice milestone was waiting for has happened: it is done today (on time or late against
    # the notice deadline, for the on-time rate and the term's review), not cancelled
    notice = session.exec(
        select(Milestone).where(Milestone.contract_id == contract.id, Milestone.kind == "renewal",
                                col(Milestone.created_by_id).is_(None), Milestone.status == MilestoneStatus.OPEN)
    ).first()
    if notice is not None:
        lifecycle.complete(lifecycle.Actor(session, tenant, actor_id, now), notice, contract)
    contract.number, contract.status, contract.updated_at = f"{number}/T{terms}", "renewed", now
    session.add(contract)
    session.flush()
    sync_renewal_milestone(session, contract, tenant, now, actor_id)
    repo.audit(session, tenant_id=contract.tenant_id, actor_id=actor_id, action="contract.renewed",
               entity="contract", entity_id=contract.id, contract_id=contract.id, before=before,
               after=repo.snapshot(contract, ("number", "status")))
    start = (contract.end_on or now.date()) + timedelta(days=1)
    term = Contract(
        tenant_id=contract.tenant_id, number=number, title=contract.title, counterparty=contract.counterparty,
        amount=amount if amount is not None else contract.amount, currency=contract.currency, kind=contract.kind,
        owner_id=contract.owner_id, signed_on=now.date(), start_on=start, end_on=new_end,
        notice_days=contract.notice_days, auto_renew=contract.auto_renew, status="active", channel=contract.channel,
        crm_opportunity=contract.crm_opportunity, crm_order=contract.crm_order, scope=contract.scope,
        reminder_offsets=contract.reminder_offsets, previous_id=contract.id, created_by_id=actor_id,
        created_at=now, updated_at=now,
    )
    session.add(term)
    session.flush()
    repo.audit(session, tenant_id=term.tenant_id, actor_id=actor_id, action="contract.created", entity="contract",
               entity_id=term.id, contract_id=term.id, after=repo.snapshot(term))
    sync_renewal_milestone(session, term, tenant, now, actor_id)
    return term


def renew(ctx: Ctx, cmd: Renew) -> list[Reply]:
    """Start a new term of a contract, linked to the previous one."""
    ex = grammar.example_for("renew", ctx.lang)
    contract = find_contract(ctx, cmd.number, ex)
    require_contract_owner(ctx, contract)
    if contract.status in ("ended", "renewed"):
        raise UserError("err.renew_closed", example=ex, number=contract.number,
                        status=ctx.t("cstatus." + contract.status))
    require_currency(contract, cmd.currency, ex)
    if contract.end_on is not None and cmd.end_on.value <= contract.end_on:
        raise UserError("err.renew_earlier", example=ex, date=format_date(cmd.end_on.value, ctx.lang),
                        end=format_date(contract.end_on, ctx.lang))
    old_number = contract.number
    term = start_new_term(ctx.session, contract, ctx.tenant, new_end=cmd.end_on.value, amount=cmd.amount,
                          now=ctx.now, actor_id=ctx.person.id)
    owner = repo.people_by_id(ctx.session, ids={term.owner_id} if term.owner_id else set())
    reply = Reply(title=ctx.t("ok.renewed", number=old_number, date=format_date(cmd.end_on.value, ctx.lang)),
                  lang=ctx.lang)
    reply.fields = contract_fields(term, person_ref(owner.get(term.owner_id or 0)), ctx.lang)
    reply.context.append(ctx.t("renewal.previous", number=contract.number))
    return [reply]


def end_contract(ctx: Ctx, cmd: EndContract) -> list[Reply]:
    """Close a contract: its open milestones are cancelled and their reminders stop."""
    ex = grammar.example_for("end", ctx.lang)
    contract = find_contract(ctx, cmd.number, ex)
    require_contract_owner(ctx, contract)
    if contract.status == ContractStatus.ENDED:
        raise UserError("err.already_ended", example=ex, number=contract.number)
    before = repo.snapshot(contract, ("status",))
    contract.status, contract.updated_at = "ended", ctx.now
    ctx.session.add(contract)
    cancelled = []
    for m in repo.milestones_of(ctx.session, tenant_id=ctx.tenant_id, contract_id=contract.id or 0):
        if m.status == MilestoneStatus.OPEN:
            lifecycle.cancel(lifecycle.Actor.of(ctx), m, contract, reason=cmd.reason or "contract ended")
            cancelled.append(m.title)
    repo.audit(ctx.session, tenant_id=ctx.tenant_id, actor_id=ctx.person.id, action="contract.ended",
               entity="contract", entity_id=contract.id, contract_id=contract.id, before=before,
               after={**repo.snapshot(contract, ("status",)), "reason": cmd.reason, "cancelled": cancelled})
    withdrawn = _close_pending_changes(ctx, contract)
    reply = Reply(title=ctx.t("ok.ended", number=contract.number), lang=ctx.lang)
    if cmd.reason:
        reply.fields.append(Field(ctx.t("label.reason"), (cmd.reason,)))
    if cancelled:
        reply.add(ctx.t("renewal.cancelled", titles=", ".join(cancelled)))
    if withdrawn:
        reply.add(ctx.t("renewal.changes_closed", changes=", ".join(f"CR-{seq}" for seq in withdrawn)))
    return [reply]


def _close_pending_changes(ctx: Ctx, contract: Contract) -> list[int]:
    """An ended contract takes no more changes: its pending requests are rejected (audited, the reason kept), so
    nobody approves a change to a contract that is over, and its review counts only what was decided."""
    note = ctx.t("renewal.change_reason")
    closed = []
    pending = ctx.session.exec(
        select(ChangeRequest).where(ChangeRequest.tenant_id == ctx.tenant_id, ChangeRequest.contract_id == contract.id,
                                    ChangeRequest.status == ChangeStatus.PENDING.value).order_by(col(ChangeRequest.seq))
    ).all()
    for cr in pending:
        before = repo.snapshot(cr, ("status",))
        cr.status, cr.decided_by_id, cr.decided_at = ChangeStatus.REJECTED.value, ctx.person.id, ctx.now
        cr.reason = f"{cr.reason or ''}\n{ctx.who()}: {note}".strip()
        ctx.session.add(cr)
        repo.audit(ctx.session, tenant_id=ctx.tenant_id, actor_id=ctx.person.id, action="change.rejected",
                   entity="change", entity_id=cr.id, contract_id=contract.id, before=before,
                   after={**repo.snapshot(cr, ("status",)), "reason": note})
        closed.append(cr.seq)
    return closed


def advance_contracts(engine, now: datetime) -> list[Outgoing]:  # type: ignore[no-untyped-def]
    """Move statuses by date and roll over auto-renewing contracts whose notice deadline passed.

    Returns the announcements to post in the contracts' channels.
    """
    outs: list[Outgoing] = []
    with transaction(engine) as session:
        rows = session.exec(
            select(Contract, Tenant).join(Tenant, col(Tenant.id) == col(Contract.tenant_id))
            .where(col(Contract.status).in_(("active", "expiring")), col(Contract.end_on).is_not(None))
        ).all()
        for contract, tenant in rows:
            today = now.astimezone(ZoneInfo(tenant.timezone)).date()
            deadline = notice_deadline(contract)
            if contract.auto_renew and deadline is not None and today > deadline and contract.end_on:
                new_end = next_term_end(contract.start_on, contract.end_on)
                number = contract.number
                start_new_term(session, contract, tenant, new_end=new_end, amount=None, now=now, actor_id=None)
                lang = norm_lang(tenant.language) or "en"
                msg = Reply(title=t("renewal.auto", lang, number=number, date=format_date(new_end, lang)), lang=lang)
                msg.context.append(t("renewal.auto_why", lang, deadline=format_date(deadline, lang)))
                channel = contract.channel or tenant.default_channel or (
                    tenant.external_id if traits(tenant.platform).team_per_chat else None)
                if channel:
                    outs.append(Outgoing(Target(tenant.platform, tenant.external_id, chat_id=channel), msg))
                continue
            new_status = status_on(contract, today)
            if new_status != contract.status:
                before = repo.snapshot(contract, ("status",))
                contract.status, contract.updated_at = new_status, now
                session.add(contract)
                repo.audit(session, tenant_id=contract.tenant_id, actor_id=None, action="contract.status",
                           entity="contract", entity_id=contract.id, contract_id=contract.id, before=before,
                           after=repo.snapshot(contract, ("status",)))
                if new_status == "expired":
                    sync_renewal_milestone(session, contract, tenant, now, None)
    return outs

