"""Slack requests into the inbox: checked on the raw body, stored once, acknowledged, then applied through bolt.

HTTP mode (``/slack/events``), in this order:
1. the signature: ``v0=`` + HMAC-SHA256 of ``v0:{timestamp}:{raw body}`` with the signing secret, and a
   timestamp within 5 minutes; a request without it, with a timestamp that is not a number, or with a wrong
   signature gets 401 (a WARNING line, no traceback), and nothing of it is parsed before that;
2. the body: a JSON object, or a form (a slash command; an interactive ``payload=`` that is a JSON object);
   anything else gets 400;
3. Slack's own checks are answered on the spot (``url_verification`` with its challenge, ``ssl_check``);
4. everything else is written to the inbox under a stable id, then acknowledged with an empty 200: the event
   id for events (Slack retries them with the same id), a hash of the raw body for commands and interactions
   (each carries its own trigger id). A signed request replayed within the 5 minutes, or a retried event, is
   stored once and so applied once.

Socket Mode: each envelope is stored the same way before it is acknowledged on the socket.

A worker (bot.lanes) then hands the stored payload to bolt as a socket-mode request (already verified, already
parsed: bolt checks no signature on those), with ``process_before_response`` so that the row is applied when
the listener has finished.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import time
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.socket_mode.aiohttp import SocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse
from sqlalchemy.engine import Engine

from bot.lanes import DONE, Outcome, fail, utcnow
from scheduler.inbox import NewItem, record

log = logging.getLogger(__name__)

PLATFORM = "slack"
MAX_AGE = 5 * 60  # seconds a signed request stays valid (Slack's own rule)
FORM = "application/x-www-form-urlencoded"
JSON = "application/json"

Payload = dict[str, Any]


class Refused(Exception):
    """A request we will not take: ``status`` (400 or 401) and the reason that is logged."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def verify(secret: str, body: bytes, timestamp: str | None, signature: str | None, *, now: float) -> None:
    """Check Slack's signature over the raw body; Refused(401) when it is missing, stale, malformed or wrong."""
    if not timestamp or not signature:
        raise Refused(401, "unsigned request")
    try:
        sent_at = int(timestamp)
    except ValueError:
        raise Refused(401, "X-Slack-Request-Timestamp is not a number") from None
    if abs(now - sent_at) > MAX_AGE:
        raise Refused(401, "stale or future timestamp")
    base = b"v0:" + timestamp.encode("utf-8") + b":" + body
    expected = "v0=" + hmac.new(secret.encode("utf-8"), base, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected.encode("utf-8"), signature.encode("utf-8", "replace")):
        raise Refused(401, "wrong signature")


def parse(body: bytes, content_type: str) -> Payload:
    """The payload of a signed request: a JSON object, a form, or a form's ``payload`` JSON object; else Refused(400)."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise Refused(400, "body is not UTF-8") from None
    kind = content_type.split(";")[0].strip().lower()
    if kind == JSON:
        return _json_object(text, "body")
    if kind == FORM:
        form = dict(parse_qsl(text, keep_blank_values=True))
        if "payload" in form:
            return _json_object(form["payload"], "payload")
        return form
    raise Refused(400, f"unexpected content type {kind or 'none'}")


def _json_object(text: str, what: str) -> Payload:
    try:
        value = json.loads(text)
    except ValueError:
        raise Refused(400, f"{what} is not JSON") from None
    if not isinstance(value, dict):
        raise Refused(400, f"{what} is JSON but not an object")
    return value


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _object(value: object) -> Payload:
    return value if isinstance(value, dict) else {}


def update_key(payload: Payload, body: bytes | None = None) -> str:
    """A stable id for a request: its event id (Slack's retries keep it), else a hash of the body.

    A command or an interaction is never retried by Slack, and its body is unique (its trigger id, a click's
    action_ts), so the same body twice is a replay of one signed request: the signature's HMAC covers the body,
    so no one without the secret can make a different one that passes. Socket Mode hashes the payload.
    """
    if event_id := _text(payload.get("event_id")):
        return f"event:{event_id}"
    if body is None:
        body = json.dumps(payload, sort_keys=True, ensure_ascii=False).encode("utf-8")
    return "body:" + hashlib.sha256(body).hexdigest()


def chat_key(payload: Payload) -> str:
    """The conversation a request belongs to (its requests are applied in order): the channel, else the user."""
    event = _object(payload.get("event"))
    channel = _object(payload.get("channel"))
    container = _object(payload.get("container"))
    user = _object(payload.get("user"))
    found = (_text(event.get("channel")) or _text(payload.get("channel_id")) or _text(channel.get("id"))
             or _text(container.get("channel_id")))
    if found:
        return found
    who = _text(event.get("user")) or _text(payload.get("user_id")) or _text(user.get("id"))
    return f"user:{who}" if who else "-"


def source_of(payload: Payload) -> str:
    """The inbox source: the Slack app the request was sent to."""
    app_id = _text(payload.get("api_app_id"))
    return f"{PLATFORM}:{app_id or '-'}"


class SlackIntake:
    """Checks, stores and acknowledges Slack requests (HTTP and Socket Mode)."""

    def __init__(self, engine: Engine, *, signing_secret: str | None, wake: Callable[[], None] | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        self.engine = engine
        self.signing_secret = signing_secret
        self.wake = wake
        self.clock = clock

    async def store(self, payload: Payload, key: str, retry: tuple[str | None, str | None]) -> bool:
        """Write a request to the inbox; False when it was stored before (a retry or a replay)."""
        stored = {"body": payload, "retry_num": retry[0], "retry_reason": retry[1]}
        item = NewItem(platform=PLATFORM, source=source_of(payload), update_key=key, chat_key=chat_key(payload),
                       payload=json.dumps(stored, ensure_ascii=False))
        [fresh] = await asyncio.to_thread(record, self.engine, [item], utcnow())
        if fresh and self.wake is not None:
            self.wake()
        return fresh

    async def http(self, request: web.Request) -> web.Response:
        """POST /slack/events: signature first, then the body; stored, then an empty 200."""
        body = await request.read()
        try:
            if not self.signing_secret:
                raise Refused(401, "no signing secret configured")
            verify(self.signing_secret, body, request.headers.get("X-Slack-Request-Timestamp"),
                   request.headers.get("X-Slack-Signature"), now=self.clock())
            payload = parse(body, request.headers.get("Content-Type", ""))
        except Refused as refused:
            log.warning("slack: refused a request from %s (%d): %s", request.remote, refused.status, refused.reason)
            return web.Response(status=refused.status, text="unauthorized" if refused.status == 401 else "bad request")
        if payload.get("type") == "url_verification":  # Slack checking the Request URL of the app
            return web.json_response({"challenge": str(payload.get("challenge", ""))})
        if payload.get("ssl_check"):
            return web.Response(text="")
        key = update_key(payload, body)
        retry = (request.headers.get("X-Slack-Retry-Num"), request.headers.get("X-Slack-Retry-Reason"))
        try:
            fresh = await self.store(payload, key, retry)
        except Exception:  # the database is away: no 200, so Slack retries (events) or the user sees it failed
            log.exception("slack: could not store a request")
            return web.Response(status=503, text="try again")
        if not fresh:
            log.info("slack: %s was delivered again; applied once", key)
        return web.Response(text="")

    async def socket(self, client: SocketModeClient, req: SocketModeRequest) -> None:
        """A Socket Mode envelope: stored, then acknowledged (not acknowledged when it could not be stored)."""
        payload = req.payload if isinstance(req.payload, dict) else {}
        if not payload:
            log.warning("slack: socket mode envelope %s of type %s without a payload", req.envelope_id, req.type)
        else:
            key = update_key(payload)
            retry = (str(req.retry_attempt) if req.retry_attempt is not None else None, req.retry_reason)
            try:
                fresh = await self.store(payload, key, retry)
            except Exception:
                log.exception("slack: could not store a socket mode request; not acknowledged, so Slack sends it again")
                return
            if not fresh:
                log.info("slack: %s was delivered again; applied once", key)
        await client.send_socket_mode_response(SocketModeResponse(envelope_id=req.envelope_id))


class RequestApplier:
    """Applies one stored request through bolt and returns when its listener has finished."""

    def __init__(self, app: AsyncApp) -> None:
        self.app = app

    async def __call__(self, row: Any) -> Outcome:
        try:
            stored = json.loads(row.payload)
            body = stored["body"]
        except (ValueError, KeyError, TypeError) as exc:
            return fail(f"unreadable inbox row: {exc}")
        headers: dict[str, str | Sequence[str]] = {}
        if stored.get("retry_num") is not None:
            headers["x-slack-retry-num"] = str(stored["retry_num"])
        if stored.get("retry_reason"):
            headers["x-slack-retry-reason"] = str(stored["retry_reason"])
        # socket mode: bolt takes the parsed body as it is and checks no signature (we checked it on the way in)
        request = AsyncBoltRequest(body=body, mode="socket_mode", headers=headers or None)
        response = await self.app.async_dispatch(request)
        if response.status >= 400:
            log.info("slack: bolt answered %d to stored request %s", response.status, row.update_key)
        return DONE
