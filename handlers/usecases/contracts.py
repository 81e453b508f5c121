"""Use cases on contracts: create and show."""

from __future__ import annotations

from handlers import anchors, grammar
from handlers.amounts import CURRENCIES, format_money
from handlers.context import Ctx, channel_id, find_contract, person_ref, require_writer, resolve_assignee
from handlers.dates import format_date
from handlers.errors import UserError
from handlers.grammar import NewContract, ShowContract
from handlers.replies import Field, Reply
from handlers.usecases.payments import money_fields
from handlers.usecases.renewals import notice_deadline, sync_renewal_milestone
from handlers.views import contract_fields, milestone_line, percent_of, planned_payments
from storage import repo
from storage.models import Contract


def create_contract(ctx: Ctx, cmd: NewContract) -> list[Reply]:
    """Add a contract to the team's ledger."""
    require_writer(ctx)
    ex = grammar.example_for("new", ctx.lang)
    for label, name in (("label.title", cmd.title), ("label.counterparty", cmd.counterparty)):
        if len(name) > grammar.NAME_LIMIT:
            raise UserError("err.too_long", example=ex, field=ctx.t(label), limit=grammar.NAME_LIMIT)
    tenant_id = ctx.tenant_id
    if repo.get_contract(ctx.session, tenant_id=tenant_id, number=cmd.number) is not None:
        raise UserError("err.contract_duplicate", example=ex, number=cmd.number)
    start = cmd.start_on.value if cmd.start_on else None
    end = cmd.end_on.value if cmd.end_on else None
    if start and end and end < start:
        raise UserError("err.date_order", example=ex, start=format_date(start, ctx.lang), end=format_date(end, ctx.lang))
    if cmd.currency and cmd.currency not in CURRENCIES:
        raise UserError("err.currency_unknown", example=ex, got=cmd.currency)
    channel = channel_id(ctx, cmd.channel, ex) if cmd.channel else None
    owner = resolve_assignee(ctx, cmd.owner) if cmd.owner else ctx.person
    contract = Contract(
        tenant_id=tenant_id,
        number=cmd.number,
        title=cmd.title,
        counterparty=cmd.counterparty,
        amount=cmd.amount,
        currency=cmd.currency or ctx.tenant.currency,
        kind=cmd.kind or "sales",
        owner_id=owner.id,
        signed_on=cmd.signed_on.value if cmd.signed_on else None,
        start_on=start,
        end_on=end,
        notice_days=cmd.notice_days,
        auto_renew=cmd.auto_renew,
        channel=channel or (ctx.chat_id if ctx.chat_type != "private" else None),
        crm_opportunity=cmd.crm_opportunity,
        crm_order=cmd.crm_order,
        created_by_id=ctx.person.id,
        created_at=ctx.now,
        updated_at=ctx.now,
    )
    ctx.session.add(contract)
    ctx.session.flush()
    repo.audit(
        ctx.session, tenant_id=tenant_id, actor_id=ctx.person.id, action="contract.created", entity="contract",
        entity_id=contract.id, contract_id=contract.id, after=repo.snapshot(contract),
    )
    sync_renewal_milestone(ctx.session, contract, ctx.tenant, ctx.now, ctx.person.id, ctx.lang)
    reply = Reply(title=ctx.t("ok.contract_created", number=contract.number), lang=ctx.lang)
    reply.fields = contract_fields(contract, person_ref(owner), ctx.lang)
    for dv in (cmd.end_on, cmd.start_on, cmd.signed_on):
        if dv is not None and dv.reading(ctx.lang):
            reply.context.append(ctx.t("warn.reading", note=dv.reading(ctx.lang)))
    deadline = notice_deadline(contract)
    if deadline is not None:  # (None without an end date)
        reply.context.append(ctx.t("ok.renewal_tracked", date=format_date(deadline, ctx.lang)))
        if deadline < ctx.today:
            reply.context.append(ctx.t("warn.notice_passed", date=format_date(deadline, ctx.lang)))
    reply.context.append(ctx.t("ok.next_step", number=contract.number))
    return [reply]


def show_contract(ctx: Ctx, cmd: ShowContract) -> list[Reply]:
    """Show a contract with its milestones and how much of it is planned."""
    contract = find_contract(ctx, cmd.number, grammar.example_for("show", ctx.lang))
    milestones = repo.milestones_of(ctx.session, tenant_id=ctx.tenant_id, contract_id=contract.id or 0)
    ids = {x for x in [contract.owner_id, *(m.owner_id for m in milestones)] if x}
    people = repo.people_by_id(ctx.session, ids=ids)
    reply = Reply(title=f"{contract.number} · {contract.title}", lang=ctx.lang)
    reply.fields = contract_fields(contract, person_ref(people.get(contract.owner_id or 0)), ctx.lang)
    paid = repo.paid_by_milestone(ctx.session, tenant_id=ctx.tenant_id, contract_id=contract.id or 0)
    waiting = anchors.waiting_texts(ctx.session, milestones, ctx.lang)
    if milestones:
        reply.add(f"{ctx.t('show.milestones')}:")
        for m in milestones:
            reply.add("• ", *milestone_line(m, contract, person_ref(people.get(m.owner_id or 0)), ctx.today,
                                            ctx.lang, with_contract=False, paid=paid.get(m.id or 0),
                                            waiting=waiting.get(m.id or 0)))
    planned = planned_payments(milestones)
    if planned or contract.amount:
        money = money_fields(ctx, contract)
        if contract.amount and planned:
            money[0] = Field(ctx.t("label.planned"), (
                f"{format_money(planned, contract.currency)} ({percent_of(planned, contract.amount)}%)",))
        reply.fields.extend(money)
    if contract.previous_id:
        prev = ctx.session.get(Contract, contract.previous_id)
        if prev is not None:
            reply.context.append(ctx.t("renewal.previous", number=prev.number))
    if not milestones:
        reply.context.append(ctx.t("show.no_milestones", number=contract.number))
    from handlers.usecases.changes import open_change_lines  # here only: show_contract is all that uses it

    reply.lines.extend(open_change_lines(ctx, contract))
    return [reply]
