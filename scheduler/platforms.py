"""What the core may know about a platform: its traits, as data, looked up by the platform's name.

Each adapter under bot/ declares a :class:`Traits` and bot/registry.py registers it here at import time
(``bot`` sits above ``handlers`` and ``scheduler``, so the adapters plug in from the top and the core never
imports them). The core and the scheduler read traits and never compare platform names.

A name nobody registered gets :data:`GENERIC`: a workspace-style platform that can write to anyone, with
no buttons and no edits, which is the safest reading for a message (nothing is promised that cannot be done).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Limits:
    """Messages per second overall and per chat, and per minute in a group (None: no limit known)."""

    overall_per_s: float | None = None
    per_chat_per_s: float | None = None
    per_group_per_min: float | None = None


@dataclass(frozen=True)
class Traits:
    """How a platform behaves, in the terms the core decides by.

    - ``team_per_chat``: each group chat is its own team (Telegram, Feishu, the console), so the team's chat
      is where its news goes and no other chat may be named; otherwise the workspace is the team and its
      channels are named by id (Slack).
    - ``direct_messages``: the bot can talk to one person privately at all (the console cannot).
    - ``dm_first``: the bot may open that private chat itself, to someone who never wrote to it (Slack,
      Feishu, e-mail); otherwise a person must start it first (Telegram).
    - ``single_user``: the chat is one person's own screen (the console), so a secret may be shown in place.
    - ``named_chats``: another chat may be named as where a team's or a contract's news goes (Slack channels;
      the console's chat names are labels on one screen). Where a team is one group chat that could leak its
      news to strangers, only the team's own chat is allowed (Telegram, Feishu).
    - ``edits``: sent messages can be edited (a reminder becomes "✅ done by …" in place).
    - ``buttons``: messages carry buttons; without them the typed command is the way to act.
    - ``max_text``: the longest message text the platform takes, in characters.
    - ``mention``: how a person is mentioned, with ``{id}`` and ``{name}`` (documentation for renderers).
    - ``limits``: the platform's published rate limits, which the dispatch pass keeps under.
    - ``mailbox``: it reaches a person at an address of their own, outside any team's chat (e-mail): reminders
      for a team on any platform may also go through it, to the people who gave an address. What it sends
      cannot be edited or recalled afterwards.
    - ``chat_link``: a web address that opens a chat, from the team's id and the chat's id, or None where the
      platform has none for it (a calendar event links back to where its contract is discussed).
    """

    name: str
    team_per_chat: bool = False
    direct_messages: bool = True
    dm_first: bool = True
    single_user: bool = False
    named_chats: bool = True
    edits: bool = False
    buttons: bool = False
    max_text: int = 4000
    mention: str = "@{name}"
    limits: Limits = field(default_factory=Limits)
    mailbox: bool = False
    chat_link: Callable[[str, str], str | None] | None = None


GENERIC = Traits(name="generic")

_REGISTERED: dict[str, Traits] = {}
_LOCK = threading.Lock()


def register(traits: Traits) -> None:
    """Make a platform's traits known to the core (bot/registry.py does this for every adapter)."""
    with _LOCK:
        _REGISTERED[traits.name] = traits


def traits(platform: str) -> Traits:
    """The traits of a platform by name; :data:`GENERIC` for a name no adapter registered."""
    return _REGISTERED.get(platform, GENERIC)


def registered() -> dict[str, Traits]:
    """Every registered platform's traits, by name (a copy)."""
    with _LOCK:
        return dict(_REGISTERED)


def mailbox() -> Traits | None:
    """The registered platform that reaches people at their own address (e-mail); None when there is none."""
    with _LOCK:
        return next((t for t in _REGISTERED.values() if t.mailbox), None)
