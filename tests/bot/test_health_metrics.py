"""/healthz says whether the database answers (200/503) with the version and the schema revision; /metrics
serves Prometheus text with the backlog gauges read from the database at scrape time."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from importlib import metadata
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import update
from sqlalchemy.engine import Engine

from bot.http import create_app, migration_head
from handlers.core import Core
from scheduler.inbox import NewItem, NewReply, commit_replies, record
from storage.db import make_engine
from storage.models import Reminder
from tests.chat import Chat
from tests.conftest import Clock


async def client_for(engine: Engine) -> TestClient:
    client = TestClient(TestServer(create_app(engine)))
    await client.start_server()
    return client


@pytest.fixture
async def broken(tmp_path: Path) -> AsyncIterator[Engine]:
    """A database that cannot be opened: its directory does not exist."""
    engine = make_engine(f"sqlite:///{tmp_path / 'no-such-dir' / 'contractbot.db'}")
    yield engine
    engine.dispose()


def expected_version() -> str:
    try:
        return metadata.version("contractbot")
    except metadata.PackageNotFoundError:
        return "unknown"


async def test_healthz_is_200_with_the_version_and_the_schema_revision(engine: Engine) -> None:
    client = await client_for(engine)
    try:
        resp = await client.get("/healthz")
        body = await resp.json()
    finally:
        await client.close()
    assert resp.status == 200 and resp.headers["Cache-Control"] == "no-store"
    assert body["status"] == "ok" and body["database"] == "ok"
    assert body["version"] == expected_version()
    head = migration_head()
    assert head and body["migration"] == {"current": head, "head": head, "up_to_date": True}


async def test_healthz_is_503_when_the_database_does_not_answer(broken: Engine,
                                                               caplog: pytest.LogCaptureFixture) -> None:
    client = await client_for(broken)
    try:
        with caplog.at_level(logging.DEBUG):
            resp = await client.get("/healthz")
            body = await resp.json()
    finally:
        await client.close()
    assert resp.status == 503
    assert body["status"] == "unavailable" and body["database"] == "unreachable"
    assert body["version"] == expected_version() and body["migration"]["head"] == migration_head()
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []


async def test_healthz_is_503_for_a_database_server_that_refuses() -> None:
    pytest.importorskip("psycopg")
    engine = make_engine("postgresql+psycopg://nobody@127.0.0.1:1/nothing?connect_timeout=2")
    client = await client_for(engine)
    try:
        resp = await client.get("/healthz")
    finally:
        await client.close()
        engine.dispose()
    assert resp.status == 503


def gauges(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


async def test_metrics_has_the_backlog_gauges(engine: Engine) -> None:
    chat = Chat(Core(engine, clock=Clock()))
    chat.say('new HT-1 "Cloud platform" Acme 1000000 ends 2027-12-31 owner @alice')
    chat.say("milestone HT-1 first payment 30% due 2026-12-04 owner @alice")
    now = datetime.now(UTC)
    with engine.begin() as conn:  # one reminder an hour late, the others in the future
        first = conn.execute(Reminder.__table__.select().order_by(Reminder.__table__.c.id)).first()  # type: ignore[attr-defined]
        assert first is not None
        conn.execute(update(Reminder.__table__).values(fire_at=now + timedelta(days=30)))  # type: ignore[attr-defined]
        conn.execute(update(Reminder.__table__).where(Reminder.__table__.c.id == first.id)  # type: ignore[attr-defined]
                     .values(fire_at=now - timedelta(hours=1)))
    record(engine, [NewItem("telegram", "telegram:1", str(i), "-100", "{}") for i in range(2)],
           now - timedelta(minutes=5))
    commit_replies(engine, [NewReply("telegram", "-100", "sendMessage", "{}")], inbox_id=None, now=now)

    client = await client_for(engine)
    try:
        resp = await client.get("/metrics")
        text = await resp.text()
    finally:
        await client.close()
    assert resp.status == 200 and resp.headers["Content-Type"].startswith("text/plain; version=")
    g = gauges(text)
    assert g[("contractbot_reminders", (("status", "pending"),))] >= 2
    assert g[("contractbot_reminders", (("status", "claimed"),))] == 0
    assert g[("contractbot_reminders_due", ())] == 1
    assert 3600 <= g[("contractbot_reminder_oldest_due_age_seconds", ())] < 3700
    assert g[("contractbot_inbox_backlog", (("platform", "telegram"),))] == 2
    assert 300 <= g[("contractbot_inbox_oldest_age_seconds", (("platform", "telegram"),))] < 400
    assert g[("contractbot_reply_outbox_backlog", (("platform", "telegram"),))] == 1
    assert g[("contractbot_backlog_up", ())] == 1
    assert "python_info" in text or "process_" in text  # the default collectors are there too


async def test_metrics_still_answer_when_the_database_does_not(broken: Engine) -> None:
    client = await client_for(broken)
    try:
        resp = await client.get("/metrics")
        text = await resp.text()
    finally:
        await client.close()
    assert resp.status == 200
    g = gauges(text)
    assert g[("contractbot_backlog_up", ())] == 0
    assert not any(name == "contractbot_inbox_backlog" for name, _ in g)
