"""Feishu as one platform of `contractbot run`: ``/feishu/events`` on the bot's web server, two lane pools.

Start: lark-oapi's cipher is loaded (when events are encrypted), the bot's own profile is read (``bot/v3/info``:
its open_id tells its mention apart from everyone else's, and the call proves the app id and secret), then the
workers start. The inbox pool applies stored events (one chat at a time in order, chats in parallel); the sender
pool sends the replies waiting in the reply outbox, paced under Feishu's limits.
"""

from __future__ import annotations

import asyncio
import logging

import aiohttp
from aiohttp import web

from bot.config import Settings
from bot.feishu import security
from bot.feishu.api import FeishuApi, TokenCache
from bot.feishu.apply import EventApplier
from bot.feishu.directory import Directory
from bot.feishu.intake import FeishuIntake
from bot.feishu.limits import Pacer
from bot.feishu.notifier import FeishuNotifier, credentials_of
from bot.feishu.outbox import ReplyQueue, ReplySender
from bot.lanes import LanePool
from handlers.core import Core
from scheduler.inbox import LaneStore

log = logging.getLogger(__name__)

EVENTS_PATH = "/feishu/events"
SENDER_LANES = 16  # chats whose replies are being sent at once
SENDER_ATTEMPTS = 8  # network failures before a reply is given up


class FeishuPlatform:
    """The running Feishu front door plus the notifier the dispatch pass uses."""

    name = "feishu"

    def __init__(self, settings: Settings, core: Core, *, pacer: Pacer | None = None) -> None:
        if not settings.feishu_verification_token:
            raise ValueError("FEISHU_VERIFICATION_TOKEN is required for Feishu (Events & callbacks > "
                             "Encryption strategy in the developer console)")
        self.settings = settings
        self.credentials = credentials_of(settings)
        self.tokens = TokenCache()
        self.notifier = FeishuNotifier(self.credentials, tokens=self.tokens)
        self.pacer = pacer or Pacer()
        self.directory = Directory()
        self.bot_open_id = ""
        self.bot_name = ""
        self._session: aiohttp.ClientSession | None = None
        self._api: FeishuApi | None = None
        engine = core.engine
        replies = ReplyQueue(engine)
        applier = EventApplier(core, api=lambda: self._api, bot_open_id=lambda: self.bot_open_id,
                               directory=self.directory, replies=replies)
        self.inbox = LanePool(LaneStore.inbox(engine, platform=self.name), applier,
                              concurrency=settings.inbox_concurrency, name="feishu inbox", mark_current=True)
        self.sender = LanePool(LaneStore.outbox(engine, platform=self.name, max_attempts=SENDER_ATTEMPTS),
                               ReplySender(lambda: self._api, self.pacer), concurrency=SENDER_LANES,
                               name="feishu replies")
        replies.wake = self.sender.wake
        self.intake = FeishuIntake(engine, app_id=self.credentials.app_id,
                                   verification_token=settings.feishu_verification_token,
                                   encrypt_key=settings.feishu_encrypt_key, wake=self.inbox.wake,
                                   bot_open_id=lambda: self.bot_open_id)

    @property
    def needs_http(self) -> bool:
        """Feishu posts events and card actions to the bot's web server."""
        return True

    @property
    def routes(self) -> list[str]:
        """The paths add_routes mounts."""
        return [EVENTS_PATH]

    def add_routes(self, app: web.Application) -> None:
        """Mount ``/feishu/events`` (events and card actions) on the bot's web server."""
        app.router.add_post(EVENTS_PATH, self.intake.events)

    async def start(self) -> None:
        """Load the cipher, read the bot's profile (checks the app id and secret), then start the workers."""
        if self.settings.feishu_encrypt_key:
            await asyncio.to_thread(security.load)  # the URL check must be answered within a second
        self._session = aiohttp.ClientSession()
        api = FeishuApi(self.credentials, self._session, tokens=self.tokens)
        try:
            bot = await api.bot_info()
            self.bot_open_id = str(bot.get("open_id") or "")
            self.bot_name = str(bot.get("app_name") or "")
            if not self.bot_open_id:
                raise RuntimeError("bot/v3/info gave no open_id: turn on the app's bot capability and publish "
                                   "a version")
            self._api = api
            self.pacer.reopen()
            await self.sender.start()
            await self.inbox.start()
        except BaseException:
            await self.stop()  # the runner only stops platforms that started
            raise
        log.info("feishu: %s (%s) takes events on %s", self.bot_name or "the bot", self.bot_open_id, EVENTS_PATH)

    async def stop(self, grace: float | None = None) -> None:
        """Stop applying; finish what is in hand, then the replies that need no wait; leave the rest stored."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + (grace if grace is not None else max(0.5, self.settings.shutdown_grace_seconds - 2))
        await self.inbox.stop(max(0.0, (deadline - loop.time()) * 0.7))
        self.pacer.close()  # a reply waiting for its chat's turn stays in the outbox
        await self.sender.stop(max(0.0, deadline - loop.time()))
        self._api = None
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def idle(self, timeout: float = 10.0) -> None:
        """Wait until every stored event is applied and every reply that can go now has gone (tests)."""
        await self.inbox.idle(timeout)
        await self.sender.idle(timeout)


def create(settings: Settings, core: Core, *, pacer: Pacer | None = None) -> FeishuPlatform:
    """The Feishu platform for these settings (checked now, so a bad configuration fails at start-up)."""
    return FeishuPlatform(settings, core, pacer=pacer)
