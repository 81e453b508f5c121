"""Reminders with buttons: the dispatch pass posts them, clicks and modals act on them, the message is edited."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from slack_sdk import WebClient
from sqlmodel import Session, select

from bot.slack.notifier import SlackNotifier
from handlers.core import Core
from handlers.i18n import t
from handlers.messages import IncomingMessage, Sender
from handlers.reminders import ReminderComposer
from scheduler.dispatch import Dispatcher
from storage.models import AuditEvent, Milestone, Payment, Person, Reminder, SentMessage
from tests.bot.slack.conftest import TOKEN, SlackDriver, blocks_text, element, elements, fixture_json
from tests.fakes.slack_api import RESPOND, FakeSlackAPI

# the 3-days-ahead reminder of a milestone due Fri 2026-12-04 fires on Tue 2026-12-01 09:00 in Shanghai
AFTER_FIRST_REMINDER = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
SETUP = (
    'new HT-2026-001 "Acme annual license" Acme Corp 1,200,000 CNY ends 2027-12-31',
    "milestone HT-2026-001 first payment 30% due next Friday owner <@U0002|bob>",
)


@dataclass
class Posted:
    """A reminder the bot posted: where, and its blocks."""

    channel: str
    ts: str
    blocks: list[dict[str, Any]]

    @property
    def ref(self) -> str:
        return f"{self.channel}:{self.ts}"


def setup_ledger(core: Core, *, team: str = "T0001", money: bool = True) -> None:
    """Alice (the first person, so admin) creates a contract and a payment milestone owned by bob.

    money=False leaves the milestone without an amount, so Done closes it at once (with money still owed, Done
    asks first: see test_done_on_money_still_owed_asks_first).
    """
    for text in (SETUP if money else (SETUP[0], SETUP[1].replace(" 30%", ""))):
        core.handle(IncomingMessage(platform="slack", tenant_key=f"-:{team}", text=text,
                                    sender=Sender("U0001", handle="alice"), chat_id="C0001"))


def dispatch(core: Core, api: FakeSlackAPI, at: datetime = AFTER_FIRST_REMINDER) -> Posted:
    """One dispatch pass with the real Slack notifier against the fake; the reminder it posted."""
    before = len(api.calls_to("chat.postMessage"))
    notifier = SlackNotifier(WebClient(token=TOKEN, base_url=api.url))
    result = Dispatcher(core.engine, notifiers={"slack": notifier}, composer=ReminderComposer()).run_pass(at)
    assert result.sent == 1, result
    [call] = api.calls_to("chat.postMessage")[before:]
    assert call.response is not None
    return Posted(call.params["channel"], call.response["ts"], call.params["blocks"])


def refused(text: str) -> bool:
    """The core's refusal of a button, in whichever language it answered."""
    return any(t("err.action_unknown", lang) in text for lang in ("en", "zh"))


def milestone(core: Core, title: str = "first payment") -> Milestone:
    with Session(core.engine) as s:
        return s.exec(select(Milestone).where(Milestone.title == title)).one()


# -- the dispatch pass ---------------------------------------------------------------------------------------


def test_dispatch_posts_a_reminder_with_buttons(core: Core, fake_api: FakeSlackAPI) -> None:
    setup_ledger(core)
    posted = dispatch(core, fake_api)
    assert posted.channel == "C0001"
    [call] = fake_api.calls_to("chat.postMessage")
    assert call.token == TOKEN
    assert "first payment of HT-2026-001" in call.params["text"]  # the plain fallback
    assert "link_names" not in call.params
    blocks = posted.blocks
    assert blocks[0]["type"] == "header"
    text = blocks_text(blocks)
    assert "Tue 2026-12-01" not in text and "Fri 2026-12-04" in text  # due date with its weekday
    assert "<@U0002>" in text and "Acme Corp" in text and "360,000.00 CNY (30%)" in text

    kinds = [e["action_id"].split(":")[1] for e in elements(blocks)]
    assert kinds == ["done", "snooze", "snooze_date", "reassign", "note", "pay"]
    done = element(blocks, "done")
    assert (done["type"], done["style"], done["text"]["text"]) == ("button", "primary", "Done")
    snooze = element(blocks, "snooze")
    assert snooze["type"] == "overflow"
    assert [o["text"]["text"] for o in snooze["options"]] == ["Snooze 1 day", "Snooze 3 days"]
    assert element(blocks, "snooze_date")["type"] == "datepicker"
    assert element(blocks, "reassign")["type"] == "users_select"
    assert element(blocks, "note")["type"] == element(blocks, "pay")["type"] == "button"

    with Session(core.engine) as s:
        [sent] = s.exec(select(SentMessage)).all()
        reminder = s.get(Reminder, sent.reminder_id)
    assert sent.ref == posted.ref  # the notifier's reference is channel:ts
    assert reminder is not None and reminder.status == "sent" and reminder.message_ref == posted.ref


def test_dispatch_to_a_channel_the_bot_left_fails_for_good(core: Core, fake_api: FakeSlackAPI) -> None:
    setup_ledger(core)
    fake_api.fail("chat.postMessage", "not_in_channel")
    notifier = SlackNotifier(WebClient(token=TOKEN, base_url=fake_api.url))
    result = Dispatcher(core.engine, notifiers={"slack": notifier}, composer=ReminderComposer()).run_pass(
        AFTER_FIRST_REMINDER)
    assert result.failed == 1
    with Session(core.engine) as s:
        failed = s.exec(select(Reminder).where(Reminder.status == "failed")).one()
    assert failed.last_error == "not_in_channel"
    # the contract owner (alice) is told by DM, opened with conversations.open
    assert [c.params["users"] for c in fake_api.calls_to("conversations.open")] == ["U0001"]
    assert fake_api.calls_to("chat.postMessage")[-1].params["channel"] == "D0001"


# -- clicks ---------------------------------------------------------------------------------------------------


async def test_done_click_completes_the_milestone_and_edits_the_reminder(slack: SlackDriver, core: Core) -> None:
    setup_ledger(core, money=False)
    posted = await asyncio.to_thread(dispatch, core, slack.api)
    assert await slack.click(element(posted.blocks, "done"), user="U0002", ts=posted.ts) == 200

    [update] = slack.api.calls_to("chat.update")
    assert (update.params["channel"], update.params["ts"]) == (posted.channel, posted.ts)
    edited = blocks_text(update.params["blocks"])
    assert "✅ @bob 已完成" in edited  # bob's Slack locale is zh-CN: his actions are told in Chinese
    assert elements(update.params["blocks"]) == []  # no buttons on a finished milestone
    [confirmation] = slack.api.calls_to(RESPOND)
    assert confirmation.params["response_type"] == "ephemeral"
    assert confirmation.params["replace_original"] is False
    assert "HT-2026-001 的 first payment 已完成" in confirmation.params["text"]
    m = milestone(core)
    with Session(core.engine) as s:
        bob = s.exec(select(Person).where(Person.platform_user_id == "U0002")).one()
    assert m.status == "done" and m.done_by_id == bob.id
    assert slack.api.calls_to("chat.postMessage") == [slack.api.calls_to("chat.postMessage")[0]]  # nothing public


async def test_snooze_menu_date_picker_and_user_picker(slack: SlackDriver, core: Core) -> None:
    setup_ledger(core)
    posted = await asyncio.to_thread(dispatch, core, slack.api)

    snooze = element(posted.blocks, "snooze")
    await slack.click({**snooze, "selected_option": snooze["options"][1]}, ts=posted.ts)  # 3 days
    assert milestone(core).snoozed_until == date(2026, 11, 30)
    assert "延后至 2026-11-30" in blocks_text(slack.api.calls_to("chat.update")[-1].params["blocks"])

    await slack.click({**element(posted.blocks, "snooze_date"), "selected_date": "2026-12-03"}, ts=posted.ts)
    assert milestone(core).snoozed_until == date(2026, 12, 3)

    await slack.click({**element(posted.blocks, "reassign"), "selected_user": "U0003"}, ts=posted.ts)
    with Session(core.engine) as s:
        owner = s.get(Person, milestone(core).owner_id)
    assert owner is not None and owner.platform_user_id == "U0003"
    update = slack.api.calls_to("chat.update")[-1]
    assert update.params["ts"] == posted.ts and "<@U0003>" in blocks_text(update.params["blocks"])
    assert all(c.params["response_type"] == "ephemeral" for c in slack.api.calls_to(RESPOND))


async def test_add_note_opens_a_modal_and_its_text_is_saved(slack: SlackDriver, core: Core) -> None:
    setup_ledger(core)
    posted = await asyncio.to_thread(dispatch, core, slack.api)
    note = element(posted.blocks, "note")
    payload = slack.click_payload(note, ts=posted.ts)
    payload["message"]["blocks"] = posted.blocks
    await slack.send_payload(payload)
    await slack.platform.idle()

    [opened] = slack.api.calls_to("views.open")
    view = opened.params["view"]
    assert opened.params["trigger_id"] == payload["trigger_id"]
    assert view["type"] == "modal" and view["title"]["text"] == "Add note"
    assert json.loads(view["private_metadata"]) == {"key": note["value"], "ref": posted.ref, "channel": "C0001"}
    assert milestone(core).note is None  # nothing happens until the modal is submitted

    await slack.send_payload(submission(view, "Customer asked for <!here> invoice & PO", user="U0002"))
    await slack.platform.idle()
    assert milestone(core).note is not None and milestone(core).note.endswith("Customer asked for <!here> invoice & PO")
    [whisper] = slack.api.calls_to("chat.postEphemeral")
    assert (whisper.params["channel"], whisper.params["user"]) == ("C0001", "U0002")
    update = slack.api.calls_to("chat.update")[-1]
    assert update.params["ts"] == posted.ts
    assert "&lt;!here&gt; invoice &amp; PO" in blocks_text(update.params["blocks"])
    assert "<!here>" not in slack.api.dump()


async def test_record_payment_modal_records_the_amount(slack: SlackDriver, core: Core) -> None:
    setup_ledger(core)
    posted = await asyncio.to_thread(dispatch, core, slack.api)
    await slack.click(element(posted.blocks, "pay"), ts=posted.ts)
    [opened] = slack.api.calls_to("views.open")
    assert opened.params["view"]["title"]["text"] == "Record payment"
    await slack.send_payload(submission(opened.params["view"], "360,000", user="U0002"))
    await slack.platform.idle()
    [whisper] = slack.api.calls_to("chat.postEphemeral")
    assert whisper.params["user"] == "U0002" and "360,000.00 CNY" in whisper.params["text"]
    with Session(core.engine) as s:
        [payment] = s.exec(select(Payment)).all()
    assert payment.amount == Decimal(360000)
    assert milestone(core).status == "done"  # the payment settles the milestone
    update = slack.api.calls_to("chat.update")[-1]
    assert update.params["ts"] == posted.ts and elements(update.params["blocks"]) == []


# -- refusals ---------------------------------------------------------------------------------------------------


async def test_forged_key_is_refused_privately(slack: SlackDriver, core: Core) -> None:
    setup_ledger(core)
    await slack.click({"action_id": "contract:done:forged", "type": "button", "value": "forged-key-123",
                       "text": {"type": "plain_text", "text": "Done"}})
    [refusal] = slack.api.calls_to(RESPOND)
    assert refusal.params["response_type"] == "ephemeral"
    assert refused(refusal.params["text"])
    assert slack.api.calls_to("chat.update") == []
    assert milestone(core).status == "open"


async def test_another_workspace_cannot_use_our_keys_or_see_our_contracts(slack: SlackDriver, core: Core) -> None:
    setup_ledger(core)
    posted = await asyncio.to_thread(dispatch, core, slack.api)
    ours = milestone(core).tenant_id
    before = audit_count(core, ours)

    await slack.click(element(posted.blocks, "done"), team="T0002", user="U0002", ts=posted.ts)
    [refusal] = slack.api.calls_to(RESPOND)
    assert refusal.params["response_type"] == "ephemeral" and refused(refusal.params["text"])
    assert slack.api.calls_to("chat.update") == []
    assert milestone(core).status == "open"

    [answer] = await slack.command("show HT-2026-001", team="T0002", user="U0009")
    assert answer.params["response_type"] == "ephemeral"
    assert "Acme" not in answer.params["text"]
    assert audit_count(core, ours) == before  # workspace A's data untouched


def audit_count(core: Core, tenant_id: int) -> int:
    with Session(core.engine) as s:
        return len(s.exec(select(AuditEvent).where(AuditEvent.tenant_id == tenant_id)).all())


# -- the Home tab -----------------------------------------------------------------------------------------------


async def test_home_tab_lists_my_milestones_and_refreshes_after_a_click(slack: SlackDriver, core: Core) -> None:
    setup_ledger(core, money=False)
    await slack.event(home_opened("U0002"))
    [published] = slack.api.calls_to("views.publish")
    assert published.params["user_id"] == "U0002"
    home = published.params["view"]
    assert home["type"] == "home"
    text = blocks_text(home["blocks"])
    assert "我的节点：逾期及未来 7 天到期（1）" in text  # bob's Slack locale is zh-CN
    assert "first payment" in text

    posted = await asyncio.to_thread(dispatch, core, slack.api)
    payload = slack.click_payload(element(posted.blocks, "done"), user="U0002")
    for key in ("channel", "message", "response_url"):
        payload.pop(key)
    payload["container"] = {"type": "view", "view_id": "V0002"}
    payload["view"] = {"id": "V0002", "type": "home", "team_id": "T0001"}
    await slack.send_payload(payload)
    await slack.platform.idle()
    assert milestone(core).status == "done"
    refreshed = slack.api.calls_to("views.publish")[-1].params["view"]
    notice, rest = split_at_divider(refreshed["blocks"])
    assert "HT-2026-001" in blocks_text(notice)  # the click's confirmation on top
    assert "您没有未完成的节点" in blocks_text(rest)


def split_at_divider(blocks: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    i = [b["type"] for b in blocks].index("divider")
    return blocks[:i], blocks[i + 1:]


# -- payload builders ------------------------------------------------------------------------------------------


def submission(view: dict[str, Any], text: str, *, user: str, team: str = "T0001") -> dict[str, Any]:
    """The view_submission Slack sends for our one-field modal."""
    return {
        "type": "view_submission", "team": {"id": team, "domain": "acme"},
        "user": {"id": user, "username": "bob", "name": "bob", "team_id": team},
        "api_app_id": "A0001", "token": "verification_token", "trigger_id": "222.333.valid",
        "view": {**view, "id": "V0001", "team_id": team, "app_installed_team_id": team, "hash": "1.abc",
                 "state": {"values": {"value": {"value": {"type": "plain_text_input", "value": text}}}}},
        "response_urls": [], "is_enterprise_install": False, "enterprise": None,
    }


def home_opened(user: str) -> dict[str, Any]:
    envelope = fixture_json("event_app_mention.json")
    envelope["event"] = {"type": "app_home_opened", "user": user, "channel": "D" + user[1:], "tab": "home",
                         "event_ts": "1764200400.000400"}
    envelope["event_id"] = f"EvHome{user}"
    return envelope

