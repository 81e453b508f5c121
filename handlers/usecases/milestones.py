"""Use cases on milestones: add one, complete one, and find one by the name a person types."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from handlers import anchors, grammar, lifecycle
from handlers.amounts import format_money, quantize
from handlers.context import (
    Ctx,
    find_contract,
    open_milestones_of,
    person_ref,
    require_actor,
    require_contract_owner,
    require_currency,
    resolve_assignee,
)
from handlers.dates import format_date
from handlers.errors import AskFirst, UserError
from handlers.grammar import AddMilestone, CompleteMilestone
from handlers.grammar_ledger import WaiveMilestone
from handlers.reminders import followups
from handlers.replies import Field, Reply
from handlers.understand import match_name
from handlers.views import describe_upcoming, milestone_amount, owner_span, percent_of, planned_payments
from scheduler import planner
from storage import repo
from storage.models import Contract, Milestone


def match_milestone(candidates: list[Milestone], name: str) -> list[Milestone]:
    """The milestones a typed name can mean: exact title, same synonym group, unique prefix, then a whole word.

    Never a substring in reverse: "next" does not mean a milestone called "x".
    """
    titles = match_name([m.title for m in candidates], name)
    return [m for m in candidates if m.title in titles]


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
    if len({m.title for m in found}) == 1:
        return found[0]  # the same name twice: the earliest due is the one people mean
    raise UserError("err.milestone_ambiguous", example=example, number=contract.number, name=name,
                    choices=", ".join(m.title for m in found))


def add_milestone(ctx: Ctx, cmd: AddMilestone) -> list[Reply]:
    """Add a milestone to a contract and plan its reminders."""
    ex = grammar.example_for("milestone", ctx.lang)
    if len(cmd.title) > grammar.NAME_LIMIT:
        raise UserError("err.too_long", example=ex, field=ctx.t("label.milestone"), limit=grammar.NAME_LIMIT)
    contract = find_contract(ctx, cmd.number, ex)
    require_contract_owner(ctx, contract)
    if contract.status in ("ended", "renewed"):
        raise UserError("err.contract_closed", example=ex, number=contract.number,
                        status=ctx.t("cstatus." + contract.status))
    amount = cmd.amount
    require_currency(contract, cmd.currency, ex)
    if cmd.percent is not None:
        if contract.amount is None:
            raise UserError("err.percent_no_amount", example=ex, number=contract.number, percent=cmd.percent)
        amount = quantize(contract.amount * cmd.percent / 100)
    existing = repo.milestones_of(ctx.session, tenant_id=ctx.tenant_id, contract_id=contract.id or 0)
    if amount is not None and contract.amount is not None:  # 验收款 60% counts against the plan like 首付款
        total = planned_payments(existing) + amount
        if total > contract.amount:
            raise UserError("err.plan_exceeds", example=ex, total=format_money(total, contract.currency),
                            amount=format_money(contract.amount, contract.currency))
    anchor = None
    if cmd.after is not None:
        anchor = anchors.resolve(ctx.session, contract, cmd.after, tenant_id=ctx.tenant_id, lang=ctx.lang, example=ex)
    owner = resolve_assignee(ctx, cmd.owner) if cmd.owner else None
    milestone = Milestone(
        tenant_id=ctx.tenant_id,
        contract_id=contract.id or 0,
        kind=cmd.kind,
        title=cmd.title,
        due_on=cmd.due_on.value if cmd.due_on is not None else None,
        owner_id=owner.id if owner else contract.owner_id,
        amount=amount,
        percent=cmd.percent,
        created_by_id=ctx.person.id,
        created_at=ctx.now,
        updated_at=ctx.now,
    )
    if anchor is not None and cmd.after is not None:
        anchors.apply_rule(milestone, anchor, cmd.after)
        milestone.due_on = anchors.due_for(ctx.session, ctx.tenant, contract, milestone, anchor.milestone)
    ctx.session.add(milestone)
    ctx.session.flush()
    repo.audit(
        ctx.session, tenant_id=ctx.tenant_id, actor_id=ctx.person.id, action="milestone.created",
        entity="milestone", entity_id=milestone.id, contract_id=contract.id, after=repo.snapshot(milestone),
    )
    planner.replan(ctx.session, milestone=milestone, contract=contract, tenant=ctx.tenant, now=ctx.now)
    if owner is None and milestone.owner_id:
        owner = repo.people_by_id(ctx.session, ids={milestone.owner_id}).get(milestone.owner_id)
    reply = Reply(title=ctx.t("ok.milestone_added", number=contract.number), lang=ctx.lang, milestone_id=milestone.id)
    reply.fields = [
        Field(ctx.t("label.milestone"), (f"{milestone.title} ({ctx.t('kind.' + milestone.kind)})",)),
        Field(ctx.t("label.due"), (_due_field(ctx, milestone, contract),)),
        Field(ctx.t("label.owner"), (owner_span(person_ref(owner), ctx.lang),)),
    ]
    money = milestone_amount(milestone, contract.currency)
    if money:
        reply.fields.append(Field(ctx.t("label.amount"), (money,)))
    if cmd.due_on is not None and cmd.due_on.reading(ctx.lang):
        reply.context.append(ctx.t("warn.reading", note=cmd.due_on.reading(ctx.lang)))
    if anchor is not None and (waits := _waits_line(ctx, milestone, contract, anchor)):
        reply.context.append(waits)
    if milestone.due_on is not None and milestone.due_on < ctx.today:
        reply.context.append(ctx.t("warn.past_date", date=format_date(milestone.due_on, ctx.lang)))
    if milestone.amount is not None and contract.amount:
        planned = planned_payments([*existing, milestone])
        reply.context.append(ctx.t("ok.plan_total", planned=format_money(planned, contract.currency),
                                   amount=format_money(contract.amount, contract.currency),
                                   percent=percent_of(planned, contract.amount)))
    when = describe_upcoming(ctx.session, milestone=milestone, tenant=ctx.tenant, lang=ctx.lang)
    if when:
        reply.context.append(ctx.t("ok.next_reminders", when=when))
    return [reply]


def _due_field(ctx: Ctx, milestone: Milestone, contract: Contract) -> str:
    """The due date with its weekday; for a relative milestone also its rule, or why it has no date yet."""
    if milestone.due_on is None:
        return anchors.due_words(ctx.session, milestone, ctx.lang)
    if anchors.is_relative(milestone):
        how = anchors.how_set(ctx.session, ctx.tenant, contract, milestone, ctx.lang)
        return f"{format_date(milestone.due_on, ctx.lang)} ({how})"
    return format_date(milestone.due_on, ctx.lang)


def _waits_line(ctx: Ctx, milestone: Milestone, contract: Contract, anchor: anchors.Anchor) -> str | None:
    """What happens next to a milestone just added relative to an event (None: its Due field says it all)."""
    event = anchors.relative.event_name(anchor.event, anchor.milestone.title if anchor.milestone else None, ctx.lang)
    if milestone.due_on is not None:
        day = anchors.event_day(ctx.session, ctx.tenant, contract, milestone, anchor.milestone)
        if anchor.milestone is None or day is None:
            return None  # a contract date: "5 working days after signing; signing on …" in the Due field
        return ctx.t("after.added_done", event=event, day=format_date(day, ctx.lang),
                     date=format_date(milestone.due_on, ctx.lang))
    if anchor.event is not None:
        return ctx.t("after.added_no_date", number=contract.number, event=event,
                     example=ctx.t(f"after.fix_{anchor.event}", number=contract.number))
    return ctx.t("after.added_waits", event=event)


def followed_lines(ctx: Ctx, contract: Contract, moved: list[lifecycle.Followed]) -> list[str]:
    """What an event did to the milestones due after it: '尾款 of HT-1 is now due …' or '… waits for 验收 again'."""
    lines = []
    for f in moved:
        m = f.milestone
        if m.due_on is not None:
            lines.append(anchors.set_line(ctx.session, ctx.tenant, contract, m, ctx.lang))
        else:
            anchor = anchors.anchor_of(ctx.session, m)
            event = anchors.relative.event_name(m.after_event, anchor.title if anchor else None, ctx.lang)
            lines.append(ctx.t("after.unset", title=m.title, number=contract.number, event=event,
                               date=format_date(f.before, ctx.lang) if f.before else "-"))
    return lines


def complete_milestone(ctx: Ctx, cmd: CompleteMilestone) -> list[Reply]:
    """Mark a milestone done; its pending reminders stop. Money still owed on it is asked about first."""
    ex = grammar.example_for("done", ctx.lang)
    contract = find_contract(ctx, cmd.number, ex)
    milestone = pick_open_milestone(ctx, contract, cmd.milestone, ex)
    require_actor(ctx, milestone, contract)
    day = cmd.done_on.value if cmd.done_on is not None else None
    if day is not None and day > ctx.today:
        raise UserError("err.done_future", example=ex, date=day.isoformat())
    ask_if_owed(ctx, milestone, contract, on=day)
    return mark_done(ctx, milestone, contract, on=day if day != ctx.today else None)


def still_owed(ctx: Ctx, milestone: Milestone) -> Decimal:
    """What the counterparty still owes on a milestone (0 for one without money)."""
    if milestone.amount is None:
        return Decimal(0)
    paid = repo.paid_for_milestones(ctx.session, tenant_id=ctx.tenant_id, milestone_ids=[milestone.id or 0])
    return max(Decimal(0), milestone.amount - paid.get(milestone.id or 0, Decimal(0)))


def ask_if_owed(ctx: Ctx, milestone: Milestone, contract: Contract, *, on: date | None = None) -> None:
    """Closing a milestone that is still owed money: record the rest (received on the day given, if one was), or
    write it off with a reason, or cancel."""
    owed = still_owed(ctx, milestone)
    if owed <= 0:
        return
    from handlers.understand import Ask  # the reader's question type

    amount = f"{owed:,}"
    received = "" if on is None else (f" on {on.isoformat()}" if ctx.lang == "en" else f" 于 {on.isoformat()}")
    verbs = ("paid", "waive") if ctx.lang == "en" else ("回款", "核销")
    for_kw = "for" if ctx.lang == "en" else "节点"
    raise AskFirst(Ask("choose", "ask.done_owed", {"title": milestone.title, "number": contract.number,
                                                   "owed": format_money(owed, contract.currency)},
                       ((ctx.t("ask.done_pay", owed=format_money(owed, contract.currency)),
                         f"{verbs[0]} {contract.number} {amount}{received} {for_kw} {milestone.title}"),
                        (ctx.t("ask.done_waive"), f"{verbs[1]} {contract.number} {milestone.title}"))))


def waive_milestone(ctx: Ctx, cmd: WaiveMilestone) -> list[Reply]:
    """Close a milestone without the money still owed on it; the reason is kept in its note and the history."""
    ex = grammar.example_for("waive", ctx.lang)
    contract = find_contract(ctx, cmd.number, ex)
    milestone = pick_open_milestone(ctx, contract, cmd.milestone, ex)
    require_contract_owner(ctx, contract)
    owed = still_owed(ctx, milestone)
    if owed <= 0:
        raise UserError("err.waive_nothing_owed", example=grammar.example_for("done", ctx.lang),
                        number=contract.number, title=milestone.title)
    if not cmd.reason.strip():
        from handlers.understand import Ask

        kw = "reason" if ctx.lang == "en" else "原因"
        raise AskFirst(Ask("fill", "ask.waive_reason", {"title": milestone.title, "number": contract.number,
                                                        "owed": format_money(owed, contract.currency)},
                           template=f"{'waive' if ctx.lang == 'en' else '核销'} {contract.number} {milestone.title} "
                                    f"{kw} {{}}", slot="reason"))
    reason = cmd.reason.strip()[:500]
    line = f"{ctx.today.isoformat()} {ctx.person.display_name or ctx.person.handle or '?'}: " + ctx.t(
        "ok.waived", title=milestone.title, number=contract.number, amount=format_money(owed, contract.currency),
        reason=reason)
    moved = lifecycle.waive(lifecycle.Actor.of(ctx), milestone, contract, written_off=str(owed), reason=reason,
                            note=f"{milestone.note}\n{line}" if milestone.note else line)
    reply = Reply(title=ctx.t("ok.waived", title=milestone.title, number=contract.number,
                              amount=format_money(owed, contract.currency), reason=reason),
                  lang=ctx.lang, milestone_id=milestone.id)
    reply.context.extend(followed_lines(ctx, contract, moved))
    status = ctx.t("status.done_by", who=ctx.who(), when=ctx.stamp())
    return [reply, *followups(ctx.session, milestone, contract, ctx.tenant, today=ctx.today, lang=ctx.lang,
                              status_line=status)]


def mark_done(ctx: Ctx, milestone: Milestone, contract: Contract, clicked: str | None = None, *,
              on: date | None = None) -> list[Reply]:
    """Close a milestone as done by the sender (today, or on an earlier day ``on``: noon of that day in the team's
    zone), audit it and cancel its reminders."""
    at = datetime.combine(on, time(12), tzinfo=ZoneInfo(ctx.tz)).astimezone(UTC) if on is not None else None
    moved = lifecycle.complete(lifecycle.Actor.of(ctx), milestone, contract, at=at)
    reply = Reply(title=ctx.t("ok.milestone_done", number=contract.number, title=milestone.title), lang=ctx.lang,
                  milestone_id=milestone.id)
    reply.fields = [
        Field(ctx.t("label.due"), (_due_field(ctx, milestone, contract),)),
        Field(ctx.t("label.done_by"), (owner_span(person_ref(ctx.person), ctx.lang),)),
    ]
    if on is not None:
        reply.fields.append(Field(ctx.t("label.done_on"), (format_date(on, ctx.lang),)))
    reply.context.extend(followed_lines(ctx, contract, moved))
    status = ctx.t("status.done_by", who=ctx.who(), when=ctx.stamp())
    return [reply, *followups(ctx.session, milestone, contract, ctx.tenant, today=ctx.today, lang=ctx.lang,
                              status_line=status, extra_refs=(clicked,) if clicked else ())]
