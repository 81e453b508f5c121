"""Reminders to Telegram: a sync Notifier that runs bot calls on an event loop and maps Telegram's errors.

The dispatcher calls ``send`` from a worker thread. Inside `contractbot run` the coroutine goes to the
Application's own loop (its HTTP client and rate limiter live there); in `contractbot dispatch` there is
no loop, so ``make_telegram_notifier`` gives the notifier a bot and a private loop on a daemon thread.
"""

from __future__ import annotations

import asyncio
import atexit
import concurrent.futures
import logging
import threading
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
)
from telegram.ext import ExtBot

from bot.config import Settings
from bot.telegram.files import base_file_url
from bot.telegram.limits import FloodLimiter, retry_seconds
from bot.telegram.render import make_ref
from bot.telegram.send import edit, post
from handlers.replies import Reply
from scheduler.notify import CannotDM, Outgoing, PermanentFailure, RateLimited

log = logging.getLogger(__name__)

T = TypeVar("T")

TRANSIENT_RETRY = 30.0  # seconds before a network failure is retried by a later pass
CONFIG_RETRY = 300.0  # a rejected token is a configuration error: keep the reminders, retry slowly


class TelegramNotifier:
    """Delivers reminder messages and edits them later, from any thread but the loop's own."""

    def __init__(
        self,
        bot: ExtBot,
        loop: asyncio.AbstractEventLoop | None = None,
        *,
        timeout: float = 90.0,
        private: _PrivateLoop | None = None,
        on_migrate: Callable[[str, str], object] | None = None,
    ) -> None:
        self.bot = bot
        # told when a group turns out to have moved to a new id, so its team can follow (Core.move_tenant)
        self.on_migrate = on_migrate
        self.loop = loop
        # The flood limiter may hold a send for up to a minute (20 messages/min per group).
        self.timeout = timeout
        self._private = private
        self._ready = private is None  # the Application initializes its own bot

    def close(self) -> None:
        """Release a private loop and its bot (no-op for the Application's notifier)."""
        if self._private is not None:
            self._private.close(self.bot)

    def send(self, out: Outgoing) -> str:
        """Post a reminder; return ``chat_id:message_id`` of the message carrying its buttons."""
        if out.target.dm:
            chat_id = out.target.user_id  # a private chat's id is the user's id
        else:
            chat_id = out.target.chat_id
        if not chat_id:
            raise PermanentFailure("no telegram chat to send to")
        return self._run(self._send(chat_id, out.message, dm=out.target.dm))

    def update(self, ref: str, message: Any, *, tenant_key: str | None = None) -> None:
        """Rewrite an earlier reminder (e.g. to show who completed the milestone)."""
        self._run(self._edit(ref, message))

    async def _init(self) -> None:
        if not self._ready:
            await self.bot.initialize()  # opens the HTTP client and checks the token (getMe)
            self._ready = True

    async def _send(self, chat_id: str, reply: Reply, *, dm: bool) -> str:
        await self._init()
        try:
            sent = await post(self.bot, chat_id, reply)
        except ChatMigrated as exc:
            # A group upgraded to a supergroup has a new id; the old one answers with its successor.
            log.warning("telegram chat %s moved to %s; sending there", chat_id, exc.new_chat_id)
            sent = await post(self.bot, exc.new_chat_id, reply)
            if self.on_migrate is not None:
                await asyncio.to_thread(self.on_migrate, str(chat_id), str(exc.new_chat_id))
        except Forbidden as exc:
            # 403: the user never started the bot / blocked it, or the bot was removed from the group.
            raise (CannotDM if dm else PermanentFailure)(exc.message) from exc
        except BadRequest as exc:
            # a user the bot never talked to may also answer 400 "chat not found": fall back to the group
            if dm and ("not found" in exc.message.lower()):
                raise CannotDM(exc.message) from exc
            raise
        return make_ref(sent[-1].chat.id, sent[-1].message_id)

    async def _edit(self, ref: str, reply: Reply) -> None:
        await self._init()
        await edit(self.bot, ref, reply)

    def _run(self, coro: Coroutine[Any, Any, T]) -> T:
        loop = self.loop
        if loop is None or loop.is_closed() or not loop.is_running():
            coro.close()
            raise RateLimited(TRANSIENT_RETRY)  # Telegram is not running (yet): the row is retried later
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            coro.close()
            raise RuntimeError("TelegramNotifier blocks: call it from a worker thread (asyncio.to_thread)")
        future = asyncio.run_coroutine_threadsafe(coro, loop)
        try:
            return future.result(self.timeout)
        except concurrent.futures.TimeoutError:
            future.cancel()
            raise RateLimited(TRANSIENT_RETRY) from None
        except RetryAfter as exc:
            raise RateLimited(retry_seconds(exc)) from exc
        except BadRequest as exc:  # "chat not found", unparsable HTML: retrying will not help
            raise PermanentFailure(exc.message) from exc
        except NetworkError as exc:  # timeouts, 5xx: try again on a later pass
            log.warning("telegram network error, will retry: %s", exc)
            raise RateLimited(TRANSIENT_RETRY) from exc
        except InvalidToken as exc:
            log.error("telegram rejected the bot token; reminders wait until it is fixed: %s", exc)
            raise RateLimited(CONFIG_RETRY) from exc
        except TelegramError as exc:  # anything else Telegram refuses (CannotDM etc. pass through untouched)
            raise PermanentFailure(exc.message) from exc


class _PrivateLoop:
    """An event loop on a daemon thread, for notifier calls from a process without one."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name="telegram-notifier", daemon=True)
        self._thread.start()

    def close(self, bot: ExtBot) -> None:
        """Release the bot's HTTP client and stop the loop."""
        if self.loop.is_closed():
            return
        try:
            asyncio.run_coroutine_threadsafe(bot.shutdown(), self.loop).result(5)
        except (concurrent.futures.TimeoutError, TelegramError, RuntimeError) as exc:
            log.debug("telegram notifier shutdown: %s", exc)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(5)
        self.loop.close()


def make_bot(settings: Settings, *, rate_limiter: FloodLimiter | None = None) -> ExtBot:
    """A bot for TELEGRAM_BOT_TOKEN against TELEGRAM_API_URL (python-telegram-bot appends the token)."""
    assert settings.telegram_bot_token, "TELEGRAM_BOT_TOKEN is not set"
    kwargs: dict[str, Any] = {}
    if settings.telegram_api_url:
        kwargs["base_url"] = settings.telegram_api_url
        if file_url := base_file_url(settings.telegram_api_url):
            kwargs["base_file_url"] = file_url
    limiter = rate_limiter or FloodLimiter(overall_per_second=settings.telegram_per_second,
                                           group_per_minute=settings.telegram_group_per_minute,
                                           chat_per_second=settings.telegram_chat_per_second)
    return ExtBot(settings.telegram_bot_token, rate_limiter=limiter, **kwargs)


def make_telegram_notifier(
    settings: Settings, *, rate_limiter: FloodLimiter | None = None
) -> TelegramNotifier:
    """A notifier for a plain sync process (`contractbot dispatch`): its own bot on its own loop."""
    bot = make_bot(settings, rate_limiter=rate_limiter)
    private = _PrivateLoop()
    notifier = TelegramNotifier(bot, private.loop, private=private)
    atexit.register(notifier.close)  # `contractbot dispatch` exits without closing its notifiers
    return notifier
