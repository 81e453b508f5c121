"""Reminders with inline keyboards, and what a press does: checked, audited, the message edited in place."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session, select

from bot.telegram.platform import TelegramPlatform
from handlers.core import Core
from handlers.reminders import ReminderComposer
from scheduler.dispatch import Dispatcher, PassResult
from storage.models import ActionKey, AuditEvent, Milestone, Person, Reminder
from tests.bot.telegram.conftest import (
    GROUP_ID,
    LIWEI,
    OTHER_GROUP,
    WANGWU,
    ZHANGSAN,
    buttons,
    press_update,
    say,
)
from tests.conftest import Clock
from tests.fakes.telegram_api import FakeTelegram

# 09:00 in Shanghai on Tue 2026-12-01: the "3 days ahead" reminder of a milestone due Fri 2026-12-04.
D_MINUS_3 = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)


async def ledger(fake: FakeTelegram, chat: dict[str, Any] | None = None, *, money: bool = True) -> None:
    """A contract and 首付款 for 张三; money=False leaves 首付款 without an amount, so 完成 closes it at once."""
    kw = {"chat": chat} if chat else {}
    await say(fake, "/contract 新建 HT-2026-002 华为云采购 华为 120万 到期 2027年12月31日", **kw)
    await say(fake, "/contract 列表", user=ZHANGSAN, **kw)  # 张三 speaks once: the team learns his language
    await say(fake, "/contract 节点 HT-2026-002 首付款 30% 下周五 @zhangsan" if money
              else "/contract 节点 HT-2026-002 首付款 下周五 @zhangsan", **kw)


async def dispatch(telegram: TelegramPlatform, core: Core, at: datetime = D_MINUS_3) -> PassResult:
    """One dispatch pass as `contractbot run` does it: in a worker thread, through the platform's notifier."""
    dispatcher = Dispatcher(
        core.engine, notifiers={"telegram": telegram.notifier}, composer=ReminderComposer()
    )
    return await asyncio.to_thread(dispatcher.run_pass, at)


async def reminder(
    fake: FakeTelegram, telegram: TelegramPlatform, core: Core, clock: Clock, *, money: bool = True
) -> dict[str, Any]:
    """Set up a contract and a milestone, run the pass, return the reminder message as the fake stores it."""
    await ledger(fake, money=money)
    clock.now = D_MINUS_3
    mark = fake.mark()
    result = await dispatch(telegram, core)
    assert result.sent == 1
    [call] = fake.requests("sendMessage", chat_id=GROUP_ID, since=mark)
    return next(
        m for (chat, _), m in fake.messages.items() if chat == GROUP_ID and m["html"] == call.params["text"]
    )


def key_of(message: dict[str, Any], label: str) -> str:
    return next(data for text, data in buttons(message) if text == label)


def milestone(core: Core) -> Milestone:
    with Session(core.engine) as s:  # (a contract with an end date also gets a renewal milestone)
        return s.exec(select(Milestone).where(Milestone.title == "首付款")).one()


async def press(
    fake: FakeTelegram,
    data: str,
    message: dict[str, Any],
    user: dict[str, Any] = ZHANGSAN,
    *,
    edits: int = 0,
    posts: int = 0,
) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]:
    """Press a button; return the callback answer, the edits and the new messages."""
    mark = fake.mark()
    fake.push_update(press_update(data, message, user=user))
    [answer] = await fake.wait("answerCallbackQuery", since=mark)
    edited = await fake.wait("editMessageText", edits, since=mark) if edits else []
    posted = await fake.wait("sendMessage", posts, since=mark) if posts else []
    await asyncio.sleep(0.1)  # anything else the press caused has arrived by now
    assert len(fake.requests("editMessageText", since=mark)) == edits
    assert len(fake.requests("sendMessage", since=mark)) == posts
    return answer.params, [c.params for c in edited], [c.params for c in posted]


async def test_dispatch_pass_sends_a_reminder_with_an_inline_keyboard(
    fake: FakeTelegram, telegram: TelegramPlatform, core: Core, clock: Clock
) -> None:
    message = await reminder(fake, telegram, core, clock)
    html = message["html"]
    assert html.startswith("<b>⏰") and "HT-2026-002" in html and "首付款" in html
    assert (
        '<b>负责人</b>: <a href="tg://user?id=2222222">San Zhang</a>' in html
    )  # a mention that notifies him
    labels = [text for text, _ in buttons(message)]
    assert labels[:3] == ["完成", "延后1天", "延后3天"]
    assert "转交" in labels and "备注" in labels
    with Session(core.engine) as s:
        keys = {k.key: k for k in s.exec(select(ActionKey)).all()}
        sent = s.exec(select(Reminder).where(Reminder.status == "sent")).one()
    for _, data in buttons(message):
        assert len(data.encode()) <= 64 and data in keys  # an opaque key, looked up in the database
    assert sent.message_ref == f"{GROUP_ID}:{message['message_id']}"


async def test_done_press_completes_the_milestone_and_edits_the_message(
    fake: FakeTelegram, telegram: TelegramPlatform, core: Core, clock: Clock
) -> None:
    message = await reminder(fake, telegram, core, clock, money=False)
    answer, [edit], _ = await press(fake, key_of(message, "完成"), message, edits=1)
    assert "已完成" in answer["text"] and not answer.get("show_alert")
    assert (edit["chat_id"], edit["message_id"]) == (GROUP_ID, message["message_id"])
    assert "✅" in edit["text"] and "已完成" in edit["text"]
    assert "reply_markup" not in edit  # the buttons are gone
    m = milestone(core)
    assert m.status == "done"
    with Session(core.engine) as s:
        presser = s.exec(select(Person).where(Person.handle == "zhangsan")).one()
        audit = s.exec(select(AuditEvent).where(AuditEvent.action == "milestone.done")).one()
        pending = s.exec(
            select(Reminder).where(Reminder.status == "pending", Reminder.milestone_id == m.id)
        ).all()
    assert presser.platform_user_id == str(ZHANGSAN["id"])  # the @handle owner is now known by id
    assert m.done_by_id == presser.id and audit.actor_id == presser.id
    assert not pending
    # The fake keeps the edited message: it now shows who completed it and has no keyboard.
    assert "reply_markup" not in fake.messages[(GROUP_ID, message["message_id"])]


async def test_forged_callback_data_is_refused_and_changes_nothing(
    fake: FakeTelegram, telegram: TelegramPlatform, core: Core, clock: Clock
) -> None:
    message = await reminder(fake, telegram, core, clock)
    answer, _, _ = await press(fake, "forged-key-123", message)
    assert answer["show_alert"] is True and answer["text"].startswith("⚠️")
    with Session(core.engine) as s:
        audits = len(s.exec(select(AuditEvent)).all())
    assert milestone(core).status == "open"

    # A real key of this team pressed from another group is refused too.
    elsewhere = {**message, "chat": OTHER_GROUP}
    answer, _, _ = await press(fake, key_of(message, "完成"), elsewhere)
    assert answer["show_alert"] is True
    assert milestone(core).status == "open"
    with Session(core.engine) as s:
        assert len(s.exec(select(AuditEvent)).all()) == audits


async def test_someone_else_may_not_complete_the_milestone(
    fake: FakeTelegram, telegram: TelegramPlatform, core: Core, clock: Clock
) -> None:
    message = await reminder(fake, telegram, core, clock)
    answer, _, _ = await press(fake, key_of(message, "完成"), message, user=WANGWU)
    assert answer["show_alert"] is True and "⚠️" in answer["text"]
    assert milestone(core).status == "open"


async def test_snooze_press_edits_the_message_with_fresh_buttons(
    fake: FakeTelegram, telegram: TelegramPlatform, core: Core, clock: Clock
) -> None:
    message = await reminder(fake, telegram, core, clock)
    answer, [edit], _ = await press(fake, key_of(message, "延后3天"), message, edits=1)
    assert "延后至 2026-12-04" in answer["text"] and not answer["show_alert"]
    assert "💤" in edit["text"]
    assert buttons(edit) and set(buttons(edit)) != set(buttons(message))  # new keys for the next press
    assert str(milestone(core).snoozed_until) == "2026-12-04"


async def test_reassign_press_offers_the_team_and_a_pick_reassigns(
    fake: FakeTelegram, telegram: TelegramPlatform, core: Core, clock: Clock
) -> None:
    message = await reminder(fake, telegram, core, clock)
    _, _, [picker] = await press(fake, key_of(message, "转交"), message, user=LIWEI, posts=1)
    labels = [text for text, _ in buttons(picker)]
    assert labels == ["@Li Wei"]  # the team's known members except the current owner
    assert picker["reply_parameters"]["message_id"] == message["message_id"]
    picked = fake.messages[(GROUP_ID, max(mid for chat, mid in fake.messages if chat == GROUP_ID))]
    _, edits, _ = await press(fake, key_of(picked, "@Li Wei"), picked, user=LIWEI, edits=2)
    assert {e["message_id"] for e in edits} == {message["message_id"], picked["message_id"]}
    assert all("👤" in e["text"] for e in edits)
    with Session(core.engine) as s:
        owner = s.get(Person, milestone(core).owner_id)
    assert owner is not None and owner.platform_user_id == str(LIWEI["id"])


async def test_note_press_asks_for_the_note_only_to_the_presser(
    fake: FakeTelegram, telegram: TelegramPlatform, core: Core, clock: Clock
) -> None:
    message = await reminder(fake, telegram, core, clock)
    answer, _, _ = await press(fake, key_of(message, "备注"), message)
    assert answer["show_alert"] is True and "备注" in answer["text"]
    assert milestone(core).note is None
