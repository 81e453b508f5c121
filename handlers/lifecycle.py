"""The one door for a milestone's state: complete, reopen, cancel, waive, reschedule, reassign, snooze.

Each step snapshots the fields it changes, changes them, writes one audit event with before and after, and
re-plans the milestone's reminders. Use cases call these and never set status, due date or owner themselves,
so a forgotten re-plan or audit is not possible.

Milestones due relative to an event (验收后30天) follow it here too, in the same transaction: completing (or
waiving) a milestone sets the due dates of those due after it, reopening it takes them back to waiting, and a
contract date that changes moves those due after it (``follow``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any

from sqlmodel import Session

from handlers import anchors
from scheduler import planner
from storage import repo
from storage.models import Contract, Milestone, MilestoneStatus, Tenant


@dataclass(frozen=True)
class Actor:
    """Who changes a milestone, in which team, when, inside which transaction."""

    session: Session
    tenant: Tenant
    person_id: int | None
    now: datetime

    @classmethod
    def of(cls, ctx: Any) -> Actor:
        """The actor of a command context (handlers.context.Ctx)."""
        return cls(ctx.session, ctx.tenant, ctx.person.id, ctx.now)


def _apply(actor: Actor, milestone: Milestone, contract: Contract, action: str, changes: dict[str, Any],
           extra: dict[str, Any] | None = None) -> None:
    before = repo.snapshot(milestone, tuple(changes))
    for name, value in changes.items():
        setattr(milestone, name, value.value if isinstance(value, Enum) else value)  # stored as plain text
    milestone.updated_at = actor.now
    actor.session.add(milestone)
    actor.session.flush()
    after = repo.snapshot(milestone, tuple(changes))
    repo.audit(actor.session, tenant_id=contract.tenant_id, actor_id=actor.person_id, action=action,
               entity="milestone", entity_id=milestone.id, contract_id=contract.id, before=before,
               after={**after, **(extra or {})})
    planner.replan(actor.session, milestone=milestone, contract=contract, tenant=actor.tenant, now=actor.now)


@dataclass(frozen=True)
class Followed:
    """A milestone whose due date followed its event: set or moved from ``before``, or back to waiting (None)."""

    milestone: Milestone
    before: date | None


def complete(actor: Actor, milestone: Milestone, contract: Contract, *,
             action: str = "milestone.done", at: datetime | None = None) -> list[Followed]:
    """Done (by a person, or by payments that settled it: action="milestone.paid"), now or at ``at`` (a day it was
    done that someone gives afterwards); those due after it get a date."""
    _apply(actor, milestone, contract, action, {"status": MilestoneStatus.DONE, "done_by_id": actor.person_id,
                                                "done_at": at or actor.now})
    return follow(actor, contract, anchor=milestone)


def reopen(actor: Actor, milestone: Milestone, contract: Contract) -> list[Followed]:
    """Open again (a payment that had settled it was reversed); those due after it wait for it again."""
    _apply(actor, milestone, contract, "milestone.reopened",
           {"status": MilestoneStatus.OPEN, "done_by_id": None, "done_at": None})
    return follow(actor, contract, anchor=milestone)


def cancel(actor: Actor, milestone: Milestone, contract: Contract, *, reason: str = "") -> None:
    """Cancelled: it no longer counts and no longer reminds."""
    _apply(actor, milestone, contract, "milestone.cancelled", {"status": MilestoneStatus.CANCELLED},
           {"reason": reason} if reason else None)


def waive(actor: Actor, milestone: Milestone, contract: Contract, *, written_off: str, reason: str,
          note: str | None) -> list[Followed]:
    """Closed without the money still owed on it; the amount and the reason are kept. It counts as having
    happened for those due after it."""
    _apply(actor, milestone, contract, "milestone.waived",
           {"status": MilestoneStatus.WAIVED, "done_by_id": actor.person_id, "done_at": actor.now, "note": note},
           {"written_off": written_off, "reason": reason})
    return follow(actor, contract, anchor=milestone)


def reschedule(actor: Actor, milestone: Milestone, contract: Contract, due_on: date, *,
               action: str = "milestone.moved", extra: dict[str, Any] | None = None) -> None:
    """A new due date; a date given outright replaces a rule it was due by (验收后30天)."""
    changes: dict[str, Any] = {"due_on": due_on}
    if anchors.is_relative(milestone):
        changes.update(after_id=None, after_event=None, after_count=None, after_unit=None)
    _apply(actor, milestone, contract, action, changes, extra)


def follow(actor: Actor, contract: Contract, *, anchor: Milestone | None = None) -> list[Followed]:
    """Bring the due dates of the open milestones that wait on an event in line with it.

    With ``anchor``: those due after that milestone (it was done, waived or reopened); without: those due after
    the contract's own dates (one of them changed). A date set or moved is audited like a reschedule, its
    reminders are planned, and its owner is told once (a notice in the reminders outbox) unless they did it
    themselves and read it in the reply. A date that is gone (the event was undone) takes the milestone back to
    waiting and cancels its reminders; the reply says so.
    """
    moved: list[Followed] = []
    for m in repo.dependents_of(actor.session, tenant_id=contract.tenant_id, contract_id=contract.id or 0,
                                anchor_id=anchor.id if anchor is not None else None):
        new = anchors.due_for(actor.session, actor.tenant, contract, m, anchor)
        if new == m.due_on:
            continue
        before = m.due_on
        day = anchors.event_day(actor.session, actor.tenant, contract, m, anchor)
        action = "milestone.due_set" if new is not None else "milestone.due_unset"
        _apply(actor, m, contract, action, {"due_on": new}, {"event_on": day.isoformat() if day else None})
        if new is not None and m.owner_id != actor.person_id:
            planner.plan_notice(actor.session, milestone=m, tenant=actor.tenant, now=actor.now)
        moved.append(Followed(m, before))
    return moved


def set_rule(actor: Actor, milestone: Milestone, contract: Contract, rule: anchors.Rule, *, example: str) -> None:
    """Due relative to an event from now on (an approved change): the rule, and the date it gives now (or none)."""
    changes = anchors.rule_changes(actor.session, actor.tenant, contract, milestone, rule, example=example)
    _apply(actor, milestone, contract, "milestone.changed", changes)


def reassign(actor: Actor, milestone: Milestone, contract: Contract, owner_id: int | None) -> None:
    """A new owner (whose time zone may move the reminders)."""
    _apply(actor, milestone, contract, "milestone.reassigned", {"owner_id": owner_id})


def snooze(actor: Actor, milestone: Milestone, contract: Contract, until: date) -> None:
    """No reminders before ``until``."""
    _apply(actor, milestone, contract, "milestone.snoozed", {"snoozed_until": until})
