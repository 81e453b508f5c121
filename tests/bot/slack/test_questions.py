"""A question the bot asks before writing is answered with a Block Kit button, by the person who was asked."""

from __future__ import annotations

from sqlmodel import Session, select

from handlers.core import Core
from storage.models import Contract
from tests.bot.slack.conftest import SlackDriver, blocks_text, elements
from tests.fakes.slack_api import RESPOND


async def test_the_counterparty_question_is_answered_by_a_button(slack: SlackDriver, core: Core) -> None:
    [asked] = await slack.command("new HT-2027-050 Globex Initrode 5000 ends 2027-05-01")
    blocks = asked.params["blocks"]
    assert "Which one is the counterparty" in blocks_text(blocks)
    answers = [e for e in elements(blocks) if e["action_id"].startswith("contract:answer:")]
    assert [a["text"]["text"] for a in answers] == ["1. Initrode", "2. Globex", "Cancel"]
    with Session(core.engine) as s:
        assert s.exec(select(Contract)).all() == []
    # someone else pressing it is told the question is not theirs to answer
    before = len(slack.api.calls_to(RESPOND))
    assert await slack.click(answers[0], user="U0002") == 200
    [other] = slack.api.calls_to(RESPOND)[before:]
    assert "已过期或已回答" in other.params["text"]  # bob reads Chinese
    assert await slack.click(answers[0], user="U0001") == 200
    done = slack.api.calls_to(RESPOND)[before + 1:]
    assert any("Read as: new HT-2027-050" in c.params.get("text", "") for c in done)
    with Session(core.engine) as s:
        [contract] = s.exec(select(Contract)).all()
    assert (contract.title, contract.counterparty) == ("Globex", "Initrode")
