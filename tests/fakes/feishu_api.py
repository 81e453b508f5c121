"""A local fake of the Feishu open platform for offline tests, and Feishu's side of the event callbacks.

It runs an aiohttp server on 127.0.0.1 (a free port) in its own thread, so both async tests (the platform in the
test's loop) and sync code (the `dispatch` notifier) can talk to it. Point the bot at it with
``FEISHU_API_URL=fake.base_url``. It serves, with the documented shapes (tests/fixtures/feishu):

- ``POST /open-apis/auth/v3/tenant_access_token/internal``: a token for the right app id and secret;
- ``GET /open-apis/bot/v3/info``: the bot's open_id and name;
- ``POST /open-apis/im/v1/messages?receive_id_type=…``: a card to a chat or a person (a person gets their private
  chat with the bot); refuses a card over 30 KB (230025) and sends a message once per ``uuid``;
- ``PATCH /open-apis/im/v1/messages/:message_id``: a card edit, only for cards that say ``update_multi`` (as
  Feishu requires for a card everyone sees updated);
- ``POST /open-apis/ephemeral/v1/send``: a card only one person in a group sees;
- ``GET /open-apis/contact/v3/users/:user_id``: a person's profile (or 99991672 without the contact permission);
- ``GET /open-apis/im/v1/chats/:chat_id``: a group's name.

Every call needs a valid tenant token (99991663 otherwise); ``expire_tokens`` makes the issued ones invalid.
Failures can be injected per call kind (``fail``): a 429 with ``x-ogw-ratelimit-reset``, 99991400, 230002 …

``event_request`` builds what Feishu posts to the bot: the event, encrypted and signed when an Encrypt Key is
given, exactly as the documentation describes.
"""

from __future__ import annotations

import asyncio
import base64
import copy
import hashlib
import itertools
import json
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import web

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "feishu"

APP_ID = "cli_a5fb0ae6a4c0d00c"
APP_SECRET = "fake-app-secret-0123456789abcdef"
BOT_OPEN_ID = "ou_b0bd3a0d6a1c2f3e4d5c6b7a8f9e0d1c"
BOT_NAME = "合同助手"
CARD_LIMIT = 30 * 1024


def fixture(name: str) -> dict[str, Any]:
    """A payload shape from tests/fixtures/feishu, without its ``_`` notes."""
    data = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    return {k: v for k, v in data.items() if not k.startswith("_")}


# -- Feishu's side of the callbacks --------------------------------------------------------------------------


def encrypt(encrypt_key: str, plaintext: str) -> str:
    """base64(iv + AES-256-CBC(plaintext)) with SHA-256 of the key and PKCS#7 padding, as Feishu encrypts."""
    from Crypto.Cipher import AES

    key = hashlib.sha256(encrypt_key.encode("utf-8")).digest()
    iv = os.urandom(16)
    data = plaintext.encode("utf-8")
    pad = 16 - len(data) % 16
    data += bytes([pad]) * pad
    return base64.b64encode(iv + AES.new(key, AES.MODE_CBC, iv).encrypt(data)).decode("ascii")


def sign(encrypt_key: str, body: bytes, timestamp: str, nonce: str) -> str:
    """X-Lark-Signature: hex SHA-256 of timestamp + nonce + Encrypt Key + the raw body."""
    return hashlib.sha256((timestamp + nonce + encrypt_key).encode("utf-8") + body).hexdigest()


def event_request(event: dict[str, Any], *, encrypt_key: str | None = None, signed: bool = True,
                  timestamp: str | None = None, nonce: str | None = None) -> tuple[bytes, dict[str, str]]:
    """The body and headers Feishu posts for an event: encrypted and signed when the app has an Encrypt Key."""
    plain = json.dumps(event, ensure_ascii=False)
    headers = {"Content-Type": "application/json; charset=utf-8"}
    if not encrypt_key:
        return plain.encode("utf-8"), headers
    body = json.dumps({"encrypt": encrypt(encrypt_key, plain)}).encode("utf-8")
    if signed:
        timestamp = timestamp or str(int(time.time()))
        nonce = nonce or base64.b32encode(os.urandom(10)).decode("ascii").lower()
        headers.update({"X-Lark-Request-Timestamp": timestamp, "X-Lark-Request-Nonce": nonce,
                        "X-Lark-Signature": sign(encrypt_key, body, timestamp, nonce)})
    return body, headers


# -- the open API ---------------------------------------------------------------------------------------------


@dataclass
class Call:
    """One request the bot made: its kind (``send``, ``patch`` …), path, query, JSON body and token."""

    kind: str
    path: str
    query: dict[str, str]
    body: dict[str, Any]
    token: str
    at: float = field(default_factory=time.monotonic)

    @property
    def card(self) -> dict[str, Any]:
        """The card a send or a patch carried (decoded), or an ephemeral card."""
        if "card" in self.body:
            return dict(self.body["card"])
        return dict(json.loads(self.body.get("content") or "{}"))


@dataclass
class Failure:
    """An error the fake answers with instead of the real result."""

    kind: str
    status: int
    code: int
    msg: str
    receive_id: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    times: int = 1


class FakeFeishu:
    """A fake open platform: inspect calls and cards, inject failures, know people and groups."""

    def __init__(self, app_id: str = APP_ID, app_secret: str = APP_SECRET) -> None:
        self.app_id = app_id
        self.app_secret = app_secret
        self.calls: list[Call] = []
        self.messages: dict[str, dict[str, Any]] = {}  # message_id -> chat_id, card, receive_id …
        self.ephemerals: list[dict[str, Any]] = []
        self.people: dict[str, dict[str, Any]] = {}
        self.chats: dict[str, str] = {}  # chat id -> name
        self.contact_allowed = True
        self._tokens: set[str] = set()
        self._uuids: dict[str, str] = {}
        self._ids = itertools.count(1)
        self._failures: list[Failure] = []
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.AppRunner | None = None
        self._thread: threading.Thread | None = None
        self.port = 0

    # -- life cycle ---------------------------------------------------------------------------------

    def start(self) -> FakeFeishu:
        """Serve on a free port of 127.0.0.1 from a background thread."""
        ready = threading.Event()

        def serve() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            loop.run_until_complete(self._start_site())
            ready.set()
            loop.run_forever()
            loop.close()

        self._thread = threading.Thread(target=serve, name="fake-feishu", daemon=True)
        self._thread.start()
        if not ready.wait(5):
            raise RuntimeError("fake Feishu did not start")
        return self

    async def _start_site(self) -> None:
        app = web.Application()
        app.router.add_post("/open-apis/auth/v3/tenant_access_token/internal", self._token)
        app.router.add_get("/open-apis/bot/v3/info", self._bot_info)
        app.router.add_post("/open-apis/im/v1/messages", self._send)
        app.router.add_patch("/open-apis/im/v1/messages/{message_id}", self._patch)
        app.router.add_post("/open-apis/ephemeral/v1/send", self._ephemeral)
        app.router.add_get("/open-apis/contact/v3/users/{user_id}", self._user)
        app.router.add_get("/open-apis/im/v1/chats/{chat_id}", self._chat)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.1)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = int(self._runner.addresses[0][1])

    def stop(self) -> None:
        """Stop serving and join the thread."""
        if self._loop is not None and self._thread is not None:
            if self._runner is not None:
                asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(5)
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(5)

    @property
    def base_url(self) -> str:
        """What FEISHU_API_URL should be."""
        return f"http://127.0.0.1:{self.port}"

    # -- the world ----------------------------------------------------------------------------------

    def add_person(self, open_id: str, name: str, *, country: str = "CN", en_name: str = "") -> None:
        """Someone the contact API knows (the documented profile shape with these values)."""
        user = copy.deepcopy(fixture("contact_user.json")["data"]["user"])
        user.update(open_id=open_id, name=name, en_name=en_name or name, country=country)
        with self._lock:
            self.people[open_id] = user

    def add_chat(self, chat_id: str, name: str) -> None:
        """A group the bot is in."""
        with self._lock:
            self.chats[chat_id] = name

    @staticmethod
    def p2p_chat(open_id: str) -> str:
        """The id of a person's private chat with the bot (stable, like Feishu's)."""
        return "oc_p2p" + hashlib.sha256(open_id.encode()).hexdigest()[:26]

    def expire_tokens(self) -> None:
        """Every tenant token issued so far is refused from now on (99991663)."""
        with self._lock:
            self._tokens.clear()

    # -- failures -----------------------------------------------------------------------------------

    def fail(self, kind: str, code: int, msg: str, *, status: int = 400, receive_id: str | None = None,
             headers: dict[str, str] | None = None, times: int = 1) -> None:
        """Answer the next ``times`` calls of ``kind`` (to ``receive_id``, if given) with an error."""
        with self._lock:
            self._failures.append(Failure(kind, status, code, msg, receive_id, dict(headers or {}), times))

    def rate_limit(self, reset: int, *, kind: str = "send", receive_id: str | None = None, times: int = 1,
                   status: int = 429) -> None:
        """Feishu's frequency limit: 99991400 with x-ogw-ratelimit-reset (HTTP 429, or 400 on older APIs)."""
        self.fail(kind, 99991400, "request trigger frequency limit", status=status, receive_id=receive_id,
                  headers={"x-ogw-ratelimit-limit": "5", "x-ogw-ratelimit-reset": str(reset)}, times=times)

    def _take_failure(self, kind: str, receive_id: str | None) -> Failure | None:
        with self._lock:
            for f in self._failures:
                if f.kind == kind and f.times > 0 and (f.receive_id is None or f.receive_id == receive_id):
                    f.times -= 1
                    return f
        return None

    # -- inspection ---------------------------------------------------------------------------------

    def requests(self, kind: str | None = None, *, since: int = 0, to: str | None = None) -> list[Call]:
        """Calls made so far (after index ``since``), of one kind and to one chat or person if given."""
        with self._lock:
            calls = self.calls[since:]
        return [c for c in calls if (kind is None or c.kind == kind)
                and (to is None or to in (c.body.get("receive_id"), c.body.get("chat_id")))]

    def mark(self) -> int:
        """The current number of calls, to wait for calls after this point."""
        with self._lock:
            return len(self.calls)

    async def wait(self, kind: str, count: int = 1, *, since: int = 0, to: str | None = None,
                   timeout: float = 5.0) -> list[Call]:
        """Wait (yielding to the loop) until ``count`` calls of ``kind`` after ``since``; return them."""
        deadline = time.monotonic() + timeout
        while True:
            found = self.requests(kind, since=since, to=to)
            if len(found) >= count or time.monotonic() > deadline:
                assert len(found) >= count, f"expected {count} {kind} call(s), got {len(found)}: {found}"
                return found
            await asyncio.sleep(0.01)

    def card_of(self, message_id: str) -> dict[str, Any]:
        """A message's card as it is now (after any edits)."""
        with self._lock:
            return dict(self.messages[message_id]["card"])

    # -- the API ------------------------------------------------------------------------------------

    async def _record(self, request: web.Request, kind: str) -> tuple[Call, web.Response | None]:
        try:
            body = await request.json() if request.can_read_body else {}
        except ValueError:
            body = {}
        auth = request.headers.get("Authorization", "")
        call = Call(kind, request.path, dict(request.query), body if isinstance(body, dict) else {},
                    auth.removeprefix("Bearer "))
        with self._lock:
            self.calls.append(call)
            valid = call.token in self._tokens
        if kind != "token" and not valid:
            return call, _error(400, 99991663, "Invalid access token for authorization. Please make a request "
                                               "with token attached.")
        failure = self._take_failure(kind, call.body.get("receive_id") or call.body.get("chat_id"))
        if failure is not None:
            return call, _error(failure.status, failure.code, failure.msg, failure.headers)
        return call, None

    async def _token(self, request: web.Request) -> web.Response:
        call, refused = await self._record(request, "token")
        if refused is not None:
            return refused
        if call.body.get("app_id") != self.app_id or call.body.get("app_secret") != self.app_secret:
            return _error(400, 10014, "app secret invalid")
        token = f"t-{next(self._ids):04d}{os.urandom(8).hex()}"
        with self._lock:
            self._tokens.add(token)
        return web.json_response({"code": 0, "msg": "ok", "tenant_access_token": token, "expire": 7200})

    async def _bot_info(self, request: web.Request) -> web.Response:
        _, refused = await self._record(request, "bot_info")
        if refused is not None:
            return refused
        return web.json_response({"code": 0, "msg": "ok", "bot": {
            "activate_status": 2, "app_name": BOT_NAME, "avatar_url": "https://example.invalid/bot.png",
            "ip_white_list": [], "open_id": BOT_OPEN_ID}})

    @staticmethod
    def _card_problem(content: Any) -> web.Response | None:
        if not isinstance(content, str):
            return _error(400, 230001, "Your request contains an invalid request parameter.")
        if len(content.encode("utf-8")) > CARD_LIMIT:
            return _error(400, 230025, "The length of the message content reaches its limit.")
        try:
            card = json.loads(content)
        except ValueError:
            return _error(400, 230001, "Your request contains an invalid request parameter, content is not JSON.")
        if not isinstance(card, dict) or not isinstance(card.get("elements"), list) or not card["elements"]:
            return _error(400, 230099, "Failed to create card content, ext=ErrCode: 200621; ErrMsg: no elements")
        return None

    async def _send(self, request: web.Request) -> web.Response:
        call, refused = await self._record(request, "send")
        if refused is not None:
            return refused
        id_type, receive_id = call.query.get("receive_id_type"), str(call.body.get("receive_id") or "")
        if call.body.get("msg_type") != "interactive":
            return _error(400, 230001, "Your request contains an invalid request parameter.")
        if (problem := self._card_problem(call.body.get("content"))) is not None:
            return problem
        if id_type == "chat_id":
            if not receive_id.startswith("oc_"):
                return _error(400, 230001, "invalid receive_id")
            chat_id = receive_id
        elif id_type == "open_id" and receive_id.startswith("ou_"):
            chat_id = self.p2p_chat(receive_id)
        else:
            return _error(400, 230034, "The receive_id is invalid.")
        uuid = call.body.get("uuid")
        with self._lock:
            if uuid and uuid in self._uuids:  # sent once per uuid within an hour
                return _ok(self._message_data(self._uuids[uuid]))
            message_id = f"om_{next(self._ids):06d}{os.urandom(10).hex()}"
            self.messages[message_id] = {"chat_id": chat_id, "receive_id": receive_id,
                                         "card": json.loads(call.body["content"]), "edits": 0}
            if uuid:
                self._uuids[uuid] = message_id
        return _ok(self._message_data(message_id))

    def _message_data(self, message_id: str) -> dict[str, Any]:
        m = self.messages[message_id]
        now = str(int(time.time() * 1000))
        return {"message_id": message_id, "msg_type": "interactive", "create_time": now, "update_time": now,
                "deleted": False, "updated": bool(m["edits"]), "chat_id": m["chat_id"],
                "sender": {"id": self.app_id, "id_type": "app_id", "sender_type": "app",
                           "tenant_key": "736588c9260f175e"},
                "body": {"content": json.dumps(m["card"], ensure_ascii=False)}}

    async def _patch(self, request: web.Request) -> web.Response:
        call, refused = await self._record(request, "patch")
        if refused is not None:
            return refused
        message_id = request.match_info["message_id"]
        call.body["message_id"] = message_id
        if (problem := self._card_problem(call.body.get("content"))) is not None:
            return problem
        card = json.loads(call.body["content"])
        with self._lock:
            old = self.messages.get(message_id)
            if old is None:
                return _error(400, 230001, "Your request contains an invalid request parameter, message not found.")
            shared = all(c.get("config", {}).get("update_multi") for c in (old["card"], card))
            if not shared:  # both cards must declare update_multi to be edited for everyone
                return _error(400, 230099, "Failed to create card content, ext=card is not shared (update_multi)")
            old["card"], old["edits"] = card, old["edits"] + 1
        return _ok({})

    async def _ephemeral(self, request: web.Request) -> web.Response:
        call, refused = await self._record(request, "ephemeral")
        if refused is not None:
            return refused
        card = call.body.get("card")
        if not isinstance(card, dict) or not card.get("elements"):
            return _error(400, 230099, "Failed to create card content")
        if not str(call.body.get("open_id", "")).startswith("ou_") or not str(call.body.get("chat_id", "")).startswith("oc_"):
            return _error(400, 230001, "Your request contains an invalid request parameter.")
        message_id = f"om_eph{next(self._ids):06d}"
        with self._lock:
            self.ephemerals.append({"message_id": message_id, **call.body})
        return web.json_response({"code": 0, "msg": "ok", "data": {"message_id": message_id}})

    async def _user(self, request: web.Request) -> web.Response:
        _, refused = await self._record(request, "user")
        if refused is not None:
            return refused
        if not self.contact_allowed:
            return _error(400, 99991672, "Access denied. One of the following scopes is required: "
                                         "[contact:contact.base:readonly]")
        with self._lock:
            user = self.people.get(request.match_info["user_id"])
        if user is None:
            return _error(400, 41050, "no user authority error")
        return _ok({"user": user})

    async def _chat(self, request: web.Request) -> web.Response:
        _, refused = await self._record(request, "chat")
        if refused is not None:
            return refused
        with self._lock:
            name = self.chats.get(request.match_info["chat_id"])
        if name is None:
            return _error(400, 232011, "Operator can NOT be out of the chat.")
        return _ok({"name": name, "chat_mode": "group", "chat_type": "private", "owner_id_type": "open_id"})


def _ok(data: dict[str, Any]) -> web.Response:
    return web.json_response({"code": 0, "msg": "success", "data": data})


def _error(status: int, code: int, msg: str, headers: dict[str, str] | None = None) -> web.Response:
    return web.json_response({"code": code, "msg": msg}, status=status, headers=headers)
