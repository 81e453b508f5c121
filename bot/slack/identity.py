"""Who is who: a Slack user's name, time zone and language from users.info, cached in memory."""

from __future__ import annotations

import logging
import time

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from handlers.messages import Sender

log = logging.getLogger(__name__)


class Directory:
    """Looks people up once per ``ttl`` seconds (time zones and locales rarely change)."""

    def __init__(self, ttl: float = 6 * 3600) -> None:
        self.ttl = ttl
        self._known: dict[tuple[str, str], tuple[float, Sender]] = {}

    async def sender(self, client: AsyncWebClient, *, tenant: str, user_id: str, handle: str | None = None) -> Sender:
        """The sender with tz and locale; a bare id when Slack cannot say (not cached, so asked again)."""
        found = self._known.get((tenant, user_id))
        if found is not None and time.monotonic() - found[0] < self.ttl:
            return found[1]
        try:
            resp = await client.users_info(user=user_id, include_locale=True)
        except SlackApiError as exc:
            log.info("users.info %s failed: %s", user_id, exc.response.get("error"))
            return Sender(user_id=user_id, handle=handle)
        sender = sender_of(resp["user"], handle)
        self._known[(tenant, user_id)] = (time.monotonic(), sender)
        return sender


def sender_of(user: dict, handle: str | None = None) -> Sender:
    """A users.info ``user`` object as a Sender (locale 'zh-CN' -> language, tz -> timezone, admin flag)."""
    profile = user.get("profile") or {}
    name = user.get("name") or handle
    return Sender(
        user_id=user["id"], handle=name,
        display_name=profile.get("display_name") or profile.get("real_name") or user.get("real_name") or name or "",
        language=user.get("locale"), timezone=user.get("tz"),
        # workspace admins and owners administer the bot's team too
        is_admin=bool(user.get("is_admin") or user.get("is_owner")),
    )
