"""Telegram in the registry: each group is its own team, and a person must start the bot before it may DM them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.platform import Adapter, Platform
from scheduler.notify import Notifier
from scheduler.platforms import Limits, Traits

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from bot.config import Settings
    from handlers.core import Core

# Telegram's documented limits: 30 messages a second overall, 1 a second per chat, 20 a minute per group
TRAITS = Traits(name="telegram", team_per_chat=True, named_chats=False, direct_messages=True, dm_first=False, edits=True, buttons=True,
                max_text=4096, mention='<a href="tg://user?id={id}">{name}</a>',
                limits=Limits(overall_per_s=30, per_chat_per_s=1, per_group_per_min=20),
                # a supergroup (-100…) opens for its members at t.me/c/…; a basic group has no address
                chat_link=lambda team, chat: f"https://t.me/c/{chat[4:]}" if chat.startswith("-100") else None)


def _enabled(settings: Settings) -> bool:
    return settings.telegram_enabled


def _create(settings: Settings, core: Core) -> Platform:
    from bot.telegram.platform import create

    return create(settings, core)


def _notifier(settings: Settings, engine: Engine) -> Notifier:
    from bot.telegram.notifier import make_telegram_notifier

    return make_telegram_notifier(settings)


ADAPTER = Adapter(traits=TRAITS, enabled=_enabled, create=_create, notifier=_notifier,
                  libraries=("telegram",),
                  switches=("TELEGRAM_BOT_TOKEN",))
