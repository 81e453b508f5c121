"""Inbox lanes: stored once, one chat's rows one at a time in order, chats side by side, leases for crashes,
rows handed back untouched at shutdown, failures retried then given up."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.lanes import DONE, LanePool, Outcome
from scheduler.inbox import LaneStore, NewItem, record
from storage.models import InboxItem


def item(key: str, chat: str, platform: str = "test") -> NewItem:
    return NewItem(platform=platform, source=f"{platform}:bot", update_key=key, chat_key=chat, payload=f'"{key}"')


def now() -> datetime:
    return datetime.now(UTC)


def stored(engine: Engine) -> list[InboxItem]:
    with Session(engine) as s:
        return list(s.exec(select(InboxItem).order_by(InboxItem.id)).all())  # type: ignore[arg-type]


def test_an_update_is_stored_once_per_source(engine: Engine) -> None:
    assert record(engine, [item("1", "A"), item("2", "A")], now()) == [True, True]
    assert record(engine, [item("1", "A"), item("3", "B")], now()) == [False, True]  # a redelivery of 1
    other = NewItem(platform="test", source="test:other-bot", update_key="1", chat_key="A", payload="1")
    assert record(engine, [other], now()) == [True]  # update ids are per bot
    assert [r.update_key for r in stored(engine)] == ["1", "2", "3", "1"]


def test_only_the_oldest_row_of_a_chat_can_be_claimed_and_only_by_one_worker(engine: Engine) -> None:
    record(engine, [item("1", "A"), item("2", "A"), item("3", "B")], now())
    one = LaneStore.inbox(engine, platform="test", worker="one")
    two = LaneStore.inbox(engine, platform="test", worker="two")
    assert one.heads(now()) == ["A", "B"]
    first = one.claim("A", now())
    assert first is not None and first.update_key == "1"
    assert two.claim("A", now()) is None  # row 1 is held: row 2 must wait for it, whoever asks
    assert two.heads(now()) == ["B"]
    one.done(first.id, now())
    second = two.claim("A", now())
    assert second is not None and second.update_key == "2"


def test_a_lease_that_ran_out_is_claimed_again(engine: Engine) -> None:
    record(engine, [item("1", "A")], now())
    dead = LaneStore.inbox(engine, platform="test", worker="dead", lease=timedelta(seconds=30))
    assert dead.claim("A", now()) is not None  # its process dies here
    alive = LaneStore.inbox(engine, platform="test", worker="alive")
    assert alive.claim("A", now()) is None
    again = alive.claim("A", now() + timedelta(seconds=31))
    assert again is not None and again.attempts == 2


async def test_chats_run_side_by_side_and_each_chat_in_order(engine: Engine) -> None:
    record(engine, [item(f"{chat}{i}", chat) for i in range(5) for chat in "ABC"], now())
    running: set[str] = set()
    widest = 0
    seen: dict[str, list[str]] = {}

    async def apply(row: Any) -> Outcome:
        nonlocal widest
        assert row.chat_key not in running  # never two rows of one chat at once
        running.add(row.chat_key)
        widest = max(widest, len(running))
        await asyncio.sleep(0.03)
        seen.setdefault(row.chat_key, []).append(row.update_key)
        running.discard(row.chat_key)
        return DONE

    pool = LanePool(LaneStore.inbox(engine, platform="test"), apply, concurrency=8, poll=0.05)
    await pool.start()
    try:
        await pool.idle(10)
    finally:
        await pool.stop(1)
    assert seen == {chat: [f"{chat}{i}" for i in range(5)] for chat in "ABC"}
    assert widest == 3
    assert {r.status for r in stored(engine)} == {"applied"}


async def test_sqlite_frees_the_leases_a_killed_process_left_at_start(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL waits for the lease to run out (several processes may share it)")
    record(engine, [item("1", "A")], now())
    LaneStore.inbox(engine, platform="test", worker="killed").claim("A", now())
    applied: list[str] = []

    async def apply(row: Any) -> Outcome:
        applied.append(row.update_key)
        return DONE

    pool = LanePool(LaneStore.inbox(engine, platform="test"), apply, poll=0.05)
    await pool.start()
    try:
        await pool.idle(5)
    finally:
        await pool.stop(1)
    assert applied == ["1"]


async def test_stop_hands_back_what_did_not_finish_in_time(engine: Engine) -> None:
    record(engine, [item("1", "A"), item("2", "A")], now())
    started = asyncio.Event()

    async def stuck(row: Any) -> Outcome:
        started.set()
        await asyncio.sleep(60)
        return DONE

    pool = LanePool(LaneStore.inbox(engine, platform="test"), stuck, poll=0.05)
    await pool.start()
    await asyncio.wait_for(started.wait(), 5)
    loop = asyncio.get_running_loop()
    began = loop.time()
    await pool.stop(0.2)
    assert loop.time() - began < 1
    rows = stored(engine)
    assert [(r.status, r.lease_until, r.claimed_by, r.attempts) for r in rows] == [("pending", None, None, 0)] * 2


async def test_a_row_that_keeps_failing_is_retried_then_given_up(engine: Engine, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr("bot.lanes.backoff", lambda attempts: 0.0)
    record(engine, [item("1", "A"), item("2", "A")], now())
    tries: list[str] = []

    async def flaky(row: Any) -> Outcome:
        tries.append(row.update_key)
        if row.update_key == "1":
            raise RuntimeError("boom")
        return DONE

    pool = LanePool(LaneStore.inbox(engine, platform="test", max_attempts=3), flaky, poll=0.02)
    await pool.start()
    try:
        await pool.idle(10)
    finally:
        await pool.stop(1)
    assert tries == ["1", "1", "1", "2"]  # the chat's next row waits until the first is settled
    rows = stored(engine)
    assert [(r.status, r.attempts) for r in rows] == [("failed", 3), ("applied", 1)]
    assert "RuntimeError: boom" in (rows[0].last_error or "")


async def test_no_workers_means_rows_are_only_stored(engine: Engine) -> None:
    pool = LanePool(LaneStore.inbox(engine, platform="test"), lambda row: asyncio.sleep(0, DONE), concurrency=0)
    await pool.start()
    record(engine, [item("1", "A")], now())
    pool.wake()
    await asyncio.sleep(0.1)
    await pool.stop(0)
    assert [r.status for r in stored(engine)] == ["pending"]


def test_prune_keeps_recent_and_unfinished_rows(engine: Engine) -> None:
    old = now() - timedelta(days=8)
    record(engine, [item("old", "A")], old)
    record(engine, [item("old-pending", "B")], old)
    record(engine, [item("new", "C")], now())
    store = LaneStore.inbox(engine, platform="test")
    for chat in "AC":
        row = store.claim(chat, now())
        store.done(row.id, now())
    assert store.prune(now() - timedelta(days=7)) == 1
    assert [r.update_key for r in stored(engine)] == ["old-pending", "new"]
