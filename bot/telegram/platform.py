"""Telegram as one platform of `contractbot run`: started and stopped inside the shared asyncio loop.

Updates come in through the inbox (bot.telegram.intake): long polling by default, or the webhook route on the
bot's one web server when TELEGRAM_WEBHOOK_URL is set. Two lane pools work in the background: the inbox pool
applies updates (one chat at a time in order, chats in parallel) and the sender pool sends the replies waiting
in the reply outbox.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from aiohttp import web
from sqlalchemy.engine import Engine
from telegram.error import TelegramError
from telegram.ext import Application, BaseRateLimiter

from bot.config import Settings
from bot.lanes import LanePool
from bot.telegram import menu
from bot.telegram.app import ALLOWED_UPDATES, build_application
from bot.telegram.intake import Poller, TelegramIntake, UpdateApplier, check_secret, public_url
from bot.telegram.limits import FloodLimiter
from bot.telegram.notifier import TelegramNotifier
from bot.telegram.outbox import ReplyQueue, ReplySender
from handlers.core import Core
from scheduler.inbox import LaneStore

log = logging.getLogger(__name__)

SENDER_LANES = 16  # chats whose replies are being sent at once (each waits for its own flood-limit turn)
SENDER_ATTEMPTS = 8  # network failures before a reply is given up


class TelegramPlatform:
    """Long polling by default (no public URL needed); webhook mode when TELEGRAM_WEBHOOK_URL is set."""

    name = "telegram"

    def __init__(
        self,
        settings: Settings,
        application: Application,
        *,
        engine: Engine,
        replies: ReplyQueue,
        limiter: BaseRateLimiter | None = None,
        poll_timeout: float = 30.0,
        core: Core | None = None,
    ) -> None:
        self.settings = settings
        self.application = application
        self.limiter = limiter
        self.notifier = TelegramNotifier(
            application.bot,
            on_migrate=(lambda old, new: core.move_tenant("telegram", old, new)) if core is not None else None,
        )
        self.poll_timeout = poll_timeout
        token = settings.telegram_bot_token or ""
        self.inbox = LanePool(LaneStore.inbox(engine, platform="telegram"), UpdateApplier(application),
                              concurrency=settings.inbox_concurrency, name="telegram inbox", mark_current=True)
        self.sender = LanePool(LaneStore.outbox(engine, platform="telegram", max_attempts=SENDER_ATTEMPTS),
                               ReplySender(application.bot), concurrency=SENDER_LANES, name="telegram replies")
        replies.wake = self.sender.wake
        self.intake = TelegramIntake(engine, token, wake=self.inbox.wake,
                                     secret=settings.telegram_webhook_secret if self.webhook_mode else None)
        self._poller: asyncio.Task[None] | None = None
        self._initialized = False

    @property
    def webhook_mode(self) -> bool:
        """True when Telegram pushes updates to us instead of being polled."""
        return bool(self.settings.telegram_webhook_url)

    @property
    def needs_http(self) -> bool:
        """The webhook needs the web server; polling does not."""
        return self.webhook_mode

    @property
    def webhook_path(self) -> str:
        """Where the webhook route is mounted on the web server."""
        return "/" + self.settings.telegram_webhook_path.lstrip("/")

    @property
    def routes(self) -> list[str]:
        """The paths add_routes mounts."""
        return [self.webhook_path] if self.webhook_mode else []

    def add_routes(self, app: web.Application) -> None:
        """Mount the webhook on the bot's web server (webhook mode only)."""
        if self.webhook_mode:
            app.router.add_post(self.webhook_path, self.intake.webhook)

    async def start(self) -> None:
        """Check the token, publish the menu, start the workers, then poll or register the webhook."""
        app = self.application
        try:
            await app.initialize()  # getMe: also checks the token
            self._initialized = True
            await self._publish_menu()
            if isinstance(self.limiter, FloodLimiter):
                self.limiter.reopen()
            await self.sender.start()
            await self.inbox.start()
            if self.webhook_mode:
                await self._set_webhook()
            else:
                # No drop_pending_updates: what arrived while we were down is stored and applied now, not lost.
                await app.bot.delete_webhook()
                poller = Poller(app.bot, self.intake, timeout=self.poll_timeout, allowed_updates=ALLOWED_UPDATES)
                self._poller = asyncio.create_task(poller.run(), name="telegram-poller")
                self._poller.add_done_callback(_report_end)
        except BaseException:
            await self.stop()  # the runner only stops platforms that started
            raise
        self.notifier.loop = asyncio.get_running_loop()

    async def _set_webhook(self) -> None:
        s = self.settings
        secret = check_secret(s.telegram_webhook_secret)
        url = public_url(s.telegram_webhook_url or "", s.telegram_webhook_path)
        # Telegram keeps undelivered updates and retries them, so a restart loses nothing here either.
        await self.application.bot.set_webhook(url=url, secret_token=secret, allowed_updates=ALLOWED_UPDATES)
        log.info("telegram webhook %s -> %s", url, self.webhook_path)

    async def _publish_menu(self) -> None:
        try:
            await menu.publish(self.application.bot)
        except TelegramError as exc:  # the menu is a convenience; the commands work without it
            log.warning("could not publish the telegram command menu: %s", exc)

    async def stop(self, grace: float | None = None) -> None:
        """Stop fetching; finish the updates in hand, then the replies that need no wait; leave the rest stored.

        ``grace`` (default: SHUTDOWN_GRACE_SECONDS less a margin for the rest of the shutdown) bounds it all.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + (grace if grace is not None else default_grace(self.settings))
        self.notifier.loop = None
        if self._poller is not None:
            self._poller.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._poller
            self._poller = None
        # the webhook stays registered: Telegram keeps the updates meanwhile and sends them after the restart
        await self.inbox.stop(max(0.0, (deadline - loop.time()) * 0.7))
        if isinstance(self.limiter, FloodLimiter):
            self.limiter.close()  # a reply waiting for its flood-limit turn stays in the outbox
        await self.sender.stop(max(0.0, deadline - loop.time()))
        if self._initialized:
            await self.application.shutdown()
            self._initialized = False

    async def idle(self, timeout: float = 10.0) -> None:
        """Wait until every stored update is applied and every reply that can go now has gone (tests)."""
        await self.inbox.idle(timeout)
        await self.sender.idle(timeout)


def default_grace(settings: Settings) -> float:
    """Time for a platform's drain: the shutdown grace less a margin for the web server and the rest."""
    return max(0.5, settings.shutdown_grace_seconds - 2.0)


def _report_end(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("telegram polling stopped", exc_info=task.exception())


def create(
    settings: Settings,
    core: Core,
    *,
    rate_limiter: BaseRateLimiter | None = None,
    poll_timeout: float = 30.0,
) -> TelegramPlatform:
    """The Telegram platform for these settings (checked now, so a bad configuration fails at start-up)."""
    if not settings.telegram_bot_token:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")
    if settings.telegram_webhook_url:
        check_secret(settings.telegram_webhook_secret)
    limiter = rate_limiter or FloodLimiter(overall_per_second=settings.telegram_per_second,
                                           group_per_minute=settings.telegram_group_per_minute,
                                           chat_per_second=settings.telegram_chat_per_second)
    replies = ReplyQueue(core.engine)
    application = build_application(settings, core, rate_limiter=limiter, replies=replies)
    return TelegramPlatform(settings, application, engine=core.engine, replies=replies, limiter=limiter,
                            poll_timeout=poll_timeout, core=core)
