"""Post and edit replies through a bot (the application's in `run`, the notifier's own in `dispatch`)."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from telegram import InputFile, LinkPreviewOptions, Message, ReplyParameters
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import ExtBot

from bot.telegram.render import caption_html, chunks, keyboard, make_ref, parse_ref, reply_html
from handlers.replies import Document, Image, Reply

log = logging.getLogger(__name__)

NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


async def post(
    bot: ExtBot, chat_id: int | str, reply: Reply, *, reply_to: int | None = None, retries: int | None = None
) -> list[Message]:
    """Send a reply (split when longer than Telegram allows); the keyboard goes on the last part.

    Its pictures follow the text as photos, then its documents (exports) as files. Only the text messages
    are returned: they carry the keyboard and are what a later edit rewrites (a photo's caption would need
    editMessageCaption).

    ``retries`` lets the rate limiter wait out a 429 and try again (interactive replies); reminders
    pass None so a 429 reaches the dispatcher, which reschedules the row instead of holding a thread.
    """
    parts = chunks(reply_html(reply))
    markup = keyboard(reply.actions)
    sent: list[Message] = []
    for i, text in enumerate(parts):
        quote = ReplyParameters(reply_to, allow_sending_without_reply=True) if reply_to and i == 0 else None
        sent.append(
            await bot.send_message(
                chat_id=chat_id,
                text=text,
                parse_mode=ParseMode.HTML,
                link_preview_options=NO_PREVIEW,
                reply_markup=markup if i == len(parts) - 1 else None,
                reply_parameters=quote,
                rate_limit_args=retries,
            )
        )
    if reply.images:
        await post_images(bot, chat_id, reply.images, retries=retries)
    if reply.documents:
        await post_documents(bot, chat_id, reply.documents, retries=retries)
    return sent


async def post_images(
    bot: ExtBot, chat_id: int | str, images: Sequence[Image], *, retries: int | None = None
) -> list[Message]:
    """Send each picture as a photo captioned with its title; a refused photo is logged, not raised.

    The text went first, so a failure here must not become an error: the dispatcher would retry the
    reminder and post its text twice, and an interactive reply is already answered.
    """
    sent: list[Message] = []
    for image in images:
        try:
            sent.append(
                await bot.send_photo(
                    chat_id=chat_id,
                    photo=InputFile(image.data, filename=image.filename),
                    caption=caption_html(image.title) if image.title else None,
                    parse_mode=ParseMode.HTML,
                    rate_limit_args=retries,
                )
            )
        except TelegramError as exc:  # too big, bad dimensions, 429 with no retries left, network
            log.warning("could not send chart %s to telegram chat %s: %s", image.filename, chat_id, exc.message)
    return sent


async def post_documents(
    bot: ExtBot, chat_id: int | str, documents: Sequence[Document], *, retries: int | None = None
) -> list[Message]:
    """Send each document as a file captioned with its title; a refused one is logged, not raised (as photos)."""
    sent: list[Message] = []
    for document in documents:
        try:
            sent.append(
                await bot.send_document(
                    chat_id=chat_id,
                    document=InputFile(document.data, filename=document.filename),
                    caption=caption_html(document.title) if document.title else None,
                    parse_mode=ParseMode.HTML,
                    rate_limit_args=retries,
                )
            )
        except TelegramError as exc:  # over 50 MB, 429 with no retries left, network
            log.warning(
                "could not send file %s to telegram chat %s: %s", document.filename, chat_id, exc.message
            )
    return sent


async def edit(bot: ExtBot, ref: str, reply: Reply, *, retries: int | None = None) -> bool:
    """Rewrite an earlier message in place; False when the reference is not a Telegram message."""
    target = parse_ref(ref)
    if target is None:
        return False
    chat_id, message_id = target
    try:
        # Without reply_markup Telegram drops the old keyboard, which is what a closed milestone needs.
        await bot.edit_message_text(
            chat_id=chat_id,
            message_id=message_id,
            text=chunks(reply_html(reply))[0],
            parse_mode=ParseMode.HTML,
            link_preview_options=NO_PREVIEW,
            reply_markup=keyboard(reply.actions),
            rate_limit_args=retries,
        )
    except BadRequest as exc:
        # Editing to identical content is an error on Telegram; for us it means "already up to date".
        if "not modified" not in exc.message.lower():
            raise
    return True


async def edit_all(bot: ExtBot, reply: Reply, *, retries: int | None = None) -> None:
    """Edit every message a reply replaces; a message someone deleted is skipped, not fatal."""
    for ref in reply.replaces:
        try:
            await edit(bot, ref, reply, retries=retries)
        except BadRequest as exc:  # "message to edit not found", "message can't be edited" (> 48 h in groups)
            log.warning("could not edit telegram message %s: %s", ref, exc.message)


async def deliver(
    bot: ExtBot,
    chat_id: int | str,
    replies: Sequence[Reply],
    *,
    reply_to: int | None = None,
    retries: int | None = None,
) -> list[str]:
    """Edit what replies replace and post the rest (in the chat, or the reply's own channel); return refs."""
    refs: list[str] = []
    for reply in replies:
        if reply.replaces:
            await edit_all(bot, reply, retries=retries)
            continue
        where = reply.channel or chat_id
        try:
            sent = await post(bot, where, reply, reply_to=None if reply.channel else reply_to, retries=retries)
        except (Forbidden, BadRequest) as exc:
            if not reply.channel:
                raise
            # a copy for someone else (an approver's DM): one blocked chat must not stop the rest
            log.warning("could not deliver a reply to chat %s: %s", reply.channel, exc.message)
            continue
        refs.extend(make_ref(m.chat.id, m.message_id) for m in sent)
    return refs
