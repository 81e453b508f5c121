"""Request hygiene: signatures, stale timestamps, retried events, DMs and what is not a command."""

from __future__ import annotations

import json
import time
from urllib.parse import urlencode

from sqlmodel import Session, select

from handlers.core import Core
from storage.models import AuditEvent, Contract, Milestone, ProcessedEvent
from tests.bot.slack.conftest import SlackDriver, blocks_text, fixture_json, signature

SETUP_ZH = (
    "新建 HT-2026-002 华为云采购 华为 120万 到期 2027年12月31日",
    "节点 HT-2026-002 首付款 下周五 <@U0001|alice>",  # no amount: 完成 closes it without asking
)


async def test_forged_signature_is_rejected(slack: SlackDriver, core: Core) -> None:
    body = urlencode(slack.command_form('new HT-1 "Forged" Acme 10 CNY'))
    status, _ = await slack.post(body, content_type="application/x-www-form-urlencoded", secret="not-the-secret")
    assert status == 401
    await slack.platform.idle()
    assert slack.api.calls == []
    with Session(core.engine) as s:
        assert s.exec(select(Contract)).all() == []


async def test_tampered_body_is_rejected(slack: SlackDriver, core: Core) -> None:
    ts = int(time.time())
    signed = urlencode(slack.command_form("list"))
    sent = urlencode(slack.command_form('new HT-1 "Tampered" Acme 10 CNY'))
    async with slack.session.post(slack.url, data=sent, headers={
        "Content-Type": "application/x-www-form-urlencoded", "X-Slack-Request-Timestamp": str(ts),
        "X-Slack-Signature": signature(signed, ts)}) as resp:
        assert resp.status == 401
    with Session(core.engine) as s:
        assert s.exec(select(Contract)).all() == []


async def test_stale_timestamp_is_rejected(slack: SlackDriver, core: Core) -> None:
    body = urlencode(slack.command_form('new HT-1 "Replayed" Acme 10 CNY'))
    status, _ = await slack.post(body, content_type="application/x-www-form-urlencoded",
                                 timestamp=int(time.time()) - 6 * 60)  # correctly signed, 6 minutes old
    assert status == 401
    await slack.platform.idle()
    assert slack.api.calls == []
    with Session(core.engine) as s:
        assert s.exec(select(Contract)).all() == []


async def test_retried_dm_event_is_applied_once(slack: SlackDriver, core: Core) -> None:
    for text in SETUP_ZH:
        await slack.command(text)
    event = fixture_json("event_message_im.json")  # 完成 HT-2026-002 首付款, event_id Ev0002

    assert await slack.event(event) == 200
    [answer] = await slack.api.wait_for("chat.postMessage")
    assert answer.params["channel"] == "D0001"
    assert "已完成" in answer.params["text"]

    assert await slack.event(event, retry_num=1) == 200  # Slack did not see our 200 in time and retries
    assert await slack.event(event, retry_num=2) == 200
    assert len(slack.api.calls_to("chat.postMessage")) == 1  # no second answer ("already done")
    with Session(core.engine) as s:
        m = s.exec(select(Milestone).where(Milestone.title == "首付款")).one()
        done = s.exec(select(AuditEvent).where(AuditEvent.action == "milestone.done")).all()
        seen = s.exec(select(ProcessedEvent)).all()
    assert m.status == "done"
    assert len(done) == 1
    events = [(e.platform, e.event_id) for e in seen if not e.event_id.startswith("command:")]  # (slash commands)
    assert events == [("slack", "Ev0002")]


async def test_mention_retried_is_answered_once(slack: SlackDriver) -> None:
    event = fixture_json("event_app_mention.json")
    await slack.event(event)
    await slack.event(event, retry_num=1)
    [answer] = slack.api.calls_to("chat.postMessage")
    assert "Nothing is overdue." in blocks_text(answer.params["blocks"])


async def test_bot_messages_and_edits_in_a_dm_are_not_commands(slack: SlackDriver) -> None:
    from_bot = fixture_json("event_message_im.json")
    from_bot["event"].update(bot_id="B0099", text="help")
    from_bot["event_id"] = "Ev0100"
    edited = fixture_json("event_message_im.json")
    edited["event"].update(subtype="message_changed", text="help")
    edited["event_id"] = "Ev0101"
    assert await slack.event(from_bot) == 200
    assert await slack.event(edited) == 200
    assert slack.api.calls_to("chat.postMessage") == []
    # a plain DM still is one
    hello = fixture_json("event_message_im.json")
    hello["event"]["text"] = "<@UBOT> 帮助"  # mentioning the bot in its own DM is harmless
    hello["event_id"] = "Ev0102"
    await slack.event(hello)
    [answer] = slack.api.calls_to("chat.postMessage")
    assert answer.params["channel"] == "D0001"
    assert answer.params["text"].startswith("合同履约跟踪机器人 命令")  # help, in Chinese


async def test_channel_messages_without_a_mention_are_acknowledged_and_ignored(slack: SlackDriver) -> None:
    event = fixture_json("event_message_im.json")
    event["event"].update(channel="C0001", channel_type="channel", text="list")
    event["event_id"] = "Ev0200"
    assert await slack.event(event) == 200  # a 404 would make Slack retry it
    assert slack.api.calls_to("chat.postMessage") == []


async def test_users_info_is_asked_once_per_person(slack: SlackDriver) -> None:
    await slack.command("list")
    await slack.command("list mine")
    await slack.command("list", user="U0002", user_name="bob")
    assert [c.params["user"] for c in slack.api.calls_to("users.info")] == ["U0001", "U0002"]
    assert all(c.params.get("include_locale") in (True, "true", "1") for c in slack.api.calls_to("users.info"))


async def test_event_url_verification_is_answered(slack: SlackDriver) -> None:
    # Slack checks the Request URL when it is saved in the app settings (HTTP mode)
    body = json.dumps({"token": "verification_token", "challenge": "3eZbrw1aBm2rZgRNFdxV", "type": "url_verification"})
    status, text = await slack.post(body, content_type="application/json")
    assert status == 200 and "3eZbrw1aBm2rZgRNFdxV" in text
