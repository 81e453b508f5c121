"""Slack payloads -> neutral IncomingMessage / IncomingAction; nothing Slack-shaped goes further."""

from __future__ import annotations

import json
import re
from typing import Any

from handlers.i18n import norm_lang
from handlers.messages import Attachment, IncomingAction, IncomingMessage, Sender

PLATFORM = "slack"

# Slack wraps its own markup in <...> and sends a literal < > & typed by the user as entities.
_TOKEN = re.compile(r"<([^<>]*)>")
_SPECIAL = {"here", "channel", "everyone"}


def tenant_key(enterprise_id: str | None, team_id: str | None) -> str:
    """The team a request belongs to: ``<enterprise or ->:<team>``."""
    return f"{enterprise_id or '-'}:{team_id or '-'}"


# A word joiner after a typed "<" before "@" or "#": the text still reads the same, but typed "<@U…|boss>"
# can never pass for a real Slack mention (which arrives unescaped) and bind someone else's identity.
_TYPED_MENTION = re.compile(r"<(?=[@#])")


def unescape(text: str) -> str:
    """Undo Slack's three entities (&amp; last, so '&amp;lt;' stays '&lt;')."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def unescape_typed(text: str) -> str:
    """Decode what the user typed, defusing any mention-like markup they typed themselves."""
    return _TYPED_MENTION.sub("<\u2060", unescape(text))


def command_text(text: str) -> str:
    """Slack's encoded text as the user meant it: entities decoded, user and channel mentions kept as-is.

    The core reads ``<@U…|name>`` as a person and ``<#C…|name>`` as a channel (settings channel …). Other
    markup becomes what the user saw: ``<https://x.io|x.io>`` -> ``x.io``, ``<!channel>`` -> ``@channel``
    (so it can never ping when echoed).
    """
    out: list[str] = []
    pos = 0
    for m in _TOKEN.finditer(text):
        out.append(unescape_typed(text[pos:m.start()]))
        out.append(_token(m.group(1)))
        pos = m.end()
    out.append(unescape_typed(text[pos:]))
    return "".join(out)


def _token(inner: str) -> str:
    target, _, label = inner.partition("|")
    if target.startswith(("@", "#")):
        return f"<{inner}>"  # a person or a channel: the core reads the id from it
    if target.startswith("!"):
        word = target[1:].split("^")[0]
        return unescape(label) if label else ("@" + word if word in _SPECIAL else word)
    return unescape(label or target.removeprefix("mailto:"))


def strip_bot_mention(text: str, bot_user_id: str | None) -> str:
    """Drop the leading ``<@BOT>`` of an app_mention ("<@UBOT> list overdue" -> "list overdue")."""
    who = re.escape(bot_user_id) if bot_user_id else r"[^|>]+"
    return re.sub(rf"^\s*<@{who}(?:\|[^>]*)?>[\s:,，]*", "", text, count=1)


def is_dm(channel_id: str | None) -> bool:
    """Direct-message channel ids start with D."""
    return (channel_id or "").startswith("D")


def command_message(command: dict[str, Any], *, tenant: str, sender: Sender) -> IncomingMessage:
    """A ``/contract …`` form as a neutral message; its trigger id makes a second delivery a no-op in the core.

    (The inbox already stores a replayed request once; the event id also covers a command whose work was done
    when the process died, before its inbox row was marked applied.)
    """
    channel = command.get("channel_id", "")
    private = is_dm(channel) or command.get("channel_name") == "directmessage"
    trigger = command.get("trigger_id")
    return IncomingMessage(
        platform=PLATFORM, tenant_key=tenant, text=command_text(command.get("text") or ""), sender=sender,
        chat_id=channel, chat_type="private" if private else "group", tenant_name=command.get("team_domain", ""),
        event_id=f"command:{trigger}"[:128] if trigger else None,
    )


def event_message(body: dict[str, Any], text: str, *, tenant: str, sender: Sender,
                  attachments: tuple[Attachment, ...] = ()) -> IncomingMessage:
    """An app_mention or DM event as a neutral message; the event id makes Slack's retries harmless.

    ``attachments`` are the message's files, already downloaded (an ``import`` with a ledger).
    """
    event = body["event"]
    channel = event.get("channel", "")
    return IncomingMessage(
        platform=PLATFORM, tenant_key=tenant, text=command_text(text), sender=sender, chat_id=channel,
        chat_type="private" if is_dm(channel) else "group", event_id=body.get("event_id"), attachments=attachments,
    )


# Message subtypes that are still a person typing to the bot: a plain message, or one with files shared
# (``file_share``: the text is the comment typed with the upload). Edits, joins, bot posts are not.
PERSON_SUBTYPES = frozenset({None, "file_share"})


def typed_by_person(event: dict[str, Any]) -> bool:
    """A message or mention written by a person (not a bot, a workflow, an edit or a join)."""
    return event.get("subtype") in PERSON_SUBTYPES and not event.get("bot_id") and bool(event.get("user"))


def clicked_ref(body: dict[str, Any]) -> str | None:
    """``<channel>:<ts>`` of the message a button sat on (None for ephemeral messages and the Home tab)."""
    container = body.get("container") or {}
    if container.get("type") != "message" or container.get("is_ephemeral"):
        return None
    channel = container.get("channel_id") or (body.get("channel") or {}).get("id")
    ts = container.get("message_ts") or (body.get("message") or {}).get("ts")
    return f"{channel}:{ts}" if channel and ts else None


def clicked_channel(body: dict[str, Any]) -> str | None:
    """The channel a click came from, if any (Home tab clicks have none)."""
    return (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")


def action_kind(action: dict[str, Any]) -> str:
    """``done`` from ``contract:done:<key>``."""
    parts = action.get("action_id", "").split(":")
    return parts[1] if len(parts) > 1 else ""


def action_key(action: dict[str, Any]) -> str:
    """The opaque key of a click: an option's value, a button's value, or the tail of the action id."""
    option = action.get("selected_option")
    if option:
        return option.get("value", "")
    if action.get("value"):
        return action["value"]
    return action.get("action_id", "").split(":", 2)[-1]


def action_value(action: dict[str, Any]) -> str | None:
    """What the user chose: a date (YYYY-MM-DD) from the picker or a user id from the user picker."""
    return action.get("selected_date") or action.get("selected_user")


def incoming_action(body: dict[str, Any], action: dict[str, Any], *, tenant: str, sender: Sender) -> IncomingAction:
    """A click as a neutral action."""
    return IncomingAction(
        platform=PLATFORM, tenant_key=tenant, key=action_key(action), sender=sender,
        chat_id=clicked_channel(body) or "", value=action_value(action), message_ref=clicked_ref(body),
    )


def modal_metadata(view: dict[str, Any]) -> dict[str, Any]:
    """What surfaces.value_modal stored in private_metadata: key, ref and channel."""
    try:
        data = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        data = {}
    return data if isinstance(data, dict) else {}


def modal_value(view: dict[str, Any]) -> str:
    """The text typed into the one-field modal."""
    return ((view.get("state") or {}).get("values") or {}).get("value", {}).get("value", {}).get("value") or ""


def incoming_submission(view: dict[str, Any], *, tenant: str, sender: Sender) -> IncomingAction:
    """A submitted note/payment modal as the click it completes, with the typed text as the value."""
    meta = modal_metadata(view)
    return IncomingAction(
        platform=PLATFORM, tenant_key=tenant, key=str(meta.get("key") or ""), sender=sender,
        chat_id=str(meta.get("channel") or ""), value=modal_value(view), message_ref=meta.get("ref") or None,
    )


def home_message(*, tenant: str, sender: Sender) -> IncomingMessage:
    """'My milestones' for the Home tab, asked in the user's language (the core answers in the text's)."""
    text = "我的" if norm_lang(sender.language) == "zh" else "list mine"
    return IncomingMessage(platform=PLATFORM, tenant_key=tenant, text=text, sender=sender, chat_type="private")
