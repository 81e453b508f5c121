"""Every platform the bot can use, in one place: `contractbot run`, `contractbot dispatch` and the CLI look here.

Importing this module registers each adapter's traits with the core (scheduler.platforms), so the core can
ask "can this platform DM first?" without knowing which platforms exist. To add a platform, write its
package under bot/ with an ``adapter.py`` (see bot/platform.py, Adapter) and add one line, its package, to PACKAGES.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from bot.platform import Adapter, Platform
from scheduler import platforms
from scheduler.notify import Notifier

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from bot.config import Settings
    from handlers.core import Core

# one line per platform: the package under bot/ whose adapter.py declares ADAPTER
PACKAGES = (
    "bot.console",
    "bot.slack",
    "bot.telegram",
    "bot.feishu",
    "bot.email",
)


def _declared(package: str) -> Adapter:
    """The Adapter a platform package declares (its adapter.py imports nothing heavy: factories load lazily)."""
    found = getattr(importlib.import_module(f"{package}.adapter"), "ADAPTER", None)
    if not isinstance(found, Adapter):
        raise TypeError(f"{package}.adapter must declare ADAPTER = Adapter(...)")
    return found


ADAPTERS: tuple[Adapter, ...] = tuple(_declared(p) for p in PACKAGES)

for _adapter in ADAPTERS:
    platforms.register(_adapter.traits)


def adapter(name: str) -> Adapter | None:
    """The adapter registered under a platform name."""
    return next((a for a in ADAPTERS if a.name == name), None)


def enabled(settings: Settings) -> list[Adapter]:
    """The adapters these settings switch on (the console always)."""
    return [a for a in ADAPTERS if a.enabled(settings)]


def front_doors(settings: Settings) -> list[Adapter]:
    """The enabled adapters that `contractbot run` starts as front doors (those with a ``create``)."""
    return [a for a in enabled(settings) if a.create is not None]


def create_platforms(settings: Settings, core: Core) -> list[Platform]:
    """Build every configured front door (nothing connects until its start())."""
    return [a.create(settings, core) for a in front_doors(settings) if a.create is not None]


def notifiers(settings: Settings, engine: Engine, running: list[Platform] | None = None) -> dict[str, Notifier]:
    """How reminders reach each enabled platform: a running front door's own notifier, else the adapter's."""
    # a running front door shares its own connection (and its flood control) with the dispatch pass
    found: dict[str, Notifier] = {p.name: p.notifier for p in running or []}
    for a in enabled(settings):
        if a.notifier is not None and a.name not in found:
            found[a.name] = a.notifier(settings, engine)
    return found
