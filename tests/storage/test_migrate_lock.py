"""Schema upgrades: replicas that start together on PostgreSQL upgrade once; the schema check behind --no-migrate.

The PostgreSQL test works in a schema of its own (``lock_test_<pid>``, reached through ``search_path``) and
drops it afterwards, so the tables the other tests share in that database are never touched.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine, make_url

from storage.db import MIGRATION_LOCK_KEY, SchemaBehind, check_schema, head_revision, make_engine, upgrade
from tests.conftest import PG_URL

SCRIPT = Path(sys.executable).parent / "contractbot"


# -- SQLite: the same functions, no lock needed --------------------------------------------------------------------


def test_upgrade_says_what_it_did_and_the_check_agrees(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'm.db'}")
    with pytest.raises(SchemaBehind, match=r"at nothing \(empty database\)"):
        check_schema(engine)
    first = upgrade(engine, "0001")
    assert (first.before, first.after, first.changed) == (None, "0001", True)
    with pytest.raises(SchemaBehind, match=f"at 0001, this version needs {head_revision()}"):
        check_schema(engine)
    assert upgrade(engine).after == head_revision()
    assert not upgrade(engine).changed
    assert check_schema(engine) == head_revision()


def test_a_newer_schema_is_let_through(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """A rolling deploy: the new release migrated, the old replicas keep running until they are replaced."""
    engine = make_engine(f"sqlite:///{tmp_path / 'm.db'}")
    upgrade(engine)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_from_the_future'"))
    assert check_schema(engine) == "9999_from_the_future"
    assert "newer than this code knows" in caplog.text


# -- PostgreSQL: two processes migrating at once ------------------------------------------------------------------


@pytest.fixture
def pg_schema() -> Iterator[tuple[str, str, Engine]]:
    """A URL whose connections live in a fresh schema of their own, and an engine on the database (for the lock)."""
    if not PG_URL:
        pytest.skip("CONTRACTBOT_TEST_DATABASE_URL is not set")
    schema = f"lock_test_{os.getpid()}"
    admin = make_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(admin.url).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False), schema, admin
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def _waiting_for_the_lock(admin: Engine) -> int:
    """Sessions waiting on the migration lock (an advisory bigint key shows as classid = high, objid = low)."""
    high, low = MIGRATION_LOCK_KEY >> 32, MIGRATION_LOCK_KEY & 0xFFFFFFFF
    with admin.connect() as conn:
        return int(conn.execute(text(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND classid = :high "
            "AND objid = :low AND objsubid = 1 AND database = (SELECT oid FROM pg_database "
            "WHERE datname = current_database())"), {"high": high, "low": low}).scalar_one())


def test_two_processes_migrating_at_once_upgrade_the_schema_once(pg_schema: tuple[str, str, Engine]) -> None:
    url, schema, admin = pg_schema
    env = {"PATH": "/usr/bin:/bin", "HOME": os.environ.get("HOME", "/tmp"), "LOG_FORMAT": "json"}
    # Hold the lock ourselves until both processes are queued on it, so that they really do start together
    holder = admin.connect()
    holder.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
    procs = [subprocess.Popen([str(SCRIPT), "migrate", "--db", url], env=env, text=True, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE) for _ in range(2)]
    try:
        deadline = time.monotonic() + 60
        while _waiting_for_the_lock(admin) < 2:
            assert all(p.poll() is None for p in procs), [p.communicate() for p in procs]
            assert time.monotonic() < deadline, "the two processes never queued on the migration lock"
            time.sleep(0.05)
    finally:
        holder.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK_KEY})
        holder.close()
    results = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], results
    outs = sorted(out.strip().split(":")[0] for out, _err in results)
    head = head_revision()
    assert outs == [f"schema up to date at {head}", f"schema upgraded from empty to {head}"]
    for _out, err in results:
        assert "Traceback" not in err and '"level": "error"' not in err, err
    # migrated once, into the test's own schema and nowhere else
    engine = make_engine(url)
    try:
        assert check_schema(engine) == head
        with engine.connect() as conn:
            assert conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all() == [head]
            assert conn.execute(text("SELECT current_schema()")).scalar_one() == schema
    finally:
        engine.dispose()
