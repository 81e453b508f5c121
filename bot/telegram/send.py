"""Replies as Bot API calls: rendered once into ``ApiCall`` values, then executed now or stored in the outbox.

An interactive reply is stored as calls in the reply outbox (bot.telegram.outbox) and sent by the sender loop,
so a reply that waits for Telegram's flood limits survives a restart. A reminder is sent at once by the
notifier (the dispatch pass has its own outbox: the reminders table), with ``post`` and ``edit``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from telegram import InlineKeyboardMarkup, InputFile, LinkPreviewOptions, Message, ReplyParameters
from telegram.constants import ParseMode
from telegram.error import BadRequest, TelegramError
from telegram.ext import ExtBot

from bot.telegram.render import MAX_CAPTION, chunks, esc, fit, keyboard, parse_ref, reply_html
from handlers.replies import Reply

log = logging.getLogger(__name__)

NO_PREVIEW = LinkPreviewOptions(is_disabled=True)

SEND_MESSAGE = "sendMessage"
EDIT_MESSAGE = "editMessageText"
SEND_PHOTO = "sendPhoto"
SEND_DOCUMENT = "sendDocument"


@dataclass(frozen=True)
class ApiCall:
    """One Bot API call of a reply; ``params`` is plain JSON, so the call can wait in the outbox.

    ``optional`` calls are logged and skipped when Telegram refuses them instead of failing the reply:
    pictures and files after their text, edits of messages someone deleted, copies for someone else's chat.
    """

    method: str
    chat_id: int | str
    params: dict[str, Any] = field(default_factory=dict)
    data: bytes | None = None
    filename: str | None = None
    optional: bool = False


def _caption(title: str | None) -> str | None:
    return chunks(esc(title), MAX_CAPTION)[0] if title else None


def message_calls(chat_id: int | str, reply: Reply, *, reply_to: int | None = None,
                  optional: bool = False) -> list[ApiCall]:
    """A reply posted as messages (split and capped, see render.fit), then its pictures and documents.

    The keyboard goes on the last text message; only the first quotes the message it answers.
    """
    parts = fit(reply_html(reply), reply.lang)
    markup = keyboard(reply.actions)
    calls = [
        ApiCall(SEND_MESSAGE, chat_id, {
            "text": text,
            "reply_markup": markup.to_dict() if markup is not None and i == len(parts) - 1 else None,
            "reply_to": reply_to if i == 0 else None,
        }, optional=optional)
        for i, text in enumerate(parts)
    ]
    calls += [ApiCall(SEND_PHOTO, chat_id, {"caption": _caption(image.title)}, data=image.data,
                      filename=image.filename, optional=True) for image in reply.images]
    calls += [ApiCall(SEND_DOCUMENT, chat_id, {"caption": _caption(document.title)}, data=document.data,
                      filename=document.filename, optional=True) for document in reply.documents]
    return calls


def edit_calls(reply: Reply) -> list[ApiCall]:
    """Rewrite every earlier message a reply replaces (one message each: what does not fit is cut, with a hint)."""
    markup = keyboard(reply.actions)
    text = fit(reply_html(reply), reply.lang, max_parts=1)[0]
    calls = []
    for ref in reply.replaces:
        target = parse_ref(ref)
        if target is None:
            continue
        chat_id, message_id = target
        calls.append(ApiCall(EDIT_MESSAGE, chat_id, {
            "message_id": message_id, "text": text,
            # without reply_markup Telegram drops the old keyboard, which is what a closed milestone needs
            "reply_markup": markup.to_dict() if markup is not None else None,
        }, optional=True))
    return calls


def reply_calls(chat_id: int | str, replies: Sequence[Reply], *, reply_to: int | None = None) -> list[ApiCall]:
    """Everything a turn's replies do: edits for what they replace, posts in the chat or the reply's own channel."""
    calls: list[ApiCall] = []
    for reply in replies:
        if reply.replaces:
            calls += edit_calls(reply)
        elif reply.channel:
            # a copy for someone else (an approver's DM): one blocked chat must not stop the rest
            calls += message_calls(reply.channel, reply, optional=True)
        else:
            calls += message_calls(chat_id, reply, reply_to=reply_to)
    return calls


async def execute(bot: ExtBot, call: ApiCall, *, retries: int | None = None) -> Message | None:
    """Make one call; the message it sent or edited (None for an edit that changed nothing).

    ``retries`` lets the rate limiter wait out a 429 and try again; the outbox and reminders pass none, so
    the 429 comes back to them and they reschedule instead of holding a task.
    """
    p = call.params
    markup = InlineKeyboardMarkup.de_json(p["reply_markup"], bot) if p.get("reply_markup") else None
    if call.method == SEND_MESSAGE:
        quote = ReplyParameters(p["reply_to"], allow_sending_without_reply=True) if p.get("reply_to") else None
        return await bot.send_message(chat_id=call.chat_id, text=p["text"], parse_mode=ParseMode.HTML,
                                      link_preview_options=NO_PREVIEW, reply_markup=markup,
                                      reply_parameters=quote, rate_limit_args=retries)
    if call.method == EDIT_MESSAGE:
        try:
            edited = await bot.edit_message_text(chat_id=call.chat_id, message_id=p["message_id"], text=p["text"],
                                                 parse_mode=ParseMode.HTML, link_preview_options=NO_PREVIEW,
                                                 reply_markup=markup, rate_limit_args=retries)
        except BadRequest as exc:
            # editing to identical content is an error on Telegram; for us it means "already up to date"
            if "not modified" in exc.message.lower():
                return None
            raise
        return edited if isinstance(edited, Message) else None
    if call.method in (SEND_PHOTO, SEND_DOCUMENT):
        upload = InputFile(call.data or b"", filename=call.filename)
        if call.method == SEND_PHOTO:
            return await bot.send_photo(chat_id=call.chat_id, photo=upload, caption=p.get("caption"),
                                        parse_mode=ParseMode.HTML, rate_limit_args=retries)
        return await bot.send_document(chat_id=call.chat_id, document=upload, caption=p.get("caption"),
                                       parse_mode=ParseMode.HTML, rate_limit_args=retries)
    raise ValueError(f"not a reply call: {call.method}")


def describe(call: ApiCall) -> str:
    """A call in a log line: ``chart weekly.png``, ``file ledger.xlsx``, ``a message``, ``an edit of message 5``."""
    if call.method == SEND_PHOTO:
        return f"chart {call.filename}"
    if call.method == SEND_DOCUMENT:
        return f"file {call.filename}"
    if call.method == EDIT_MESSAGE:
        return f"an edit of message {call.params.get('message_id')}"
    return "a message"


async def execute_all(bot: ExtBot, calls: Sequence[ApiCall], *, retries: int | None = None) -> list[Message]:
    """Make calls in order, now; an optional call that fails is logged and skipped. The text messages sent."""
    sent: list[Message] = []
    for call in calls:
        try:
            message = await execute(bot, call, retries=retries)
        except TelegramError as exc:
            if not call.optional:
                raise
            log.warning("could not send %s to telegram chat %s: %s", describe(call), call.chat_id, exc.message)
            continue
        if message is not None and call.method == SEND_MESSAGE:
            sent.append(message)
    return sent


async def post(
    bot: ExtBot, chat_id: int | str, reply: Reply, *, reply_to: int | None = None, retries: int | None = None
) -> list[Message]:
    """Send a reply now (split when longer than Telegram allows); the keyboard goes on the last part.

    Its pictures follow the text as photos, then its documents (exports) as files; a refused picture or file
    is logged, not raised (the text went first: the dispatcher would retry the reminder and post its text
    twice). Only the text messages are returned: they carry the keyboard and are what a later edit rewrites.
    """
    return await execute_all(bot, message_calls(chat_id, reply, reply_to=reply_to), retries=retries)


async def edit(bot: ExtBot, ref: str, reply: Reply, *, retries: int | None = None) -> bool:
    """Rewrite an earlier message in place now; False when the reference is not a Telegram message."""
    calls = edit_calls(replace(reply, replaces=(ref,)))
    if not calls:
        return False
    await execute(bot, calls[0], retries=retries)
    return True
