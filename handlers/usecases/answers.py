"""Questions answered directly: one or two lines with the fact, then the command that shows more."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from handlers import anchors, grammar
from handlers.amounts import format_money
from handlers.context import Ctx, find_contract, person_ref, resolve_owner
from handlers.dates import format_date
from handlers.errors import UserError
from handlers.replies import Reply, at_text
from handlers.understand import Question, match_name
from handlers.views import owner_span
from storage import repo
from storage.models import Contract, Milestone, MilestoneStatus, Person


def answer(ctx: Ctx, q: Question) -> list[Reply]:
    """Answer a question about the ledger."""
    if q.topic in ("person_overdue", "person_week", "person_open"):
        return [_person(ctx, q)]
    contract = find_contract(ctx, q.number, grammar.example_for("show", ctx.lang))
    milestone = _milestone(ctx, contract, q.milestone) if q.milestone else None
    more = ctx.t("answer.more", command=f"{'show' if ctx.lang == 'en' else '查看'} {contract.number}")
    reply = Reply(lang=ctx.lang)
    if q.topic == "outstanding":
        reply.title = _outstanding(ctx, contract, milestone)
    elif q.topic == "paid":
        reply.title = _paid(ctx, contract, milestone)
    elif q.topic == "owner":
        target = milestone or contract
        owner = repo.people_by_id(ctx.session, ids={target.owner_id} if target.owner_id else set())
        what = f"{milestone.title} ({contract.number})" if milestone else f"{contract.number} {contract.title}"
        reply.title = ctx.t("answer.owner", what=what)
        reply.add(owner_span(person_ref(owner.get(target.owner_id or 0)), ctx.lang))
    elif q.topic == "due" and milestone is not None:
        reply.title = ctx.t("answer.due", title=milestone.title, number=contract.number,
                            date=_due_date(ctx, milestone), status=_due_status(ctx, milestone))
    elif q.topic in ("ends", "due"):
        if contract.end_on is None:
            reply.title = ctx.t("answer.no_end", number=contract.number)
        else:
            reply.title = ctx.t("answer.ends", number=contract.number, title=contract.title,
                                date=format_date(contract.end_on, ctx.lang))
            deadline = contract.end_on - timedelta(days=contract.notice_days or 0)
            if contract.notice_days:
                reply.add(ctx.t("answer.notice", date=format_date(deadline, ctx.lang)))
    elif q.topic == "next":
        upcoming = [m for m in repo.milestones_of(ctx.session, tenant_id=ctx.tenant_id,
                                                  contract_id=contract.id or 0) if m.status == MilestoneStatus.OPEN]
        if not upcoming:
            reply.title = ctx.t("answer.next_none", number=contract.number)
        else:
            m = upcoming[0]  # in due-date order, those still waiting for their event last
            reply.title = ctx.t("answer.next", number=contract.number, title=m.title,
                                date=_due_date(ctx, m), status=_due_status(ctx, m))
    elif q.topic == "value":
        reply.title = ctx.t("answer.value", number=contract.number, title=contract.title,
                            amount=format_money(contract.amount, contract.currency))
    reply.context.append(more)
    return [reply]


def _milestone(ctx: Ctx, contract: Contract, name: str) -> Milestone:
    ms = [m for m in repo.milestones_of(ctx.session, tenant_id=ctx.tenant_id, contract_id=contract.id or 0)
          if m.status != MilestoneStatus.CANCELLED]
    titles = match_name([m.title for m in ms], name)
    found = [m for m in ms if m.title in titles]
    if not found:
        raise UserError("err.milestone_unknown", example=grammar.example_for("show", ctx.lang),
                        number=contract.number, name=name, choices=", ".join(m.title for m in ms) or "-")
    open_ = [m for m in found if m.status == MilestoneStatus.OPEN]
    return (open_ or found)[0]


def _owed(ctx: Ctx, contract: Contract, milestone: Milestone) -> tuple[Decimal, Decimal]:
    paid = repo.paid_by_milestone(ctx.session, tenant_id=ctx.tenant_id, contract_id=contract.id or 0)
    got = paid.get(milestone.id or 0, Decimal(0))
    return got, max(Decimal(0), (milestone.amount or Decimal(0)) - got)


def _due_date(ctx: Ctx, m: Milestone) -> str:
    """The due date with its weekday; for one still waiting for its event, its rule ('30 days after 交付验收')."""
    if m.due_on is not None:
        return format_date(m.due_on, ctx.lang)
    anchor = anchors.anchor_of(ctx.session, m)
    return anchors.rule_words(m, anchor.title if anchor else None, ctx.lang)


def _due_status(ctx: Ctx, m: Milestone) -> str:
    if m.status == MilestoneStatus.DONE:
        return ctx.t("answer.state_done")
    if m.due_on is None:  # "交付验收 not yet done"
        return anchors.relative.waiting_state(m, anchors.anchor_of(ctx.session, m), ctx.lang)
    days = (ctx.today - m.due_on).days
    if days > 0:
        return ctx.t("answer.days_overdue", days=days)
    if days == 0:
        return ctx.t("answer.due_today")
    return ctx.t("answer.days_left", days=-days)


def _outstanding(ctx: Ctx, contract: Contract, milestone: Milestone | None) -> str:
    cur = contract.currency
    if milestone is not None and milestone.amount is not None:
        got, owed = _owed(ctx, contract, milestone)
        return ctx.t("answer.milestone_owed", title=milestone.title, number=contract.number,
                     owed=format_money(owed, cur), amount=format_money(milestone.amount, cur),
                     date=_due_date(ctx, milestone), status=_due_status(ctx, milestone))
    ms = repo.milestones_of(ctx.session, tenant_id=ctx.tenant_id, contract_id=contract.id or 0)
    planned = sum((m.amount for m in ms if m.amount is not None and m.status != MilestoneStatus.CANCELLED), Decimal(0))
    received = repo.received_total(ctx.session, tenant_id=ctx.tenant_id, contract_id=contract.id or 0)
    total = contract.amount if contract.amount is not None else planned
    return ctx.t("answer.outstanding", number=contract.number, owed=format_money(max(Decimal(0), total - received), cur),
                 received=format_money(received, cur), total=format_money(total, cur))


def _paid(ctx: Ctx, contract: Contract, milestone: Milestone | None) -> str:
    cur = contract.currency
    if milestone is None:
        return _outstanding(ctx, contract, None)
    if milestone.amount is None:
        state = ctx.t("answer.state_done") if milestone.status == MilestoneStatus.DONE else ctx.t("answer.state_open")
        return ctx.t("answer.no_amount", title=milestone.title, number=contract.number, state=state)
    got, owed = _owed(ctx, contract, milestone)
    if owed <= 0 or milestone.status == MilestoneStatus.DONE and got >= (milestone.amount or 0):
        return ctx.t("answer.paid_full", title=milestone.title, number=contract.number,
                     amount=format_money(milestone.amount, cur))
    status = _due_status(ctx, milestone)
    if got > 0:
        return ctx.t("answer.paid_part", title=milestone.title, number=contract.number,
                     got=format_money(got, cur), owed=format_money(owed, cur), status=status)
    return ctx.t("answer.paid_none", title=milestone.title, number=contract.number, owed=format_money(owed, cur),
                 status=status)


def _person(ctx: Ctx, q: Question) -> Reply:
    if q.who is None:  # "what do I have overdue?": the sender
        person: Person | None = ctx.person
        name = ctx.who()
    else:
        person = resolve_owner(ctx, q.who) if q.who.user_id else repo.find_person(
            ctx.session, tenant_id=ctx.tenant_id, handle=q.who.handle)
        name = at_text(q.who.handle or q.who.name or q.who.user_id or "?")
    if person is None:
        return Reply(title=ctx.t(f"answer.{q.topic}_none", who=name), lang=ctx.lang)
    name = at_text(person.display_name or person.handle or "?")
    kwargs: dict[str, object] = {"owner_id": person.id}
    if q.topic == "person_overdue":
        kwargs["due_before"] = ctx.today
    elif q.topic == "person_week":
        monday = ctx.today - timedelta(days=ctx.today.weekday())
        kwargs.update(due_from=monday, due_before=monday + timedelta(days=7))
    rows = repo.open_milestones(ctx.session, tenant_id=ctx.tenant_id, **kwargs)  # type: ignore[arg-type]
    if not rows:
        return Reply(title=ctx.t(f"answer.{q.topic}_none", who=name), lang=ctx.lang)
    reply = Reply(title=ctx.t(f"answer.{q.topic}", who=name, count=len(rows)), lang=ctx.lang)
    for m, c in rows[:10]:
        reply.add(f"• {c.number} {m.title}, " + ctx.t("answer.due_on", date=_due_date(ctx, m))
                  + f" ({_due_status(ctx, m)})")
    if len(rows) > 10:
        reply.add(ctx.t("answer.and_more", n=len(rows) - 10))
    return reply
