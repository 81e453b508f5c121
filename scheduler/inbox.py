"""The inbox and the reply outbox as lanes: a lane is one chat, its rows are applied in id order, lanes in parallel.

Claiming follows the dispatch pass (scheduler/dispatch.py): a row is taken with a lease by a compare-and-set
update, so several processes on one PostgreSQL never hold the same row, and a row whose process died is taken
again when its lease runs out. Only the oldest pending row of a chat can be claimed, and only while no one
holds it, so the rows of one chat are never applied out of order or two at a time, whichever process runs them.

SQLite serves one process (see DESIGN.md, section 4): there, leases left in the file were held by a process that
is gone, and ``release_stale`` frees them at start-up instead of waiting for them to run out.

Everything here is synchronous SQL; the asyncio workers around it live in bot/lanes.py.
"""

from __future__ import annotations

import itertools
import logging
import os
import socket
import uuid
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Table, case, func, insert, or_, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import SQLModel

from storage.models import InboxItem, OutboxMessage

log = logging.getLogger(__name__)

PENDING = "pending"
FAILED = "failed"
MAX_ERROR = 2000


def worker_name() -> str:
    """A name for this process's claims: host, pid and a random tail (short enough for a claim token too)."""
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


@dataclass(frozen=True)
class NewItem:
    """An update to store: where it came from, its id there, the chat that orders it, and its JSON."""

    platform: str
    source: str
    update_key: str
    chat_key: str
    payload: str


@dataclass(frozen=True)
class NewReply:
    """One platform call to store in the outbox (e.g. Telegram sendMessage and its parameters as JSON)."""

    platform: str
    chat_key: str
    method: str
    params: str
    data: bytes | None = None
    filename: str | None = None


def _table(model: type[SQLModel]) -> Table:
    table: Table = model.__table__  # type: ignore[attr-defined]  # set by SQLModel for table=True models
    return table


INBOX = _table(InboxItem)
OUTBOX = _table(OutboxMessage)


def record(engine: Engine, items: Sequence[NewItem], now: datetime) -> list[bool]:
    """Store updates in one transaction, before they are acknowledged; False for each one already stored."""
    if not items:
        return []
    with _writing(engine) as conn:
        return [_insert_once(conn, item, now) for item in items]


def _insert_once(conn: Connection, item: NewItem, now: datetime) -> bool:
    values = {"platform": item.platform, "source": item.source[:64], "update_key": item.update_key[:128],
              "chat_key": item.chat_key[:128], "payload": item.payload, "status": PENDING, "attempts": 0,
              "received_at": now}
    dialect = conn.dialect.name
    if dialect in ("sqlite", "postgresql"):
        dialect_insert: Callable[[Table], Any]  # both dialects' insert() build an INSERT with ON CONFLICT
        if dialect == "sqlite":
            from sqlalchemy.dialects.sqlite import insert as dialect_insert
        else:
            from sqlalchemy.dialects.postgresql import insert as dialect_insert
        stmt = (dialect_insert(INBOX).values(**values)
                .on_conflict_do_nothing(index_elements=["source", "update_key"]).returning(INBOX.c.id))
        return conn.execute(stmt).first() is not None  # (rowcount is -1 with RETURNING on psycopg)
    try:  # another database: a savepoint keeps the transaction usable after a duplicate
        with conn.begin_nested():
            conn.execute(insert(INBOX).values(**values))
    except IntegrityError:
        return False
    return True


def commit_replies(engine: Engine, replies: Sequence[NewReply], *, inbox_id: int | None, now: datetime) -> None:
    """Store the replies to an update and mark the update applied, in one transaction.

    This is the point after which a restart no longer applies the update again: its effects are in the
    database (the core's own transaction) and its replies are waiting in the outbox.
    """
    with _writing(engine) as conn:
        for reply in replies:
            conn.execute(insert(OUTBOX).values(
                platform=reply.platform, chat_key=reply.chat_key[:128], inbox_id=inbox_id, method=reply.method,
                params=reply.params, data=reply.data, filename=(reply.filename or None) and reply.filename[:255],
                status=PENDING, attempts=0, created_at=now))
        if inbox_id is not None:
            conn.execute(update(INBOX).where(INBOX.c.id == inbox_id, INBOX.c.status == PENDING)
                         .values(status="applied", applied_at=now, lease_until=None, last_error=None))


class LaneStore:
    """Claims and records the rows of one table (inbox or outbox) for one platform.

    ``done_status`` and ``done_at`` name how a finished row is recorded (applied/applied_at, sent/sent_at).
    """

    def __init__(self, engine: Engine, table: Table, *, platform: str, done_status: str, done_at: str,
                 lease: timedelta = timedelta(seconds=60), max_attempts: int = 5, worker: str | None = None) -> None:
        self.engine = engine
        self.table = table
        self.platform = platform
        self.done_status = done_status
        self.done_at = done_at
        self.lease = lease
        self.max_attempts = max_attempts
        self.worker = (worker or worker_name())[:48]
        self._claims = itertools.count(1)

    @classmethod
    def inbox(cls, engine: Engine, *, platform: str, **kw: Any) -> LaneStore:
        """The inbox of a platform: rows are applied."""
        return cls(engine, INBOX, platform=platform, done_status="applied", done_at="applied_at", **kw)

    @classmethod
    def outbox(cls, engine: Engine, *, platform: str, **kw: Any) -> LaneStore:
        """The reply outbox of a platform: rows are sent."""
        return cls(engine, OUTBOX, platform=platform, done_status="sent", done_at="sent_at", **kw)

    # -- which lanes have work ------------------------------------------------------------------------

    def _free(self, row: Any, now: datetime) -> Any:
        """Pending, not held by a live lease, not held back."""
        return (
            (row.c.status == PENDING)
            & or_(row.c.lease_until.is_(None), row.c.lease_until < now)
            & or_(row.c.not_before.is_(None), row.c.not_before <= now)
        )

    def heads(self, now: datetime, *, exclude: Collection[str] = (), limit: int = 8) -> list[str]:
        """Chats whose oldest pending row can be claimed now, oldest first (at most ``limit``, none of ``exclude``)."""
        t = self.table
        oldest = (
            select(t.c.chat_key, func.min(t.c.id).label("head"))
            .where(t.c.platform == self.platform, t.c.status == PENDING)
            .group_by(t.c.chat_key)
            .subquery()
        )
        q = (select(t.c.chat_key).join(oldest, t.c.id == oldest.c.head).where(self._free(t, now))
             .order_by(t.c.id).limit(limit + len(exclude)))
        with self.engine.connect() as conn:
            chats = [row[0] for row in conn.execute(q)]
        return [c for c in chats if c not in exclude][:limit]

    def pending(self, now: datetime) -> int:
        """Rows that could be worked on now (not held back by a Retry-After); 0 means this lane store is idle."""
        t = self.table
        q = select(func.count()).select_from(t).where(t.c.platform == self.platform, t.c.status == PENDING,
                                                      or_(t.c.not_before.is_(None), t.c.not_before <= now))
        with self.engine.connect() as conn:
            return int(conn.execute(q).scalar_one())

    # -- claim and record -----------------------------------------------------------------------------

    def claim(self, chat_key: str, now: datetime) -> Any | None:
        """Take the oldest pending row of a chat with a lease; None when it is held, held back, or there is none."""
        t = self.table
        other = t.alias("head")
        head = (select(func.min(other.c.id))
                .where(other.c.platform == self.platform, other.c.chat_key == chat_key, other.c.status == PENDING)
                .scalar_subquery())
        token = f"{self.worker}:{next(self._claims)}"
        with _writing(self.engine) as conn:
            claimed = conn.execute(
                update(t).where(t.c.id == head, self._free(t, now))
                .values(lease_until=now + self.lease, claimed_by=token, attempts=t.c.attempts + 1)
            ).rowcount
            if not claimed:
                return None
            return conn.execute(select(t).where(t.c.claimed_by == token, t.c.status == PENDING)).first()

    def done(self, row_id: int, now: datetime, **fields: Any) -> None:
        """Record a row as applied / sent (a no-op when the work already recorded it)."""
        t = self.table
        with _writing(self.engine) as conn:
            conn.execute(update(t).where(t.c.id == row_id, t.c.status == PENDING).values(
                status=self.done_status, lease_until=None, last_error=None, **{self.done_at: now}, **fields))

    def retry(self, row_id: int, at: datetime, error: str, *, count: bool = True) -> bool:
        """Put a row back until ``at``; it fails for good after ``max_attempts`` counted attempts. True if kept."""
        t = self.table
        with _writing(self.engine) as conn:
            attempts = conn.execute(select(t.c.attempts).where(t.c.id == row_id)).scalar()
            if attempts is None:
                return False
            give_up = count and attempts >= self.max_attempts
            values: dict[str, Any] = {"lease_until": None, "claimed_by": None, "last_error": error[:MAX_ERROR]}
            if give_up:
                values["status"] = FAILED
            else:
                values["not_before"] = at
                if not count:
                    values["attempts"] = t.c.attempts - 1
            conn.execute(update(t).where(t.c.id == row_id, t.c.status == PENDING).values(**values))
        if give_up:
            log.error("%s row %s failed after %d attempts: %s", t.name, row_id, attempts, error)
        return not give_up

    def fail(self, row_id: int, error: str) -> None:
        """Give a row up for good."""
        t = self.table
        with _writing(self.engine) as conn:
            conn.execute(update(t).where(t.c.id == row_id, t.c.status == PENDING).values(
                status=FAILED, lease_until=None, last_error=error[:MAX_ERROR]))

    def release(self, row_ids: Collection[int]) -> int:
        """Hand rows back untouched (shutdown): pending, no lease, the interrupted attempt not counted."""
        if not row_ids:
            return 0
        t = self.table
        with _writing(self.engine) as conn:
            return int(conn.execute(
                update(t).where(t.c.id.in_(list(row_ids)), t.c.status == PENDING)
                .values(lease_until=None, claimed_by=None,
                        attempts=case((t.c.attempts > 0, t.c.attempts - 1), else_=0))
            ).rowcount or 0)

    def extend(self, row_ids: Collection[int], now: datetime) -> None:
        """Keep the leases of rows still being worked on."""
        if not row_ids:
            return
        t = self.table
        with _writing(self.engine) as conn:
            conn.execute(update(t).where(t.c.id.in_(list(row_ids)), t.c.status == PENDING,
                                         t.c.claimed_by.like(f"{self.worker}:%"))
                         .values(lease_until=now + self.lease))

    def release_stale(self) -> int:
        """SQLite (one process): free the leases a dead process left, so its rows are applied now, not later."""
        if self.engine.dialect.name != "sqlite":
            return 0
        t = self.table
        with _writing(self.engine) as conn:
            return int(conn.execute(
                update(t).where(t.c.platform == self.platform, t.c.status == PENDING, t.c.lease_until.is_not(None))
                .values(lease_until=None, claimed_by=None)
            ).rowcount or 0)

    def prune(self, before: datetime) -> int:
        """Delete finished rows stored before ``before`` (kept until then to recognise redeliveries)."""
        t = self.table
        stored = t.c.received_at if "received_at" in t.c else t.c.created_at
        with _writing(self.engine) as conn:
            return int(conn.execute(
                t.delete().where(t.c.platform == self.platform, t.c.status.in_((self.done_status, FAILED)),
                                 stored < before)
            ).rowcount or 0)


@contextmanager
def _writing(engine: Engine) -> Iterator[Connection]:
    """A write transaction; on SQLite it takes the write lock at BEGIN (see storage.db.transaction)."""
    with engine.execution_options(sqlite_immediate=True).begin() as conn:
        yield conn
