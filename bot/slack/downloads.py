"""Files a person shares with ``import`` / ``导入``: read from the message's ``files`` and downloaded.

A file shared in a message arrives as a file object in the event's ``files`` list (a ``file_share`` message
in a DM, an ``app_mention`` in a channel). Its bytes are behind ``url_private_download`` and need the bot
token as a Bearer header and the ``files:read`` scope. Two Slack quirks matter here:

- Files from another organisation (Slack Connect) arrive as a stub, ``file_access: check_file_info``,
  without URLs or size: files.info gives the full object.
- A download without the right token or scope is not refused: Slack answers 200 with its HTML sign-in
  page. HTML where a spreadsheet was expected is therefore a failed download, not a file.
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from handlers.messages import Attachment

log = logging.getLogger(__name__)

MAX_BYTES = 20 * 1024 * 1024  # the size we accept for a ledger (Telegram's getFile limit is the same)
CHUNK = 64 * 1024
_IMPORT = re.compile(r"^\s*(?:import(?:\s|$)|导入)", re.IGNORECASE)
_CJK = re.compile(r"[\u3400-\u9fff]")

TOO_BIG = {
    "en": "{name} is {size}: I can import files up to 20 MB. Split the ledger or save it as CSV and send it again.",
    "zh": "{name} 有 {size}，超过 20 MB 的上限，无法导入。请拆分台账或另存为 CSV 后重新发送。",
}
TOO_BIG_UNSIZED = {
    "en": "{name} is larger than 20 MB: I can import files up to 20 MB. Split the ledger or save it as CSV and "
          "send it again.",
    "zh": "{name} 超过 20 MB 的上限，无法导入。请拆分台账或另存为 CSV 后重新发送。",
}
FAILED = {
    "en": "I could not download {name} from Slack ({reason}). Please send it again; if this keeps happening, "
          "ask an admin to check that ContractBot has the files:read permission.",
    "zh": "无法从 Slack 下载 {name}（{reason}）。请重新发送；如果一直失败，请管理员确认 ContractBot 有 files:read 权限。",
}


@dataclass(frozen=True)
class Fetched:
    """What an import message brought: the files, or the refusal to show instead of running the command."""

    attachments: tuple[Attachment, ...] = ()
    refusal: str | None = None


class DownloadError(Exception):
    """A shared file we will not or could not fetch; ``message`` says why, in the user's language."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(reason)
        self.message = message
        self.reason = reason


def wants_files(text: str) -> bool:
    """True for an ``import`` / ``导入`` line: only then are the message's files fetched."""
    return _IMPORT.match(text) is not None


def shared_files(event: dict[str, Any]) -> list[dict[str, Any]]:
    """The file objects of a message event (a file_share message or an app_mention with files)."""
    return [f for f in event.get("files") or [] if isinstance(f, dict) and f.get("id")]


def reply_lang(text: str) -> str:
    """The language to refuse in: the typed line's, as the core answers (导入 -> zh, import -> en)."""
    return "zh" if _CJK.search(text) else "en"


async def fetch_for(client: AsyncWebClient, event: dict[str, Any], text: str) -> Fetched:
    """The files of an ``import`` message, downloaded; a refusal instead when one is too big or fails."""
    files = shared_files(event)
    if not files or not wants_files(text):
        return Fetched()
    try:
        return Fetched(tuple(await download_all(client, files, lang=reply_lang(text))))
    except DownloadError as exc:
        return Fetched(refusal=exc.message)


def human_size(size: int) -> str:
    """``23.4 MB`` / ``512 KB``."""
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    return f"{max(1, round(size / 1024))} KB"


async def download_all(client: AsyncWebClient, files: Sequence[dict[str, Any]], *, lang: str) -> list[Attachment]:
    """Check every file's size first (none is fetched if one is too big), then download each one."""
    full = [await file_info(client, f, lang=lang) for f in files]
    for f in full:
        size = int(f.get("size") or 0)
        if size > MAX_BYTES:
            raise DownloadError(text(TOO_BIG, lang, name=name_of(f), size=human_size(size)), "too big")
    return [await download(client, f, lang=lang) for f in full]


async def file_info(client: AsyncWebClient, file: dict[str, Any], *, lang: str) -> dict[str, Any]:
    """The full file object: the event's own, or files.info's for a Slack Connect stub."""
    if file.get("url_private_download") or file.get("url_private"):
        if file.get("file_access") != "check_file_info":
            return file
    try:
        resp = await client.files_info(file=file["id"])
    except SlackApiError as exc:
        code = exc.response.get("error") if isinstance(exc.response.data, dict) else None
        log.warning("files.info %s failed: %s", file["id"], code)
        raise DownloadError(text(FAILED, lang, name=name_of(file), reason=str(code)), str(code)) from exc
    return {**file, **(resp.get("file") or {})}


async def download(client: AsyncWebClient, file: dict[str, Any], *, lang: str) -> Attachment:
    """GET the file's private URL with the bot token; DownloadError with a reply for the user on failure."""
    name = name_of(file)
    url = file.get("url_private_download") or file.get("url_private")
    if not url:
        raise DownloadError(text(FAILED, lang, name=name, reason="no download link"), "no url")
    try:
        data = await fetch(client, str(url), html_expected=file.get("mimetype") == "text/html")
    except DownloadError as exc:
        if exc.reason == "too big":
            raise DownloadError(text(TOO_BIG_UNSIZED, lang, name=name), "too big") from exc
        log.warning("could not download slack file %s (%s): %s", file.get("id"), name, exc.reason)
        raise DownloadError(text(FAILED, lang, name=name, reason=exc.reason), exc.reason) from exc
    except (aiohttp.ClientError, TimeoutError, OSError) as exc:
        reason = f"{type(exc).__name__}: {exc}".rstrip(": ")
        log.warning("could not download slack file %s (%s): %s", file.get("id"), name, reason)
        raise DownloadError(text(FAILED, lang, name=name, reason=type(exc).__name__), reason) from exc
    return Attachment(filename=name, data=data, mime=file.get("mimetype") or None)


async def fetch(client: AsyncWebClient, url: str, *, html_expected: bool = False) -> bytes:
    """The bytes at ``url``, read with a cap of MAX_BYTES (a file's ``size`` is what it claims, not a promise)."""
    headers = {"Authorization": f"Bearer {client.token}"}
    timeout = aiohttp.ClientTimeout(total=max(60, client.timeout * 4))
    async with _session(client) as session, session.get(url, headers=headers, timeout=timeout,
                                                        proxy=client.proxy,
                                                        ssl=client.ssl if client.ssl is not None else True) as resp:
        if resp.status != 200:
            raise DownloadError("", f"HTTP {resp.status}")
        if resp.content_type == "text/html" and not html_expected:
            # Slack's sign-in page: the token is missing, wrong, or lacks files:read
            raise DownloadError("", "Slack answered with a sign-in page")
        out = bytearray()
        async for chunk in resp.content.iter_chunked(CHUNK):
            out.extend(chunk)
            if len(out) > MAX_BYTES:
                raise DownloadError("", "too big")
        return bytes(out)


@contextlib.asynccontextmanager
async def _session(client: AsyncWebClient) -> AsyncIterator[aiohttp.ClientSession]:
    # the client's own aiohttp session when it has one (it then owns its life); else one for this download
    if client.session is not None and not client.session.closed:
        yield client.session
        return
    async with aiohttp.ClientSession(trust_env=client.trust_env_in_session) as session:
        yield session


def name_of(file: dict[str, Any]) -> str:
    """The file's name as uploaded (``title`` or the id when Slack gives no name)."""
    return str(file.get("name") or file.get("title") or file.get("id") or "file")


def text(table: dict[str, str], lang: str, **values: str) -> str:
    """A sentence from one of the tables above in ``lang`` (English when unknown)."""
    return table.get(lang, table["en"]).format(**values)
