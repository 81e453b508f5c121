"""Applying a stored event: translate it, run it through the core in a worker thread, queue the replies.

One ``EventApplier`` call per inbox row (bot.lanes runs them: one chat at a time in order, chats in parallel).
The replies are stored in the reply outbox in the transaction that marks the row applied (bot.feishu.outbox).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from typing import Any

from bot.feishu.api import FeishuApi
from bot.feishu.directory import Directory
from bot.feishu.outbox import ReplyQueue, Turn
from bot.feishu.translate import (
    CARD_ACTION,
    MESSAGE_EVENT,
    chat_of,
    command_text,
    event_type,
    incoming_action,
    incoming_message,
    locale_of,
    press_of,
    sender_open_id,
)
from bot.lanes import DONE, RELEASE, Outcome, fail
from handlers import commands
from handlers.core import Core
from handlers.messages import IncomingMessage
from handlers.replies import Reply

log = logging.getLogger(__name__)

# In a private chat these verbs mean "my milestones in every team I belong to".
PERSONAL_VERBS = frozenset({"list", "mine", "overdue", "week"})


def run_command(core: Core, msg: IncomingMessage) -> list[Reply]:
    """Run a command; in a private chat, list/mine/overdue/week look across the person's teams."""
    if msg.chat_type == "private" and commands.split_verb(msg.text)[0] in PERSONAL_VERBS:
        return core.my_milestones(msg)
    return core.handle(msg)


class EventApplier:
    """Applies one inbox row of the Feishu platform."""

    def __init__(self, core: Core, *, api: Callable[[], FeishuApi | None], bot_open_id: Callable[[], str],
                 directory: Directory, replies: ReplyQueue) -> None:
        self.core = core
        self.api = api
        self.bot_open_id = bot_open_id
        self.directory = directory
        self.replies = replies

    async def __call__(self, row: Any) -> Outcome:
        try:
            event = json.loads(row.payload)
        except ValueError as exc:  # stored but unreadable: nothing to apply, keep it for a look
            return fail(f"not an event: {exc}")
        api = self.api()
        if api is None:
            return RELEASE  # not connected (stopping): applied after the next start
        kind = event_type(event)
        if kind == MESSAGE_EVENT:
            await self.message(api, event)
        elif kind == CARD_ACTION:
            await self.press(api, event)
        return DONE

    async def message(self, api: FeishuApi, event: dict[str, Any]) -> None:
        """A message to the bot: a console line from its sender, in the group's team or their private chat's."""
        text = command_text(event, self.bot_open_id())
        open_id = sender_open_id(event)
        if text is None or not open_id:
            return  # not for the bot (a group message without a mention, a picture, another bot)
        chat_id, private = chat_of(event)
        sender = await self.directory.sender(api, open_id, locale=locale_of(event))
        name = sender.display_name if private else await self.directory.chat_name(api, chat_id)
        msg = incoming_message(event, text, sender, chat_name=name)
        replies = await asyncio.to_thread(run_command, self.core, msg)
        await self.replies.put(Turn(chat_id, private, open_id), replies)

    async def press(self, api: FeishuApi, event: dict[str, Any]) -> None:
        """A card action: the core looks the key up and re-checks who pressed where; the cards are edited."""
        press = press_of(event)
        if press is None or not press.open_id or not press.chat_id:
            log.info("feishu: a card action without a key of ours was ignored")
            return
        sender = await self.directory.sender(api, press.open_id, timezone=press.timezone)
        replies = await asyncio.to_thread(self.core.act, incoming_action(press, sender))
        await self.replies.put(Turn(press.chat_id, press.private, press.open_id, press=True), replies)
