"""Fixtures for the Telegram adapter: a fake Bot API, settings pointing at it, the platform polling it."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from bot.config import Settings
from bot.telegram.limits import FloodLimiter
from bot.telegram.platform import TelegramPlatform, create
from handlers.core import Core
from tests.conftest import Clock
from tests.fakes.telegram_api import Call, FakeTelegram

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "telegram"

GROUP_ID = -1001234567890
LIWEI = {
    "id": 1111111,
    "is_bot": False,
    "first_name": "Li",
    "last_name": "Wei",
    "username": "liwei",
    "language_code": "zh-hans",
}
ZHANGSAN = {
    "id": 2222222,
    "is_bot": False,
    "first_name": "San",
    "last_name": "Zhang",
    "username": "zhangsan",
    "language_code": "zh-hans",
}
WANGWU = {
    "id": 3333333,
    "is_bot": False,
    "first_name": "Wu",
    "last_name": "Wang",
    "username": "wangwu",
    "language_code": "en",
}
GROUP = {"id": GROUP_ID, "type": "supergroup", "title": "销售合同群"}
OTHER_GROUP = {"id": -1009876543210, "type": "supergroup", "title": "采购合同群"}

_message_ids = iter(range(5000, 10_000_000))


def load(name: str) -> dict[str, Any]:
    """A sample update from tests/fixtures/telegram."""
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def private_chat(user: dict[str, Any]) -> dict[str, Any]:
    """The private chat of a user with the bot (its id is the user's id)."""
    return {
        "id": user["id"],
        "type": "private",
        "first_name": user["first_name"],
        "username": user.get("username"),
    }


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def message_update(
    text: str, *, chat: dict[str, Any] = GROUP, user: dict[str, Any] = LIWEI
) -> dict[str, Any]:
    """A message update shaped like the samples, with bot_command and mention entities as Telegram sets them."""
    update = copy.deepcopy(load("command_group.json"))
    msg = update["message"]
    msg.update(message_id=next(_message_ids), chat=chat, text=text, **{"from": user})
    entities = []
    if text.startswith("/"):
        entities.append({"type": "bot_command", "offset": 0, "length": _utf16_len(text.split()[0])})
    for m in re.finditer(r"(?<!\S)@\w+", text):
        entities.append(
            {"type": "mention", "offset": _utf16_len(text[: m.start()]), "length": _utf16_len(m.group())}
        )
    if entities:
        msg["entities"] = entities
    else:
        msg.pop("entities", None)
    return update


def press_update(data: str, message: dict[str, Any], *, user: dict[str, Any] = LIWEI) -> dict[str, Any]:
    """A button press on a message the bot sent (as the fake stored it)."""
    update = copy.deepcopy(load("callback_query.json"))
    q = update["callback_query"]
    q.update(data=data, message={k: v for k, v in message.items() if k != "html"}, **{"from": user})
    q["id"] = f"cq{next(_message_ids)}"
    return update


def buttons(params: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, callback_data) of every button of a sent or edited message."""
    markup = params.get("reply_markup") or {}
    return [(b["text"], b["callback_data"]) for row in markup.get("inline_keyboard", []) for b in row]


def fast_limiter() -> FloodLimiter:
    """Flood limits loose enough for quick tests (the real ones are tested on their own)."""
    return FloodLimiter(overall_per_second=1000, group_per_minute=100_000, chat_per_second=1000)


@pytest.fixture
def fake() -> Iterator[FakeTelegram]:
    server = FakeTelegram().start()
    yield server
    server.stop()


@pytest.fixture
def settings(fake: FakeTelegram) -> Settings:
    return Settings(_env_file=None, telegram_bot_token=fake.token, telegram_api_url=fake.base_url)  # type: ignore


@pytest.fixture
def core(engine: Engine, clock: Clock) -> Core:
    return Core(engine, clock=clock)


def make_platform(settings: Settings, core: Core) -> TelegramPlatform:
    """The platform as `contractbot run` builds it, with short polls and a loose limiter."""
    return create(settings, core, rate_limiter=fast_limiter(), poll_timeout=0.2)


@pytest.fixture
async def telegram(settings: Settings, core: Core) -> AsyncIterator[TelegramPlatform]:
    platform = make_platform(settings, core)
    await platform.start()
    yield platform
    await platform.stop()


async def say(
    fake: FakeTelegram,
    text: str,
    *,
    chat: dict[str, Any] = GROUP,
    user: dict[str, Any] = LIWEI,
    replies: int = 1,
) -> list[dict[str, Any]]:
    """User says ``text``; return the parameters of the bot's ``replies`` sendMessage calls."""
    mark = fake.mark()
    fake.push_update(message_update(text, chat=chat, user=user))
    calls: list[Call] = await fake.wait("sendMessage", replies, since=mark)
    return [c.params for c in calls]
