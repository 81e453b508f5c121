"""The digest pass: once per channel per local day, at the team's reminder time; weekly on Mondays.

A unique (team, channel, day) row is inserted before sending, so only one process sends each digest.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from scheduler.notify import Notifier, Outgoing, PermanentFailure, Target
from storage.db import transaction
from storage.models import Digest, Tenant

log = logging.getLogger(__name__)


class DigestSource(Protocol):
    """Builds digests (the core implements it)."""

    def digest(self, session: Session, tenant: Tenant, channel: str, day: date, kind: str) -> Any | None: ...

    def channels(self, session: Session, tenant: Tenant, done_since: datetime | None = None) -> list[str]: ...


def due_today(tenant: Tenant, now: datetime) -> date | None:
    """The tenant's local day if its reminder time has passed, else None."""
    local = now.astimezone(ZoneInfo(tenant.timezone))
    hh, mm = (int(x) for x in tenant.reminder_time.split(":"))
    if (local.hour, local.minute) < (hh, mm):
        return None
    return local.date()


def run_digests(engine: Engine, notifiers: Mapping[str, Notifier], source: DigestSource, now: datetime) -> int:
    """Send every digest that is due and not yet sent; return how many went out."""
    with Session(engine) as session:
        tenants = [t for t in session.exec(select(Tenant)).all() if t.platform in notifiers]
    sent = 0
    for tenant in tenants:
        day = due_today(tenant, now)
        if day is None:
            continue
        kind = "weekly" if day.weekday() == 0 else "daily"
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
    except PermanentFailure as exc:
        log.warning("digest for %s/%s not sent: %s", tenant.external_id, channel, exc)
        ref, status = None, "failed"
    except Exception as exc:  # 429 or a network error: give the day's slot back so a later pass retries
        log.warning("digest for %s/%s will be retried: %s", tenant.external_id, channel, exc)
        with transaction(engine) as session:
            row = session.get(Digest, digest_id)
            if row is not None:
                session.delete(row)
        return 0
    with transaction(engine) as session:
        row = session.get(Digest, digest_id)
        if row is not None:
            row.status, row.message_ref = status, ref
            session.add(row)
    return 1 if status == "sent" else 0
