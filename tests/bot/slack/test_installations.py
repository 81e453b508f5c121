"""The installation store (OAuth mode) on our own tables, and the migration that makes them."""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from slack_bolt.error import BoltError
from slack_sdk.oauth.installation_store import Installation
from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, SQLModel, select

from bot.slack.installations import InstallationStore, key_of
from storage import repo
from storage.db import _alembic_config, make_engine, transaction, upgrade
from storage.models import AuditEvent, Reminder, SlackBot, SlackInstallation, Tenant
from tests.conftest import NOW

MINE = {"slack_installations", "slack_bots", "slack_oauth_states"}


def installation(team: str = "T0001", *, token: str = "xoxb-1", user: str = "U0001", enterprise: str | None = None,
                 org_wide: bool = False) -> Installation:
    return Installation(app_id="A0001", enterprise_id=enterprise, enterprise_name="Grid" if enterprise else None,
                        team_id=None if org_wide else team, team_name=None if org_wide else "Acme",
                        bot_token=token, bot_id="B1", bot_user_id="UBOT", bot_scopes="commands,chat:write",
                        user_id=user, is_enterprise_install=org_wide, token_type="bot",
                        installed_at=NOW.timestamp())


@pytest.fixture
def store(engine: Engine) -> InstallationStore:
    return InstallationStore(engine, client_id="1111.2222", clock=lambda: NOW)


# -- the migration ----------------------------------------------------------------------------------------------


def _diffs(engine: Engine) -> list[object]:
    with engine.connect() as conn:
        return list(compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), SQLModel.metadata))


def _touches_mine(diff: object) -> bool:
    """Whether an autogenerate diff concerns the tables and column this migration owns."""
    flat = str(diff)
    return any(name in flat for name in MINE) or "suspended_at" in flat


def test_the_migration_makes_what_the_models_say(engine: Engine) -> None:
    names = set(inspect(engine).get_table_names())
    assert MINE <= names
    assert "suspended_at" in {c["name"] for c in inspect(engine).get_columns("tenants")}
    uniques = {u["name"]: u["column_names"] for u in inspect(engine).get_unique_constraints("slack_bots")}
    assert uniques["uq_slack_bot"] == ["client_id", "tenant_key"]
    assert [d for d in _diffs(engine) if _touches_mine(d)] == []


def test_the_migration_goes_down_and_up_with_teams_in_the_database(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'down.db'}")
    upgrade(engine)
    with transaction(engine) as s:
        t = repo.ensure_tenant(s, platform="slack", external_id="-:T0001")
        t.suspended_at = NOW
        s.add(t)
    cfg = _alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0008")
    assert not MINE & set(inspect(engine).get_table_names())
    assert "suspended_at" not in {c["name"] for c in inspect(engine).get_columns("tenants")}
    with engine.connect() as conn:  # the teams are still there
        assert conn.execute(text("SELECT external_id FROM tenants")).scalars().all() == ["-:T0001"]
    upgrade(engine)
    assert MINE <= set(inspect(engine).get_table_names())
    engine.dispose()


# -- the store ------------------------------------------------------------------------------------------------


def test_an_installation_is_kept_per_team_and_found_by_bolt_and_the_notifier(store: InstallationStore) -> None:
    store.save(installation("T0001", token="xoxb-a"))
    store.save(installation("T0002", token="xoxb-b", user="U0101"))
    bot = store.find_bot("-:T0001")
    assert bot is not None and (bot.bot_token, bot.team_id, bot.bot_scopes) == ("xoxb-a", "T0001",
                                                                                 ["commands", "chat:write"])
    assert store.bot_token("-:T0002") == "xoxb-b" and store.bot_token("-:T0003") is None
    found = store.find_installation("-:T0002")
    assert found is not None and (found.user_id, found.bot_token) == ("U0101", "xoxb-b")
    assert store.find_installation("-:T0002", "U0001") is None
    # installing again replaces the token, keeping one bot row per team
    store.save(installation("T0001", token="xoxb-a2"))
    assert store.bot_token("-:T0001") == "xoxb-a2"
    with Session(store.engine) as s:
        assert len(s.exec(select(SlackBot)).all()) == 2
        assert len(s.exec(select(SlackInstallation)).all()) == 2
        assert s.exec(select(SlackBot).where(SlackBot.tenant_key == "-:T0001")).one().installed_at == NOW


async def test_bolts_async_interface(store: InstallationStore) -> None:
    await store.async_save(installation("T0001", enterprise="E0001"))
    bot = await store.async_find_bot(enterprise_id="E0001", team_id="T0001")
    assert bot is not None and bot.bot_token == "xoxb-1" and bot.enterprise_id == "E0001"
    assert await store.async_find_bot(enterprise_id=None, team_id="T0001") is None  # another team's key
    found = await store.async_find_installation(enterprise_id="E0001", team_id="T0001", user_id="U0001")
    assert found is not None and found.team_name == "Acme"
    await store.async_delete_installation(enterprise_id="E0001", team_id="T0001", user_id="U0001")
    assert await store.async_find_installation(enterprise_id="E0001", team_id="T0001") is None
    assert await store.async_find_bot(enterprise_id="E0001", team_id="T0001") is not None  # the bot stays
    await store.async_delete_all(enterprise_id="E0001", team_id="T0001")
    assert await store.async_find_bot(enterprise_id="E0001", team_id="T0001") is None


def test_an_org_wide_installation_serves_each_workspace_of_the_org(store: InstallationStore) -> None:
    store.save(installation(enterprise="E0001", org_wide=True, token="xoxb-org"))
    assert key_of("E0001", "T0009", True) == "E0001:-"
    assert store.bot_token("E0001:T0009") == "xoxb-org"
    assert store.bot_token("-:T0009") is None


def test_a_dead_token_suspends_the_team_only_while_it_is_still_the_current_one(store: InstallationStore,
                                                                               engine: Engine) -> None:
    with transaction(engine) as s:
        tenant = repo.ensure_tenant(s, platform="slack", external_id="-:T0001")
        s.flush()
        tid = tenant.id
    store.save(installation(token="xoxb-old"))
    store.save(installation(token="xoxb-new"))  # reinstalled meanwhile
    assert not store.revoke("-:T0001", bot=True, users=None, reason="dead", only_token="xoxb-old")
    assert store.bot_token("-:T0001") == "xoxb-new"
    assert store.revoke("-:T0001", bot=True, users=None, reason="dead", only_token="xoxb-new")
    with Session(engine) as s:
        team = s.get(Tenant, tid)
        assert team is not None and team.suspended_at == NOW
        events = s.exec(select(AuditEvent).where(AuditEvent.tenant_id == tid)).all()
        assert [e.action for e in events] == ["slack.installed", "slack.installed", "tenant.suspended"]
        assert all(r.bot_token is None for r in s.exec(select(SlackInstallation)).all())  # no dead secrets kept


def test_installing_in_a_new_workspace_creates_no_team_until_someone_talks(store: InstallationStore,
                                                                          engine: Engine) -> None:
    store.save(installation("T0042"))
    with Session(engine) as s:
        assert s.exec(select(Tenant)).all() == []
        assert s.exec(select(Reminder)).all() == []


def test_a_team_back_from_suspension_that_has_nothing_open_is_resumed(store: InstallationStore,
                                                                     engine: Engine) -> None:
    with transaction(engine) as s:
        tenant = repo.ensure_tenant(s, platform="slack", external_id="-:T0001")
        tenant.suspended_at = NOW - timedelta(days=3)
        s.add(tenant)
    later = InstallationStore(engine, client_id="1111.2222", clock=lambda: NOW + timedelta(days=1))
    later.save(installation())
    with Session(engine) as s:
        team = s.exec(select(Tenant)).one()
        assert team.suspended_at is None
        actions = [e.action for e in s.exec(select(AuditEvent)).all()]
    assert actions == ["slack.installed", "tenant.resumed"]


async def test_a_failed_save_keeps_the_tokens_out_of_the_log(store: InstallationStore, caplog: pytest.LogCaptureFixture,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    # what SQLAlchemy raises when the INSERT fails: its message carries the statement's parameters
    def refused(*args: object) -> None:
        raise OperationalError("INSERT INTO slack_bots (bot_token, bot_refresh_token) VALUES (?, ?)",
                               ("xoxb-very-secret", "xoxe-refresh-secret"), Exception("database is locked"))

    monkeypatch.setattr(InstallationStore, "_put_bot", refused)
    with caplog.at_level(logging.DEBUG), pytest.raises(BoltError) as failed:
        await store.async_save(installation(token="xoxb-very-secret"))
    assert "secret" not in str(failed.value)  # bolt shows its reason on the installer's page
    assert "could not store the installation" in caplog.text and "database is locked" in caplog.text
    assert "secret" not in caplog.text
