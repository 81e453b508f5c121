"""What crosses from an adapter into the core: one neutral message or action, nothing native."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Sender:
    """The person who typed or clicked, as the platform knows them."""

    user_id: str
    handle: str | None = None
    display_name: str = ""
    language: str | None = None
    timezone: str | None = None
    can_dm: bool = False
    # the platform says this person administers the workspace (Slack workspace admins are team admins)
    is_admin: bool = False


@dataclass(frozen=True)
class Attachment:
    """A file that came with a message (a ledger to import): the adapter has already downloaded its bytes."""

    filename: str
    data: bytes
    mime: str | None = None


@dataclass(frozen=True)
class IncomingMessage:
    """A typed command: tenant, chat, user and text.

    Mentions in ``text`` use one neutral form: ``@handle`` or ``<@USERID|name>`` (Slack's own form;
    the Telegram adapter rewrites text mentions into it), so the grammar needs no platform knowledge.
    """

    platform: str
    tenant_key: str
    text: str
    sender: Sender
    chat_id: str = ""
    chat_type: str = "group"  # private | group | channel
    tenant_name: str = ""
    event_id: str | None = None
    # files sent with the message (Slack file share, Telegram document), downloaded by the adapter
    attachments: tuple[Attachment, ...] = ()


@dataclass(frozen=True)
class IncomingAction:
    """A click on a button: the opaque key it carried, and who clicked where."""

    platform: str
    tenant_key: str
    key: str
    sender: Sender
    chat_id: str = ""
    value: str | None = None
    message_ref: str | None = None
    chat_type: str = "group"  # private | group | channel
    # the platform's id of this press (Telegram callback query id, Slack trigger id): a redelivery is applied once
    event_id: str | None = None
