"""Data access: typed functions with keyword-only arguments and an explicit session, always tenant-scoped."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Table, delete, func, insert, nulls_last, update
from sqlmodel import Session, SQLModel, col, select

from storage.models import (
    AuditEvent,
    Contract,
    ListCursor,
    Milestone,
    Payment,
    PaymentAllocation,
    PendingQuestion,
    Person,
    Tenant,
)
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
        person = session.exec(
            select(Person).where(Person.tenant_id == tenant_id, func.lower(Person.handle) == handle.lower())
        ).first()
        if person is None and "@" in handle:  # an address: the member who has it
            person = session.exec(
                select(Person).where(Person.tenant_id == tenant_id, func.lower(Person.email) == handle.lower())
            ).first()
        return person
    return None


def count_people(session: Session, *, tenant_id: int) -> int:
    """Count a team's known members."""
    return session.exec(select(func.count()).select_from(Person).where(Person.tenant_id == tenant_id)).one()


def get_contract(session: Session, *, tenant_id: int, number: str) -> Contract | None:
    """Find a contract by its number within one team (numbers are compared case-insensitively)."""
    # upper(number) is indexed (ix_contract_tenant_number_upper): one index probe, whatever the team's size
    return session.exec(
        select(Contract).where(Contract.tenant_id == tenant_id, func.upper(Contract.number) == number.upper())
    ).first()


def contract_numbers(session: Session, *, tenant_id: int) -> list[str]:
    """All contract numbers of a team."""
    return list(session.exec(select(Contract.number).where(Contract.tenant_id == tenant_id)).all())


# characters a mistyped contract number is most likely to differ by, besides its own
_NUMBER_CHARS = "0123456789-"


def similar_contract_numbers(session: Session, *, tenant_id: int, number: str, neighbours: int = 10) -> list[str]:
    """Numbers of the team that could be the one mistyped: one edit away, or next to it in sorted order.

    Index probes only, never a scan of the team: the numbers one deletion, transposition, substitution or
    insertion away (a digit, a dash or one of the typed characters), looked up in capitals in the unique
    (tenant_id, number) index; and the ``neighbours`` numbers just below and just above it in sorted order
    (those sharing its longest prefix) from the index on upper(number). The caller ranks them.
    """
    target = number.upper()
    key = func.upper(Contract.number)
    mine = Contract.tenant_id == tenant_id
    found: set[str] = set()
    if len(target) <= 32:  # a longer "number" is no typo of one; its neighbours are enough
        # number IN (…), not upper(number) IN (…): a few hundred probes of the unique index are what both
        # planners pick for the first, while SQLite, knowing only the average team, reads the whole team
        # (7 ms at 20k contracts, growing with the team) for the second
        found.update(session.exec(select(Contract.number).where(mine, col(Contract.number).in_(_one_edit(target))))
                     .all())
    found.update(session.exec(select(Contract.number).where(mine, key < target).order_by(key.desc())
                              .limit(neighbours)).all())
    found.update(session.exec(select(Contract.number).where(mine, key > target).order_by(key)
                              .limit(neighbours)).all())
    return sorted(found)


def _one_edit(word: str) -> list[str]:
    """Every string one edit away from ``word`` over its own characters, digits and the dash."""
    alphabet = sorted(set(_NUMBER_CHARS + word))
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    out = {a + b[1:] for a, b in splits if b}
    out |= {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    out |= {a + ch + b[1:] for a, b in splits if b for ch in alphabet}
    out |= {a + ch + b for a, b in splits for ch in alphabet}
    out.discard(word)
    return sorted(out)


def list_contracts(session: Session, *, tenant_id: int, statuses: Sequence[str] | None = None) -> list[Contract]:
    """A team's contracts, newest end date last."""
    q = select(Contract).where(Contract.tenant_id == tenant_id)
    if statuses:
        q = q.where(col(Contract.status).in_(statuses))
    return list(session.exec(q.order_by(col(Contract.number))).all())


def count_contracts(session: Session, *, tenant_id: int) -> int:
    """How many contracts a team has."""
    return session.exec(select(func.count()).select_from(Contract).where(Contract.tenant_id == tenant_id)).one()


def page_contracts(session: Session, *, tenant_id: int, offset: int, limit: int, today: date) -> list[Contract]:
    """One page of a team's contracts in the order of their end dates as seen from ``today``.

    First those ending today or later, soonest first; then those that ended before, latest first; then those
    without an end date, by number. Each part is one range of ix_contract_tenant_end_number read forwards or
    backwards, so no dialect's NULLS LAST is needed (SQLite puts NULLs first in an index, PostgreSQL last). The
    page's ids come from the index alone, skipping earlier pages there; a part is counted only when a page
    starts past it; then only the page's rows are loaded.
    """
    end_on, number, key = col(Contract.end_on), col(Contract.number), col(Contract.id)
    parts = (
        (end_on >= today, (end_on, number, key)),
        (end_on < today, (end_on.desc(), number.desc(), key.desc())),
        (end_on.is_(None), (number, key)),
    )
    ids: list[int] = []
    skip = offset
    for where, order in parts:
        if len(ids) == limit:
            break
        found = session.exec(
            select(key).where(Contract.tenant_id == tenant_id, where).order_by(*order)
            .offset(skip).limit(limit - len(ids))
        ).all()
        if not found and not ids and skip:  # the page starts past this part: skip all of it
            skip -= session.exec(
                select(func.count()).select_from(Contract).where(Contract.tenant_id == tenant_id, where)).one()
            continue
        ids.extend(i for i in found if i is not None)
        skip = 0
    rows = {c.id: c for c in session.exec(select(Contract).where(Contract.tenant_id == tenant_id, key.in_(ids)))}
    return [rows[i] for i in ids]


def next_open_milestones(session: Session, *, tenant_id: int, contract_ids: Sequence[int]) -> dict[int, Milestone]:
    """The earliest open milestone of each of the given contracts (those that have one)."""
    if not contract_ids:
        return {}
    rank = func.row_number().over(partition_by=col(Milestone.contract_id), order_by=_by_due()).label("rank")
    # driven by the contracts' ids, then each contract's milestones (ix_milestones_contract_id): the team is
    # named on the contracts only, so no planner without statistics is tempted to read the team's milestones
    inner = (
        select(col(Milestone.id).label("id"), rank)
        .join(Contract, col(Contract.id) == col(Milestone.contract_id))
        .where(Contract.tenant_id == tenant_id, col(Contract.id).in_(list(contract_ids)),
               Milestone.status == "open")
        .subquery()
    )
    rows = session.exec(
        select(Milestone).join(inner, inner.c.id == col(Milestone.id)).where(inner.c.rank == 1)
    ).all()
    return {m.contract_id: m for m in rows}


def _by_due(dated_only: bool = False) -> tuple[Any, ...]:
    """Due date, then as added; milestones still waiting for their event (no date yet) last.

    ``dated_only``: the rows are filtered on a due date, so none is NULL and the plain order (an index order on
    SQLite too, whose indexes put NULLs first) gives the same result.
    """
    due = col(Milestone.due_on)
    return (due if dated_only else nulls_last(due), col(Milestone.id))


def milestones_of(session: Session, *, tenant_id: int, contract_id: int) -> list[Milestone]:
    """A contract's milestones in due-date order (those still waiting for their event last)."""
    # the team is named on the contract (found by its key), the milestones come from ix_milestones_contract_id;
    # named on the milestones, SQLite without statistics reads the team's (tenant_id, due_on) index in due order
    # instead, 40 ms in a team of 20k contracts
    return list(
        session.exec(
            select(Milestone)
            .join(Contract, col(Contract.id) == col(Milestone.contract_id))
            .where(Contract.tenant_id == tenant_id, Contract.id == contract_id)
            .order_by(*_by_due())
        ).all()
    )


def _open_filter(
    tenant_id: int, owner_id: int | None, due_before: date | None, due_from: date | None
) -> list[Any]:
    """The conditions of "open milestones of a team", by owner and due-date range."""
    conds: list[Any] = [Milestone.tenant_id == tenant_id, Milestone.status == "open"]
    if owner_id is not None:
        conds.append(Milestone.owner_id == owner_id)
    if due_before is not None:
        conds.append(col(Milestone.due_on) < due_before)
    if due_from is not None:
        conds.append(col(Milestone.due_on) >= due_from)
    return conds


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
        .where(*_open_filter(tenant_id, owner_id, due_before, due_from))
    )
    rows = session.exec(q.order_by(*_by_due(due_before is not None or due_from is not None))).all()
    return [(m, c) for m, c in rows]


def count_open_milestones(
    session: Session,
    *,
    tenant_id: int,
    owner_id: int | None = None,
    due_before: date | None = None,
    due_from: date | None = None,
) -> int:
    """How many open milestones match (counted in the index, no row is loaded)."""
    return session.exec(
        select(func.count()).select_from(Milestone).where(*_open_filter(tenant_id, owner_id, due_before, due_from))
    ).one()


def page_open_milestones(
    session: Session,
    *,
    tenant_id: int,
    offset: int,
    limit: int,
    owner_id: int | None = None,
    due_before: date | None = None,
    due_from: date | None = None,
) -> list[tuple[Milestone, Contract]]:
    """One page of open milestones with their contracts, by due date (then as they were added).

    The page's ids are read in the order of the index on (tenant, [owner,] status, due date), skipping the
    earlier pages inside the index; only the page's own rows are then loaded and joined to their contracts.
    """
    order = _by_due(due_before is not None or due_from is not None)
    ids = (
        select(col(Milestone.id).label("id"))
        .where(*_open_filter(tenant_id, owner_id, due_before, due_from))
        .order_by(*order).offset(offset).limit(limit)
        .subquery()
    )
    q = (
        select(Milestone, Contract)
        .join(ids, ids.c.id == col(Milestone.id))
        .join(Contract, col(Contract.id) == col(Milestone.contract_id))
        .where(Contract.tenant_id == tenant_id)
        .order_by(*order)
    )
    return [(m, c) for m, c in session.exec(q).all()]


def get_list_cursor(session: Session, *, tenant_id: int, chat_id: str, person_id: int) -> ListCursor | None:
    """The list someone last asked for in a chat, or None."""
    return session.exec(
        select(ListCursor).where(ListCursor.tenant_id == tenant_id, ListCursor.chat_id == chat_id,
                                 ListCursor.person_id == person_id)
    ).first()


def put_list_cursor(
    session: Session, *, tenant_id: int, chat_id: str, person_id: int, scope: str, page: int, now: datetime
) -> None:
    """Remember the list and page someone is looking at in a chat (one row per person per chat)."""
    cursor = get_list_cursor(session, tenant_id=tenant_id, chat_id=chat_id, person_id=person_id)
    if cursor is None:
        cursor = ListCursor(tenant_id=tenant_id, chat_id=chat_id, person_id=person_id, scope=scope, page=page)
    cursor.scope, cursor.page, cursor.updated_at = scope, page, now.astimezone(UTC)
    session.add(cursor)


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
        insert_many(session.connection(), AuditEvent.__table__, rows[i:i + 5000])  # type: ignore[attr-defined]


def insert_many(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """``conn.execute(insert(table), rows)`` for many rows with the same keys, several times faster: each distinct
    date or time is converted for the database once (an import's rows share a few of them), not once per row."""
    if not rows:
        return
    dialect = conn.dialect
    keys = list(rows[0])
    compiled = insert(table).compile(dialect=dialect, column_keys=keys)
    names = list(compiled.positiontup or ()) if dialect.positional else list(compiled.binds)
    if set(names) != set(keys) or compiled.escaped_bind_names:  # defaults to fill in, odd names: the usual way
        conn.execute(insert(table), rows)
        return
    steps: list[tuple[str, Any, dict[Any, Any] | None]] = []
    for name in names:
        process = table.c[name].type._cached_bind_processor(dialect)
        steps.append((name, process, {} if process is not None else None))

    def value(row: dict[str, Any], name: str, process: Any, memo: dict[Any, Any] | None) -> Any:
        v = row[name]
        if process is None or v is None:
            return v
        if type(v) is datetime or type(v) is date:
            if v not in memo:  # type: ignore[operator]
                memo[v] = process(v)  # type: ignore[index]
            return memo[v]  # type: ignore[index]
        return process(v)

    if dialect.name == "postgresql" and dialect.driver == "psycopg":
        # COPY: the server takes the rows as one stream instead of one INSERT each (most of the time of a big
        # import on PostgreSQL went to those statements); same transaction, same defaults and constraints
        quote = dialect.identifier_preparer.quote
        sql = f"COPY {quote(table.name)} ({', '.join(quote(n) for n in names)}) FROM STDIN"
        driver = conn.connection.driver_connection
        with driver.cursor() as cursor, cursor.copy(sql) as copy:  # type: ignore[union-attr]
            for r in rows:
                copy.write_row(tuple(value(r, n, p, m) for n, p, m in steps))
        return
    if dialect.positional:
        params: list[Any] = [tuple(value(r, n, p, m) for n, p, m in steps) for r in rows]
    else:
        params = [{n: value(r, n, p, m) for n, p, m in steps} for r in rows]
    conn.exec_driver_sql(str(compiled), params)


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
        .join(Contract, col(Contract.id) == col(Payment.contract_id))
        .where(*_payments_of(tenant_id, contract_id))
        .group_by(col(PaymentAllocation.milestone_id))
    ).all()
    return {mid: Decimal(total) for mid, total in rows}


def paid_for_milestones(session: Session, *, tenant_id: int, milestone_ids: Sequence[int]) -> dict[int, Decimal]:
    """Money received per milestone for the given milestones (reversed payments excluded)."""
    if not milestone_ids:
        return {}
    # driven by the milestones' own ids (the team is named on them), then their allocations and payments by key:
    # a planner without statistics is never tempted to read the team's payments instead
    rows = session.exec(
        select(PaymentAllocation.milestone_id, func.sum(PaymentAllocation.amount))
        .join(Milestone, col(Milestone.id) == col(PaymentAllocation.milestone_id))
        .join(Payment, col(Payment.id) == col(PaymentAllocation.payment_id))
        .where(Milestone.tenant_id == tenant_id, col(Milestone.id).in_(list(milestone_ids)),
               col(Payment.reversed_at).is_(None))
        .group_by(col(PaymentAllocation.milestone_id))
    ).all()
    return {mid: Decimal(total) for mid, total in rows}


def dependents_of(session: Session, *, tenant_id: int, contract_id: int, anchor_id: int | None = None
                  ) -> list[Milestone]:
    """A contract's open milestones due relative to an event: after ``anchor_id``, else after its own dates."""
    event = col(Milestone.after_id) == anchor_id if anchor_id is not None else col(Milestone.after_event).is_not(None)
    return list(session.exec(
        select(Milestone).where(Milestone.tenant_id == tenant_id, Milestone.contract_id == contract_id,
                                Milestone.status == "open", event).order_by(col(Milestone.id))
    ).all())


def closing_payment_day(session: Session, *, tenant_id: int, milestone_id: int) -> date | None:
    """The day the money arrived that paid a milestone off (the standing payment that closed it), if any."""
    return session.exec(
        select(func.max(Payment.received_on))
        .join(PaymentAllocation, col(PaymentAllocation.payment_id) == col(Payment.id))
        .where(Payment.tenant_id == tenant_id, PaymentAllocation.milestone_id == milestone_id,
               col(PaymentAllocation.closed).is_(True), col(Payment.reversed_at).is_(None))
    ).one()


def received_total(session: Session, *, tenant_id: int, contract_id: int) -> Decimal:
    """Money received on a contract (reversed payments excluded)."""
    total = session.exec(
        select(func.sum(Payment.amount)).join(Contract, col(Contract.id) == col(Payment.contract_id))
        .where(*_payments_of(tenant_id, contract_id))
    ).one()
    return Decimal(total or 0)


def _payments_of(tenant_id: int, contract_id: int) -> list[Any]:
    """The conditions of "a contract's payments, not reversed" (joined to the contract).

    The team is named on the contract, found by its key; its payments then come from ix_payments_contract_id.
    Named on the payments, the team's (tenant_id, received_on) index looks as good to SQLite without statistics,
    and reading a team's payments to find one contract's took 50 ms in a team of 20k contracts.
    """
    return [Contract.tenant_id == tenant_id, Contract.id == contract_id, col(Payment.reversed_at).is_(None)]


def mark_dm_ok(session: Session, *, platform: str, user_id: str) -> None:
    """Someone opened a private chat with the bot: they can now be DMed in every team of that platform."""
    session.exec(
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
    session.exec(
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
    session.exec(
        delete(PendingQuestion).where(
            col(PendingQuestion.tenant_id) == tenant_id,
            col(PendingQuestion.chat_id) == chat_id,
            col(PendingQuestion.person_id) == person_id,
        )
    )
