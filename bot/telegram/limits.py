"""Flood control: 30 messages/s overall and 20/min per group (AIORateLimiter), plus 1/s per chat."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from aiolimiter import AsyncLimiter
from telegram.ext import AIORateLimiter, BaseRateLimiter

Result = bool | dict[str, Any] | list[dict[str, Any]]


class FloodLimiter(BaseRateLimiter[int]):
    """Delay requests to stay inside Telegram's flood limits; a 429 still surfaces as RetryAfter.

    AIORateLimiter covers the overall and per-group limits but not "about one message per second in
    one chat", which matters for private chats and bursts, so each chat gets its own small bucket too.
    ``rate_limit_args`` is the number of retries after a 429 (default none: the caller decides).
    """

    MAX_BUCKETS = 1024

    def __init__(self, *, overall_per_second: float = 30, group_per_minute: float = 20,
                 chat_per_second: float = 1) -> None:
        self._inner = AIORateLimiter(overall_max_rate=overall_per_second, overall_time_period=1,
                                     group_max_rate=group_per_minute, group_time_period=60)
        self._chat_rate = chat_per_second
        self._chats: dict[str, AsyncLimiter] = {}

    async def initialize(self) -> None:
        """Nothing to set up."""
        await self._inner.initialize()

    async def shutdown(self) -> None:
        """Nothing to release."""
        await self._inner.shutdown()

    def _bucket(self, chat_id: object) -> AsyncLimiter:
        key = str(chat_id)
        if len(self._chats) > self.MAX_BUCKETS:  # forget idle chats so the dict stays small
            for k, limiter in list(self._chats.items()):
                if k != key and limiter.has_capacity(limiter.max_rate):
                    del self._chats[k]
        if key not in self._chats:
            self._chats[key] = AsyncLimiter(max_rate=1, time_period=1 / self._chat_rate)
        return self._chats[key]

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Result]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Result:
        """Wait for the chat's bucket, then for the overall and group buckets, then send."""
        chat_id = data.get("chat_id")
        if chat_id is None or not self._chat_rate:
            return await self._inner.process_request(callback, args, kwargs, endpoint, data, rate_limit_args)
        async with self._bucket(chat_id):
            return await self._inner.process_request(callback, args, kwargs, endpoint, data, rate_limit_args)
