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
    if person.handle and "@" not in person.handle:
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


def tg_len(text: str) -> int:
    """A length as Telegram counts it: UTF-16 code units (an emoji or a rare CJK character counts twice)."""
    return len(text.encode("utf-16-le")) // 2


def _fitting(line: str, limit: int) -> int:
    """The longest prefix of ``line`` (in characters) whose UTF-16 length is at most ``limit``."""
    units = 0
    for i, char in enumerate(line):
        units += 2 if ord(char) > 0xFFFF else 1
        if units > limit:
            return i
    return len(line)


def chunks(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Split long HTML at line breaks (each line closes its own tags) into messages Telegram accepts.

    Lengths are counted in UTF-16 code units, as Telegram does, and on the HTML itself, which is never
    shorter than the text Telegram counts after parsing it.
    """
    parts: list[str] = []
    current, size = "", 0
    for line in text.split("\n"):
        if tg_len(line) > limit:
            # a single huge line (a very long note): drop its tags and cut between entities, so every part
            # is still valid HTML (Telegram rejects a message with a half "&lt" or an unclosed tag)
            line = _TAG.sub("", line)
        while tg_len(line) > limit:
            if current:
                parts.append(current)
                current, size = "", 0
            cut = _fitting(line, limit)
            amp = line.rfind("&", 0, cut)
            if amp > 0 and line.find(";", amp, cut) == -1:
                cut = amp
            parts.append(line[:cut])
            line = line[cut:]
        length = tg_len(line)
        if current and size + 1 + length > limit:
            parts.append(current)
            current, size = line, length
        elif current:
            current, size = f"{current}\n{line}", size + 1 + length
        else:
            current, size = line, length
    if current or not parts:
        parts.append(current)
    return parts


MAX_PARTS = 5  # a reply longer than this many messages is cut, with a hint (a group may take only 20 a minute)
MORE_HINT = {
    "en": "… {n} more line(s) not shown. Ask for less, e.g. /list overdue or a single contract with /contract show.",
    "zh": "…… 还有 {n} 行未显示。请缩小范围，例如 /list 逾期，或用 /contract 查看 编号 看单个合同。",
}


def fit(html_text: str, lang: str = "en", *, max_parts: int = MAX_PARTS, limit: int = MAX_TEXT) -> list[str]:
    """The messages a reply's HTML is sent as: split at line breaks, at most ``max_parts``, each within
    Telegram's 4,096 characters; what does not fit is dropped and the last message says so with a hint."""
    parts = chunks(html_text, limit)
    if len(parts) <= max_parts:
        return parts
    total = html_text.count("\n") + 1
    hint_for = MORE_HINT.get(lang, MORE_HINT["en"])
    kept = parts[:max_parts]
    # room for the longest hint ("{n}" has at most 9 digits): cut the last message at a line break
    room = limit - tg_len(hint_for) - 20
    if tg_len(kept[-1]) > room:
        kept[-1] = chunks(kept[-1], room)[0]
    shown = sum(part.count("\n") + 1 for part in kept)
    kept[-1] += f"\n<i>{esc(hint_for.format(n=max(1, total - shown)))}</i>"
    return kept


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
