"""The one door for a milestone's state: complete, reopen, cancel, waive, reschedule, reassign, snooze.

Each step snapshots the fields it changes, changes them, writes one audit event with before and after, and
re-plans the milestone's reminders. Use cases call these and never set status, due date or owner themselves,
so a forgotten re-plan or audit is not possible.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any

from sqlmodel import Session

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


def complete(actor: Actor, milestone: Milestone, contract: Contract, *, action: str = "milestone.done") -> None:
    """Done (by a person, or by payments that settled it: action="milestone.paid")."""
    _apply(actor, milestone, contract, action, {"status": MilestoneStatus.DONE, "done_by_id": actor.person_id,
                                                "done_at": actor.now})


def reopen(actor: Actor, milestone: Milestone, contract: Contract) -> None:
    """Open again (a payment that had settled it was reversed)."""
    _apply(actor, milestone, contract, "milestone.reopened",
           {"status": MilestoneStatus.OPEN, "done_by_id": None, "done_at": None})


def cancel(actor: Actor, milestone: Milestone, contract: Contract, *, reason: str = "") -> None:
    """Cancelled: it no longer counts and no longer reminds."""
    _apply(actor, milestone, contract, "milestone.cancelled", {"status": MilestoneStatus.CANCELLED},
           {"reason": reason} if reason else None)


def waive(actor: Actor, milestone: Milestone, contract: Contract, *, written_off: str, reason: str,
          note: str | None) -> None:
    """Closed without the money still owed on it; the amount and the reason are kept."""
    _apply(actor, milestone, contract, "milestone.waived",
           {"status": MilestoneStatus.WAIVED, "done_by_id": actor.person_id, "done_at": actor.now, "note": note},
           {"written_off": written_off, "reason": reason})


def reschedule(actor: Actor, milestone: Milestone, contract: Contract, due_on: date, *,
               action: str = "milestone.moved", extra: dict[str, Any] | None = None) -> None:
    """A new due date."""
    _apply(actor, milestone, contract, action, {"due_on": due_on}, extra)


def reassign(actor: Actor, milestone: Milestone, contract: Contract, owner_id: int | None) -> None:
    """A new owner (whose time zone may move the reminders)."""
    _apply(actor, milestone, contract, "milestone.reassigned", {"owner_id": owner_id})


def snooze(actor: Actor, milestone: Milestone, contract: Contract, until: date) -> None:
    """No reminders before ``until``."""
    _apply(actor, milestone, contract, "milestone.snoozed", {"snoozed_until": until})
