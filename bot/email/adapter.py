"""E-mail in the registry: it reaches people at their own address, whatever chat their team uses.

It takes no messages: `contractbot run` mounts the pages of the reminders' one-time links on the web server, and
reminders reach people through its notifier (SMTP), in `run` and in `contractbot dispatch` alike.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.platform import Adapter, Platform
from scheduler.notify import Notifier
from scheduler.platforms import Limits, Traits

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from bot.config import Settings
    from handlers.core import Core

# Mail servers publish no common limit; a few a second overall and one a second per address keeps a relay (and
# the receiving servers' greylisting) calm. A 4xx answer still puts the reminder back in the outbox.
TRAITS = Traits(name="email", team_per_chat=False, direct_messages=True, dm_first=True, edits=False, buttons=False,
                max_text=100_000, mention="{name}", limits=Limits(overall_per_s=5, per_chat_per_s=1), mailbox=True)


def _enabled(settings: Settings) -> bool:
    return settings.email_enabled


def _create(settings: Settings, core: Core) -> Platform:
    from bot.email.platform import MailPlatform

    return MailPlatform(settings, core)


def _notifier(settings: Settings, engine: Engine) -> Notifier:
    from bot.email.smtp import make_mail_notifier

    return make_mail_notifier(settings, engine)


ADAPTER = Adapter(traits=TRAITS, enabled=_enabled, create=_create, notifier=_notifier,
                  libraries=("smtplib",), switches=("SMTP_URL",))
