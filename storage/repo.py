"""Data access: typed functions with keyword-only arguments and an explicit session, always tenant-scoped."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, func, insert, update
from sqlmodel import Session, SQLModel, col, select

from storage.models import AuditEvent, Contract, Milestone, Payment, PaymentAllocation, PendingQuestion, Person, Tenant
from storage.types import utcnow


def get_tenant(session: Session, *, platform: str, external_id: str) -> Tenant | None:
    """Find a team by its platform key."""
    return session.exec(
        select(Tenant).where(Tenant.platform == platform, Tenant.external_id == external_id)
    ).first()


def ensure_tenant(session: Session, *, platform: str, external_id: str, **defaults: Any) -> Tenant:
    """Find a team by its platform key, creating it with the given defaults on first contact."""
    tenant = get_tenant(session, platform=platform, external_id=external_id)
    if tenant is None:
        tenant = Tenant(platform=platform, external_id=external_id, **defaults)
        session.add(tenant)
        session.flush()
    return tenant


def find_person(
    session: Session, *, tenant_id: int, user_id: str | None = None, handle: str | None = None
) -> Person | None:
    """Find a team member by platform user id, else by @handle (case-insensitive)."""
    if user_id:
        person = session.exec(
            select(Person).where(Person.tenant_id == tenant_id, Person.platform_user_id == user_id)
        ).first()
        if person is not None:
            return person
    if handle:
        return session.exec(
            select(Person).where(Person.tenant_id == tenant_id, func.lower(Person.handle) == handle.lower())
        ).first()
    return None


def count_people(session: Session, *, tenant_id: int) -> int:
    """Count a team's known members."""
    return session.exec(select(func.count()).select_from(Person).where(Person.tenant_id == tenant_id)).one()


def get_contract(session: Session, *, tenant_id: int, number: str) -> Contract | None:
    """Find a contract by its number within one team (numbers are compared case-insensitively)."""
    return session.exec(
        select(Contract).where(Contract.tenant_id == tenant_id, func.upper(Contract.number) == number.upper())
    ).first()


def contract_numbers(session: Session, *, tenant_id: int) -> list[str]:
    """All contract numbers of a team."""
    return list(session.exec(select(Contract.number).where(Contract.tenant_id == tenant_id)).all())


def list_contracts(session: Session, *, tenant_id: int, statuses: Sequence[str] | None = None) -> list[Contract]:
    """A team's contracts, newest end date last."""
    q = select(Contract).where(Contract.tenant_id == tenant_id)
    if statuses:
        q = q.where(col(Contract.status).in_(statuses))
    return list(session.exec(q.order_by(col(Contract.number))).all())


def milestones_of(session: Session, *, tenant_id: int, contract_id: int) -> list[Milestone]:
    """A contract's milestones in due-date order."""
    return list(
        session.exec(
            select(Milestone)
            .where(Milestone.tenant_id == tenant_id, Milestone.contract_id == contract_id)
            .order_by(col(Milestone.due_on), col(Milestone.id))
        ).all()
    )


def open_milestones(
    session: Session,
    *,
    tenant_id: int,
    owner_id: int | None = None,
    due_before: date | None = None,
    due_from: date | None = None,
) -> list[tuple[Milestone, Contract]]:
    """Open milestones of a team with their contracts, filtered by owner and due-date range."""
    q = (
        select(Milestone, Contract)
        .join(Contract, col(Contract.id) == col(Milestone.contract_id))
        .where(Milestone.tenant_id == tenant_id, Milestone.status == "open")
    )
    if owner_id is not None:
        q = q.where(Milestone.owner_id == owner_id)
    if due_before is not None:
        q = q.where(col(Milestone.due_on) < due_before)
    if due_from is not None:
        q = q.where(col(Milestone.due_on) >= due_from)
    rows = session.exec(q.order_by(col(Milestone.due_on), col(Milestone.id))).all()
    return [(m, c) for m, c in rows]


def people_by_id(session: Session, *, ids: set[int]) -> dict[int, Person]:
    """Load people by primary key."""
    if not ids:
        return {}
    return {p.id: p for p in session.exec(select(Person).where(col(Person.id).in_(ids))).all() if p.id}


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def snapshot(row: SQLModel, fields: Sequence[str] | None = None) -> dict[str, Any]:
    """The audit view of a row: its columns (or the named ones) as JSON-safe values."""
    data = row.model_dump()
    if fields is not None:
        data = {k: data.get(k) for k in fields}
    return {k: _jsonable(v) for k, v in data.items() if k not in ("created_at", "updated_at")}


def audit(
    session: Session,
    *,
    tenant_id: int,
    actor_id: int | None,
    action: str,
    entity: str,
    entity_id: int | None,
    contract_id: int | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    """Write one audit event in the caller's transaction."""
    event = AuditEvent(
        tenant_id=tenant_id,
        actor_id=actor_id,
        action=action,
        entity=entity,
        entity_id=entity_id,
        contract_id=contract_id,
        before=json.dumps(before, ensure_ascii=False, sort_keys=True) if before is not None else None,
        after=json.dumps(after, ensure_ascii=False, sort_keys=True) if after is not None else None,
        at=_COMMAND_TIME.get() or utcnow(),
    )
    session.add(event)
    return event


def audit_many(session: Session, events: list[dict[str, Any]]) -> None:
    """Write many audit events at once (an import): the same rows as ``audit``, in one Core insert."""
    if not events:
        return
    at = _COMMAND_TIME.get() or utcnow()
    rows = [{
        "tenant_id": e["tenant_id"], "actor_id": e.get("actor_id"), "action": e["action"], "entity": e["entity"],
        "entity_id": e.get("entity_id"), "contract_id": e.get("contract_id"),
        "before": json.dumps(e["before"], ensure_ascii=False, sort_keys=True) if e.get("before") is not None else None,
        "after": json.dumps(e["after"], ensure_ascii=False, sort_keys=True) if e.get("after") is not None else None,
        "at": at,
    } for e in events]
    for i in range(0, len(rows), 5000):
        session.connection().execute(insert(AuditEvent.__table__), rows[i:i + 5000])  # type: ignore[arg-type]


# The moment of the command being carried out: audit events carry it, so history agrees with the clock the
# command ran by (a console started with --now, a test clock), not with when the machine wrote the row.
_COMMAND_TIME: ContextVar[datetime | None] = ContextVar("command_time", default=None)


@contextmanager
def command_time(now: datetime) -> Iterator[None]:
    """Stamp the audit events written inside this block with ``now``."""
    token = _COMMAND_TIME.set(now)
    try:
        yield
    finally:
        _COMMAND_TIME.reset(token)


def audit_trail(session: Session, *, tenant_id: int, contract_id: int) -> list[AuditEvent]:
    """Every audit event of a contract, oldest first."""
    return list(
        session.exec(
            select(AuditEvent)
            .where(AuditEvent.tenant_id == tenant_id, AuditEvent.contract_id == contract_id)
            .order_by(col(AuditEvent.at), col(AuditEvent.id))
        ).all()
    )


def next_seq(session: Session, model: type[SQLModel], *, tenant_id: int) -> int:
    """The next per-team sequence number (CR-12, P-3) of a table with a ``seq`` column."""
    current = session.exec(
        select(func.max(model.seq)).where(model.tenant_id == tenant_id)  # type: ignore[attr-defined]
    ).one()
    return int(current or 0) + 1


def paid_by_milestone(session: Session, *, tenant_id: int, contract_id: int) -> dict[int, Decimal]:
    """Money received per milestone of a contract (reversed payments excluded)."""
    rows = session.exec(
        select(PaymentAllocation.milestone_id, func.sum(PaymentAllocation.amount))
        .join(Payment, col(Payment.id) == col(PaymentAllocation.payment_id))
        .where(Payment.tenant_id == tenant_id, Payment.contract_id == contract_id, col(Payment.reversed_at).is_(None))
        .group_by(PaymentAllocation.milestone_id)
    ).all()
    return {mid: Decimal(total) for mid, total in rows}


def paid_for_milestones(session: Session, *, tenant_id: int, milestone_ids: Sequence[int]) -> dict[int, Decimal]:
    """Money received per milestone for the given milestones (reversed payments excluded)."""
    if not milestone_ids:
        return {}
    rows = session.exec(
        select(PaymentAllocation.milestone_id, func.sum(PaymentAllocation.amount))
        .join(Payment, col(Payment.id) == col(PaymentAllocation.payment_id))
        .where(Payment.tenant_id == tenant_id, col(Payment.reversed_at).is_(None),
               col(PaymentAllocation.milestone_id).in_(list(milestone_ids)))
        .group_by(PaymentAllocation.milestone_id)
    ).all()
    return {mid: Decimal(total) for mid, total in rows}


def received_total(session: Session, *, tenant_id: int, contract_id: int) -> Decimal:
    """Money received on a contract (reversed payments excluded)."""
    total = session.exec(
        select(func.sum(Payment.amount)).where(
            Payment.tenant_id == tenant_id, Payment.contract_id == contract_id, col(Payment.reversed_at).is_(None)
        )
    ).one()
    return Decimal(total or 0)


def mark_dm_ok(session: Session, *, platform: str, user_id: str) -> None:
    """Someone opened a private chat with the bot: they can now be DMed in every team of that platform."""
    session.exec(  # type: ignore[call-overload]
        update(Person)
        .where(col(Person.platform_user_id) == user_id,
               col(Person.tenant_id).in_(select(Tenant.id).where(Tenant.platform == platform)))
        .values(can_dm=True)
    )


def release_handle(session: Session, *, tenant_id: int, handle: str, keep: int | None = None) -> None:
    """Take an @handle away from whoever else holds it (usernames get renamed and reused)."""
    holder = find_person(session, tenant_id=tenant_id, handle=handle)
    if holder is not None and holder.id != keep:
        holder.handle = None
        session.add(holder)
        session.flush()


def move_tenant(session: Session, *, tenant: Tenant, new_key: str) -> None:
    """Give a team a new platform key; contracts that posted to the old chat post to the new one."""
    old_key = tenant.external_id
    tenant.external_id = new_key
    if tenant.default_channel == old_key:
        tenant.default_channel = new_key
    session.add(tenant)
    session.exec(  # type: ignore[call-overload]
        update(Contract).where(col(Contract.tenant_id) == tenant.id, col(Contract.channel) == old_key)
        .values(channel=new_key)
    )


PENDING_KINDS = ("choose", "fill")


def put_pending(
    session: Session,
    *,
    tenant_id: int,
    chat_id: str,
    person_id: int,
    kind: str,
    payload: str,
    lang: str,
    now: datetime,
    ttl_seconds: int = 600,
) -> PendingQuestion:
    """Remember a question asked of someone in a chat, replacing any open one of theirs there."""
    if kind not in PENDING_KINDS:
        raise ValueError(f"unknown pending question kind: {kind!r}")
    drop_pending(session, tenant_id=tenant_id, chat_id=chat_id, person_id=person_id)
    now = now.astimezone(UTC)  # the row reads back in UTC; keep the object returned here the same
    question = PendingQuestion(
        tenant_id=tenant_id,
        chat_id=chat_id,
        person_id=person_id,
        kind=kind,
        payload=payload,
        lang=lang,
        created_at=now,
        expires_at=now + timedelta(seconds=ttl_seconds),
    )
    session.add(question)
    session.flush()
    return question


def get_pending(
    session: Session, *, tenant_id: int, chat_id: str, person_id: int, now: datetime
) -> PendingQuestion | None:
    """The open question someone has in a chat, or None; an expired one is deleted on the way."""
    question = session.exec(
        select(PendingQuestion).where(
            PendingQuestion.tenant_id == tenant_id,
            PendingQuestion.chat_id == chat_id,
            PendingQuestion.person_id == person_id,
        )
    ).first()
    if question is None:
        return None
    if question.expires_at <= now:
        session.delete(question)
        session.flush()
        return None
    return question


def drop_pending(session: Session, *, tenant_id: int, chat_id: str, person_id: int) -> None:
    """Forget someone's open question in a chat (answered, cancelled or replaced)."""
    session.exec(  # type: ignore[call-overload]
        delete(PendingQuestion).where(
            col(PendingQuestion.tenant_id) == tenant_id,
            col(PendingQuestion.chat_id) == chat_id,
            col(PendingQuestion.person_id) == person_id,
        )
    )
