"""A local fake of the Telegram Bot API for offline tests.

It runs an aiohttp server on 127.0.0.1 (a free port) in its own thread, so both async tests (the
Application in the test's loop) and sync code (the `dispatch` notifier) can talk to it. Point
python-telegram-bot at it with ``base_url=fake.base_url`` (``http://127.0.0.1:PORT/bot``; PTB appends
the token). It serves getMe and getUpdates (long polling with offsets, like Telegram: an update is
kept until a later call confirms it), and records every call, e.g. sendMessage, sendPhoto (multipart:
the photo's bytes are recorded as an ``Upload``), sendDocument (likewise), editMessageText,
answerCallbackQuery, setMyCommands, setWebhook, deleteWebhook. Failures can be injected: a 429 with
retry_after, a 403 for users who never started the bot, 400 "chat not found". Like Telegram it refuses a text
longer than 4,096 UTF-16 code units once its HTML is parsed ("message is too long"), and an empty one.

Files people send work like Telegram's: ``fake.host_document(name, data)`` stores the bytes and returns the
``document`` of a message; getFile answers its ``file_path`` (400 "file is too big" above 20 MB, as Telegram
does), and a GET of ``/file/bot<token>/<file_path>`` (``base_file_url``) serves the bytes, recorded as a
call of method ``file``.
"""

from __future__ import annotations

import asyncio
import html
import itertools
import json
import re
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.fakes.server import ThreadedServer

BOT_USER = {
    "id": 999999999,
    "is_bot": True,
    "first_name": "ContractBot",
    "username": "ContractBot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}

# Parameters that are plain strings; everything else PTB sends JSON-encoded.
_STRING_PARAMS = {
    "text",
    "caption",
    "parse_mode",
    "callback_query_id",
    "url",
    "secret_token",
    "language_code",
    "inline_message_id",
    "description",
    "short_description",
    "name",
    "ip_address",
}
_TAG = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class Upload:
    """A file sent as multipart form data (sendPhoto's ``photo``)."""

    filename: str | None
    content_type: str
    data: bytes


@dataclass
class Call:
    """One request the bot made."""

    method: str
    params: dict[str, Any]
    token: str
    at: float = field(default_factory=time.monotonic)


@dataclass
class Failure:
    """An error the fake answers with instead of the real result."""

    method: str
    status: int
    description: str
    parameters: dict[str, Any] | None = None
    chat_id: int | None = None
    times: int = 1


class FakeTelegram(ThreadedServer):
    """A fake Bot API server: queue updates, inspect calls, inject failures."""

    FILE = "file"  # the method name recorded for a download of a file's bytes
    MAX_GET_FILE = 20 * 1024 * 1024  # Telegram's getFile limit for bots

    name = "fake Telegram"

    def __init__(self, token: str = "123456:TEST-TOKEN") -> None:
        super().__init__()
        self.token = token
        self._files: dict[str, tuple[dict[str, Any], bytes]] = {}  # file_id -> (document, bytes)
        self._paths: dict[str, str] = {}  # file_path (what getFile answers) -> file_id
        self._file_ids = itertools.count(1)
        self.calls: list[Call] = []
        self.messages: dict[tuple[int, int], dict[str, Any]] = {}
        self.webhook: dict[str, Any] = {"url": ""}
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(500_000)
        self._message_ids = itertools.count(1000)
        self._failures: list[Failure] = []
        self._lock = threading.Lock()

    # -- life cycle ---------------------------------------------------------------------------------

    def build_app(self) -> web.Application:
        """The documented endpoints the bot calls."""
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_route("GET", "/file/bot{token}/{path:.+}", self._download)
        return app

    @property
    def base_url(self) -> str:
        """What TELEGRAM_API_URL should be; python-telegram-bot appends the token."""
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        """Where file downloads go (python-telegram-bot appends the token and the file_path)."""
        return f"http://127.0.0.1:{self.port}/file/bot"

    # -- files people send ---------------------------------------------------------------------------

    def host_document(
        self, name: str, data: bytes, *, mime_type: str | None = None, size: int | None = None
    ) -> dict[str, Any]:
        """Store ``data`` and return the ``document`` of a message (``size`` may claim another file_size)."""
        n = next(self._file_ids)
        file_id = f"BQACAgUAAxkBAAI{n:06d}Zm9vYmFy"
        document: dict[str, Any] = {
            "file_name": name,
            "file_id": file_id,
            "file_unique_id": f"AgAD{n:06d}",
            "file_size": len(data) if size is None else size,
        }
        if mime_type:
            document["mime_type"] = mime_type
        suffix = name.rsplit(".", 1)[-1] if "." in name else "bin"
        with self._lock:
            self._files[file_id] = (document, data)
            self._paths[f"documents/file_{n}.{suffix}"] = file_id
        return dict(document)

    def downloads(self) -> list[Call]:
        """Every GET of a file's bytes so far (``params['path']`` is the file_path)."""
        return self.requests(self.FILE)

    # -- updates ------------------------------------------------------------------------------------

    def push_update(self, update: dict[str, Any]) -> int:
        """Queue an update for getUpdates (a fresh update_id replaces the sample's); return its id."""
        with self._lock:
            update = {**update, "update_id": next(self._update_ids)}
            self._updates.append(update)
            return int(update["update_id"])

    def pending_updates(self) -> list[dict[str, Any]]:
        """Updates not yet confirmed by a getUpdates offset."""
        with self._lock:
            return list(self._updates)

    def next_update_id(self) -> int:
        """Reserve an update id for an update delivered some other way (a webhook POST)."""
        return next(self._update_ids)

    # -- failures -----------------------------------------------------------------------------------

    def fail(
        self,
        method: str,
        status: int,
        description: str,
        *,
        parameters: dict[str, Any] | None = None,
        chat_id: int | None = None,
        times: int = 1,
    ) -> None:
        """Answer the next ``times`` calls of ``method`` (to ``chat_id``, if given) with an error."""
        with self._lock:
            self._failures.append(Failure(method, status, description, parameters, chat_id, times))

    def rate_limit(
        self, retry_after: int, *, method: str = "sendMessage", chat_id: int | None = None, times: int = 1
    ) -> None:
        """Answer with 429 Too Many Requests and parameters.retry_after."""
        self.fail(
            method,
            429,
            f"Too Many Requests: retry after {retry_after}",
            parameters={"retry_after": retry_after},
            chat_id=chat_id,
            times=times,
        )

    def block_user(self, user_id: int, *, times: int = 1000) -> None:
        """A user who never started the bot: sendMessage to them gets 403."""
        self.fail(
            "sendMessage",
            403,
            "Forbidden: bot can't initiate conversation with a user",
            chat_id=user_id,
            times=times,
        )

    def forget_chat(self, chat_id: int, *, times: int = 1000) -> None:
        """A chat the bot is not in (or that does not exist): 400 chat not found."""
        self.fail("sendMessage", 400, "Bad Request: chat not found", chat_id=chat_id, times=times)

    def _take_failure(self, method: str, params: dict[str, Any]) -> Failure | None:
        with self._lock:
            for f in self._failures:
                if (
                    f.method == method
                    and f.times > 0
                    and (f.chat_id is None or f.chat_id == params.get("chat_id"))
                ):
                    f.times -= 1
                    return f
        return None

    # -- inspection ---------------------------------------------------------------------------------

    def requests(
        self, method: str | None = None, *, chat_id: int | None = None, since: int = 0
    ) -> list[Call]:
        """Calls made so far (after index ``since``, see mark), optionally of one method and to one chat."""
        with self._lock:
            calls = self.calls[since:]
        return [
            c
            for c in calls
            if (method is None or c.method == method)
            and (chat_id is None or c.params.get("chat_id") == chat_id)
        ]

    def sent(self, chat_id: int | None = None) -> list[dict[str, Any]]:
        """Parameters of every sendMessage so far."""
        return [c.params for c in self.requests("sendMessage", chat_id=chat_id)]

    def photos(self, chat_id: int | None = None) -> list[dict[str, Any]]:
        """Parameters of every sendPhoto so far; ``photo`` is an Upload with the bytes that arrived."""
        return [c.params for c in self.requests("sendPhoto", chat_id=chat_id)]

    def documents(self, chat_id: int | None = None) -> list[dict[str, Any]]:
        """Parameters of every sendDocument so far; ``document`` is an Upload with the bytes and file name."""
        return [c.params for c in self.requests("sendDocument", chat_id=chat_id)]

    def wait_for(
        self, method: str, count: int = 1, *, since: int = 0, chat_id: int | None = None, timeout: float = 5.0
    ) -> list[Call]:
        """Block until ``count`` calls of ``method`` after index ``since``; return them (sync code)."""
        deadline = time.monotonic() + timeout
        while True:
            found = self._after(method, since, chat_id)
            if len(found) >= count or time.monotonic() > deadline:
                assert len(found) >= count, f"expected {count} {method} call(s), got {len(found)}: {found}"
                return found
            time.sleep(0.01)

    async def wait(
        self, method: str, count: int = 1, *, since: int = 0, chat_id: int | None = None, timeout: float = 5.0
    ) -> list[Call]:
        """Like wait_for, but yields to the event loop (use in async tests)."""
        deadline = time.monotonic() + timeout
        while True:
            found = self._after(method, since, chat_id)
            if len(found) >= count or time.monotonic() > deadline:
                assert len(found) >= count, f"expected {count} {method} call(s), got {len(found)}: {found}"
                return found
            await asyncio.sleep(0.01)

    def mark(self) -> int:
        """The current number of calls, to wait for calls after this point."""
        with self._lock:
            return len(self.calls)

    def _after(self, method: str, since: int, chat_id: int | None) -> list[Call]:
        with self._lock:
            calls = self.calls[since:]
        return [
            c for c in calls if c.method == method and (chat_id is None or c.params.get("chat_id") == chat_id)
        ]

    # -- the API ------------------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.Response:
        token, method = request.match_info["token"], request.match_info["method"]
        params = await _params(request)
        with self._lock:
            self.calls.append(Call(method, params, token))
        if token != self.token:
            return _error(401, "Unauthorized")
        failure = self._take_failure(method, params)
        if failure is not None:
            return _error(failure.status, failure.description, failure.parameters)
        if method == "getUpdates":
            return _ok(await self._get_updates(params))
        answer = getattr(self, "_" + re.sub(r"(?<!^)([A-Z])", r"_\1", method).lower(), None)
        result = answer(params) if answer is not None else True
        if isinstance(result, web.Response):
            return result
        return _ok(result)

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        limit = int(params.get("limit") or 100)
        deadline = time.monotonic() + float(params.get("timeout") or 0)
        while True:
            with self._lock:
                if offset:  # like Telegram: an offset confirms every earlier update
                    self._updates = [u for u in self._updates if u["update_id"] >= offset]
                ready = [u for u in self._updates if u["update_id"] >= offset][:limit]
            if ready or time.monotonic() >= deadline:
                return ready
            await asyncio.sleep(0.01)

    def _get_me(self, params: dict[str, Any]) -> dict[str, Any]:
        return BOT_USER

    def _delete_webhook(self, params: dict[str, Any]) -> bool:
        with self._lock:
            self.webhook = {"url": ""}
            if params.get("drop_pending_updates"):
                self._updates = []
        return True

    def _set_webhook(self, params: dict[str, Any]) -> bool:
        with self._lock:
            self.webhook = dict(params)
            if params.get("drop_pending_updates"):
                self._updates = []
        return True

    def _get_webhook_info(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            "url": self.webhook.get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }

    def _send_message(self, params: dict[str, Any]) -> dict[str, Any] | web.Response:
        if (too_long := _length_problem(params.get("text"), MAX_TEXT, "message text")) is not None:
            return too_long
        chat_id = params["chat_id"]
        message = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": _chat(chat_id),
            "from": BOT_USER,
            "text": _TAG.sub("", params.get("text", "")),
        }
        if params.get("reply_markup"):
            message["reply_markup"] = params["reply_markup"]
        with self._lock:
            self.messages[(chat_id, message["message_id"])] = {**message, "html": params.get("text", "")}
        return message

    def _send_photo(self, params: dict[str, Any]) -> dict[str, Any] | web.Response:
        if (too_long := _length_problem(params.get("caption"), MAX_CAPTION, "caption", empty_ok=True)) is not None:
            return too_long
        photo = params.get("photo")
        if not isinstance(photo, Upload) or not photo.data:
            return _error(400, "Bad Request: there is no photo in the request")
        chat_id = params["chat_id"]
        file_id = f"AgACAgIAAxkBAAI{next(self._message_ids)}"
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": _chat(chat_id),
            "from": BOT_USER,
            "photo": [
                {"file_id": file_id, "file_unique_id": file_id[-8:], "width": 320, "height": 180,
                 "file_size": len(photo.data)}
            ],
        }
        if params.get("caption"):
            message["caption"] = _TAG.sub("", params["caption"])
        if params.get("reply_markup"):
            message["reply_markup"] = params["reply_markup"]
        with self._lock:
            self.messages[(chat_id, message["message_id"])] = {**message, "html": params.get("caption", "")}
        return message

    def _send_document(self, params: dict[str, Any]) -> dict[str, Any] | web.Response:
        upload = params.get("document")
        if not isinstance(upload, Upload) or not upload.data:
            return _error(400, "Bad Request: there is no document in the request")
        chat_id = params["chat_id"]
        n = next(self._file_ids)
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": _chat(chat_id),
            "from": BOT_USER,
            "document": {
                "file_name": upload.filename,
                "mime_type": upload.content_type,
                "file_id": f"BQACAgUAAxkDAAI{n:06d}",
                "file_unique_id": f"AgAD{n:06d}",
                "file_size": len(upload.data),
            },
        }
        if params.get("caption"):
            message["caption"] = _TAG.sub("", params["caption"])
        with self._lock:
            self.messages[(chat_id, message["message_id"])] = {**message, "html": params.get("caption", "")}
        return message

    def _get_file(self, params: dict[str, Any]) -> dict[str, Any] | web.Response:
        with self._lock:
            found = self._files.get(str(params.get("file_id", "")))
        if found is None:
            return _error(400, "Bad Request: invalid file_id")
        document, _ = found
        if document["file_size"] > self.MAX_GET_FILE:
            return _error(400, "Bad Request: file is too big")
        with self._lock:
            path = next(p for p, fid in self._paths.items() if fid == document["file_id"])
        return {
            "file_id": document["file_id"],
            "file_unique_id": document["file_unique_id"],
            "file_size": document["file_size"],
            "file_path": path,
        }

    async def _download(self, request: web.Request) -> web.Response:
        token, path = request.match_info["token"], request.match_info["path"]
        with self._lock:
            self.calls.append(Call(self.FILE, {"path": path}, token))
        if token != self.token:
            return web.Response(status=401, text="Unauthorized")
        failure = self._take_failure(self.FILE, {})
        if failure is not None:
            return web.Response(status=failure.status, text=failure.description)
        with self._lock:
            file_id = self._paths.get(path)
            found = self._files.get(file_id) if file_id else None
        if found is None:
            return web.Response(status=404, text="Not Found")
        return web.Response(body=found[1], content_type="application/octet-stream")

    def _edit_message_text(self, params: dict[str, Any]) -> dict[str, Any] | web.Response:
        if (too_long := _length_problem(params.get("text"), MAX_TEXT, "message text")) is not None:
            return too_long
        key = (params.get("chat_id"), params.get("message_id"))
        with self._lock:
            old = self.messages.get(key)  # type: ignore[arg-type]
        if old is None:
            return _error(400, "Bad Request: message to edit not found")
        if "photo" in old:  # a photo has a caption (editMessageCaption), not a text
            return _error(400, "Bad Request: there is no text in the message to edit")
        markup = params.get("reply_markup")
        if old["html"] == params.get("text") and old.get("reply_markup") == markup:
            return _error(
                400,
                "Bad Request: message is not modified: specified new message content and reply "
                "markup are exactly the same as a current content and reply markup of the message",
            )
        message = {
            **old,
            "text": _TAG.sub("", params.get("text", "")),
            "html": params.get("text", ""),
            "edit_date": int(time.time()),
        }
        message.pop("reply_markup", None)
        if markup:  # without reply_markup Telegram removes the inline keyboard
            message["reply_markup"] = markup
        with self._lock:
            self.messages[key] = message  # type: ignore[index]
        return {k: v for k, v in message.items() if k != "html"}

    def _get_my_commands(self, params: dict[str, Any]) -> list[Any]:
        return []


MAX_TEXT = 4096  # Telegram's limit for a message's text after entity parsing, in UTF-16 code units
MAX_CAPTION = 1024


def _length_problem(html_text: Any, limit: int, what: str, *, empty_ok: bool = False) -> web.Response | None:
    """Telegram's answer to a text that is empty or too long once its HTML is parsed (None when it is fine)."""
    if html_text is None and empty_ok:
        return None
    plain = html.unescape(_TAG.sub("", str(html_text or "")))
    if not plain.strip() and not empty_ok:
        return _error(400, f"Bad Request: {what} is empty")
    if len(plain.encode("utf-16-le")) // 2 > limit:
        return _error(400, f"Bad Request: {what} is too long")
    return None


def _chat(chat_id: int | str) -> dict[str, Any]:
    if isinstance(chat_id, int) and chat_id > 0:
        return {"id": chat_id, "type": "private", "first_name": "User"}
    return {"id": chat_id, "type": "supergroup", "title": "Group"}


async def _params(request: web.Request) -> dict[str, Any]:
    raw: dict[str, Any] = dict(request.query)
    if request.content_type == "application/json":
        raw.update(await request.json())
        return raw
    if request.can_read_body:
        form = await request.post()  # urlencoded, or multipart when a file is sent (sendPhoto)
        for key, value in form.items():
            if isinstance(value, str):
                raw[key] = value
            else:
                raw[key] = Upload(value.filename, value.content_type, value.file.read())
    return {k: _decode(k, v) for k, v in raw.items()}


def _decode(name: str, value: Any) -> Any:
    if not isinstance(value, str) or name in _STRING_PARAMS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value  # e.g. chat_id "@channelname"


def _ok(result: Any) -> web.Response:
    return web.json_response({"ok": True, "result": result})


def _error(status: int, description: str, parameters: dict[str, Any] | None = None) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if parameters:
        body["parameters"] = parameters
    return web.json_response(body, status=status)
