"""Use cases on milestones: add one, complete one, and find one by the name a person types."""

from __future__ import annotations

import re

from handlers import grammar
from handlers.amounts import format_money, quantize
from handlers.context import (
    Ctx,
    find_contract,
    open_milestones_of,
    person_ref,
    require_actor,
    require_contract_actor,
    require_currency,
    resolve_assignee,
)
from handlers.dates import format_date
from handlers.errors import UserError
from handlers.grammar import AddMilestone, CompleteMilestone
from handlers.reminders import followups
from handlers.replies import Field, Reply
from handlers.views import describe_upcoming, milestone_amount, owner_span, percent_of, planned_payments
from scheduler import planner
from storage import repo
from storage.models import Contract, Milestone

# Names people use for the same milestone, so "done HT-1 首付款" finds "first payment" and back.
SYNONYMS: tuple[tuple[str, ...], ...] = (
    ("first payment", "down payment", "advance payment", "deposit", "首付款", "首款", "预付款", "定金", "首期款"),
    ("mid payment", "middle payment", "progress payment", "interim payment", "second payment", "中期款", "进度款"),
    ("final payment", "balance payment", "last payment", "尾款", "最终款"),
    ("acceptance", "delivery and acceptance", "交付验收", "验收", "终验"),
    ("delivery", "交付", "交货", "发货"),
    ("warranty", "warranty retention", "retention", "质保金", "质保", "保证金"),
    ("renewal", "renewal notice", "续约", "续签", "续约通知"),
)


def _norm(text: str) -> str:
    return re.sub(r"[\s_\-·]+", " ", text.strip().lower())


def _synonym_group(name: str) -> int | None:
    n = _norm(name)
    for i, group in enumerate(SYNONYMS):
        if n in (_norm(g) for g in group):
            return i
    return None


def match_milestone(candidates: list[Milestone], name: str) -> list[Milestone]:
    """The milestones a typed name can mean: exact title, then same synonym group, then substring."""
    n = _norm(name)
    exact = [m for m in candidates if _norm(m.title) == n]
    if exact:
        return exact
    group = _synonym_group(name)
    if group is not None:
        same = [m for m in candidates if _synonym_group(m.title) == group]
        if same:
            return same
    return [m for m in candidates if n and (n in _norm(m.title) or _norm(m.title) in n)]


def pick_open_milestone(ctx: Ctx, contract: Contract, name: str, example: str) -> Milestone:
    """Find the one open milestone of a contract that a typed name means, or explain why not."""
    open_ms = open_milestones_of(ctx, contract)
    if not open_ms:
        raise UserError("err.milestone_none_open", example=example, number=contract.number)
    choices = ", ".join(m.title for m in open_ms)
    if not name.strip():
        if len(open_ms) == 1:
            return open_ms[0]
        raise UserError("err.milestone_which", example=example, number=contract.number, choices=choices)
    found = match_milestone(open_ms, name)
    if len(found) == 1:
        return found[0]
    if not found:
        raise UserError("err.milestone_unknown", example=example, number=contract.number, name=name, choices=choices)
    # several with the same name: the earliest due is the one people mean
    return found[0]


def add_milestone(ctx: Ctx, cmd: AddMilestone) -> list[Reply]:
    """Add a milestone to a contract and plan its reminders."""
    ex = grammar.example_for("milestone", ctx.lang)
    contract = find_contract(ctx, cmd.number, ex)
    require_contract_actor(ctx, contract)
    if contract.status in ("ended", "renewed"):
        raise UserError("err.contract_closed", example=ex, number=contract.number,
                        status=ctx.t("cstatus." + contract.status))
    amount = cmd.amount
    require_currency(contract, cmd.currency, ex)
    if cmd.percent is not None:
        if contract.amount is None:
            raise UserError("err.percent_no_amount", example=ex, number=contract.number, percent=cmd.percent)
        amount = quantize(contract.amount * cmd.percent / 100)
    existing = repo.milestones_of(ctx.session, tenant_id=ctx.tenant.id or 0, contract_id=contract.id or 0)
    if cmd.kind == "payment" and amount is not None and contract.amount is not None:
        total = planned_payments(existing) + amount
        if total > contract.amount:
            raise UserError("err.plan_exceeds", example=ex, total=format_money(total, contract.currency),
                            amount=format_money(contract.amount, contract.currency))
    owner = resolve_assignee(ctx, cmd.owner) if cmd.owner else None
    milestone = Milestone(
        tenant_id=ctx.tenant.id or 0,
        contract_id=contract.id or 0,
        kind=cmd.kind,
        title=cmd.title,
        due_on=cmd.due_on.value,
        owner_id=owner.id if owner else contract.owner_id,
        amount=amount,
        percent=cmd.percent,
        created_by_id=ctx.person.id,
        created_at=ctx.now,
        updated_at=ctx.now,
    )
    ctx.session.add(milestone)
    ctx.session.flush()
    repo.audit(
        ctx.session, tenant_id=ctx.tenant.id or 0, actor_id=ctx.person.id, action="milestone.created",
        entity="milestone", entity_id=milestone.id, contract_id=contract.id, after=repo.snapshot(milestone),
    )
    planner.replan(ctx.session, milestone=milestone, contract=contract, tenant=ctx.tenant, now=ctx.now)
    if owner is None and milestone.owner_id:
        owner = repo.people_by_id(ctx.session, ids={milestone.owner_id}).get(milestone.owner_id)
    reply = Reply(title=ctx.t("ok.milestone_added", number=contract.number), lang=ctx.lang, milestone_id=milestone.id)
    reply.fields = [
        Field(ctx.t("label.milestone"), (f"{milestone.title} ({ctx.t('kind.' + milestone.kind)})",)),
        Field(ctx.t("label.due"), (format_date(milestone.due_on, ctx.lang),)),
        Field(ctx.t("label.owner"), (owner_span(person_ref(owner), ctx.lang),)),
    ]
    money = milestone_amount(milestone, contract.currency)
    if money:
        reply.fields.append(Field(ctx.t("label.amount"), (money,)))
    if cmd.due_on.reading(ctx.lang):
        reply.context.append(ctx.t("warn.reading", note=cmd.due_on.reading(ctx.lang)))
    if milestone.due_on < ctx.today:
        reply.context.append(ctx.t("warn.past_date", date=format_date(milestone.due_on, ctx.lang)))
    if milestone.kind == "payment" and contract.amount:
        planned = planned_payments([*existing, milestone])
        reply.context.append(ctx.t("ok.plan_total", planned=format_money(planned, contract.currency),
                                   amount=format_money(contract.amount, contract.currency),
                                   percent=percent_of(planned, contract.amount)))
    when = describe_upcoming(ctx.session, milestone=milestone, tenant=ctx.tenant, lang=ctx.lang)
    if when:
        reply.context.append(ctx.t("ok.next_reminders", when=when))
    return [reply]


def complete_milestone(ctx: Ctx, cmd: CompleteMilestone) -> list[Reply]:
    """Mark a milestone done; its pending reminders stop."""
    ex = grammar.example_for("done", ctx.lang)
    contract = find_contract(ctx, cmd.number, ex)
    milestone = pick_open_milestone(ctx, contract, cmd.milestone, ex)
    require_actor(ctx, milestone, contract)
    return mark_done(ctx, milestone, contract)


def mark_done(ctx: Ctx, milestone: Milestone, contract: Contract, clicked: str | None = None) -> list[Reply]:
    """Close a milestone as done by the sender, audit it and cancel its reminders."""
    before = repo.snapshot(milestone, ("status", "done_by_id", "done_at"))
    milestone.status = "done"
    milestone.done_by_id = ctx.person.id
    milestone.done_at = ctx.now
    milestone.updated_at = ctx.now
    ctx.session.add(milestone)
    repo.audit(
        ctx.session, tenant_id=ctx.tenant.id or 0, actor_id=ctx.person.id, action="milestone.done",
        entity="milestone", entity_id=milestone.id, contract_id=contract.id, before=before,
        after=repo.snapshot(milestone, ("status", "done_by_id", "done_at")),
    )
    planner.replan(ctx.session, milestone=milestone, contract=contract, tenant=ctx.tenant, now=ctx.now)
    reply = Reply(title=ctx.t("ok.milestone_done", number=contract.number, title=milestone.title), lang=ctx.lang,
                  milestone_id=milestone.id)
    reply.fields = [
        Field(ctx.t("label.due"), (format_date(milestone.due_on, ctx.lang),)),
        Field(ctx.t("label.done_by"), (owner_span(person_ref(ctx.person), ctx.lang),)),
    ]
    status = ctx.t("status.done_by", who=ctx.who(), when=ctx.stamp())
    return [reply, *followups(ctx.session, milestone, contract, ctx.tenant, today=ctx.today, lang=ctx.lang,
                              status_line=status, extra_refs=(clicked,) if clicked else ())]
