"""Digests: one per channel per local day at the reminder time, grouped by owner; weekly on Mondays."""

from __future__ import annotations

from datetime import UTC, datetime

from handlers.core import Core
from handlers.digest import DigestComposer
from handlers.replies import reply_text
from scheduler.digests import run_digests
from tests.chat import Chat
from tests.scheduler.test_dispatch import FakeNotifier


def test_daily_digest_once_per_channel_grouped_by_owner(engine, clock) -> None:  # type: ignore[no-untyped-def]
    chat = Chat(Core(engine, clock=clock))
    chat.say("new HT-1 Acme Corp 100,000")
    chat.say("milestone HT-1 first payment 30% due 2026-11-30 owner @alice")
    chat.say("milestone HT-1 delivery due 2026-11-20 owner @bob")
    chat.say("milestone HT-1 far away due 2027-06-01 owner @bob")
    fake = FakeNotifier()
    notifiers = {"console": fake}
    # 08:59 in Shanghai: not yet
    assert run_digests(engine, notifiers, DigestComposer(), datetime(2026, 11, 28, 0, 59, tzinfo=UTC)) == 0
    assert run_digests(engine, notifiers, DigestComposer(), datetime(2026, 11, 28, 1, 0, tzinfo=UTC)) == 1
    assert run_digests(engine, notifiers, DigestComposer(), datetime(2026, 11, 28, 5, 0, tzinfo=UTC)) == 0
    text = reply_text(fake.sent[0].message)
    assert "Daily digest" in text and "1 due in the next 7 days · 1 overdue" in text
    assert text.index("@alice") < text.index("first payment") < text.index("@bob") < text.index("delivery")
    assert "far away" not in text
    # Monday 2026-11-30: the weekly summary
    assert run_digests(engine, notifiers, DigestComposer(), datetime(2026, 11, 30, 1, 0, tzinfo=UTC)) == 1
    assert "Weekly summary" in reply_text(fake.sent[-1].message)


def test_nothing_to_say_sends_nothing(engine, clock) -> None:  # type: ignore[no-untyped-def]
    chat = Chat(Core(engine, clock=clock))
    chat.say("new HT-1 Acme Corp 100,000")
    chat.say("milestone HT-1 far away due 2027-06-01 owner @bob")
    fake = FakeNotifier()
    assert run_digests(engine, {"console": fake}, DigestComposer(), datetime(2026, 11, 28, 2, 0, tzinfo=UTC)) == 0
    assert fake.sent == []


def test_a_rate_limited_digest_is_retried_later(engine, clock) -> None:  # type: ignore[no-untyped-def]
    from scheduler.notify import RateLimited

    chat = Chat(Core(engine, clock=clock))
    chat.say("new HT-1 Acme Corp 100,000")
    chat.say("milestone HT-1 first payment 30% due 2026-11-30 owner @alice")
    fake = FakeNotifier()
    fake.fail_with = [RateLimited(5)]
    at = datetime(2026, 11, 28, 1, 0, tzinfo=UTC)
    assert run_digests(engine, {"console": fake}, DigestComposer(), at) == 0
    assert run_digests(engine, {"console": fake}, DigestComposer(), at) == 1


def test_weekly_summary_still_comes_when_everything_was_done(engine, clock) -> None:  # type: ignore[no-untyped-def]
    chat = Chat(Core(engine, clock=clock))
    chat.say("new HT-1 Acme Corp 100,000")
    chat.say("milestone HT-1 first payment 30% due 2026-11-30 owner @alice")
    chat.say("done HT-1 first payment")
    chat.say("yes")  # money still owed: record the rest
    fake = FakeNotifier()
    # Monday 2026-11-30, 09:00 in Shanghai
    assert run_digests(engine, {"console": fake}, DigestComposer(), datetime(2026, 11, 30, 1, 0, tzinfo=UTC)) == 1
    assert "1 completed in the last 7 days" in reply_text(fake.sent[0].message)
