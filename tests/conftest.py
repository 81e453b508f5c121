"""Shared fixtures: a database per test (SQLite always, PostgreSQL when configured) and a chat driver."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

import bot.registry  # noqa: F401  (registers every platform's traits, as `contractbot` does at start)
from storage.db import make_engine, upgrade

PG_URL = os.environ.get("CONTRACTBOT_TEST_DATABASE_URL")
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])

# Friday 2026-11-27 11:00 in Shanghai: "next Friday" is 2026-12-04.
NOW = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture(scope="session")
def pg_engine() -> Iterator[Engine | None]:
    """One PostgreSQL engine for the session, schema rebuilt from the migrations once."""
    if not PG_URL:
        yield None
        return
    engine = make_engine(PG_URL)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    upgrade(engine)
    yield engine
    engine.dispose()


def _truncate(engine: Engine) -> None:
    names = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=BACKENDS)
def engine(request: pytest.FixtureRequest, tmp_path, pg_engine) -> Iterator[Engine]:  # type: ignore[no-untyped-def]
    """A fresh, migrated database on each back end."""
    if request.param == "sqlite":
        eng = make_engine(f"sqlite:///{tmp_path / 'test.db'}")
        upgrade(eng)
        yield eng
        eng.dispose()
    else:
        assert pg_engine is not None
        _truncate(pg_engine)
        yield pg_engine


@pytest.fixture
def clock() -> Clock:
    return Clock()
