"""Questions the bot asks before writing: answered by the next message, cancelled, expired, kept across restarts."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from handlers.core import Core
from tests.chat import Chat
from tests.conftest import Clock


@pytest.fixture
def chat(engine, clock) -> Chat:  # type: ignore[no-untyped-def]
    c = Chat(Core(engine, clock=clock))
    c.say('new HT-1 "ERP" Contoso Ltd 1,000,000 CNY ends 2027-12-31')
    c.say("milestone HT-1 first payment 30% due 2026-12-10")
    return c


def test_a_missing_amount_is_asked_and_the_next_message_fills_it(chat: Chat) -> None:
    assert "It still owes 300,000.00" in chat.say("we got paid on HT-1 for the first payment")
    out = chat.say("120k")
    assert out.startswith("Read as: paid HT-1 120k for first payment")
    assert "180,000.00 CNY still owed" in out
    assert chat.milestones()[0].status == "open"


def test_yes_records_what_is_still_owed(chat: Chat) -> None:
    chat.say("mark the HT-1 first payment paid")
    assert "Read as: paid HT-1 300,000 for first payment" in chat.say("yes")
    assert chat.milestones()[0].status == "done"


def test_chinese_question_and_cancel(chat: Chat) -> None:
    assert "收到多少？剩余未收 300,000.00" in chat.say("HT-1 首付款 到账了")
    assert "没有做任何修改" in chat.say("取消")
    assert "当前没有需要回答或取消的问题" in chat.say("取消")


def test_another_person_in_the_chat_does_not_answer_my_question(chat: Chat) -> None:
    chat.say("new HT-2 Globex Initrode 5000 ends 2027-05-01")
    out = chat.say("1", user="bob")
    assert "no open question" in out and len(chat.contracts()) == 1
    chat.say("2")
    [_, c] = chat.contracts()
    assert (c.title, c.counterparty) == ("Initrode", "Globex")


def test_a_question_expires_after_ten_minutes(chat: Chat, clock: Clock) -> None:
    chat.say("new HT-2 Globex Initrode 5000 ends 2027-05-01")
    clock.now += timedelta(minutes=11)
    assert "no open question" in chat.say("yes")
    assert len(chat.contracts()) == 1


def test_a_question_survives_a_restart(chat: Chat, clock: Clock) -> None:
    chat.say("new HT-2 Globex Initrode 5000 ends 2027-05-01")
    restarted = Chat(Core(chat.engine, clock=clock))
    clock.now += timedelta(minutes=9)
    restarted.say("yes")
    [_, c] = restarted.contracts()
    assert (c.title, c.counterparty, c.amount) == ("Globex", "Initrode", Decimal(5000))


def test_a_new_command_instead_of_an_answer_drops_the_question(chat: Chat) -> None:
    chat.say("new HT-2 Globex Initrode 5000 ends 2027-05-01")
    assert "HT-1" in chat.say("show HT-1")
    assert "no open question" in chat.say("1")
    assert len(chat.contracts()) == 1
