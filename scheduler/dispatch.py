"""The dispatch pass: claim due reminder rows, send them outside any transaction, record what happened.

- Claiming is atomic: PostgreSQL ``FOR UPDATE SKIP LOCKED`` with a lease, SQLite a compare-and-set update
  (SQLite serialises writers anyway). Several processes on one PostgreSQL never claim the same row.
- A claimed row whose process died goes back to pending when its lease runs out, so it is still sent.
- After downtime a milestone may have several due rows: only the latest is sent, the rest are skipped.
- 429: the row goes back to pending at Retry-After. A permanent error marks it failed and tells the owner.
- A team the platform no longer lets us reach (the Slack app was uninstalled) is suspended: its reminders are
  parked, neither sent nor failed nor retried, until the team comes back and they are planned again from then
  (``park_team`` / ``resume_team``; a notifier raises ``Parked`` for a reminder that reaches such a team).
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol, cast

from sqlalchemy import and_, or_, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from scheduler import planner
from scheduler.metrics import DISPATCH_DURATION, DISPATCH_PASSES, RATE_LIMITED, SEND_FAILURES, SENDS
from scheduler.notify import CannotDM, Notifier, Outgoing, Parked, PermanentFailure, RateLimited
from scheduler.platforms import traits
from scheduler.throttle import Throttle
from storage import repo
from storage.db import transaction
from storage.models import Contract, Milestone, Reminder, SentMessage, Tenant

log = logging.getLogger(__name__)

DEFAULT_LEASE = timedelta(minutes=5)


class Composer(Protocol):
    """Builds the messages of a reminder (the core implements it; the scheduler never renders text)."""

    def reminder(self, session: Session, reminder: Reminder, now: datetime) -> list[Outgoing] | None:
        """The messages for a due reminder, or None when its milestone no longer needs one."""
        ...

    def failure(self, session: Session, reminder: Reminder, error: str, now: datetime) -> list[Outgoing]:
        """A notice to the contract owner that a reminder could not be delivered."""
        ...


@dataclass
class PassResult:
    """What one pass did."""

    claimed: int = 0
    sent: int = 0
    skipped: int = 0
    cancelled: int = 0
    retried: int = 0
    failed: int = 0
    released: int = 0
    deferred: int = 0
    parked: int = 0
    previews: list[tuple[str, list[Outgoing]]] = field(default_factory=list)  # (stage, messages)


class Dispatcher:
    """Runs dispatch passes against one database with a set of platform notifiers."""

    def __init__(
        self,
        engine: Engine,
        *,
        notifiers: Mapping[str, Notifier],
        composer: Composer,
        lease: timedelta = DEFAULT_LEASE,
        batch: int = 500,
        worker: str | None = None,
        throttle: Throttle | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.engine = engine
        self.notifiers = notifiers
        self.composer = composer
        self.lease = lease
        self.batch = batch
        self.worker = worker or uuid.uuid4().hex[:12]
        self.throttle = throttle
        self.sleep = sleep

    # -- the pass -------------------------------------------------------------------------------------

    def run_pass(self, now: datetime) -> PassResult:
        """Claim everything due at ``now``, send it, and record the outcome."""
        started = time.perf_counter()
        result = self._run_pass(now)
        _log_pass(result, time.perf_counter() - started)
        return result

    def _run_pass(self, now: datetime) -> PassResult:
        result = PassResult()
        result.released = self.release_expired(now)
        # once per pass, before any claim: after downtime only each milestone's latest missed stage is left
        with transaction(self.engine) as session:
            result.skipped = skip_stale(session, now)
        while True:
            claimed = self.claim(now)
            result.claimed += len(claimed)
            for reminder_id in claimed:
                self._deliver(reminder_id, now, result)
            if len(claimed) < self.batch:
                break
        return result

    def preview(self, now: datetime) -> PassResult:
        """What a pass at ``now`` would send, without sending or changing anything."""
        result = PassResult()
        with Session(self.engine) as session:
            due = session.exec(
                select(Reminder)
                .where(col(Reminder.status).in_(("pending", "claimed")), col(Reminder.fire_at) <= now)
                .order_by(col(Reminder.fire_at))
            ).all()
            latest: dict[int, Reminder] = {}
            for r in due:
                latest[r.milestone_id] = r
            for r in latest.values():
                outs = self.composer.reminder(session, r, now)
                if outs:
                    result.previews.append((r.stage, outs))
            session.rollback()  # composing may create action keys; a preview keeps none
        return result

    # -- steps --------------------------------------------------------------------------------------------

    def release_expired(self, now: datetime) -> int:
        """Return rows whose claim lease ran out to pending (their process died)."""
        with transaction(self.engine) as session:
            res = session.exec(
                update(Reminder)
                .where(col(Reminder.status) == "claimed", col(Reminder.lease_until) < now)
                .values(status="pending", lease_until=None, claimed_by=None)
            )
            return int(res.rowcount or 0)

    def claim(self, now: datetime) -> list[int]:
        """Atomically take up to ``batch`` due rows for this worker; their ids, oldest first."""
        token = f"{self.worker}:{uuid.uuid4().hex[:8]}"
        with transaction(self.engine) as session:
            q = due_query(now, self.batch)
            if session.get_bind().dialect.name == "postgresql":
                q = q.with_for_update(skip_locked=True)
            ids = list(session.exec(q).all())
            if not ids:
                return []
            session.exec(
                update(Reminder)
                .where(col(Reminder.id).in_(ids), col(Reminder.status) == "pending")
                .values(status="claimed", claimed_by=token, lease_until=now + self.lease,
                        attempts=col(Reminder.attempts) + 1)
            )
            claimed = session.exec(
                select(Reminder.id)
                .where(col(Reminder.claimed_by) == token, col(Reminder.status) == "claimed")
                .order_by(col(Reminder.fire_at))
            ).all()
            return cast(list[int], list(claimed))  # primary keys of stored rows: never None

    def _deliver(self, reminder_id: int, now: datetime, result: PassResult) -> None:
        with transaction(self.engine) as session:
            reminder = session.get(Reminder, reminder_id)
            if reminder is None or reminder.status != "claimed":
                return
            outs = self.composer.reminder(session, reminder, now)
            delivered = set(filter(None, (reminder.sent_copies or "").split("\n")))
            if not outs:
                reminder.status = "cancelled"
                reminder.lease_until = None
                session.add(reminder)
                result.cancelled += 1
                return
        if self.throttle is not None:
            first = outs[0].target
            chat = first.chat_id or first.user_id or ""
            group = bool(first.chat_id and first.chat_id.startswith("-"))  # Telegram groups have negative ids
            wait = self.throttle.reserve(first.platform, chat, group=group)
            if wait is None:
                # this chat is at its limit: defer the reminder rather than block the whole pass
                delay = self.throttle.delay(first.platform, chat, group=group)
                self._reschedule(reminder_id, now + timedelta(seconds=max(1.0, delay)))
                result.deferred += 1
                return
            if wait > 0:
                self.sleep(wait)
        refs: list[str] = []
        editable: list[str] = []  # what a later "done by" may edit: not what went to people's mailboxes (e-mail)
        copies: list[str] = []  # the targets delivered now
        error: str | None = None
        retry_at: datetime | None = None  # a later copy must be tried again (the ones delivered are not)
        for i, out in enumerate(outs):  # network calls: no transaction is open here
            copy = copy_key(out)
            if copy in delivered:  # an earlier attempt delivered this copy
                continue
            try:
                refs.append(self._send(out))
                copies.append(copy)
                if not traits(out.target.platform).mailbox:
                    editable.append(refs[-1])
            except RateLimited as rl:
                if i == 0:
                    self._reschedule(reminder_id, now + timedelta(seconds=max(1.0, rl.retry_after)))
                    result.retried += 1
                    return
                log.warning("reminder %s: copy %d rate limited, tried again later", reminder_id, i)
                later = now + timedelta(seconds=max(1.0, rl.retry_after))
                retry_at = max(retry_at or later, later)
            except Parked as exc:
                if i == 0:
                    self._park(reminder_id, str(exc) or "team suspended")
                    result.parked += 1
                    return
                log.info("reminder %s: copy %d not sent, its team is suspended", reminder_id, i)
            except PermanentFailure as exc:
                if i == 0:
                    error = str(exc) or exc.__class__.__name__
                    break
                log.warning("reminder %s: copy %d failed: %s", reminder_id, i, exc)
            except Exception:  # a network hiccup the notifier did not classify: retry later, keep the pass going
                log.exception("reminder %s: copy %d failed unexpectedly", reminder_id, i)
                if i == 0:
                    self._reschedule(reminder_id, now + timedelta(seconds=60))
                    result.retried += 1
                    return
                retry_at = max(retry_at or now, now + timedelta(seconds=60))
        if error is not None:
            self._fail(reminder_id, error, now)
            result.failed += 1
            return
        if retry_at is not None:
            self._progress(reminder_id, refs, editable, delivered | set(copies), now, retry_at)
            result.retried += 1
            return
        self._record(reminder_id, refs, now, editable)
        result.sent += 1

    def _send(self, out: Outgoing, kind: str = "reminder") -> str:
        platform = out.target.platform
        try:
            ref = self._send_one(out)
        except RateLimited:
            RATE_LIMITED.labels(platform=platform).inc()
            raise
        except Parked:  # nothing was sent and nothing failed
            raise
        except Exception:
            SEND_FAILURES.labels(platform=platform, kind=kind).inc()
            raise
        SENDS.labels(platform=platform, kind=kind).inc()
        return ref

    def _send_one(self, out: Outgoing) -> str:
        notifier = self.notifiers.get(out.target.platform)
        if notifier is None:
            raise PermanentFailure(f"no notifier for platform {out.target.platform}")
        try:
            return notifier.send(out)
        except CannotDM:
            if out.fallback_chat_id is None:
                raise
            # the user never opened a private chat with the bot: post in the group with a mention instead
            fallback = Outgoing(target=type(out.target)(platform=out.target.platform,
                                                        tenant_key=out.target.tenant_key,
                                                        chat_id=out.fallback_chat_id),
                                message=out.message)
            return notifier.send(fallback)

    def _reschedule(self, reminder_id: int, at: datetime) -> None:
        with transaction(self.engine) as session:
            reminder = session.get(Reminder, reminder_id)
            if reminder is not None:
                reminder.status, reminder.fire_at, reminder.lease_until = "pending", at, None
                reminder.claimed_by = None
                session.add(reminder)

    def _progress(self, reminder_id: int, refs: list[str], editable: list[str], delivered: set[str], now: datetime,
                  retry_at: datetime) -> None:
        """Some copies went out and one must be tried again: keep what went out, try the rest at ``retry_at``."""
        with transaction(self.engine) as session:
            reminder = session.get(Reminder, reminder_id)
            if reminder is None:
                return
            reminder.status, reminder.fire_at, reminder.lease_until, reminder.claimed_by = "pending", retry_at, None, None
            reminder.sent_copies = "\n".join(sorted(delivered))
            reminder.message_ref = reminder.message_ref or (refs[0][:255] if refs else None)
            session.add(reminder)
            for ref in editable:
                session.add(SentMessage(tenant_id=reminder.tenant_id, milestone_id=reminder.milestone_id,
                                        reminder_id=reminder.id, ref=ref[:255], created_at=now))

    def _park(self, reminder_id: int, reason: str) -> None:
        with transaction(self.engine) as session:
            reminder = session.get(Reminder, reminder_id)
            if reminder is not None:
                reminder.status, reminder.lease_until, reminder.claimed_by = "parked", None, None
                reminder.last_error = reason[:2000]
                session.add(reminder)

    def _record(self, reminder_id: int, refs: list[str], now: datetime, editable: list[str] | None = None) -> None:
        with transaction(self.engine) as session:
            reminder = session.get(Reminder, reminder_id)
            if reminder is None:
                return
            reminder.status, reminder.sent_at, reminder.lease_until = "sent", now, None
            reminder.message_ref = reminder.message_ref or (refs[0][:255] if refs else None)
            session.add(reminder)
            for ref in refs if editable is None else editable:
                session.add(SentMessage(tenant_id=reminder.tenant_id, milestone_id=reminder.milestone_id,
                                        reminder_id=reminder.id, ref=ref[:255], created_at=now))
            _replan_after_send(session, reminder, now)

    def _fail(self, reminder_id: int, error: str, now: datetime) -> None:
        with transaction(self.engine) as session:
            reminder = session.get(Reminder, reminder_id)
            if reminder is None:
                return
            reminder.status, reminder.last_error, reminder.lease_until = "failed", error[:2000], None
            session.add(reminder)
            notices = self.composer.failure(session, reminder, error, now)
            _replan_after_send(session, reminder, now)
        for out in notices:
            try:
                self._send(out, "notice")
            except (RateLimited, PermanentFailure) as exc:
                log.error("could not tell the owner that reminder %s failed: %s", reminder_id, exc)


def copy_key(out: Outgoing) -> str:
    """One copy of a reminder, by where it goes (a retry recomposes the copies and skips the ones delivered)."""
    target = out.target
    return f"{target.platform}|{target.chat_id or ''}|{target.user_id or ''}|{'dm' if target.dm else ''}"


def _log_pass(result: PassResult, seconds: float) -> None:
    """One INFO line per pass, an idle one too (every 30 s by default: it shows the dispatcher is alive)."""
    DISPATCH_PASSES.inc()
    DISPATCH_DURATION.observe(seconds)
    log.info("dispatch pass", extra={
        "event": "dispatch", "sent": result.sent, "failed": result.failed, "retried": result.retried,
        "deferred": result.deferred, "skipped": result.skipped, "cancelled": result.cancelled, "parked": result.parked,
        "released": result.released, "duration_ms": round(seconds * 1000, 1)})


def due_query(now: datetime, limit: int):  # type: ignore[no-untyped-def]
    """The ids a pass claims: pending and due, oldest first (a plain range scan of ix_reminder_status_fire).

    Stale rows were already swept at the start of the pass (skip_stale), and every process sweeps before it
    claims, so no process can claim a stage that a later one of the same milestone has overtaken.
    """
    return (
        select(Reminder.id)
        .where(col(Reminder.status) == "pending", col(Reminder.fire_at) <= now)
        .order_by(col(Reminder.fire_at))
        .limit(limit)
    )


def _has_later_sibling(now: datetime):  # type: ignore[no-untyped-def]
    """EXISTS a later due row of the same milestone (pending, claimed or sent): this row is stale."""
    later = aliased(Reminder)
    return (
        select(later.id)
        .where(col(later.milestone_id) == col(Reminder.milestone_id), col(later.fire_at) <= now,
               col(later.status).in_(("pending", "claimed", "sent")),
               or_(col(later.fire_at) > col(Reminder.fire_at),
                   and_(col(later.fire_at) == col(Reminder.fire_at), col(later.id) > col(Reminder.id))))
        .exists()
    )


def skip_stale(session: Session, now: datetime) -> int:
    """Mark due rows that have a later due sibling of the same milestone as skipped; return how many.

    No burst after downtime, across batches and processes: only the latest missed stage goes out.
    """
    res = session.exec(
        update(Reminder)
        .where(col(Reminder.status) == "pending", col(Reminder.fire_at) <= now, _has_later_sibling(now))
        .values(status="skipped", lease_until=None)
        .execution_options(synchronize_session=False)
    )
    return int(res.rowcount or 0)


def _replan_after_send(session: Session, reminder: Reminder, now: datetime) -> None:
    """Plan the next stage (e.g. the next overdue ping) now that this one is done with."""
    milestone = session.get(Milestone, reminder.milestone_id)
    if milestone is None:
        return
    contract = session.get(Contract, milestone.contract_id)
    tenant = session.get(Tenant, milestone.tenant_id)
    if tenant is not None:
        planner.replan(session, milestone=milestone, contract=contract, tenant=tenant, now=now)


# -- teams that went away and came back ---------------------------------------------------------------------


def park_team(session: Session, *, tenant: Tenant, now: datetime, reason: str) -> int:
    """Suspend a team the platform no longer lets us reach; its pending reminders are parked. Return how many.

    In the caller's transaction, audited. The team's contracts, milestones and sent history stay as they are.
    """
    if tenant.suspended_at is None:
        tenant.suspended_at = now
        session.add(tenant)
        repo.audit(session, tenant_id=tenant.id or 0, actor_id=None, action="tenant.suspended", entity="tenant",
                   entity_id=tenant.id, after={"reason": reason})
    res = session.exec(
        update(Reminder)
        .where(col(Reminder.tenant_id) == tenant.id, col(Reminder.status) == "pending")
        .values(status="parked", lease_until=None, claimed_by=None, last_error=reason[:2000])
        .execution_options(synchronize_session=False)
    )
    return int(res.rowcount or 0)


def resume_team(session: Session, *, tenant: Tenant, now: datetime) -> int:
    """Take a suspended team back: its reminders are planned again from ``now``; return how many are pending.

    What fell due while it was away is not sent late: each parked (or overdue pending) row is either planned
    again, when its stage is still ahead, or skipped. In the caller's transaction, audited. A team that is not
    suspended is left alone (0).
    """
    if tenant.suspended_at is None:
        return 0
    held = set(session.exec(
        select(Reminder.id).where(
            col(Reminder.tenant_id) == tenant.id,
            or_(col(Reminder.status) == "parked",
                and_(col(Reminder.status) == "pending", col(Reminder.fire_at) <= now)))
    ).all())
    if held:
        # cancelled rows are what the planner revives when their stage is still wanted
        session.exec(update(Reminder).where(col(Reminder.id).in_(held))
                     .values(status="cancelled", lease_until=None, claimed_by=None, last_error=None)
                     .execution_options(synchronize_session=False))
    contracts = {c.id: c for c in session.exec(select(Contract).where(Contract.tenant_id == tenant.id)).all()}
    milestones = session.exec(
        select(Milestone).where(Milestone.tenant_id == tenant.id, Milestone.status == "open",
                                col(Milestone.due_on).is_not(None))
    ).all()
    for milestone in milestones:
        planner.replan(session, milestone=milestone, contract=contracts.get(milestone.contract_id), tenant=tenant,
                       now=now)
    if held:
        session.exec(update(Reminder).where(col(Reminder.id).in_(held), col(Reminder.status) == "cancelled")
                     .values(status="skipped")
                     .execution_options(synchronize_session=False))
    away = tenant.suspended_at
    tenant.suspended_at = None
    session.add(tenant)
    repo.audit(session, tenant_id=tenant.id or 0, actor_id=None, action="tenant.resumed", entity="tenant",
               entity_id=tenant.id, before={"suspended_at": away.isoformat()})
    pending = session.exec(
        select(Reminder.id).where(col(Reminder.tenant_id) == tenant.id, col(Reminder.status) == "pending")
    ).all()
    return len(pending)
