"""Ledgers people send to the bot: a file message paired with `导入` / `import`, then downloaded.

A Feishu file message has no caption: its content is ``{"file_key": …, "file_name": …}`` and nothing else, so
the way Telegram pairs a document with its caption ``/import`` becomes:

- **a file sent in the private chat with the bot** is ``导入`` (``import`` for an English Feishu app) with that
  file: the core previews it, and the person confirms (as on Telegram, into the private chat's own team);
- **``@bot 导入`` as a reply to a file message** (a group or the private chat) imports that file, whoever sent it:
  the file message is read from the inbox, or from ``GET im/v1/messages/:message_id`` when the bot never got it;
- **``@bot 导入`` on its own** takes the last file the same person sent in the same chat in the last 10 minutes.

Feishu delivers a group's file messages (no mention: a file cannot mention anyone) only to an app with the
permission im:message.group_msg, and reading a group's message by id needs it too; without it ``导入`` in a group
finds no file and says how to do it. The bytes come from ``GET im/v1/messages/:message_id/resources/:file_key
?type=file`` (im:message:readonly); a ledger is at most 20 MB, as on Slack and Telegram, read with that cap
(the event says no size).
"""

from __future__ import annotations

import asyncio
import json
import logging
import mimetypes
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Engine

from bot.feishu.api import FeishuApi, FeishuError, TooBig
from bot.feishu.translate import PLATFORM
from handlers import commands
from handlers.messages import Attachment
from handlers.usecases.imports import parse_import
from scheduler.inbox import INBOX

log = logging.getLogger(__name__)

MAX_BYTES = 20 * 1024 * 1024  # the size we accept for a ledger (as Slack and Telegram)
WINDOW_MS = 10 * 60 * 1000  # a file this recent pairs with a later `导入` of the same person in the same chat
LOOK_BACK = 50  # messages of the chat searched for that file

TOO_BIG = {
    "en": "{name} is larger than 20 MB: I can import files up to 20 MB. Split the ledger or save it as CSV and "
          "send it again.",
    "zh": "{name} 超过 20 MB 的上限，无法导入。请拆分台账或另存为 CSV 后重新发送。",
}
FAILED = {
    "en": "I could not download {name} from Feishu ({reason}). Please send it again; if this keeps happening, ask "
          "an admin to check that the app has the im:message:readonly permission.",
    "zh": "无法从飞书下载 {name}（{reason}）。请重新发送；如果一直失败，请管理员确认应用已开通 im:message:readonly"
          "（获取单聊、群组消息）权限。",
}
NO_FILE = {
    "en": "Send me the ledger file (.xlsx, .xls or .csv) first. In our private chat, just send the file; in a group, "
          "send it, then @mention me with “import” within 10 minutes, or reply to the file with @me import. (In a "
          "group the app needs the im:message.group_msg permission to see files.)",
    "zh": "请先发送台账文件（.xlsx、.xls 或 .csv）。私聊里直接把文件发给我即可；群里先发文件，10 分钟内再 @我 说“导入”，"
          "或回复那条文件消息并 @我 写“导入”。（群里需要应用开通“获取群组中所有消息”im:message.group_msg 权限才能看到文件。）",
}


class Refused(Exception):
    """A file we will not or could not fetch; ``message`` tells the sender why, in their language."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class SharedFile:
    """A file message: its id, the file's key and name, who sent it and when (milliseconds, 0 if unknown)."""

    message_id: str
    file_key: str
    name: str
    sender: str = ""
    created_ms: int = 0


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _str(value: object) -> str:
    return value if isinstance(value, str) else ""


def _ms(value: object) -> int:
    try:
        return int(str(value))
    except ValueError:
        return 0


def _file_content(kind: object, content: object) -> tuple[str, str] | None:
    if kind != "file":
        return None
    try:
        parsed = json.loads(_str(content) or "{}")
    except ValueError:
        return None
    parsed = _dict(parsed)
    key = _str(parsed.get("file_key"))
    return (key, _str(parsed.get("file_name")) or "file") if key else None


def file_message(event: dict[str, Any]) -> SharedFile | None:
    """The file of an ``im.message.receive_v1`` event sent by a person; None for other messages."""
    body = _dict(event.get("event"))
    sender = _dict(body.get("sender"))
    if sender.get("sender_type") not in (None, "user"):
        return None  # other apps and bots
    message = _dict(body.get("message"))
    found = _file_content(message.get("message_type"), message.get("content"))
    message_id = _str(message.get("message_id"))
    if found is None or not message_id:
        return None
    return SharedFile(message_id, found[0], found[1], _str(_dict(sender.get("sender_id")).get("open_id")),
                      _ms(message.get("create_time")))


def file_of_item(item: dict[str, Any]) -> SharedFile | None:
    """The file of a message as ``GET im/v1/messages/:id`` gives it (``msg_type``, ``body.content``)."""
    found = _file_content(item.get("msg_type"), _dict(item.get("body")).get("content"))
    message_id = _str(item.get("message_id"))
    if found is None or not message_id or item.get("deleted") is True:
        return None
    sender = _dict(item.get("sender"))
    return SharedFile(message_id, found[0], found[1], _str(sender.get("id")), _ms(item.get("create_time")))


def wants_file(text: str) -> bool:
    """True for an import that previews a file (``导入``, ``import``), not ``导入 确认`` or ``import cancel``."""
    verb, words, _ = commands.split_verb(text)
    if verb != "import":
        return False
    return parse_import(words, datetime.now(UTC), "UTC", "", "en").action == ""


def reply_to(event: dict[str, Any]) -> str:
    """The message a message replies to (``parent_id``), or ''."""
    return _str(_dict(_dict(event.get("event")).get("message")).get("parent_id"))


def _stored(engine: Engine, chat_id: str, *, before_id: int | None, message_id: str | None) -> list[dict[str, Any]]:
    """Message events of a chat from the inbox, newest first: one message, or the last ones before a row."""
    stmt = select(INBOX.c.payload).where(INBOX.c.platform == PLATFORM, INBOX.c.chat_key == chat_id)
    if message_id is not None:
        stmt = stmt.where(INBOX.c.update_key == f"message:{message_id}")
    else:
        stmt = stmt.where(INBOX.c.update_key.like("message:%"))
        if before_id is not None:
            stmt = stmt.where(INBOX.c.id < before_id)
    stmt = stmt.order_by(INBOX.c.id.desc()).limit(LOOK_BACK)
    with engine.connect() as conn:
        payloads = [str(p) for p in conn.execute(stmt).scalars()]
    events = []
    for payload in payloads:
        try:
            events.append(_dict(json.loads(payload)))
        except ValueError:
            continue
    return events


async def find(api: FeishuApi, engine: Engine, event: dict[str, Any], open_id: str, *,
               before_id: int | None) -> SharedFile | None:
    """The file an ``导入`` means: the file message it replies to, else the speaker's last file in the chat."""
    message = _dict(_dict(event.get("event")).get("message"))
    chat_id, own_id = _str(message.get("chat_id")), _str(message.get("message_id"))
    parent = reply_to(event)
    if parent:
        for stored in await asyncio.to_thread(_stored, engine, chat_id, before_id=None, message_id=parent):
            found = file_message(stored)
            if found is not None:
                return found
        try:
            found = file_of_item(await api.message(parent))
        except FeishuError as exc:  # im:message.group_msg missing, recalled, another chat
            log.info("feishu: could not read message %s that an import replies to: %s", parent, exc)
            found = None
        if found is not None:
            return found
    now = _ms(message.get("create_time"))
    for stored in await asyncio.to_thread(_stored, engine, chat_id, before_id=before_id, message_id=None):
        found = file_message(stored)
        if found is None or found.sender != open_id or found.message_id == own_id:
            continue
        if now and found.created_ms and now - found.created_ms > WINDOW_MS:
            break  # newest first: every other file is older still
        return found
    return None


async def fetch(api: FeishuApi, shared: SharedFile, *, lang: str, last_try: bool = True) -> Attachment:
    """Download a shared file's bytes; Refused (with what to tell the sender) when too big or refused.

    A frequency limit, a network or server failure or refused app credentials are raised as the FeishuError
    (the event is applied again later), unless this is the ``last_try`` for a failure that is not a limit.
    """
    try:
        data = await api.resource(shared.message_id, shared.file_key, kind="file", limit=MAX_BYTES)
    except TooBig as exc:
        log.info("feishu: %s (%s) is too big to import: %s", shared.message_id, shared.name, exc)
        raise Refused(say(TOO_BIG, lang, name=shared.name)) from exc
    except FeishuError as exc:
        if exc.rate_limited or (not last_try and (exc.transient or exc.misconfigured or exc.token_rejected)):
            raise
        log.warning("could not download feishu file %s (%s): %s", shared.message_id, shared.name, exc)
        raise Refused(say(FAILED, lang, name=shared.name, reason=str(exc))) from exc
    return Attachment(filename=shared.name, data=data, mime=mimetypes.guess_type(shared.name)[0])


def say(table: dict[str, str], lang: str, **values: str) -> str:
    """A sentence from one of the tables above in ``lang`` (English when unknown)."""
    return table.get(lang, table["en"]).format(**values)
