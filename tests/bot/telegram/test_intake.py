"""The inbox and the reply outbox in one process: updates stored before they are acknowledged, retries applied
once, junk refused with 400, replies that wait for a group's flood limit kept as rows (and sent after a restart),
429s rescheduled in order, long replies within Telegram's 4,096 characters."""

from __future__ import annotations

import asyncio
import logging
import re
import time
from typing import Any

import aiohttp
import pytest
from sqlmodel import Session, select

from bot.config import Settings
from bot.runner import Service
from bot.telegram.limits import FloodLimiter
from bot.telegram.platform import TelegramPlatform, create
from handlers.core import Core
from handlers.replies import Reply
from storage.models import Contract, InboxItem, OutboxMessage
from tests.bot.telegram.conftest import GROUP, GROUP_ID, LIWEI, fast_limiter, make_platform, message_update
from tests.bot.telegram.test_platform import SECRET, webhook_settings
from tests.fakes.core_spy import spy_on_core
from tests.fakes.telegram_api import FakeTelegram

HEADERS = {"X-Telegram-Bot-Api-Secret-Token": SECRET}


def new_contract(i: int, chat: dict[str, Any] = GROUP) -> dict[str, Any]:
    return message_update(f'/contract new HT-{i:03d} "Deal {i}" Acme 1000 CNY', chat=chat)


def rows(core: Core, model: type[InboxItem] | type[OutboxMessage]) -> list[Any]:
    with Session(core.engine) as s:
        return list(s.exec(select(model).order_by(model.id)).all())  # type: ignore[arg-type]


def contracts(core: Core) -> list[str]:
    with Session(core.engine) as s:
        return sorted(c.number for c in s.exec(select(Contract)).all())


async def webhook_service(fake: FakeTelegram, core: Core, **overrides: Any) -> tuple[Service, TelegramPlatform]:
    settings = webhook_settings(fake).model_copy(update=overrides)
    platform = make_platform(settings, core)
    service = Service(settings, core.engine, [platform])
    await service.start()
    return service, platform


async def test_webhook_refuses_json_that_is_not_an_update_with_400(
    fake: FakeTelegram, core: Core, caplog: pytest.LogCaptureFixture
) -> None:
    service, _ = await webhook_service(fake, core)
    url = f"http://127.0.0.1:{service.port}/telegram/webhook"
    try:
        with caplog.at_level(logging.DEBUG):
            async with aiohttp.ClientSession() as http:
                for body in (b"[1, 2]", b'"hello"', b"42", b"null", b"not json", b"\xff\xfe",
                             b'{"message": {"text": "hi"}}', b'{"update_id": "7"}', b'{"update_id": true}'):
                    async with http.post(url, data=body, headers=HEADERS) as resp:
                        assert resp.status == 400, body
                async with http.post(url, data=b"[1]") as resp:  # no secret: refused before the body is read
                    assert resp.status == 403
    finally:
        await service.stop()
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []
    warnings = [r for r in caplog.records if r.name == "bot.telegram.intake" and r.levelno == logging.WARNING]
    assert len(warnings) == 10 and all(r.exc_info is None for r in warnings)
    assert rows(core, InboxItem) == []


async def test_webhook_update_is_stored_before_200_and_a_retry_is_applied_once(
    fake: FakeTelegram, core: Core
) -> None:
    service, platform = await webhook_service(fake, core, inbox_concurrency=0)  # store only, apply nothing
    url = f"http://127.0.0.1:{service.port}/telegram/webhook"
    update = {**new_contract(1), "update_id": fake.next_update_id()}
    try:
        async with aiohttp.ClientSession() as http:
            for _ in range(3):  # Telegram did not see our 200 and sends it again
                async with http.post(url, json=update, headers=HEADERS) as resp:
                    assert resp.status == 200
        [stored] = rows(core, InboxItem)
        assert (stored.status, stored.update_key, stored.chat_key) == ("pending", str(update["update_id"]),
                                                                       str(GROUP_ID))
        assert stored.source == "telegram:123456" and contracts(core) == []
    finally:
        await service.stop()
    mark = fake.mark()
    service, platform = await webhook_service(fake, core)  # a process with workers applies what was stored
    try:
        [reply] = await fake.wait("sendMessage", since=mark)
        assert "Contract HT-001 created" in reply.params["text"]
        await platform.idle()
        assert contracts(core) == ["HT-001"]
        assert [r.status for r in rows(core, InboxItem)] == ["applied"]
        assert [r.status for r in rows(core, OutboxMessage)] == ["sent"]
    finally:
        await service.stop()


async def test_updates_of_one_chat_apply_in_order_while_chats_run_side_by_side(
    fake: FakeTelegram, core: Core, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[tuple[str, str, float]] = []
    real = core.handle

    def slow(msg: Any) -> list[Reply]:
        seen.append((msg.chat_id, msg.text, time.monotonic()))
        time.sleep(0.15)
        return real(msg)

    monkeypatch.setattr(core, "handle", slow)
    other = {"id": -1009876543210, "type": "supergroup", "title": "采购合同群"}
    for i in range(4):
        fake.push_update(new_contract(i, GROUP))
        fake.push_update(new_contract(10 + i, other))
    platform = make_platform(Settings(_env_file=None, telegram_bot_token=fake.token,  # type: ignore[call-arg]
                                      telegram_api_url=fake.base_url), core)
    await platform.start()
    try:
        await fake.wait("sendMessage", 8, timeout=10)
        await platform.idle()
    finally:
        await platform.stop()
    by_chat: dict[str, list[str]] = {}
    for chat, text, _ in seen:
        by_chat.setdefault(chat, []).append(text.split()[1])
    assert by_chat == {str(GROUP_ID): ["HT-000", "HT-001", "HT-002", "HT-003"],
                       "-1009876543210": ["HT-010", "HT-011", "HT-012", "HT-013"]}
    # the two chats were applied side by side, not one after the other: each chat's updates began while the
    # other chat still had updates to go (the order of start times, not a wall-clock budget a busy machine breaks)
    starts = {chat: [at for c, _, at in seen if c == chat] for chat in by_chat}
    first, second = starts.values()
    assert min(second) < max(first) and min(first) < max(second)


async def test_replies_waiting_for_a_groups_flood_limit_are_rows_that_survive_a_stop(
    fake: FakeTelegram, core: Core
) -> None:
    settings = Settings(_env_file=None, telegram_bot_token=fake.token,  # type: ignore[call-arg]
                        telegram_api_url=fake.base_url)
    # a group takes 2 messages, then one every 30 s
    slow = create(settings, core, rate_limiter=FloodLimiter(overall_per_second=1000, group_per_minute=2,
                                                             chat_per_second=1000), poll_timeout=0.2)
    for i in range(5):
        fake.push_update(new_contract(i))
    await slow.start()
    try:
        await fake.wait("sendMessage", 2, chat_id=GROUP_ID)
        for _ in range(200):  # every update applied; 3 replies wait for the group's turn
            if len(contracts(core)) == 5 and sum(r.status == "pending" for r in rows(core, OutboxMessage)) == 3:
                break
            await asyncio.sleep(0.02)
    finally:
        started = time.monotonic()
        await slow.stop(grace=5)
        stopped_in = time.monotonic() - started
    assert stopped_in < 2  # the waits were abandoned, not sat out
    outbox = rows(core, OutboxMessage)
    assert [r.status for r in outbox] == ["sent", "sent", "pending", "pending", "pending"]
    assert all(r.lease_until is None and r.attempts == 0 for r in outbox if r.status == "pending")
    assert len(fake.sent(GROUP_ID)) == 2

    fast = create(settings, core, rate_limiter=fast_limiter(), poll_timeout=0.2)
    await fast.start()
    try:
        await fake.wait("sendMessage", 5, chat_id=GROUP_ID)
        await fast.idle()
    finally:
        await fast.stop()
    texts = [p["text"] for p in fake.sent(GROUP_ID)]
    assert [re.search(r"HT-\d+", t).group() for t in texts] == [f"HT-{i:03d}" for i in range(5)]  # type: ignore[union-attr]
    assert {r.status for r in rows(core, OutboxMessage)} == {"sent"}


async def test_a_429_on_a_reply_reschedules_it_and_the_chat_keeps_its_order(
    fake: FakeTelegram, telegram: TelegramPlatform, core: Core
) -> None:
    fake.rate_limit(1, chat_id=GROUP_ID)
    mark = fake.mark()
    fake.push_update(new_contract(1))
    fake.push_update(new_contract(2))
    calls = await fake.wait("sendMessage", 3, since=mark, timeout=10)  # the refused one, then both in order
    assert [re.search(r"HT-\d+", c.params["text"]).group() for c in calls] == ["HT-001", "HT-001", "HT-002"]  # type: ignore[union-attr]
    assert calls[1].at - calls[0].at >= 0.9  # waited out Retry-After
    await telegram.idle()
    assert [(r.status, r.attempts) for r in rows(core, OutboxMessage)] == [("sent", 1), ("sent", 1)]


async def test_a_reply_telegram_refuses_is_given_up_with_a_warning(
    fake: FakeTelegram, telegram: TelegramPlatform, core: Core, caplog: pytest.LogCaptureFixture
) -> None:
    fake.forget_chat(GROUP_ID, times=1)
    with caplog.at_level(logging.WARNING):
        fake.push_update(new_contract(1))
        await fake.wait("sendMessage")
        await telegram.idle()
    [row] = rows(core, OutboxMessage)
    assert row.status == "failed" and "chat not found" in (row.last_error or "").lower()
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []
    assert any("could not send a message to telegram chat" in r.getMessage() for r in caplog.records)


async def test_a_long_reply_goes_out_in_messages_telegram_accepts(
    fake: FakeTelegram, telegram: TelegramPlatform, core: Core, monkeypatch: pytest.MonkeyPatch
) -> None:
    long = Reply(title="Contracts", lang="en")
    for i in range(3000):
        long.add(f"HT-2026-{i:04d} Acme annual license · first payment 30% · due Fri 2026-12-04 📄")
    spy_on_core(monkeypatch, core, lambda msg: [long])
    mark = fake.mark()
    fake.push_update(message_update("/list", chat=GROUP, user=LIWEI))
    sent = await fake.wait("sendMessage", 5, since=mark)
    await telegram.idle()
    assert len(fake.requests("sendMessage", since=mark)) == 5  # capped; the fake refuses anything too long
    assert {r.status for r in rows(core, OutboxMessage)} == {"sent"}
    assert "more line(s) not shown" in sent[-1].params["text"]




async def test_polling_confirms_a_batch_only_once_it_is_stored(
    fake: FakeTelegram, core: Core, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    update_id = fake.push_update(new_contract(1))
    platform = make_platform(Settings(_env_file=None, telegram_bot_token=fake.token,  # type: ignore[call-arg]
                                      telegram_api_url=fake.base_url), core)
    store = platform.intake.store
    attempts = 0

    async def flaky_store(items: Any) -> list[bool]:
        nonlocal attempts
        attempts += 1
        if attempts == 1:  # the database is away for a moment, right after getUpdates answered
            raise RuntimeError("database is locked")
        return await store(items)

    monkeypatch.setattr(platform.intake, "store", flaky_store)
    with caplog.at_level(logging.ERROR):
        await platform.start()
        try:
            [reply] = await fake.wait("sendMessage", timeout=10)
            await platform.idle()
        finally:
            await platform.stop()
    assert "Contract HT-001 created" in reply.params["text"]
    polls = [c.params.get("offset") for c in fake.requests("getUpdates")]
    assert polls[:2] == [None, None]  # not stored, so not confirmed: the same batch was fetched again
    assert update_id + 1 in polls  # confirmed once stored
    assert contracts(core) == ["HT-001"] and len(rows(core, InboxItem)) == 1
    assert "could not store 1 update(s)" in caplog.text
