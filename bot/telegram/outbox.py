"""Interactive replies as outbox rows: stored with the update they answer, sent by a loop that survives restarts.

A group takes about 20 messages a minute, so a busy group's replies can wait minutes for their turn. Holding
them in memory would lose them on a crash and hold up a shutdown; instead ``ReplyQueue.put`` stores the
replies' Bot API calls in the reply outbox in the same transaction that marks the inbox row applied, and
``ReplySender`` (run by a LanePool: one lane per chat, in order) sends them, rescheduling on a 429 and handing
a row back untouched when the flood limiter is closed at shutdown.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from sqlalchemy.engine import Engine
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
)
from telegram.ext import ExtBot

from bot.lanes import RELEASE, Outcome, backoff, done, fail, retry, store_replies
from bot.telegram.limits import LimiterClosed, retry_seconds
from bot.telegram.render import make_ref
from bot.telegram.send import ApiCall, describe, execute, reply_calls
from handlers.replies import Reply
from scheduler.inbox import NewReply

log = logging.getLogger(__name__)

PLATFORM = "telegram"
CONFIG_RETRY = 300.0  # a rejected token is a configuration error: keep the replies, retry slowly


def to_row(call: ApiCall) -> NewReply:
    """An API call as an outbox row (the chat it goes to orders it)."""
    params = {**call.params, "chat_id": call.chat_id, "optional": call.optional}
    return NewReply(platform=PLATFORM, chat_key=str(call.chat_id), method=call.method,
                    params=json.dumps(params, ensure_ascii=False), data=call.data, filename=call.filename)


def from_row(row: Any) -> ApiCall:
    """The API call an outbox row holds."""
    params = json.loads(row.params)
    chat_id = params.pop("chat_id")
    optional = bool(params.pop("optional", False))
    return ApiCall(row.method, chat_id, params, data=row.data, filename=row.filename, optional=optional)


class ReplyQueue:
    """Where the Telegram handlers put their replies: the outbox, with the inbox row they answer marked applied."""

    def __init__(self, engine: Engine, wake: Callable[[], None] | None = None) -> None:
        self.engine = engine
        self.wake = wake

    async def put(self, chat_id: int | str, replies: Sequence[Reply], *, reply_to: int | None = None) -> None:
        """Store a turn's replies (edits, posts, copies to other chats) and mark its update applied."""
        calls = reply_calls(chat_id, replies, reply_to=reply_to)
        await store_replies(self.engine, [to_row(c) for c in calls], self.wake)


class ReplySender:
    """Sends one outbox row through the bot and says what became of it."""

    def __init__(self, bot: ExtBot) -> None:
        self.bot = bot

    async def __call__(self, row: Any) -> Outcome:
        call = from_row(row)
        try:
            try:
                message = await execute(self.bot, call)  # no retries: a 429 comes back here and is rescheduled
            except ChatMigrated as exc:
                # a group upgraded to a supergroup has a new id; the old one answers with its successor
                log.info("telegram chat %s moved to %s; sending the reply there", call.chat_id, exc.new_chat_id)
                message = await execute(self.bot, replace(call, chat_id=exc.new_chat_id))
        except LimiterClosed:
            return RELEASE  # shutting down: it was not sent, it goes out after the restart
        except RetryAfter as exc:
            return retry(retry_seconds(exc), "429 Too Many Requests", counted=False)
        except (Forbidden, BadRequest) as exc:
            # blocked by the user, removed from the group, message to edit deleted: retrying will not help
            log.warning("could not send %s to telegram chat %s: %s", describe(call), call.chat_id, exc.message)
            return fail(exc.message)
        except InvalidToken as exc:
            log.error("telegram rejected the bot token; replies wait until it is fixed: %s", exc)
            return retry(CONFIG_RETRY, str(exc), counted=False)
        except NetworkError as exc:  # timeouts, 5xx: try again shortly, the chat's later replies wait their turn
            log.warning("telegram network error, will retry: %s", exc)
            return retry(backoff(row.attempts), exc.message)
        except TelegramError as exc:
            log.warning("could not send %s to telegram chat %s: %s", describe(call), call.chat_id, exc.message)
            return fail(exc.message)
        ref = make_ref(message.chat.id, message.message_id) if message is not None else None
        return done(message_ref=ref, data=None)  # the bytes of a sent picture are not kept
