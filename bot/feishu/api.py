"""The Feishu open platform over HTTP: the tenant access token, cards sent and edited, pictures and files uploaded
and sent, files people sent downloaded, people and groups.

Why aiohttp and not lark-oapi's client: the bot's server is aiohttp and everything else runs in its loop, while
the SDK's async calls fetch the tenant token with blocking ``requests`` inside the event loop, open a new HTTP
client for every call, keep the token in a process-wide cache keyed by the app id only (a fake server and the
real one would share it) and never drop a token the platform rejects. The calls needed here are a handful of
JSON requests, so they are made directly; lark-oapi still decrypts events (bot.feishu.security).

Every failure is a :class:`FeishuError` with the HTTP status, Feishu's ``code`` and ``msg`` and, on a frequency
limit (HTTP 429 or code 99991400), the seconds in ``x-ogw-ratelimit-reset``; callers decide what it means.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import quote, urlsplit

import aiohttp

log = logging.getLogger(__name__)

T = TypeVar("T")

DEFAULT_URL = "https://open.feishu.cn"
TOKEN_PATH = "/open-apis/auth/v3/tenant_access_token/internal"
TOKEN_MARGIN = 300.0  # seconds before its expiry a token is replaced (Feishu issues a new one in the last 30 min)
TIMEOUT = 10.0
TRANSFER_TIMEOUT = 120.0  # seconds for an upload or a download (a ledger of 20 MB on a slow link)
CHUNK = 64 * 1024

# "request trigger frequency limit" (any API, HTTP 429 or 400) and the messaging API's own frequency limit
RATE_LIMIT_CODES = frozenset({99991400, 230020})
# the tenant access token is missing, expired or malformed: fetch a new one and try once more
TOKEN_CODES = frozenset({99991661, 99991663, 99991665, 99991671})
# the app itself is refused (wrong id or secret, disabled, not installed): a configuration problem
CONFIG_CODES = frozenset({10003, 10014, 99991543, 99991662, 99991664, 99991673})


def base_url(url: str | None) -> str:
    """FEISHU_API_URL as an origin (``https://open.feishu.cn``); ValueError when it is not an http(s) URL."""
    text = (url or DEFAULT_URL).strip().rstrip("/")
    if text.endswith("/open-apis"):
        text = text[: -len("/open-apis")]
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"FEISHU_API_URL must be an http(s) URL such as {DEFAULT_URL}, not {url!r}")
    return text


def receive_id_type(receive_id: str) -> str:
    """What kind of id a message goes to, from its prefix: ou_ an open_id, on_ a union_id, oc_ a chat."""
    if receive_id.startswith("ou_"):
        return "open_id"
    if receive_id.startswith("on_"):
        return "union_id"
    if receive_id.startswith("oc_"):
        return "chat_id"
    if "@" in receive_id:
        return "email"
    return "user_id"


@dataclass(frozen=True)
class Credentials:
    """The app the bot is: where its open platform is, its id and its secret."""

    base_url: str
    app_id: str
    app_secret: str


class FeishuError(Exception):
    """The open platform refused a call (or could not be reached: status 0)."""

    def __init__(self, status: int, code: int, msg: str, *, retry_after: float | None = None) -> None:
        super().__init__(f"{code}: {msg}" if code else msg)
        self.status = status
        self.code = code
        self.msg = msg
        self.retry_after = retry_after

    @property
    def rate_limited(self) -> bool:
        """A frequency limit: try again after ``retry_after`` seconds."""
        return self.status == 429 or self.code in RATE_LIMIT_CODES

    @property
    def token_rejected(self) -> bool:
        """The tenant access token was not accepted."""
        return self.code in TOKEN_CODES

    @property
    def misconfigured(self) -> bool:
        """The app id or secret is wrong, or the app is disabled: retrying soon will not help."""
        return self.code in CONFIG_CODES

    @property
    def transient(self) -> bool:
        """A network failure or a server error: the same call may well work a little later."""
        return self.status == 0 or self.status >= 500


class TooBig(Exception):
    """A download that is larger than the caller's limit (nothing of it is kept)."""

    def __init__(self, size: int | None) -> None:
        super().__init__(f"larger than the limit ({size} bytes)" if size is not None else "larger than the limit")
        self.size = size


class TokenCache:
    """One app's tenant access token, shared by every client of it (the platform's loop and worker threads)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._token: str | None = None
        self._until = 0.0

    def get(self) -> str | None:
        """The token while it has more than TOKEN_MARGIN seconds left, else None."""
        with self._lock:
            if self._token and time.monotonic() < self._until - TOKEN_MARGIN:
                return self._token
            return None

    def put(self, token: str, expire: float) -> None:
        """Keep a token Feishu said is valid for ``expire`` seconds."""
        with self._lock:
            self._token, self._until = token, time.monotonic() + expire

    def drop(self, token: str) -> None:
        """Forget a token the platform rejected (unless another one replaced it meanwhile)."""
        with self._lock:
            if self._token == token:
                self._token, self._until = None, 0.0


def _retry_after(headers: Any) -> float | None:
    value = headers.get("x-ogw-ratelimit-reset") if headers is not None else None
    try:
        return max(0.0, float(value)) if value is not None else None
    except (TypeError, ValueError):
        return None


def _parse(status: int, raw: bytes, retry: float | None) -> tuple[dict[str, Any] | None, FeishuError | None]:
    """(Feishu's JSON answer, None) when it says ``code`` 0 with a 2xx/3xx status; else (None, the error)."""
    try:
        answer = json.loads(raw.decode("utf-8")) if raw else {}
    except (UnicodeDecodeError, ValueError):
        answer = None
    if not isinstance(answer, dict):
        return None, FeishuError(status, 0, f"HTTP {status}: not a JSON answer", retry_after=retry)
    code = answer.get("code")
    code = code if isinstance(code, int) else (0 if status < 400 else -1)
    if status >= 400 or code != 0:
        return None, FeishuError(status, code, str(answer.get("msg") or f"HTTP {status}"), retry_after=retry)
    return answer, None


def _answer(status: int, raw: bytes, retry: float | None) -> dict[str, Any]:
    """Feishu's JSON answer; FeishuError when it is not one or says another code than 0."""
    answer, error = _parse(status, raw, retry)
    if error is not None:
        raise error
    assert answer is not None
    return answer


def _refusal(status: int, raw: bytes, retry: float | None) -> FeishuError:
    """The error a non-200 answer to a download stands for."""
    _, error = _parse(status, raw, retry)
    return error or FeishuError(status, -1, f"HTTP {status}", retry_after=retry)


class FeishuApi:
    """The calls the bot makes, on an aiohttp session that belongs to the caller's event loop."""

    def __init__(self, credentials: Credentials, session: aiohttp.ClientSession, *,
                 tokens: TokenCache | None = None, timeout: float = TIMEOUT) -> None:
        self.credentials = credentials
        self.session = session
        self.tokens = tokens or TokenCache()
        self.timeout = aiohttp.ClientTimeout(total=timeout)
        self._fetching: asyncio.Lock | None = None

    @classmethod
    @asynccontextmanager
    async def opened(cls, credentials: Credentials, *, tokens: TokenCache | None = None,
                     timeout: float = TIMEOUT) -> AsyncIterator[FeishuApi]:
        """A client on its own session, closed afterwards (one call from a worker thread)."""
        async with aiohttp.ClientSession() as session:
            yield cls(credentials, session, tokens=tokens, timeout=timeout)

    # -- the token ----------------------------------------------------------------------------------------

    async def token(self) -> str:
        """A valid tenant access token, fetched when there is none (one fetch at a time per client)."""
        found = self.tokens.get()
        if found:
            return found
        if self._fetching is None:
            self._fetching = asyncio.Lock()
        async with self._fetching:
            found = self.tokens.get()
            if found:
                return found
            c = self.credentials
            data = await self._send("POST", TOKEN_PATH, body={"app_id": c.app_id, "app_secret": c.app_secret})
            token = data.get("tenant_access_token")
            if not isinstance(token, str) or not token:
                raise FeishuError(200, -1, "no tenant_access_token in the answer")
            self.tokens.put(token, float(data.get("expire") or 7200))
            return token

    # -- requests -------------------------------------------------------------------------------------------

    async def _authorized(self, attempt: Callable[[str], Awaitable[T]]) -> T:
        """``attempt(token)`` with the tenant token; once more with a new token if that one was rejected."""
        token = await self.token()
        try:
            return await attempt(token)
        except FeishuError as exc:
            if not exc.token_rejected:
                raise
            log.info("feishu: the tenant access token was rejected (%s); fetching a new one", exc.code)
            self.tokens.drop(token)
            return await attempt(await self.token())

    async def call(self, method: str, path: str, *, query: dict[str, str] | None = None,
                   body: dict[str, Any] | None = None) -> dict[str, Any]:
        """One call with the tenant token (fetched again once if it was rejected); Feishu's whole answer."""
        return await self._authorized(lambda token: self._send(method, path, query=query, body=body, token=token))

    async def upload(self, path: str, fields: dict[str, str], part: str, data: bytes, filename: str,
                     content_type: str) -> dict[str, Any]:
        """A multipart/form-data POST: text ``fields`` and the bytes as the part named ``part``."""

        def form() -> aiohttp.FormData:  # a FormData is read once: a new one for each attempt
            built = aiohttp.FormData()
            for name, value in fields.items():
                built.add_field(name, value)
            built.add_field(part, data, filename=filename, content_type=content_type)
            return built

        return await self._authorized(lambda token: self._send("POST", path, form=form(), token=token,
                                                               timeout=TRANSFER_TIMEOUT))

    async def _send(self, method: str, path: str, *, query: dict[str, str] | None = None,
                    body: dict[str, Any] | None = None, form: aiohttp.FormData | None = None,
                    token: str | None = None, timeout: float | None = None) -> dict[str, Any]:
        headers = {} if form is not None else {"Content-Type": "application/json; charset=utf-8"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        url = self.credentials.base_url + path
        try:
            async with self.session.request(method, url, params=query, json=body, data=form, headers=headers,
                                            timeout=self._timeout(timeout)) as resp:
                raw = await resp.read()
                status, retry = resp.status, _retry_after(resp.headers)
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise FeishuError(0, 0, f"{type(exc).__name__}: {exc}".strip()) from exc
        return _answer(status, raw, retry)

    def _timeout(self, seconds: float | None) -> aiohttp.ClientTimeout:
        if seconds is None:
            return self.timeout
        return aiohttp.ClientTimeout(total=max(seconds, self.timeout.total or 0.0))

    async def download(self, path: str, *, query: dict[str, str] | None = None, limit: int) -> bytes:
        """The bytes a GET answers with, at most ``limit`` of them (TooBig beyond); FeishuError when refused."""
        return await self._authorized(lambda token: self._fetch(path, query=query, limit=limit, token=token))

    async def _fetch(self, path: str, *, query: dict[str, str] | None, limit: int, token: str) -> bytes:
        url = self.credentials.base_url + path
        try:
            async with self.session.get(url, params=query, headers={"Authorization": f"Bearer {token}"},
                                        timeout=self._timeout(TRANSFER_TIMEOUT)) as resp:
                if resp.status != 200:  # Feishu's refusals are JSON with a code (234003: not in that message …)
                    raise _refusal(resp.status, await resp.content.read(CHUNK), _retry_after(resp.headers))
                if resp.content_length is not None and resp.content_length > limit:
                    raise TooBig(resp.content_length)
                out = bytearray()
                async for chunk in resp.content.iter_chunked(CHUNK):
                    out.extend(chunk)
                    if len(out) > limit:  # no length given, or a wrong one: stop reading at the limit
                        raise TooBig(None)
                return bytes(out)
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise FeishuError(0, 0, f"{type(exc).__name__}: {exc}".strip()) from exc

    # -- what the bot does -----------------------------------------------------------------------------------

    async def bot_info(self) -> dict[str, Any]:
        """The bot's own profile (its ``open_id``, ``app_name``); also proves the app id and secret."""
        answer = await self.call("GET", "/open-apis/bot/v3/info")
        bot = answer.get("bot")
        return bot if isinstance(bot, dict) else {}

    async def send_message(self, receive_id: str, msg_type: str, content: dict[str, Any], *,
                           uuid: str | None = None) -> dict[str, Any]:
        """Post a message (a card, an image, a file …) to a chat (``oc_``) or a person (``ou_``); its data."""
        body: dict[str, Any] = {"receive_id": receive_id, "msg_type": msg_type,
                                "content": json.dumps(content, ensure_ascii=False)}
        if uuid:
            body["uuid"] = uuid[:50]  # Feishu sends a message once per uuid within an hour
        answer = await self.call("POST", "/open-apis/im/v1/messages",
                                 query={"receive_id_type": receive_id_type(receive_id)}, body=body)
        return answer.get("data") or {}

    async def send_card(self, receive_id: str, card: dict[str, Any], *, uuid: str | None = None) -> dict[str, Any]:
        """Post an interactive card to a chat (``oc_``) or a person (``ou_``); the new message's data."""
        return await self.send_message(receive_id, "interactive", card, uuid=uuid)

    async def upload_image(self, data: bytes, filename: str) -> str:
        """Upload a picture for a message (``image_type=message``, at most 10 MB); its ``image_key``."""
        answer = await self.upload("/open-apis/im/v1/images", {"image_type": "message"}, "image", data, filename,
                                   "image/png" if filename.lower().endswith(".png") else "application/octet-stream")
        key = (answer.get("data") or {}).get("image_key")
        if not isinstance(key, str) or not key:
            raise FeishuError(200, -1, "no image_key in the answer")
        return key

    async def upload_file(self, data: bytes, filename: str, file_type: str) -> str:
        """Upload a file for a message (``file_type`` xls, pdf, stream …; at most 30 MB); its ``file_key``."""
        answer = await self.upload("/open-apis/im/v1/files", {"file_type": file_type, "file_name": filename},
                                   "file", data, filename, "application/octet-stream")
        key = (answer.get("data") or {}).get("file_key")
        if not isinstance(key, str) or not key:
            raise FeishuError(200, -1, "no file_key in the answer")
        return key

    async def message(self, message_id: str) -> dict[str, Any]:
        """One message as Feishu keeps it (``msg_type``, ``body.content``, ``sender``…); {} when none came back.

        Needs im:message:readonly; a group's messages also need im:message.group_msg.
        """
        answer = await self.call("GET", f"/open-apis/im/v1/messages/{quote(message_id, safe='')}")
        items = (answer.get("data") or {}).get("items")
        first = items[0] if isinstance(items, list) and items else None
        return first if isinstance(first, dict) else {}

    async def resource(self, message_id: str, file_key: str, *, kind: str = "file", limit: int) -> bytes:
        """The file (or picture) a message carries, at most ``limit`` bytes (TooBig beyond)."""
        path = (f"/open-apis/im/v1/messages/{quote(message_id, safe='')}/resources/"
                f"{quote(file_key, safe='')}")
        return await self.download(path, query={"type": kind}, limit=limit)

    async def patch_card(self, message_id: str, card: dict[str, Any]) -> None:
        """Replace a card the bot sent, for everyone who sees it (the card says ``update_multi``)."""
        await self.call("PATCH", f"/open-apis/im/v1/messages/{quote(message_id, safe='')}",
                        body={"content": json.dumps(card, ensure_ascii=False)})

    async def send_ephemeral(self, chat_id: str, open_id: str, card: dict[str, Any]) -> dict[str, Any]:
        """A card in a group that only one person sees (refusals, hints); the new message's data."""
        answer = await self.call("POST", "/open-apis/ephemeral/v1/send",
                                 body={"chat_id": chat_id, "open_id": open_id, "msg_type": "interactive",
                                       "card": card})
        return answer.get("data") or {}

    async def user(self, open_id: str) -> dict[str, Any]:
        """A person's contact profile (needs a contact permission); {} when the answer has none."""
        answer = await self.call("GET", f"/open-apis/contact/v3/users/{quote(open_id, safe='')}",
                                 query={"user_id_type": "open_id"})
        user = (answer.get("data") or {}).get("user")
        return user if isinstance(user, dict) else {}

    async def chat(self, chat_id: str) -> dict[str, Any]:
        """A group's information (its ``name``); needs im:chat:readonly or the bot in the group."""
        answer = await self.call("GET", f"/open-apis/im/v1/chats/{quote(chat_id, safe='')}")
        data = answer.get("data")
        return data if isinstance(data, dict) else {}
