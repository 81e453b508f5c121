"""The reminder notifier: Feishu's refusals become the dispatcher's (frequency limit -> later, private chat
refused -> the group, bot removed -> failed), and `contractbot dispatch` finds Feishu in the registry."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.config import Settings
from bot.dispatch_cli import dispatch_once
from bot.feishu.notifier import CONFIG_RETRY, make_feishu_notifier
from bot.feishu.translate import parse_ref
from handlers.core import Core
from handlers.replies import Action, Reply
from scheduler.notify import CannotDM, Outgoing, PermanentFailure, RateLimited, Target
from storage.models import Reminder
from tests.bot.feishu.conftest import GROUP, ZHANGSAN, Feishu, card_text, controls, feishu_settings, running
from tests.bot.feishu.test_cards import D_MINUS_3, dispatch, ledger
from tests.conftest import Clock
from tests.fakes.feishu_api import FakeFeishu

REPLY = Reply(title="⏰ 提醒：<at id=all></at> 首付款", actions=[Action(kind="done", label="完成", key="k" * 16)])


def to_group(chat: str = GROUP) -> Outgoing:
    return Outgoing(Target("feishu", chat, chat_id=chat), REPLY)


def to_user(user: str = ZHANGSAN) -> Outgoing:
    return Outgoing(Target("feishu", GROUP, user_id=user, dm=True), REPLY, fallback_chat_id=GROUP)


def test_send_returns_a_reference_that_update_edits(fake: FakeFeishu, settings: Settings) -> None:
    notifier = make_feishu_notifier(settings)
    ref = notifier.send(to_group())
    [call] = fake.requests("send")
    assert call.query == {"receive_id_type": "chat_id"} and call.body["msg_type"] == "interactive"
    assert call.card["header"]["title"] == {"tag": "plain_text", "content": "⏰ 提醒：<at id=all></at> 首付款"}
    assert [c["value"] for c in controls(call.card)] == [{"k": "k" * 16}]
    notifier.update(ref, Reply(title="✅ 完成"))
    edited = fake.card_of(ref)
    assert edited["header"]["title"]["content"] == "✅ 完成" and controls(edited) == []
    private = notifier.send(to_user())
    assert parse_ref(private) is not None and private.startswith("p2p:om_")
    assert fake.requests("send")[-1].query == {"receive_id_type": "open_id"}
    with pytest.raises(PermanentFailure):
        notifier.update("C123:1700000000.0001", Reply(title="x"))  # not a Feishu message


def test_feishu_errors_map_onto_the_dispatcher_protocol(fake: FakeFeishu, settings: Settings) -> None:
    notifier = make_feishu_notifier(settings)
    fake.rate_limit(7)
    with pytest.raises(RateLimited) as limited:
        notifier.send(to_group())
    assert limited.value.retry_after == 7
    fake.rate_limit(3, status=400)  # older APIs answer the frequency limit with HTTP 400
    with pytest.raises(RateLimited) as limited:
        notifier.send(to_group())
    assert limited.value.retry_after == 3
    fake.fail("send", 230020, "This operation triggers the frequency limit.")
    with pytest.raises(RateLimited):
        notifier.send(to_group())

    fake.fail("send", 230013, "Bot has NO availability to this user.", receive_id=ZHANGSAN)
    with pytest.raises(CannotDM):
        notifier.send(to_user())
    fake.fail("send", 230002, "The bot can not be outside the group.", receive_id=GROUP)
    with pytest.raises(PermanentFailure) as removed:
        notifier.send(to_group())
    assert not isinstance(removed.value, CannotDM) and "230002" in str(removed.value)
    fake.fail("send", 1, "bad gateway", status=502)
    with pytest.raises(RateLimited):  # a server failure: retried on a later pass, never dropped
        notifier.send(to_group())
    assert notifier.send(to_group())


def test_an_expired_token_is_fetched_again_and_a_wrong_secret_keeps_reminders(
    fake: FakeFeishu, settings: Settings
) -> None:
    notifier = make_feishu_notifier(settings)
    notifier.send(to_group())
    fake.expire_tokens()
    notifier.send(to_group())
    assert len(fake.requests("token")) == 2 and len(fake.requests("send")) == 3  # one refused, sent again
    wrong = make_feishu_notifier(feishu_settings(fake, feishu_app_secret="wrong"))
    with pytest.raises(RateLimited) as later:
        wrong.send(to_group())
    assert later.value.retry_after == CONFIG_RETRY


async def test_the_notifier_refuses_to_block_the_event_loop(feishu: Feishu) -> None:
    with pytest.raises(RuntimeError, match="worker thread"):
        feishu.platform.notifier.send(to_group())


async def test_a_frequency_limit_delays_the_reminder_and_a_later_pass_delivers_it(
    feishu: Feishu, core: Core, clock: Clock, fake: FakeFeishu
) -> None:
    await ledger(feishu)
    fake.rate_limit(2, receive_id=GROUP)
    result = await dispatch(feishu, core)
    assert (result.sent, result.retried) == (0, 1)
    with Session(core.engine) as s:
        row = s.exec(select(Reminder).where(Reminder.stage == "d-3", Reminder.day == D_MINUS_3.date())).one()
    assert row.status == "pending" and row.fire_at == D_MINUS_3 + timedelta(seconds=2)  # the reset honoured
    assert (await dispatch(feishu, core, D_MINUS_3 + timedelta(seconds=1))).claimed == 0
    assert (await dispatch(feishu, core, D_MINUS_3 + timedelta(seconds=3))).sent == 1


async def test_a_refused_private_chat_falls_back_to_the_group(
    feishu: Feishu, core: Core, clock: Clock, fake: FakeFeishu
) -> None:
    await ledger(feishu)
    await feishu.say("设置 routing dm")
    fake.fail("send", 230053, "The user has stopped the bot from sending messages.", receive_id=ZHANGSAN, times=5)
    mark = fake.mark()
    assert (await dispatch(feishu, core)).sent == 1
    tried = [c.body["receive_id"] for c in fake.requests("send", since=mark)]
    assert tried == [ZHANGSAN, GROUP]
    assert f"<at id={ZHANGSAN}></at>" in card_text(fake.requests("send", since=mark)[-1].card)


def test_dispatch_command_sends_reminders_to_feishu(
    fake: FakeFeishu, settings: Settings, engine: Engine, clock: Clock
) -> None:
    """`contractbot dispatch` (a plain process, no front door) delivers a group reminder with its controls."""

    async def setup() -> None:
        bot = await running(settings, Core(engine, clock=clock), fake)
        try:
            await ledger(bot)
        finally:
            await bot.service.stop()

    asyncio.run(setup())
    mark = fake.mark()
    assert dispatch_once(settings, engine, now=D_MINUS_3.isoformat(), dry_run=False) == 0
    [call] = fake.requests("send", since=mark)
    assert call.body["receive_id"] == GROUP and "首付款" in card_text(call.card) and len(controls(call.card)) >= 5
    with Session(engine) as s:
        assert s.exec(select(Reminder).where(Reminder.status == "sent")).one().message_ref.startswith("om_")
