"""`contractbot run` wiring: which mode Slack starts in, start() returning at once, stop() letting go."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from slack_sdk.errors import SlackApiError

from bot.runner import Service, create_platforms
from bot.slack.platform import SlackPlatform, create
from handlers.core import Core
from tests.bot.slack.conftest import fixture_form, settings_for
from tests.fakes.slack_api import RESPOND, FakeSlackAPI


def test_runner_starts_slack_when_its_token_is_set(core: Core, fake_api: FakeSlackAPI) -> None:
    [platform] = create_platforms(settings_for(fake_api), core)
    assert isinstance(platform, SlackPlatform) and platform.name == "slack" and platform.mode == "http"
    [platform] = create_platforms(settings_for(fake_api, slack_app_token="xapp-1-test"), core)
    assert platform.mode == "socket"
    assert create_platforms(settings_for(fake_api, slack_bot_token=None), core) == []


def test_http_mode_needs_the_signing_secret(core: Core, fake_api: FakeSlackAPI) -> None:
    with pytest.raises(ValueError, match="SLACK_SIGNING_SECRET"):
        create(settings_for(fake_api, slack_signing_secret=None), core)
    create(settings_for(fake_api, slack_signing_secret=None, slack_app_token="xapp-1-test"), core)  # socket: fine


async def test_http_mode_serves_slack_events_on_the_one_web_server_and_stops(core: Core,
                                                                            fake_api: FakeSlackAPI) -> None:
    settings = settings_for(fake_api)
    platform = create(settings, core)
    assert platform.needs_http
    service = Service(settings, core.engine, [platform])
    await asyncio.wait_for(service.start(), 5)  # returns once serving
    base = f"http://127.0.0.1:{service.port}"
    async with aiohttp.ClientSession() as session:
        async with session.post(f"{base}/slack/events", data="x") as resp:
            assert resp.status == 401  # unsigned
        async with session.get(f"{base}/healthz") as resp:  # the same server serves the rest
            assert resp.status == 200
        await asyncio.wait_for(service.stop(), 5)
        with pytest.raises(aiohttp.ClientConnectionError):
            async with session.post(f"{base}/slack/events", data="x"):
                pass


def test_socket_mode_needs_no_web_server(core: Core, fake_api: FakeSlackAPI) -> None:
    platform = create(settings_for(fake_api, slack_app_token="xapp-1-test"), core)
    assert not platform.needs_http
    app = web.Application()
    platform.add_routes(app)
    assert not [r for r in app.router.routes() if r.resource and r.resource.canonical == "/slack/events"]


# -- Socket Mode against a local WebSocket server ---------------------------------------------------------------


class SocketServer:
    """Plays Slack's Socket Mode endpoint: hello, then the envelopes we queue; records the acks."""

    def __init__(self) -> None:
        self.outgoing: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.acks: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.url = ""

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await ws.send_json({"type": "hello", "num_connections": 1, "connection_info": {"app_id": "A0001"},
                            "debug_info": {"host": "local-test"}})
        sender = asyncio.ensure_future(self._send(ws))
        try:
            async for msg in ws:
                if msg.type == aiohttp.WSMsgType.TEXT:
                    self.acks.put_nowait(json.loads(msg.data))
        finally:
            sender.cancel()
        return ws

    async def _send(self, ws: web.WebSocketResponse) -> None:
        while True:
            await ws.send_json(await self.outgoing.get())


@pytest.fixture
async def socket_server() -> AsyncIterator[SocketServer]:
    server = SocketServer()
    app = web.Application()
    app.router.add_get("/link", server.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    server.url = f"ws://127.0.0.1:{runner.addresses[0][1]}/link"
    yield server
    await runner.cleanup()


async def test_socket_mode_runs_a_command(core: Core, fake_api: FakeSlackAPI, socket_server: SocketServer) -> None:
    fake_api.socket_url = socket_server.url
    platform = create(settings_for(fake_api, slack_app_token="xapp-1-test", slack_signing_secret=None), core)
    await asyncio.wait_for(platform.start(), 5)  # connect, do not block
    try:
        [opened] = fake_api.calls_to("apps.connections.open")
        assert opened.token == "xapp-1-test"
        form = fixture_form("slash_command.form")
        form.update(text='new HT-2026-001 "Acme annual license" Acme Corp 1,200,000 CNY',
                    response_url=fake_api.response_url("commands/socket"))
        socket_server.outgoing.put_nowait({"envelope_id": "env-1", "type": "slash_commands",
                                           "accepts_response_payload": True, "payload": form})
        ack = await asyncio.wait_for(socket_server.acks.get(), 5)
        assert ack["envelope_id"] == "env-1"
        [reply] = await fake_api.wait_for(RESPOND)
        assert reply.params["response_type"] == "in_channel"
        assert "Contract HT-2026-001 created" in reply.params["text"]
    finally:
        await asyncio.wait_for(platform.stop(), 5)


async def test_socket_mode_with_a_bad_app_token_fails_to_start(core: Core, fake_api: FakeSlackAPI) -> None:
    fake_api.fail("apps.connections.open", "invalid_auth")
    platform = create(settings_for(fake_api, slack_app_token="xapp-1-wrong"), core)
    with pytest.raises(SlackApiError):
        await asyncio.wait_for(platform.start(), 5)
    await platform.stop()
