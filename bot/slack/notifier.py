"""Reminders to Slack for the dispatch pass: post, edit, and Slack errors mapped to the scheduler's."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.config import Settings
from bot.slack import render, uploads
from bot.slack.clients import make_web_client
from scheduler.notify import CannotDM, Outgoing, PermanentFailure, RateLimited

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


def make_slack_notifier(settings: Settings) -> SlackNotifier:
    """A notifier on the bot token, pointed at SLACK_API_URL when set, retrying once on 429."""
    return SlackNotifier(make_web_client(settings))


class SlackNotifier:
    """Posts reminder Replies as Block Kit messages; references are ``<channel>:<ts>``."""

    name = "slack"

    def __init__(self, client: WebClient) -> None:
        self.client = client
        self._dm: dict[str, str] = {}

    def send(self, out: Outgoing) -> str:
        """Post to the channel, or to the user's DM (conversations.open); return ``channel:ts``.

        The message's pictures (a digest's charts) and documents follow as an upload into the same channel.
        """
        target = out.target
        if target.dm:
            channel = self._open_dm(target.user_id or "")
            with _mapped(dm=True):
                resp = self.client.chat_postMessage(channel=channel, **render.message(out.message))
        else:
            with _mapped():
                resp = self.client.chat_postMessage(channel=target.chat_id or "", **render.message(out.message))
        self._attach(resp["channel"], uploads.files_of(out.message))
        return f"{resp['channel']}:{resp['ts']}"

    def update(self, ref: str, message: Any) -> None:
        """Edit an earlier message in place (e.g. '✅ Done by @bob'), its buttons replaced or gone."""
        channel, ts = parse_ref(ref)
        with _mapped():
            self.client.chat_update(channel=channel, ts=ts, **render.message(message))

    def _attach(self, channel: str, files: list[uploads.File]) -> None:
        # The text is out and its reference is what the dispatch pass records: a failed upload must not
        # turn into an error, or the row would be retried and the text posted twice.
        if not files:
            return
        try:
            uploads.upload_sync(self.client, channel, files)
        except uploads.UPLOAD_ERRORS as exc:
            log.warning("could not upload %s to %s: %s", uploads.what(files), channel, uploads.describe(exc))

    def _open_dm(self, user_id: str) -> str:
        if user_id not in self._dm:
            with _mapped(dm=True):
                resp = self.client.conversations_open(users=user_id)
            self._dm[user_id] = resp["channel"]["id"]
        return self._dm[user_id]


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
