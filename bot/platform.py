"""What `contractbot run` needs from each platform adapter (Slack, Telegram)."""

from __future__ import annotations

from typing import Protocol

from aiohttp import web

from scheduler.notify import Notifier


class Platform(Protocol):
    """A running front door: started and stopped in the shared asyncio loop, with a notifier for reminders.

    What a platform receives is stored in the inbox before it is acknowledged, and applied by the platform's
    own inbox workers (bot.lanes), so ``stop`` can leave unfinished work in the database for the next start.
    """

    name: str

    @property
    def notifier(self) -> Notifier:
        """What the dispatch pass sends this platform's reminders through (read-only: adapters may narrow it)."""
        ...

    @property
    def needs_http(self) -> bool:
        """True when requests come in over the bot's web server (Slack HTTP mode, Telegram webhook)."""
        ...

    def add_routes(self, app: web.Application) -> None:
        """Mount this platform's routes on the bot's one web server, before it starts (none: do nothing)."""
        ...

    async def start(self) -> None:
        """Start the inbox workers, then connect (Socket Mode / polling / set the webhook); return once running."""
        ...

    async def stop(self, grace: float | None = None) -> None:
        """Stop taking work, finish what is in hand within ``grace`` seconds, release everything start() took."""
        ...

    async def idle(self, timeout: float = 10.0) -> None:
        """Wait until everything stored has been applied and sent (tests)."""
        ...
