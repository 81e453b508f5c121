"""Pictures and documents to Feishu: uploaded to the open platform, then sent as messages after their card.

A chart (``Reply.images``) becomes an image message: ``POST im/v1/images`` (``image_type=message``) gives an
``image_key``, then ``msg_type: image``. A document (``Reply.documents``: an export, a calendar file) becomes a
file message: ``POST im/v1/files`` (``file_type`` and ``file_name``) gives a ``file_key``, then ``msg_type: file``.

Why messages after the card and not an ``img`` element inside it: the card never waits for an upload (the text
goes first, whatever becomes of the files), a picture in its own message opens full size in Feishu's viewer and
can be saved or forwarded like any other, and a card edited later (a press) needs no image keys. The card names
the charts that follow (their titles are the alt text a picture message has no field for).

Feishu takes pictures up to 10 MB (a larger one goes as a file) and files up to 30 MB, never an empty one; a file
it would refuse is not sent and the card says so. Both need the permission im:resource.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from handlers.replies import Document, Image, Reply

IMAGE_LIMIT = 10 * 1024 * 1024  # bytes: Feishu's limit for an uploaded picture
FILE_LIMIT = 30 * 1024 * 1024  # bytes: and for an uploaded file
MAX_TITLES = 300  # characters of chart titles the card lists

# what Feishu calls a file's type (file_type): a few known kinds, "stream" for everything else
FILE_TYPES = {"xls": "xls", "xlsx": "xls", "xlsm": "xls", "pdf": "pdf", "doc": "doc", "docx": "doc",
              "ppt": "ppt", "pptx": "ppt", "mp4": "mp4", "opus": "opus"}

CHARTS_BELOW = {"en": "📊 Charts below: {titles}", "zh": "📊 图表见下方：{titles}"}
NOT_SENT = {"en": "📎 {name} was not sent: {reason}.", "zh": "📎 未发送 {name}：{reason}。"}
TOO_BIG = {"en": "Feishu takes files up to 30 MB", "zh": "飞书只接受 30 MB 以内的文件"}
EMPTY = {"en": "it is empty", "zh": "文件为空"}
FAILED = {"en": "📎 I could not send {name} on Feishu ({reason}).", "zh": "📎 无法在飞书发送 {name}（{reason}）。"}
NO_PERMISSION = {"en": "ask an admin to give the app the im:resource permission",
                 "zh": "请管理员为应用开通 im:resource 权限"}
PERMISSION_CODES = frozenset({99991672, 99991679})  # the app lacks a scope


@dataclass(frozen=True)
class Outgoing:
    """One picture or document to send: how (``image`` or ``file``), its bytes, name and Feishu file type."""

    kind: str  # "image" | "file"
    data: bytes
    filename: str
    title: str
    file_type: str = ""


def say(table: dict[str, str], lang: str, **values: object) -> str:
    """A sentence from one of the tables above in ``lang`` (English when unknown)."""
    return table.get(lang, table["en"]).format(**values)


def file_type(filename: str) -> str:
    """Feishu's ``file_type`` for a file name: ``xls`` for a spreadsheet, ``pdf`` …, ``stream`` otherwise."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    return FILE_TYPES.get(extension, "stream")


def outgoing(reply: Reply) -> tuple[list[Outgoing], list[str]]:
    """What of a reply's pictures and documents can go to Feishu, in order, and notes about what cannot."""
    sendable: list[Outgoing] = []
    notes: list[str] = []
    items: Sequence[Image | Document] = [*reply.images, *reply.documents]
    for item in items:
        size = len(item.data)
        if not size:
            notes.append(say(NOT_SENT, reply.lang, name=item.filename, reason=say(EMPTY, reply.lang)))
        elif size > FILE_LIMIT:
            notes.append(say(NOT_SENT, reply.lang, name=item.filename, reason=say(TOO_BIG, reply.lang)))
        elif isinstance(item, Image) and size <= IMAGE_LIMIT:
            sendable.append(Outgoing("image", item.data, item.filename, item.title))
        else:  # a document, or a picture too large for an image message
            sendable.append(Outgoing("file", item.data, item.filename, item.title, file_type(item.filename)))
    return sendable, notes


def file_notes(reply: Reply) -> list[str]:
    """What a reply's card says about its files: the titles of the charts that follow, what cannot be sent."""
    sendable, notes = outgoing(reply)
    titles = [item.title or item.filename for item in sendable if item.kind == "image"]
    if titles:
        listed = " · ".join(titles)
        if len(listed) > MAX_TITLES:
            listed = listed[: MAX_TITLES - 1] + "…"
        notes.insert(0, say(CHARTS_BELOW, reply.lang, titles=listed))
    return notes


def failure_note(name: str, reason: str, lang: str, *, permission: bool) -> str:
    """What the chat is told when Feishu refused a picture or a file for good."""
    return say(FAILED, lang, name=name, reason=say(NO_PERMISSION, lang) if permission else reason)
