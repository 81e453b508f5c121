"""Reminders to Feishu for the dispatch pass: post and edit cards, Feishu's refusals mapped to the scheduler's.

The dispatch pass calls ``send`` from a worker thread (inside `contractbot run`) or from a plain process
(`contractbot dispatch`). Each call runs its request on a short-lived event loop of that thread with its own
HTTP session; the tenant token is shared with the running platform (one ``TokenCache``), so a pass costs no
extra token requests. Pacing is the dispatch pass's own (it keeps under the traits' limits, 50/s and 5/s per
chat); what Feishu still refuses with a frequency limit comes back as ``RateLimited`` and is sent later.

A reminder's charts and files (a digest's) follow its card as image and file messages (bot.feishu.uploads).
Once the card is out, its reference is what the dispatch pass records: a picture or a file that fails is logged
and dropped, never raised, or the reminder would be sent again, text and all.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from bot.config import Settings
from bot.feishu.api import Credentials, FeishuApi, FeishuError, TokenCache, base_url
from bot.feishu.render import card
from bot.feishu.translate import message_ref, parse_ref
from bot.feishu.uploads import outgoing
from handlers.replies import Reply
from scheduler.notify import CannotDM, Outgoing, PermanentFailure, RateLimited

log = logging.getLogger(__name__)

T = TypeVar("T")

TRANSIENT_RETRY = 30.0  # seconds before a network or server failure is tried again
CONFIG_RETRY = 300.0  # the app's id or secret is refused: keep the reminders, try again slowly
# a person the bot cannot write to privately: outside the app's availability, stopped the bot, left, unknown id
DM_REFUSED = frozenset({230013, 230029, 230034, 230035, 230038, 230053})


class FeishuNotifier:
    """Delivers reminder cards and edits them later; blocking, so never called from an event loop."""

    name = "feishu"

    def __init__(self, credentials: Credentials, *, tokens: TokenCache | None = None, timeout: float = 15.0) -> None:
        self.credentials = credentials
        self.tokens = tokens or TokenCache()
        self.timeout = timeout

    def send(self, out: Outgoing) -> str:
        """Post a reminder card to the group, or to the person (by open_id: Feishu opens the private chat)."""
        private = out.target.dm
        receive_id = out.target.user_id if private else out.target.chat_id
        if not receive_id:
            raise PermanentFailure("no feishu chat or person to send to")
        content = card(out.message, private=private)
        data = self._run(lambda api: api.send_card(receive_id, content), dm=private)
        message_id = str(data.get("message_id") or "")
        if not message_id:
            raise PermanentFailure("feishu sent no message id back")
        self._attach(receive_id, out.message)
        return message_ref(message_id, private)

    def _attach(self, receive_id: str, message: Any) -> None:
        """The message's charts, then its files, after its card; a failure is logged, never raised."""
        sendable, _ = outgoing(message) if isinstance(message, Reply) else ([], [])
        for item in sendable:
            async def send(api: FeishuApi, item: Any = item) -> None:
                if item.kind == "image":
                    key = await api.upload_image(item.data, item.filename)
                    await api.send_message(receive_id, "image", {"image_key": key})
                else:
                    key = await api.upload_file(item.data, item.filename, item.file_type)
                    await api.send_message(receive_id, "file", {"file_key": key})

            try:
                self._run(send, dm=False)
            except Exception as exc:  # mapped Feishu refusals and anything else: the card is out regardless
                log.warning("could not send %s %s to feishu %s: %s", "chart" if item.kind == "image" else "file",
                            item.filename, receive_id, exc)

    def update(self, ref: str, message: Any, *, tenant_key: str | None = None) -> None:
        """Rewrite an earlier reminder card in place, for everyone who sees it."""
        target = parse_ref(ref)
        if target is None:
            raise PermanentFailure(f"not a feishu message reference: {ref!r}")
        message_id, private = target
        content = card(message, private=private)
        self._run(lambda api: api.patch_card(message_id, content), dm=False)

    def _run(self, work: Callable[[FeishuApi], Awaitable[T]], *, dm: bool) -> T:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            pass
        else:
            raise RuntimeError("FeishuNotifier blocks: call it from a worker thread (asyncio.to_thread)")

        async def call() -> T:
            async with FeishuApi.opened(self.credentials, tokens=self.tokens, timeout=self.timeout) as api:
                return await work(api)

        try:
            return asyncio.run(call())
        except FeishuError as exc:
            raise mapped(exc, dm=dm) from exc


def mapped(exc: FeishuError, *, dm: bool) -> Exception:
    """The scheduler's view of a Feishu failure: RateLimited (later), CannotDM (use the group), PermanentFailure."""
    if exc.rate_limited:
        return RateLimited(exc.retry_after if exc.retry_after is not None else 1.0)
    if exc.misconfigured or exc.token_rejected:
        log.error("feishu refused the app's credentials; reminders wait until it is fixed: %s", exc)
        return RateLimited(CONFIG_RETRY)
    if exc.transient:
        log.warning("feishu network or server error, will retry: %s", exc)
        return RateLimited(TRANSIENT_RETRY)
    if dm and exc.code in DM_REFUSED:
        return CannotDM(str(exc))
    return PermanentFailure(str(exc))


def credentials_of(settings: Settings) -> Credentials:
    """The app from the settings; ValueError naming what is missing."""
    missing = [name for name, value in (("FEISHU_APP_ID", settings.feishu_app_id),
                                        ("FEISHU_APP_SECRET", settings.feishu_app_secret)) if not value]
    if missing:
        raise ValueError(f"{' and '.join(missing)} {'is' if len(missing) == 1 else 'are'} required for Feishu")
    return Credentials(base_url(settings.feishu_api_url), settings.feishu_app_id or "",
                       settings.feishu_app_secret or "")


def make_feishu_notifier(settings: Settings) -> FeishuNotifier:
    """A notifier for a process without the Feishu front door (`contractbot dispatch`)."""
    return FeishuNotifier(credentials_of(settings))
