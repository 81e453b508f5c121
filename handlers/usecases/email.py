"""``email`` / ``邮箱``: a person's e-mail address for reminders, and their opt-out.

- ``email @bob bob@example.com`` sets Bob's address (Bob is added to the team on first mention, like any
  ``@name``, so a finance director who never uses the chat can be reminded by e-mail);
- ``email you@example.com`` sets your own;
- ``email off`` / ``email on`` stops and restarts your reminder e-mails (the address is kept);
- ``email @bob off`` / ``on`` / ``remove``, and ``email @bob`` to see it.

Anyone may change their own; only an admin someone else's (an address decides where reminders and their links,
which act as that person, go).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update
from sqlmodel import col, select

from handlers.context import Ctx, resolve_owner
from handlers.errors import Refused, UserError
from handlers.grammar import OwnerRef, _Text, take_mentions
from handlers.mail import address_of, parse_address, routing_text
from handlers.replies import Field, Reply, at_text
from storage import repo
from storage.models import MailLink, Person, Role

_ON = {"on", "yes", "enable", "resume", "开", "开启", "打开", "恢复", "启用"}
_OFF = {"off", "no", "stop", "disable", "unsubscribe", "关", "关闭", "停止", "停用", "退订", "不要"}
_REMOVE = {"remove", "delete", "clear", "none", "删除", "清除", "移除", "无"}
_AUDITED = ("email", "email_off")


@dataclass(frozen=True)
class SetEmail:
    """``email [@name] [ADDRESS | off | on | remove]``: nothing after the name shows the address."""

    who: OwnerRef | None = None  # None: the sender
    address: str | None = None
    switch: bool | None = None  # True: on, False: off
    remove: bool = False


def parse_email(words: str, now: datetime, tz: str, ex: str, lang: str) -> SetEmail:
    """Read ``[@name] [ADDRESS | off | on | remove]``; a bad address gets the reason and an example."""
    text = _Text(words)
    mentions = take_mentions(text)
    if len(mentions) > 1:
        raise UserError("err.email_one_person", example=ex)
    who = mentions[0] if mentions else None
    rest = text.rest()
    low = rest.lower().strip(" .。!！")
    if not low:
        return SetEmail(who)
    if low in _ON or low in _OFF:
        return SetEmail(who, switch=low in _ON)
    if low in _REMOVE:
        return SetEmail(who, remove=True)
    address = parse_address(rest)
    if address is None:
        raise UserError("err.email_address", example=ex, got=rest[:80])
    return SetEmail(who, address=address)


def set_email(ctx: Ctx, cmd: SetEmail) -> list[Reply]:
    """Show, set, switch off or on, or remove an e-mail address; in one transaction, audited."""
    ex = ctx.t("ex.email")
    person = ctx.person if cmd.who is None else _named(ctx, cmd.who)
    own = person.id == ctx.person.id
    changing = cmd.address is not None or cmd.switch is not None or cmd.remove
    if not own and ctx.person.role != Role.ADMIN:
        raise Refused("err.email_admin_only" if changing else "err.email_admin_only_read")
    name = _name(person)
    if not changing:
        return [_show(ctx, person)]
    before = repo.snapshot(person, _AUDITED)
    if cmd.address is not None:
        holder = ctx.session.exec(
            select(Person).where(Person.tenant_id == ctx.tenant_id, Person.email == cmd.address,
                                 Person.id != person.id)
        ).first()
        if holder is not None:
            raise UserError("err.email_taken", example=ex, address=cmd.address, name=_name(holder))
        person.email, key = cmd.address, "ok.email_set"
    elif cmd.remove:
        person.email, key = None, "ok.email_removed"
    else:
        person.email_off = not cmd.switch
        key = "ok.email_on" if cmd.switch else "ok.email_off"
    after = repo.snapshot(person, _AUDITED)
    if after != before:
        if after["email"] != before["email"]:
            _void_links(ctx, person)
        ctx.session.add(person)
        repo.audit(ctx.session, tenant_id=ctx.tenant_id, actor_id=ctx.person.id, action="person.email",
                   entity="person", entity_id=person.id, before=before, after=after)
    reply = _show(ctx, person)
    reply.title = ctx.t(key, name=name, address=person.email or "")
    return [reply]


def _void_links(ctx: Ctx, person: Person) -> None:
    """The unused links mailed to a person's old address expire now: they act as the person, and whoever reads
    that mailbox (a mistyped or former address) must not. ``email off`` keeps them (the address is still theirs)."""
    ctx.session.exec(
        update(MailLink).where(col(MailLink.person_id) == person.id, col(MailLink.used_at).is_(None),
                               col(MailLink.expires_at) > ctx.now)
        .values(expires_at=ctx.now).execution_options(synchronize_session=False))


def _named(ctx: Ctx, who: OwnerRef) -> Person:
    """The person a mention names; a new name is added to the team (by an admin only: see set_email)."""
    found = repo.find_person(ctx.session, tenant_id=ctx.tenant_id, user_id=who.user_id,
                             handle=None if who.user_id else who.handle)
    if found is not None:
        return found
    if ctx.person.role != Role.ADMIN:
        raise Refused("err.email_admin_only")
    return resolve_owner(ctx, who)


def _name(person: Person) -> str:
    return at_text(person.display_name or person.handle or person.platform_user_id or "?")


def _show(ctx: Ctx, person: Person) -> Reply:
    reply = Reply(title=ctx.t("email.title", name=_name(person)), lang=ctx.lang)
    state = "email.state_off" if person.email_off else "email.state_on"
    reply.fields = [
        Field(ctx.t("email.address"), (person.email or ctx.t("email.none"),)),
        Field(ctx.t("email.state"), (ctx.t(state),)),
    ]
    if address_of(person) is not None:
        reply.context.append(ctx.t("email.routing", routing=routing_text(ctx.tenant.routing, ctx.lang)))
    reply.context.append(ctx.t("email.hint"))
    return reply
