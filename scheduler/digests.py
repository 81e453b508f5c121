"""The digest pass: one digest per channel per local day, inside its sending window, never at night.

What goes out when (all times are the team's local wall-clock times):

- On the weekly digest's day (``Tenant.digest_day``, Monday = 0) the weekly digest is due at
  ``Tenant.digest_time``; it replaces that day's daily digest. With ``digest_day`` None there is no weekly
  digest and the daily one goes out every day.
- On the other days the daily digest is due at the team's reminder time (``Tenant.reminder_time``).
- A digest is only sent inside its window: from its scheduled time to ``WINDOW`` (3 hours) later, cut to the
  day hours ``DAY_STARTS``-``NIGHT_STARTS`` (07:00-21:00). A digest scheduled at 05:00 goes out from 07:00 to
  08:00; one scheduled at 19:30 until 21:00; one scheduled at 22:00 never.
- A missed window is not made up: a process that was down, or started after the window closed (say at 21:07),
  skips that day's digest rather than post it late at night. The next day's digest comes as usual.

Settings accept a weekly digest time only from ``EARLIEST`` to ``LATEST`` (07:00-20:00), so its window is
never empty. A unique (team, channel, day) row is inserted before sending, so only one process sends each
digest, once; a rate-limited send gives its row back and a later pass in the same window retries.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from scheduler.metrics import RATE_LIMITED, SEND_FAILURES, SENDS
from scheduler.notify import Notifier, Outgoing, PermanentFailure, RateLimited, Target
from storage.db import transaction
from storage.models import Digest, Tenant

log = logging.getLogger(__name__)

DAY_STARTS = time(7, 0)  # no digest before this local time ...
NIGHT_STARTS = time(21, 0)  # ... nor from this one on
WINDOW = timedelta(hours=3)  # how long after its scheduled time a digest may still go out
EARLIEST, LATEST = time(7, 0), time(20, 0)  # the weekly digest times a team may choose (both included)


class DigestSource(Protocol):
    """Builds digests (the core implements it)."""

    def digest(self, session: Session, tenant: Tenant, channel: str, day: date, kind: str) -> Any | None: ...

    def channels(self, session: Session, tenant: Tenant, done_since: datetime | None = None) -> list[str]: ...


@dataclass(frozen=True)
class Slot:
    """The digest a team gets on one local day: which kind, at what local time."""

    day: date
    kind: str  # "daily" | "weekly"
    at: time


def clock_time(text: str) -> time:
    """Read a stored "HH:MM"."""
    hh, mm = (int(x) for x in text.split(":"))
    return time(hh, mm)


def send_window(at: time) -> tuple[time, time] | None:
    """The local times [start, end) a digest scheduled at ``at`` may go out; None when all of it is night."""
    end_dt = datetime.combine(date.min, at) + WINDOW
    end = NIGHT_STARTS if end_dt.date() > date.min else min(end_dt.time(), NIGHT_STARTS)
    start = max(at, DAY_STARTS)
    return (start, end) if start < end else None


def slot_of(tenant: Tenant, day: date) -> Slot:
    """The digest planned for a local day: the weekly one on its weekday, else the daily one."""
    if tenant.digest_day is not None and day.weekday() == tenant.digest_day:
        return Slot(day, "weekly", clock_time(tenant.digest_time))
    return Slot(day, "daily", clock_time(tenant.reminder_time))


def due_slot(tenant: Tenant, now: datetime) -> Slot | None:
    """Today's digest if ``now`` falls inside its sending window (team time), else None."""
    local = now.astimezone(ZoneInfo(tenant.timezone))
    slot = slot_of(tenant, local.date())
    window = send_window(slot.at)
    if window is None:
        return None
    start, end = window
    wall = local.time()  # naive wall-clock time
    return slot if start <= wall < end else None


def run_digests(engine: Engine, notifiers: Mapping[str, Notifier], source: DigestSource, now: datetime) -> int:
    """Send every digest that is due and not yet sent; return how many went out."""
    with Session(engine) as session:
        # a suspended team (the app was uninstalled there) gets no digest until it comes back
        tenants = [t for t in session.exec(select(Tenant).where(col(Tenant.suspended_at).is_(None))).all()
                   if t.platform in notifiers]
    sent = 0
    for tenant in tenants:
        slot = due_slot(tenant, now)
        if slot is None:
            continue
        day, kind = slot.day, slot.kind
        with Session(engine) as session:
            since = now - timedelta(days=7) if kind == "weekly" else None
            channels = source.channels(session, tenant, since)
        for channel in channels:
            sent += _send_one(engine, notifiers[tenant.platform], source, tenant, channel, day, kind)
    return sent


def _send_one(engine: Engine, notifier: Notifier, source: DigestSource, tenant: Tenant, channel: str, day: date,
              kind: str) -> int:
    try:
        with transaction(engine) as session:
            row = Digest(tenant_id=tenant.id or 0, channel=channel, day=day, kind=kind)
            session.add(row)
            session.flush()
            message = source.digest(session, tenant, channel, day, kind)
            if message is None:
                row.status = "empty"
                return 0
            digest_id = row.id
    except IntegrityError:
        return 0  # another process (or an earlier pass) has it
    try:
        ref = notifier.send(Outgoing(Target(tenant.platform, tenant.external_id, chat_id=channel), message))
        status = "sent"
        SENDS.labels(platform=tenant.platform, kind="digest").inc()
    except PermanentFailure as exc:
        SEND_FAILURES.labels(platform=tenant.platform, kind="digest").inc()
        log.warning("digest for %s/%s not sent: %s", tenant.external_id, channel, exc)
        ref, status = None, "failed"
    except Exception as exc:  # 429 or a network error: give the day's slot back so a later pass retries
        if isinstance(exc, RateLimited):
            RATE_LIMITED.labels(platform=tenant.platform).inc()
        else:
            SEND_FAILURES.labels(platform=tenant.platform, kind="digest").inc()
        log.warning("digest for %s/%s will be retried: %s", tenant.external_id, channel, exc)
        with transaction(engine) as session:
            stored = session.get(Digest, digest_id)
            if stored is not None:
                session.delete(stored)
        return 0
    with transaction(engine) as session:
        stored = session.get(Digest, digest_id)
        if stored is not None:
            stored.status, stored.message_ref = status, ref
            session.add(stored)
    return 1 if status == "sent" else 0
