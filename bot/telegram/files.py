"""Documents people send with ``/import``: size-checked, then fetched through getFile and the file URL.

A bot may download files of up to 20 MB from Telegram's servers (getFile answers "file is too big" above
that), so larger documents are refused before any call. The bytes come from ``base_file_url`` (built next
to ``base_url`` in bot.telegram.app, so a local Bot API server or a test fake serves them too).
"""

from __future__ import annotations

import logging

from telegram import Document
from telegram.error import TelegramError
from telegram.ext import ExtBot

from handlers.messages import Attachment

log = logging.getLogger(__name__)

MAX_BYTES = 20 * 1024 * 1024  # Telegram's getFile limit for bots

TOO_BIG = {
    "en": "{name} is {size}: Telegram lets bots download files up to 20 MB. Split the ledger or save it as CSV "
          "and send it again.",
    "zh": "{name} 有 {size}，Telegram 只允许机器人下载 20 MB 以内的文件。请拆分台账或另存为 CSV 后重新发送。",
}
TOO_BIG_UNSIZED = {
    "en": "{name} is larger than 20 MB, the most Telegram lets bots download. Split the ledger or save it as CSV "
          "and send it again.",
    "zh": "{name} 超过 20 MB，Telegram 只允许机器人下载 20 MB 以内的文件。请拆分台账或另存为 CSV 后重新发送。",
}
FAILED = {
    "en": "I could not download {name} from Telegram ({reason}). Please send it again.",
    "zh": "无法从 Telegram 下载 {name}（{reason}），请重新发送。",
}


class Refused(Exception):
    """A document we will not or could not fetch; ``message`` tells the sender why, in their language."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def base_file_url(api_url: str) -> str | None:
    """The file URL next to a Bot API URL: ``http://host:8081/bot`` -> ``http://host:8081/file/bot``.

    Telegram (and a self-hosted Bot API server) serve ``/bot<token>/<method>`` and ``/file/bot<token>/<path>``
    side by side. None when the URL has no ``/bot`` part to put ``/file`` in front of.
    """
    head, sep, tail = api_url.rpartition("/bot")
    return f"{head}/file{sep}{tail}" if sep else None


def human_size(size: int) -> str:
    """``23.4 MB`` / ``512 KB``."""
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    return f"{max(1, round(size / 1024))} KB"


def name_of(document: Document) -> str:
    """The document's file name as sent (clients may leave it out)."""
    return document.file_name or "document"


async def fetch(bot: ExtBot, document: Document, *, lang: str) -> Attachment:
    """Download a document's bytes; Refused when it is too big or Telegram will not hand it over."""
    name = name_of(document)
    if document.file_size is not None and document.file_size > MAX_BYTES:
        raise Refused(_say(TOO_BIG, lang, name=name, size=human_size(document.file_size)))
    try:
        file = await bot.get_file(document.file_id)
        data = await file.download_as_bytearray()
    except TelegramError as exc:
        log.warning("could not download telegram document %s (%s): %s", document.file_unique_id, name, exc.message)
        if "too big" in exc.message.lower():  # no file_size in the message, but getFile knows
            raise Refused(_say(TOO_BIG_UNSIZED, lang, name=name)) from exc
        # PTB appends the raw body of a non-JSON answer ("... Parsing the server response b'...' failed")
        reason = exc.message.split(". Parsing the server response")[0]
        raise Refused(_say(FAILED, lang, name=name, reason=reason)) from exc
    return Attachment(filename=name, data=bytes(data), mime=document.mime_type)


def _say(table: dict[str, str], lang: str, **values: str) -> str:
    return table.get(lang, table["en"]).format(**values)
