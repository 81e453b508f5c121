"""Engine, sessions and schema upgrades."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session, create_engine

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# pg_advisory_xact_lock key held while migrating: replicas that start together upgrade one after the other,
# and the later ones find the schema already at head. Any fixed bigint works; this one spells "cbot-mig".
MIGRATION_LOCK_KEY = 0x63626F742D6D6967
POSTGRES_EXTRA = "install the postgres extra: pip install 'contractbot[postgres]'"


class MissingDriver(RuntimeError):
    """A PostgreSQL URL is configured but psycopg is not installed."""


class SchemaBehind(RuntimeError):
    """The database has not been migrated to the revision this code needs (and migrating is switched off)."""


@dataclass(frozen=True)
class Upgrade:
    """What ``upgrade`` did: the revision before and after (None: an empty database)."""

    before: str | None
    after: str | None

    @property
    def changed(self) -> bool:
        """True when migrations ran."""
        return self.before != self.after


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """Create an engine for a database URL (SQLite gets WAL, a busy timeout and foreign keys)."""
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    if url.startswith("postgresql"):
        try:
            return create_engine(url, echo=echo, pool_pre_ping=True, hide_parameters=True)
        except ImportError as err:  # psycopg is an extra since it became optional
            if err.name in (None, "psycopg"):
                raise MissingDriver(f"PostgreSQL needs the psycopg driver; {POSTGRES_EXTRA}") from err
            raise MissingDriver(f"{url.split(':', 1)[0]} needs {err.name}, which is not installed (or use a "
                                f"postgresql+psycopg:// URL and {POSTGRES_EXTRA})") from err
    if url.startswith("sqlite"):
        engine = create_engine(url, echo=echo, hide_parameters=True,  # errors never carry tokens or user text
                               connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        # Writers (see transaction()) take the write lock at BEGIN so two writers never fail on a lock
        # upgrade (the busy timeout then simply waits); readers begin deferred and never block anyone.
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, echo=echo, pool_pre_ping=True, hide_parameters=True)


def _sqlite_begin(conn: Any) -> None:
    immediate = conn.get_execution_options().get("sqlite_immediate")
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    dbapi_conn.isolation_level = None  # let the "begin" listener issue BEGIN itself
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def _alembic_config():  # type: ignore[no-untyped-def]
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def _current(conn: Connection) -> str | None:
    """The database's revision(s) as Alembic records them, comma-joined; None for an empty database."""
    from alembic.runtime.migration import MigrationContext

    heads = MigrationContext.configure(conn).get_current_heads()
    return ",".join(sorted(heads)) or None


def head_revision() -> str:
    """The revision the migrations shipped with this code end at."""
    from alembic.script import ScriptDirectory

    return ",".join(sorted(ScriptDirectory.from_config(_alembic_config()).get_heads()))


def upgrade(engine: Engine, revision: str = "head") -> Upgrade:
    """Bring the schema up to date with the Alembic migrations shipped in this package.

    On PostgreSQL the work runs under a transaction-scoped advisory lock (MIGRATION_LOCK_KEY): replicas
    starting at once queue up on it, the first migrates, the others then find the schema at head and do
    nothing. The lock goes with the transaction, so a process killed mid-migration does not leave it held.
    SQLite needs none: ``BEGIN IMMEDIATE`` below already serialises writers on the file.
    """
    from alembic import command

    cfg = _alembic_config()
    with engine.execution_options(sqlite_immediate=True).begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
        before = _current(conn)
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
        after = _current(conn)
    done = Upgrade(before, after)
    if done.changed:
        log.info("schema upgraded", extra={"event": "migrate", "from_revision": before, "to_revision": after})
    return done


def check_schema(engine: Engine) -> str:
    """The database's revision when it is at this code's head; raise SchemaBehind with a one-line reason if not.

    A database at a revision this code does not know (a newer release migrated it) is let through with a
    warning: during a rolling deploy the old replicas keep running against the new schema.
    """
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(_alembic_config())
    with engine.connect() as conn:
        current = _current(conn)
    head = ",".join(sorted(script.get_heads()))
    if current == head:
        return current
    known = {rev.revision for rev in script.walk_revisions()}
    if current is not None and not set(current.split(",")) <= known:
        log.warning("the database is at revision %s, newer than this code knows (head %s)", current, head)
        return current
    raise SchemaBehind(f"the database schema is at {current or 'nothing (empty database)'}, this version needs "
                       f"{head}: run `contractbot migrate` first")


@contextmanager
def transaction(engine: Engine) -> Iterator[Session]:
    """Open a session whose work is committed as one transaction, or rolled back on error."""
    with Session(engine.execution_options(sqlite_immediate=True), expire_on_commit=False) as session:
        with session.begin():
            yield session


def refresh_statistics(engine: Engine) -> None:
    """Keep SQLite's query planner statistics current as a ledger grows (PostgreSQL's autovacuum does this).

    ``PRAGMA optimize`` only analyses tables whose statistics are stale, so an hourly call is cheap; without
    it a database that started empty never has statistics, and some list and report queries pick worse indexes.
    """
    if engine.dialect.name != "sqlite":
        return
    with engine.execution_options(sqlite_immediate=True).begin() as conn:  # its ANALYZE is committed
        conn.exec_driver_sql("PRAGMA optimize")
