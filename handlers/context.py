"""The context of one command: its transaction, team, sender, language and clock; and who is who."""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session

from handlers.errors import Refused, UserError
from handlers.grammar import OwnerRef
from handlers.i18n import t
from handlers.replies import PersonRef, at_text
from scheduler.platforms import traits
from storage import repo
from storage.models import Contract, Milestone, MilestoneStatus, Person, Role, Tenant


@dataclass
class Ctx:
    """Everything a use case needs: one session (one transaction), the team, the sender, the language."""

    session: Session
    tenant: Tenant
    person: Person
    lang: str
    now: datetime
    chat_id: str = ""
    chat_type: str = "group"
    # files that came with the message (a ledger to import), already downloaded by the adapter
    attachments: tuple[Any, ...] = ()

    @property
    def tenant_id(self) -> int:
        """The team's id; a command always runs in a stored team."""
        assert self.tenant.id is not None, "the team is stored before any command runs"
        return self.tenant.id

    @property
    def tz(self) -> str:
        """The zone dates are read in: the sender's own, else the team's."""
        return self.person.timezone or self.tenant.timezone

    @property
    def today(self) -> date:
        """Today in the sender's zone."""
        return self.now.astimezone(ZoneInfo(self.tz)).date()

    def t(self, msg_key: str, /, **params: object) -> str:
        """A sentence in this command's language."""
        return t(msg_key, self.lang, **params)

    def stamp(self) -> str:
        """Now as local wall-clock text, for 'done by X at ...' lines."""
        return f"{self.now.astimezone(ZoneInfo(self.tz)):%Y-%m-%d %H:%M}"

    def who(self) -> str:
        """The sender's name as shown in status lines."""
        return at_text(self.person.display_name or self.person.handle or self.person.platform_user_id or "?")


def person_ref(person: Person | None) -> PersonRef | None:
    """The reply-side view of a person."""
    if person is None:
        return None
    return PersonRef(
        name=person.display_name or person.handle or person.platform_user_id or "?",
        platform_user_id=person.platform_user_id,
        handle=person.handle,
        person_id=person.id,
    )


def resolve_owner(ctx: Ctx, ref: OwnerRef) -> Person:
    """Find the person a mention names, creating them on first mention."""
    s = ctx.session
    for value, limit in ((ref.handle, 128), (ref.user_id, 64), (ref.name, 255)):  # the people columns' limits
        if value and len(value) > limit:
            raise UserError("err.handle_long", limit=limit)
    # A mention with a platform id is looked up by that id only: the "|name" label is display text, and
    # binding an id to whoever holds that handle would let anyone claim someone else's identity.
    person = repo.find_person(s, tenant_id=ctx.tenant_id, user_id=ref.user_id,
                              handle=None if ref.user_id else ref.handle)
    if person is None:
        person = Person(
            tenant_id=ctx.tenant_id,
            platform_user_id=ref.user_id,
            handle=ref.handle if ref.handle else None,
            display_name=ref.name or ref.handle or ref.user_id or "",
            role="member",
        )
        s.add(person)
        s.flush()
        repo.audit(
            s, tenant_id=ctx.tenant_id, actor_id=ctx.person.id, action="person.created", entity="person",
            entity_id=person.id, after=repo.snapshot(person, ("platform_user_id", "handle", "display_name")),
        )
    return person


def find_member(ctx: Ctx, ref: OwnerRef, error_key: str, example: str) -> Person:
    """The team member a mention names, never created (a filter of a read-only command); else ``error_key``."""
    person = repo.find_person(ctx.session, tenant_id=ctx.tenant_id, user_id=ref.user_id, handle=ref.handle or ref.name)
    if person is None:
        raise UserError(error_key, example=example, owner=at_text(ref.handle or ref.name or ref.user_id or "?"))
    return person


def resolve_assignee(ctx: Ctx, ref: OwnerRef) -> Person:
    """The person a mention names, who must be able to act on what they are given (not a viewer)."""
    person = resolve_owner(ctx, ref)
    if person.role == Role.VIEWER:
        raise UserError("err.owner_viewer", name=at_text(person.display_name or person.handle or "?"))
    return person


def find_contract(ctx: Ctx, number: str, example: str) -> Contract:
    """Look a contract up by number in this team, suggesting close matches when it is not there."""
    contract = repo.get_contract(ctx.session, tenant_id=ctx.tenant_id, number=number)
    if contract is not None:
        return contract
    # the candidates come from a few index probes (one edit away, neighbours in sorted order), not the whole team
    numbers = repo.similar_contract_numbers(ctx.session, tenant_id=ctx.tenant_id, number=number)
    by_upper = {n.upper(): n for n in numbers}
    close = difflib.get_close_matches(number.upper(), list(by_upper), n=3, cutoff=0.6)
    if close:
        raise UserError(
            "err.contract_unknown_suggest", example=example, number=number,
            suggestions=", ".join(by_upper[c] for c in close),
        )
    raise UserError("err.contract_unknown", example=example, number=number)


def require_currency(contract: Contract, currency: str | None, example: str) -> None:
    """Refuse money written in another currency than the contract's."""
    if currency and currency != contract.currency:
        raise UserError("err.currency_mismatch", example=example, number=contract.number,
                        expected=contract.currency, got=currency)


def open_milestones_of(ctx: Ctx, contract: Contract) -> list[Milestone]:
    """A contract's open milestones in due-date order."""
    return [m for m in repo.milestones_of(ctx.session, tenant_id=ctx.tenant_id, contract_id=contract.id or 0)
            if m.status == MilestoneStatus.OPEN]


def require_writer(ctx: Ctx) -> None:
    """Refuse viewers, who may only read."""
    if ctx.person.role == Role.VIEWER:
        raise Refused("err.viewer")


def require_actor(ctx: Ctx, milestone: Milestone, contract: Contract) -> None:
    """Allow only the milestone owner, the contract owner or a team admin to act on a milestone."""
    require_writer(ctx)
    me = ctx.person.id
    if ctx.person.role == Role.ADMIN or me in (milestone.owner_id, contract.owner_id):
        return
    raise Refused("err.not_allowed", number=contract.number, title=milestone.title)


def require_contract_actor(ctx: Ctx, contract: Contract) -> None:
    """Allow the contract owner, a team admin, or whoever owns one of its milestones.

    A coarse first check only: recording a payment then needs ``require_payment_actor`` (the owner of some
    other milestone may not record money), and adding a milestone needs ``require_contract_owner``.
    """
    require_writer(ctx)
    if ctx.person.role == Role.ADMIN or ctx.person.id == contract.owner_id:
        return
    owners = {m.owner_id for m in repo.milestones_of(ctx.session, tenant_id=ctx.tenant_id,
                                                       contract_id=contract.id or 0)}
    if ctx.person.id in owners:
        return
    raise Refused("err.not_allowed_contract", number=contract.number)


def require_payment_actor(ctx: Ctx, contract: Contract, targets: Sequence[Milestone]) -> None:
    """Allow recording a payment: the contract owner, a team admin, or the owner of a milestone it is for.

    ``targets`` are the milestones the payment is for: the one the command names, else the ones the allocation
    settles. Owning some other milestone of the contract (a delivery, say) is not enough.
    """
    require_writer(ctx)
    if ctx.person.role == Role.ADMIN or ctx.person.id == contract.owner_id:
        return
    if any(m.owner_id == ctx.person.id for m in targets):
        return
    if not targets:
        raise Refused("err.payment_actor_unplanned", number=contract.number)
    titles = ", ".join(dict.fromkeys(m.title for m in targets))
    raise Refused("err.payment_actor", number=contract.number, titles=titles)


def require_contract_owner(ctx: Ctx, contract: Contract) -> None:
    """Allow only the contract owner or a team admin.

    For whole-contract actions: adding a milestone, ending, renewing, the contract's reminder days.
    """
    require_writer(ctx)
    if ctx.person.role == Role.ADMIN or ctx.person.id == contract.owner_id:
        return
    raise Refused("err.not_contract_owner", number=contract.number)


def require_admin(ctx: Ctx) -> None:
    """Allow team admins only."""
    if ctx.person.role != Role.ADMIN:
        raise Refused("err.admin_only_action")


_CHANNEL_REF = re.compile(r"<#(?P<id>[A-Z0-9]+)(?:\|[^>]*)?>|#(?P<name>[\w\-]+)|(?P<chat>-?\d{5,})")


def channel_id(ctx: Ctx, text: str, example: str) -> str:
    """A channel the team may post to: a Slack channel id (<#C…>, #name), or on Telegram this very chat."""
    m = _CHANNEL_REF.search(text)
    if m is None:
        raise UserError("err.channel_unreadable", example=example, got=text[:40])
    found = m.group("id") or m.group("chat") or m.group("name") or ""
    # a team that is one group chat (Telegram): pointing reminders at another group would leak them there
    if not traits(ctx.tenant.platform).named_chats and found != ctx.tenant.external_id:
        raise Refused("err.channel_foreign", got=found)
    return found
