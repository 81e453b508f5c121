"""OAuth mode end to end against the fake Slack: install in two workspaces, each sees only its own contracts and
is answered with its own token; an uninstall parks the team's reminders, a reinstall plans them again from then."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import aiohttp
import pytest
from sqlmodel import Session, col, select

from bot.runner import Service
from bot.slack.adapter import ADAPTER
from bot.slack.notifier import SlackNotifier, make_slack_notifier
from bot.slack.oauth import BOT_SCOPES, INSTALL_PATH, REDIRECT_PATH
from bot.slack.platform import SlackPlatform, create
from handlers.core import Core
from handlers.reminders import ReminderComposer
from scheduler.dispatch import Dispatcher
from storage.models import AuditEvent, Reminder, SlackBot, SlackInstallation, SlackOAuthState, Tenant
from tests.bot.slack.conftest import SlackDriver, fixture_json, settings_for
from tests.conftest import Clock
from tests.fakes.slack_api import FakeSlackAPI

PUBLIC = "https://contractbot.example.com"
COOKIE = "slack-app-oauth-state"
A, B = "T0001", "T0002"  # Acme and Globex
# the 3-days-ahead reminder of a milestone due Fri 2026-12-04 fires on Tue 2026-12-01 09:00 in Shanghai
FIRST_REMINDER = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
DUE_DAY = datetime(2026, 12, 4, 2, 0, tzinfo=UTC)


def oauth_settings(api: FakeSlackAPI, **overrides: Any) -> Any:
    values: dict[str, Any] = {"slack_bot_token": None, "slack_client_id": api.client_id,
                              "slack_client_secret": api.client_secret, "public_url": PUBLIC}
    return settings_for(api, **{**values, **overrides})


class InstallDriver(SlackDriver):
    """A SlackDriver that also walks an installer's browser through /slack/install and back."""

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start_install(self) -> tuple[str, str]:
        """GET /slack/install: Slack's authorize URL (with its state) and the state cookie set with it."""
        async with self.session.get(self.base + INSTALL_PATH, allow_redirects=False) as resp:
            assert resp.status == 302, await resp.text()
            return resp.headers["Location"], resp.cookies[COOKIE].value

    async def authorize(self, location: str) -> str:
        """The installer approves on Slack's page: where Slack sends the browser back."""
        async with self.session.get(location, allow_redirects=False) as resp:
            assert resp.status == 302, await resp.text()
            return resp.headers["Location"]

    async def come_back(self, back: str, cookie: str | None) -> tuple[int, str]:
        """The browser arrives at the redirect URL (our public URL, served here) with its cookie."""
        assert back.startswith(PUBLIC + REDIRECT_PATH + "?"), back
        headers = {"Cookie": f"{COOKIE}={cookie}"} if cookie else {}
        async with self.session.get(self.base + back[len(PUBLIC):], headers=headers, allow_redirects=False) as resp:
            return resp.status, await resp.text()

    async def install(self, team: str, user: str = "U0001") -> str:
        """The whole round: install the app in ``team``; the success page's text."""
        self.api.approve(team, user)
        location, cookie = await self.start_install()
        status, page = await self.come_back(await self.authorize(location), cookie)
        assert status == 200, page
        return page

    async def uninstall(self, team: str) -> int:
        """Slack's side of an uninstall: the token is revoked, then app_uninstalled arrives (signed)."""
        self.api.uninstall(team)
        return await self.event(lifecycle_event("event_app_uninstalled.json", team))

    async def mention(self, text: str, *, team: str, user: str, channel: str) -> list[Any]:
        """`@ContractBot <text>` in a channel of ``team``: the bot's chat.postMessage calls in answer."""
        before = len(self.api.calls_to("chat.postMessage"))
        payload = fixture_json("event_app_mention.json")
        self._n += 1
        payload["event_id"] = f"Ev{team}{self._n:04d}"
        payload["team_id"] = team
        payload["authorizations"][0].update(team_id=team)
        payload["event"].update(text=f"<@UBOT> {text}", user=user, channel=channel,
                                ts=f"1764200200.{self._n:06d}", event_ts=f"1764200200.{self._n:06d}")
        assert await self.event(payload) == 200
        return self.api.calls_to("chat.postMessage")[before:]


def lifecycle_event(name: str, team: str, **event: Any) -> dict[str, Any]:
    """An app_uninstalled / tokens_revoked envelope for ``team`` (a new event id each time)."""
    payload = fixture_json(name)
    payload["team_id"] = team
    payload["event_id"] = f"Ev{uuid.uuid4().hex[:10].upper()}"
    payload["event"].update(event)
    return payload


@pytest.fixture
async def oauth(core: Core, fake_api: FakeSlackAPI) -> AsyncIterator[InstallDriver]:
    """Slack in OAuth mode, HTTP, on the bot's web server; two workspaces exist, neither has the app yet."""
    fake_api.add_workspace(A, "Acme", bot_user_id="UBOTA", bot_id="BA")
    fake_api.add_workspace(B, "Globex", bot_user_id="UBOTB", bot_id="BB")
    fake_api.users.update({"U0101": {"name": "gina", "real_name": "Gina Globex", "tz": "Asia/Shanghai",
                                     "locale": "en-US"}})
    settings = oauth_settings(fake_api)
    platform = create(settings, core)
    service = Service(settings, core.engine, [platform])
    await service.start()
    async with aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar()) as session:
        yield InstallDriver(platform, fake_api, session, service.port)
    await service.stop()


def dispatcher(core: Core, platform: SlackPlatform) -> Dispatcher:
    return Dispatcher(core.engine, notifiers={"slack": platform.notifier}, composer=ReminderComposer())


def reminders(core: Core, team: str) -> list[Reminder]:
    with Session(core.engine) as s:
        tenant = s.exec(select(Tenant).where(Tenant.external_id == f"-:{team}")).one()
        return list(s.exec(select(Reminder).where(Reminder.tenant_id == tenant.id).order_by(col(Reminder.id))).all())


def tenant(core: Core, team: str) -> Tenant:
    with Session(core.engine) as s:
        return s.exec(select(Tenant).where(Tenant.external_id == f"-:{team}")).one()


def posted_with(api: FakeSlackAPI, token: str | None) -> list[str]:
    """The channels chat.postMessage was called for with ``token``."""
    return [c.params["channel"] for c in api.calls_to("chat.postMessage") if c.token == token]


async def ledger(oauth: InstallDriver) -> None:
    """Acme keeps HT-A-1 in #acme-contracts (C0001); Globex keeps HT-B-1 in #globex (C0101); both owe money."""
    for team, user, name, channel, number in ((A, "U0001", "alice", "C0001", "HT-A-1"),
                                              (B, "U0101", "gina", "C0101", "HT-B-1")):
        [made] = await oauth.command(f'new {number} "License" Customer 1,000,000 CNY', team=team, user=user,
                                     user_name=name, channel=channel)
        assert f"Contract {number} created" in made.params["text"], made.params
        [added] = await oauth.command(f"milestone {number} first payment 30% due next Friday owner <@{user}|{name}>",
                                      team=team, user=user, user_name=name, channel=channel)
        assert f"Milestone added to {number}" in added.params["text"], added.params


# -- the install pages ----------------------------------------------------------------------------------------


async def test_install_redirects_to_slack_with_the_scopes_the_redirect_url_and_a_state(oauth: InstallDriver,
                                                                                     core: Core) -> None:
    location, cookie = await oauth.start_install()
    url = urlsplit(location)
    assert f"{url.scheme}://{url.netloc}{url.path}" == oauth.api.base + "/oauth/v2/authorize"
    query = {k: v[0] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
    assert query["client_id"] == oauth.api.client_id
    assert query["scope"].split(",") == list(BOT_SCOPES)
    assert query["redirect_uri"] == PUBLIC + REDIRECT_PATH
    assert query["state"] == cookie and len(cookie) >= 32
    assert not query.get("user_scope")
    with Session(core.engine) as s:  # kept in the database until it is used
        assert [row.state for row in s.exec(select(SlackOAuthState)).all()] == [cookie]


async def test_two_workspaces_each_see_only_their_own_contracts_and_get_their_own_token(
        oauth: InstallDriver, core: Core) -> None:
    page_a = await oauth.install(A)
    page_b = await oauth.install(B, user="U0101")
    assert "ContractBot is installed in Acme" in page_a and "ContractBot 已安装到 Acme" in page_a
    assert "Globex" in page_b
    token_a, token_b = oauth.api.token_of(A), oauth.api.token_of(B)
    assert token_a and token_b and token_a != token_b
    [exchange_a, exchange_b] = oauth.api.calls_to("oauth.v2.access")
    assert exchange_a.params["redirect_uri"] == PUBLIC + REDIRECT_PATH and exchange_a.token is None
    with Session(core.engine) as s:
        bots = {b.tenant_key: b for b in s.exec(select(SlackBot)).all()}
        installs = s.exec(select(SlackInstallation)).all()
    assert {k: (b.bot_token, b.bot_user_id, b.team_name) for k, b in bots.items()} == {
        f"-:{A}": (token_a, "UBOTA", "Acme"), f"-:{B}": (token_b, "UBOTB", "Globex")}
    assert sorted((i.tenant_key, i.user_id, i.bot_scopes) for i in installs) == [
        (f"-:{A}", "U0001", ",".join(BOT_SCOPES)), (f"-:{B}", "U0101", ",".join(BOT_SCOPES))]

    await ledger(oauth)
    # a slash command in Acme lists Acme's contract only; Globex's is not there even by its number
    [listed] = await oauth.command("list", team=A)
    assert "HT-A-1" in listed.params["text"] and "HT-B-1" not in listed.params["text"]
    [shown] = await oauth.command("show HT-B-1", team=A)
    assert "No contract HT-B-1 in this team" in shown.params["text"]
    assert shown.params["response_type"] == "ephemeral" and "300,000" not in json.dumps(shown.params)
    [listed_b] = await oauth.command("list", team=B, user="U0101", user_name="gina", channel="C0101")
    assert "HT-B-1" in listed_b.params["text"] and "HT-A-1" not in listed_b.params["text"]

    # who is who is asked with each workspace's own token
    users_info = {(c.params["user"], c.token) for c in oauth.api.calls_to("users.info")}
    assert ("U0001", token_a) in users_info and ("U0101", token_b) in users_info
    assert all(tok in (token_a, token_b) for _, tok in users_info)
    # a mention in each workspace is answered with that workspace's bot token
    [reply_b] = await oauth.mention("list", team=B, user="U0101", channel="C0101")
    [reply_a] = await oauth.mention("list", team=A, user="U0001", channel="C0001")
    assert (reply_b.token, reply_b.params["channel"]) == (token_b, "C0101") and "HT-B-1" in reply_b.params["text"]
    assert (reply_a.token, reply_a.params["channel"]) == (token_a, "C0001") and "HT-B-1" not in reply_a.params["text"]

    # and so is each workspace's reminder
    result = dispatcher(core, oauth.platform).run_pass(FIRST_REMINDER)
    assert (result.sent, result.failed, result.retried) == (2, 0, 0)
    assert posted_with(oauth.api, token_a)[-1:] == ["C0001"] and posted_with(oauth.api, token_b)[-1:] == ["C0101"]


async def test_uninstall_parks_the_teams_reminders_and_a_reinstall_plans_them_again_from_then(
        oauth: InstallDriver, core: Core, clock: Clock) -> None:
    await oauth.install(A)
    await oauth.install(B, user="U0101")
    await ledger(oauth)
    old_token_a = oauth.api.token_of(A)
    assert await oauth.uninstall(A) == 200

    acme = tenant(core, A)
    assert acme.suspended_at == clock.now
    assert {r.status for r in reminders(core, A)} == {"parked"}
    assert {r.status for r in reminders(core, B)} == {"pending"}
    with Session(core.engine) as s:  # the tokens are gone, the team and its contracts stay
        assert [b.tenant_key for b in s.exec(select(SlackBot)).all()] == [f"-:{B}"]
        assert [i.tenant_key for i in s.exec(select(SlackInstallation)).all()] == [f"-:{B}"]
        actions = [e.action for e in s.exec(select(AuditEvent).where(AuditEvent.tenant_id == acme.id)).all()]
    assert "tenant.suspended" in actions
    [still] = await oauth.command("list", team=B, user="U0101", user_name="gina", channel="C0101")
    assert "HT-B-1" in still.params["text"]

    # the reminder passes: Globex gets its reminder, Acme nothing, and nothing is retried later either
    oauth.api.clear()
    first = dispatcher(core, oauth.platform).run_pass(FIRST_REMINDER)
    again = dispatcher(core, oauth.platform).run_pass(FIRST_REMINDER + timedelta(hours=1))
    assert (first.sent, first.failed, first.retried, first.parked) == (1, 0, 0, 0)
    assert (again.claimed, again.retried, again.failed) == (0, 0, 0)
    assert [c.token for c in oauth.api.calls] == [oauth.api.token_of(B)]
    assert old_token_a not in {c.token for c in oauth.api.calls}

    # a command from Acme's users now (Slack would not send one; a stale retry might) gets the reinstall advice
    [advice] = await oauth.command("list", team=A)
    assert "no longer installed" in advice.params["text"] and "重新安装" in advice.params["text"]

    # Acme installs the app again the next day: resumed, its reminders planned from now, the missed one skipped
    clock.now = datetime(2026, 12, 2, 3, 0, tzinfo=UTC)
    await oauth.install(A)
    new_token_a = oauth.api.token_of(A)
    assert new_token_a not in (None, old_token_a)
    assert tenant(core, A).suspended_at is None
    rows = reminders(core, A)
    assert not [r for r in rows if r.status == "parked"]
    pending = [r for r in rows if r.status == "pending"]
    assert pending and all(r.fire_at > clock.now for r in pending)
    assert {r.status for r in rows if r.fire_at <= clock.now} == {"skipped"}  # missed while away: not sent late
    assert ("d-3", date(2026, 12, 1), "skipped") in {(r.stage, r.day, r.status) for r in rows}
    with Session(core.engine) as s:
        actions = [e.action for e in s.exec(select(AuditEvent).where(AuditEvent.tenant_id == acme.id)).all()]
    assert actions[-2:] == ["slack.installed", "tenant.resumed"]

    oauth.api.clear()
    due = dispatcher(core, oauth.platform).run_pass(DUE_DAY)
    assert (due.sent, due.failed, due.retried) == (2, 0, 0)
    assert posted_with(oauth.api, new_token_a) == ["C0001"]
    assert posted_with(oauth.api, oauth.api.token_of(B)) == ["C0101"]


async def test_a_token_slack_refuses_suspends_the_team_once_without_retries(oauth: InstallDriver, core: Core) -> None:
    """The uninstall has happened at Slack but its event is not here yet: the first send finds out."""
    await oauth.install(A)
    await oauth.install(B, user="U0101")
    await ledger(oauth)
    dead = oauth.api.uninstall(B)  # no event sent
    oauth.api.clear()
    result = dispatcher(core, oauth.platform).run_pass(FIRST_REMINDER)
    assert (result.sent, result.parked, result.failed, result.retried) == (1, 1, 0, 0)
    assert tenant(core, B).suspended_at is not None
    assert {r.status for r in reminders(core, B)} == {"parked"}
    later = dispatcher(core, oauth.platform).run_pass(DUE_DAY)
    assert later.parked == 0 and later.retried == 0
    assert len([c for c in oauth.api.calls if c.token == dead]) == 1  # the one refused call, never again
    # the late app_uninstalled changes nothing more
    assert await oauth.event(lifecycle_event("event_app_uninstalled.json", B)) == 200
    assert {r.status for r in reminders(core, B)} == {"parked"}


async def test_tokens_revoked_for_the_bot_suspends_the_team_and_for_users_only_does_not(
        oauth: InstallDriver, core: Core) -> None:
    await oauth.install(A)
    await ledger_for_acme(oauth)
    users_only = lifecycle_event("event_tokens_revoked.json", A, tokens={"oauth": ["U0001"], "bot": []})
    assert await oauth.event(users_only) == 200
    assert tenant(core, A).suspended_at is None
    with Session(core.engine) as s:
        assert s.exec(select(SlackBot)).all() and not s.exec(select(SlackInstallation)).all()
    bot = lifecycle_event("event_tokens_revoked.json", A, tokens={"oauth": [], "bot": ["UBOTA"]})
    assert await oauth.event(bot) == 200
    assert tenant(core, A).suspended_at is not None
    assert {r.status for r in reminders(core, A)} == {"parked"}


async def ledger_for_acme(oauth: InstallDriver) -> None:
    await oauth.command('new HT-A-1 "License" Customer 1,000,000 CNY', team=A)
    await oauth.command("milestone HT-A-1 first payment 30% due next Friday owner <@U0001|alice>", team=A)


# -- the state: bound to the browser, good once ---------------------------------------------------------------


async def test_a_redirect_without_the_browsers_state_cookie_installs_nothing(oauth: InstallDriver,
                                                                            core: Core) -> None:
    oauth.api.approve(A)
    location, cookie = await oauth.start_install()
    back = await oauth.authorize(location)
    status, page = await oauth.come_back(back, None)  # someone else's browser
    assert status == 400 and "invalid_browser" in page and "未能安装" in page
    status, page = await oauth.come_back(back, "forged")
    assert status == 400
    assert oauth.api.calls_to("oauth.v2.access") == []
    with Session(core.engine) as s:
        assert s.exec(select(SlackBot)).all() == []


async def test_a_state_works_once_and_not_after_ten_minutes(oauth: InstallDriver, clock: Clock) -> None:
    oauth.api.approve(A)
    location, cookie = await oauth.start_install()
    back = await oauth.authorize(location)
    assert (await oauth.come_back(back, cookie))[0] == 200
    status, page = await oauth.come_back(back, cookie)  # the same redirect again
    assert status == 401 and "invalid_state" in page
    assert len(oauth.api.calls_to("oauth.v2.access")) == 1

    oauth.api.approve(B)
    location, cookie = await oauth.start_install()
    back = await oauth.authorize(location)
    clock.now += timedelta(minutes=10, seconds=1)
    status, page = await oauth.come_back(back, cookie)
    assert status == 401 and "invalid_state" in page


async def test_a_failed_code_exchange_shows_the_failure_page(oauth: InstallDriver) -> None:
    oauth.api.approve(A)
    location, cookie = await oauth.start_install()
    back = await oauth.authorize(location)
    oauth.api.fail("oauth.v2.access", "invalid_code")
    status, page = await oauth.come_back(back, cookie)
    assert status == 401 and "invalid_code" in page and INSTALL_PATH in page


async def test_with_slack_state_secret_the_state_is_signed_and_nothing_is_stored(core: Core,
                                                                               fake_api: FakeSlackAPI) -> None:
    fake_api.add_workspace(A, "Acme")
    settings = oauth_settings(fake_api, slack_state_secret="a-long-random-state-secret")
    platform = create(settings, core)
    service = Service(settings, core.engine, [platform])
    await service.start()
    try:
        async with aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar()) as session:
            driver = InstallDriver(platform, fake_api, session, service.port)
            assert "Acme" in await driver.install(A)
            fake_api.approve(A)
            location, cookie = await driver.start_install()
            back = await driver.authorize(location)
            tampered = back.replace("state=", "state=x")
            assert (await driver.come_back(tampered, "x" + cookie))[0] == 401
        with Session(core.engine) as s:
            assert s.exec(select(SlackOAuthState)).all() == []
            assert len(s.exec(select(SlackBot)).all()) == 1
    finally:
        await service.stop()


# -- settings and wiring --------------------------------------------------------------------------------------


def test_oauth_mode_needs_the_client_id_the_client_secret_and_the_signing_secret(core: Core,
                                                                                fake_api: FakeSlackAPI) -> None:
    settings = oauth_settings(fake_api)
    assert settings.slack_oauth_enabled and settings.slack_enabled
    single = settings_for(fake_api)
    assert single.slack_enabled and not single.slack_oauth_enabled
    with pytest.raises(ValueError, match="SLACK_CLIENT_SECRET is required"):
        create(oauth_settings(fake_api, slack_client_secret=None), core)
    with pytest.raises(ValueError, match="SLACK_SIGNING_SECRET is required"):
        create(oauth_settings(fake_api, slack_signing_secret=None), core)
    with pytest.raises(ValueError, match="SLACK_CLIENT_ID and SLACK_SIGNING_SECRET are required"):
        create(oauth_settings(fake_api, slack_client_id=None, slack_signing_secret=None), core)


def test_oauth_pages_are_served_in_socket_mode_too(core: Core, fake_api: FakeSlackAPI) -> None:
    platform = create(oauth_settings(fake_api, slack_app_token="xapp-1-test"), core)
    assert platform.mode == "socket" and platform.needs_http
    assert platform.routes == [INSTALL_PATH, REDIRECT_PATH]
    http = create(oauth_settings(fake_api), core)
    assert http.routes == ["/slack/events", INSTALL_PATH, REDIRECT_PATH]
    assert create(settings_for(fake_api), core).routes == ["/slack/events"]


def test_the_notifier_needs_the_database_in_oauth_mode(fake_api: FakeSlackAPI, core: Core) -> None:
    with pytest.raises(ValueError, match="engine"):
        make_slack_notifier(oauth_settings(fake_api))
    notifier = make_slack_notifier(oauth_settings(fake_api), core.engine)
    assert notifier.teams is not None and notifier.client is None
    # what `contractbot dispatch` builds from the registry
    assert ADAPTER.notifier is not None
    from_registry = ADAPTER.notifier(oauth_settings(fake_api), core.engine)
    assert isinstance(from_registry, SlackNotifier) and from_registry.teams is not None
