"""The neutral reply model: what the core says, before a platform renders it.

Text here is plain and unescaped. Each renderer escapes user text for its own markup (Slack mrkdwn,
Telegram HTML) and turns ``PersonRef`` spans into real mentions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union


@dataclass(frozen=True)
class PersonRef:
    """A person inside a reply; rendered as a mention where the platform knows them."""

    name: str
    platform_user_id: str | None = None
    handle: str | None = None
    person_id: int | None = None


Span = Union[str, PersonRef]
Line = tuple[Span, ...]


@dataclass(frozen=True)
class Field:
    """A labelled value, e.g. Due: Fri 2026-12-04."""

    label: str
    value: Line


@dataclass(frozen=True)
class Action:
    """A button on a reply; ``key`` is an opaque database key, never data to trust."""

    kind: str
    label: str
    key: str
    style: str | None = None
    options: tuple[tuple[str, str], ...] = ()
    # the same action as a typed command, for front doors without buttons (console)
    command: str | None = None


@dataclass(frozen=True)
class Image:
    """A picture sent with a reply (a chart): PNG bytes, a file name and a one-line title (alt text)."""

    data: bytes
    filename: str
    title: str


@dataclass(frozen=True)
class Document:
    """A file sent with a reply (an export, a calendar file): its bytes, name, a one-line title and MIME type."""

    data: bytes
    filename: str
    title: str
    mime: str = "application/octet-stream"


@dataclass
class Reply:
    """One message back to the user or the channel."""

    title: str | None = None
    # what a free phrasing was read as ("Read as: paid HT-1 360,000 for first payment"), shown first
    preface: str | None = None
    lines: list[Line] = field(default_factory=list)
    fields: list[Field] = field(default_factory=list)
    context: list[str] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)
    error: bool = False
    ephemeral: bool = False
    lang: str = "en"
    # where a platform should post it: None = reply where the command came from
    channel: str | None = None
    # the milestone this reply is about
    milestone_id: int | None = None
    # references of earlier bot messages this reply replaces (edit in place instead of posting)
    replaces: tuple[str, ...] = ()
    # pictures that go with the text (charts): Slack uploads them, Telegram sends photos, the console saves files
    images: list[Image] = field(default_factory=list)
    # files that go with the text (exports): Slack uploads them, Telegram sends documents, the console saves them
    documents: list[Document] = field(default_factory=list)

    def add(self, *spans: Span) -> Reply:
        """Append a line made of spans."""
        self.lines.append(tuple(spans))
        return self


def at_name(person: PersonRef) -> str:
    """A person as written text: @name, or an e-mail address as it is (an owner known only by address)."""
    return at_text(person.name)


def at_text(name: str) -> str:
    """A handle as written text: @name, or an e-mail address as it is (never @bob@example.com)."""
    return name if "@" in name else f"@{name}"


def plain(line: Line) -> str:
    """Render a line as plain text with @names."""
    return "".join(span if isinstance(span, str) else at_name(span) for span in line)


def reply_text(reply: Reply) -> str:
    """Render a whole reply as plain text (console, logs, notification fallbacks)."""
    out: list[str] = []
    if reply.preface:
        out.append(reply.preface)
    if reply.title:
        out.append(reply.title)
    for f in reply.fields:
        out.append(f"  {f.label}: {plain(f.value)}")
    out.extend(plain(line) for line in reply.lines)
    out.extend(reply.context)
    return "\n".join(out)
