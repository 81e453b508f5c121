"""The bolt app: ``register`` wires routes; each listener acks, translates, calls the core, delivers.

Slack's 3-second acknowledgement is given by bot.slack.intake as soon as a request is stored in the inbox;
bolt sees the request afterwards, from an inbox worker, so ``ack()`` here answers no one and the listener
runs to the end before the request counts as applied (``process_before_response``). The core is synchronous
(one database transaction per call), so it runs in a worker thread (``asyncio.to_thread``).

One workspace (SLACK_BOT_TOKEN): bolt calls auth.test once and uses that token. OAuth mode: bolt finds the bot
token of each request's workspace in the installation store (bot.slack.installations) and hands the listener a
client on it, so every reply goes out with the token of the workspace it answers; ``app_uninstalled`` and
``tokens_revoked`` delete the tokens and suspend the team.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Sequence
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext, AsyncRespond
from slack_bolt.authorization.async_authorize import AsyncInstallationStoreAuthorize
from slack_sdk.web.async_client import AsyncWebClient

from bot.config import Settings
from bot.slack import downloads, oauth, surfaces, translate
from bot.slack.clients import make_async_web_client
from bot.slack.identity import Directory
from bot.slack.inflight import Inflight
from bot.slack.installations import InstallationStore, key_of
from bot.slack.outbox import Outbox
from handlers.core import Core
from handlers.messages import IncomingAction, IncomingMessage, Sender
from handlers.replies import Reply

log = logging.getLogger(__name__)

COMMAND = "/contract"
MODAL_ACTIONS = re.compile(r"^contract:(note|pay):")
ACTIONS = re.compile(r"^contract:")

Payload = dict[str, Any]

# What someone sees who talks to the bot in a workspace that uninstalled it (bolt's authorize found no token)
NOT_INSTALLED = ("ContractBot is no longer installed in this workspace: ask an admin to install it again. "
                 "Your contracts are kept.\nContractBot 已从此工作区卸载，请管理员重新安装；合同数据仍然保留。")


def build_app(settings: Settings, core: Core, *, client: AsyncWebClient | None = None,
              installations: InstallationStore | None = None) -> tuple[AsyncApp, Listeners]:
    """The bolt app with its listeners registered: on the bot token, or in OAuth mode on ``installations``."""
    client = client or make_async_web_client(settings)
    if not settings.slack_oauth_enabled:
        app = AsyncApp(
            client=client,
            # requests reach bolt from the inbox as socket-mode requests, already verified (bot.slack.intake)
            signing_secret=settings.slack_signing_secret or "",
            # Slack was answered when the request was stored: run each listener to the end before returning
            process_before_response=True,
        )
        listeners = Listeners(core)
    else:
        store = installations or InstallationStore(core.engine, client_id=settings.slack_client_id or "",
                                                   clock=core.clock)
        app = AsyncApp(
            client=client, signing_secret=settings.slack_signing_secret or "", process_before_response=True,
            oauth_settings=oauth.oauth_settings(settings, store, oauth.state_store(settings, core.engine,
                                                                                   clock=core.clock)),
            # the bot token only (no user tokens are asked for); auth.test once per token, not once per request.
            # bolt takes an AsyncAuthorize instance here as it is (its annotation names plain callables only)
            authorize=AsyncInstallationStoreAuthorize(  # type: ignore[arg-type]
                installation_store=store, client_id=settings.slack_client_id,
                client_secret=settings.slack_client_secret, bot_only=True, cache_enabled=True, client=client,
                logger=logging.getLogger("slack_bolt.authorize")),
            user_facing_authorize_error_message=NOT_INSTALLED,
        )
        listeners = Listeners(core, installations=store)
    register(app, listeners)
    return app, listeners


def register(app: AsyncApp, listeners: Listeners) -> None:
    """Wire the routes; no behaviour here."""
    app.command(COMMAND)(listeners.command)
    app.event("app_mention")(listeners.mention)
    # bolt's dict constraints match type/subtype only: the channel type needs a matcher
    app.event("message", matchers=[in_dm])(listeners.direct_message)
    app.event("message")(ignore)  # other message events: answer 200 so Slack does not retry them
    app.event("app_home_opened")(listeners.home_opened)
    app.action(MODAL_ACTIONS)(listeners.open_modal)  # before ACTIONS: bolt runs the first match only
    app.action(ACTIONS)(listeners.click)
    app.view(surfaces.VALUE_MODAL)(listeners.submit)
    app.event("app_uninstalled")(listeners.uninstalled)
    app.event("tokens_revoked")(listeners.tokens_revoked)


async def ignore() -> None:
    """Accept an event we do not act on."""


async def in_dm(event: Payload) -> bool:
    """A message event in a DM with the bot (message.im)."""
    return event.get("channel_type") == "im"


def tenant_of(context: AsyncBoltContext) -> str:
    """The tenant key of the workspace (and Enterprise Grid org) the request came from."""
    return translate.tenant_key(context.enterprise_id, context.team_id)


class Listeners:
    """The callbacks, a few lines each: translate -> core (in a thread) -> deliver."""

    def __init__(self, core: Core, directory: Directory | None = None, *,
                 installations: InstallationStore | None = None) -> None:
        self.core = core
        self.directory = directory or Directory()
        self.installations = installations  # OAuth mode
        self.inflight = Inflight()

    async def command(self, ack: AsyncAck, command: Payload, client: AsyncWebClient, context: AsyncBoltContext,
                      respond: AsyncRespond) -> None:
        """`/contract <anything>`: reply in the channel, errors to the sender only."""
        async with self.inflight:
            await ack()
            tenant = tenant_of(context)
            sender = await self.sender(client, tenant, command["user_id"], command.get("user_name"))
            replies = await self.handle(translate.command_message(command, tenant=tenant, sender=sender))
            await Outbox(client, command["user_id"], channel=command.get("channel_id"), respond=respond).deliver(replies)

    async def mention(self, body: Payload, event: Payload, client: AsyncWebClient,
                      context: AsyncBoltContext) -> None:
        """`@ContractBot list overdue` in a channel (events are acked by bolt before this runs)."""
        if not translate.typed_by_person(event):
            return  # bots and workflows mentioning us are not people giving commands
        async with self.inflight:
            text = translate.strip_bot_mention(event.get("text") or "", context.bot_user_id)
            await self.message(body, text, client, context)

    async def direct_message(self, body: Payload, event: Payload, client: AsyncWebClient,
                             context: AsyncBoltContext) -> None:
        """A DM to the bot (with files, for `import`); edits, joins and other bots' messages are not commands."""
        if not translate.typed_by_person(event):
            return
        text = translate.strip_bot_mention(event.get("text") or "", context.bot_user_id)
        if event.get("subtype") == "file_share" and not text.strip():
            return  # a file dropped in without a word is not a command (as before files were read)
        async with self.inflight:
            await self.message(body, text, client, context)

    async def message(self, body: Payload, text: str, client: AsyncWebClient, context: AsyncBoltContext) -> None:
        """Run an event's text as a command; the event id makes a retried delivery a no-op in the core.

        An `import` brings its files along, downloaded first; a file too big or not downloadable is refused
        here, to the sender only, and the core never sees the message.
        """
        event = body["event"]
        tenant = tenant_of(context)
        sender = await self.sender(client, tenant, event["user"])
        channel = event.get("channel")
        outbox = Outbox(client, event["user"], channel=channel, thread_ts=event.get("thread_ts"),
                        dm=translate.is_dm(channel))
        typed = translate.command_text(text)
        fetched = await downloads.fetch_for(client, event, typed)
        if fetched.refusal is not None:
            await outbox.deliver([Reply(lines=[(fetched.refusal,)], error=True, lang=downloads.reply_lang(typed))])
            return
        replies = await self.handle(translate.event_message(body, text, tenant=tenant, sender=sender,
                                                            attachments=fetched.attachments))
        await outbox.deliver(replies)

    async def home_opened(self, event: Payload, client: AsyncWebClient, context: AsyncBoltContext) -> None:
        """Draw the Home tab: my milestones."""
        if event.get("tab") != "home":
            return
        async with self.inflight:
            await self.publish_home(client, context, event["user"])

    async def click(self, ack: AsyncAck, body: Payload, action: Payload, client: AsyncWebClient,
                    context: AsyncBoltContext, respond: AsyncRespond | None) -> None:
        """Done / snooze / date / reassign: the edited reminder for all, the confirmation for the clicker."""
        async with self.inflight:
            await ack()
            tenant, user = tenant_of(context), body["user"]["id"]
            sender = await self.sender(client, tenant, user, body["user"].get("username"))
            replies = await self.act(translate.incoming_action(body, action, tenant=tenant, sender=sender))
            channel = translate.clicked_channel(body)
            # bolt passes a respond that raises when the payload has no response_url (Home tab clicks)
            respond = respond if body.get("response_url") else None
            homeless = await Outbox(client, user, channel=channel, respond=respond, dm=translate.is_dm(channel),
                                    private=True).deliver(replies)
            if (body.get("view") or {}).get("type") == "home":
                await self.publish_home(client, context, user, homeless)

    async def open_modal(self, ack: AsyncAck, body: Payload, action: Payload, client: AsyncWebClient) -> None:
        """Add note / Record payment: ask for the text in a modal (trigger_id is valid for 3 s only)."""
        async with self.inflight:
            await ack()
            label = translate.unescape((action.get("text") or {}).get("text") or "…")
            view = surfaces.value_modal(kind=translate.action_kind(action), label=label,
                                        key=translate.action_key(action), ref=translate.clicked_ref(body),
                                        channel=translate.clicked_channel(body),
                                        headline=surfaces.headline_of(body.get("message")))
            await client.views_open(trigger_id=body["trigger_id"], view=view)

    async def submit(self, ack: AsyncAck, body: Payload, view: Payload, client: AsyncWebClient,
                     context: AsyncBoltContext) -> None:
        """The modal's text goes to the core as the value of the click that opened it."""
        async with self.inflight:
            await ack()
            tenant, user = tenant_of(context), body["user"]["id"]
            sender = await self.sender(client, tenant, user, body["user"].get("username"))
            incoming = translate.incoming_submission(view, tenant=tenant, sender=sender)
            replies = await self.act(incoming)
            channel = incoming.chat_id or None
            homeless = await Outbox(client, user, channel=channel, dm=translate.is_dm(channel),
                                    private=True).deliver(replies)
            if homeless:
                await self.publish_home(client, context, user, homeless)

    async def uninstalled(self, context: AsyncBoltContext) -> None:
        """The app left a workspace: its tokens go, the team is suspended (reminders parked), its data stays."""
        key = key_of(context.enterprise_id, context.team_id, context.is_enterprise_install)
        if self.installations is None:
            log.warning("slack: the app was uninstalled from %s; reminders there fail until it is installed again "
                        "and SLACK_BOT_TOKEN is updated", key)
            return
        async with self.inflight:
            await asyncio.to_thread(self.installations.uninstall, key)

    async def tokens_revoked(self, event: Payload, context: AsyncBoltContext) -> None:
        """Tokens revoked: the bot's suspends the team like an uninstall; users' are forgotten."""
        key = key_of(context.enterprise_id, context.team_id, context.is_enterprise_install)
        tokens = event.get("tokens") or {}
        bots, users = list(tokens.get("bot") or []), list(tokens.get("oauth") or [])
        if self.installations is None:
            if bots:
                log.warning("slack: the bot token of %s was revoked; reminders there fail until it is replaced", key)
            return
        async with self.inflight:
            if users:
                await asyncio.to_thread(self.installations.revoke, key, bot=False, users=tuple(users),
                                        reason="user tokens revoked")
            if bots:
                await asyncio.to_thread(self.installations.revoke, key, bot=True, users=(),
                                        reason="bot token revoked")

    # -- helpers -----------------------------------------------------------------------------------------

    async def publish_home(self, client: AsyncWebClient, context: AsyncBoltContext, user: str,
                           notices: Sequence[Reply] = ()) -> None:
        """Render 'my milestones' (and what the last click did) into the user's Home tab."""
        tenant = tenant_of(context)
        sender = await self.sender(client, tenant, user)
        replies = await asyncio.to_thread(self.core.home, translate.home_message(tenant=tenant, sender=sender))
        await client.views_publish(user_id=user, view=surfaces.home_view(replies, notices))

    async def sender(self, client: AsyncWebClient, tenant: str, user: str, handle: str | None = None) -> Sender:
        """Who is talking, with time zone and language from users.info (cached)."""
        return await self.directory.sender(client, tenant=tenant, user_id=user, handle=handle)

    async def handle(self, msg: IncomingMessage) -> list[Reply]:
        """Core.handle off the event loop."""
        return await asyncio.to_thread(self.core.handle, msg)

    async def act(self, action: IncomingAction) -> list[Reply]:
        """Core.act off the event loop."""
        return await asyncio.to_thread(self.core.act, action)
