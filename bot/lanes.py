"""Workers for the inbox and the reply outbox: one asyncio task per chat, a bounded number of chats at once.

A ``LanePool`` looks for chats with claimable rows (``scheduler.inbox.LaneStore.heads``), starts a task per
chat, and that task claims and works the chat's rows one by one, oldest first, until none is left. So the
rows of a chat keep their order, and a slow chat (a big import, a group held by Telegram's flood limits)
never holds up the others. Writers call ``wake()`` after storing a row; a poll every second also picks up
rows stored by other processes, rows whose Retry-After has passed and rows whose lease ran out.

Shutdown (``stop``): no new rows are claimed; the rows in hand get until the deadline to finish; tasks still
running then are cancelled and their rows handed back untouched (pending), to be worked after the restart.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

from scheduler.inbox import LaneStore, NewReply, commit_replies

log = logging.getLogger(__name__)

# The inbox row being applied by the current task (handlers read it to mark the row applied with their replies).
CURRENT_ITEM: ContextVar[Any | None] = ContextVar("current_inbox_item", default=None)

PRUNE_EVERY = 3600.0  # seconds between clean-ups of old finished rows
KEEP_FINISHED = timedelta(days=7)  # finished rows kept this long, so a late redelivery is still recognised


def utcnow() -> datetime:
    """The current instant, aware, in UTC."""
    return datetime.now(UTC)


@dataclass(frozen=True)
class Outcome:
    """What became of a row: ``done`` (with fields to record), ``retry`` at a time, ``fail``, or ``release``."""

    kind: str
    at: datetime | None = None
    error: str = ""
    fields: dict[str, Any] = field(default_factory=dict)
    counted: bool = True  # a retry that counts towards the row's attempts (a 429 does not)


DONE = Outcome("done")


def done(**fields: Any) -> Outcome:
    """The row is finished; ``fields`` are recorded with it (e.g. the reference of a sent message)."""
    return Outcome("done", fields=fields)


def retry(after: float, error: str, *, counted: bool = True) -> Outcome:
    """Try the row again in ``after`` seconds (its chat waits for it: order is kept)."""
    return Outcome("retry", at=utcnow() + timedelta(seconds=max(0.0, after)), error=error, counted=counted)


def fail(error: str) -> Outcome:
    """Give the row up (logged, kept with its error)."""
    return Outcome("fail", error=error)


RELEASE = Outcome("release")  # hand the row back untouched: shutting down


def backoff(attempts: int) -> float:
    """Seconds before another try after an unexpected error: 1, 2, 4 ... at most 60."""
    return float(min(60, 2 ** max(0, attempts - 1)))


Apply = Callable[[Any], Awaitable[Outcome]]


class LanePool:
    """Works the rows of one LaneStore with ``apply``, per chat in order, up to ``concurrency`` chats at once."""

    def __init__(self, store: LaneStore, apply: Apply, *, concurrency: int = 8, poll: float = 1.0,
                 name: str = "lanes", mark_current: bool = False) -> None:
        self.store = store
        self.apply = apply
        self.concurrency = concurrency
        self.poll = poll
        self.name = name
        self.mark_current = mark_current
        self._lanes: dict[str, asyncio.Task[None]] = {}
        self._in_hand: dict[int, str] = {}  # row id -> chat
        self._wake = asyncio.Event()
        self._stopping = False
        self._runner: asyncio.Task[None] | None = None
        self._beat: asyncio.Task[None] | None = None
        self._last_prune = float("-inf")  # prune once at start, then every PRUNE_EVERY seconds

    @property
    def running(self) -> bool:
        """True between start() and stop()."""
        return self._runner is not None and not self._stopping

    def wake(self) -> None:
        """New rows were stored: look for work now rather than at the next poll."""
        self._wake.set()

    async def start(self) -> None:
        """Free leases a dead process left (SQLite), then start looking for work (unless concurrency is 0)."""
        if self.concurrency <= 0:
            log.info("%s: no workers in this process (concurrency 0): rows are stored, not applied", self.name)
            return
        freed = await asyncio.to_thread(self.store.release_stale)
        if freed:
            log.info("%s: %d row(s) left in hand by a previous run are pending again", self.name, freed)
        self._stopping = False
        self._runner = asyncio.create_task(self._run(), name=f"{self.name}-pool")
        self._beat = asyncio.create_task(self._heartbeat(), name=f"{self.name}-leases")

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while not self._stopping:
            self._wake.clear()
            try:
                free = self.concurrency - len(self._lanes)
                if free > 0:
                    chats = await asyncio.to_thread(self.store.heads, utcnow(), exclude=set(self._lanes), limit=free)
                    for chat in chats:
                        if self._stopping:
                            break
                        self._lanes[chat] = asyncio.create_task(self._lane(chat), name=f"{self.name}:{chat}")
                if loop.time() - self._last_prune > PRUNE_EVERY:
                    self._last_prune = loop.time()
                    pruned = await asyncio.to_thread(self.store.prune, utcnow() - KEEP_FINISHED)
                    if pruned:
                        log.info("%s: pruned %d finished row(s)", self.name, pruned)
            except Exception:  # the database is away for a moment: keep the loop alive, try again at the next poll
                log.exception("%s: could not look for work", self.name)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.poll)

    async def _lane(self, chat: str) -> None:
        try:
            while not self._stopping:
                row = await asyncio.to_thread(self.store.claim, chat, utcnow())
                if row is None:
                    return
                self._in_hand[row.id] = chat
                outcome = await self._apply(row)
                await asyncio.to_thread(self._record, row, outcome)
                del self._in_hand[row.id]  # not in a finally: a cancelled row stays listed for stop() to release
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("%s: lane %s stopped on an error; it is picked up again at the next poll", self.name, chat)
        finally:
            if self._lanes.get(chat) is asyncio.current_task():
                del self._lanes[chat]
            self._wake.set()

    async def _apply(self, row: Any) -> Outcome:
        token = CURRENT_ITEM.set(row) if self.mark_current else None
        try:
            return await self.apply(row)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.exception("%s: row %s of %s failed", self.name, row.id, row.chat_key)
            return retry(backoff(row.attempts), f"{type(exc).__name__}: {exc}")
        finally:
            if token is not None:
                CURRENT_ITEM.reset(token)

    def _record(self, row: Any, outcome: Outcome) -> None:
        if outcome.kind == "done":
            self.store.done(row.id, utcnow(), **outcome.fields)
        elif outcome.kind == "retry":
            self.store.retry(row.id, outcome.at or utcnow(), outcome.error, count=outcome.counted)
        elif outcome.kind == "fail":
            log.info("%s: row %s of %s given up: %s", self.name, row.id, row.chat_key, outcome.error)
            self.store.fail(row.id, outcome.error)
        else:
            self.store.release([row.id])

    async def _heartbeat(self) -> None:
        every = max(1.0, self.store.lease.total_seconds() / 3)
        while True:
            await asyncio.sleep(every)
            if self._in_hand:
                try:
                    await asyncio.to_thread(self.store.extend, list(self._in_hand), utcnow())
                except Exception:
                    log.exception("%s: could not extend leases", self.name)

    async def stop(self, grace: float = 10.0) -> None:
        """Claim nothing more, let the rows in hand finish for up to ``grace`` seconds, hand back the rest."""
        self._stopping = True
        self._wake.set()
        for task in (self._runner, self._beat):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        self._runner = self._beat = None
        lanes = list(self._lanes.values())
        if lanes:
            _, late = await asyncio.wait(lanes, timeout=max(0.0, grace))
            for task in late:
                task.cancel()
            if late:
                await asyncio.gather(*late, return_exceptions=True)
        left = list(self._in_hand)
        self._in_hand.clear()
        if left:
            try:
                await asyncio.to_thread(self.store.release, left)
            except Exception:  # the lease runs out instead
                log.exception("%s: could not hand back %d row(s)", self.name, len(left))
            log.warning("%s: %d row(s) not finished at shutdown stay pending for the next start", self.name, len(left))

    async def idle(self, timeout: float = 10.0) -> None:
        """Wait until no row can be worked on and no lane is running (tests; TimeoutError after ``timeout``)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            if not self._lanes and not await asyncio.to_thread(self.store.pending, utcnow()):
                return
            if loop.time() > deadline:
                raise TimeoutError(f"{self.name}: still busy after {timeout} s")
            self.wake()
            await asyncio.sleep(0.02)


async def store_replies(engine: Engine, rows: Sequence[NewReply], wake: Callable[[], None] | None = None) -> None:
    """Put a turn's replies in the outbox and mark the inbox row being applied (CURRENT_ITEM) as applied, in one
    transaction; then wake the outbox's workers."""
    item = CURRENT_ITEM.get()
    await asyncio.to_thread(commit_replies, engine, rows, inbox_id=item.id if item is not None else None, now=utcnow())
    if rows and wake is not None:
        wake()
