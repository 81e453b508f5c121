"""Slash commands and mentions over signed HTTP: user types X, the channel (or only they) sees Y, the DB holds Z."""

from __future__ import annotations

import threading
import time
from datetime import date
from decimal import Decimal
from urllib.parse import urlencode

from sqlmodel import Session, select

from handlers.core import Core
from storage.models import Contract, Milestone, Person, Tenant
from tests.bot.slack.conftest import SlackDriver, blocks_text, fixture_form, fixture_json
from tests.fakes.slack_api import RESPOND

NEW_EN = 'new HT-2026-001 "Acme annual license" Acme Corp 1,200,000 CNY ends 2027-12-31'


def milestone_command() -> str:
    """The text of the real payload: milestone HT-2026-001 first payment 30% due next Friday owner <@U0002|bob>."""
    return fixture_form("slash_command.form")["text"]


async def test_slash_commands_in_english_and_chinese(slack: SlackDriver, core: Core) -> None:
    [created] = await slack.command(NEW_EN)
    assert created.params["response_type"] == "in_channel"
    assert created.params["blocks"][0] == {
        "type": "header", "text": {"type": "plain_text", "text": "Contract HT-2026-001 created", "emoji": True}}
    assert "Contract HT-2026-001 created" in created.params["text"]  # the plain fallback
    assert "Fri 2027-12-31" in blocks_text(created.params["blocks"])

    [added] = await slack.command(milestone_command())
    text = blocks_text(added.params["blocks"])
    assert added.params["response_type"] == "in_channel"
    assert "Fri 2026-12-04" in text  # "next Friday", echoed with its weekday
    assert "<@U0002>" in text  # the owner as a real mention
    assert "360,000.00 CNY (30%)" in text

    [shown] = await slack.command("查看 HT-2026-001")
    text = blocks_text(shown.params["blocks"])
    assert "编号" in text and "Acme annual license" in text and "<@U0002>" in text

    with Session(core.engine) as s:
        [tenant] = s.exec(select(Tenant)).all()
        [contract] = s.exec(select(Contract)).all()
        milestone = s.exec(select(Milestone).where(Milestone.title == "first payment")).one()
        owner = s.get(Person, milestone.owner_id)
        alice = s.exec(select(Person).where(Person.platform_user_id == "U0001")).one()
    assert (tenant.platform, tenant.external_id) == ("slack", "-:T0001")
    assert (contract.number, contract.amount, contract.channel) == ("HT-2026-001", Decimal("1200000.00"), "C0001")
    assert (milestone.title, milestone.due_on) == ("first payment", date(2026, 12, 4))
    assert owner is not None and owner.platform_user_id == "U0002"
    # who is who came from users.info: alice's zone is stored with her
    assert alice.timezone == "Asia/Shanghai" and alice.display_name == "alice"


async def test_chinese_command_creates_contract(slack: SlackDriver, core: Core) -> None:
    [reply] = await slack.command("新建 HT-2026-002 华为云采购 华为 120万 到期 2027年12月31日")
    assert reply.params["response_type"] == "in_channel"
    assert "已创建合同 HT-2026-002" in reply.params["text"]
    assert "2027-12-31 周五" in blocks_text(reply.params["blocks"])
    with Session(core.engine) as s:
        [contract] = s.exec(select(Contract)).all()
    assert (contract.title, contract.counterparty, contract.amount) == ("华为云采购", "华为", Decimal(1200000))


async def test_enterprise_grid_workspaces_are_their_own_tenants(slack: SlackDriver, core: Core) -> None:
    await slack.command(NEW_EN, enterprise="E0001")
    await slack.command(NEW_EN, team="T0002", enterprise="E0001")
    with Session(core.engine) as s:
        keys = sorted(t.external_id for t in s.exec(select(Tenant)).all())
    assert keys == ["E0001:T0001", "E0001:T0002"]


async def test_reminder_channel_setting_keeps_the_channel_id(slack: SlackDriver, core: Core) -> None:
    await slack.command("list")  # alice is the first person: admin
    [reply] = await slack.command("settings channel <#C0002|finance>")
    assert reply.params["response_type"] == "in_channel"
    with Session(core.engine) as s:
        [tenant] = s.exec(select(Tenant)).all()
    assert tenant.default_channel == "C0002"


async def test_mistake_is_shown_only_to_the_sender(slack: SlackDriver, core: Core) -> None:
    [reply] = await slack.command("frobnicate HT-1")
    assert reply.params["response_type"] == "ephemeral"
    assert "help" in reply.params["text"].lower()
    with Session(core.engine) as s:
        assert s.exec(select(Contract)).all() == []


async def test_command_text_is_unescaped_but_mentions_kept(slack: SlackDriver, core: Core) -> None:
    # Slack sends a typed & < > as entities, and a mention as <@ID|name>
    await slack.command('new HT-7 "R&amp;D &lt;phase 2&gt;" Acme 10 CNY')
    await slack.command("milestone HT-7 kickoff due 2027-01-04 owner <@U0003|carol>")
    with Session(core.engine) as s:
        [contract] = s.exec(select(Contract)).all()
        milestone = s.exec(select(Milestone).where(Milestone.title == "kickoff")).one()
        owner = s.get(Person, milestone.owner_id)
    assert contract.title == "R&D <phase 2>"
    assert owner is not None and (owner.platform_user_id, owner.display_name) == ("U0003", "carol")


async def test_channel_keyword_in_a_title_pings_nobody(slack: SlackDriver, core: Core) -> None:
    await slack.command('new HT-2026-009 "&lt;!channel&gt; pay now" Evil Corp 100 CNY')
    await slack.command("milestone HT-2026-009 &lt;!here&gt; payment due next Friday owner <@U0002|bob>")
    [shown] = await slack.command("show HT-2026-009")
    with Session(core.engine) as s:
        [contract] = s.exec(select(Contract)).all()
    assert contract.title == "<!channel> pay now"  # stored as typed
    rendered = blocks_text(shown.params["blocks"])
    assert "&lt;!channel&gt; pay now" in rendered
    everything = slack.api.dump()
    assert "<!channel>" not in everything and "<!here>" not in everything
    assert "link_names" not in everything


async def test_command_is_acked_before_the_work(slack: SlackDriver, core: Core, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    gate = threading.Event()
    slow = core.handle

    def gated(msg):  # type: ignore[no-untyped-def]
        assert gate.wait(5)
        return slow(msg)

    monkeypatch.setattr(core, "handle", gated)
    started = time.monotonic()
    assert await slack.send_command(NEW_EN) == 200  # answered while the core is still blocked
    assert time.monotonic() - started < 3
    assert slack.api.calls_to(RESPOND) == []
    gate.set()
    [reply] = await slack.api.wait_for(RESPOND)
    assert "HT-2026-001 created" in reply.params["text"]


async def test_mention_in_a_channel(slack: SlackDriver, core: Core) -> None:
    await slack.command(NEW_EN)
    await slack.command("milestone HT-2026-001 deposit 10% due 2026-11-20 owner <@U0002|bob>")
    assert await slack.event(fixture_json("event_app_mention.json")) == 200  # "<@UBOT> list overdue"
    [posted] = slack.api.calls_to("chat.postMessage")
    assert posted.params["channel"] == "C0001"
    assert None not in posted.params.values()  # no "thread_ts": null outside threads
    text = blocks_text(posted.params["blocks"])
    assert "Overdue milestones (1)" in text and "deposit" in text and "<@U0002>" in text


async def test_mention_in_a_thread_is_answered_in_the_thread(slack: SlackDriver) -> None:
    event = fixture_json("event_app_mention.json")
    event["event"].update(text="<@UBOT> frobnicate", thread_ts="1764200100.000100")
    await slack.event(event)
    [whisper] = slack.api.calls_to("chat.postEphemeral")  # a mistake: only the sender sees it
    assert (whisper.params["channel"], whisper.params["user"]) == ("C0001", "U0001")
    assert whisper.params["thread_ts"] == "1764200100.000100"


async def test_form_encoding_of_the_real_payload_is_understood(slack: SlackDriver) -> None:
    form = slack.command_form(milestone_command())
    assert "%3C%40U0002%7Cbob%3E" in urlencode(form)  # the mention arrives exactly as in the real payload
