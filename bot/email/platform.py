"""E-mail as a front door of `contractbot run`: no inbox, no connection; the link pages and the SMTP notifier."""

from __future__ import annotations

from collections.abc import Mapping

from aiohttp import web

from bot.config import Settings
from bot.email.adapter import TRAITS
from bot.email.links import PATH
from bot.email.smtp import SmtpNotifier, make_mail_notifier
from bot.email.web import routes
from handlers.core import Core
from scheduler.notify import Notifier


class MailPlatform:
    """Mounts ``/mail/{link}`` on the web server and hands the dispatch pass its SMTP notifier.

    Nothing to start or stop: each e-mail opens its own SMTP connection, and the pages live in the web server.
    Without the web server (PORT taken) reminders still go out; their links then answer nothing.
    """

    def __init__(self, settings: Settings, core: Core) -> None:
        self.name = TRAITS.name
        self.core = core
        self.smtp: SmtpNotifier = make_mail_notifier(settings, core.engine)
        self.notifiers: Mapping[str, Notifier] = {}

    def use_notifiers(self, notifiers: Mapping[str, Notifier]) -> None:
        """The chat platforms' notifiers: a link's action is shown on the chat copies of the reminder too."""
        self.notifiers = notifiers

    @property
    def notifier(self) -> Notifier:
        """The SMTP notifier (shared with the dispatch pass of this process)."""
        return self.smtp

    @property
    def routes(self) -> list[str]:
        """The link pages' path, for the start-up line."""
        return [PATH.format(link="<link>")]

    @property
    def needs_http(self) -> bool:
        """Reminders go out without the web server; only their links need it."""
        return False

    def add_routes(self, app: web.Application) -> None:
        """Mount GET and POST of the link pages."""
        app.add_routes(routes(self.core, self.smtp.links, self.name, lambda: self.notifiers))

    async def start(self) -> None:
        """Nothing to connect: SMTP is reached per message."""

    async def stop(self, grace: float | None = None) -> None:
        """Nothing held."""

    async def idle(self, timeout: float = 10.0) -> None:
        """Nothing stored to apply."""
