"""A date the reader refuses on purpose is answered with its reason, in the user's language, and nothing is written."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.chat import Chat

START = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)  # Tuesday 2026-12-01, 10:00 in Shanghai


@pytest.fixture
def chat(engine) -> Chat:  # type: ignore[no-untyped-def]
    chat = Chat.on_clock(engine, START)
    chat.say('new HT-1 "Pump" "Acme" 1000 USD')
    return chat


@pytest.mark.parametrize(("text", "reason"), [
    ("milestone HT-1 delivery this friday 5/12 @bob", "this friday is Fri 2026-12-04 but 5/12 is Wed 2027-05-12"),
    ("milestone HT-1 delivery due friday 2026-12-05 @bob", "Sat 2026-12-05 is not a Friday"),
])
def test_a_contradicting_weekday_is_refused_naming_both_readings(chat: Chat, text: str, reason: str) -> None:
    answer = chat.say(text)
    assert "I can't take that date" in answer and reason in answer
    assert "Example: milestone" in answer
    assert chat.milestones() == []


def test_the_reason_follows_the_users_language(chat: Chat) -> None:
    answer = chat.say("节点 HT-1 交付 周五 12月5日 @bob")
    assert "这个日期无法采用" in answer and "2026-12-05" in answer and "I can't" not in answer
    assert chat.milestones() == []


def test_an_unreadable_phrase_still_gets_the_plain_answer(chat: Chat) -> None:
    answer = chat.say("milestone HT-1 delivery due 2027-02-30 @bob")
    assert "as a date" in answer and chat.milestones() == []

