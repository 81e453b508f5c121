"""Slack in the registry: a workspace is the team, the bot may DM anyone, messages have buttons and edits."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from bot.platform import Adapter, Platform
from scheduler.notify import Notifier
from scheduler.platforms import Limits, Traits

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from bot.config import Settings
    from handlers.core import Core

# Slack allows about one message per second per channel (chat.postMessage, "special" tier)
TRAITS = Traits(name="slack", team_per_chat=False, direct_messages=True, dm_first=True, edits=True, buttons=True,
                max_text=3000, mention="<@{id}>", limits=Limits(per_chat_per_s=1),
                # a channel by its id (C…, G…) in the workspace's web client (the desktop app takes it over)
                chat_link=lambda team, chat: (f"https://app.slack.com/client/{team}/{chat}"
                                              if re.fullmatch(r"[CG][A-Z0-9]{6,}", chat) and team else None))


def _enabled(settings: Settings) -> bool:
    return settings.slack_enabled


def _create(settings: Settings, core: Core) -> Platform:
    from bot.slack.platform import create

    return create(settings, core)


def _notifier(settings: Settings, engine: Engine) -> Notifier:
    from bot.slack.notifier import make_slack_notifier

    return make_slack_notifier(settings, engine)  # OAuth mode: each workspace's token from the database


ADAPTER = Adapter(traits=TRAITS, enabled=_enabled, create=_create, notifier=_notifier,
                  libraries=("slack_sdk", "slack_bolt"),
                  switches=("SLACK_BOT_TOKEN", "SLACK_CLIENT_ID"))
