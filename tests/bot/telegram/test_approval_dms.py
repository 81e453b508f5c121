"""A change request reaches its approvers on Telegram: a private message with buttons, or a mention in the group."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any

from sqlmodel import Session, select

from bot.telegram.platform import TelegramPlatform
from handlers.core import Core
from storage.models import ChangeRequest, Milestone
from tests.bot.telegram.conftest import GROUP_ID, LIWEI, WANGWU, ZHANGSAN, buttons, press_update, private_chat, say
from tests.fakes.telegram_api import FakeTelegram


def stored(fake: FakeTelegram, chat_id: int) -> dict[str, Any]:
    """The last message the bot sent to a chat, as the fake keeps it."""
    return fake.messages[(chat_id, max(mid for chat, mid in fake.messages if chat == chat_id))]


async def setup(fake: FakeTelegram) -> None:
    """李伟 (admin, owner of HT-2026-002) has a private chat with the bot; 王五 is an admin who has none."""
    await say(fake, "/contract 新建 HT-2026-002 华为云采购 华为 120万 到期 2027年12月31日")
    await say(fake, "/contract 列表", user=ZHANGSAN)
    await say(fake, "/contract list", user=WANGWU)
    await say(fake, "/contract 节点 HT-2026-002 首付款 30% 2027-01-15 @zhangsan")
    await say(fake, "/contract 角色 @wangwu 管理员")
    await say(fake, "帮助", chat=private_chat(LIWEI))


async def test_approver_gets_a_private_card_and_approving_there_applies_it(
    fake: FakeTelegram, telegram: TelegramPlatform, core: Core
) -> None:
    await setup(fake)
    sent = await say(fake, "/contract 变更 HT-2026-002 首付款 截止 2027-01-31 原因 客户要求", user=ZHANGSAN,
                     replies=2)
    # two chats, two outbox lanes: each chat's replies keep their order, the two chats need not
    group, dm = sorted(sent, key=lambda params: params["chat_id"])
    assert group["chat_id"] == GROUP_ID and dm["chat_id"] == LIWEI["id"]
    # the group card says who was asked privately, and mentions 王五 (who never started the bot) instead
    assert "已发给 @Li Wei 审批" in group["text"]
    assert f'<a href="tg://user?id={WANGWU["id"]}">' in group["text"]
    assert "私聊" in group["text"]
    # the private card: in 李伟's language, with Approve / Reject
    assert "变更申请 CR-1" in dm["text"] and "请您审批" in dm["text"]
    assert [label for label, _ in buttons(dm)] == ["批准", "驳回"]

    message = stored(fake, LIWEI["id"])
    approve = next(data for label, data in buttons(message) if label == "批准")
    mark = fake.mark()
    fake.push_update(press_update(approve, message, user=LIWEI))
    # the card in the DM is edited to show the decision, its buttons gone
    [posted] = await fake.wait("editMessageText", 1, since=mark)
    await asyncio.sleep(0.1)
    assert posted.params["chat_id"] == LIWEI["id"]
    assert "CR-1 已批准并生效" in posted.params["text"]
    assert "首付款 的截止日期：2027-01-15 周五 → 2027-01-31 周日" in posted.params["text"]
    assert "reply_markup" not in posted.params
    with Session(core.engine) as s:
        cr = s.exec(select(ChangeRequest)).one()
        m = s.exec(select(Milestone).where(Milestone.title == "首付款")).one()
    assert cr.status == "approved" and m.due_on == date(2027, 1, 31)


async def test_pending_in_the_group_has_buttons_for_the_approver(
    fake: FakeTelegram, telegram: TelegramPlatform, core: Core
) -> None:
    await setup(fake)
    await say(fake, "/contract 变更 HT-2026-002 首付款 截止 2027-01-31", user=ZHANGSAN, replies=2)
    [listed] = await say(fake, "/contract 待审批")
    assert "待审批的变更（1）" in listed["text"] and "申请人 @San Zhang" in listed["text"]
    assert [label for label, _ in buttons(listed)] == ["批准 CR-1", "驳回 CR-1"]
    [mine] = await say(fake, "/contract 待审批", user=ZHANGSAN)
    assert buttons(mine) == []  # the requester cannot decide their own change
