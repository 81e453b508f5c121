"""Slack as a Platform for `contractbot run`: Socket Mode when SLACK_APP_TOKEN is set, else HTTP on PORT.

Either way a request is stored in the inbox before Slack is answered (bot.slack.intake), and an inbox pool
applies the stored requests through bolt: one conversation at a time in order, conversations in parallel.
In HTTP mode ``/slack/events`` is a route of the bot's one web server (bot.http).

OAuth mode (SLACK_CLIENT_ID, SLACK_CLIENT_SECRET, SLACK_SIGNING_SECRET) adds ``/slack/install`` and
``/slack/oauth_redirect`` to that server, in HTTP and in Socket Mode alike, and keeps each workspace's bot token
in the database (bot.slack.installations, bot.slack.oauth).
"""

from __future__ import annotations

import asyncio
import logging

from aiohttp import web
from slack_bolt.async_app import AsyncApp
from slack_sdk.socket_mode.aiohttp import SocketModeClient
from sqlalchemy.engine import Engine

from bot.config import Settings
from bot.lanes import LanePool
from bot.slack.app import Listeners, build_app
from bot.slack.installations import InstallationStore
from bot.slack.intake import RequestApplier, SlackIntake
from bot.slack.notifier import SlackNotifier, make_slack_notifier
from bot.slack.oauth import OAuthRoutes
from handlers.core import Core
from scheduler.inbox import LaneStore

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
DRAIN_SECONDS = 8.0


def check(settings: Settings) -> None:
    """ValueError naming what is missing for the Slack mode the settings ask for."""
    oauth = {"SLACK_CLIENT_ID": settings.slack_client_id, "SLACK_CLIENT_SECRET": settings.slack_client_secret}
    if any(oauth.values()):
        missing = [name for name, value in {**oauth, "SLACK_SIGNING_SECRET": settings.slack_signing_secret}.items()
                   if not value]
        if missing:
            raise ValueError(f"{' and '.join(missing)} {'is' if len(missing) == 1 else 'are'} required for Slack "
                             "in OAuth mode (installing in many workspaces)")
        return
    if not settings.slack_bot_token:
        raise ValueError("SLACK_BOT_TOKEN is required for Slack (or SLACK_CLIENT_ID and SLACK_CLIENT_SECRET for "
                         "OAuth mode)")
    if not settings.slack_app_token and not settings.slack_signing_secret:
        raise ValueError("SLACK_SIGNING_SECRET is required for Slack in HTTP mode (or set SLACK_APP_TOKEN)")


def create(settings: Settings, core: Core) -> SlackPlatform:
    """Check the settings Slack needs and build the platform (nothing connects until start())."""
    check(settings)
    installations = None
    if settings.slack_oauth_enabled:
        if settings.slack_bot_token:
            log.warning("slack: OAuth mode, so SLACK_BOT_TOKEN is not used; install the app in its workspace again "
                        "at %s (its data is kept)", "/slack/install")
        installations = InstallationStore(core.engine, client_id=settings.slack_client_id or "", clock=core.clock)
    app, listeners = build_app(settings, core, installations=installations)
    notifier = make_slack_notifier(settings, core.engine, installations=installations)
    return SlackPlatform(app, listeners, notifier, engine=core.engine,
                         app_token=settings.slack_app_token, signing_secret=settings.slack_signing_secret,
                         concurrency=settings.inbox_concurrency,
                         drain=max(0.5, settings.shutdown_grace_seconds - 2.0),
                         oauth=OAuthRoutes(app.oauth_flow) if app.oauth_flow is not None else None)


class SlackPlatform:
    """The running Slack front door plus the notifier the dispatch pass uses."""

    name = "slack"

    def __init__(self, app: AsyncApp, listeners: Listeners, notifier: SlackNotifier, *, engine: Engine,
                 app_token: str | None, signing_secret: str | None, concurrency: int = 8,
                 drain: float = DRAIN_SECONDS, oauth: OAuthRoutes | None = None) -> None:
        self.app = app
        self.oauth = oauth
        self.listeners = listeners
        self.notifier = notifier
        self.app_token = app_token
        self.drain = drain
        self.inbox = LanePool(LaneStore.inbox(engine, platform="slack"), RequestApplier(app),
                              concurrency=concurrency, name="slack inbox")
        self.intake = SlackIntake(engine, signing_secret=signing_secret, wake=self.inbox.wake)
        self._socket: SocketModeClient | None = None

    @property
    def mode(self) -> str:
        """'socket' or 'http'."""
        return "socket" if self.app_token else "http"

    @property
    def needs_http(self) -> bool:
        """HTTP mode and the OAuth pages are served by the bot's web server."""
        return self.mode == "http" or self.oauth is not None

    @property
    def routes(self) -> list[str]:
        """The paths add_routes mounts."""
        return [EVENTS_PATH] * (self.mode == "http") + list(self.oauth.paths if self.oauth is not None else ())

    def add_routes(self, app: web.Application) -> None:
        """Mount ``/slack/events`` (HTTP mode) and the OAuth pages (OAuth mode) on the bot's web server."""
        if self.mode == "http":
            app.router.add_post(EVENTS_PATH, self.intake.http)
        if self.oauth is not None:
            self.oauth.add_routes(app)

    async def start(self) -> None:
        """Start the inbox workers, then connect to Socket Mode (HTTP mode is served by the web server)."""
        await self.inbox.start()
        if not self.app_token:
            log.info("slack: taking requests on %s", EVENTS_PATH)
            return
        self._socket = SocketModeClient(app_token=self.app_token, web_client=self.app.client, logger=self.app.logger)
        self._socket.socket_mode_request_listeners.append(self.intake.socket)  # type: ignore[arg-type]
        # slack_sdk retries a failed connect forever; fetch the URL once ourselves so that a bad app
        # token fails start() with Slack's error instead of hanging in a retry loop
        self._socket.wss_uri = await self._socket.issue_new_wss_url()
        await self._socket.connect()
        log.info("slack: socket mode connected")

    async def stop(self, grace: float | None = None) -> None:
        """Stop taking requests, let the ones in hand finish (a few seconds), leave the rest in the inbox."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + (self.drain if grace is None else grace)
        if self._socket is not None:
            await self._socket.disconnect()
        await self.inbox.stop(max(0.0, deadline - loop.time()))
        try:
            await self.listeners.inflight.idle(max(0.1, deadline - loop.time()))
        except TimeoutError:
            log.warning("slack: %d listener(s) still running at shutdown", self.listeners.inflight.count)
        if self._socket is not None:
            await self._socket.close()
            self._socket = None

    async def idle(self, timeout: float = 10.0) -> None:
        """Wait until every stored request has been applied (tests)."""
        await self.inbox.idle(timeout)
        await self.listeners.inflight.idle(timeout)
