"""The bot's web server: calendar feeds by token (200 / identical 404s), the health check, start-up and settings."""

from __future__ import annotations

import asyncio
import re
import socket
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer
from icalendar import Calendar

from bot.config import Settings
from bot.http import NOT_FOUND, HttpServer, create_app
from handlers.core import Core
from handlers.ledger import calendar as feeds
from tests.chat import Chat
from tests.conftest import Clock

ROOT = Path(__file__).resolve().parents[2]
URL_RE = re.compile(r"https?://\S+(/calendar/[A-Za-z0-9_-]+\.ics)")


@pytest.fixture(autouse=True)
def base_url() -> Iterator[None]:
    feeds.set_base_url("https://bot.example.com")
    yield
    feeds.set_base_url(None)


@pytest.fixture
def chat(engine) -> Chat:  # type: ignore[no-untyped-def]
    c = Chat(Core(engine, clock=Clock(datetime(2027, 1, 2, 2, 0, tzinfo=UTC))))
    c.say('new HT-1 "Cloud platform" Acme 1000000 ends 2027-12-31 owner @alice')
    c.say("milestone HT-1 first payment 30% due 2027-01-10 owner @alice")
    c.say("milestone HT-1 delivery 2027-02-15 owner @carol")
    c.say('new HT-1 "Secret deal" Zeta 5000 ends 2027-12-31 owner @zoe', team="team-b", user="zoe")
    c.say("milestone HT-1 hidden payment 50% due 2027-01-05 owner @zoe", team="team-b", user="zoe")
    return c


def _path(out: str) -> str:
    m = URL_RE.search(out)
    assert m, out
    return m.group(1)


async def _client(chat: Chat) -> TestClient:
    client = TestClient(TestServer(create_app(chat.engine)))
    await client.start_server()
    return client


async def test_a_feed_is_served_as_text_calendar(chat: Chat) -> None:
    path = _path(chat.say("calendar"))
    client = await _client(chat)
    try:
        resp = await client.get(path)
        assert resp.status == 200
        assert resp.headers["Content-Type"] == "text/calendar; charset=utf-8"
        assert resp.headers["Referrer-Policy"] == "no-referrer"
        body = await resp.read()
        cal = Calendar.from_ical(body)
        summaries = sorted(str(e["summary"]) for e in cal.walk("VEVENT"))
        assert summaries == ["HT-1 first payment · Acme · 300,000.00 CNY owed", "HT-1 renewal notice · Acme"]
        again = Calendar.from_ical(await (await client.get(path)).read())
        uids = [str(e["uid"]) for e in cal.walk("VEVENT")]
        assert uids == [str(e["uid"]) for e in again.walk("VEVENT")]  # stable: apps update, never duplicate
        assert all(re.fullmatch(r"milestone-\d+@contractbot", u) for u in uids)
        health = await client.get("/healthz")
        assert health.status == 200 and (await health.json())["status"] == "ok"
    finally:
        await client.close()


async def test_wrong_and_revoked_tokens_get_the_same_404(chat: Chat) -> None:
    old = _path(chat.say("calendar"))
    client = await _client(chat)
    try:
        answers = []
        for path in ("/calendar/" + "A" * 43 + ".ics", "/calendar/short.ics", old.replace(".ics", "x.ics")):
            resp = await client.get(path)
            answers.append((resp.status, await resp.text(), resp.headers["Content-Type"]))
        new = _path(chat.say("calendar reset"))  # the old link is revoked
        resp = await client.get(old)
        answers.append((resp.status, await resp.text(), resp.headers["Content-Type"]))
        assert set(answers) == {(404, NOT_FOUND, "text/plain; charset=utf-8")}
        assert (await client.get(new)).status == 200
    finally:
        await client.close()


async def test_a_token_never_shows_another_teams_milestones(chat: Chat) -> None:
    path_a = _path(chat.say("calendar"))
    team_a = _path(chat.say("calendar team"))
    path_b = _path(chat.say("calendar", team="team-b", user="zoe"))
    client = await _client(chat)
    try:
        for path in (path_a, team_a):
            text = await (await client.get(path)).text()
            assert "Cloud platform" in text and "Secret deal" not in text and "hidden payment" not in text
        text_b = await (await client.get(path_b)).text()
        assert "hidden payment" in text_b and "Cloud platform" not in text_b and "Acme" not in text_b
    finally:
        await client.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_server_starts_on_a_port_and_stops_cleanly(chat: Chat) -> None:
    path = _path(chat.say("calendar"))
    server = HttpServer(chat.engine, host="127.0.0.1", port=0)
    await server.start()
    try:
        async with aiohttp.ClientSession() as http:
            async with http.get(f"http://127.0.0.1:{server.port}{path}") as resp:
                assert resp.status == 200 and "BEGIN:VCALENDAR" in await resp.text()
    finally:
        await server.stop()
    with pytest.raises(aiohttp.ClientConnectionError):
        async with aiohttp.ClientSession() as http:
            await http.get(f"http://127.0.0.1:{server.port}/healthz")


async def test_run_serves_feeds_next_to_the_platforms_and_stops_with_them(chat: Chat) -> None:
    from bot.runner import serve

    port = _free_port()
    settings = Settings(_env_file=None, port=port, http_host="127.0.0.1",  # type: ignore[call-arg]
                        database_url=str(chat.engine.url))
    stop = asyncio.Event()
    task = asyncio.create_task(serve(settings, chat.engine, chat.core, stop))
    try:
        for _ in range(100):
            try:
                async with aiohttp.ClientSession() as http, http.get(f"http://127.0.0.1:{port}/healthz") as resp:
                    assert resp.status == 200
                    break
            except aiohttp.ClientConnectionError:
                await asyncio.sleep(0.05)
        else:
            raise AssertionError("the web server did not start")
    finally:
        stop.set()
        await asyncio.wait_for(task, 10)
    with pytest.raises(aiohttp.ClientConnectionError):
        async with aiohttp.ClientSession() as http:
            await http.get(f"http://127.0.0.1:{port}/healthz")


async def test_a_taken_port_leaves_the_bot_running_without_feeds(chat: Chat, caplog: pytest.LogCaptureFixture) -> None:
    from bot.runner import Service

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        settings = Settings(_env_file=None, port=port, http_host="127.0.0.1")  # type: ignore[call-arg]
        service = Service(settings, chat.engine, [])  # no platform needs the server: polling, Socket Mode
        await service.start()
        await service.stop()
    assert "web server is off" in caplog.text


def test_settings_for_the_web_server(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("PORT", "CONTRACTBOT_HTTP_PORT", "CONTRACTBOT_PUBLIC_URL"):
        monkeypatch.delenv(name, raising=False)
    s = Settings(_env_file=None)  # type: ignore[call-arg]
    assert s.port == 3000 and s.public_url == "http://localhost:3000"  # one server: PORT
    monkeypatch.setenv("CONTRACTBOT_HTTP_PORT", "9090")  # the calendar feeds' old setting is an alias of PORT
    s = Settings(_env_file=None)  # type: ignore[call-arg]
    assert s.port == 9090 and s.http_port == 9090 and s.public_url == "http://localhost:9090"
    monkeypatch.setenv("PORT", "8080")  # PORT wins
    monkeypatch.setenv("CONTRACTBOT_PUBLIC_URL", "https://contracts.example.com")
    s = Settings(_env_file=None)  # type: ignore[call-arg]
    assert s.port == 8080 and s.public_url == "https://contracts.example.com"
    lines = (ROOT / ".env.example").read_text(encoding="utf-8").splitlines()
    assert "PORT=3000" in lines and "CONTRACTBOT_PUBLIC_URL=http://localhost:3000" in lines
    assert not any(line.startswith(("CONTRACTBOT_HTTP_PORT=", "TELEGRAM_WEBHOOK_PORT=")) for line in lines)


def test_the_cli_hands_the_public_url_to_the_core(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.cli import main

    monkeypatch.setenv("CONTRACTBOT_PUBLIC_URL", "https://contracts.example.com/")
    assert main(["migrate", "--db", f"sqlite:///{tmp_path / 'cli.db'}"]) == 0
    assert feeds.feed_url("T" * 43) == "https://contracts.example.com/calendar/" + "T" * 43 + ".ics"
