"""A fake platform API served by aiohttp on a free port of 127.0.0.1, from its own thread and event loop.

The bot's clients call it like the real service; the tests read what it recorded. Subclasses build the app.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Self

from aiohttp import web


class ThreadedServer:
    """Start/stop of a fake API; a subclass gives its routes in ``build_app`` and its ``name`` for errors."""

    name = "fake API"

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.AppRunner | None = None
        self._thread: threading.Thread | None = None
        self.port = 0

    def build_app(self) -> web.Application:
        """The routes of the fake (called in the server's own loop)."""
        raise NotImplementedError

    def start(self) -> Self:
        """Serve on a free port of 127.0.0.1 from a background thread."""
        ready = threading.Event()

        def serve() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            loop.run_until_complete(self._start_site())
            ready.set()
            loop.run_forever()
            for task in asyncio.all_tasks(loop):  # requests still waiting (long polls)
                task.cancel()
            loop.run_until_complete(asyncio.sleep(0.01))
            loop.close()

        self._thread = threading.Thread(target=serve, name=self.name, daemon=True)
        self._thread.start()
        if not ready.wait(5):
            raise RuntimeError(f"{self.name} did not start")
        return self

    async def _start_site(self) -> None:
        self._runner = web.AppRunner(self.build_app(), access_log=None, shutdown_timeout=0.1)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = int(self._runner.addresses[0][1])

    def stop(self) -> None:
        """Stop serving and join the thread."""
        if self._loop is not None and self._thread is not None:
            if self._runner is not None:
                asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(5)
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(5)
