"""What `contractbot run` needs from each platform adapter (Slack, Telegram)."""

from __future__ import annotations

from typing import Protocol

from scheduler.notify import Notifier


class Platform(Protocol):
    """A running front door: started and stopped in the shared asyncio loop, with a notifier for reminders."""

    name: str
    notifier: Notifier

    async def start(self) -> None:
        """Connect (Socket Mode / polling) or start serving (HTTP / webhook); return once running."""
        ...

    async def stop(self) -> None:
        """Disconnect and release everything start() took."""
        ...
