"""Pacing replies under Feishu's limits: 50 messages a second per app, 5 a second to one chat.

A reply waiting for its chat's turn waits here, not in a worker of its own. At shutdown ``close()`` turns every
wait into :class:`Closed`: the reply is not sent and stays in the outbox for the next start.
"""

from __future__ import annotations

import asyncio

from aiolimiter import AsyncLimiter


class Closed(Exception):
    """The pacer is shutting down: nothing was sent."""


class Pacer:
    """An overall bucket and one bucket per chat."""

    MAX_CHATS = 1024

    def __init__(self, *, overall_per_second: float = 50, chat_per_second: float = 5) -> None:
        self._overall = AsyncLimiter(overall_per_second, 1) if overall_per_second else None
        self._chat_rate = chat_per_second
        self._chats: dict[str, AsyncLimiter] = {}
        self._closed = False
        self._closing: asyncio.Event | None = None

    def close(self) -> None:
        """Refuse every wait from now on; waits in progress end with Closed."""
        self._closed = True
        if self._closing is not None:
            self._closing.set()

    def reopen(self) -> None:
        """Take requests again (the platform started after a stop)."""
        self._closed = False
        self._closing = None

    async def turn(self, chat: str) -> None:
        """Wait until a message to ``chat`` may go (Closed when the pacer closes first)."""
        for bucket in self._buckets(chat):
            if self._closed:
                raise Closed()
            if bucket.has_capacity():
                await bucket.acquire()
                continue
            if self._closing is None:
                self._closing = asyncio.Event()
            wait = asyncio.ensure_future(bucket.acquire())
            closing = asyncio.ensure_future(self._closing.wait())
            try:
                await asyncio.wait((wait, closing), return_when=asyncio.FIRST_COMPLETED)
            finally:
                closing.cancel()
                if not wait.done():
                    wait.cancel()
            if not wait.done() or wait.cancelled():
                raise Closed()

    def _buckets(self, chat: str) -> list[AsyncLimiter]:
        buckets = []
        if self._chat_rate:
            if len(self._chats) > self.MAX_CHATS:  # forget idle chats
                for key, limiter in list(self._chats.items()):
                    if key != chat and limiter.has_capacity(limiter.max_rate):
                        del self._chats[key]
            if chat not in self._chats:
                self._chats[chat] = AsyncLimiter(self._chat_rate, 1)
            buckets.append(self._chats[chat])
        if self._overall is not None:
            buckets.append(self._overall)
        return buckets
