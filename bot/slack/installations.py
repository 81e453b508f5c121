"""Each workspace's installation of the app (OAuth mode), kept in the bot's own database.

bolt's OAuth flow saves an installation here at ``/slack/oauth_redirect``; bolt's authorize finds the bot token
of the workspace a request comes from; the reminder notifier finds it by the team's tenant key. Installing
resumes a team that had uninstalled the app, and uninstalling (or revoking the bot's tokens) deletes the tokens
and suspends the team, in the same transaction (scheduler.dispatch.park_team / resume_team): its reminders are
parked, not failed, and its data stays.

Rows are keyed by the app's client id and the team's tenant key (``<enterprise or ->:<team>``, as Tenant rows
spell it), so one database can serve several apps. An org-wide (Enterprise Grid) installation is kept under
``<enterprise>:-``; the manifest does not ask for one (``org_deploy_enabled: false``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from logging import Logger
from typing import Any

from slack_bolt.error import BoltError
from slack_sdk.oauth.installation_store import Bot, Installation
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from sqlalchemy import delete, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, col, select

from bot.slack.translate import PLATFORM, tenant_key
from scheduler.dispatch import park_team, resume_team
from storage import repo
from storage.db import transaction
from storage.models import SlackBot, SlackInstallation
from storage.types import utcnow

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]


def key_of(enterprise_id: str | None, team_id: str | None, is_enterprise_install: bool | None = False) -> str:
    """The tenant key an installation is kept under (an org-wide one: the enterprise's, with no team)."""
    return tenant_key(enterprise_id, None if is_enterprise_install else team_id)


def _reason(exc: SQLAlchemyError) -> str:
    """What the database said (first line, without the statement or its parameters)."""
    said = str(getattr(exc, "orig", None) or "").strip()
    return said.splitlines()[0] if said else "-"


def _epoch(value: float | int | None) -> datetime | None:
    return datetime.fromtimestamp(value, UTC) if value is not None else None


def _scopes(value: Any) -> str:
    return ",".join(value) if isinstance(value, list | tuple) else str(value or "")


class InstallationStore(AsyncInstallationStore):
    """bolt's installation store interface over our tables, plus what the notifier and the uninstall need."""

    def __init__(self, engine: Engine, *, client_id: str, clock: Clock = utcnow,
                 logger: Logger | None = None) -> None:
        self.engine = engine
        self.client_id = client_id
        self.clock = clock
        self._logger = logger or log

    @property
    def logger(self) -> Logger:
        return self._logger

    # -- saving (the OAuth redirect) -----------------------------------------------------------------------

    async def async_save(self, installation: Installation) -> None:
        """Keep an installation and its bot; a suspended team comes back. BoltError when it cannot be stored."""
        try:
            await asyncio.to_thread(self.save, installation)
        except SQLAlchemyError as exc:  # bolt turns a BoltError into its failure page ("storage_error")
            # the database's own reason only: SQLAlchemy's message (and traceback) would carry the INSERT's
            # parameters, the bot and user tokens among them
            log.error("slack: could not store the installation of %s: %s (%s)", installation.team_id,
                      exc.__class__.__name__, _reason(exc))
            raise BoltError(f"could not store the installation: {exc.__class__.__name__}") from exc

    async def async_save_bot(self, bot: Bot) -> None:
        await asyncio.to_thread(self.save_bot, bot)

    def save(self, installation: Installation) -> None:
        """One transaction: the installer's row, the workspace's bot, and the team resumed and audited."""
        key = key_of(installation.enterprise_id, installation.team_id, installation.is_enterprise_install)
        now = self.clock()
        with transaction(self.engine) as session:
            row = session.exec(select(SlackInstallation).where(
                SlackInstallation.client_id == self.client_id, SlackInstallation.tenant_key == key,
                SlackInstallation.user_id == installation.user_id)).first() or SlackInstallation(
                client_id=self.client_id, tenant_key=key, user_id=installation.user_id)
            row.app_id, row.token_type = installation.app_id, installation.token_type
            row.enterprise_id, row.enterprise_name = installation.enterprise_id, installation.enterprise_name
            row.enterprise_url = installation.enterprise_url
            row.team_id, row.team_name = installation.team_id, installation.team_name
            row.is_enterprise_install = bool(installation.is_enterprise_install)
            row.user_token, row.user_scopes = installation.user_token, _scopes(installation.user_scopes) or None
            row.user_refresh_token = installation.user_refresh_token
            row.user_token_expires_at = _epoch(installation.user_token_expires_at)
            row.bot_token, row.bot_id, row.bot_user_id = (installation.bot_token, installation.bot_id,
                                                          installation.bot_user_id)
            row.bot_scopes = _scopes(installation.bot_scopes) or None
            row.bot_refresh_token = installation.bot_refresh_token
            row.bot_token_expires_at = _epoch(installation.bot_token_expires_at)
            row.installed_at = _epoch(installation.installed_at) or now
            session.add(row)
            if installation.bot_token:
                self._put_bot(session, installation.to_bot())
            self._welcome_back(session, key, installation, now)

    def save_bot(self, bot: Bot) -> None:
        """Keep a workspace's bot (a rotated token)."""
        with transaction(self.engine) as session:
            self._put_bot(session, bot)

    def _put_bot(self, session: Session, bot: Bot) -> None:
        key = key_of(bot.enterprise_id, bot.team_id, bot.is_enterprise_install)
        row = session.exec(select(SlackBot).where(SlackBot.client_id == self.client_id,
                                                  SlackBot.tenant_key == key)).first()
        row = row or SlackBot(client_id=self.client_id, tenant_key=key, bot_token=bot.bot_token, bot_id=bot.bot_id,
                              bot_user_id=bot.bot_user_id)
        row.app_id, row.enterprise_id, row.enterprise_name = bot.app_id, bot.enterprise_id, bot.enterprise_name
        row.team_id, row.team_name = bot.team_id, bot.team_name
        row.is_enterprise_install = bool(bot.is_enterprise_install)
        row.bot_token, row.bot_id, row.bot_user_id = bot.bot_token, bot.bot_id, bot.bot_user_id
        row.bot_scopes = _scopes(bot.bot_scopes)
        row.bot_refresh_token, row.bot_token_expires_at = bot.bot_refresh_token, _epoch(bot.bot_token_expires_at)
        row.installed_at = _epoch(bot.installed_at) or self.clock()
        session.add(row)

    def _welcome_back(self, session: Session, key: str, installation: Installation, now: datetime) -> None:
        """A team that already talked to the bot: audit the installation and resume it if it was suspended."""
        tenant = repo.get_tenant(session, platform=PLATFORM, external_id=key)
        if tenant is None:  # a new team: it is created by the first message, as in single-workspace mode
            return
        repo.audit(session, tenant_id=tenant.id or 0, actor_id=None, action="slack.installed", entity="tenant",
                   entity_id=tenant.id, after={"installer": installation.user_id, "app_id": installation.app_id,
                                               "scopes": _scopes(installation.bot_scopes)})
        planned = resume_team(session, tenant=tenant, now=now)
        if planned:
            log.info("slack: %s installed the app again; %d reminder(s) planned from now", key, planned)

    # -- finding (bolt's authorize, the notifier) ------------------------------------------------------------

    async def async_find_bot(self, *, enterprise_id: str | None, team_id: str | None,
                             is_enterprise_install: bool | None = False) -> Bot | None:
        return await asyncio.to_thread(self.find_bot, key_of(enterprise_id, team_id, is_enterprise_install))

    async def async_find_installation(self, *, enterprise_id: str | None, team_id: str | None,
                                      user_id: str | None = None,
                                      is_enterprise_install: bool | None = False) -> Installation | None:
        key = key_of(enterprise_id, team_id, is_enterprise_install)
        return await asyncio.to_thread(self.find_installation, key, user_id)

    def find_bot(self, key: str) -> Bot | None:
        """The bot of a team (or of its Enterprise Grid org, when installed org-wide); None when not installed."""
        with Session(self.engine) as session:
            row = self._bot_row(session, key)
        if row is None:
            return None
        return Bot(app_id=row.app_id, enterprise_id=row.enterprise_id, enterprise_name=row.enterprise_name,
                   team_id=row.team_id, team_name=row.team_name, bot_token=row.bot_token, bot_id=row.bot_id,
                   bot_user_id=row.bot_user_id, bot_scopes=row.bot_scopes, bot_refresh_token=row.bot_refresh_token,
                   bot_token_expires_at=row.bot_token_expires_at, is_enterprise_install=row.is_enterprise_install,
                   installed_at=row.installed_at)

    def bot_token(self, key: str) -> str | None:
        """The token a team's messages go out with (the notifier); None when the app is not installed there."""
        with Session(self.engine) as session:
            row = self._bot_row(session, key)
        return row.bot_token if row is not None else None

    def _bot_row(self, session: Session, key: str) -> SlackBot | None:
        keys = [key]
        enterprise = key.split(":", 1)[0]
        if enterprise != "-" and not key.endswith(":-"):
            keys.append(tenant_key(enterprise, None))  # a workspace of an org-wide installation
        rows = {r.tenant_key: r for r in session.exec(select(SlackBot).where(
            SlackBot.client_id == self.client_id, col(SlackBot.tenant_key).in_(keys))).all()}
        return next((rows[k] for k in keys if k in rows), None)

    def find_installation(self, key: str, user_id: str | None = None) -> Installation | None:
        """The latest installation of a team, or the one ``user_id`` made there."""
        with Session(self.engine) as session:
            query = select(SlackInstallation).where(SlackInstallation.client_id == self.client_id,
                                                    SlackInstallation.tenant_key == key)
            if user_id is not None:
                query = query.where(SlackInstallation.user_id == user_id)
            row = session.exec(query.order_by(col(SlackInstallation.installed_at).desc(),
                                              col(SlackInstallation.id).desc())).first()
            bot = self._bot_row(session, key) if row is not None else None
        if row is None:
            return None
        # the bot is the workspace's current one (the installer's row keeps what was granted at the time)
        return Installation(
            app_id=row.app_id, enterprise_id=row.enterprise_id, enterprise_name=row.enterprise_name,
            enterprise_url=row.enterprise_url, team_id=row.team_id, team_name=row.team_name,
            bot_token=bot.bot_token if bot else None, bot_id=bot.bot_id if bot else None,
            bot_user_id=bot.bot_user_id if bot else None, bot_scopes=bot.bot_scopes if bot else "",
            bot_refresh_token=bot.bot_refresh_token if bot else None,
            bot_token_expires_at=bot.bot_token_expires_at if bot else None,
            user_id=row.user_id, user_token=row.user_token, user_scopes=row.user_scopes or "",
            user_refresh_token=row.user_refresh_token, user_token_expires_at=row.user_token_expires_at,
            is_enterprise_install=row.is_enterprise_install, token_type=row.token_type,
            installed_at=row.installed_at)

    # -- deleting (uninstall, revoked tokens) --------------------------------------------------------------

    async def async_delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        await asyncio.to_thread(self.revoke, key_of(enterprise_id, team_id), bot=True, users=(),
                                reason="bot token revoked")

    async def async_delete_installation(self, *, enterprise_id: str | None, team_id: str | None,
                                        user_id: str | None = None) -> None:
        await asyncio.to_thread(self.revoke, key_of(enterprise_id, team_id), bot=False,
                                users=None if user_id is None else (user_id,), reason="user token revoked")

    async def async_delete_all(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        await asyncio.to_thread(self.uninstall, key_of(enterprise_id, team_id))

    def uninstall(self, key: str, *, reason: str = "app uninstalled") -> bool:
        """The app left a team: its tokens go and the team is suspended (reminders parked). False if unknown."""
        return self.revoke(key, bot=True, users=None, reason=reason)

    def revoke(self, key: str, *, bot: bool, users: tuple[str, ...] | None, reason: str,
               only_token: str | None = None) -> bool:
        """Delete a team's bot token (``bot``) and installations (of ``users``; None: all) in one transaction.

        Without its bot token the team cannot be reached: it is suspended and its reminders are parked.
        ``only_token``: do it only while that is still the team's bot token (a send that found it dead must not
        undo a reinstall that happened meanwhile). Returns whether the bot token was deleted.
        """
        now = self.clock()
        with transaction(self.engine) as session:
            current = session.exec(select(SlackBot).where(SlackBot.client_id == self.client_id,
                                                          SlackBot.tenant_key == key)).first()
            if only_token is not None and (current is None or current.bot_token != only_token):
                return False
            mine = (col(SlackInstallation.client_id) == self.client_id, col(SlackInstallation.tenant_key) == key)
            if users is None or users:
                installs = delete(SlackInstallation).where(*mine)
                if users is not None:
                    installs = installs.where(col(SlackInstallation.user_id).in_(users))
                session.exec(installs)
            if not bot:
                return False
            # a dead token is not kept anywhere
            session.exec(update(SlackInstallation).where(*mine).values(bot_token=None, bot_refresh_token=None))
            if current is not None:
                session.delete(current)
            tenant = repo.get_tenant(session, platform=PLATFORM, external_id=key)
            if tenant is not None:
                parked = park_team(session, tenant=tenant, now=now, reason=reason)
                log.info("slack: %s: %s; team suspended, %d reminder(s) parked", key, reason, parked)
            return current is not None
