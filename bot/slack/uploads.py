"""Pictures and documents to Slack with ``files_upload_v2``: one upload URL per file, the bytes POSTed there,
then one files.completeUploadExternal that shares them all in a channel as a single message.

Slack has no way to attach a file to an existing message, to an ephemeral message or to a response_url
reply, so pictures (charts) and documents (exports, calendar files) always follow their text as a message
of their own. Sharing a file needs the bot to be a member of the channel (``chat:write.public`` is enough
for text, not for files) and the ``files:write`` scope.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import aiohttp
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from handlers.replies import Document, Image

File = Image | Document

# What an upload can fail with: an API error (SlackApiError), a refused raw POST (SlackRequestError from
# the async client, urllib's HTTPError from the sync one), a timeout or a broken connection.
UPLOAD_ERRORS: tuple[type[BaseException], ...] = (SlackClientError, OSError, aiohttp.ClientError)
# The bot may not share files there: the caller falls back to the person's DM.
NOT_MEMBER = frozenset({"not_in_channel", "channel_not_found"})
MAX_ALT_TEXT = 1000  # characters, files.getUploadURLExternal's limit for alt_txt


def file_upload(item: File) -> dict[str, Any]:
    """One entry of files_upload_v2's ``file_uploads``: bytes, file name, title (and alt text for a picture)."""
    entry: dict[str, Any] = {"file": item.data, "filename": item.filename, "title": item.title}
    if isinstance(item, Image):  # alt text is read out for images only
        entry["alt_txt"] = item.title[:MAX_ALT_TEXT]
    return entry


def file_uploads(files: Sequence[File]) -> list[dict[str, Any]]:
    """The ``file_uploads`` argument of files_upload_v2."""
    return [file_upload(item) for item in files]


def files_of(reply: Any) -> list[File]:
    """What a reply carries besides its text: its pictures, then its documents."""
    return [*(getattr(reply, "images", None) or []), *(getattr(reply, "documents", None) or [])]


def what(files: Sequence[File]) -> str:
    """``2 chart(s)`` / ``1 file(s)``: what failed, for the log."""
    noun = "chart(s)" if all(isinstance(f, Image) for f in files) else "file(s)"
    return f"{len(files)} {noun}"


def upload_arguments(channel: str, files: Sequence[File], *, thread_ts: str | None,
                     initial_comment: str | None) -> dict[str, Any]:
    """Keyword arguments for files_upload_v2 (no null thread_ts / initial_comment sent to Slack)."""
    kwargs: dict[str, Any] = {"file_uploads": file_uploads(files), "channel": channel}
    if thread_ts:
        kwargs["thread_ts"] = thread_ts
    if initial_comment:
        kwargs["initial_comment"] = initial_comment
    return kwargs


async def upload(client: AsyncWebClient, channel: str, files: Sequence[File], *, thread_ts: str | None = None,
                 initial_comment: str | None = None) -> None:
    """Share pictures and documents in a channel (or thread) as one message; raises one of UPLOAD_ERRORS."""
    await client.files_upload_v2(**upload_arguments(channel, files, thread_ts=thread_ts,
                                                    initial_comment=initial_comment))


def upload_sync(client: WebClient, channel: str, files: Sequence[File], *, thread_ts: str | None = None,
                initial_comment: str | None = None) -> None:
    """The same with the sync client of the dispatch pass."""
    client.files_upload_v2(**upload_arguments(channel, files, thread_ts=thread_ts, initial_comment=initial_comment))


def error_code(exc: BaseException) -> str | None:
    """Slack's error code of a failed call (``not_in_channel`` ...), None for other failures."""
    if isinstance(exc, SlackApiError) and isinstance(exc.response.data, dict):
        code = exc.response.data.get("error")
        return str(code) if code else None
    return None


def describe(exc: BaseException) -> str:
    """A short reason for the log."""
    return error_code(exc) or f"{type(exc).__name__}: {exc}"
