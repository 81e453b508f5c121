"""Replies as outbox rows: stored with the event they answer, sent by a loop that survives restarts.

A turn's replies become open-platform calls (``ApiCall``): a card posted to the chat, a card only the speaker
sees (a refusal or a hint in a group: ``ephemeral/v1/send``), a copy for someone's private chat, or an edit of a
card already sent (after a press). A reply's charts and files follow its card as calls of their own (``image``,
``file``: uploaded, then sent as a message; bot.feishu.uploads), with their bytes in the row, so the card never
waits for an upload and an upload that fails never takes the text with it. ``ReplyQueue.put`` stores them in the
reply outbox in the same transaction that marks the inbox row applied; ``ReplySender`` (one lane per chat, in
order) sends them, waiting out a frequency limit, retrying network trouble and giving up on what Feishu refuses
for good (a chart or a file it refused is then named in a short note in the chat).
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import Engine

from bot.feishu.api import FeishuApi, FeishuError
from bot.feishu.limits import Closed, Pacer
from bot.feishu.render import card
from bot.feishu.translate import PLATFORM, message_ref, parse_ref
from bot.feishu.uploads import PERMISSION_CODES, failure_note, outgoing
from bot.lanes import RELEASE, Outcome, backoff, done, fail, retry, store_replies
from handlers.replies import Reply
from scheduler.inbox import NewReply

log = logging.getLogger(__name__)

SEND = "send"
EPHEMERAL = "ephemeral"
PATCH = "patch"
IMAGE = "image"  # upload a picture, then send it as an image message
FILE = "file"  # upload a file, then send it as a file message
UPLOADS = (IMAGE, FILE)
MAX_KEYS = 256  # upload keys kept for rows whose message must be sent again (a frequency limit)
CONFIG_RETRY = 300.0  # the app's id or secret is refused: keep the replies, try again slowly


@dataclass(frozen=True)
class ApiCall:
    """One call of a reply: ``params`` is plain JSON (the card included), so the call can wait in the outbox.

    ``optional`` calls that Feishu refuses are logged and dropped without failing anything else: edits of
    cards someone recalled, copies for someone else's private chat, charts and files. A picture's or a file's
    bytes ride in ``data`` (the outbox's binary column), not in ``params``.
    """

    method: str
    chat_key: str
    params: dict[str, Any] = field(default_factory=dict)
    optional: bool = False
    data: bytes | None = None


@dataclass(frozen=True)
class Turn:
    """Where a turn's replies go: its chat, whether that is a private chat, who spoke or pressed, and whether
    it was a press (then the edited card shows the outcome, and a confirmation is for the presser alone)."""

    chat_id: str
    private: bool
    open_id: str
    press: bool = False


def file_calls(chat_key: str, receive_id: str, private: bool, reply: Reply) -> list[ApiCall]:
    """A reply's charts, then its documents, as uploads that follow its card to ``receive_id``."""
    sendable, _ = outgoing(reply)
    return [ApiCall(IMAGE if item.kind == "image" else FILE, chat_key,
                    {"receive_id": receive_id, "private": private, "filename": item.filename,
                     "file_type": item.file_type, "lang": reply.lang, "uuid": uuid.uuid4().hex},
                    optional=True, data=item.data)
            for item in sendable]


def reply_calls(turn: Turn, replies: Sequence[Reply]) -> list[ApiCall]:
    """Everything a turn's replies do, in order: edits, copies for other chats, posts, private notes; each
    reply's charts and files right after its card, where the card went (a private note's to the person)."""
    calls: list[ApiCall] = []
    edited = turn.press and any(r.replaces for r in replies)
    for reply in replies:
        confirmation = edited and not reply.replaces and not reply.channel and not reply.actions and not reply.error
        files_to = (turn.chat_id, turn.chat_id, turn.private)  # (chat key, receive id, private)
        if confirmation and turn.private:
            pass  # the card in this private chat was just edited to say the same
        elif reply.replaces:
            for ref in reply.replaces:
                target = parse_ref(ref)
                if target is not None:
                    message_id, private = target
                    calls.append(ApiCall(PATCH, turn.chat_id, {"message_id": message_id,
                                                               "card": card(reply, private=private)},
                                         optional=True))
        elif reply.channel:
            private = not reply.channel.startswith("oc_")  # a person's id: their private chat with the bot
            calls.append(ApiCall(SEND, reply.channel, {"receive_id": reply.channel, "private": private,
                                                       "card": card(reply, private=private),
                                                       "uuid": uuid.uuid4().hex}, optional=True))
            files_to = (reply.channel, reply.channel, private)
        elif (reply.ephemeral or reply.error or confirmation) and not turn.private and turn.open_id:
            calls.append(ApiCall(EPHEMERAL, turn.chat_id, {"chat_id": turn.chat_id, "open_id": turn.open_id,
                                                           "card": card(reply)}))
            files_to = (turn.open_id, turn.open_id, True)  # a file cannot be for one person of a group
        else:
            calls.append(ApiCall(SEND, turn.chat_id, {"receive_id": turn.chat_id, "private": turn.private,
                                                      "card": card(reply, private=turn.private),
                                                      "uuid": uuid.uuid4().hex}))
        calls += file_calls(*files_to, reply)
    return calls


def to_row(call: ApiCall) -> NewReply:
    """An API call as an outbox row (its chat orders it)."""
    params = {**call.params, "optional": call.optional}
    return NewReply(platform=PLATFORM, chat_key=call.chat_key, method=call.method,
                    params=json.dumps(params, ensure_ascii=False), data=call.data,
                    filename=str(call.params["filename"])[:255] if call.params.get("filename") else None)


def from_row(row: Any) -> ApiCall:
    """The API call an outbox row holds."""
    params = json.loads(row.params)
    optional = bool(params.pop("optional", False))
    return ApiCall(row.method, row.chat_key, params, optional=optional, data=getattr(row, "data", None))


async def upload(api: FeishuApi, call: ApiCall) -> str:
    """Upload a picture or a file of an ``image`` / ``file`` call; the key its message names."""
    p = call.params
    if call.method == IMAGE:
        return await api.upload_image(call.data or b"", str(p["filename"]))
    return await api.upload_file(call.data or b"", str(p["filename"]), str(p.get("file_type") or "stream"))


async def execute(api: FeishuApi, call: ApiCall, key: str | None = None) -> str | None:
    """Make one call now (an upload's message with the ``key`` the upload gave); the reference of what it sent."""
    p = call.params
    if call.method == SEND:
        data = await api.send_card(p["receive_id"], p["card"], uuid=p.get("uuid"))
        message_id = str(data.get("message_id") or "")
        return message_ref(message_id, bool(p.get("private"))) if message_id else None
    if call.method == EPHEMERAL:
        data = await api.send_ephemeral(p["chat_id"], p["open_id"], p["card"])
        return str(data.get("message_id") or "") or None
    if call.method == PATCH:
        await api.patch_card(p["message_id"], p["card"])
        return str(p["message_id"])
    if call.method in UPLOADS:
        content = {"image_key": key} if call.method == IMAGE else {"file_key": key}
        data = await api.send_message(p["receive_id"], call.method, content, uuid=p.get("uuid"))
        return str(data.get("message_id") or "") or None
    raise ValueError(f"not a reply call: {call.method}")


def describe(call: ApiCall) -> str:
    """A call in a log line."""
    if call.method == PATCH:
        return f"an edit of card {call.params.get('message_id')}"
    if call.method == EPHEMERAL:
        return "a card for one person"
    if call.method == IMAGE:
        return f"chart {call.params.get('filename')}"
    if call.method == FILE:
        return f"file {call.params.get('filename')}"
    return "a card"


class ReplyQueue:
    """Where the Feishu workers put replies: the outbox, with the inbox row they answer marked applied."""

    def __init__(self, engine: Engine, wake: Callable[[], None] | None = None) -> None:
        self.engine = engine
        self.wake = wake

    async def put(self, turn: Turn, replies: Sequence[Reply]) -> None:
        """Store a turn's calls and mark its event applied, in one transaction."""
        calls = reply_calls(turn, replies)
        await store_replies(self.engine, [to_row(c) for c in calls], self.wake)


class ReplySender:
    """Sends one outbox row and says what became of it."""

    def __init__(self, api: Callable[[], FeishuApi | None], pacer: Pacer) -> None:
        self.api = api
        self.pacer = pacer
        # row id -> the key of a picture or file already uploaded whose message is still to be sent (a frequency
        # limit on the send must not upload it again); in memory: after a restart it is uploaded once more
        self._keys: dict[Any, str] = {}

    async def __call__(self, row: Any) -> Outcome:
        api = self.api()
        if api is None:
            return RELEASE  # not connected (stopping): it goes out after the next start
        call = from_row(row)
        row_id = getattr(row, "id", None)
        try:
            key: str | None = None
            if call.method in UPLOADS:
                key = self._keys.get(row_id)
                if key is None:
                    key = await upload(api, call)
                    if len(self._keys) >= MAX_KEYS:
                        self._keys.clear()
                    self._keys[row_id] = key
            await self.pacer.turn(call.chat_key)
            try:
                ref = await execute(api, call, key)
            except FeishuError as exc:
                if call.method != EPHEMERAL or exc.rate_limited or exc.transient or exc.misconfigured:
                    raise
                # a topic group, an old client: say it in the chat instead, so the person sees it
                log.info("feishu: a card for one person was refused (%s); posting it in the chat", exc)
                ref = await execute(api, ApiCall(SEND, call.chat_key, {
                    "receive_id": call.params["chat_id"], "card": call.params["card"]}))
        except Closed:
            return RELEASE
        except FeishuError as exc:
            outcome = self._failed(row, call, exc)
            if outcome.kind == "fail":
                self._keys.pop(row_id, None)
                if call.method in UPLOADS:
                    await self._tell(api, call, exc)
            return outcome
        self._keys.pop(row_id, None)
        return done(message_ref=ref, data=None)  # the bytes of a sent picture or file are not kept

    @staticmethod
    def _failed(row: Any, call: ApiCall, exc: FeishuError) -> Outcome:
        if exc.rate_limited:
            return retry(exc.retry_after if exc.retry_after is not None else 1.0, f"frequency limit: {exc}",
                         counted=False)
        if exc.misconfigured or exc.token_rejected:
            log.error("feishu refused the app's credentials; replies wait until it is fixed: %s", exc)
            return retry(CONFIG_RETRY, str(exc), counted=False)
        if exc.transient:
            log.warning("feishu network or server error, will retry: %s", exc)
            return retry(backoff(row.attempts), str(exc))
        level = logging.INFO if call.optional and call.method not in UPLOADS else logging.WARNING
        log.log(level, "could not send %s to feishu chat %s: %s", describe(call), call.chat_key, exc)
        return fail(str(exc))

    async def _tell(self, api: FeishuApi, call: ApiCall, exc: FeishuError) -> None:
        """Say in the chat that a chart or a file could not be sent (the card before it promised it)."""
        p = call.params
        note = failure_note(str(p.get("filename") or ""), exc.msg or str(exc), str(p.get("lang") or "en"),
                            permission=exc.code in PERMISSION_CODES)
        try:
            await self.pacer.turn(call.chat_key)
            await api.send_card(str(p["receive_id"]), card(Reply(context=[note], lang=str(p.get("lang") or "en")),
                                                           private=bool(p.get("private"))))
        except (Closed, FeishuError) as again:
            log.info("feishu: could not say that %s was not sent: %s", describe(call), again)
