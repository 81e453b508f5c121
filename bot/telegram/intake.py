"""Telegram updates into the inbox: the webhook route, or our own getUpdates loop; then applied from there.

Nothing is acknowledged before it is stored:
- webhook: the secret header is checked first, the update is written to the inbox, and only then 200;
  Telegram retries anything else, and a retried update_id is stored once (unique per bot);
- polling: a batch from getUpdates is written to the inbox before the next getUpdates confirms it (its
  offset); a crash in between means Telegram sends the batch again, and the inbox keeps one copy.

PTB's Updater is not used: it confirms a batch as soon as it has fetched it (and its webhook server is
tornado's), so an update fetched just before a crash would be lost.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import re
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web
from sqlalchemy.engine import Engine
from telegram import Update
from telegram.error import Conflict, NetworkError, RetryAfter, TimedOut
from telegram.ext import Application, ExtBot

from bot.lanes import DONE, Outcome, fail, utcnow
from bot.telegram.limits import retry_seconds
from scheduler.inbox import NewItem, record

log = logging.getLogger(__name__)

PLATFORM = "telegram"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# What setWebhook accepts as secret_token: 1-256 characters of A-Z, a-z, 0-9, _ and -.
SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


def check_secret(secret: str | None) -> str:
    """The secret, or a clear start-up error: a webhook without one would accept anyone's updates."""
    if not secret:
        raise ValueError("TELEGRAM_WEBHOOK_SECRET is required when TELEGRAM_WEBHOOK_URL is set")
    if not SECRET_RE.match(secret):
        raise ValueError("TELEGRAM_WEBHOOK_SECRET may only use A-Z, a-z, 0-9, _ and - (1-256 characters)")
    return secret


def public_url(url: str, path: str) -> str:
    """The URL Telegram should call: TELEGRAM_WEBHOOK_URL, plus the webhook path when it has none."""
    if urlsplit(url).path in ("", "/"):
        return url.rstrip("/") + "/" + path.lstrip("/")
    return url


def source_of(token: str) -> str:
    """The inbox source of a bot: its numeric id, the part of the token before the colon (update ids are per bot)."""
    return f"{PLATFORM}:{token.split(':', 1)[0]}"


def chat_key_of(update: dict[str, Any]) -> str:
    """The chat an update belongs to (its messages and presses are applied in order): the chat id, else the user's."""
    for kind, value in update.items():
        if kind == "update_id" or not isinstance(value, dict):
            continue
        chat = value.get("chat") or (value.get("message") or {}).get("chat")
        if isinstance(chat, dict) and chat.get("id") is not None:
            return str(chat["id"])
        user = value.get("from")
        if isinstance(user, dict) and user.get("id") is not None:
            return f"user:{user['id']}"
    return "-"


class TelegramIntake:
    """Stores updates in the inbox for one bot and wakes the workers."""

    def __init__(self, engine: Engine, token: str, *, wake: Callable[[], None] | None = None,
                 secret: str | None = None) -> None:
        self.engine = engine
        self.source = source_of(token)
        self.wake = wake
        self.secret = secret

    def item(self, update: dict[str, Any], raw: str | None = None) -> NewItem:
        """The inbox row of an update (``raw``: its JSON as received, when we have it)."""
        return NewItem(platform=PLATFORM, source=self.source, update_key=str(update["update_id"]),
                       chat_key=chat_key_of(update), payload=raw if raw is not None else json.dumps(update))

    async def store(self, items: Sequence[NewItem]) -> list[bool]:
        """Write updates to the inbox (in a worker thread); False for each one stored before (a redelivery)."""
        fresh = await asyncio.to_thread(record, self.engine, items, utcnow())
        if any(fresh) and self.wake is not None:
            self.wake()
        return fresh

    async def webhook(self, request: web.Request) -> web.Response:
        """POST from Telegram: the secret header first, then the body must be one update; stored, then 200."""
        given = request.headers.get(SECRET_HEADER, "")
        if not self.secret or not hmac.compare_digest(given.encode(), self.secret.encode()):
            log.warning("telegram webhook: refused a request without the right secret from %s", request.remote)
            return web.Response(status=403, text="forbidden")
        try:
            raw = (await request.read()).decode("utf-8")
            update = json.loads(raw)
        except (UnicodeDecodeError, ValueError):
            log.warning("telegram webhook: a body that is not JSON from %s", request.remote)
            return web.Response(status=400, text="not an update")
        if not isinstance(update, dict) or type(update.get("update_id")) is not int:
            log.warning("telegram webhook: JSON that is not an update (no integer update_id) from %s", request.remote)
            return web.Response(status=400, text="not an update")
        try:
            [fresh] = await self.store([self.item(update, raw)])
        except Exception:  # the database is away: no 200, so Telegram keeps the update and sends it again
            log.exception("telegram webhook: could not store update %s", update["update_id"])
            return web.Response(status=503, text="try again")
        if not fresh:
            log.info("telegram update %s was delivered again; stored once", update["update_id"])
        return web.Response(text="ok")


class Poller:
    """Long polling that confirms a batch (the next offset) only after it is stored in the inbox."""

    def __init__(self, bot: ExtBot, intake: TelegramIntake, *, timeout: float, allowed_updates: list[str]) -> None:
        self.bot = bot
        self.intake = intake
        self.timeout = timeout
        self.allowed_updates = allowed_updates
        self.offset: int | None = None

    async def run(self) -> None:
        """Poll until cancelled; network trouble and 429s are waited out, a bad token ends the loop."""
        failures = 0
        while True:
            try:
                # PTB types the long-poll timeout as whole seconds; the Bot API takes a fraction too (tests use one)
                updates = await self.bot.get_updates(offset=self.offset,
                                                     timeout=self.timeout,  # type: ignore[arg-type]
                                                     allowed_updates=self.allowed_updates)
            except RetryAfter as exc:
                await asyncio.sleep(retry_seconds(exc))
                continue
            except TimedOut:
                continue
            except (NetworkError, Conflict) as exc:  # Conflict: a webhook is set, or another process polls
                failures += 1
                log.warning("telegram getUpdates failed (%s); trying again", exc.message)
                await asyncio.sleep(min(30.0, 2.0 ** min(failures, 5)))
                continue
            failures = 0
            if not updates:
                continue
            items = [self.intake.item(u.to_dict()) for u in updates]
            try:
                await self.intake.store(items)
            except Exception:  # not stored, so not confirmed: the same batch comes again
                log.exception("telegram: could not store %d update(s); fetching them again", len(items))
                await asyncio.sleep(1.0)
                continue
            self.offset = updates[-1].update_id + 1  # the next getUpdates confirms everything before it


class UpdateApplier:
    """Applies one inbox row: the stored update, through the Application's handlers."""

    def __init__(self, application: Application) -> None:
        self.application = application

    async def __call__(self, row: Any) -> Outcome:
        try:
            update = Update.de_json(json.loads(row.payload), self.application.bot)
        except Exception as exc:  # stored but unreadable: nothing to apply, keep it for a look
            return fail(f"not an update: {exc}")
        # handler errors are caught and logged by the Application (bot.telegram.app.on_error)
        await self.application.process_update(update)
        return DONE
