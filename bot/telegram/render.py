"""Replies -> Telegram HTML and inline keyboards. Every piece of user text goes through html.escape."""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from handlers.replies import Action, Line, PersonRef, Reply

log = logging.getLogger(__name__)

MAX_TEXT = 4096  # Telegram's limit for one message, after entity parsing
MAX_CAPTION = 1024  # Telegram's limit for a photo's caption
MAX_CALLBACK_DATA = 64  # bytes
MAX_ALERT = 200  # characters in an answerCallbackQuery text
ROW = 3


def esc(text: str) -> str:
    """Escape text for HTML parse mode (&, <, > and quotes)."""
    return html.escape(text, quote=True)


def mention(person: PersonRef) -> str:
    """A person as a Telegram mention: a tg://user link when their numeric id is known, else @handle."""
    uid = person.platform_user_id or ""
    if uid.isdigit():
        return f'<a href="tg://user?id={uid}">{esc(person.name)}</a>'
    if person.handle:
        return "@" + esc(person.handle)
    return esc(person.name)


def line_html(line: Line) -> str:
    """One line of spans."""
    return "".join(esc(span) if isinstance(span, str) else mention(span) for span in line)


def reply_html(reply: Reply) -> str:
    """A whole reply as HTML: bold title, labelled fields, lines, then the context in italics."""
    out: list[str] = []
    if reply.preface:
        out.append(f"<i>{esc(reply.preface)}</i>")
    if reply.title:
        out.append(f"<b>{esc(reply.title)}</b>")
    out.extend(f"<b>{esc(f.label)}</b>: {line_html(f.value)}" for f in reply.fields)
    out.extend(line_html(line) for line in reply.lines)
    out.extend(f"<i>{esc(c)}</i>" for c in reply.context)
    return "\n".join(out) or "…"


def caption_html(text: str) -> str:
    """A picture's title as an HTML caption, cut between entities to fit Telegram's caption limit."""
    return chunks(esc(text), MAX_CAPTION)[0]


_TAG = re.compile(r"<[^>]+>")


def chunks(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Split long HTML at line breaks (each line closes its own tags) into messages Telegram accepts."""
    parts: list[str] = []
    current = ""
    for line in text.split("\n"):
        if len(line) > limit:
            # a single huge line (a very long note): drop its tags and cut between entities, so every part
            # is still valid HTML (Telegram rejects a message with a half "&lt" or an unclosed tag)
            line = _TAG.sub("", line)
        while len(line) > limit:
            if current:
                parts.append(current)
                current = ""
            cut = limit
            amp = line.rfind("&", 0, cut)
            if amp != -1 and line.find(";", amp, cut) == -1:
                cut = amp
            parts.append(line[:cut])
            line = line[cut:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            parts.append(current)
            current = line
        else:
            current = candidate
    if current or not parts:
        parts.append(current)
    return parts


def keyboard(actions: Sequence[Action]) -> InlineKeyboardMarkup | None:
    """Inline buttons whose callback_data is the opaque action key (never data to trust)."""
    buttons = []
    for a in actions:
        if not a.key or len(a.key.encode("utf-8")) > MAX_CALLBACK_DATA:
            log.warning("action %s has a key Telegram cannot carry (%r); button left out", a.kind, a.key)
            continue
        buttons.append(InlineKeyboardButton(a.label, callback_data=a.key))
    if not buttons:
        return None
    return InlineKeyboardMarkup([buttons[i : i + ROW] for i in range(0, len(buttons), ROW)])


def make_ref(chat_id: int | str, message_id: int) -> str:
    """The reference the core stores for a posted message: ``chat_id:message_id``."""
    return f"{chat_id}:{message_id}"


def parse_ref(ref: str) -> tuple[int, int] | None:
    """Split a ``chat_id:message_id`` reference; None for references of other platforms."""
    chat, sep, message = ref.rpartition(":")
    try:
        return (int(chat), int(message)) if sep else None
    except ValueError:
        return None
