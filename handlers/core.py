"""The core: one entry point per incoming message, one transaction per command, one error boundary."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Session, select

from handlers import commands, grammar, interpret, metrics
from handlers.context import Ctx
from handlers.errors import AskFirst, Refused, UserError
from handlers.grammar import ListItems
from handlers.i18n import norm_lang, t
from handlers.messages import IncomingAction, IncomingMessage, Sender
from handlers.replies import Reply
from handlers.understand import Ask, Reading, reply_language
from handlers.usecases import links
from handlers.usecases.actions import run_action
from handlers.usecases.listing import due_soon
from handlers.usecases.personal import my_milestones_everywhere
from scheduler import planner
from scheduler.platforms import traits
from storage import repo
from storage.db import transaction
from storage.models import ActionKey, Person, ProcessedEvent, Role, Tenant

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    """The current instant, aware, in UTC."""
    return datetime.now(UTC)


class Core:
    """The platform-neutral bot: adapters hand it neutral messages and render what it returns."""

    def __init__(
        self,
        engine: Engine,
        *,
        clock: Clock = system_clock,
        default_timezone: str = "Asia/Shanghai",
        default_currency: str = "CNY",
        default_language: str = "en",
    ) -> None:
        self.engine = engine
        self.clock = clock
        self.defaults = {"timezone": default_timezone, "currency": default_currency, "language": default_language}

    # -- entry points ---------------------------------------------------------------------------------

    def handle(self, msg: IncomingMessage) -> list[Reply]:
        """Run one typed command and return the replies; never raises for the user's mistakes."""
        return self._run(msg, commands.run)

    def my_milestones(self, msg: IncomingMessage) -> list[Reply]:
        """A private chat's list / mine / overdue / this week: the sender's milestones in all their teams."""

        def personal(ctx: Ctx, command: object) -> list[Reply]:
            if isinstance(command, ListItems):
                return my_milestones_everywhere(ctx, command)
            return commands.run(ctx, command)

        return self._run(msg, personal)

    def home(self, msg: IncomingMessage) -> list[Reply]:
        """The sender's overdue and soon-due milestones in this team, each with its buttons (Slack Home tab)."""
        return self._run(msg, lambda ctx, _command: due_soon(ctx), parse=False)

    def _run(self, msg: IncomingMessage, work: Callable[[Ctx, object], list[Reply]], *,
             parse: bool = True) -> list[Reply]:
        """Run the work for a message, counted and logged as one command (handlers.metrics)."""
        with metrics.observe_command(msg.platform, "unknown" if parse else "home"):
            return self._run_retrying(msg, work, parse=parse)

    def _run_retrying(self, msg: IncomingMessage, work: Callable[[Ctx, object], list[Reply]], *,
                      parse: bool = True) -> list[Reply]:
        """One transaction and the one error boundary around a piece of work for a message."""
        for _attempt in (1, 2):
            try:
                return self._run_once(msg, work, parse=parse)
            except IntegrityError:
                # two commands raced for the same unique value (P-/CR- numbers, a new person): nothing was
                # written, so running it again on the now-current data is safe
                log.warning("command raced another writer, retrying: %r", msg.text)
        log.error("command failed twice on a unique constraint: %r", msg.text)
        return [internal_error(self.defaults["language"])]

    def _run_once(self, msg: IncomingMessage, work: Callable[[Ctx, object], list[Reply]], *,
                  parse: bool = True) -> list[Reply]:
        now = self.clock()
        lang = reply_language(msg.text, "") or None
        try:
            with repo.command_time(now), transaction(self.engine) as session:
                if msg.event_id and not self._first_delivery(session, msg.platform, msg.event_id):
                    metrics.note(verb="duplicate")
                    return []
                ctx = self.context(session, msg, now)
                metrics.note(tenant=ctx.tenant.id)
                lang = lang or ctx.lang
                ctx.lang = lang
                if not parse:
                    return work(ctx, None)
                return self._understand_and_run(ctx, msg.text, work)
        except UserError as err:
            return [error_reply(err, lang or self.defaults["language"])]
        except IntegrityError:
            raise  # retried once by _run
        except OperationalError as err:
            if _is_busy(err):
                log.warning("database busy: %s", err)
                metrics.note(outcome="internal_error")
                return [Reply(title=t("err.busy", lang or "en"), error=True, ephemeral=True, lang=lang or "en")]
            log.exception("command failed: %r", msg.text)
            return [internal_error(lang or "en")]
        except Exception:  # the one error boundary: log it, tell the user, keep the bot alive
            log.exception("command failed: %r", msg.text)
            return [internal_error(lang or "en")]

    def _understand_and_run(self, ctx: Ctx, text: str, work: Callable[[Ctx, object], list[Reply]]) -> list[Reply]:
        """Answer a pending question, or read the line; run what it means, or ask before anything is written."""
        metrics.note(verb=commands.split_verb(text)[0] or "free")
        answered, cancelled = interpret.pending_command(ctx, text)
        if cancelled:
            return [Reply(title=ctx.t("ask.cancelled"), lang=ctx.lang, ephemeral=True)]
        if answered is None and interpret.is_bare_answer(text):
            return [Reply(title=ctx.t("ask.nothing"), lang=ctx.lang, ephemeral=True)]
        if answered is not None:
            reading = interpret.interpret(ctx, answered)
            if reading.command is not None and reading.canonical is None:
                reading = Reading(reading.lang, reading.command, answered)
        else:
            reading = interpret.interpret(ctx, text)
        if reading.ask is not None:
            metrics.note(outcome="asked")
            return [interpret.ask_reply(ctx, reading.ask)]
        if reading.command is None:
            return [Reply(title=ctx.t("ask.cancelled"), lang=ctx.lang, ephemeral=True)]
        metrics.note(verb=metrics.verb_of(reading.command))
        try:
            with ctx.session.begin_nested():  # a use case that asks first has written nothing: make sure
                replies = work(ctx, reading.command)
        except AskFirst as first:
            assert isinstance(first.ask, Ask)
            metrics.note(outcome="asked")
            return [interpret.ask_reply(ctx, first.ask)]
        if reading.canonical and replies:
            replies[0].preface = ctx.t("read_as", command=reading.canonical)
        return replies

    def act(self, action: IncomingAction) -> list[Reply]:
        """Run one button press; the key is looked up and the sender and team are re-checked."""
        with metrics.observe_command(action.platform, "button"):
            return self._act(action)

    def _act(self, action: IncomingAction) -> list[Reply]:
        now = self.clock()
        lang = norm_lang(action.sender.language) or self.defaults["language"]
        try:
            with repo.command_time(now), transaction(self.engine) as session:
                if action.event_id and not self._first_delivery(session, action.platform, action.event_id):
                    return []  # the same press delivered again (a retry, or a replay after a restart)
                tenant = repo.get_tenant(session, platform=action.platform, external_id=action.tenant_key)
                key = session.get(ActionKey, action.key) if action.key else None
                if key is not None and action.chat_type == "private" and (tenant is None or key.tenant_id != tenant.id):
                    # a reminder DMed to its owner: the key's own team applies, if the presser belongs to it
                    home = session.get(Tenant, key.tenant_id)
                    member = home is not None and home.platform == action.platform and repo.find_person(
                        session, tenant_id=home.id or 0, user_id=action.sender.user_id) is not None
                    tenant = home if member else None
                if tenant is None or key is None or key.tenant_id != tenant.id:
                    log.warning("refused action key %r from %s/%s", action.key, action.platform, action.tenant_key)
                    raise Refused("err.action_unknown")
                metrics.note(verb=metrics.verb_of_button(key.action), tenant=tenant.id)
                person = ensure_sender(session, tenant, action.sender, private=False, now=now)
                lang = norm_lang(person.language) or norm_lang(tenant.language) or lang
                ctx = Ctx(session=session, tenant=tenant, person=person, lang=lang, now=now, chat_id=action.chat_id)
                if key.action == "answer":
                    # a button on a question the bot asked: the same as typing its number (or cancel)
                    if repo.get_pending(session, tenant_id=tenant.id or 0, chat_id=action.chat_id or "",
                                        person_id=person.id or 0, now=now) is None:
                        raise UserError("ask.expired")
                    return self._understand_and_run(ctx, key.arg or "", commands.run)
                try:
                    with session.begin_nested():
                        return run_action(ctx, key, action)
                except AskFirst as first:  # "Done" on a milestone still owed money
                    assert isinstance(first.ask, Ask)
                    metrics.note(outcome="asked")
                    return [interpret.ask_reply(ctx, first.ask)]
        except UserError as err:
            return [error_reply(err, lang)]
        except Exception:  # the same boundary for button presses
            log.exception("action failed: %r", action.key)
            return [internal_error(lang)]

    def link(self, token: str) -> links.LinkView | None:
        """What a reminder e-mail's link would do, read only: its page (mail scanners fetch links: looking never acts)."""
        with Session(self.engine) as session:
            return links.view(session, token, self.clock())

    def follow_link(self, token: str, *, platform: str) -> links.LinkResult | None:
        """Do what a reminder e-mail's link says, once, as the person it was sent to; None for no such link.

        The same use cases and permission rules as a button press (handlers.usecases.links), one transaction.
        """
        with metrics.observe_command(platform, "button"):
            now = self.clock()
            try:
                with repo.command_time(now), transaction(self.engine) as session:
                    return links.follow(session, token, now)
            except Exception:  # the same boundary as for button presses
                log.exception("e-mail link failed")
                lang = self.defaults["language"]
                return links.LinkResult("failed", lang, [internal_error(lang)])

    def move_tenant(self, platform: str, old_key: str, new_key: str) -> bool:
        """A chat got a new id (a Telegram group upgraded to a supergroup): the team and its channels follow."""
        with transaction(self.engine) as session:
            tenant = repo.get_tenant(session, platform=platform, external_id=old_key)
            if tenant is None or repo.get_tenant(session, platform=platform, external_id=new_key) is not None:
                return False
            repo.move_tenant(session, tenant=tenant, new_key=new_key)
            repo.audit(session, tenant_id=tenant.id or 0, actor_id=None, action="tenant.moved", entity="tenant",
                       entity_id=tenant.id, before={"external_id": old_key}, after={"external_id": new_key})
            return True

    # -- context ----------------------------------------------------------------------------------------

    def context(self, session: Session, msg: IncomingMessage, now: datetime) -> Ctx:
        """Find or create the team and the sender, and work out the reply language."""
        defaults = dict(self.defaults)
        # a new team speaks the language of the person who first talks to the bot
        defaults["language"] = norm_lang(msg.sender.language) or grammar.detect_language(msg.text) or defaults["language"]
        tenant = repo.ensure_tenant(
            session, platform=msg.platform, external_id=msg.tenant_key, name=msg.tenant_name, **defaults
        )
        private = msg.chat_type == "private"
        person = ensure_sender(session, tenant, msg.sender, private=private, now=now)
        if private and traits(msg.platform).direct_messages:
            repo.mark_dm_ok(session, platform=msg.platform, user_id=msg.sender.user_id)
        lang = norm_lang(person.language) or norm_lang(tenant.language) or "en"
        return Ctx(session=session, tenant=tenant, person=person, lang=lang, now=now, chat_id=msg.chat_id,
                   chat_type=msg.chat_type, attachments=msg.attachments)

    def _first_delivery(self, session: Session, platform: str, event_id: str) -> bool:
        """Record a platform event id; False when it was seen before (a retried delivery)."""
        seen = session.exec(
            select(ProcessedEvent).where(ProcessedEvent.platform == platform, ProcessedEvent.event_id == event_id)
        ).first()
        if seen is not None:
            return False
        try:
            with session.begin_nested():
                session.add(ProcessedEvent(platform=platform, event_id=event_id))
        except IntegrityError:
            return False
        return True


def ensure_sender(session: Session, tenant: Tenant, sender: Sender, *, private: bool, now: datetime) -> Person:
    """Find the sender in the team (by id, else by the @handle someone used for them) or add them.

    The first person of a team becomes its admin.
    """
    tenant_id = tenant.id or 0
    person = repo.find_person(session, tenant_id=tenant_id, user_id=sender.user_id)
    if person is None and sender.handle:
        person = repo.find_person(session, tenant_id=tenant_id, handle=sender.handle)
        if person is not None and person.platform_user_id not in (None, sender.user_id):
            person = None  # that handle belongs to someone else now
    if person is None:
        if sender.handle:
            repo.release_handle(session, tenant_id=tenant_id, handle=sender.handle)
        first = repo.count_people(session, tenant_id=tenant_id) == 0 or not _has_admin(session, tenant_id)
        person = Person(tenant_id=tenant_id, platform_user_id=sender.user_id, handle=sender.handle,
                        display_name=sender.display_name or sender.handle or sender.user_id,
                        timezone=sender.timezone, language=norm_lang(sender.language),
                        role="admin" if first or sender.is_admin else "member", can_dm=private, created_at=now)
        session.add(person)
        session.flush()
        repo.audit(session, tenant_id=tenant_id, actor_id=person.id, action="person.joined", entity="person",
                   entity_id=person.id, after=repo.snapshot(person, ("platform_user_id", "handle", "role")))
        return person
    changed = False
    if person.platform_user_id is None:
        person.platform_user_id, changed = sender.user_id, True
    if sender.handle and person.handle != sender.handle:
        repo.release_handle(session, tenant_id=tenant_id, handle=sender.handle, keep=person.id)
        person.handle, changed = sender.handle, True
    if sender.display_name and person.display_name != sender.display_name:
        person.display_name, changed = sender.display_name, True
    if private and not person.can_dm:
        person.can_dm, changed = True, True
    zone_learned = bool(sender.timezone and not person.timezone)
    if zone_learned:
        person.timezone, changed = sender.timezone, True
    if norm_lang(sender.language) and not person.language:
        person.language, changed = norm_lang(sender.language), True
    # a workspace admin becomes a team admin when they join (above); after that, team roles are the team's
    # own business, so a demotion by a team admin sticks
    if changed:
        session.add(person)
        session.flush()
    if zone_learned:
        # their reminders fire at 09:00 in their own zone from now on
        for milestone, contract in repo.open_milestones(session, tenant_id=tenant_id, owner_id=person.id):
            planner.replan(session, milestone=milestone, contract=contract, tenant=tenant, now=now)
    return person


def _has_admin(session: Session, tenant_id: int) -> bool:
    return session.exec(select(Person).where(Person.tenant_id == tenant_id, Person.role == Role.ADMIN)).first() is not None


def _is_busy(err: OperationalError) -> bool:
    text = str(err.orig).lower() if err.orig is not None else str(err).lower()
    return "locked" in text or "busy" in text or "lock timeout" in text or "could not obtain lock" in text


def internal_error(lang: str) -> Reply:
    """A friendly reply for a failure of ours, with a reference that is also in the log."""
    ref = uuid.uuid4().hex[:8]
    log.error("reply ref %s given for the failure above", ref)
    metrics.note(outcome="internal_error")
    return Reply(title=t("err.internal", lang, ref=ref), error=True, ephemeral=True, lang=lang)


def error_reply(err: UserError, lang: str) -> Reply:
    """A one-line reason plus a correct example, shown only to the sender."""
    metrics.note(outcome="refused" if isinstance(err, Refused) else "user_error")
    reply = Reply(title=t("error.prefix", lang, reason=t(err.key, lang, **err.params)), error=True, ephemeral=True,
                  lang=lang)
    if err.example:
        reply.context.append(t("error.example", lang, example=err.example))
    return reply
