"""The narrow protocol between the dispatch pass and each platform (Slack, Telegram, console, test fakes)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True)
class Target:
    """Where one message goes: a channel/group, or a DM to a platform user."""

    platform: str
    tenant_key: str
    chat_id: str | None = None
    user_id: str | None = None
    dm: bool = False


@dataclass(frozen=True)
class Outgoing:
    """One message to deliver. ``message`` is a handlers.replies.Reply; the scheduler does not look inside."""

    target: Target
    message: Any
    # the person to mention when a DM is impossible and the message falls back to the group
    fallback_chat_id: str | None = None


class RateLimited(Exception):
    """The platform said 429: try again after ``retry_after`` seconds."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"rate limited, retry after {retry_after}s")
        self.retry_after = retry_after


class PermanentFailure(Exception):
    """The platform refused for good (bot removed from the channel, chat not found)."""


class CannotDM(PermanentFailure):
    """The user never started a private chat with the bot (Telegram) or DMs are closed."""


class Parked(PermanentFailure):
    """The team cannot be reached until it comes back (the app was uninstalled there): hold, don't fail or retry.

    A PermanentFailure, so that a caller that does not know it (a digest) gives up on the message once.
    """


class Notifier(Protocol):
    """What each platform implements to deliver reminders and edit them afterwards."""

    def send(self, out: Outgoing) -> str:
        """Deliver a message; return a reference that ``update`` understands."""
        ...

    def update(self, ref: str, message: Any, *, tenant_key: str | None = None) -> None:
        """Replace an earlier message (e.g. to show who completed the milestone).

        ``tenant_key`` names the team whose message it is, for a platform whose reference alone does not say
        (Slack in OAuth mode: a channel id, not the workspace)."""
        ...
