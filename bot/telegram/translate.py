"""Telegram updates -> neutral messages: strip the command, map the aliases, rewrite text mentions."""

from __future__ import annotations

import re
from collections.abc import Sequence

from telegram import CallbackQuery, Chat, Message, MessageEntity, User

from handlers.messages import IncomingAction, IncomingMessage, Sender

PLATFORM = "telegram"

# /command -> the console verb it stands for, in English and in Chinese. /contract takes the whole
# console line; /start is what a Telegram client sends when someone opens the bot, so it shows help.
ALIASES: dict[str, tuple[str, str]] = {
    "contract": ("", ""),
    "new": ("new", "新建"),
    "milestone": ("milestone", "节点"),
    "done": ("done", "完成"),
    "list": ("list", "列表"),
    "help": ("help", "帮助"),
    "start": ("help", "帮助"),
}

_CJK = re.compile(r"[\u3400-\u9fff]")
_FIRST_WORD = re.compile(r"\S+\s*")


def chat_type(chat: Chat) -> str:
    """Map Telegram's chat types onto the core's private | group | channel."""
    if chat.type == Chat.PRIVATE:
        return "private"
    if chat.type == Chat.CHANNEL:
        return "channel"
    return "group"


def sender_of(user: User) -> Sender:
    """The neutral sender of a Telegram user."""
    return Sender(
        user_id=str(user.id), handle=user.username, display_name=user.full_name, language=user.language_code
    )


def neutral_text(text: str, entities: Sequence[MessageEntity]) -> str:
    """Rewrite text_mention entities (people without a @username) into the core's ``<@ID|name>`` form."""
    # Entity offsets count UTF-16 code units, not Python characters (emoji take two), so cut in UTF-16.
    # The sentinels below must never come from the user: drop them (same UTF-16 length) before we start.
    text = text.replace("\x00", " ").replace("\ufffe", " ")
    units = text.encode("utf-16-le")
    mentions = [e for e in entities if e.type == MessageEntity.TEXT_MENTION and e.user is not None]
    for e in sorted(mentions, key=lambda e: e.offset, reverse=True):
        start, end = e.offset * 2, (e.offset + e.length) * 2
        user = e.user
        assert user is not None
        name = (user.full_name or units[start:end].decode("utf-16-le")).replace(">", "").replace("\x00", "").strip()
        units = units[:start] + f"\x00@{user.id}|{name}\x00".encode("utf-16-le") + units[end:]
    # Only real entities become mentions: a typed "<@123|boss>" gets a word joiner so it stays plain text.
    typed_safe = units.decode("utf-16-le").replace("\x00", "\ufffe").replace("<@", "<\u2060@")
    return re.sub("\ufffe@([^|\ufffe]+)\\|([^\ufffe]*)\ufffe", r"<@\1|\2>", typed_safe)


def command_text(message: Message) -> str:
    """The console line a command message stands for: ``/done HT-1 首付款`` -> ``完成 HT-1 首付款``."""
    text = neutral_text(message.text or "", message.entities)
    head = _FIRST_WORD.match(text)
    command = head.group().strip()[1:].split("@")[0].lower() if head else ""
    rest = text[head.end() :].strip() if head else text.strip()
    en, zh = ALIASES.get(command, ("", ""))
    if not en:
        return rest
    # Reply in the user's language: the core reads the language off the verb, so pick the verb to match.
    chinese = bool(_CJK.search(rest)) or (
        not rest
        and (message.from_user is not None and (message.from_user.language_code or "").startswith("zh"))
    )
    return f"{zh if chinese else en} {rest}".strip()


def incoming_message(message: Message, text: str) -> IncomingMessage:
    """A Telegram message as a neutral message; the chat is the team."""
    chat = message.chat
    user = message.from_user
    assert user is not None
    return IncomingMessage(
        platform=PLATFORM,
        tenant_key=str(chat.id),
        tenant_name=chat.effective_name or str(chat.id),
        text=text,
        sender=sender_of(user),
        chat_id=str(chat.id),
        chat_type=chat_type(chat),
        # (chat, message id) is unique and stable across redeliveries (webhook retries, re-fetch after a crash)
        event_id=f"{chat.id}:{message.message_id}",
    )


def incoming_action(query: CallbackQuery) -> IncomingAction | None:
    """A button press as a neutral action; None when the message is too old for Telegram to include."""
    message = query.message
    if message is None or not query.data:
        return None
    chat_id = message.chat.id
    return IncomingAction(
        platform=PLATFORM,
        tenant_key=str(chat_id),
        key=query.data,
        sender=sender_of(query.from_user),
        chat_id=str(chat_id),
        message_ref=f"{chat_id}:{message.message_id}",
        chat_type=chat_type(message.chat),
    )
