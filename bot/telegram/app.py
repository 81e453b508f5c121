"""The python-telegram-bot Application: build it, and wire updates to the core (translate, call, render).

Updates reach the Application from the inbox (bot.telegram.intake stores them, a worker calls
``process_update``), never from PTB's own Updater. Replies go to the reply outbox (``ReplyQueue.put``), which
also marks the update applied; only the answer to a button press is sent at once (it is the press's ack).
"""

from __future__ import annotations

import asyncio
import logging

from telegram import CallbackQuery, Message, MessageEntity, Update
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    BaseRateLimiter,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    ExtBot,
    MessageHandler,
    filters,
)

from bot.config import Settings
from bot.telegram import files
from bot.telegram.limits import FloodLimiter
from bot.telegram.outbox import ReplyQueue
from bot.telegram.render import MAX_ALERT
from bot.telegram.translate import (
    ALIASES,
    caption_line,
    command_text,
    incoming_action,
    incoming_message,
    is_import,
    line_lang,
    neutral_text,
)
from handlers import commands
from handlers.core import Core
from handlers.messages import Attachment, IncomingMessage
from handlers.replies import Reply, reply_text

log = logging.getLogger(__name__)

# Only what the bot acts on; Telegram remembers this list between getUpdates/setWebhook calls.
ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY]
# In a private chat these verbs mean "my milestones in every team I belong to".
PERSONAL_VERBS = frozenset({"list", "mine", "overdue", "week"})


def build_application(
    settings: Settings, core: Core, *, rate_limiter: BaseRateLimiter | None = None, replies: ReplyQueue | None = None
) -> Application:
    """An Application pointed at TELEGRAM_API_URL (the token is appended to it), with handlers registered.

    It has no Updater: updates come from the inbox (bot.telegram.intake), written before they are confirmed.
    """
    assert settings.telegram_bot_token, "TELEGRAM_BOT_TOKEN is not set"
    builder = (
        ApplicationBuilder()
        .token(settings.telegram_bot_token)
        .rate_limiter(rate_limiter or FloodLimiter())
        .job_queue(None)  # APScheduler is installed for our own scheduler; PTB's job queue is not used
        .updater(None)  # polling and the webhook write to the inbox (bot.telegram.intake)
    )
    if settings.telegram_api_url:
        builder = builder.base_url(settings.telegram_api_url)
        # file downloads have their own base URL; without it they would still go to api.telegram.org
        file_url = files.base_file_url(settings.telegram_api_url)
        if file_url:
            builder = builder.base_file_url(file_url)
    application = builder.build()
    register(application, core, replies or ReplyQueue(core.engine))
    return application


def register(application: Application, core: Core, replies: ReplyQueue) -> None:
    """Wire commands, documents sent with /import, private text and button presses to the core."""
    h = TelegramHandlers(core, replies)
    new_only = filters.UpdateType.MESSAGE  # not edited messages: a command runs once
    application.add_handler(CommandHandler(list(ALIASES), h.command, filters=new_only))
    # a command in a caption comes in caption_entities, which CommandHandler does not look at
    application.add_handler(
        MessageHandler(
            filters.Document.ALL
            & new_only
            & (filters.CaptionEntity(MessageEntity.BOT_COMMAND) | (filters.ChatType.PRIVATE & filters.CAPTION)),
            h.document,
        )
    )
    application.add_handler(
        MessageHandler(filters.ChatType.PRIVATE & filters.TEXT & ~filters.COMMAND & new_only, h.private_text)
    )
    application.add_handler(CallbackQueryHandler(h.press))
    application.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, h.migrated))
    application.add_error_handler(on_error)


def run_command(core: Core, msg: IncomingMessage) -> list[Reply]:
    """Run a command; in a private chat, list/mine/overdue use the cross-team view when the core has one."""
    personal = getattr(core, "my_milestones", None)
    if (
        msg.chat_type == "private"
        and personal is not None
        and commands.split_verb(msg.text)[0] in PERSONAL_VERBS
    ):
        return personal(msg)  # type: ignore[no-any-return]
    return core.handle(msg)


def is_person(message: Message) -> bool:
    """A message from an identifiable person: not an anonymous admin, a channel post, or a bot."""
    # anonymous admins and "send as channel" share one fake user each, so they cannot own or approve anything
    user = message.from_user
    return user is not None and not user.is_bot and message.sender_chat is None


class TelegramHandlers:
    """The callbacks: a few lines each, translate -> call the core in a worker thread -> queue the replies."""

    def __init__(self, core: Core, replies: ReplyQueue) -> None:
        self.core = core
        self.replies = replies

    async def command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """`/contract ...`, `/contract@Bot ...` and the short aliases, in any chat."""
        if update.message is not None and is_person(update.message):
            await self._answer(context.bot, update.message, command_text(update.message))

    async def migrated(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A group became a supergroup and got a new chat id: the team moves with it."""
        message = update.message
        if message is not None and message.migrate_to_chat_id:
            await asyncio.to_thread(self.core.move_tenant, "telegram", str(message.chat.id),
                                    str(message.migrate_to_chat_id))

    async def private_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Plain text in a private chat is a console line."""
        message = update.message
        if message is not None and is_person(message) and message.text:
            await self._answer(context.bot, message, neutral_text(message.text, message.entities))

    async def document(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A file sent with the caption `/import` (`导入` in a private chat): downloaded, then run as the command."""
        message = update.message
        if message is None or message.document is None or not is_person(message):
            return
        line = caption_line(message, context.bot.username)
        if line is None or not is_import(line):
            return  # a document with another caption is not a command we take files for
        try:
            attachment = await files.fetch(context.bot, message.document, lang=line_lang(line))
        except files.Refused as refused:
            # said here, to the sender's message: the core never sees an import without its file
            notice = Reply(lines=[(refused.message,)], error=True, lang=line_lang(line))
            await self.replies.put(message.chat.id, [notice], reply_to=self._quote(message))
            return
        await self._answer(context.bot, message, line, attachments=(attachment,))

    async def _answer(self, bot: ExtBot, message: Message, text: str,
                      attachments: tuple[Attachment, ...] = ()) -> None:
        msg = incoming_message(message, text, attachments)
        replies = await asyncio.to_thread(run_command, self.core, msg)
        await self.replies.put(message.chat.id, replies, reply_to=self._quote(message))

    @staticmethod
    def _quote(message: Message) -> int | None:
        """Replies in a group quote the message they answer; a private chat needs no quote."""
        return message.message_id if message.chat.type != "private" else None

    async def press(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A button: the core re-checks the key and the presser, then the message is edited in place."""
        query = update.callback_query
        assert query is not None
        action = incoming_action(query)
        if action is None:
            await query.answer()
            return
        replies = await asyncio.to_thread(self.core.act, action)
        await answer_press(self.replies, query, replies)


async def answer_press(queue: ReplyQueue, query: CallbackQuery, replies: list[Reply]) -> None:
    """Queue the edits and the new messages, then answer the press (a toast, or an alert only the presser sees).

    Telegram has no ephemeral messages, but a callback answer is shown only to the person who pressed:
    refusals and "type the note as a command" hints go there when they fit in 200 characters.
    """
    assert query.message is not None
    edits = [r for r in replies if r.replaces]
    posts = [r for r in replies if r.actions and not r.replaces]  # e.g. the pick-the-new-owner keyboard
    toast, alert = "", False
    for r in (r for r in replies if not r.replaces and not r.actions):
        if r.ephemeral or r.error:
            text = reply_text(r)
            if not toast and len(text) <= MAX_ALERT:
                toast, alert = text, True
            else:
                posts.append(r)
        elif edits:  # the edited message shows the outcome; the confirmation is a toast
            toast = toast or (r.title or "")[:MAX_ALERT]
        else:
            posts.append(r)
    # stored first: from here on the press is applied and its messages are on their way, whatever happens next
    await queue.put(query.message.chat.id, edits + posts, reply_to=query.message.message_id)
    try:
        await query.answer(text=toast or None, show_alert=alert)
    except TelegramError as exc:  # "query is too old", shutting down: the press is applied anyway
        log.warning("could not answer a telegram button press: %s", exc.message)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log what failed outside the core's own error boundary (network, Telegram refusing a reply)."""
    log.error("telegram update %r failed", getattr(update, "update_id", update), exc_info=context.error)
