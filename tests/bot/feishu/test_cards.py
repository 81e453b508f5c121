"""Reminders as cards, and what a press does: checked, audited, the card edited in place for everyone."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from typing import Any

from sqlmodel import Session, select

from handlers.core import Core
from handlers.reminders import ReminderComposer
from scheduler.dispatch import Dispatcher, PassResult
from storage.models import ActionKey, AuditEvent, Milestone, Payment, Person, Reminder
from tests.bot.feishu.conftest import (
    GROUP,
    LIWEI,
    OTHER_GROUP,
    WANGWU,
    ZHANGSAN,
    Feishu,
    card_text,
    control,
    controls,
    label,
    press_event,
)
from tests.conftest import Clock
from tests.fakes.feishu_api import FakeFeishu

# 09:00 in Shanghai on Tue 2026-12-01: the "3 days ahead" reminder of a milestone due Fri 2026-12-04.
D_MINUS_3 = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)


async def ledger(feishu: Feishu, *, money: bool = True, chat: str = GROUP) -> None:
    """A contract and 首付款 for 张三 (money=False: no amount, so 完成 closes it at once)."""
    await feishu.say("新建 HT-2026-002 华为云采购 华为 120万 到期 2027年12月31日", chat=chat)
    await feishu.say("列表", user=ZHANGSAN, chat=chat)  # 张三 speaks once in the group
    await feishu.say("节点 HT-2026-002 首付款 30% 下周五 @张三" if money else "节点 HT-2026-002 首付款 下周五 @张三",
                     chat=chat)


async def dispatch(feishu: Feishu, core: Core, at: datetime = D_MINUS_3) -> PassResult:
    """One dispatch pass as `contractbot run` does it: in a worker thread, through the platform's notifier."""
    dispatcher = Dispatcher(core.engine, notifiers={"feishu": feishu.platform.notifier}, composer=ReminderComposer())
    return await asyncio.to_thread(dispatcher.run_pass, at)


async def reminder(feishu: Feishu, core: Core, clock: Clock, *, money: bool = True) -> tuple[str, dict[str, Any]]:
    """Set up a contract and a milestone, run the pass; the reminder's message id and card."""
    await ledger(feishu, money=money)
    clock.now = D_MINUS_3
    mark = feishu.fake.mark()
    result = await dispatch(feishu, core)
    assert result.sent == 1
    [call] = feishu.fake.requests("send", since=mark)
    message_id = next(mid for mid, m in feishu.fake.messages.items()
                      if m["receive_id"] == GROUP and m["card"] == call.card)
    return message_id, call.card


def milestone(core: Core) -> Milestone:
    with Session(core.engine) as s:
        return s.exec(select(Milestone).where(Milestone.title == "首付款")).one()


def press(message_id: str, card: dict[str, Any], text: str, **kw: Any) -> dict[str, Any]:
    """The callback Feishu sends when ``text`` (a button, picker or input) of the card is used."""
    c = control(card, text)
    tag = c["tag"]
    return press_event(c["value"], message_id=message_id, tag=tag, **kw)


async def test_a_reminder_is_a_card_with_buttons_pickers_and_inputs(feishu: Feishu, core: Core, clock: Clock) -> None:
    message_id, card = await reminder(feishu, core, clock)
    shown = card_text(card)
    assert card["header"]["title"]["content"].startswith("⏰") and "HT-2026-002" in shown and "首付款" in shown
    assert f"<at id={ZHANGSAN}></at>" in shown  # the owner is mentioned, so notified
    assert "欠" in shown or "owes" in shown  # the amount still owed
    assert card["config"]["update_multi"] is True
    tags = {label(c): c["tag"] for c in controls(card)}
    assert [label(c) for c in controls(card)][:3] == ["完成", "延后1天", "延后3天"]
    assert tags["转交"] == "select_person" and any(t == "date_picker" for t in tags.values())
    assert {t for lbl, t in tags.items() if lbl.startswith(("备注", "登记回款"))} == {"input"}
    with Session(core.engine) as s:
        keys = {k.key for k in s.exec(select(ActionKey)).all()}
        sent = s.exec(select(Reminder).where(Reminder.status == "sent")).one()
    assert all(c["value"]["k"] in keys and set(c["value"]) == {"k"} for c in controls(card))  # opaque keys only
    assert sent.message_ref == message_id


async def test_done_completes_the_milestone_and_edits_the_card_for_everyone(
    feishu: Feishu, core: Core, clock: Clock
) -> None:
    message_id, card = await reminder(feishu, core, clock, money=False)
    calls = await feishu.press(press(message_id, card, "完成"))
    [edit] = [c for c in calls if c.kind == "patch"]
    assert edit.body["message_id"] == message_id
    shown = card_text(feishu.fake.card_of(message_id))
    assert "✅" in shown and "已完成" in shown and "张三" in shown and "2026-12-01" in shown
    assert controls(feishu.fake.card_of(message_id)) == []  # the buttons are gone
    assert [c.kind for c in calls if c.kind != "patch"] in ([], ["ephemeral"])  # a confirmation only 张三 sees
    m = milestone(core)
    with Session(core.engine) as s:
        presser = s.exec(select(Person).where(Person.platform_user_id == ZHANGSAN)).one()
        audit = s.exec(select(AuditEvent).where(AuditEvent.action == "milestone.done")).one()
    assert m.status == "done" and m.done_by_id == presser.id and audit.actor_id == presser.id


async def test_forged_and_foreign_presses_are_refused_and_change_nothing(
    feishu: Feishu, core: Core, clock: Clock
) -> None:
    message_id, card = await reminder(feishu, core, clock)
    with Session(core.engine) as s:
        audits = len(s.exec(select(AuditEvent)).all())
    forged = await feishu.press(press_event({"k": "forged-key-123"}, message_id=message_id))
    done_key = control(card, "完成")["value"]
    foreign = await feishu.press(press_event(done_key, message_id=message_id, chat=OTHER_GROUP))
    stranger = await feishu.press(press_event(done_key, message_id=message_id, user=WANGWU))
    for calls, who, chat in ((forged, ZHANGSAN, GROUP), (foreign, ZHANGSAN, OTHER_GROUP), (stranger, WANGWU, GROUP)):
        [refusal] = calls
        assert refusal.kind == "ephemeral" and (refusal.body["open_id"], refusal.body["chat_id"]) == (who, chat)
        assert refusal.card["header"]["template"] == "red"
    assert milestone(core).status == "open"
    with Session(core.engine) as s:
        assert len(s.exec(select(AuditEvent)).all()) == audits
    assert feishu.fake.card_of(message_id) == card


async def test_a_press_delivered_twice_is_applied_once(feishu: Feishu, core: Core, clock: Clock) -> None:
    message_id, card = await reminder(feishu, core, clock)
    event = press(message_id, card, "延后1天", event_id="cb-retried")
    first = await feishu.press(event)
    again = await feishu.press(event)
    assert [c.kind for c in first if c.kind == "patch"] and again == []
    assert milestone(core).snoozed_until == date(2026, 12, 2)


async def test_snooze_edits_the_card_with_fresh_buttons(feishu: Feishu, core: Core, clock: Clock) -> None:
    message_id, card = await reminder(feishu, core, clock)
    await feishu.press(press(message_id, card, "延后3天"))
    edited = feishu.fake.card_of(message_id)
    assert "💤" in card_text(edited)
    assert controls(edited) and {c["value"]["k"] for c in controls(edited)}.isdisjoint(
        {c["value"]["k"] for c in controls(card)})  # new keys for the next press
    assert milestone(core).snoozed_until == date(2026, 12, 4)
    picker = next(c for c in controls(edited) if c["tag"] == "date_picker")
    await feishu.press(press_event(picker["value"], message_id=message_id, tag="date_picker",
                                   option="2026-12-08 +0800"))
    assert milestone(core).snoozed_until == date(2026, 12, 8)


async def test_the_person_picker_reassigns_to_whoever_was_picked(feishu: Feishu, core: Core, clock: Clock) -> None:
    message_id, card = await reminder(feishu, core, clock)
    await feishu.press(press(message_id, card, "转交", user=LIWEI, option=WANGWU))
    with Session(core.engine) as s:
        owner = s.get(Person, milestone(core).owner_id)
    assert owner is not None and owner.platform_user_id == WANGWU
    assert f"<at id={WANGWU}></at>" in card_text(feishu.fake.card_of(message_id))


async def test_note_and_payment_are_typed_into_the_card(feishu: Feishu, core: Core, clock: Clock) -> None:
    message_id, card = await reminder(feishu, core, clock)
    await feishu.press(press(message_id, card, "备注", input_value="客户说周五前付款"))
    assert milestone(core).note is not None and "客户说周五前付款" in milestone(core).note  # type: ignore[operator]
    card = feishu.fake.card_of(message_id)
    calls = await feishu.press(press(message_id, card, "登记回款", input_value="300000"))
    with Session(core.engine) as s:
        [payment] = s.exec(select(Payment)).all()
    assert payment.amount == 300000 and calls
    # a press without the text asks for it, only to the presser
    [hint] = await feishu.press(press(message_id, feishu.fake.card_of(message_id), "备注"))
    assert hint.kind == "ephemeral" and hint.body["open_id"] == ZHANGSAN


async def test_reminders_to_a_private_chat_work_without_the_person_writing_first(
    feishu: Feishu, core: Core, clock: Clock, fake: FakeFeishu
) -> None:
    await ledger(feishu)
    await feishu.say("设置 routing dm")
    clock.now = D_MINUS_3
    mark = fake.mark()
    assert (await dispatch(feishu, core)).sent == 1
    [call] = fake.requests("send", since=mark)
    assert (call.query["receive_id_type"], call.body["receive_id"]) == ("open_id", ZHANGSAN)  # dm_first
    card = call.card
    assert all(c["value"].get("dm") == 1 for c in controls(card))
    assert control(card, "转交")["tag"] == "button"  # a picker in a private chat would offer only two people
    message_id = next(mid for mid, m in fake.messages.items() if m["receive_id"] == ZHANGSAN)
    chat = fake.p2p_chat(ZHANGSAN)
    calls = await feishu.press(press_event(control(card, "延后1天")["value"], message_id=message_id, chat=chat))
    assert [c.kind for c in calls] == ["patch"]  # the private card is edited; no other message
    assert milestone(core).snoozed_until == date(2026, 12, 2)
    [picker] = await feishu.press(press_event(control(fake.card_of(message_id), "转交")["value"],
                                              message_id=message_id, chat=chat))
    assert picker.kind == "send" and picker.body["receive_id"] == chat
    assert any(label(c).startswith("@") for c in controls(picker.card))  # the team's members as buttons


async def test_a_change_request_reaches_the_approver_privately_and_is_approved_there(
    feishu: Feishu, core: Core, fake: FakeFeishu
) -> None:
    await ledger(feishu)  # 李伟 spoke first: the team's admin
    calls = await feishu.say("变更 HT-2026-002 首付款 截止 2027-01-31 原因 客户要求", user=ZHANGSAN)
    [dm] = [c for c in calls if c.body.get("receive_id") == LIWEI]
    assert dm.query == {"receive_id_type": "open_id"}  # the bot writes first, no one had to open a chat
    approve = next(c for c in controls(dm.card) if c["tag"] == "button" and c.get("type") == "primary")
    assert approve["value"].get("dm") == 1
    message_id = next(mid for mid, m in fake.messages.items() if m["receive_id"] == LIWEI)
    await feishu.press(press_event(approve["value"], message_id=message_id, chat=fake.p2p_chat(LIWEI), user=LIWEI))
    assert milestone(core).due_on == date(2027, 1, 31)
