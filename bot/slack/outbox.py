"""Where the replies to one command, message or click go: the channel, the sender only, or an edit."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack import render
from bot.slack.notifier import parse_ref
from handlers.replies import Reply
from scheduler.notify import PermanentFailure

log = logging.getLogger(__name__)


@dataclass
class Outbox:
    """Delivery rules for one conversation turn.

    - a reply that ``replaces`` earlier bot messages edits each of them (chat.update);
    - errors and ephemeral replies go to the sender only (response_url or chat.postEphemeral);
    - anything else goes to the channel, except after a click or a modal (``private``), where the
      confirmation is for the clicker and the edited reminder is what the team sees.
    """

    client: AsyncWebClient
    user_id: str
    channel: str | None = None
    respond: AsyncRespond | None = None  # response_url of a command or a click on a message
    thread_ts: str | None = None
    dm: bool = False  # a DM with the bot is already private: plain messages
    private: bool = False

    async def deliver(self, replies: list[Reply]) -> list[Reply]:
        """Send each reply; return those with nowhere to go (clicks on the Home tab show them there)."""
        homeless: list[Reply] = []
        for reply in replies:
            if reply.replaces:
                await self.edit(reply)
            elif reply.channel:
                try:
                    await self.client.chat_postMessage(channel=reply.channel, **render.message(reply))
                except SlackApiError as exc:  # an approver's DM that can't be opened must not stop the rest
                    log.warning("could not deliver a reply to %s: %s", reply.channel, exc.response.get("error"))
            elif reply.error or reply.ephemeral or self.private:
                if not await self.whisper(reply):
                    homeless.append(reply)
            else:
                await self.publish(reply)
        return homeless

    async def publish(self, reply: Reply) -> None:
        """Post for everyone in the conversation."""
        if self.respond is not None:
            await self.respond(response_type="in_channel", **render.message(reply))
        elif self.channel:
            await self.client.chat_postMessage(channel=self.channel, thread_ts=self.thread_ts,
                                               **render.message(reply))

    async def whisper(self, reply: Reply) -> bool:
        """Show a reply to the sender only; False when there is no conversation to show it in."""
        if self.respond is not None:
            await self.respond(response_type="ephemeral", replace_original=False, **render.message(reply))
        elif self.channel and self.dm:
            await self.client.chat_postMessage(channel=self.channel, **render.message(reply))
        elif self.channel:
            await self.client.chat_postEphemeral(channel=self.channel, user=self.user_id, thread_ts=self.thread_ts,
                                                 **render.message(reply))
        else:
            return False
        return True

    async def edit(self, reply: Reply) -> None:
        """Rewrite every earlier message the reply replaces; one that is gone does not stop the others."""
        body: dict[str, Any] = render.message(reply)
        for ref in reply.replaces:
            try:
                channel, ts = parse_ref(ref)
                await self.client.chat_update(channel=channel, ts=ts, **body)
            except (PermanentFailure, SlackApiError) as exc:
                log.warning("could not update %s: %s", ref, exc)
