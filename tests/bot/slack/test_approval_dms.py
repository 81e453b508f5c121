"""A change request reaches its approver on Slack: a DM with Approve / Reject, and pressing Approve applies it."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, select

from handlers.core import Core
from storage.models import ChangeRequest, Milestone
from tests.bot.slack.conftest import SlackDriver, blocks_text, element, elements
from tests.fakes.slack_api import RESPOND

SETUP = (
    'new HT-2026-001 "Acme annual license" Acme Corp 1,200,000 CNY ends 2027-12-31',
    "milestone HT-2026-001 first payment 30% due next Friday owner <@U0002|bob>",
)


async def test_the_approver_gets_a_dm_with_buttons_and_approving_there_applies_it(slack: SlackDriver,
                                                                                    core: Core) -> None:
    for text in SETUP:
        await slack.command(text)  # alice (U0001) is the first person: admin, and owner of the contract
    [card] = await slack.command("change HT-2026-001 first payment due 2026-12-15 reason customer asked",
                                 user="U0002", user_name="bob")
    assert card.params["response_type"] == "in_channel"
    assert "Sent for approval to @alice." in blocks_text(card.params["blocks"])

    # the DM: posted to alice's user id (Slack's DM with the bot), in her language, with the buttons
    [dm] = slack.api.calls_to("chat.postMessage")
    assert dm.params["channel"] == "U0001"
    text = blocks_text(dm.params["blocks"])
    assert "Change request CR-1: due date of first payment (HT-2026-001)" in text
    assert "asks you to approve or reject this change" in text and "owner of HT-2026-001" in text
    assert [e["action_id"].split(":")[1] for e in elements(dm.params["blocks"])] == ["approve", "reject"]
    approve = element(dm.params["blocks"], "approve")
    assert (approve["style"], approve["text"]["text"]) == ("primary", "Approve")
    # bob, who asked, gets no copy
    assert all(c.params["channel"] != "U0002" for c in slack.api.calls_to("chat.postMessage"))

    before = len(slack.api.calls_to(RESPOND))
    assert await slack.click(approve, user="U0001", channel="D0001", ts=dm.response["ts"]) == 200  # type: ignore[index]
    [told] = slack.api.calls_to(RESPOND)[before:]
    said = told.params["text"]
    assert "CR-1 approved and applied" in said
    assert "first payment due date: Fri 2026-12-04 → Tue 2026-12-15" in said
    with Session(core.engine) as s:
        cr = s.exec(select(ChangeRequest)).one()
        m = s.exec(select(Milestone).where(Milestone.title == "first payment")).one()
    assert cr.status == "approved" and m.due_on == date(2026, 12, 15)


async def test_reject_from_the_dm_changes_nothing(slack: SlackDriver, core: Core) -> None:
    for text in SETUP:
        await slack.command(text)
    await slack.command("变更 HT-2026-001 first payment 截止 2026-12-15", user="U0002", user_name="bob")
    [dm] = slack.api.calls_to("chat.postMessage")
    await slack.click(element(dm.params["blocks"], "reject"), user="U0001", channel="D0001")
    with Session(core.engine) as s:
        cr = s.exec(select(ChangeRequest)).one()
        m = s.exec(select(Milestone).where(Milestone.title == "first payment")).one()
    assert cr.status == "rejected" and m.due_on == date(2026, 12, 4)
    [pending] = await slack.command("pending")
    assert "No change requests are waiting for approval." in pending.params["text"]
