"""Slack as a Platform for `contractbot run`: Socket Mode when SLACK_APP_TOKEN is set, else HTTP on PORT."""

from __future__ import annotations

import logging

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp

from bot.config import Settings
from bot.slack.app import Listeners, build_app
from bot.slack.notifier import SlackNotifier, make_slack_notifier
from handlers.core import Core

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
DRAIN_SECONDS = 10.0


def create(settings: Settings, core: Core, *, host: str = "0.0.0.0") -> SlackPlatform:
    """Check the settings Slack needs and build the platform (nothing connects until start())."""
    if not settings.slack_bot_token:
        raise ValueError("SLACK_BOT_TOKEN is required for Slack")
    if not settings.slack_app_token and not settings.slack_signing_secret:
        raise ValueError("SLACK_SIGNING_SECRET is required for Slack in HTTP mode (or set SLACK_APP_TOKEN)")
    app, listeners = build_app(settings, core)
    return SlackPlatform(app, listeners, make_slack_notifier(settings), app_token=settings.slack_app_token,
                         host=host, port=settings.port)


def web_app(app: AsyncApp, path: str = EVENTS_PATH) -> web.Application:
    """An aiohttp application serving bolt on ``path`` (bolt verifies signatures: 401 when bad or stale)."""

    async def events(request: web.Request) -> web.Response:
        return await to_aiohttp_response(await app.async_dispatch(await to_bolt_request(request)))

    server = web.Application()
    server.router.add_post(path, events)
    return server


class SlackPlatform:
    """The running Slack front door plus the notifier the dispatch pass uses."""

    name = "slack"

    def __init__(self, app: AsyncApp, listeners: Listeners, notifier: SlackNotifier, *, app_token: str | None,
                 host: str, port: int) -> None:
        self.app = app
        self.listeners = listeners
        self.notifier = notifier
        self.app_token = app_token
        self.host = host
        self.port = port
        self._socket: AsyncSocketModeHandler | None = None
        self._runner: web.AppRunner | None = None
        self._site: web.TCPSite | None = None

    @property
    def mode(self) -> str:
        """'socket' or 'http'."""
        return "socket" if self.app_token else "http"

    async def start(self) -> None:
        """Connect to Socket Mode, or serve HTTP; return once running (never blocks on serving)."""
        if self.app_token:
            self._socket = AsyncSocketModeHandler(self.app, self.app_token)
            # slack_sdk retries a failed connect forever; fetch the URL once ourselves so that a bad app
            # token fails start() with Slack's error instead of hanging in a retry loop
            self._socket.client.wss_uri = await self._socket.client.issue_new_wss_url()
            await self._socket.connect_async()
            log.info("slack: socket mode connected")
            return
        self._runner = web.AppRunner(web_app(self.app), access_log=None)
        await self._runner.setup()
        self._site = web.TCPSite(self._runner, self.host, self.port)
        await self._site.start()
        if self.port == 0:  # an ephemeral port (tests): remember which one we got
            self.port = self._runner.addresses[0][1]
        log.info("slack: serving %s on %s:%s", EVENTS_PATH, self.host, self.port)

    async def stop(self) -> None:
        """Stop taking requests, let running listeners finish (up to 10 s), then let go of everything."""
        if self._site is not None:
            await self._site.stop()
            self._site = None
        if self._socket is not None:
            await self._socket.disconnect_async()
        try:
            await self.listeners.inflight.idle(DRAIN_SECONDS)
        except TimeoutError:
            log.warning("slack: %d listener(s) still running at shutdown", self.listeners.inflight.count)
        if self._socket is not None:
            await self._socket.close_async()
            self._socket = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def idle(self, timeout: float = 10.0) -> None:
        """Wait until every acknowledged request has finished its work."""
        await self.listeners.inflight.idle(timeout)
