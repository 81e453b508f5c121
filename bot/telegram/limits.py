"""Flood control: about 30 messages/s overall, 20/min per group, 1/s per chat; a 429 pauses every request.

At shutdown ``close()`` turns every wait into ``LimiterClosed``: a reply waiting for its turn is not sent and
stays in the outbox for the next start, instead of holding the process up (a group's turn may be minutes away).
"""

from __future__ import annotations

import asyncio
import contextlib
import warnings
from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Any

from aiolimiter import AsyncLimiter
from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter
from telegram.warnings import PTBDeprecationWarning

Result = bool | dict[str, Any] | list[dict[str, Any]]


def retry_seconds(exc: RetryAfter) -> float:
    """RetryAfter's delay in seconds (an int before PTB_TIMEDELTA, a timedelta after)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value: Any = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


class LimiterClosed(RetryAfter):
    """The limiter is shutting down: the request was not sent (a RetryAfter, so callers reschedule it)."""

    def __init__(self) -> None:
        with warnings.catch_warnings():  # PTB warns about the type of retry_after on every RetryAfter it makes
            warnings.simplefilter("ignore", PTBDeprecationWarning)
            super().__init__(timedelta(seconds=1))


class FloodLimiter(BaseRateLimiter[int]):
    """Delay requests to stay inside Telegram's flood limits, and hold everything after a 429.

    Written along the lines of PTB's AIORateLimiter (which has no per-chat bucket, and logs every
    surfaced 429 as an error). ``rate_limit_args`` is the number of retries after a 429. The reply outbox
    and reminders pass none: the 429 reaches the sender loop or the dispatcher, which reschedules the row
    at Retry-After instead of holding a task (and a shutdown) for it.
    """

    MAX_BUCKETS = 1024

    def __init__(
        self, *, overall_per_second: float = 30, group_per_minute: float = 20, chat_per_second: float = 1
    ) -> None:
        self._overall = AsyncLimiter(overall_per_second, 1) if overall_per_second else None
        self._group_rate = group_per_minute
        self._chat_rate = chat_per_second
        self._groups: dict[int | str, AsyncLimiter] = {}
        self._chats: dict[int | str, AsyncLimiter] = {}
        self._resume_at = 0.0  # event-loop time before which no request goes out (after a 429)
        self._closed: asyncio.Event | None = None  # created in the loop that uses it

    @property
    def closed(self) -> bool:
        """True after close(): requests that would wait are refused."""
        return self._closed is not None and self._closed.is_set()

    def close(self) -> None:
        """Refuse every request that would have to wait (shutdown); those already waiting get LimiterClosed."""
        if self._closed is None:
            self._closed = asyncio.Event()
        self._closed.set()

    def reopen(self) -> None:
        """Accept requests again (a platform started after a stop)."""
        if self._closed is not None:
            self._closed.clear()

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Result]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Result:
        """Wait for the chat's, the group's and the overall bucket, send, and handle a 429."""
        retries = rate_limit_args or 0
        loop = asyncio.get_running_loop()
        for attempt in range(retries + 1):
            while (wait := self._resume_at - loop.time()) > 0:
                await self._wait(asyncio.sleep(wait))
            for bucket in self._buckets(data.get("chat_id")):
                if not bucket.has_capacity():
                    await self._wait(bucket.acquire())
                else:
                    await bucket.acquire()
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                # Telegram's 429 usually covers the whole bot: hold every request, not just this one.
                self._resume_at = max(self._resume_at, loop.time() + retry_seconds(exc) + 0.1)
                if attempt == retries:
                    raise
        raise AssertionError("unreachable")

    async def _wait(self, waiting: Coroutine[Any, Any, Any]) -> None:
        """Wait for a turn, unless the limiter is closed first (then LimiterClosed: nothing was sent)."""
        if self._closed is None:
            self._closed = asyncio.Event()
        if self._closed.is_set():
            waiting.close()
            raise LimiterClosed()
        turn = asyncio.ensure_future(waiting)
        closing = asyncio.ensure_future(self._closed.wait())
        try:
            await asyncio.wait((turn, closing), return_when=asyncio.FIRST_COMPLETED)
        finally:
            closing.cancel()
            if not turn.done():
                turn.cancel()
        if not turn.done() or turn.cancelled():
            raise LimiterClosed()
        turn.result()

    def _buckets(self, chat_id: object) -> list[AsyncLimiter]:
        if chat_id is None:  # getMe, answerCallbackQuery, setMyCommands ...: not messages to a chat
            return []
        with contextlib.suppress(ValueError, TypeError):
            chat_id = int(chat_id)  # type: ignore[call-overload]
        key: int | str = chat_id if isinstance(chat_id, int) else str(chat_id)
        buckets = []
        if self._chat_rate:
            buckets.append(self._bucket(self._chats, key, 1, 1 / self._chat_rate))
        # Negative ids are groups and channels; "@name" can only be a channel or supergroup.
        if self._group_rate and (isinstance(key, str) or key < 0):
            buckets.append(self._bucket(self._groups, key, self._group_rate, 60))
        if self._overall is not None:
            buckets.append(self._overall)
        return buckets

    def _bucket(
        self, store: dict[int | str, AsyncLimiter], key: int | str, rate: float, period: float
    ) -> AsyncLimiter:
        if len(store) > self.MAX_BUCKETS:  # forget idle chats so the dicts stay small
            for k, limiter in list(store.items()):
                if k != key and limiter.has_capacity(limiter.max_rate):
                    del store[k]
        if key not in store:
            store[key] = AsyncLimiter(rate, period)
        return store[key]
