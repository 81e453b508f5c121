"""Telegram as one platform of `contractbot run`: started and stopped inside the shared asyncio loop."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from telegram.error import TelegramError
from telegram.ext import Application, BaseRateLimiter

from bot.config import Settings
from bot.telegram import menu
from bot.telegram.app import ALLOWED_UPDATES, build_application
from bot.telegram.notifier import TelegramNotifier
from bot.telegram.webhook import WebhookEndpoint, WebhookServer, check_secret, public_url
from handlers.core import Core

log = logging.getLogger(__name__)


class TelegramPlatform:
    """Long polling by default (no public URL needed); webhook mode when TELEGRAM_WEBHOOK_URL is set."""

    name = "telegram"

    def __init__(
        self,
        settings: Settings,
        application: Application,
        *,
        poll_timeout: float = 30.0,
        listen: str = "0.0.0.0",
        port: int | None = None,
        core: Core | None = None,
    ) -> None:
        self.settings = settings
        self.application = application
        self.notifier = TelegramNotifier(
            application.bot,
            on_migrate=(lambda old, new: core.move_tenant("telegram", old, new)) if core is not None else None,
        )
        self.poll_timeout = poll_timeout
        self.listen = listen
        # TELEGRAM_WEBHOOK_PORT (a proposed setting) keeps the webhook off PORT when Slack serves HTTP there.
        own_port = getattr(settings, "telegram_webhook_port", None)
        self.port = port if port is not None else (own_port or settings.port)
        self.webhook: WebhookServer | None = None

    @property
    def webhook_mode(self) -> bool:
        """True when Telegram pushes updates to us instead of being polled."""
        return bool(self.settings.telegram_webhook_url)

    async def start(self) -> None:
        """Initialize, publish the menu, then poll or serve the webhook; return once running."""
        app = self.application
        try:
            await app.initialize()  # getMe: also checks the token
            await self._publish_menu()
            await app.start()
            if self.webhook_mode:
                await self._start_webhook()
            else:
                assert app.updater is not None
                # No drop_pending_updates: what arrived while we were down is processed now, not lost.
                await app.updater.start_polling(
                    timeout=timedelta(seconds=self.poll_timeout), allowed_updates=ALLOWED_UPDATES
                )
        except BaseException:
            await self.stop()  # the runner only stops platforms that started
            raise
        self.notifier.loop = asyncio.get_running_loop()

    async def _start_webhook(self) -> None:
        s = self.settings
        secret = check_secret(s.telegram_webhook_secret)
        endpoint = WebhookEndpoint(self.application, secret=secret, path=s.telegram_webhook_path)
        self.webhook = WebhookServer(endpoint, host=self.listen, port=self.port)
        self.port = await self.webhook.start()
        url = public_url(s.telegram_webhook_url or "", s.telegram_webhook_path)
        # Telegram keeps undelivered updates and retries them, so a restart loses nothing here either.
        await self.application.bot.set_webhook(url=url, secret_token=secret, allowed_updates=ALLOWED_UPDATES)
        log.info("telegram webhook %s -> %s:%s%s", url, self.listen, self.port, endpoint.path)

    async def _publish_menu(self) -> None:
        try:
            await menu.publish(self.application.bot)
        except TelegramError as exc:  # the menu is a convenience; the commands work without it
            log.warning("could not publish the telegram command menu: %s", exc)

    async def stop(self) -> None:
        """Stop fetching, finish the updates already fetched, and close the HTTP clients."""
        self.notifier.loop = None
        app = self.application
        if self.webhook is not None:
            await self.webhook.stop()  # the webhook stays registered: Telegram queues updates meanwhile
            self.webhook = None
        if app.updater is not None and app.updater.running:
            await app.updater.stop()
        if app.running:
            await app.stop()
        await app.shutdown()


def create(
    settings: Settings,
    core: Core,
    *,
    rate_limiter: BaseRateLimiter | None = None,
    poll_timeout: float = 30.0,
    listen: str = "0.0.0.0",
    port: int | None = None,
) -> TelegramPlatform:
    """The Telegram platform for these settings (checked now, so a bad configuration fails at start-up)."""
    if not settings.telegram_bot_token:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")
    webhook = bool(settings.telegram_webhook_url)
    if webhook:
        check_secret(settings.telegram_webhook_secret)
    application = build_application(settings, core, rate_limiter=rate_limiter, webhook=webhook)
    return TelegramPlatform(settings, application, poll_timeout=poll_timeout, listen=listen, port=port, core=core)
