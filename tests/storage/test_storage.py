"""Storage on SQLite and PostgreSQL: migrations, money, UTC, tenant scoping, one transaction per write."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from storage import repo
from storage.db import make_engine, transaction, upgrade
from storage.models import AuditEvent, Contract, Tenant


def _tenant(s: Session, key: str) -> Tenant:
    return repo.ensure_tenant(s, platform="console", external_id=key)


def test_migrations_create_every_table(engine) -> None:  # type: ignore[no-untyped-def]
    names = set(inspect(engine).get_table_names())
    assert {"tenants", "people", "contracts", "milestones", "payments", "payment_allocations", "change_requests",
            "audit_events", "reminders", "action_keys", "processed_events", "alembic_version"} <= names
    upgrade(engine)  # idempotent


def test_money_round_trips_as_decimal(engine) -> None:  # type: ignore[no-untyped-def]
    with transaction(engine) as s:
        t = _tenant(s, "a")
        s.add(Contract(tenant_id=t.id, number="HT-1", title="x", amount=Decimal("1234567.89")))
    with Session(engine) as s:
        c = s.exec(select(Contract)).one()
    assert c.amount == Decimal("1234567.89") and isinstance(c.amount, Decimal)


def test_instants_are_stored_as_utc(engine) -> None:  # type: ignore[no-untyped-def]
    shanghai = timezone(timedelta(hours=8))
    with transaction(engine) as s:
        t = _tenant(s, "a")
        s.add(AuditEvent(tenant_id=t.id, action="x", entity="y", at=datetime(2026, 1, 1, 9, 0, tzinfo=shanghai)))
    with Session(engine) as s:
        e = s.exec(select(AuditEvent)).one()
        raw = s.exec(text("SELECT at FROM audit_events")).one()[0]  # type: ignore[call-overload]
    assert e.at == datetime(2026, 1, 1, 1, 0, tzinfo=UTC)
    assert str(raw).startswith("2026-01-01 01:00")


def test_contract_numbers_are_unique_per_tenant_only(engine) -> None:  # type: ignore[no-untyped-def]
    with transaction(engine) as s:
        a, b = _tenant(s, "a"), _tenant(s, "b")
        s.add(Contract(tenant_id=a.id, number="HT-1", title="a"))
        s.add(Contract(tenant_id=b.id, number="HT-1", title="b"))
    with pytest.raises(IntegrityError), transaction(engine) as s:
        s.add(Contract(tenant_id=a.id, number="HT-1", title="dup"))
    with Session(engine) as s:
        assert repo.get_contract(s, tenant_id=a.id or 0, number="ht-1").title == "a"  # type: ignore[union-attr]
        assert repo.get_contract(s, tenant_id=b.id or 0, number="HT-1").title == "b"  # type: ignore[union-attr]
        assert len(s.exec(select(Contract)).all()) == 2


def test_a_failed_write_leaves_nothing_behind(engine) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(RuntimeError), transaction(engine) as s:
        t = _tenant(s, "a")
        s.add(Contract(tenant_id=t.id, number="HT-1", title="x"))
        s.flush()
        raise RuntimeError("boom")
    with Session(engine) as s:
        assert s.exec(select(Contract)).all() == [] and s.exec(select(Tenant)).all() == []


def test_dates_are_calendar_dates(engine) -> None:  # type: ignore[no-untyped-def]
    with transaction(engine) as s:
        t = _tenant(s, "a")
        s.add(Contract(tenant_id=t.id, number="HT-1", title="x", end_on=date(2027, 12, 31)))
    with Session(engine) as s:
        assert s.exec(select(Contract)).one().end_on == date(2027, 12, 31)


def test_sqlite_pragmas(tmp_path) -> None:  # type: ignore[no-untyped-def]
    eng = make_engine(f"sqlite:///{tmp_path / 'p.db'}")
    with eng.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000


def test_foreign_keys_are_enforced(engine) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(IntegrityError), transaction(engine) as s:
        s.add(Contract(tenant_id=999, number="HT-1", title="orphan"))
