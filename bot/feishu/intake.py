"""Feishu's HTTP callbacks into the inbox: ``POST /feishu/events`` for events and card actions alike.

In this order:
1. the request is checked (bot.feishu.security): signature, decryption, verification token; a request that
   fails gets 401 (not from Feishu, or not for this app) or 400 (not a readable event), with a WARNING line;
2. Feishu's URL check is answered with its ``challenge``;
3. a message (``im.message.receive_v1``) or a card action (``card.action.trigger``) is written to the inbox,
   then acknowledged with ``{}``. In a group that is a message that mentions the bot or a file (a ledger someone
   may import next, bot.feishu.downloads); with im:message.group_msg Feishu sends every other message of the
   group too, and those are acknowledged and not kept. Feishu retries an event it saw no 200 for (after 15 s,
   5 min, 1 h, 6 h) and may deliver a message twice under two event ids, so a message is stored under its
   message id and a card action under its event id: a retry is stored once and so applied once;
4. other events are acknowledged and dropped.

A card action must be answered within 3 seconds. Its effect (the card edited for everyone, a note only the
presser sees) comes from the worker that applies it, a moment later; the answer itself is an empty ``{}``.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from typing import Any

from aiohttp import web
from sqlalchemy.engine import Engine

from bot.feishu.security import URL_VERIFICATION, Refused, open_request
from bot.feishu.translate import CARD_ACTION, MESSAGE_EVENT, PLATFORM, addressed, event_type, is_private
from bot.lanes import utcnow
from scheduler.inbox import NewItem, record

log = logging.getLogger(__name__)


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def item_of(event: dict[str, Any], source: str, bot_open_id: str = "") -> NewItem | None:
    """The inbox row of an event we act on; None for other events (and, once the bot knows its own open_id,
    for group messages that neither mention it nor carry a file); Refused(400) for one without its ids."""
    kind = event_type(event)
    body = _dict(event.get("event"))
    if kind == MESSAGE_EVENT:
        message = _dict(body.get("message"))
        message_id, chat_id = _text(message.get("message_id")), _text(message.get("chat_id"))
        if not message_id or not chat_id:
            raise Refused(400, "a message event without message_id or chat_id")
        if (bot_open_id and not is_private(message) and message.get("message_type") != "file"
                and not addressed(message, bot_open_id)):
            return None  # group chatter (im:message.group_msg delivers all of it): not for the bot
        key, chat = f"message:{message_id}", chat_id
    elif kind == CARD_ACTION:
        event_id = _text(_dict(event.get("header")).get("event_id"))
        context, operator = _dict(body.get("context")), _dict(body.get("operator"))
        if not event_id:
            raise Refused(400, "a card action without event_id")
        chat = _text(context.get("open_chat_id")) or f"user:{_text(operator.get('open_id'))}"
        key = f"event:{event_id}"
    else:
        return None
    return NewItem(platform=PLATFORM, source=source, update_key=key, chat_key=chat,
                   payload=json.dumps(event, ensure_ascii=False))


class FeishuIntake:
    """Checks, stores and acknowledges what Feishu posts for one app."""

    def __init__(self, engine: Engine, *, app_id: str, verification_token: str, encrypt_key: str | None,
                 wake: Callable[[], None] | None = None, bot_open_id: Callable[[], str] = lambda: "") -> None:
        self.engine = engine
        self.app_id = app_id
        self.source = f"{PLATFORM}:{app_id}"
        self.verification_token = verification_token
        self.encrypt_key = encrypt_key or None
        self.wake = wake
        self.bot_open_id = bot_open_id

    def check(self, body: bytes, headers: Any) -> tuple[dict[str, Any], NewItem | None]:
        """The checked event and its inbox row (None: nothing to store); Refused for anything else."""
        event = open_request(body, headers, verification_token=self.verification_token,
                             encrypt_key=self.encrypt_key)
        if event.get("type") == URL_VERIFICATION:
            return event, None
        header = event.get("header")
        app_id = header.get("app_id") if isinstance(header, dict) else None
        if app_id and app_id != self.app_id:
            raise Refused(401, f"an event for another app ({app_id})")
        return event, item_of(event, self.source, self.bot_open_id())

    async def events(self, request: web.Request) -> web.Response:
        """POST /feishu/events: checked, the URL check answered, events stored, then ``{}``."""
        body = await request.read()
        try:
            event, item = self.check(body, request.headers)
        except Refused as refused:
            log.warning("feishu: refused a request from %s (%d): %s", request.remote, refused.status, refused.reason)
            return web.json_response({"msg": "unauthorized" if refused.status == 401 else "bad request"},
                                     status=refused.status)
        except Exception:  # a body that broke the checks in a way nobody foresaw: still not a 500
            log.exception("feishu: could not read a request from %s", request.remote)
            return web.json_response({"msg": "bad request"}, status=400)
        if event.get("type") == URL_VERIFICATION:
            log.info("feishu: answered the URL check")
            return web.json_response({"challenge": _text(event.get("challenge"))})
        if item is None:
            log.debug("feishu: event %r acknowledged and dropped", event_type(event) or event.get("type"))
            return web.json_response({})
        try:
            [fresh] = await asyncio.to_thread(record, self.engine, [item], utcnow())
        except Exception as exc:  # the database is away: no 200, so Feishu sends the event again
            # not SQLAlchemy's message, which carries the INSERT's parameters: the event, Verification Token included
            said = str(getattr(exc, "orig", None) or exc).strip().splitlines()
            log.error("feishu: could not store %s: %s (%s)", item.update_key, exc.__class__.__name__,
                      said[0] if said else "-")
            return web.json_response({"msg": "try again"}, status=503)
        if fresh and self.wake is not None:
            self.wake()
        if not fresh:
            log.info("feishu: %s was delivered again; applied once", item.update_key)
        return web.json_response({})
