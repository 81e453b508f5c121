"""Fixtures: the fake Slack API, the Slack platform in HTTP mode against it, and a driver that signs requests."""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

import aiohttp
import pytest
from sqlalchemy.engine import Engine

from bot.config import Settings
from bot.runner import Service
from bot.slack.platform import SlackPlatform, create
from handlers.core import Core
from tests.conftest import Clock
from tests.fakes.slack_api import RESPOND, Call, FakeSlackAPI

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "slack"
SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
TOKEN = "xoxb-test-token"


def fixture_json(name: str) -> dict[str, Any]:
    """A payload from tests/fixtures/slack, as a fresh dict to vary."""
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def fixture_form(name: str) -> dict[str, str]:
    """A form-encoded payload from tests/fixtures/slack, as a dict."""
    return dict(parse_qsl((FIXTURES / name).read_text(encoding="utf-8").strip(), keep_blank_values=True))


def signature(body: str, timestamp: int, secret: str = SECRET) -> str:
    """Slack's request signature: v0= + HMAC-SHA256 of 'v0:{timestamp}:{body}'."""
    return "v0=" + hmac.new(secret.encode(), f"v0:{timestamp}:{body}".encode(), hashlib.sha256).hexdigest()


def settings_for(api: FakeSlackAPI, **overrides: Any) -> Settings:
    """Settings for Slack in HTTP mode against the fake, ignoring any .env and SLACK_* environment."""
    values: dict[str, Any] = {"slack_bot_token": TOKEN, "slack_signing_secret": SECRET, "slack_app_token": None,
                              "slack_api_url": api.url, "port": 0, "http_host": "127.0.0.1",
                              "telegram_bot_token": None}
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


class SlackDriver:
    """Sends what Slack would send (signed), and reads what the bot did (the fake's records, the DB)."""

    def __init__(self, platform: SlackPlatform, api: FakeSlackAPI, session: aiohttp.ClientSession,
                 port: int) -> None:
        self.platform = platform
        self.api = api
        self.session = session
        self.port = port
        self._n = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/slack/events"

    async def post(self, body: str, *, content_type: str, timestamp: int | None = None, secret: str = SECRET,
                   headers: dict[str, str] | None = None) -> tuple[int, str]:
        ts = int(time.time()) if timestamp is None else timestamp
        sent = {"Content-Type": content_type, "X-Slack-Request-Timestamp": str(ts),
                "X-Slack-Signature": signature(body, ts, secret), **(headers or {})}
        async with self.session.post(self.url, data=body.encode(), headers=sent) as resp:
            return resp.status, await resp.text()

    # -- commands --------------------------------------------------------------------------------------

    def command_form(self, text: str, *, team: str = "T0001", user: str = "U0001", user_name: str = "alice",
                     channel: str = "C0001", enterprise: str | None = None) -> dict[str, str]:
        self._n += 1
        form = fixture_form("slash_command.form")
        form.update(text=text, team_id=team, user_id=user, user_name=user_name, channel_id=channel,
                    response_url=self.api.response_url(f"commands/{team}/{self._n}"),
                    trigger_id=f"{self._n}.{int(time.time())}.test")  # unique per invocation, as Slack makes it
        if enterprise:
            form["enterprise_id"] = enterprise
        return form

    async def send_command(self, text: str, **kw: Any) -> int:
        """POST `/contract <text>` (text as Slack encodes it); return the HTTP status only."""
        status, _ = await self.post(urlencode(self.command_form(text, **kw)),
                                    content_type="application/x-www-form-urlencoded")
        return status

    async def command(self, text: str, **kw: Any) -> list[Call]:
        """`/contract <text>`: wait for the work after ack and return what went to the response_url."""
        before = len(self.api.calls_to(RESPOND))
        status = await self.send_command(text, **kw)
        assert status == 200, status
        await self.platform.idle()
        return self.api.calls_to(RESPOND)[before:]

    # -- interactivity ---------------------------------------------------------------------------------

    def click_payload(self, action: dict[str, Any], *, team: str = "T0001", user: str = "U0002",
                      channel: str = "C0001", ts: str = "1764200000.000100") -> dict[str, Any]:
        payload = fixture_json("block_actions.json")
        payload["user"].update(id=user, team_id=team)
        payload["team"]["id"] = team
        payload["container"].update(channel_id=channel, message_ts=ts)
        payload["channel"]["id"] = channel
        payload["message"]["ts"] = ts
        self._n += 1
        payload["response_url"] = self.api.response_url(f"actions/{team}/{self._n}")
        payload["actions"] = [{"block_id": "reminder_actions_0", "action_ts": "1764200100.194939", **action}]
        return payload

    async def send_payload(self, payload: dict[str, Any], **kw: Any) -> int:
        status, _ = await self.post(urlencode({"payload": json.dumps(payload)}),
                                    content_type="application/x-www-form-urlencoded", **kw)
        return status

    async def click(self, action: dict[str, Any], **kw: Any) -> int:
        """A block_actions POST for one element; waits for the work after ack."""
        status = await self.send_payload(self.click_payload(action, **kw))
        await self.platform.idle()
        return status

    # -- events ----------------------------------------------------------------------------------------

    async def event(self, payload: dict[str, Any], *, retry_num: int | None = None) -> int:
        headers = {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": "http_timeout"} if retry_num else {}
        status, _ = await self.post(json.dumps(payload), content_type="application/json", headers=headers)
        await self.platform.idle()
        return status


@pytest.fixture
def fake_api() -> Iterator[FakeSlackAPI]:
    with FakeSlackAPI() as api:
        yield api


@pytest.fixture
def core(engine: Engine, clock: Clock) -> Core:
    return Core(engine, clock=clock)


@pytest.fixture
async def slack(core: Core, fake_api: FakeSlackAPI) -> AsyncIterator[SlackDriver]:
    """Slack in HTTP mode on the bot's web server (a free port), as `contractbot run` serves it."""
    settings = settings_for(fake_api)
    platform = create(settings, core)
    service = Service(settings, core.engine, [platform])
    await service.start()
    async with aiohttp.ClientSession() as session:
        yield SlackDriver(platform, fake_api, session, service.port)
    await service.stop()


def blocks_text(blocks: list[dict[str, Any]]) -> str:
    """All text inside blocks, in order (headers, sections, fields, context)."""
    out: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") in ("plain_text", "mrkdwn") and isinstance(node.get("text"), str):
                out.append(node["text"])
                return
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(blocks)
    return "\n".join(out)


def elements(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The interactive elements of every actions block."""
    return [e for b in blocks if b.get("type") == "actions" for e in b["elements"]]


def element(blocks: list[dict[str, Any]], kind: str) -> dict[str, Any]:
    """The element whose action id is contract:<kind>:…"""
    [found] = [e for e in elements(blocks) if e["action_id"].split(":")[1] == kind]
    return copy.deepcopy(found)
