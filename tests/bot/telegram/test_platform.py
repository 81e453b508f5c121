"""Telegram inside `contractbot run`: polling by default, webhook with a secret, restarts, the menu."""

from __future__ import annotations

import asyncio
import time

import aiohttp
import pytest

from bot.config import Settings
from bot.runner import Service
from bot.telegram.limits import FloodLimiter
from bot.telegram.notifier import make_bot
from bot.telegram.platform import TelegramPlatform, create
from handlers.core import Core
from tests.bot.telegram.conftest import GROUP_ID, make_platform, message_update, say
from tests.fakes.telegram_api import FakeTelegram

SECRET = "s3cret_Token-1"


async def test_start_publishes_the_menu_in_english_and_chinese(
    fake: FakeTelegram, telegram: TelegramPlatform
) -> None:
    menus = {c.params.get("language_code"): c.params["commands"] for c in fake.requests("setMyCommands")}
    assert set(menus) == {None, "zh"}
    assert [c["command"] for c in menus[None]] == ["contract", "new", "milestone", "done", "list", "import", "help"]
    assert [c["command"] for c in menus["zh"]] == [c["command"] for c in menus[None]]
    assert menus["zh"][0]["description"] != menus[None][0]["description"]


async def test_polling_keeps_pending_updates_and_asks_only_for_what_it_handles(
    fake: FakeTelegram, telegram: TelegramPlatform
) -> None:
    [delete] = fake.requests("deleteWebhook")  # polling needs no webhook; nothing is dropped on the way
    assert not delete.params.get("drop_pending_updates")
    [poll] = await fake.wait("getUpdates")
    assert poll.params["allowed_updates"] == ["message", "callback_query"]
    assert poll.params["timeout"] == 0.2  # long polling (30 s in production)


async def test_updates_sent_while_the_bot_was_down_are_processed_on_restart(
    fake: FakeTelegram, settings: Settings, core: Core
) -> None:
    first = make_platform(settings, core)
    await first.start()
    await say(fake, "/contract 新建 HT-2026-002 华为云采购 华为 120万 到期 2027年12月31日")
    await first.stop()

    fake.push_update(message_update("/contract 查看 HT-2026-002"))  # arrives during downtime
    mark = fake.mark()
    second = make_platform(settings, core)
    await second.start()
    try:
        [call] = await fake.wait("sendMessage", since=mark)
        assert "华为云采购" in call.params["text"]
        await asyncio.sleep(0.3)
        assert len(fake.requests("sendMessage", since=mark)) == 1  # the earlier command was not run twice
    finally:
        await second.stop()


def webhook_settings(fake: FakeTelegram, secret: str | None = SECRET) -> Settings:
    return Settings(
        _env_file=None,
        telegram_bot_token=fake.token,
        telegram_api_url=fake.base_url,  # type: ignore[call-arg]
        telegram_webhook_url="https://bot.example.com",
        telegram_webhook_secret=secret,
        port=0,
        http_host="127.0.0.1",
    )


async def test_webhook_needs_the_secret_header(fake: FakeTelegram, core: Core) -> None:
    settings = webhook_settings(fake)
    platform = make_platform(settings, core)
    service = Service(settings, core.engine, [platform])  # the webhook is a route of the bot's one web server
    await service.start()
    try:
        assert fake.webhook["url"] == "https://bot.example.com/telegram/webhook"
        assert fake.webhook["secret_token"] == SECRET
        url = f"http://127.0.0.1:{service.port}/telegram/webhook"
        update = message_update("/contract 新建 HT-2026-002 华为云采购 华为 120万 到期 2027年12月31日")
        update["update_id"] = fake.next_update_id()
        mark = fake.mark()
        async with aiohttp.ClientSession() as http:
            async with http.post(url, json=update) as r:
                assert r.status == 403
            async with http.post(url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "wrong"}) as r:
                assert r.status == 403
            await asyncio.sleep(0.2)
            assert not fake.requests("sendMessage", since=mark)  # refused requests did nothing
            async with http.post(url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}) as r:
                assert r.status == 200
        [call] = await fake.wait("sendMessage", since=mark)
        assert call.params["chat_id"] == GROUP_ID and "已创建合同 HT-2026-002" in call.params["text"]
        assert not fake.requests("getUpdates")  # webhook mode does not poll
    finally:
        await service.stop()


def test_webhook_mode_refuses_to_start_without_a_valid_secret(fake: FakeTelegram, core: Core) -> None:
    with pytest.raises(ValueError, match="TELEGRAM_WEBHOOK_SECRET"):
        create(webhook_settings(fake, secret=None), core)
    with pytest.raises(ValueError, match="TELEGRAM_WEBHOOK_SECRET"):
        create(webhook_settings(fake, secret="has spaces"), core)


async def test_flood_limiter_spaces_messages_to_one_chat(fake: FakeTelegram, settings: Settings) -> None:
    bot = make_bot(settings, rate_limiter=FloodLimiter(chat_per_second=10))
    async with bot:
        started = time.monotonic()
        await asyncio.gather(*(bot.send_message(GROUP_ID, f"m{i}") for i in range(3)))
        one_chat = time.monotonic() - started
        started = time.monotonic()
        await asyncio.gather(*(bot.send_message(-100 - i, f"m{i}") for i in range(3)))
        many_chats = time.monotonic() - started
    assert one_chat >= 0.18  # 3 messages at 10/s: two waits of 0.1 s
    assert many_chats < one_chat


async def test_flood_limiter_holds_everything_after_a_429_and_retries_replies(
    fake: FakeTelegram, settings: Settings
) -> None:
    bot = make_bot(settings, rate_limiter=FloodLimiter())
    async with bot:
        fake.rate_limit(1)
        started = time.monotonic()
        await bot.send_message(
            GROUP_ID, "hello", rate_limit_args=1
        )  # one retry allowed: waits, then succeeds
        assert time.monotonic() - started >= 1.0
    assert [c.params["text"] for c in fake.requests("sendMessage")] == ["hello", "hello"]
