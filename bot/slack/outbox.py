"""Where the replies to one command, message or click go: the channel, the sender only, or an edit."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack import render, uploads
from bot.slack.notifier import parse_ref
from handlers.replies import Reply
from scheduler.notify import PermanentFailure

log = logging.getLogger(__name__)

# Said when the pictures of a reply could not be shared where its text went and went to the sender's DM.
MOVED_TO_DM = {
    "en": "I can't share files in {channel} (invite me there to post charts in the channel), "
          "so the chart is in our direct message.",
    "zh": "我不在 {channel} 里，无法在那里发图（把我邀请进频道即可），图表已私信发给你。",
}
# The same for a reply that carries documents (an export, a calendar file).
FILES_MOVED_TO_DM = {
    "en": "I can't share files in {channel} (invite me there to post files in the channel), "
          "so the file is in our direct message.",
    "zh": "我不在 {channel} 里，无法在那里发文件（把我邀请进频道即可），文件已私信发给你。",
}


@dataclass
class Outbox:
    """Delivery rules for one conversation turn.

    - a reply that ``replaces`` earlier bot messages edits each of them (chat.update);
    - errors and ephemeral replies go to the sender only (response_url or chat.postEphemeral);
    - anything else goes to the channel, except after a click or a modal (``private``), where the
      confirmation is for the clicker and the edited reminder is what the team sees.

    Pictures (``Reply.images``) and documents (``Reply.documents``) follow their text as one upload into the
    same conversation. Slack cannot attach a file to an ephemeral message, so the files of a reply for the
    sender only go to the sender's DM with the bot; the files of a channel reply go to the sender's DM, with
    a note, when the bot may not share files in the channel. An edit carries no files (chat.update cannot
    add them).
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
                    resp = await self.client.chat_postMessage(channel=reply.channel, **render.message(reply))
                except SlackApiError as exc:  # an approver's DM that can't be opened must not stop the rest
                    log.warning("could not deliver a reply to %s: %s", reply.channel, exc.response.get("error"))
                    continue
                # a user id as channel opens the DM: share the pictures in the channel Slack answers with;
                # the reply is for someone else, so the sender's DM is no place for them
                await self.attach(reply, resp.get("channel") or reply.channel, to_sender=False)
            elif reply.error or reply.ephemeral or self.private:
                if not await self.whisper(reply):
                    homeless.append(reply)
                await self.attach_privately(reply)
            else:
                await self.publish(reply)
        return homeless

    async def publish(self, reply: Reply) -> None:
        """Post for everyone in the conversation."""
        if self.respond is not None:
            await self.respond(response_type="in_channel", **render.message(reply))
            await self.attach(reply, self.channel)
        elif self.channel:
            resp = await self.client.chat_postMessage(channel=self.channel, thread_ts=self.thread_ts,
                                                      **render.message(reply))
            await self.attach(reply, resp.get("channel") or self.channel, thread_ts=self.thread_ts)

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

    # -- pictures and documents --------------------------------------------------------------------------

    async def attach(self, reply: Reply, channel: str | None, *, thread_ts: str | None = None,
                     to_sender: bool = True) -> None:
        """Share a reply's files in the channel its text went to (the sender's DM if the bot may not)."""
        files = uploads.files_of(reply)
        if not files:
            return
        if channel is None:
            await self.attach_to_dm(reply)
            return
        try:
            await uploads.upload(self.client, channel, files, thread_ts=thread_ts)
            return
        except uploads.UPLOAD_ERRORS as exc:
            moveable = to_sender and not (self.dm and channel == self.channel)
            if uploads.error_code(exc) not in uploads.NOT_MEMBER or not moveable:
                log.warning("could not upload %s to %s: %s", uploads.what(files), channel, uploads.describe(exc))
                return
            # a slash command works in any channel (response_url), but sharing a file needs membership
            log.info("not allowed to share files in %s (%s): sending %s to %s's DM", channel,
                     uploads.error_code(exc), uploads.what(files), self.user_id)
        notes = FILES_MOVED_TO_DM if reply.documents else MOVED_TO_DM
        note = notes.get(reply.lang, notes["en"]).format(channel=f"<#{channel}>")
        if await self.attach_to_dm(reply, note=note) and self.respond is not None:
            await self.respond(response_type="ephemeral", replace_original=False, text=note)

    async def attach_privately(self, reply: Reply) -> None:
        """The files of a reply for the sender only: in the DM it was typed in, else in the sender's DM."""
        if not uploads.files_of(reply):
            return
        if self.dm and self.channel:
            await self.attach(reply, self.channel)
        else:
            await self.attach_to_dm(reply)

    async def attach_to_dm(self, reply: Reply, *, note: str | None = None) -> bool:
        """Share the files in the sender's DM with the bot, headed by the reply's title; False on failure."""
        files = uploads.files_of(reply)
        comment = "\n".join(part for part in (note, render.escape(reply.title or "")) if part) or None
        try:
            opened = await self.client.conversations_open(users=self.user_id)
            await uploads.upload(self.client, opened["channel"]["id"], files, initial_comment=comment)
        except uploads.UPLOAD_ERRORS as exc:
            log.warning("could not upload %s to %s's DM: %s", uploads.what(files), self.user_id,
                        uploads.describe(exc))
            return False
        return True
