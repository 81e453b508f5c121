"""Cases found in review: unique block ids on the Home tab, server errors that must not stop a pass, bot mentions."""
from __future__ import annotations

import collections

from handlers.core import Core
from handlers.messages import IncomingMessage, Sender
from tests.bot.slack.conftest import SlackDriver, fixture_json
from tests.bot.slack.test_interactivity import AFTER_FIRST_REMINDER, home_opened, setup_ledger


def cmd(core, text, user="U0001", handle="alice"):
    return core.handle(IncomingMessage(platform="slack", tenant_key="-:T0001", text=text,
                                       sender=Sender(user, handle=handle), chat_id="C0001"))

async def test_home_duplicate_block_ids(slack: SlackDriver, core: Core, clock) -> None:
    setup_ledger(core)
    clock.now = AFTER_FIRST_REMINDER if hasattr(clock, "now") else None
    await slack.event(home_opened("U0002"))
    [pub] = slack.api.calls_to("views.publish")
    ids = [b.get("block_id") for b in pub.params["view"]["blocks"] if b.get("block_id")]
    dup = [k for k, n in collections.Counter(ids).items() if n > 1]
    assert not dup, f"duplicate block_ids in home view: {dup}"


def test_one_slack_5xx_does_not_stop_the_pass(core: Core, fake_api) -> None:
    from slack_sdk import WebClient

    from bot.slack.notifier import SlackNotifier
    from handlers.reminders import ReminderComposer
    from scheduler.dispatch import Dispatcher
    from tests.bot.slack.conftest import TOKEN

    setup_ledger(core)
    cmd(core, "milestone HT-2026-001 second payment 30% due next Friday owner <@U0002|bob>")
    fake_api.fail("chat.postMessage", "internal_error", status=500)
    d = Dispatcher(core.engine, notifiers={"slack": SlackNotifier(WebClient(token=TOKEN, base_url=fake_api.url))},
                   composer=ReminderComposer())
    result = d.run_pass(AFTER_FIRST_REMINDER)
    assert len(fake_api.calls_to("chat.postMessage")) == 2  # the second reminder is still tried
    assert result.retried == 1 and result.sent == 1


async def test_mention_without_user(slack: SlackDriver, core: Core, caplog) -> None:
    ev = fixture_json("event_app_mention.json")
    ev["event"].pop("user")
    ev["event"]["bot_id"] = "B999"
    ev["event"]["subtype"] = "bot_message"
    ev["event_id"] = "EvBot1"
    assert await slack.event(ev) == 200
    assert not [r for r in caplog.records if r.levelname == "ERROR"]
