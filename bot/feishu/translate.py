"""Feishu events -> neutral messages and actions: the text a message stands for, mentions, the button's key.

A message's ``content`` is JSON: ``{"text": "@_user_1 节点 HT-1 首付款 @_user_2"}`` for text, a list of lines of
elements for a rich-text ``post``. Each ``@_user_N`` is a placeholder explained by the message's ``mentions``
(key, ids and name). The bot's own mention is dropped (in a group it is how people talk to the bot); everyone
else's becomes the core's ``<@open_id|name>`` form, so a mentioned person is known by id, never by a name typed
as text. A card press carries the ``value`` the card gave its control: ``{"k": <opaque key>}`` (plus ``"dm": 1``
on cards sent to a private chat), and the choice made in a picker or typed in an input.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from handlers.i18n import norm_lang
from handlers.messages import Attachment, IncomingAction, IncomingMessage, Sender

PLATFORM = "feishu"
MESSAGE_EVENT = "im.message.receive_v1"
CARD_ACTION = "card.action.trigger"

_PLACEHOLDER = re.compile(r"@_user_\d+|@_all")
_LOCALE = re.compile(r"LarkLocale/([A-Za-z]{2}(?:[_-][A-Za-z]{2,4})?)")
_SPACES = re.compile(r"[ \t\u00a0]+")
_CJK = re.compile(r"[\u3400-\u9fff]")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _str(value: object) -> str:
    return value if isinstance(value, str) else ""


def event_type(event: dict[str, Any]) -> str:
    """The type of a 2.0 event (``header.event_type``); empty for anything else."""
    return _str(_dict(event.get("header")).get("event_type"))


@dataclass(frozen=True)
class Mention:
    """One ``@_user_N`` of a message: who it is and the name Feishu showed."""

    key: str
    open_id: str
    name: str


def mentions_of(message: dict[str, Any]) -> list[Mention]:
    """The mentions a message explains its placeholders with."""
    found = []
    for item in message.get("mentions") or []:
        if isinstance(item, dict) and _str(item.get("key")):
            ids = item.get("id")
            open_id = _str(ids.get("open_id")) if isinstance(ids, dict) else _str(ids)
            found.append(Mention(_str(item.get("key")), open_id, _str(item.get("name"))))
    return found


def _clean_name(name: str) -> str:
    """A display name as the core's mention form can carry it (no brackets, bars or line breaks)."""
    return re.sub(r"[<>|\r\n\x00]", "", name).strip()[:100]


def raw_text(message: dict[str, Any]) -> str | None:
    """The typed text of a text or rich-text (post) message, placeholders included; None for other kinds."""
    try:
        content = json.loads(_str(message.get("content")) or "{}")
    except ValueError:
        return None
    if not isinstance(content, dict):
        return None
    kind = message.get("message_type")
    if kind == "text":
        return _str(content.get("text"))
    if kind != "post":
        return None
    if "content" not in content and len(content) == 1:  # a post keyed by language: {"zh_cn": {...}}
        content = _dict(next(iter(content.values())))
    lines = []
    for row in content.get("content") or []:
        parts = []
        for element in row if isinstance(row, list) else []:
            element = _dict(element)
            if element.get("tag") in ("text", "a"):
                parts.append(_str(element.get("text")))
            elif element.get("tag") == "at":
                parts.append(_str(element.get("user_id")))  # the placeholder, as in a text message
        lines.append("".join(parts))
    return " ".join(line for line in lines if line.strip())


def neutral_text(raw: str, mentions: list[Mention], bot_open_id: str) -> str:
    """Placeholders -> ``<@open_id|name>`` (the bot's own dropped); typed ``<@…>`` stays plain text."""
    # only real mentions become the core's mention form: a typed "<@ou_x|boss>" gets a word joiner
    text = raw.replace("<@", "<\u2060@")
    by_key = {m.key: m for m in mentions}

    def mention(match: re.Match[str]) -> str:
        m = by_key.get(match.group())
        if match.group() == "@_all":
            return "所有人" if m is None else _clean_name(m.name) or "所有人"
        if m is None:
            return match.group()[1:]  # a placeholder no mention explains: not a person
        if bot_open_id and m.open_id == bot_open_id:
            return " "
        name = _clean_name(m.name)
        if m.open_id:
            return f"<@{m.open_id}|{name}>" if name else f"<@{m.open_id}>"
        return "@" + name.replace(" ", "") if name else ""

    text = _PLACEHOLDER.sub(mention, text)
    return _SPACES.sub(" ", text).strip()


def addressed(message: dict[str, Any], bot_open_id: str) -> bool:
    """True when the message mentions the bot."""
    return any(m.open_id == bot_open_id for m in mentions_of(message)) if bot_open_id else False


def is_private(message: dict[str, Any]) -> bool:
    """A message in the bot's private chat with someone (chat_type ``p2p``)."""
    return message.get("chat_type") == "p2p"


def command_text(event: dict[str, Any], bot_open_id: str) -> str | None:
    """The console line a message event stands for; None when it is not for the bot.

    In a group only messages that mention the bot count (with the permission to read every group message the
    bot would otherwise answer all of them); in a private chat every text does. A bare mention asks for help.
    """
    body = _dict(event.get("event"))
    message = _dict(body.get("message"))
    if _dict(body.get("sender")).get("sender_type") not in (None, "user"):
        return None  # other apps and bots
    raw = raw_text(message)
    if raw is None:
        return None
    if not is_private(message) and not addressed(message, bot_open_id):
        return None
    text = neutral_text(raw, mentions_of(message), bot_open_id)
    if not text:
        return "帮助" if norm_lang(locale_of(event)) == "zh" else "help"
    return text


def sender_open_id(event: dict[str, Any]) -> str:
    """The open_id of whoever sent a message or pressed a card."""
    body = _dict(event.get("event"))
    sender_id = _dict(_dict(body.get("sender")).get("sender_id")) or _dict(body.get("operator"))
    return _str(sender_id.get("open_id"))


def locale_of(event: dict[str, Any], default: str | None = None) -> str | None:
    """The language of the sender's Feishu client from the message's user agent (``LarkLocale/zh_CN``).

    Feishu includes the user agent when the app has the permission im:user_agent:read; the contact API has
    no language field, so this is the only place a person's language shows.
    """
    agent = _str(_dict(_dict(event.get("event")).get("message")).get("user_agent"))
    found = _LOCALE.search(agent)
    return found.group(1) if found else default


def chat_of(event: dict[str, Any]) -> tuple[str, bool]:
    """(chat id, private?) of a message event."""
    message = _dict(_dict(event.get("event")).get("message"))
    return _str(message.get("chat_id")), is_private(message)


def incoming_message(event: dict[str, Any], text: str, sender: Sender, *, chat_name: str = "",
                     attachments: tuple[Attachment, ...] = ()) -> IncomingMessage:
    """A message event as a neutral message (with the file it brings, downloaded): the group or chat is the team."""
    message = _dict(_dict(event.get("event")).get("message"))
    chat_id, private = chat_of(event)
    return IncomingMessage(
        platform=PLATFORM,
        tenant_key=chat_id,
        tenant_name=chat_name or chat_id,
        text=text,
        sender=sender,
        chat_id=chat_id,
        chat_type="private" if private else "group",
        # Feishu may deliver a message twice under two event ids; the message id is the same
        event_id=f"message:{_str(message.get('message_id'))}",
        attachments=attachments,
    )


@dataclass(frozen=True)
class Press:
    """What a card action says: the opaque key, the choice made, where, by whom."""

    key: str
    value: str | None
    private: bool
    chat_id: str
    message_id: str
    open_id: str
    timezone: str | None
    event_id: str


def press_of(event: dict[str, Any]) -> Press | None:
    """The parts of a ``card.action.trigger`` callback; None when it carries no key of ours."""
    body = _dict(event.get("event"))
    action = _dict(body.get("action"))
    context = _dict(body.get("context"))
    raw_value = action.get("value")
    value = _dict(raw_value)
    key = _str(value.get("k")) if value else _str(raw_value)
    if not key:
        return None
    choice: str | None = None
    tag = action.get("tag")
    if tag == "date_picker":
        picked = _DATE.match(_str(action.get("option")))  # "2026-12-08 +0800"
        choice = picked.group() if picked else None
    elif tag == "input":
        choice = _str(action.get("input_value")) or None
    elif action.get("option"):
        choice = _str(action.get("option"))  # a person picked (open_id) or a menu option
    return Press(
        key=key[:64], value=choice, private=bool(value.get("dm")), chat_id=_str(context.get("open_chat_id")),
        message_id=_str(context.get("open_message_id")), open_id=sender_open_id(event),
        timezone=_str(action.get("timezone")) or None,
        event_id=_str(_dict(event.get("header")).get("event_id")),
    )


def message_ref(message_id: str, private: bool) -> str:
    """The reference the core stores for a card the bot sent: its message id, marked when it is in a private chat."""
    return f"p2p:{message_id}" if private else message_id


def parse_ref(ref: str) -> tuple[str, bool] | None:
    """(message id, private?) of a reference; None for one that is not a Feishu message."""
    private = ref.startswith("p2p:")
    message_id = ref[4:] if private else ref
    return (message_id, private) if message_id.startswith("om_") else None


def incoming_action(press: Press, sender: Sender) -> IncomingAction:
    """A card press as a neutral action; the core looks the key up and re-checks the presser and the team."""
    return IncomingAction(
        platform=PLATFORM,
        tenant_key=press.chat_id,
        key=press.key,
        sender=sender,
        chat_id=press.chat_id,
        value=press.value,
        message_ref=message_ref(press.message_id, press.private) if press.message_id else None,
        chat_type="private" if press.private else "group",
        event_id=f"card:{press.event_id}" if press.event_id else None,
    )


def line_lang(line: str) -> str:
    """The language the core answers a line in: Chinese when it has Chinese in it."""
    return "zh" if _CJK.search(line) else "en"
