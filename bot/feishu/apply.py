"""Applying a stored event: translate it, run it through the core in a worker thread, queue the replies.

One ``EventApplier`` call per inbox row (bot.lanes runs them: one chat at a time in order, chats in parallel).
A ledger to import comes as a file message paired with ``导入`` (bot.feishu.downloads): it is downloaded here,
before the core sees the command, and handed to it as the message's attachment. The replies are stored in the
reply outbox in the transaction that marks the row applied (bot.feishu.outbox).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from typing import Any

from bot.feishu import downloads
from bot.feishu.api import FeishuApi, FeishuError
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
    line_lang,
    locale_of,
    press_of,
    sender_open_id,
)
from bot.lanes import DONE, RELEASE, Outcome, backoff, fail, retry
from handlers import commands
from handlers.core import Core
from handlers.i18n import norm_lang
from handlers.messages import Attachment, IncomingMessage
from handlers.replies import Reply

log = logging.getLogger(__name__)

# In a private chat these verbs mean "my milestones in every team I belong to".
PERSONAL_VERBS = frozenset({"list", "mine", "overdue", "week"})
DOWNLOAD_TRIES = 3  # network or server failures before a download is given up and the person told


def run_command(core: Core, msg: IncomingMessage) -> list[Reply]:
    """Run a command; in a private chat, list/mine/overdue/week look across the person's teams."""
    if msg.chat_type == "private" and commands.split_verb(msg.text)[0] in PERSONAL_VERBS:
        return core.my_milestones(msg)
    return core.handle(msg)


def note(text: str, lang: str) -> Reply:
    """A refusal or a hint for the sender alone (in a group, a card only they see)."""
    return Reply(lines=[(text,)], error=True, lang=lang)


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
            return await self.message(api, event, row)
        if kind == CARD_ACTION:
            await self.press(api, event)
        return DONE

    async def message(self, api: FeishuApi, event: dict[str, Any], row: Any = None) -> Outcome:
        """A message to the bot: a console line from its sender, in the group's team or their private chat's.

        A file sent in the private chat is ``导入`` with that file; ``导入`` finds the file it means
        (bot.feishu.downloads). The file is downloaded first: a frequency limit applies the event again later.
        """
        open_id = sender_open_id(event)
        text = command_text(event, self.bot_open_id())
        chat_id, private = chat_of(event)
        shared = downloads.file_message(event) if text is None and private else None
        if shared is not None:
            text = "导入" if norm_lang(locale_of(event)) == "zh" else "import"
        if text is None or not open_id:
            return DONE  # not for the bot (a group message without a mention, a picture, another bot)
        turn = Turn(chat_id, private, open_id)
        lang = line_lang(text)
        if shared is None and downloads.wants_file(text):
            shared = await downloads.find(api, self.core.engine, event, open_id, before_id=getattr(row, "id", None))
            if shared is None:  # the core's own answer names Slack's and Telegram's ways, not Feishu's
                await self.replies.put(turn, [note(downloads.say(downloads.NO_FILE, lang), lang)])
                return DONE
        attachments: tuple[Attachment, ...] = ()
        if shared is not None:
            attempts = int(getattr(row, "attempts", 0) or 0)
            try:
                attachments = (await downloads.fetch(api, shared, lang=lang,
                                                     last_try=attempts + 1 >= DOWNLOAD_TRIES),)
            except downloads.Refused as refused:  # said to the sender: the core never sees an import without its file
                await self.replies.put(turn, [note(refused.message, lang)])
                return DONE
            except FeishuError as exc:
                if exc.rate_limited:
                    return retry(exc.retry_after if exc.retry_after is not None else 1.0,
                                 f"frequency limit: {exc}", counted=False)
                log.warning("feishu: could not download %s yet, will retry: %s", shared.name, exc)
                return retry(backoff(attempts + 1), str(exc))
        sender = await self.directory.sender(api, open_id, locale=locale_of(event))
        name = sender.display_name if private else await self.directory.chat_name(api, chat_id)
        msg = incoming_message(event, text, sender, chat_name=name, attachments=attachments)
        replies = await asyncio.to_thread(run_command, self.core, msg)
        await self.replies.put(turn, replies)
        return DONE

    async def press(self, api: FeishuApi, event: dict[str, Any]) -> None:
        """A card action: the core looks the key up and re-checks who pressed where; the cards are edited."""
        press = press_of(event)
        if press is None or not press.open_id or not press.chat_id:
            log.info("feishu: a card action without a key of ours was ignored")
            return
        sender = await self.directory.sender(api, press.open_id, timezone=press.timezone)
        replies = await asyncio.to_thread(self.core.act, incoming_action(press, sender))
        await self.replies.put(Turn(press.chat_id, press.private, press.open_id, press=True), replies)
