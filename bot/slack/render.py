"""Block Kit rendering of neutral replies, with user text escaped for Slack.

Slack treats ``&``, ``<`` and ``>`` as control characters in every text object and in the ``text``
fallback: ``<!channel>`` pings a channel and ``<@U1>`` a person. It decodes the three entities for
display in plain_text as well as mrkdwn (it even hands plain_text back to apps encoded, see
bolt-python#513), so we escape all text we send, and the only raw ``<...>`` we ever emit is a mention
of a person the core names with a Slack user id. We never set ``link_names``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from handlers.replies import Action, Line, PersonRef, Reply, Span, at_name

# the action_id of every element starts with this; the listeners route on it
ACTION_PREFIX = "contract:"
# Block Kit limits
MAX_BLOCKS = 50
MAX_HEADER = 150
MAX_SECTION = 3000
MAX_FIELDS = 10
MAX_CONTEXT = 10
MAX_ELEMENTS = 25
MAX_FALLBACK = 3000

SLACK_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")

Block = dict[str, Any]


def escape(text: str) -> str:
    """Escape the three characters Slack parses (&, <, >) so user text shows literally."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def plain_text(text: str, *, limit: int | None = None) -> dict[str, Any]:
    """A plain_text object (escaped, cut to ``limit`` characters before escaping)."""
    if limit is not None and len(text) > limit:
        text = text[: limit - 1] + "…"
    return {"type": "plain_text", "text": escape(text), "emoji": True}


def mrkdwn(text: str) -> dict[str, Any]:
    """A mrkdwn object from already-escaped text."""
    return {"type": "mrkdwn", "text": text}


def span(item: Span) -> str:
    """One span as mrkdwn: a real mention for a Slack user id, else escaped text."""
    if isinstance(item, PersonRef):
        if item.platform_user_id and SLACK_USER_ID.match(item.platform_user_id):
            return f"<@{item.platform_user_id}>"
        return escape(at_name(item))
    return escape(item)


def line(spans: Line) -> str:
    """A line of spans as mrkdwn."""
    return "".join(span(s) for s in spans)


def message(reply: Reply) -> dict[str, Any]:
    """The ``text`` fallback and ``blocks`` of a reply, ready for chat.postMessage / chat.update / respond."""
    return {"text": fallback(reply), "blocks": blocks(reply)}


def fallback(reply: Reply) -> str:
    """The plain ``text`` of a message: notifications, screen readers, old clients (escaped too)."""
    out: list[str] = []
    if reply.preface:
        out.append(escape(reply.preface))
    if reply.title:
        out.append(escape(reply.title))
    out.extend(f"{escape(f.label)}: {line(f.value)}" for f in reply.fields)
    out.extend(line(ln) for ln in reply.lines)
    out.extend(escape(c) for c in reply.context)
    return _cut("\n".join(out) or " ", MAX_FALLBACK)


def blocks(reply: Reply, *, limit: int = MAX_BLOCKS) -> list[Block]:
    """A reply as blocks: header, fields, lines, context, then its actions."""
    out: list[Block] = []
    if reply.preface:
        out.append({"type": "context", "elements": [mrkdwn(_cut(escape(reply.preface), 2000))]})
    if reply.title:
        out.append(_title(reply))
    for chunk in _chunks(reply.fields, MAX_FIELDS):
        out.append({"type": "section",
                    "fields": [mrkdwn(_cut(f"*{escape(f.label)}*\n{line(f.value)}", 2000)) for f in chunk]})
    for text in _sections(line(ln) for ln in reply.lines):
        out.append({"type": "section", "text": mrkdwn(text)})
    for chunk in _chunks(reply.context, MAX_CONTEXT):
        out.append({"type": "context", "elements": [mrkdwn(_cut(escape(c), 2000)) for c in chunk]})
    actions = action_blocks(reply.actions)
    if len(out) + len(actions) > limit:
        keep = max(0, limit - len(actions) - 1)
        hidden = sum(_lines_in(block) for block in out[keep:])
        out = out[:keep]
        out.append({"type": "context", "elements": [mrkdwn(escape(more_hint(reply.lang, hidden)))]})
    return out + actions


# what a reply cut at Slack's 50 blocks says in its last block
MORE_HINT = {
    "en": "… {n} more line(s) not shown. Ask for less, e.g. `list overdue` or `show NUMBER`.",
    "zh": "…… 还有 {n} 行未显示。请缩小范围，例如 `逾期` 或 `查看 编号`。",
}


def more_hint(lang: str, hidden: int) -> str:
    """The note that ends a cut reply: how much was left out and how to ask for less."""
    return MORE_HINT.get(lang, MORE_HINT["en"]).format(n=max(1, hidden))


def _lines_in(block: Block) -> int:
    if "fields" in block:
        return len(block["fields"])
    if "elements" in block:
        return len(block["elements"])
    text = (block.get("text") or {}).get("text") or ""
    return text.count("\n") + 1


def action_blocks(actions: Sequence[Action]) -> list[Block]:
    """Buttons and menus: Done, a Snooze overflow (1/3 days), a date picker, a user picker, Note, Pay."""
    elements: list[Block] = []
    snoozes = [a for a in actions if a.kind == "snooze"]
    for action in actions:
        if action.kind == "snooze":
            if action is snoozes[0]:
                elements.append(_overflow(snoozes))
        elif action.kind == "snooze_date":
            elements.append({"type": "datepicker", "action_id": action_id(action),
                             "placeholder": plain_text(action.label, limit=150)})
        elif action.kind == "reassign":
            elements.append({"type": "users_select", "action_id": action_id(action),
                             "placeholder": plain_text(action.label, limit=150)})
        else:
            elements.append(_button(action))
    # block ids must be unique within a message or view (the Home tab shows several reminders at once)
    tag = actions[0].key if actions else "none"
    return [{"type": "actions", "block_id": f"actions_{tag}_{i}", "elements": chunk}
            for i, chunk in enumerate(_chunks(elements, MAX_ELEMENTS))]


def action_id(action: Action) -> str:
    """``contract:<kind>:<key>``: date and user pickers carry no value, so the key rides in the id."""
    return f"{ACTION_PREFIX}{action.kind}:{action.key}"


def _button(action: Action) -> Block:
    button: Block = {"type": "button", "action_id": action_id(action), "value": action.key,
                     "text": plain_text(action.label, limit=75)}
    if action.style in ("primary", "danger"):
        button["style"] = action.style
    return button


def _overflow(snoozes: list[Action]) -> Block:
    # one menu for "1 day / 3 days"; each option's value is the key of that choice
    return {"type": "overflow", "action_id": action_id(snoozes[0]),
            "options": [{"text": plain_text(a.label, limit=75), "value": a.key} for a in snoozes[:5]]}


def _title(reply: Reply) -> Block:
    if not reply.error and len(escape(reply.title or "")) <= MAX_HEADER:
        return {"type": "header", "text": plain_text(reply.title or "")}
    # errors read as a sentence, not a banner; long titles do not fit a header
    return {"type": "section", "text": mrkdwn(_cut(escape(reply.title or ""), MAX_SECTION))}


def _sections(lines: Iterable[str]) -> list[str]:
    """Join lines into section texts of at most 3000 characters."""
    out: list[str] = []
    current = ""
    for text in lines:
        text = _cut(text, MAX_SECTION)
        if current and len(current) + 1 + len(text) > MAX_SECTION:
            out.append(current)
            current = ""
        current = f"{current}\n{text}" if current else text
    if current:
        out.append(current)
    return out


def _cut(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    # do not leave half an entity (&am) or half a mention (<@U12) at the end
    amp, lt = cut.rfind("&"), cut.rfind("<")
    if amp > cut.rfind(";"):
        cut = cut[:amp]
    if lt > cut.rfind(">"):
        cut = cut[:lt]
    return cut + "…"


def _chunks(items: Sequence[Any], size: int) -> list[list[Any]]:
    return [list(items[i:i + size]) for i in range(0, len(items), size)]
