"""The reminder notifier: Telegram's errors become the dispatcher's (429 -> later, 403 -> fallback)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.config import Settings
from bot.dispatch_cli import dispatch_once
from bot.telegram.notifier import TelegramNotifier, make_telegram_notifier
from bot.telegram.platform import TelegramPlatform
from handlers.core import Core
from handlers.replies import Action, Reply
from scheduler.notify import CannotDM, Outgoing, PermanentFailure, RateLimited, Target
from storage.db import transaction
from storage.models import Person, Reminder, Tenant
from tests.bot.telegram.conftest import GROUP_ID, ZHANGSAN, buttons, fast_limiter
from tests.bot.telegram.test_buttons import D_MINUS_3, dispatch, ledger
from tests.conftest import Clock
from tests.fakes.telegram_api import FakeTelegram

REPLY = Reply(title="⏰ 提醒：<HT-1> 首付款", actions=[Action(kind="done", label="完成", key="k" * 16)])


def to_group(chat_id: int = GROUP_ID) -> Outgoing:
    return Outgoing(Target("telegram", str(chat_id), chat_id=str(chat_id)), REPLY)


def to_user(user_id: int = ZHANGSAN["id"]) -> Outgoing:
    return Outgoing(
        Target("telegram", str(GROUP_ID), user_id=str(user_id), dm=True),
        REPLY,
        fallback_chat_id=str(GROUP_ID),
    )


@pytest.fixture
def notifier(settings: Settings) -> Iterator[TelegramNotifier]:
    """The notifier of `contractbot dispatch`: its own bot on a private loop, called synchronously."""
    n = make_telegram_notifier(settings, rate_limiter=fast_limiter())
    yield n
    n.close()


def test_send_returns_a_ref_the_core_can_store_and_edit(
    fake: FakeTelegram, notifier: TelegramNotifier
) -> None:
    ref = notifier.send(to_group())
    chat, message_id = ref.split(":")
    assert int(chat) == GROUP_ID
    [sent] = fake.sent(GROUP_ID)
    assert sent["parse_mode"] == "HTML" and "&lt;HT-1&gt;" in sent["text"]
    assert buttons(sent) == [("完成", "k" * 16)]
    notifier.update(ref, Reply(title="✅ 完成"))
    [edit] = fake.requests("editMessageText")
    assert edit.params["message_id"] == int(message_id) and "reply_markup" not in edit.params
    notifier.update(ref, Reply(title="✅ 完成"))  # "message is not modified" is not an error


def test_telegram_errors_map_onto_the_dispatcher_protocol(
    fake: FakeTelegram, notifier: TelegramNotifier
) -> None:
    fake.rate_limit(1)  # (the limiter then holds every request for that second, so keep it short)
    with pytest.raises(RateLimited) as rl:
        notifier.send(to_group())
    assert rl.value.retry_after == 1

    fake.block_user(ZHANGSAN["id"])
    with pytest.raises(CannotDM):
        notifier.send(to_user())

    fake.fail("sendMessage", 403, "Forbidden: bot was kicked from the supergroup chat", chat_id=GROUP_ID)
    with pytest.raises(PermanentFailure) as kicked:
        notifier.send(to_group())
    assert not isinstance(kicked.value, CannotDM)

    fake.forget_chat(-100555)
    with pytest.raises(PermanentFailure, match="(?i)chat not found"):
        notifier.send(to_group(-100555))

    fake.fail("sendMessage", 502, "Bad Gateway")
    with pytest.raises(RateLimited):  # a transient failure: the row is retried, never dropped
        notifier.send(to_group())
    assert notifier.send(to_group())


def test_a_rejected_token_keeps_reminders_for_later(fake: FakeTelegram) -> None:
    settings = Settings(_env_file=None, telegram_bot_token="9:WRONG", telegram_api_url=fake.base_url)  # type: ignore
    n = make_telegram_notifier(settings)
    try:
        with pytest.raises(RateLimited):
            n.send(to_group())
    finally:
        n.close()


def test_dispatch_command_sends_reminders_to_telegram(
    fake: FakeTelegram, settings: Settings, engine: Engine, clock: Clock
) -> None:
    """`contractbot dispatch` (a plain sync process) delivers a group reminder with its keyboard."""
    from handlers.core import Core
    from tests.bot.telegram.conftest import make_platform

    async def setup() -> None:
        platform = make_platform(settings, Core(engine, clock=clock))
        await platform.start()
        try:
            await ledger(fake)
        finally:
            await platform.stop()

    asyncio.run(setup())
    mark = fake.mark()
    assert dispatch_once(settings, engine, now=D_MINUS_3.isoformat(), dry_run=False) == 0
    [call] = fake.requests("sendMessage", chat_id=GROUP_ID, since=mark)
    assert "首付款" in call.params["text"] and len(buttons(call.params)) >= 5
    with Session(engine) as s:
        assert (
            s.exec(select(Reminder).where(Reminder.status == "sent"))
            .one()
            .message_ref.startswith(f"{GROUP_ID}:")
        )


async def test_429_delays_the_reminder_and_a_later_pass_delivers_it(
    fake: FakeTelegram, telegram: TelegramPlatform, core: Core, clock: Clock
) -> None:
    await ledger(fake)
    fake.rate_limit(1, chat_id=GROUP_ID)
    mark = fake.mark()
    result = await dispatch(telegram, core)
    assert (result.sent, result.retried) == (0, 1)
    with Session(core.engine) as s:
        row = s.exec(select(Reminder).where(Reminder.stage == "d-3", Reminder.day == D_MINUS_3.date())).one()
    assert row.status == "pending" and row.fire_at == D_MINUS_3 + timedelta(seconds=1)  # Retry-After honoured

    result = await dispatch(telegram, core, D_MINUS_3 + timedelta(seconds=0.5))
    assert result.claimed == 0  # not yet

    result = await dispatch(telegram, core, D_MINUS_3 + timedelta(seconds=2))
    assert result.sent == 1
    attempts = fake.requests("sendMessage", chat_id=GROUP_ID, since=mark)
    assert len(attempts) == 2 and attempts[0].params["text"] == attempts[1].params["text"]
    with Session(core.engine) as s:
        assert s.get(Reminder, row.id).status == "sent"  # type: ignore[union-attr]


async def test_dm_to_someone_who_never_started_the_bot_falls_back_to_the_group(
    fake: FakeTelegram, telegram: TelegramPlatform, core: Core, clock: Clock
) -> None:
    await ledger(fake)
    with transaction(core.engine) as s:  # the team wants DMs, and 张三 once had a private chat with the bot
        tenant = s.exec(select(Tenant).where(Tenant.external_id == str(GROUP_ID))).one()
        tenant.routing = "dm"
        person = s.exec(
            select(Person).where(Person.tenant_id == tenant.id, Person.handle == "zhangsan")
        ).one()
        person.can_dm = True
        s.add_all([tenant, person])
    fake.block_user(ZHANGSAN["id"])  # ... but has blocked it since: 403
    mark = fake.mark()
    result = await dispatch(telegram, core)
    assert result.sent == 1
    tried = [c.params["chat_id"] for c in fake.requests("sendMessage", since=mark)]
    assert tried == [ZHANGSAN["id"], GROUP_ID]


async def test_notifier_refuses_to_block_the_event_loop(telegram: TelegramPlatform) -> None:
    with pytest.raises(RuntimeError, match="worker thread"):
        telegram.notifier.send(to_group())


def test_notifier_before_start_asks_to_retry_later(settings: Settings, core: Core) -> None:
    from tests.bot.telegram.conftest import make_platform

    with pytest.raises(RateLimited):
        make_platform(settings, core).notifier.send(to_group())
