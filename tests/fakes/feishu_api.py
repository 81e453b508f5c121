"""A local fake of the Feishu open platform for offline tests, and Feishu's side of the event callbacks.

It runs an aiohttp server on 127.0.0.1 (a free port) in its own thread, so both async tests (the platform in the
test's loop) and sync code (the `dispatch` notifier) can talk to it. Point the bot at it with
``FEISHU_API_URL=fake.base_url``. It serves, with the documented shapes (tests/fixtures/feishu):

- ``POST /open-apis/auth/v3/tenant_access_token/internal``: a token for the right app id and secret;
- ``GET /open-apis/bot/v3/info``: the bot's open_id and name;
- ``POST /open-apis/im/v1/messages?receive_id_type=…``: a card, an image or a file message to a chat or a person (a
  person gets their private chat with the bot); refuses a card over 30 KB (230025), an image or a file key it did
  not issue, and sends a message once per ``uuid``;
- ``POST /open-apis/im/v1/images`` and ``POST /open-apis/im/v1/files`` (multipart/form-data): a picture
  (``image_type=message``, a real image, at most 10 MB) or a file (``file_type`` of the documented values,
  ``file_name``, 1 byte to 30 MB) uploaded; the bytes are kept under the key it answers with;
- ``GET /open-apis/im/v1/messages/:message_id``: a message (a file someone sent: ``send_file``);
- ``GET /open-apis/im/v1/messages/:message_id/resources/:file_key?type=file``: the bytes of a file someone sent,
  only with the key of that message (234003 otherwise);
- ``PATCH /open-apis/im/v1/messages/:message_id``: a card edit, only for cards that say ``update_multi`` (as
  Feishu requires for a card everyone sees updated);
- ``POST /open-apis/ephemeral/v1/send``: a card only one person in a group sees;
- ``GET /open-apis/contact/v3/users/:user_id``: a person's profile (or 99991672 without the contact permission);
- ``GET /open-apis/im/v1/chats/:chat_id``: a group's name.

Every call needs a valid tenant token (99991663 otherwise); ``expire_tokens`` makes the issued ones invalid.
Failures can be injected per call kind (``fail``: ``send``, ``image_upload``, ``file_upload``, ``message``,
``resource`` …): a 429 with ``x-ogw-ratelimit-reset``, 99991400, 230002 … ``delivered`` lists what reached a chat,
pictures and files with their bytes.

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

from tests.fakes.server import ThreadedServer

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "feishu"

APP_ID = "cli_a5fb0ae6a4c0d00c"
APP_SECRET = "fake-app-secret-0123456789abcdef"
BOT_OPEN_ID = "ou_b0bd3a0d6a1c2f3e4d5c6b7a8f9e0d1c"
BOT_NAME = "合同助手"
CARD_LIMIT = 30 * 1024
IMAGE_LIMIT = 10 * 1024 * 1024
FILE_LIMIT = 30 * 1024 * 1024
FILE_TYPES = frozenset({"opus", "mp4", "pdf", "doc", "xls", "ppt", "stream"})
IMAGE_SIGNATURES = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"RIFF", b"BM", b"II*\x00",
                    b"MM\x00*", b"\x00\x00\x01\x00")


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
    uploads: dict[str, tuple[str, bytes]] = field(default_factory=dict)  # multipart part -> (file name, bytes)

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
    msg_type: str | None = None  # only sends of this msg_type (image, file, interactive)


class FakeFeishu(ThreadedServer):
    """A fake open platform: inspect calls and cards, inject failures, know people and groups."""

    name = "fake Feishu"

    def __init__(self, app_id: str = APP_ID, app_secret: str = APP_SECRET) -> None:
        super().__init__()
        self.app_id = app_id
        self.app_secret = app_secret
        self.calls: list[Call] = []
        self.messages: dict[str, dict[str, Any]] = {}  # message_id -> chat_id, msg_type, card, receive_id …
        self.images: dict[str, bytes] = {}  # image_key -> the uploaded picture
        self.files: dict[str, dict[str, Any]] = {}  # file_key -> file_name, file_type, data
        self.resources: dict[tuple[str, str], bytes] = {}  # (message id, file key) of files people sent -> bytes
        self.ephemerals: list[dict[str, Any]] = []
        self.people: dict[str, dict[str, Any]] = {}
        self.chats: dict[str, str] = {}  # chat id -> name
        self.contact_allowed = True
        self.chunked_downloads = False  # serve files without Content-Length (chunked), as a proxy may
        self._tokens: set[str] = set()
        self._uuids: dict[str, str] = {}
        self._ids = itertools.count(1)
        self._failures: list[Failure] = []
        self._lock = threading.Lock()

    # -- life cycle ---------------------------------------------------------------------------------

    def build_app(self) -> web.Application:
        """The documented endpoints the bot calls."""
        app = web.Application(client_max_size=FILE_LIMIT + 1024 * 1024)
        app.router.add_post("/open-apis/auth/v3/tenant_access_token/internal", self._token)
        app.router.add_get("/open-apis/bot/v3/info", self._bot_info)
        app.router.add_post("/open-apis/im/v1/messages", self._send)
        app.router.add_patch("/open-apis/im/v1/messages/{message_id}", self._patch)
        app.router.add_get("/open-apis/im/v1/messages/{message_id}", self._message)
        app.router.add_get("/open-apis/im/v1/messages/{message_id}/resources/{file_key}", self._resource)
        app.router.add_post("/open-apis/im/v1/images", self._upload_image)
        app.router.add_post("/open-apis/im/v1/files", self._upload_file)
        app.router.add_post("/open-apis/ephemeral/v1/send", self._ephemeral)
        app.router.add_get("/open-apis/contact/v3/users/{user_id}", self._user)
        app.router.add_get("/open-apis/im/v1/chats/{chat_id}", self._chat)
        return app

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

    def send_file(self, chat_id: str, sender: str, name: str, data: bytes, *,
                  message_id: str | None = None) -> tuple[str, str]:
        """Someone sends a file to a chat: Feishu keeps the message and its bytes; (message id, file key).

        The bot learns of it from the event (tests/fixtures/feishu/message_file.json) built with these ids.
        """
        message_id = message_id or f"om_file{next(self._ids):06d}{os.urandom(8).hex()}"
        file_key = f"file_v3_00{os.urandom(6).hex()}-{next(self._ids):04d}-4c2e-9b1a-{os.urandom(6).hex()}g"
        content = {"file_key": file_key, "file_name": name}
        with self._lock:
            self.messages[message_id] = {"chat_id": chat_id, "receive_id": chat_id, "msg_type": "file",
                                         "content": content, "sender": sender, "edits": 0}
            self.resources[(message_id, file_key)] = data
        return message_id, file_key

    def delivered(self, chat_id: str) -> list[tuple[str, str, bytes | dict[str, Any]]]:
        """What the bot sent to a chat, in order: ("interactive", "", card), ("image", "", bytes) and
        ("file", file name, bytes) — the bytes as they were uploaded under the message's key."""
        out: list[tuple[str, str, bytes | dict[str, Any]]] = []
        with self._lock:
            for m in self.messages.values():
                if m["chat_id"] != chat_id or m.get("sender"):
                    continue
                if m["msg_type"] == "interactive":
                    out.append(("interactive", "", m["card"]))
                elif m["msg_type"] == "image":
                    out.append(("image", "", self.images[m["content"]["image_key"]]))
                elif m["msg_type"] == "file":
                    f = self.files[m["content"]["file_key"]]
                    out.append(("file", f["file_name"], f["data"]))
        return out

    def expire_tokens(self) -> None:
        """Every tenant token issued so far is refused from now on (99991663)."""
        with self._lock:
            self._tokens.clear()

    # -- failures -----------------------------------------------------------------------------------

    def fail(self, kind: str, code: int, msg: str, *, status: int = 400, receive_id: str | None = None,
             headers: dict[str, str] | None = None, times: int = 1, msg_type: str | None = None) -> None:
        """Answer the next ``times`` calls of ``kind`` (to ``receive_id``, of ``msg_type``, if given) with an error."""
        with self._lock:
            self._failures.append(Failure(kind, status, code, msg, receive_id, dict(headers or {}), times,
                                          msg_type))

    def rate_limit(self, reset: int, *, kind: str = "send", receive_id: str | None = None, times: int = 1,
                   status: int = 429, msg_type: str | None = None) -> None:
        """Feishu's frequency limit: 99991400 with x-ogw-ratelimit-reset (HTTP 429, or 400 on older APIs)."""
        self.fail(kind, 99991400, "request trigger frequency limit", status=status, receive_id=receive_id,
                  headers={"x-ogw-ratelimit-limit": "5", "x-ogw-ratelimit-reset": str(reset)}, times=times,
                  msg_type=msg_type)

    def _take_failure(self, kind: str, receive_id: str | None, msg_type: str | None = None) -> Failure | None:
        with self._lock:
            for f in self._failures:
                if f.msg_type is not None and f.msg_type != msg_type:
                    continue
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
        uploads: dict[str, tuple[str, bytes]] = {}
        if request.content_type == "multipart/form-data":
            body: Any = {}
            for name, value in (await request.post()).items():
                if isinstance(value, web.FileField):
                    uploads[name] = (value.filename, value.file.read())
                else:
                    body[name] = str(value)
        else:
            try:
                body = await request.json() if request.can_read_body else {}
            except ValueError:
                body = {}
        auth = request.headers.get("Authorization", "")
        call = Call(kind, request.path, dict(request.query), body if isinstance(body, dict) else {},
                    auth.removeprefix("Bearer "), uploads=uploads)
        with self._lock:
            self.calls.append(call)
            valid = call.token in self._tokens
        if kind != "token" and not valid:
            return call, _error(400, 99991663, "Invalid access token for authorization. Please make a request "
                                               "with token attached.")
        failure = self._take_failure(kind, call.body.get("receive_id") or call.body.get("chat_id"),
                                     call.body.get("msg_type"))
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
        msg_type = call.body.get("msg_type")
        if msg_type == "interactive":
            if (problem := self._card_problem(call.body.get("content"))) is not None:
                return problem
        elif msg_type in ("image", "file"):
            if (problem := self._media_problem(msg_type, call.body.get("content"))) is not None:
                return problem
        else:
            return _error(400, 230001, "Your request contains an invalid request parameter.")
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
            content = json.loads(call.body["content"])
            self.messages[message_id] = {"chat_id": chat_id, "receive_id": receive_id, "msg_type": msg_type,
                                         "content": content, "card": content if msg_type == "interactive" else None,
                                         "edits": 0}
            if uuid:
                self._uuids[uuid] = message_id
        return _ok(self._message_data(message_id))

    def _message_data(self, message_id: str) -> dict[str, Any]:
        m = self.messages[message_id]
        now = str(int(time.time() * 1000))
        sender = ({"id": m["sender"], "id_type": "open_id", "sender_type": "user", "tenant_key": "736588c9260f175e"}
                  if m.get("sender") else
                  {"id": self.app_id, "id_type": "app_id", "sender_type": "app", "tenant_key": "736588c9260f175e"})
        return {"message_id": message_id, "msg_type": m["msg_type"], "create_time": now, "update_time": now,
                "deleted": False, "updated": bool(m["edits"]), "chat_id": m["chat_id"], "sender": sender,
                "body": {"content": json.dumps(m["content"], ensure_ascii=False)}}

    def _media_problem(self, msg_type: str, content: Any) -> web.Response | None:
        try:
            parsed = json.loads(content) if isinstance(content, str) else None
        except ValueError:
            parsed = None
        key = parsed.get(f"{msg_type}_key") if isinstance(parsed, dict) else None
        with self._lock:
            known = key in (self.images if msg_type == "image" else self.files)
        if not known:  # a key this app never uploaded (or of the other kind)
            return _error(400, 230001, f"Your request contains an invalid request parameter, invalid {msg_type}_key.")
        return None

    async def _upload_image(self, request: web.Request) -> web.Response:
        call, refused = await self._record(request, "image_upload")
        if refused is not None:
            return refused
        image = call.uploads.get("image")
        if call.body.get("image_type") not in ("message", "avatar") or image is None:
            return _error(400, 234001, "Invalid request param.")
        data = image[1]
        if not data:
            return _error(400, 234010, "File's size can't be 0.")
        if len(data) > IMAGE_LIMIT:
            return _error(400, 234006, "The file size exceed the max value.")
        if not data.startswith(IMAGE_SIGNATURES):
            return _error(400, 234011, "Can't regonnize the image format.")
        answer = fixture("image_upload.json")
        key = f"img_v3_02{os.urandom(4).hex()}-{next(self._ids):04d}-4b3c-8e0f-{os.urandom(6).hex()}g"
        with self._lock:
            self.images[key] = data
        answer["data"]["image_key"] = key
        return web.json_response(answer)

    async def _upload_file(self, request: web.Request) -> web.Response:
        call, refused = await self._record(request, "file_upload")
        if refused is not None:
            return refused
        upload = call.uploads.get("file")
        file_type, file_name = call.body.get("file_type"), call.body.get("file_name")
        if file_type not in FILE_TYPES or not file_name or upload is None:
            return _error(400, 234001, "Invalid request param.")
        data = upload[1]
        if not data:
            return _error(400, 234010, "File's size can't be 0.")
        if len(data) > FILE_LIMIT:
            return _error(400, 234006, "The file size exceed the max value.")
        answer = fixture("file_upload.json")
        key = f"file_v3_00{os.urandom(4).hex()}-{next(self._ids):04d}-4d8e-a1b2-{os.urandom(6).hex()}g"
        with self._lock:
            self.files[key] = {"file_name": file_name, "file_type": file_type, "data": data}
        answer["data"]["file_key"] = key
        return web.json_response(answer)

    async def _message(self, request: web.Request) -> web.Response:
        _, refused = await self._record(request, "message")
        if refused is not None:
            return refused
        message_id = request.match_info["message_id"]
        with self._lock:
            known = message_id in self.messages
            item = self._message_data(message_id) if known else None
        if item is None:
            return _error(400, 230011, "The message is not found, maybe not exist or deleted.")
        answer = fixture("message_get.json")
        answer["data"]["items"] = [{**answer["data"]["items"][0], **item}]
        for gone in ("root_id", "parent_id", "thread_id", "upper_message_id"):
            answer["data"]["items"][0].pop(gone, None)
        return web.json_response(answer)

    async def _resource(self, request: web.Request) -> web.Response:
        call, refused = await self._record(request, "resource")
        if refused is not None:
            return refused
        if call.query.get("type") not in ("file", "image"):
            return _error(400, 234001, "Invalid request param.")
        with self._lock:
            data = self.resources.get((request.match_info["message_id"], request.match_info["file_key"]))
        if data is None:
            return _error(400, 234003, "File not in msg.")
        if not self.chunked_downloads:
            return web.Response(body=data, content_type="application/octet-stream",
                                headers={"Content-Disposition": 'attachment; filename="file"'})
        stream = web.StreamResponse(headers={"Content-Type": "application/octet-stream"})
        stream.enable_chunked_encoding()
        await stream.prepare(request)
        try:
            for start in range(0, len(data), 256 * 1024):
                await stream.write(data[start : start + 256 * 1024])
            await stream.write_eof()
        except (ConnectionResetError, RuntimeError):  # the bot stopped reading at its limit
            pass
        return stream

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
            if old is None or old["msg_type"] != "interactive":
                return _error(400, 230001, "Your request contains an invalid request parameter, message not found.")
            shared = all(c.get("config", {}).get("update_multi") for c in (old["card"], card))
            if not shared:  # both cards must declare update_multi to be edited for everyone
                return _error(400, 230099, "Failed to create card content, ext=card is not shared (update_multi)")
            old["card"] = old["content"] = card
            old["edits"] += 1
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
