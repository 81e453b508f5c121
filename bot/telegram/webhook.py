"""Webhook mode: a small aiohttp endpoint that checks Telegram's secret header and queues the update."""

from __future__ import annotations

import hmac
import logging
import re
from urllib.parse import urlsplit

from aiohttp import web
from telegram import Update
from telegram.ext import Application

log = logging.getLogger(__name__)

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


class WebhookEndpoint:
    """Accepts POSTs from Telegram carrying the secret header; anything else gets 403."""

    def __init__(self, application: Application, *, secret: str, path: str) -> None:
        self.application = application
        self.secret = check_secret(secret)
        self.path = "/" + path.lstrip("/")

    def add_to(self, app: web.Application) -> None:
        """Mount the endpoint on an aiohttp application (its own, or one shared with other routes)."""
        app.router.add_post(self.path, self.handle)

    async def handle(self, request: web.Request) -> web.Response:
        """Check the secret, parse the update, hand it to the Application's queue and say 200."""
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), self.secret.encode()):
            log.warning(
                "telegram webhook: refused a request without the right secret from %s", request.remote
            )
            return web.Response(status=403, text="forbidden")
        try:
            update = Update.de_json(await request.json(), self.application.bot)
        except (ValueError, KeyError, TypeError):
            return web.Response(status=400, text="not an update")
        # Queued like a polled update: the Application processes updates one at a time, in order.
        # A duplicate (Telegram retrying after a lost 200) is recognised by the core's event id.
        await self.application.update_queue.put(update)
        return web.Response(text="ok")


class WebhookServer:
    """An aiohttp site serving the webhook endpoint on host:port."""

    def __init__(self, endpoint: WebhookEndpoint, *, host: str, port: int) -> None:
        self.endpoint = endpoint
        self.host = host
        self.port = port
        self._runner: web.AppRunner | None = None

    async def start(self) -> int:
        """Start serving; return the port actually bound (useful when asked for port 0)."""
        app = web.Application()
        self.endpoint.add_to(app)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        addresses = self._runner.addresses
        self.port = int(addresses[0][1]) if addresses else self.port
        return self.port

    async def stop(self) -> None:
        """Stop serving."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
