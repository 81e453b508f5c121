"""Reminders to Slack for the dispatch pass: post, edit, and Slack errors mapped to the scheduler's.

One workspace (SLACK_BOT_TOKEN): every message goes out with that token. OAuth mode: each message goes out with
the bot token of the workspace it is for, found by the target's tenant key in the installation store; a team
without one (the app was uninstalled there) raises ``Parked``, so its reminders wait instead of failing, and a
token Slack says is dead suspends the team the same way (once, without retrying).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.engine import Engine

from bot.config import Settings
from bot.slack import render, uploads
from bot.slack.clients import make_web_client
from bot.slack.installations import InstallationStore
from scheduler.notify import CannotDM, Outgoing, Parked, PermanentFailure, RateLimited

log = logging.getLogger(__name__)

_TS = re.compile(r"^\d+\.\d+$")  # Slack message timestamps: seconds.sequence

# Errors that will not go away by retrying: the row is marked failed and the contract owner told.
PERMANENT = frozenset({
    "channel_not_found", "not_in_channel", "is_archived", "account_inactive", "user_not_found",
    "user_disabled", "cannot_dm_bot", "restricted_action", "restricted_action_read_only_channel",
    "restricted_action_thread_only_channel", "ekm_access_denied", "team_access_not_granted",
    "invalid_auth", "not_authed", "token_revoked", "token_expired", "no_permission", "missing_scope",
    "invalid_blocks", "invalid_blocks_format", "msg_too_long", "too_many_attachments",
    "message_not_found", "cant_update_message", "edit_window_closed", "invalid_ref",
})


# Errors that say the token itself is dead (the app was uninstalled, the token revoked): in OAuth mode the team
# is suspended and the reminder parked; with one fixed token they stay permanent failures, as before.
DEAD_TOKEN = frozenset({"token_revoked", "invalid_auth", "not_authed", "account_inactive", "token_expired"})


def make_slack_notifier(settings: Settings, engine: Engine | None = None, *,
                        installations: InstallationStore | None = None) -> SlackNotifier:
    """A notifier pointed at SLACK_API_URL when set, retrying once on 429.

    One workspace: on SLACK_BOT_TOKEN. OAuth mode: on each workspace's own bot token, read from the
    installation store on ``engine`` (required then).
    """
    if not settings.slack_oauth_enabled:
        return SlackNotifier(make_web_client(settings))
    if installations is None:
        if engine is None:
            raise ValueError("Slack OAuth mode: the reminder notifier needs the database engine")
        installations = InstallationStore(engine, client_id=settings.slack_client_id or "")
    return SlackNotifier(teams=TeamClients(installations, lambda token: make_web_client(settings, token=token)))


class TeamClients:
    """One Web API client per installed workspace, on its bot token from the installation store (OAuth mode)."""

    def __init__(self, installations: InstallationStore, factory: Callable[[str], WebClient]) -> None:
        self.installations = installations
        self.factory = factory
        self._clients: dict[str, WebClient] = {}  # tenant key -> client on that team's current token

    def client(self, tenant_key: str) -> WebClient:
        """The team's client; Parked when the app is not installed there (any more)."""
        token = self.installations.bot_token(tenant_key)
        if token is None:
            self._clients.pop(tenant_key, None)
            raise Parked(f"the Slack app is not installed in {tenant_key}")
        client = self._clients.get(tenant_key)
        if client is None or client.token != token:  # first use, or reinstalled with a new token
            client = self._clients[tenant_key] = self.factory(token)
        return client

    def dead(self, tenant_key: str, token: str | None, error: str) -> None:
        """Slack refused the team's token: delete it and suspend the team, unless a reinstall replaced it."""
        self._clients.pop(tenant_key, None)
        if token and self.installations.revoke(tenant_key, bot=True, users=None, only_token=token,
                                               reason=f"Slack refused the bot token ({error})"):
            log.warning("slack: the bot token of %s is dead (%s): team suspended until it installs the app again",
                        tenant_key, error)


class SlackNotifier:
    """Posts reminder Replies as Block Kit messages; references are ``<channel>:<ts>``.

    Built on one client (one workspace) or on ``teams`` (OAuth mode: the client of the target's workspace).
    """

    name = "slack"

    def __init__(self, client: WebClient | None = None, *, teams: TeamClients | None = None) -> None:
        if (client is None) == (teams is None):
            raise ValueError("give SlackNotifier exactly one of: a client, the teams' clients")
        self.client = client
        self.teams = teams
        self._dm: dict[tuple[str, str], str] = {}  # (tenant key, user) -> DM channel

    def send(self, out: Outgoing) -> str:
        """Post to the channel, or to the user's DM (conversations.open); return ``channel:ts``.

        The message's pictures (a digest's charts) and documents follow as an upload into the same channel.
        """
        target = out.target
        client = self._client(target.tenant_key)
        if target.dm:
            channel = self._open_dm(client, target.tenant_key, target.user_id or "")
            with self._mapped(client, target.tenant_key, dm=True):
                resp = client.chat_postMessage(channel=channel, **render.message(out.message))
        else:
            with self._mapped(client, target.tenant_key):
                resp = client.chat_postMessage(channel=target.chat_id or "", **render.message(out.message))
        self._attach(client, resp["channel"], uploads.files_of(out.message))
        return f"{resp['channel']}:{resp['ts']}"

    def update(self, ref: str, message: Any, *, tenant_key: str | None = None) -> None:
        """Edit an earlier message in place (e.g. '✅ Done by @bob'), its buttons replaced or gone.

        OAuth mode needs the team (``tenant_key``): a reference names a channel, not the workspace it is in.
        """
        channel, ts = parse_ref(ref)
        if self.teams is not None and tenant_key is None:
            raise PermanentFailure("Slack OAuth mode: which workspace's message is this? (no tenant key)")
        client = self._client(tenant_key or "")
        with self._mapped(client, tenant_key or ""):
            client.chat_update(channel=channel, ts=ts, **render.message(message))

    def _client(self, tenant_key: str) -> WebClient:
        if self.teams is not None:
            return self.teams.client(tenant_key)
        assert self.client is not None
        return self.client

    @contextmanager
    def _mapped(self, client: WebClient, tenant_key: str, *, dm: bool = False) -> Iterator[None]:
        try:
            with _mapped(dm=dm):
                yield
        except PermanentFailure as exc:
            error = str(exc.__cause__.response.get("error") or "") if isinstance(exc.__cause__, SlackApiError) else ""
            if self.teams is None or error not in DEAD_TOKEN:
                raise
            self.teams.dead(tenant_key, client.token, error)
            raise Parked(f"Slack refused the bot token of {tenant_key} ({error})") from exc

    def _attach(self, client: WebClient, channel: str, files: list[uploads.File]) -> None:
        # The text is out and its reference is what the dispatch pass records: a failed upload must not
        # turn into an error, or the row would be retried and the text posted twice.
        if not files:
            return
        try:
            uploads.upload_sync(client, channel, files)
        except uploads.UPLOAD_ERRORS as exc:
            log.warning("could not upload %s to %s: %s", uploads.what(files), channel, uploads.describe(exc))

    def _open_dm(self, client: WebClient, tenant_key: str, user_id: str) -> str:
        key = (tenant_key, user_id)
        if key not in self._dm:
            with self._mapped(client, tenant_key, dm=True):
                resp = client.conversations_open(users=user_id)
            self._dm[key] = resp["channel"]["id"]
        return self._dm[key]


TRANSIENT_RETRY = 30.0  # seconds before a reminder that met a Slack server or network error is tried again


def parse_ref(ref: str) -> tuple[str, str]:
    """``C0001:1764200000.000100`` -> (channel, ts); PermanentFailure for anything else."""
    channel, _, ts = ref.partition(":")
    if not channel or not _TS.match(ts):
        raise PermanentFailure(f"not a Slack message reference: {ref!r}")
    return channel, ts


def error_of(exc: SlackApiError) -> Exception:
    """The scheduler's view of a Slack failure: RateLimited, PermanentFailure, or the original error."""
    resp = exc.response
    code = resp.get("error") if isinstance(resp.data, dict) else None
    if resp.status_code == 429 or code == "ratelimited":
        return RateLimited(retry_after(resp.headers))
    if code in PERMANENT:
        return PermanentFailure(code)
    # server errors and timeouts: try again on a later pass rather than abort the whole pass
    return RateLimited(TRANSIENT_RETRY)


def retry_after(headers: dict[str, Any]) -> float:
    """Seconds from a Retry-After header (whatever its case), 1 when absent or unreadable."""
    for name, value in headers.items():
        if name.lower() == "retry-after":
            value = value[0] if isinstance(value, list) else value
            try:
                return float(value)
            except (TypeError, ValueError):
                break
    return 1.0


@contextmanager
def _mapped(*, dm: bool = False) -> Iterator[None]:
    try:
        yield
    except SlackApiError as exc:
        err = error_of(exc)
        if dm and isinstance(err, PermanentFailure):
            # the dispatch pass falls back to the contract's channel with a mention
            raise CannotDM(str(err)) from exc
        if err is exc:
            raise
        raise err from exc
