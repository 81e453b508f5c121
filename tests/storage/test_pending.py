"""Pending questions: one per person per chat, replaced on re-ask, gone after ten minutes, kept across a restart."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from storage import repo
from storage.db import MIGRATIONS, transaction
from storage.models import PendingQuestion, Person

NOW = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)


def _script_head() -> str | None:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(cfg).get_current_head()


def _setup(engine) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    with transaction(engine) as s:
        t = repo.ensure_tenant(s, platform="console", external_id="team")
        p = Person(tenant_id=t.id, platform_user_id="u1", handle="ann", display_name="Ann")
        s.add(p)
        s.flush()
        assert t.id is not None and p.id is not None
        return t.id, p.id


def _put(s: Session, tenant_id: int, person_id: int, *, chat: str = "c1", kind: str = "choose",
         payload: str = '{"n": 1}', lang: str = "en", now: datetime = NOW, ttl_seconds: int = 600) -> PendingQuestion:
    return repo.put_pending(s, tenant_id=tenant_id, chat_id=chat, person_id=person_id, kind=kind, payload=payload,
                            lang=lang, now=now, ttl_seconds=ttl_seconds)


def _get(s: Session, tenant_id: int, person_id: int, *, chat: str = "c1", now: datetime = NOW) -> PendingQuestion | None:
    return repo.get_pending(s, tenant_id=tenant_id, chat_id=chat, person_id=person_id, now=now)


def _count(engine) -> int:  # type: ignore[no-untyped-def]
    with Session(engine) as s:
        return len(s.exec(select(PendingQuestion)).all())


def test_migration_creates_the_table(engine) -> None:  # type: ignore[no-untyped-def]
    insp = inspect(engine)
    assert "pending_questions" in insp.get_table_names()
    uniques = {u["name"]: u["column_names"] for u in insp.get_unique_constraints("pending_questions")}
    assert uniques["uq_pending_question"] == ["tenant_id", "chat_id", "person_id"]
    with Session(engine) as s:
        version = s.exec(text("SELECT version_num FROM alembic_version")).one()[0]  # type: ignore[call-overload]
    assert version == _script_head()


def test_put_then_get_round_trips_and_survives_a_restart(engine) -> None:  # type: ignore[no-untyped-def]
    tid, pid = _setup(engine)
    with transaction(engine) as s:
        q = _put(s, tid, pid, kind="fill", payload='{"field": "amount", "number": "HT-1"}', lang="zh")
        assert q.id is not None
        assert q.expires_at == NOW + timedelta(minutes=10)
    # a new session on the same engine: what a restarted process sees
    with Session(engine) as s:
        got = _get(s, tid, pid, now=NOW + timedelta(minutes=9, seconds=59))
        assert got is not None
        assert (got.kind, got.payload, got.lang, got.chat_id) == ("fill", '{"field": "amount", "number": "HT-1"}',
                                                                   "zh", "c1")
        assert got.created_at == NOW and got.created_at.tzinfo is not None
        assert got.expires_at == NOW + timedelta(seconds=600)


def test_times_are_stored_as_utc(engine) -> None:  # type: ignore[no-untyped-def]
    tid, pid = _setup(engine)
    shanghai = timezone(timedelta(hours=8))
    local_now = NOW.astimezone(shanghai)  # 11:00 in Shanghai
    with transaction(engine) as s:
        q = _put(s, tid, pid, now=local_now, ttl_seconds=60)
        assert q.created_at == NOW and q.created_at.utcoffset() == timedelta(0)
    with Session(engine) as s:
        raw = s.exec(text("SELECT created_at, expires_at FROM pending_questions")).one()  # type: ignore[call-overload]
        got = _get(s, tid, pid, now=local_now + timedelta(seconds=30))
    assert str(raw[0]).startswith("2026-11-27 03:00") and str(raw[1]).startswith("2026-11-27 03:01")
    assert got is not None and got.expires_at == NOW + timedelta(minutes=1)


def test_missing_is_none(engine) -> None:  # type: ignore[no-untyped-def]
    tid, pid = _setup(engine)
    with Session(engine) as s:
        assert _get(s, tid, pid) is None


def test_put_replaces_the_open_question(engine) -> None:  # type: ignore[no-untyped-def]
    tid, pid = _setup(engine)
    with transaction(engine) as s:
        _put(s, tid, pid, payload='{"n": 1}')
    with transaction(engine) as s:
        _put(s, tid, pid, kind="fill", payload='{"n": 2}', now=NOW + timedelta(minutes=5))
    assert _count(engine) == 1
    with Session(engine) as s:
        got = _get(s, tid, pid, now=NOW + timedelta(minutes=12))  # the first would have expired by now
    assert got is not None and got.payload == '{"n": 2}' and got.kind == "fill"
    # replacing twice inside one transaction works too
    with transaction(engine) as s:
        _put(s, tid, pid, payload='{"n": 3}')
        _put(s, tid, pid, payload='{"n": 4}')
        assert _get(s, tid, pid).payload == '{"n": 4}'  # type: ignore[union-attr]
    assert _count(engine) == 1


def test_questions_are_per_chat_and_per_person(engine) -> None:  # type: ignore[no-untyped-def]
    tid, pid = _setup(engine)
    with transaction(engine) as s:
        other = Person(tenant_id=tid, platform_user_id="u2", handle="bob")
        s.add(other)
        s.flush()
        assert other.id is not None
        oid = other.id
        _put(s, tid, pid, chat="c1", payload="a")
        _put(s, tid, pid, chat="c2", payload="b")
        _put(s, tid, oid, chat="c1", payload="c")
    with transaction(engine) as s:
        repo.drop_pending(s, tenant_id=tid, chat_id="c1", person_id=pid)
    with Session(engine) as s:
        assert _get(s, tid, pid, chat="c1") is None
        assert _get(s, tid, pid, chat="c2").payload == "b"  # type: ignore[union-attr]
        assert _get(s, tid, oid, chat="c1").payload == "c"  # type: ignore[union-attr]


def test_other_tenants_do_not_see_it(engine) -> None:  # type: ignore[no-untyped-def]
    tid, pid = _setup(engine)
    with transaction(engine) as s:
        other = repo.ensure_tenant(s, platform="console", external_id="other")
        assert other.id is not None
        other_tid = other.id
        _put(s, tid, pid)
    with Session(engine) as s:
        assert _get(s, other_tid, pid) is None
    assert _count(engine) == 1


def test_expired_question_is_gone_and_deleted(engine) -> None:  # type: ignore[no-untyped-def]
    tid, pid = _setup(engine)
    with transaction(engine) as s:
        _put(s, tid, pid)
    with transaction(engine) as s:
        assert _get(s, tid, pid, now=NOW + timedelta(minutes=10)) is None
    assert _count(engine) == 0


def test_custom_ttl(engine) -> None:  # type: ignore[no-untyped-def]
    tid, pid = _setup(engine)
    with transaction(engine) as s:
        _put(s, tid, pid, ttl_seconds=30)
    with transaction(engine) as s:
        assert _get(s, tid, pid, now=NOW + timedelta(seconds=29)) is not None
        assert _get(s, tid, pid, now=NOW + timedelta(seconds=30)) is None
    assert _count(engine) == 0


def test_drop(engine) -> None:  # type: ignore[no-untyped-def]
    tid, pid = _setup(engine)
    with transaction(engine) as s:
        _put(s, tid, pid)
    with transaction(engine) as s:
        repo.drop_pending(s, tenant_id=tid, chat_id="c1", person_id=pid)
        repo.drop_pending(s, tenant_id=tid, chat_id="c1", person_id=pid)  # dropping nothing is fine
        assert _get(s, tid, pid) is None
    assert _count(engine) == 0


def test_unknown_kind_is_refused(engine) -> None:  # type: ignore[no-untyped-def]
    tid, pid = _setup(engine)
    with pytest.raises(ValueError), transaction(engine) as s:
        _put(s, tid, pid, kind="other")
    assert _count(engine) == 0


def test_one_row_per_person_per_chat_is_enforced(engine) -> None:  # type: ignore[no-untyped-def]
    tid, pid = _setup(engine)
    with pytest.raises(IntegrityError), transaction(engine) as s:
        for n in (1, 2):
            s.add(PendingQuestion(tenant_id=tid, chat_id="c1", person_id=pid, kind="fill", payload=str(n), lang="en",
                                  expires_at=NOW))
        s.flush()


def test_person_must_exist(engine) -> None:  # type: ignore[no-untyped-def]
    tid, _ = _setup(engine)
    with pytest.raises(IntegrityError), transaction(engine) as s:
        _put(s, tid, 999)
