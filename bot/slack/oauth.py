"""OAuth mode: install the app in any number of workspaces from ``/slack/install``.

bolt's OAuth flow does the work; this module gives it our settings and stores and serves its two pages on the
bot's one web server:

1. ``GET /slack/install`` answers 302 to Slack's authorize URL with the app's client id, the bot scopes, the
   redirect URL and a fresh ``state``, which also goes into a cookie for the browser (bolt checks both later);
2. Slack sends the installer back to ``GET /slack/oauth_redirect?code=…&state=…``: the state is checked
   against the cookie and the state store, the code exchanged with ``oauth.v2.access``, and the installation
   saved (bot.slack.installations), which resumes a team that had uninstalled the app.

The state is signed with SLACK_STATE_SECRET when it is set (nothing stored, so any replica can check it), else
kept in the database and good once (``slack_oauth_states``). Both expire after ten minutes.
"""

from __future__ import annotations

import asyncio
import html
import logging
import secrets
from datetime import timedelta
from urllib.parse import urlencode, urljoin

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.oauth.async_callback_options import AsyncCallbackOptions, AsyncFailureArgs, AsyncSuccessArgs
from slack_bolt.oauth.async_oauth_flow import AsyncOAuthFlow
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_bolt.response import BoltResponse
from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore
from slack_sdk.oauth.state_store.stateless import StatelessOAuthStateStore
from sqlalchemy import delete
from sqlalchemy.engine import Engine
from sqlmodel import col

from bot.config import Settings
from bot.slack.clients import api_url
from bot.slack.installations import Clock, InstallationStore
from storage.db import transaction
from storage.models import SlackOAuthState
from storage.types import utcnow

log = logging.getLogger(__name__)

INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"
STATE_SECONDS = 600  # how long an installer has between /slack/install and coming back

# What the code calls, and nothing more (manifest.yml asks for the same; tests/bot/slack/test_manifest.py checks):
# commands: /contract; chat:write: chat.postMessage, chat.postEphemeral, chat.update; files:write: files_upload_v2
# (files.getUploadURLExternal, files.completeUploadExternal); files:read: files.info and downloading a shared
# ledger; app_mentions:read: app_mention; im:history: message.im; im:write: conversations.open (reminders and
# approvals in DMs); users:read: users.info (time zone, locale, admin). views.open/publish and auth.test need none.
BOT_SCOPES = ("commands", "chat:write", "files:write", "files:read", "app_mentions:read", "im:history", "im:write",
              "users:read")
# The events the app subscribes to (app_uninstalled and tokens_revoked need no scope)
BOT_EVENTS = ("app_mention", "message.im", "app_home_opened", "app_uninstalled", "tokens_revoked")


class DatabaseStateStore(AsyncOAuthStateStore):
    """OAuth states in the database: random, good once, gone after ``expiration`` (no SLACK_STATE_SECRET)."""

    def __init__(self, engine: Engine, *, expiration: float = STATE_SECONDS, clock: Clock = utcnow) -> None:
        self.engine = engine
        self.expiration = timedelta(seconds=expiration)
        self.clock = clock

    @property
    def logger(self) -> logging.Logger:
        return log

    async def async_issue(self, *args: object, **kwargs: object) -> str:
        return await asyncio.to_thread(self.issue)

    async def async_consume(self, state: str) -> bool:
        return await asyncio.to_thread(self.consume, state)

    def issue(self) -> str:
        """A new state (and the expired ones cleared away)."""
        state, now = secrets.token_urlsafe(32), self.clock()
        with transaction(self.engine) as session:
            session.exec(delete(SlackOAuthState).where(col(SlackOAuthState.expires_at) <= now))
            session.add(SlackOAuthState(state=state, expires_at=now + self.expiration))
        return state

    def consume(self, state: str) -> bool:
        """True once for a state this store issued and that has not expired."""
        if not state or len(state) > 64:
            return False
        with transaction(self.engine) as session:
            res = session.exec(delete(SlackOAuthState).where(col(SlackOAuthState.state) == state,
                                                            col(SlackOAuthState.expires_at) > self.clock()))
            return bool(res.rowcount)


def state_store(settings: Settings, engine: Engine, *, clock: Clock = utcnow) -> AsyncOAuthStateStore:
    """Signed states with SLACK_STATE_SECRET, else states kept in the database."""
    if settings.slack_state_secret:
        return StatelessOAuthStateStore(expiration_seconds=STATE_SECONDS, signing_secret=settings.slack_state_secret,
                                        logger=log)
    return DatabaseStateStore(engine, clock=clock)


def authorize_url(settings: Settings) -> str:
    """Slack's authorize page, beside its Web API: https://slack.com/oauth/v2/authorize (or a fake's, in tests)."""
    return urljoin(api_url(settings), "../oauth/v2/authorize")


def redirect_uri(settings: Settings) -> str:
    """Where Slack sends the installer back: CONTRACTBOT_PUBLIC_URL + /slack/oauth_redirect (as in manifest.yml)."""
    return settings.public_url.rstrip("/") + REDIRECT_PATH


def oauth_settings(settings: Settings, installations: InstallationStore,
                   states: AsyncOAuthStateStore) -> AsyncOAuthSettings:
    """bolt's OAuth settings from ours (every value given, so bolt reads nothing from the environment itself)."""
    return AsyncOAuthSettings(
        client_id=settings.slack_client_id, client_secret=settings.slack_client_secret,
        scopes=list(BOT_SCOPES), user_scopes=[], redirect_uri=redirect_uri(settings),
        install_path=INSTALL_PATH, redirect_uri_path=REDIRECT_PATH,
        install_page_rendering_enabled=False,  # straight on to Slack (302), no intermediate page
        authorization_url=authorize_url(settings),
        installation_store=installations, installation_store_bot_only=True,
        state_store=states, state_expiration_seconds=STATE_SECONDS,
        callback_options=AsyncCallbackOptions(success=installed_page, failure=failed_page),
        logger=log,
    )


# -- the installer's pages ------------------------------------------------------------------------------------

PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>ContractBot</title>
<style>body{{font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;line-height:1.5}}</style>
</head><body>{body}</body></html>
"""


def _page(status: int, body: str, settings: AsyncOAuthSettings) -> BoltResponse:
    # the state cookie has done its work either way
    return BoltResponse(status=status, body=PAGE.format(body=body),
                        headers={"Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store",
                                 "Set-Cookie": [settings.state_utils.build_set_cookie_for_deletion()]})


async def installed_page(args: AsyncSuccessArgs) -> BoltResponse:
    """The installation is stored: say so in both languages, with a link that opens the app in Slack."""
    inst = args.installation
    team = html.escape(inst.team_name or inst.enterprise_name or inst.team_id or "")
    link = "slack://app?" + urlencode({"team": inst.team_id or inst.enterprise_id or "", "id": inst.app_id or ""})
    log.info("slack: installed in %s (%s) by %s", inst.team_id, inst.enterprise_id or "-", inst.user_id)
    body = (f"<h1>ContractBot is installed in {team}</h1>"
            f"<p>Type <code>/contract help</code> in any channel to start. <a href=\"{html.escape(link)}\">Open Slack</a></p>"
            f"<h1 lang=\"zh\">ContractBot 已安装到 {team}</h1>"
            f"<p lang=\"zh\">在任意频道输入 <code>/contract 帮助</code> 开始使用。<a href=\"{html.escape(link)}\">打开 Slack</a></p>")
    return _page(200, body, args.settings)


async def failed_page(args: AsyncFailureArgs) -> BoltResponse:
    """The installation did not happen: why (bolt's reason code), and the way to try again, in both languages."""
    reason = html.escape(args.reason)
    log.warning("slack: an installation failed: %s", args.reason)
    again = html.escape(args.settings.install_path)
    body = (f"<h1>ContractBot was not installed</h1><p>Reason: <code>{reason}</code>. "
            f"<a href=\"{again}\">Try again</a>, or ask the app's owner.</p>"
            f"<h1 lang=\"zh\">ContractBot 未能安装</h1><p lang=\"zh\">原因：<code>{reason}</code>。"
            f"<a href=\"{again}\">重新安装</a>，或联系应用管理员。</p>")
    return _page(args.suggested_status_code, body, args.settings)


# -- the routes -----------------------------------------------------------------------------------------------


class OAuthRoutes:
    """``/slack/install`` and ``/slack/oauth_redirect`` on the bot's web server, answered by bolt's OAuth flow."""

    paths = (INSTALL_PATH, REDIRECT_PATH)

    def __init__(self, flow: AsyncOAuthFlow) -> None:
        self.flow = flow

    def add_routes(self, app: web.Application) -> None:
        """Mount both pages (GET only: a HEAD from a link checker must not issue a state)."""
        app.router.add_get(INSTALL_PATH, self.install, allow_head=False)
        app.router.add_get(REDIRECT_PATH, self.redirect, allow_head=False)

    async def install(self, request: web.Request) -> web.Response:
        """302 to Slack's authorize page, with a new state in the URL and in a cookie."""
        response = await self.flow.handle_installation(await to_bolt_request(request))
        return await to_aiohttp_response(response)

    async def redirect(self, request: web.Request) -> web.Response:
        """Slack's redirect: check the state, exchange the code, store the installation, show the result."""
        response = await self.flow.handle_callback(await to_bolt_request(request))
        return await to_aiohttp_response(response)
