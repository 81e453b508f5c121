"""The console in the registry: one person's terminal, one team per chat name, no DMs, no buttons."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.platform import Adapter
from scheduler.notify import Notifier
from scheduler.platforms import Traits

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from bot.config import Settings

TRAITS = Traits(name="console", team_per_chat=True, direct_messages=False, dm_first=False, single_user=True,
                max_text=100_000, mention="@{name}")


def _enabled(settings: Settings) -> bool:
    return True  # it needs no token; its chat runs in the foreground (`contractbot console`), not as a front door


def _notifier(settings: Settings, engine: Engine) -> Notifier:
    from bot.console.notifier import ConsoleNotifier

    return ConsoleNotifier(reports_dir=settings.reports_dir)


ADAPTER = Adapter(traits=TRAITS, enabled=_enabled, notifier=_notifier)
