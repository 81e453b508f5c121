"""What each platform adapter gives the bot: a running front door (``Platform``) and its entry in the registry.

An adapter is one package under bot/ with an ``adapter.py`` that declares an :class:`Adapter`: its traits (what
the core may rely on), when it is switched on, how to build its front door and its reminder notifier. Adding
a platform is that package plus one line in bot/registry.py; see "Adding a platform" in the README.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from aiohttp import web

from scheduler.notify import Notifier
from scheduler.platforms import Traits

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from bot.config import Settings
    from handlers.core import Core


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
    def routes(self) -> list[str]:
        """The paths this platform mounts on the web server, for the start-up line (none: empty)."""
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


@runtime_checkable
class UsesNotifiers(Protocol):
    """A platform that acts outside the chat (e-mail links) and must have the chat platforms edit their copies."""

    def use_notifiers(self, notifiers: Mapping[str, Notifier]) -> None:
        """Take every platform's notifier, once the running process has built them all."""
        ...


@dataclass(frozen=True)
class Adapter:
    """One platform as the registry knows it; every factory imports its package lazily.

    - ``enabled``: whether the settings switch it on (its tokens are present).
    - ``create``: its front door for `contractbot run`; None for one that takes no messages by itself (the
      console runs in the foreground; e-mail only carries reminders and its links come in over the web server).
    - ``notifier``: how the dispatch pass reaches it from a worker thread or a plain `contractbot dispatch`
      process; None when only a running front door can send (then reminders for it wait for `run`).
    - ``switches``: the environment variables that turn it on, for help and start-up messages.
    - ``libraries``: the top-level modules of its client library, so an error from them is named after it.
    """

    traits: Traits
    enabled: Callable[[Settings], bool]
    create: Callable[[Settings, Core], Platform] | None = None
    notifier: Callable[[Settings, Engine], Notifier] | None = None
    switches: tuple[str, ...] = ()
    libraries: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        """The platform's name, as stored on its teams (Tenant.platform) and in reminder targets."""
        return self.traits.name
