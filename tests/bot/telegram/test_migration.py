"""A group upgraded to a supergroup keeps its team: presses in the new chat still work."""
from __future__ import annotations

import asyncio

from tests.bot.telegram.conftest import GROUP_ID, ZHANGSAN, buttons, press_update
from tests.bot.telegram.test_buttons import D_MINUS_3, dispatch, ledger

NEW_ID = -1009999999999

async def test_buttons_keep_working_after_group_migration(fake, telegram, core, clock) -> None:
    await ledger(fake, money=False)
    clock.now = D_MINUS_3
    fake.fail("sendMessage", 400, "Bad Request: group chat was upgraded to a supergroup chat",
              parameters={"migrate_to_chat_id": NEW_ID}, chat_id=GROUP_ID)
    await dispatch(telegram, core)
    msg = next(m for (chat, _), m in fake.messages.items() if chat == NEW_ID)
    data = buttons(msg)[0][1]
    mark = fake.mark()
    fake.push_update(press_update(data, msg, user=ZHANGSAN))
    [_answer] = await fake.wait("answerCallbackQuery", since=mark)
    await asyncio.sleep(0.2)
    assert fake.requests("editMessageText", since=mark), "press in the migrated group was refused"
