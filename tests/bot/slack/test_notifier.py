"""SlackNotifier against the fake Web API: references, DMs, and Slack errors mapped to the scheduler's."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from sqlmodel import Session, select

from bot.slack.notifier import SlackNotifier, make_slack_notifier
from handlers.core import Core
from handlers.reminders import ReminderComposer
from handlers.replies import Action, Field, PersonRef, Reply
from scheduler.dispatch import Dispatcher
from scheduler.notify import CannotDM, Outgoing, PermanentFailure, RateLimited, Target
from storage.models import Milestone, Reminder
from tests.bot.slack.conftest import TOKEN, settings_for
from tests.bot.slack.test_interactivity import AFTER_FIRST_REMINDER, setup_ledger
from tests.fakes.slack_api import FakeSlackAPI


def reminder() -> Reply:
    return Reply(title="⏰ first payment of HT-2026-001 is due in 3 days (Fri 2026-12-04)",
                 fields=[Field("Owner", (PersonRef("bob", platform_user_id="U0002"),))],
                 actions=[Action("done", "Done", "k-done", style="primary")])


def to_channel(channel: str = "C0001") -> Outgoing:
    return Outgoing(Target("slack", "-:T0001", chat_id=channel), reminder())


def to_dm(user: str = "U0002") -> Outgoing:
    return Outgoing(Target("slack", "-:T0001", user_id=user, dm=True), reminder(), fallback_chat_id="C0001")


@pytest.fixture
def notifier(fake_api: FakeSlackAPI) -> SlackNotifier:
    # no retry handler: each 429 reaches the notifier at once (make_slack_notifier's client is tested apart)
    return SlackNotifier(WebClient(token=TOKEN, base_url=fake_api.url, retry_handlers=[]))


def test_send_returns_channel_and_ts(notifier: SlackNotifier, fake_api: FakeSlackAPI) -> None:
    ref = notifier.send(to_channel())
    [call] = fake_api.calls_to("chat.postMessage")
    assert ref == f"C0001:{call.response['ts']}"  # type: ignore[index]
    assert call.token == TOKEN
    assert call.params["text"].startswith("⏰ first payment") and "<@U0002>" in call.params["text"]
    assert call.params["blocks"][-1]["elements"][0]["value"] == "k-done"


def test_dm_opens_the_conversation_once(notifier: SlackNotifier, fake_api: FakeSlackAPI) -> None:
    first, second = notifier.send(to_dm()), notifier.send(to_dm())
    assert first.startswith("D0002:") and second.startswith("D0002:") and first != second
    assert [c.params["users"] for c in fake_api.calls_to("conversations.open")] == ["U0002"]


def test_dm_that_cannot_be_opened_is_cannot_dm(notifier: SlackNotifier, fake_api: FakeSlackAPI) -> None:
    fake_api.fail("conversations.open", "user_disabled")
    with pytest.raises(CannotDM):
        notifier.send(to_dm())
    assert fake_api.calls_to("chat.postMessage") == []


@pytest.mark.parametrize("error", ["not_in_channel", "channel_not_found", "is_archived", "account_inactive"])
def test_permanent_errors(notifier: SlackNotifier, fake_api: FakeSlackAPI, error: str) -> None:
    fake_api.fail("chat.postMessage", error)
    with pytest.raises(PermanentFailure, match=error) as caught:
        notifier.send(to_channel())
    assert not isinstance(caught.value, CannotDM)


def test_429_is_rate_limited_with_retry_after(notifier: SlackNotifier, fake_api: FakeSlackAPI) -> None:
    fake_api.rate_limit("chat.postMessage", retry_after=7)
    with pytest.raises(RateLimited) as caught:
        notifier.send(to_channel())
    assert caught.value.retry_after == 7.0


def test_update_edits_by_reference(notifier: SlackNotifier, fake_api: FakeSlackAPI) -> None:
    notifier.update("C0001:1764300000.000042", reminder())
    [call] = fake_api.calls_to("chat.update")
    assert (call.params["channel"], call.params["ts"]) == ("C0001", "1764300000.000042")
    fake_api.fail("chat.update", "message_not_found")
    with pytest.raises(PermanentFailure):
        notifier.update("C0001:1764300000.000042", reminder())
    with pytest.raises(PermanentFailure):
        notifier.update("console:3", reminder())


def test_make_slack_notifier_uses_the_api_url_and_retries_a_429(fake_api: FakeSlackAPI,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    # slack_sdk sleeps Retry-After plus up to 1 s of jitter before its retry: drop the jitter
    monkeypatch.setattr("slack_sdk.http_retry.builtin_handlers.random.random", lambda: 0.0)
    settings = settings_for(fake_api, slack_api_url=fake_api.url.rstrip("/"))  # the '/' is added back
    notifier = make_slack_notifier(settings)
    assert notifier.client.base_url == fake_api.url
    assert any(isinstance(h, RateLimitErrorRetryHandler) for h in notifier.client.retry_handlers)
    fake_api.rate_limit("chat.postMessage", retry_after=0)
    assert notifier.send(to_channel()).startswith("C0001:")
    assert len(fake_api.calls_to("chat.postMessage")) == 2  # the 429, then the retry


def test_dispatch_pass_reschedules_a_rate_limited_reminder(core: Core, fake_api: FakeSlackAPI,
                                                           notifier: SlackNotifier) -> None:
    setup_ledger(core)
    fake_api.rate_limit("chat.postMessage", retry_after=30)
    result = Dispatcher(core.engine, notifiers={"slack": notifier}, composer=ReminderComposer()).run_pass(
        AFTER_FIRST_REMINDER)
    assert result.retried == 1 and result.sent == 0
    with Session(core.engine) as s:
        first_payment = s.exec(select(Milestone).where(Milestone.title == "first payment")).one()
        due = s.exec(select(Reminder).where(Reminder.milestone_id == first_payment.id,
                                            Reminder.stage == "d-3")).one()
    assert due.status == "pending"
    assert _utc(due.fire_at) == AFTER_FIRST_REMINDER + timedelta(seconds=30)


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)
