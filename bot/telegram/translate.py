"""Telegram updates -> neutral messages: strip the command, map the aliases, rewrite text mentions."""

from __future__ import annotations

import re
from collections.abc import Sequence

from telegram import CallbackQuery, Chat, Message, MessageEntity, User

from handlers.messages import Attachment, IncomingAction, IncomingMessage, Sender

PLATFORM = "telegram"

# /command -> the console verb it stands for, in English and in Chinese. /contract takes the whole
# console line; /start is what a Telegram client sends when someone opens the bot, so it shows help.
ALIASES: dict[str, tuple[str, str]] = {
    "contract": ("", ""),
    "new": ("new", "新建"),
    "milestone": ("milestone", "节点"),
    "done": ("done", "完成"),
    "list": ("list", "列表"),
    "import": ("import", "导入"),
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
    return command_line(message.text or "", message.entities, message.from_user)


def command_line(text: str, entities: Sequence[MessageEntity], user: User | None) -> str:
    """The console line of a command's text (a message's text or a document's caption) and its entities."""
    text = neutral_text(text, entities)
    head = _FIRST_WORD.match(text)
    command = head.group().strip()[1:].split("@")[0].lower() if head else ""
    rest = text[head.end() :].strip() if head else text.strip()
    en, zh = ALIASES.get(command, ("", ""))
    if not en:
        return rest
    # Reply in the user's language: the core reads the language off the verb, so pick the verb to match.
    chinese = bool(_CJK.search(rest)) or (
        not rest and (user is not None and (user.language_code or "").startswith("zh"))
    )
    return f"{zh if chinese else en} {rest}".strip()


def caption_command(message: Message) -> tuple[str, str | None] | None:
    """(command, @bot name or None) of a caption that starts with a bot command: ``/import@ContractBot``."""
    entities = message.caption_entities
    caption = message.caption or ""
    if not entities or entities[0].type != MessageEntity.BOT_COMMAND or entities[0].offset != 0:
        return None
    # a command is ASCII (a-z, 0-9, _ and the bot's @username), so UTF-16 units and characters agree here
    command, _, bot = caption[1 : entities[0].length].partition("@")
    return command.lower(), bot or None


def caption_line(message: Message, bot_username: str | None) -> str | None:
    """The console line a document's caption stands for; None when the caption is not for us.

    Commands in captions arrive with ``caption_entities`` (not ``entities``), so CommandHandler never sees
    them. In a group only a command counts (``/import``, ``/import@ThisBot``, ``/contract import``); in a
    private chat a plain caption is a console line too (``导入``), as plain text is.
    """
    found = caption_command(message)
    if found is not None:
        command, addressed = found
        if command not in ALIASES:
            return None
        if addressed and bot_username and addressed.lower() != bot_username.lower():
            return None  # /import@OtherBot in a group with several bots
        return command_line(message.caption or "", message.caption_entities, message.from_user)
    if message.chat.type == Chat.PRIVATE and message.caption:
        return neutral_text(message.caption, message.caption_entities).strip()
    return None


def is_import(line: str) -> bool:
    """True for a line whose verb brings a file along: ``import`` / ``导入`` (the Chinese may run on: 导入台账)."""
    word = line.strip().split(" ", 1)[0].lower()
    return word == "import" or word.startswith("导入")


def line_lang(line: str) -> str:
    """The language the core would answer this line in: Chinese when it has Chinese in it."""
    return "zh" if _CJK.search(line) else "en"


def incoming_message(message: Message, text: str, attachments: tuple[Attachment, ...] = ()) -> IncomingMessage:
    """A Telegram message as a neutral message (with its downloaded document, if any); the chat is the team."""
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
        attachments=attachments,
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
        event_id=f"callback:{query.id}" if query.id else None,
    )
