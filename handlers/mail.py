"""E-mail in the core: who gets a reminder by e-mail, what the mail carries, and its one-time links.

A team on any platform may reach people by e-mail, through the platform whose traits say ``mailbox`` (found with
``scheduler.platforms.mailbox()``, never by name). ``Tenant.routing`` says how:

- ``channel`` / ``dm`` / ``both`` (no e-mail asked for): the chat as before, and an e-mail to each person the chat
  cannot reach (never seen in the chat: a finance director, an outside project manager) when their address is
  known. Giving someone an address is what turns it on;
- ``email``: an e-mail to everyone with an address and nothing in the chat for them; the chat (the contract's
  channel) for those without one;
- ``channel+email`` / ``dm+email`` / ``both+email``: the chat as before, and an e-mail to everyone with an address.

A person who said ``email off`` gets none; a pass that cannot send e-mail (no SMTP_URL) routes as if nobody had an
address, so nothing is lost. A mail carries links for Done and Snooze 3 days, each a ``MailLink`` that acts once,
within ``LINK_TTL``, as the person it was sent to.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlmodel import Session

from handlers.i18n import t
from handlers.replies import Action, Reply
from scheduler import platforms
from scheduler.notify import Outgoing, Target
from scheduler.platforms import Traits
from storage.models import ActionKey, Contract, MailLink, Milestone, MilestoneStatus, Person, Role, Tenant

LINK_TTL = timedelta(days=14)
SNOOZE_DAYS = 3
# the word that asks for e-mail in a routing value ("both+email"), and the chat routings it may be added to
EMAIL = "email"
CHAT_ROUTES = ("channel", "dm", "both")

# an address as people type it, kept in lower case: ASCII only (no SMTPUTF8 needed), one @, a dotted domain
ADDRESS_RE = re.compile(r"[a-z0-9._%+\-]{1,64}@(?:[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}")
MAX_ADDRESS = 254

# (action kind, button label, argument, typed form) of the links a reminder e-mail carries
LINK_ACTIONS: tuple[tuple[str, str, str | None, str], ...] = (
    ("done", "action.done", None, "cmd.done"),
    ("snooze", "action.snooze3", str(SNOOZE_DAYS), "cmd.snooze3"),
)


def parse_address(text: str) -> str | None:
    """A typed address in lower case (``<mailto:…>``, ``<…>`` and a trailing full stop are dropped); None if not one."""
    value = text.strip().strip("<>").removeprefix("mailto:").rstrip(".,;。，；").lower()
    if len(value) > MAX_ADDRESS or value.count("@") != 1 or ".." in value:
        return None
    return value if ADDRESS_RE.fullmatch(value) else None


# --- routing ----------------------------------------------------------------------------------------------------


def split_routing(routing: str) -> tuple[str | None, bool]:
    """``both+email`` -> ('both', True); ``email`` -> (None, True); ``dm`` -> ('dm', False)."""
    parts = routing.split("+")
    chat = next((p for p in parts if p in CHAT_ROUTES), None)
    return chat, EMAIL in parts


def join_routing(chat: str | None, every: bool) -> str:
    """The stored routing value of a chat routing with or without e-mail to everyone."""
    if chat is None:
        return EMAIL
    return f"{chat}+{EMAIL}" if every else chat


def routing_text(routing: str, lang: str) -> str:
    """What a routing does, in words."""
    chat, every = split_routing(routing)
    if chat is None:
        return t("routing.email", lang)
    said = t("routing." + chat, lang)
    return t("routing.plus_email" if every else "routing.fallback", lang, chat=said)


def address_of(person: Person | None) -> str | None:
    """The address a person may be e-mailed at: none without one or after ``email off``."""
    if person is None or not person.email or person.email_off:
        return None
    return person.email


@dataclass(frozen=True)
class MailRoute:
    """How one reminder pass reaches a team's people: its chat routing, and by e-mail whom."""

    box: Traits | None  # the e-mail platform, when this pass can send through it
    chat: str | None  # channel | dm | both; None: e-mail only (the chat for those without an address)
    every: bool  # e-mail everyone with an address, not only those the chat cannot reach

    @classmethod
    def of(cls, tenant: Tenant, reachable: Collection[str] | None) -> MailRoute:
        """The team's routing, with e-mail only when the pass has a notifier for it (``reachable``)."""
        box = platforms.mailbox()
        if box is not None and (reachable is None or box.name not in reachable):
            box = None
        chat, every = split_routing(tenant.routing)
        return cls(box=box, chat=chat, every=every)

    def address(self, person: Person | None) -> str | None:
        """Where to e-mail this person for this reminder, or None when they get no e-mail."""
        if self.box is None or person is None:
            return None
        address = address_of(person)
        if address is None:
            return None
        reached_in_chat = person.platform_user_id is not None
        return address if self.every or self.chat is None or not reached_in_chat else None

    def chat_for(self, person: Person | None) -> str | None:
        """The chat routing for this person; None when the e-mail is all they get."""
        if self.chat is not None:
            return self.chat
        return None if self.address(person) else "channel"


# --- what a mail carries ----------------------------------------------------------------------------------------


def may_act(person: Person, milestone: Milestone, contract: Contract) -> bool:
    """Whether the links would work for this person: the milestone or contract owner, or an admin (not a viewer).

    The same rule as handlers.context.require_actor, which the link checks again when it is used.
    """
    if person.role == Role.VIEWER:
        return False
    return person.role == Role.ADMIN or person.id in (milestone.owner_id, contract.owner_id)


def new_link(session: Session, *, tenant_id: int, person_id: int, action: str, milestone_id: int | None,
             arg: str | None, now: datetime, reminder_id: int | None = None) -> str:
    """Store a button key and the one-time link that presses it as ``person_id``; return the link's token."""
    key = secrets.token_urlsafe(12)
    session.add(ActionKey(key=key, tenant_id=tenant_id, action=action, milestone_id=milestone_id,
                          reminder_id=reminder_id, arg=arg))
    token = secrets.token_urlsafe(16)
    session.add(MailLink(token=token, tenant_id=tenant_id, person_id=person_id, action_key=key, created_at=now,
                         expires_at=now + LINK_TTL))
    return token


def mail_out(
    session: Session, box: Traits, *, tenant: Tenant, contract: Contract, milestone: Milestone, person: Person,
    address: str, message: Reply, now: datetime, reminder_id: int | None = None, links: bool = True,
) -> Outgoing:
    """A reminder (or notice) as an e-mail to one person, with one-time links when they may act on it.

    ``message`` is already in the person's language and has no buttons; it is copied, not changed.
    """
    lang = message.lang
    mail = replace(message, lines=list(message.lines), fields=list(message.fields), context=list(message.context),
                   actions=[])
    if links and milestone.status == MilestoneStatus.OPEN and may_act(person, milestone, contract):
        for kind, label, arg, typed in LINK_ACTIONS:
            token = new_link(session, tenant_id=tenant.id or 0, person_id=person.id or 0, action=kind,
                             milestone_id=milestone.id, arg=arg, now=now, reminder_id=reminder_id)
            mail.actions.append(Action(kind=kind, label=t(label, lang), key=token,
                                       style="primary" if kind == "done" else None,
                                       command=t(typed, lang, n=contract.number, m=milestone.title)))
        mail.context.append(t("mail.links_note", lang, days=LINK_TTL.days))
    mail.context.append(t("mail.why", lang, team=tenant.name or tenant.external_id))
    mail.context.append(t("mail.stop", lang))
    return Outgoing(Target(box.name, tenant.external_id, user_id=address, dm=True), mail)
