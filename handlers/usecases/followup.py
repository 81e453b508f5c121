"""Acting on a milestone after it is planned: snooze, reassign, note, per-milestone reminder stages."""

from __future__ import annotations

from datetime import date, timedelta

from handlers import anchors, grammar, lifecycle
from handlers.context import (
    Ctx,
    find_contract,
    open_milestones_of,
    person_ref,
    require_actor,
    require_contract_owner,
    require_writer,
    resolve_assignee,
)
from handlers.dates import format_date
from handlers.errors import UserError
from handlers.grammar import AddNote, Reassign, SetReminders, Snooze
from handlers.reminders import followups
from handlers.replies import Field, Reply, at_text
from handlers.usecases.milestones import match_milestone, pick_open_milestone
from handlers.views import describe_upcoming, owner_span
from scheduler import planner
from storage import repo
from storage.models import Contract, Milestone, Person

MAX_NOTE = 1000  # characters: a note rides along in every later reminder, so it stays readable


def _replan(ctx: Ctx, milestone: Milestone, contract: Contract) -> None:
    planner.replan(ctx.session, milestone=milestone, contract=contract, tenant=ctx.tenant, now=ctx.now)


def _audit(ctx: Ctx, action: str, milestone: Milestone, before: dict[str, object], fields: tuple[str, ...]) -> None:
    repo.audit(ctx.session, tenant_id=ctx.tenant_id, actor_id=ctx.person.id, action=action, entity="milestone",
               entity_id=milestone.id, contract_id=milestone.contract_id, before=before,
               after=repo.snapshot(milestone, fields))


def snooze(ctx: Ctx, cmd: Snooze) -> list[Reply]:
    """Hold a milestone's reminders until a later day."""
    ex = grammar.example_for("snooze", ctx.lang)
    contract = find_contract(ctx, cmd.number, ex)
    milestone = pick_open_milestone(ctx, contract, cmd.milestone, ex)
    require_actor(ctx, milestone, contract)
    until = cmd.until.value if cmd.until else ctx.today + timedelta(days=cmd.days or 1)
    return snooze_until(ctx, milestone, contract, until)


def snooze_until(
    ctx: Ctx, milestone: Milestone, contract: Contract, until: date, clicked: str | None = None
) -> list[Reply]:
    """Set the snooze, re-plan and say when the next reminder comes."""
    if milestone.due_on is None:  # due after an event still to come: it has no reminders to hold yet
        raise UserError("err.after_snooze", example=grammar.example_for("snooze", ctx.lang), title=milestone.title,
                        due=anchors.due_words(ctx.session, milestone, ctx.lang))
    if until <= ctx.today:
        raise UserError("err.snooze_past", example=grammar.example_for("snooze", ctx.lang),
                        date=format_date(until, ctx.lang))
    lifecycle.snooze(lifecycle.Actor.of(ctx), milestone, contract, until)
    reply = Reply(title=ctx.t("ok.snoozed", number=contract.number, title=milestone.title,
                              date=format_date(until, ctx.lang)), lang=ctx.lang, milestone_id=milestone.id)
    reply.fields = [Field(ctx.t("label.due"), (anchors.due_words(ctx.session, milestone, ctx.lang),))]
    when = describe_upcoming(ctx.session, milestone=milestone, tenant=ctx.tenant, lang=ctx.lang)
    if when:
        reply.context.append(ctx.t("ok.next_reminders", when=when))
    status = ctx.t("status.snoozed_by", date=format_date(until, ctx.lang), who=ctx.who(), when=ctx.stamp())
    return [reply, *_followups(ctx, milestone, contract, status, clicked)]


def _followups(ctx: Ctx, milestone: Milestone, contract: Contract, status: str, clicked: str | None) -> list[Reply]:
    return followups(ctx.session, milestone, contract, ctx.tenant, today=ctx.today, lang=ctx.lang,
                     status_line=status, extra_refs=(clicked,) if clicked else ())


def reassign(ctx: Ctx, cmd: Reassign) -> list[Reply]:
    """Give a milestone to someone else."""
    ex = grammar.example_for("reassign", ctx.lang)
    contract = find_contract(ctx, cmd.number, ex)
    milestone = pick_open_milestone(ctx, contract, cmd.milestone, ex)
    require_actor(ctx, milestone, contract)
    return reassign_to(ctx, milestone, contract, resolve_assignee(ctx, cmd.owner))


def reassign_to(
    ctx: Ctx, milestone: Milestone, contract: Contract, owner: Person, clicked: str | None = None
) -> list[Reply]:
    """Change the owner, audit it and re-plan (the new owner's zone may differ)."""
    lifecycle.reassign(lifecycle.Actor.of(ctx), milestone, contract, owner.id)
    reply = Reply(title=ctx.t("ok.reassigned", number=contract.number, title=milestone.title), lang=ctx.lang,
                  milestone_id=milestone.id)
    reply.fields = [Field(ctx.t("label.owner"), (owner_span(person_ref(owner), ctx.lang),)),
                    Field(ctx.t("label.due"), (anchors.due_words(ctx.session, milestone, ctx.lang),))]
    name = at_text(owner.display_name or owner.handle or "?")
    status = ctx.t("status.reassigned_by", owner=name, who=ctx.who(), when=ctx.stamp())
    return [reply, *_followups(ctx, milestone, contract, status, clicked)]


def add_note(ctx: Ctx, cmd: AddNote) -> list[Reply]:
    """Attach a note to a milestone; the words before the note name the milestone."""
    ex = grammar.example_for("note", ctx.lang)
    contract = find_contract(ctx, cmd.number, ex)
    open_ms = open_milestones_of(ctx, contract)
    milestone, text = _split_note(open_ms, cmd.words)
    if milestone is None:
        milestone = pick_open_milestone(ctx, contract, "", ex)  # only one open milestone: the note is all text
        text = cmd.words
    require_actor(ctx, milestone, contract)
    return note_on(ctx, milestone, contract, text)


def _split_note(open_ms: list[Milestone], words: str) -> tuple[Milestone | None, str]:
    for sep in (":", "："):
        if sep in words:
            name, _, text = words.partition(sep)
            found = match_milestone(open_ms, name)
            if len(found) >= 1:
                return found[0], text.strip()
    parts = words.split()
    for i in range(len(parts) - 1, 0, -1):
        found = [m for m in match_milestone(open_ms, " ".join(parts[:i]))]
        exact = [m for m in found if m.title.lower() == " ".join(parts[:i]).lower()]
        if exact or len(found) == 1:
            return (exact or found)[0], " ".join(parts[i:])
    return None, words


def note_on(ctx: Ctx, milestone: Milestone, contract: Contract, text: str, clicked: str | None = None) -> list[Reply]:
    """Append a dated, signed note to a milestone."""
    text = text.strip()
    if not text:
        raise UserError("err.note_empty", example=grammar.example_for("note", ctx.lang))
    if len(text) > MAX_NOTE:
        raise UserError("err.note_long", example=grammar.example_for("note", ctx.lang), limit=MAX_NOTE)
    before = repo.snapshot(milestone, ("note",))
    who = ctx.person.display_name or ctx.person.handle or "?"
    line = f"{ctx.today.isoformat()} {who}: {text}"
    milestone.note = f"{milestone.note}\n{line}" if milestone.note else line
    milestone.updated_at = ctx.now
    ctx.session.add(milestone)
    _audit(ctx, "milestone.noted", milestone, before, ("note",))
    reply = Reply(title=ctx.t("ok.noted", number=contract.number, title=milestone.title), lang=ctx.lang,
                  milestone_id=milestone.id)
    reply.add(text)
    status = ctx.t("status.noted_by", who=ctx.who(), when=ctx.stamp())
    return [reply, *_followups(ctx, milestone, contract, status, clicked)]


def set_reminders(ctx: Ctx, cmd: SetReminders) -> list[Reply]:
    """Set the days-ahead reminder stages of one milestone, or of a whole contract."""
    require_writer(ctx)
    ex = grammar.example_for("remind", ctx.lang)
    contract = find_contract(ctx, cmd.number, ex)
    value = ",".join(str(o) for o in cmd.offsets)
    if cmd.milestone:
        milestone = pick_open_milestone(ctx, contract, cmd.milestone, ex)
        require_actor(ctx, milestone, contract)
        before = repo.snapshot(milestone, ("reminder_offsets",))
        milestone.reminder_offsets = value
        ctx.session.add(milestone)
        _audit(ctx, "milestone.reminders_set", milestone, before, ("reminder_offsets",))
        targets = [milestone]
        scope = f"{contract.number} {milestone.title}"
    else:
        require_contract_owner(ctx, contract)
        before = repo.snapshot(contract, ("reminder_offsets",))
        contract.reminder_offsets = value
        ctx.session.add(contract)
        repo.audit(ctx.session, tenant_id=ctx.tenant_id, actor_id=ctx.person.id, action="contract.reminders_set",
                   entity="contract", entity_id=contract.id, contract_id=contract.id, before=before,
                   after=repo.snapshot(contract, ("reminder_offsets",)))
        targets = open_milestones_of(ctx, contract)
        scope = contract.number
    for m in targets:
        _replan(ctx, m, contract)
    reply = Reply(title=ctx.t("ok.reminders_set", scope=scope, offsets=value), lang=ctx.lang)
    if len(targets) == 1:
        when = describe_upcoming(ctx.session, milestone=targets[0], tenant=ctx.tenant, lang=ctx.lang)
        if when:
            reply.context.append(ctx.t("ok.next_reminders", when=when))
    return [reply]
