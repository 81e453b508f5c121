"""Listener work still running after its ack(), so shutdown (and tests) can wait for it to finish."""

from __future__ import annotations

import asyncio
from types import TracebackType


class Inflight:
    """An async counter: ``async with inflight:`` around each listener body; ``await idle()`` to drain."""

    def __init__(self) -> None:
        self.count = 0
        self._idle = asyncio.Event()
        self._idle.set()

    async def __aenter__(self) -> None:
        self.count += 1
        self._idle.clear()

    async def __aexit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        self.count -= 1
        if self.count == 0:
            self._idle.set()

    async def idle(self, timeout: float = 10.0) -> None:
        """Wait until no listener is working (TimeoutError after ``timeout`` seconds)."""
        # bolt schedules event listeners as tasks before it answers Slack: let them start first
        await asyncio.sleep(0)
        await asyncio.wait_for(self._idle.wait(), timeout)
