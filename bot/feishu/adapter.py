"""Feishu in the registry: each group is its own team, the bot may write to anyone it can see, cards are edited."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.platform import Adapter, Platform
from scheduler.notify import Notifier
from scheduler.platforms import Limits, Traits

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from bot.config import Settings
    from handlers.core import Core

# Sending messages: 50 a second per app (1,000 a minute), 5 a second to one user or one group (shared by the
# group's bots); a card is at most 30 KB, which the renderer keeps under (bot.feishu.render)
TRAITS = Traits(name="feishu", team_per_chat=True, named_chats=False, direct_messages=True, dm_first=True,
                edits=True, buttons=True, max_text=8000, mention="<at id={id}></at>",
                limits=Limits(overall_per_s=50, per_chat_per_s=5),
                # Feishu's AppLink that opens a group chat by its open_chat_id
                chat_link=lambda team, chat: (f"https://applink.feishu.cn/client/chat/open?openChatId={chat}"
                                              if chat.startswith("oc_") else None))


def _enabled(settings: Settings) -> bool:
    return settings.feishu_enabled


def _create(settings: Settings, core: Core) -> Platform:
    from bot.feishu.platform import create

    return create(settings, core)


def _notifier(settings: Settings, engine: Engine) -> Notifier:
    from bot.feishu.notifier import make_feishu_notifier

    return make_feishu_notifier(settings)


ADAPTER = Adapter(traits=TRAITS, enabled=_enabled, create=_create, notifier=_notifier,
                  libraries=("lark_oapi",),
                  switches=("FEISHU_APP_ID",))
