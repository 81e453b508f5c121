"""A local fake of the Slack Web API (and of response_url endpoints) that records every call.

It runs an ``http.server`` in a daemon thread on 127.0.0.1 and a free port, so both the sync ``WebClient``
(the dispatch pass, called from plain test code) and the asyncio clients bolt uses can reach it.

    with FakeSlackAPI() as slack:
        client = WebClient(token="xoxb-test", base_url=slack.url)
        slack.fail("chat.postMessage", "not_in_channel")      # the next call answers ok=false
        slack.rate_limit("chat.postMessage", retry_after=3)   # the next call answers 429 + Retry-After
        ...
        [call] = slack.calls_to("chat.postMessage")

File uploads work as ``files_upload_v2`` expects: files.getUploadURLExternal hands out an upload URL on this
server (``/upload/F…``), the raw POST of the bytes to it is recorded as method ``upload`` (``slack.fail("upload",
"boom", status=500)`` refuses it), and files.completeUploadExternal shares the files in ``channel_id``.
``slack.shared_files()`` lists what was shared, with the bytes that arrived.

Files people share with the bot work the other way: ``slack.host_file("ledger.xlsx", data)`` stores the bytes
and returns the file object Slack puts in a message event's ``files``, its ``url_private_download`` on this
server. A GET of it is recorded as method ``download`` with the Bearer token it carried; without a token (or
with one not in ``slack.file_readers``, when set) the fake answers like Slack, 200 with an HTML sign-in page.
files.info answers for hosted files.

Several workspaces (OAuth mode): ``slack.add_workspace("T0002", "Globex")`` makes one; ``slack.approve("T0002")``
says who installs where on the next visit to the authorize page (``/oauth/v2/authorize``, recorded as method
``oauth.authorize``), which then redirects to the ``redirect_uri`` with a one-time ``code`` and the ``state``;
oauth.v2.access trades that code (with the app's client id and secret, as HTTP Basic auth) for the workspace's
bot token, a new one after an uninstall. ``slack.uninstall("T0002")`` revokes the workspace's token, and every
call made with a revoked token answers ``token_revoked``. auth.test answers for the workspace of its token.

Like Slack, a message with more than 50 blocks, a section text over 3,000 characters or a field over 2,000
(a Home tab view: more than 100 blocks) is refused with ``invalid_blocks``, so every test checks the limits.
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import mimetypes
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

RESPOND = "response_url"  # the method name recorded for POSTs to a response_url
UPLOAD = "upload"  # the method name recorded for the raw POST of a file's bytes to its upload URL
DOWNLOAD = "download"  # the method name recorded for a GET of a hosted file's private URL
SIGN_IN_PAGE = b"<!DOCTYPE html><html><head><title>Slack</title></head><body>Sign in to Slack</body></html>"

DEFAULT_USERS: dict[str, dict[str, Any]] = {
    "U0001": {"name": "alice", "real_name": "Alice Chen", "tz": "Asia/Shanghai", "locale": "en-US"},
    "U0002": {"name": "bob", "real_name": "Bob Li", "tz": "Asia/Shanghai", "locale": "zh-CN"},
    "U0003": {"name": "carol", "real_name": "Carol Wu", "tz": "Europe/Berlin", "locale": "en-GB"},
}


@dataclass
class Call:
    """One recorded request: the API method (or ``response_url``), its parameters, token and path."""

    method: str
    params: dict[str, Any]
    token: str | None = None
    path: str = ""
    response: dict[str, Any] | None = None  # what the fake answered
    body: bytes = b""  # the raw request body of an upload


@dataclass
class SharedFile:
    """A file shared by files.completeUploadExternal: where, under which title, and the bytes that arrived."""

    file_id: str
    filename: str
    title: str | None
    alt_txt: str | None
    data: bytes
    channel_id: str | None
    initial_comment: str | None = None
    thread_ts: str | None = None


@dataclass
class Workspace:
    """A workspace the app can be installed in (OAuth mode), with its bot's ids and current token."""

    team_id: str
    name: str
    bot_user_id: str = "UBOT"
    bot_id: str = "B0001"
    enterprise_id: str | None = None
    enterprise_name: str | None = None
    token: str | None = None  # the live bot token, None until installed (and after an uninstall)
    installs: int = 0


@dataclass
class Fault:
    """A canned failure for the next call of a method."""

    status: int = 200
    error: str = "internal_error"
    retry_after: int | None = None


@dataclass
class FakeSlackAPI:
    """The fake server; see the module docstring."""

    team_id: str = "T0001"
    bot_user_id: str = "UBOT"
    users: dict[str, dict[str, Any]] = field(default_factory=lambda: {k: dict(v) for k, v in DEFAULT_USERS.items()})
    calls: list[Call] = field(default_factory=list)
    socket_url: str | None = None  # what apps.connections.open hands out (a local WebSocket server in tests)
    file_readers: set[str] | None = None  # tokens that may download hosted files (None: any Bearer token)
    app_id: str = "A0001"
    client_id: str = "1111.2222"  # the credentials oauth.v2.access accepts
    client_secret: str = "app-client-secret"
    workspaces: dict[str, Workspace] = field(default_factory=dict)
    revoked: set[str] = field(default_factory=set)  # tokens Slack no longer accepts

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: dict[str, list[Fault]] = {}
        self._ts = itertools.count(1)
        self._file_ids = itertools.count(1)
        self._pending: dict[str, dict[str, Any]] = {}  # file id -> getUploadURLExternal parameters
        self._bytes: dict[str, bytes] = {}  # file id -> what was POSTed to its upload URL
        self.shared: list[SharedFile] = []
        self._hosted: dict[str, tuple[dict[str, Any], bytes]] = {}  # file id -> (file object, bytes)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._codes: dict[str, dict[str, Any]] = {}  # OAuth code -> what was approved
        self._approving: tuple[str, str] | None = None  # (team, installer) of the next authorize visit

    # -- lifecycle ---------------------------------------------------------------------------------------

    def start(self) -> FakeSlackAPI:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="fake-slack-api", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base(self) -> str:
        assert self._server is not None, "start() the fake first"
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def url(self) -> str:
        """The SLACK_API_URL to point clients at (ends with '/', as slack_sdk needs)."""
        return self.base + "/api/"

    def response_url(self, name: str = "hook") -> str:
        """A response_url for a payload; POSTs to it are recorded as method ``response_url``."""
        return f"{self.base}/respond/{name}"

    # -- several workspaces (OAuth mode) ------------------------------------------------------------------

    def add_workspace(self, team_id: str, name: str, **kw: Any) -> Workspace:
        """A workspace the app can be installed in (not installed yet)."""
        with self._lock:
            found = self.workspaces[team_id] = Workspace(team_id, name, **kw)
        return found

    def approve(self, team_id: str, user: str = "U0001") -> None:
        """The next visit to the authorize page is ``user`` installing the app in ``team_id``."""
        with self._lock:
            self._approving = (team_id, user)

    def uninstall(self, team_id: str) -> str | None:
        """The workspace removes the app: its token is revoked (what Slack then sends is up to the test)."""
        with self._lock:
            ws = self.workspaces[team_id]
            token, ws.token = ws.token, None
            if token:
                self.revoked.add(token)
        return token

    def token_of(self, team_id: str) -> str | None:
        with self._lock:
            return self.workspaces[team_id].token

    def authorize_page(self, params: dict[str, Any]) -> tuple[int, dict[str, str], bytes]:
        """GET /oauth/v2/authorize: the installer approves, Slack redirects back with a code and the state."""
        with self._lock:
            self.calls.append(Call("oauth.authorize", dict(params), path="/oauth/v2/authorize"))
            approving, self._approving = self._approving, None
            if (params.get("client_id") != self.client_id or not params.get("redirect_uri")
                    or approving is None or approving[0] not in self.workspaces):
                return 400, {"Content-Type": "text/plain"}, b"invalid request"
            code = f"code-{next(self._ts)}"
            self._codes[code] = {"team": approving[0], "user": approving[1], "scope": params.get("scope", ""),
                                 "redirect_uri": params["redirect_uri"]}
        query = urlencode({"code": code, "state": params.get("state", "")})
        return 302, {"Location": f"{params['redirect_uri']}?{query}"}, b""

    def api_oauth_v2_access(self, p: dict[str, Any]) -> dict[str, Any]:
        if (p.get("client_id"), p.get("client_secret")) != (self.client_id, self.client_secret):
            return {"ok": False, "error": "invalid_client_id"}
        with self._lock:
            grant = self._codes.pop(str(p.get("code", "")), None)  # a code works once
            if grant is None:
                return {"ok": False, "error": "invalid_code"}
            if grant["redirect_uri"] != p.get("redirect_uri"):
                return {"ok": False, "error": "bad_redirect_uri"}
            ws = self.workspaces[grant["team"]]
            if ws.token is None:
                ws.installs += 1
                ws.token = f"xoxb-{ws.team_id}-{ws.installs}"
            enterprise = {"id": ws.enterprise_id, "name": ws.enterprise_name} if ws.enterprise_id else None
            return {"ok": True, "app_id": self.app_id, "authed_user": {"id": grant["user"]},
                    "scope": grant["scope"], "token_type": "bot", "access_token": ws.token,
                    "bot_user_id": ws.bot_user_id, "team": {"id": ws.team_id, "name": ws.name},
                    "enterprise": enterprise, "is_enterprise_install": False}

    def _workspace_of(self, token: str | None) -> Workspace | None:
        with self._lock:
            return next((w for w in self.workspaces.values() if token and w.token == token), None)

    # -- files people share with the bot ------------------------------------------------------------------

    def host_file(self, name: str, data: bytes, *, mimetype: str | None = None, size: int | None = None,
                  user: str = "U0001") -> dict[str, Any]:
        """Store ``data`` and return the file object of a message's ``files`` (``size`` may claim otherwise)."""
        file_id = f"F{next(self._file_ids):06d}"
        mime = mimetype or mimetypes.guess_type(name)[0] or "application/octet-stream"
        ext = name.rsplit(".", 1)[-1].lower() if "." in name else "binary"
        private = f"{self.base}/files-pri/{self.team_id}-{file_id}/{quote(name)}"
        obj = {
            "id": file_id, "created": 1764200400, "timestamp": 1764200400, "name": name, "title": name,
            "mimetype": mime, "filetype": ext, "pretty_type": ext.upper(), "user": user, "user_team": self.team_id,
            "editable": False, "size": len(data) if size is None else size, "mode": "hosted", "is_external": False,
            "external_type": "", "is_public": False, "public_url_shared": False, "display_as_bot": False,
            "username": "", "url_private": private,
            "url_private_download": f"{self.base}/files-pri/{self.team_id}-{file_id}/download/{quote(name)}",
            "permalink": f"https://acme.slack.com/files/{user}/{file_id}/{name}",
            "permalink_public": f"https://slack-files.com/{self.team_id}-{file_id}-0a1b2c3d4e",
            "has_rich_preview": False, "file_access": "visible",
        }
        with self._lock:
            self._hosted[file_id] = (obj, data)
        return dict(obj)

    def hosted_bytes(self, path: str) -> bytes | None:
        """The bytes behind a private URL path (``/files-pri/T-F…/…``), None when unknown."""
        key = path.split("/")[2].rsplit("-", 1)[-1] if path.count("/") >= 2 else ""
        with self._lock:
            found = self._hosted.get(key)
        return found[1] if found else None

    def api_files_info(self, p: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            found = self._hosted.get(str(p.get("file", "")))
        if found is None:
            return {"ok": False, "error": "file_not_found"}
        return {"ok": True, "file": dict(found[0]), "comments": [], "response_metadata": {"next_cursor": ""}}

    # -- canned failures ---------------------------------------------------------------------------------

    def fail(self, method: str, error: str, *, times: int = 1, status: int = 200) -> None:
        """Answer the next ``times`` calls of ``method`` with ok=false and ``error``."""
        with self._lock:
            self._faults.setdefault(method, []).extend(Fault(status, error) for _ in range(times))

    def rate_limit(self, method: str, *, retry_after: int = 1, times: int = 1) -> None:
        """Answer the next ``times`` calls of ``method`` with HTTP 429 and a Retry-After header."""
        with self._lock:
            self._faults.setdefault(method, []).extend(
                Fault(429, "ratelimited", retry_after) for _ in range(times))

    # -- what happened ------------------------------------------------------------------------------------

    def calls_to(self, method: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.method == method]

    def shared_files(self, channel: str | None = None) -> list[SharedFile]:
        """Files completed into a channel so far (into ``channel`` only, if given)."""
        with self._lock:
            return [f for f in self.shared if channel is None or f.channel_id == channel]

    def methods(self) -> list[str]:
        with self._lock:
            return [c.method for c in self.calls]

    def dump(self) -> str:
        """Every recorded call as JSON text, for 'this never appears anywhere' checks."""
        with self._lock:
            return "\n".join(json.dumps([c.method, c.params], ensure_ascii=False) for c in self.calls)

    def clear(self) -> None:
        with self._lock:
            self.calls.clear()

    async def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[Call]:
        """Wait (without blocking the event loop) until ``count`` calls of ``method`` were recorded."""
        deadline = time.monotonic() + timeout
        while True:
            found = self.calls_to(method)
            if len(found) >= count:
                return found
            if time.monotonic() > deadline:
                raise AssertionError(f"expected {count} call(s) to {method}, got {len(found)}: {self.methods()}")
            await asyncio.sleep(0.01)

    # -- the API ------------------------------------------------------------------------------------------

    def answer(self, call: Call) -> tuple[int, dict[str, str], dict[str, Any]]:
        """Record a call and decide the (status, headers, body) to send back."""
        with self._lock:
            self.calls.append(call)
            faults = self._faults.get(call.method)
            fault = faults.pop(0) if faults else None
            dead = call.token in self.revoked and call.method not in (RESPOND, UPLOAD, DOWNLOAD)
        status, headers = 200, {}
        if dead:  # an uninstalled app's token: every method refuses it
            call.response = {"ok": False, "error": "token_revoked"}
            return status, headers, call.response
        problem = block_problem(call.params.get("blocks")) if call.method in LIMITED else None
        if call.method == "views.publish":
            problem = block_problem(((call.params.get("view") or {}).get("blocks")), limit=MAX_VIEW_BLOCKS)
        if fault is None and problem is not None:  # Slack refuses the whole message, as it does for real
            status, body = 200, {"ok": False, "error": "invalid_blocks", "detail": problem}
            call.response = body
            return status, headers, body
        if fault is not None:
            status, body = fault.status, {"ok": False, "error": fault.error}
            if fault.retry_after is not None:
                headers["Retry-After"] = str(fault.retry_after)
        elif call.method == RESPOND:
            body = {"ok": True}
        elif call.method == UPLOAD:
            body = self.upload(call)
        elif call.method == DOWNLOAD:
            body = {"ok": True}
        else:
            handler = getattr(self, "api_" + call.method.replace(".", "_"), None)
            params = {**call.params, "token": call.token} if call.method == "auth.test" else call.params
            body = handler(params) if handler else {"ok": False, "error": "unknown_method"}
        call.response = body
        return status, headers, body

    def next_ts(self) -> str:
        return f"1764300000.{next(self._ts):06d}"

    def api_auth_test(self, p: dict[str, Any]) -> dict[str, Any]:
        ws = self._workspace_of(p.get("token"))
        if ws is not None:
            return {"ok": True, "url": f"https://{ws.team_id.lower()}.slack.com/", "team": ws.name,
                    "user": "contractbot", "team_id": ws.team_id, "user_id": ws.bot_user_id, "bot_id": ws.bot_id,
                    "enterprise_id": ws.enterprise_id, "is_enterprise_install": False}
        return {"ok": True, "url": "https://acme.slack.com/", "team": "Acme", "user": "contractbot",
                "team_id": self.team_id, "user_id": self.bot_user_id, "bot_id": "B0001",
                "is_enterprise_install": False}

    def api_chat_postMessage(self, p: dict[str, Any]) -> dict[str, Any]:
        channel = str(p.get("channel", ""))
        if not channel:
            return {"ok": False, "error": "channel_not_found"}
        ts = self.next_ts()
        return {"ok": True, "channel": channel, "ts": ts,
                "message": {"type": "message", "ts": ts, "text": p.get("text"), "blocks": p.get("blocks")}}

    def api_chat_update(self, p: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "channel": p.get("channel"), "ts": p.get("ts"), "text": p.get("text")}

    def api_chat_postEphemeral(self, p: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "message_ts": self.next_ts()}

    def api_views_open(self, p: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "view": {"id": "V0001", **(p.get("view") or {})}}

    def api_views_publish(self, p: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "view": {"id": "V0002", **(p.get("view") or {})}}

    def api_users_info(self, p: dict[str, Any]) -> dict[str, Any]:
        uid = str(p.get("user", ""))
        user = self.users.get(uid)
        if user is None:
            return {"ok": False, "error": "user_not_found"}
        return {"ok": True, "user": {
            "id": uid, "team_id": self.team_id, "name": user["name"], "real_name": user["real_name"],
            "tz": user["tz"], "locale": user["locale"],
            "profile": {"real_name": user["real_name"], "display_name": user["name"]}}}

    def api_files_getUploadURLExternal(self, p: dict[str, Any]) -> dict[str, Any]:
        if not p.get("filename") or not str(p.get("length", "")).isdigit():
            return {"ok": False, "error": "invalid_arguments"}
        file_id = f"F{next(self._file_ids):06d}"
        with self._lock:
            self._pending[file_id] = dict(p)
        return {"ok": True, "upload_url": f"{self.base}/upload/{file_id}", "file_id": file_id}

    def upload(self, call: Call) -> dict[str, Any]:
        """The POST of a file's bytes to its upload URL (Slack answers text/plain 'OK - <length>')."""
        file_id = call.path.rsplit("/", 1)[-1]
        with self._lock:
            if file_id not in self._pending:
                return {"ok": False, "error": "file_not_found"}
            self._bytes[file_id] = call.body
        return {"ok": True, "text": f"OK - {len(call.body)}"}

    def api_files_completeUploadExternal(self, p: dict[str, Any]) -> dict[str, Any]:
        files = p.get("files")
        if isinstance(files, str):  # JSON in the query string (the async client) or the form (the sync one)
            files = json.loads(files)
        if not isinstance(files, list) or not files:
            return {"ok": False, "error": "invalid_arguments"}
        channel = p.get("channel_id") or None
        done: list[SharedFile] = []
        with self._lock:
            for f in files:
                fid = f.get("id")
                if fid not in self._bytes:  # never uploaded, or completed twice
                    return {"ok": False, "error": "file_not_found"}
                meta = self._pending[fid]
                done.append(SharedFile(fid, meta["filename"], f.get("title"), meta.get("alt_txt"),
                                       self._bytes.pop(fid), channel, p.get("initial_comment"), p.get("thread_ts")))
            self.shared.extend(done)
        return {"ok": True, "files": [
            {"id": f.file_id, "name": f.filename, "title": f.title or f.filename,
             "mimetype": mimetypes.guess_type(f.filename)[0] or "application/octet-stream",
             "size": len(f.data), "channels": [channel] if channel else []} for f in done]}

    def api_apps_connections_open(self, p: dict[str, Any]) -> dict[str, Any]:
        if self.socket_url is None:
            return {"ok": False, "error": "not_allowed_token_type"}
        return {"ok": True, "url": self.socket_url}

    def api_conversations_open(self, p: dict[str, Any]) -> dict[str, Any]:
        users = str(p.get("users", ""))
        if users not in self.users:
            return {"ok": False, "error": "user_not_found"}
        return {"ok": True, "channel": {"id": "D" + users[1:]}}


def _handler(fake: FakeSlackAPI) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            self._serve(b"")

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            self._serve(self.rfile.read(length))

        def _serve(self, raw: bytes) -> None:
            url = urlsplit(self.path)
            if url.path.startswith("/upload/"):
                self._upload(url.path, raw)
                return
            if url.path.startswith("/files-pri/"):
                self._download(url.path)
                return
            params: dict[str, Any] = dict(parse_qsl(url.query))
            if url.path == "/oauth/v2/authorize":
                self._reply(*fake.authorize_page(params))
                return
            params.update(_body_params(raw, self.headers.get("Content-Type") or ""))
            auth = self.headers.get("Authorization") or ""
            if auth.startswith("Basic "):  # oauth.v2.access: the app's client id and secret
                client_id, _, secret = base64.b64decode(auth[6:]).decode().partition(":")
                params.update(client_id=client_id, client_secret=secret)
                auth = ""
            if url.path.startswith("/api/"):
                method = url.path[len("/api/"):]
            elif url.path.startswith("/respond/"):
                method = RESPOND
            else:
                method = "?" + url.path
            status, headers, body = fake.answer(
                Call(method, params, token=auth.removeprefix("Bearer ") or params.get("token"), path=url.path))
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def _reply(self, status: int, headers: dict[str, str], data: bytes) -> None:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _upload(self, path: str, raw: bytes) -> None:
            # raw bytes (a PNG), not a form: never decode them; the answer is text, as files.slack.com's is
            call = Call(UPLOAD, {"length": len(raw)}, path=path, body=raw)
            status, headers, body = fake.answer(call)
            data = (body.get("text") or body.get("error") or "error").encode()
            self.send_response(500 if status == 200 and not body.get("ok") else status)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _download(self, path: str) -> None:
            # files.slack.com: the bytes with the Bearer token; its HTML sign-in page (200) without one
            auth = self.headers.get("Authorization") or ""
            call = Call(DOWNLOAD, {}, token=auth.removeprefix("Bearer ") or None, path=path)
            status, _, body = fake.answer(call)
            data = fake.hosted_bytes(path)
            kind = "application/octet-stream"
            if status != 200 or not body.get("ok"):
                status, data, kind = (500 if status == 200 else status), b"error", "text/plain"
            elif data is None:
                status, data, kind = 404, b"file not found", "text/plain"
            elif not call.token or (fake.file_readers is not None and call.token not in fake.file_readers):
                data, kind = SIGN_IN_PAGE, "text/html; charset=utf-8"
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


# Slack's limits, enforced like Slack does (ok=false, invalid_blocks) so every test checks them
MAX_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_SECTION_TEXT = 3000
MAX_FIELD_TEXT = 2000
MAX_FIELDS = 10
LIMITED = ("chat.postMessage", "chat.update", "chat.postEphemeral", RESPOND)


def block_problem(blocks: Any, *, limit: int = MAX_BLOCKS) -> str | None:
    """What breaks Slack's limits in a message's blocks (None when they are fine)."""
    if blocks is None:
        return None
    if not isinstance(blocks, list):
        return "blocks is not a list"
    if len(blocks) > limit:
        return f"{len(blocks)} blocks (at most {limit})"
    for i, block in enumerate(blocks):
        if not isinstance(block, dict):
            return f"block {i} is not an object"
        text = (block.get("text") or {}).get("text") if isinstance(block.get("text"), dict) else None
        if block.get("type") == "section" and text is not None and len(text) > MAX_SECTION_TEXT:
            return f"section {i} has {len(text)} characters (at most {MAX_SECTION_TEXT})"
        fields = block.get("fields") or []
        if len(fields) > MAX_FIELDS or any(len(f.get("text", "")) > MAX_FIELD_TEXT for f in fields):
            return f"section {i} has too many or too long fields"
    return None


def _body_params(raw: bytes, content_type: str) -> dict[str, Any]:
    if not raw:
        return {}
    text = raw.decode("utf-8")
    if "json" in content_type:
        data = json.loads(text)
        return data if isinstance(data, dict) else {"_": data}
    # form posts carry blocks/views as JSON strings: decode them so tests can look inside
    out: dict[str, Any] = {}
    for key, value in parse_qsl(text, keep_blank_values=True):
        if value[:1] in ("[", "{"):
            try:
                out[key] = json.loads(value)
                continue
            except ValueError:
                pass
        out[key] = value
    return out
