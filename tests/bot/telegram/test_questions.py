"""A question the bot asks before writing (which name is the counterparty?) is answered with its inline button."""

from __future__ import annotations

from sqlmodel import Session, select

from bot.telegram.platform import TelegramPlatform
from handlers.core import Core
from storage.models import Contract
from tests.bot.telegram.conftest import GROUP_ID, buttons, press_update, say
from tests.fakes.telegram_api import FakeTelegram


async def test_the_counterparty_question_is_answered_by_a_button(fake: FakeTelegram, telegram: TelegramPlatform,
                                                                 core: Core) -> None:
    [question] = await say(fake, "/contract 新建 HT-2027-050 环球 英创 5000 到期 2027-05-01")
    assert "哪个是合同对方" in question["text"]
    labels = [label for label, _ in buttons(question)]
    assert labels[:2] == ["1. 英创", "2. 环球"] and labels[-1] == "取消"
    with Session(core.engine) as s:
        assert s.exec(select(Contract)).all() == []  # nothing is written before the answer
    message = fake.messages[(GROUP_ID, next(m["message_id"] for (c, _), m in fake.messages.items()
                                            if c == GROUP_ID and m["html"] == question["text"]))]
    mark = fake.mark()
    fake.push_update(press_update(buttons(question)[1][1], message))  # "2. 环球": 环球 is the counterparty
    [answer] = await fake.wait("answerCallbackQuery", since=mark)
    [posted] = await fake.wait("sendMessage", 1, since=mark)
    assert "理解为：新建 HT-2027-050 &quot;英创&quot; &quot;环球&quot;" in posted.params["text"]
    with Session(core.engine) as s:
        [contract] = s.exec(select(Contract)).all()
    assert (contract.title, contract.counterparty) == ("英创", "环球")


async def test_typed_cancel_drops_the_question(fake: FakeTelegram, telegram: TelegramPlatform, core: Core) -> None:
    await say(fake, "/contract 新建 HT-2027-051 环球 英创 5000 到期 2027-05-01")
    [reply] = await say(fake, "/contract 取消")
    assert "没有做任何修改" in reply["text"]
    with Session(core.engine) as s:
        assert s.exec(select(Contract)).all() == []
