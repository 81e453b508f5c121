"""Fixtures for the Feishu adapter: a fake open platform, the bot's web server with /feishu/events, and helpers
that post what Feishu posts (the documented shapes, encrypted and signed) and wait for what the bot sends."""

from __future__ import annotations

import copy
import html
import itertools
import json
import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest
from sqlalchemy.engine import Engine

from bot.config import Settings
from bot.feishu.limits import Pacer
from bot.feishu.platform import FeishuPlatform, create
from bot.runner import Service
from handlers.core import Core
from tests.conftest import Clock
from tests.fakes.feishu_api import APP_ID, APP_SECRET, BOT_NAME, BOT_OPEN_ID, Call, FakeFeishu, event_request, fixture

VERIFICATION_TOKEN = "v3rificati0n-token-for-tests"
ENCRYPT_KEY = "encrypt-key-for-tests-0123456789"

GROUP = "oc_5ce6d572455d361153b7xx51da133945"
OTHER_GROUP = "oc_e4d2605ca917e695f54f11aaf56a1b2c"
LIWEI = "ou_84aad35d084aa403a838cf73ee18467"
ZHANGSAN = "ou_7dab8a3d3cdcc9da365777c7ad535d62"
WANGWU = "ou_3c14f3a59eaf2825dbe25359f15d1c2b"
# who a test can @mention by name: the message gets a real mention (placeholder + mentions entry)
PEOPLE = {"李伟": LIWEI, "张三": ZHANGSAN, "王五": WANGWU}

_ids = itertools.count(1)


def message_event(text: str, *, chat: str = GROUP, user: str = LIWEI, p2p: bool = False, to_bot: bool = True,
                  locale: str = "zh_CN", message_id: str | None = None) -> dict[str, Any]:
    """``im.message.receive_v1`` as in the docs: ``@张三`` in ``text`` becomes a real mention of 张三, and a group
    message starts with the bot's mention unless ``to_bot`` is False."""
    event = copy.deepcopy(fixture("message_p2p.json" if p2p else "message_group_mention.json"))
    n = next(_ids)
    event["header"].update(event_id=f"ev{n:06d}", token=VERIFICATION_TOKEN, app_id=APP_ID)
    event["event"]["sender"]["sender_id"]["open_id"] = user
    mentions: list[dict[str, Any]] = []

    def mention(open_id: str, name: str) -> str:
        key = f"@_user_{len(mentions) + 1}"
        mentions.append({"key": key, "id": {"union_id": "on_x", "user_id": "", "open_id": open_id}, "name": name,
                         "tenant_key": "736588c9260f175e"})
        return key

    body = text
    prefix = mention(BOT_OPEN_ID, BOT_NAME) + " " if to_bot and not p2p else ""
    body = re.sub(r"@(" + "|".join(PEOPLE) + ")", lambda m: mention(PEOPLE[m.group(1)], m.group(1)), body)
    message = event["event"]["message"]
    message.update(message_id=message_id or f"om_test{n:06d}", chat_id=FakeFeishu.p2p_chat(user) if p2p else chat,
                   content=json.dumps({"text": prefix + body}, ensure_ascii=False), mentions=mentions)
    message["user_agent"] = re.sub(r"LarkLocale/\S+", f"LarkLocale/{locale}", message["user_agent"])
    return event


def file_event(fake: FakeFeishu, name: str, data: bytes, *, user: str = LIWEI, p2p: bool = True,
               chat: str = GROUP, locale: str = "zh_CN", sent_ms: int | None = None) -> dict[str, Any]:
    """Someone sends a file (Feishu keeps it: ``fake.send_file``) and ``im.message.receive_v1`` tells the bot."""
    event = copy.deepcopy(fixture("message_file.json"))
    n = next(_ids)
    chat_id = FakeFeishu.p2p_chat(user) if p2p else chat
    message_id, file_key = fake.send_file(chat_id, user, name, data)
    event["header"].update(event_id=f"ev{n:06d}", token=VERIFICATION_TOKEN, app_id=APP_ID)
    event["event"]["sender"]["sender_id"]["open_id"] = user
    message = event["event"]["message"]
    message.update(message_id=message_id, chat_id=chat_id, chat_type="p2p" if p2p else "group",
                   content=json.dumps({"file_key": file_key, "file_name": name}, ensure_ascii=False))
    if sent_ms is not None:
        message["create_time"] = message["update_time"] = str(sent_ms)
    message["user_agent"] = re.sub(r"LarkLocale/\S+", f"LarkLocale/{locale}", message["user_agent"])
    return event


def reply_event(text: str, parent_id: str, *, user: str = ZHANGSAN, chat: str = GROUP) -> dict[str, Any]:
    """``@bot <text>`` in a group as a reply to the message ``parent_id`` (root_id and parent_id set)."""
    event = copy.deepcopy(fixture("message_reply.json"))
    n = next(_ids)
    event["header"].update(event_id=f"ev{n:06d}", token=VERIFICATION_TOKEN, app_id=APP_ID)
    event["event"]["sender"]["sender_id"]["open_id"] = user
    message = event["event"]["message"]
    message.update(message_id=f"om_reply{n:06d}", root_id=parent_id, parent_id=parent_id, chat_id=chat,
                   content=json.dumps({"text": f"@_user_1 {text}"}, ensure_ascii=False))
    return event


def press_event(card_value: dict[str, Any], *, message_id: str, chat: str = GROUP, user: str = ZHANGSAN,
                tag: str = "button", option: str | None = None, input_value: str | None = None,
                event_id: str | None = None) -> dict[str, Any]:
    """``card.action.trigger`` as in the docs, for a control of a card the bot sent."""
    event = copy.deepcopy(fixture("card_action.json"))
    event["header"].update(event_id=event_id or f"cb{next(_ids):06d}", token=VERIFICATION_TOKEN, app_id=APP_ID)
    event["event"]["operator"]["open_id"] = user
    action: dict[str, Any] = {"value": card_value, "tag": tag}
    if option is not None:
        action["option"] = option
    if input_value is not None:
        action["input_value"] = input_value
    event["event"]["action"] = action
    event["event"]["context"] = {"open_message_id": message_id, "open_chat_id": chat}
    return event


def controls(card: dict[str, Any]) -> list[dict[str, Any]]:
    """Every interactive control of a card: the buttons, pickers and inputs of its action modules."""
    return [c for element in card.get("elements", []) if element.get("tag") == "action" for c in element["actions"]]


def label(control: dict[str, Any]) -> str:
    """A control's text: a button's label, a picker's or an input's placeholder."""
    return str((control.get("text") or control.get("placeholder") or {}).get("content", ""))


def control(card: dict[str, Any], text: str) -> dict[str, Any]:
    """The control whose label starts with ``text``."""
    return next(c for c in controls(card) if label(c).startswith(text))


def card_text(card: dict[str, Any]) -> str:
    """Everything a card shows, as one string (header, fields, lines, notes), character references read."""
    return html.unescape(json.dumps(card, ensure_ascii=False))


def markdown_of(card: dict[str, Any]) -> list[str]:
    """The lark_md contents of a card: the only text Feishu reads markup in."""
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("tag") == "lark_md":
                found.append(str(node.get("content", "")))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(card)
    return found


@dataclass
class Feishu:
    """The running bot (web server + platform) and Feishu's side of it."""

    fake: FakeFeishu
    platform: FeishuPlatform
    service: Service
    encrypt_key: str | None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.service.port}/feishu/events"

    async def post(self, event: dict[str, Any], **kw: Any) -> tuple[int, Any]:
        """Post an event as Feishu does (encrypted and signed when the app has an Encrypt Key)."""
        body, headers = event_request(event, encrypt_key=kw.pop("encrypt_key", self.encrypt_key), **kw)
        return await self.post_raw(body, headers)

    async def post_raw(self, body: bytes, headers: dict[str, str]) -> tuple[int, Any]:
        async with aiohttp.ClientSession() as http, http.post(self.url, data=body, headers=headers) as resp:
            text = await resp.text()
            try:
                return resp.status, json.loads(text)
            except ValueError:
                return resp.status, text

    async def say(self, text: str, **kw: Any) -> list[Call]:
        """Someone writes to the bot; every call the bot made because of it, once everything is applied and sent."""
        mark = self.fake.mark()
        status, answer = await self.post(message_event(text, **kw))
        assert (status, answer) == (200, {})
        await self.platform.idle()
        return [c for c in self.fake.requests(since=mark) if c.kind in ("send", "ephemeral", "patch")]

    async def deliver(self, event: dict[str, Any]) -> list[Call]:
        """Post any message event (a file, a reply); the sends, private notes and edits it caused."""
        mark = self.fake.mark()
        status, answer = await self.post(event)
        assert (status, answer) == (200, {})
        await self.platform.idle()
        return [c for c in self.fake.requests(since=mark) if c.kind in ("send", "ephemeral", "patch")]

    async def press(self, event: dict[str, Any]) -> list[Call]:
        """Someone presses a control on a card; the calls it caused."""
        mark = self.fake.mark()
        status, answer = await self.post(event)
        assert (status, answer) == (200, {})
        await self.platform.idle()
        return [c for c in self.fake.requests(since=mark) if c.kind in ("send", "ephemeral", "patch")]


def fast_pacer() -> Pacer:
    """Limits loose enough for quick tests (the pacing is tested on its own)."""
    return Pacer(overall_per_second=1000, chat_per_second=1000)


@pytest.fixture
def fake() -> Iterator[FakeFeishu]:
    server = FakeFeishu().start()
    for name, open_id in PEOPLE.items():
        server.add_person(open_id, name)
    server.add_chat(GROUP, "销售合同群")
    server.add_chat(OTHER_GROUP, "采购合同群")
    yield server
    server.stop()


def feishu_settings(fake: FakeFeishu, *, encrypt_key: str | None = ENCRYPT_KEY, **overrides: Any) -> Settings:
    values: dict[str, Any] = {"feishu_app_id": APP_ID, "feishu_app_secret": APP_SECRET,
                              "feishu_verification_token": VERIFICATION_TOKEN, "feishu_encrypt_key": encrypt_key,
                              "feishu_api_url": fake.base_url, "port": 0, "http_host": "127.0.0.1"}
    return Settings(_env_file=None, **{**values, **overrides})  # type: ignore[call-arg]


@pytest.fixture
def settings(fake: FakeFeishu) -> Settings:
    return feishu_settings(fake)


@pytest.fixture
def core(engine: Engine, clock: Clock) -> Core:
    return Core(engine, clock=clock)


async def running(settings: Settings, core: Core, fake: FakeFeishu) -> Feishu:
    """The platform inside the bot's web server, as `contractbot run` starts it."""
    platform = create(settings, core, pacer=fast_pacer())
    service = Service(settings, core.engine, [platform])
    await service.start()
    return Feishu(fake, platform, service, settings.feishu_encrypt_key)


@pytest.fixture
async def feishu(settings: Settings, core: Core, fake: FakeFeishu) -> AsyncIterator[Feishu]:
    bot = await running(settings, core, fake)
    yield bot
    await bot.service.stop()
