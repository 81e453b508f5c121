"""The one-time links of reminder e-mails: what a link would do (its page), and doing it once.

A link presses its button (an ``ActionKey``) as the person it was mailed to, through the same use case as a
button click (``run_action``) and with the same permission rules; someone reached only by e-mail has no chat
user id, so the action runs as that ``Person``. It works until it expires (14 days) and only once: the use is
recorded, and audited, in the transaction that does the action.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import update
from sqlmodel import Session, col

from handlers import metrics
from handlers.amounts import format_money
from handlers.context import Ctx
from handlers.dates import format_date
from handlers.errors import AskFirst, Refused, UserError
from handlers.grammar_ledger import RecordPayment
from handlers.i18n import norm_lang, t
from handlers.mail import LINK_TTL
from handlers.messages import IncomingAction, Sender
from handlers.replies import Reply, at_text
from handlers.understand import Ask
from handlers.usecases.actions import run_action
from handlers.usecases.payments import record_payment
from storage import repo
from storage.models import ActionKey, Contract, MailLink, Milestone, MilestoneStatus, Person, Tenant


@dataclass(frozen=True)
class LinkView:
    """What a link's page says before anything is done: a question and its button, or why it cannot act."""

    status: str  # ready | used | expired | closed
    lang: str
    title: str
    lines: tuple[str, ...] = ()
    button: str | None = None  # the label of the button that does it (ready only)


@dataclass
class LinkResult:
    """What following a link did: ``done``, ``asked`` (nothing done: type a command instead), ``used``,
    ``expired`` or ``refused`` (the person may no longer act on it), with the replies to show."""

    status: str
    lang: str
    replies: list[Reply] = field(default_factory=list)
    # edits of the chat messages already sent about the milestone (each names what it replaces), for the
    # team's own platform to make: a link acts outside the chat, but the chat's copies should show it too
    edits: list[Reply] = field(default_factory=list)
    platform: str = ""
    tenant_key: str = ""


@dataclass(frozen=True)
class _Found:
    link: MailLink
    key: ActionKey
    tenant: Tenant
    person: Person
    lang: str


def _find(session: Session, token: str) -> _Found | None:
    """The link, its key, team and person, all of one team; None for a token that is not a link."""
    link = session.get(MailLink, token)
    if link is None:
        return None
    key = session.get(ActionKey, link.action_key)
    tenant = session.get(Tenant, link.tenant_id)
    person = session.get(Person, link.person_id)
    if key is None or tenant is None or person is None or not (key.tenant_id == person.tenant_id == tenant.id):
        return None
    lang = norm_lang(person.language) or norm_lang(tenant.language) or "en"
    return _Found(link, key, tenant, person, lang)


def _stamp(at: datetime, tenant: Tenant, person: Person) -> str:
    return f"{at.astimezone(ZoneInfo(person.timezone or tenant.timezone)):%Y-%m-%d %H:%M}"


def _today(now: datetime, tenant: Tenant, person: Person) -> date:
    return now.astimezone(ZoneInfo(person.timezone or tenant.timezone)).date()


def _name(person: Person) -> str:
    return at_text(person.display_name or person.handle or person.platform_user_id or "?")


def _expired(found: _Found, milestone: Milestone | None, contract: Contract | None) -> str:
    command = ""
    if milestone is not None and contract is not None:
        typed = "cmd.done" if found.key.action == "done" else "cmd.snooze3"
        command = t(typed, found.lang, n=contract.number, m=milestone.title)
    return t("mail.page.expired", found.lang, days=LINK_TTL.days, command=command)


def view(session: Session, token: str, now: datetime) -> LinkView | None:
    """The page of a link, read only (mail scanners fetch links: looking must never act); None: no such link."""
    found = _find(session, token)
    if found is None:
        return None
    lang, link, key = found.lang, found.link, found.key
    milestone = session.get(Milestone, key.milestone_id) if key.milestone_id else None
    contract = session.get(Contract, milestone.contract_id) if milestone is not None else None
    if link.used_at is not None:
        return LinkView("used", lang, t("mail.page.used", lang, at=_stamp(link.used_at, found.tenant, found.person)))
    if link.expires_at <= now:
        return LinkView("expired", lang, _expired(found, milestone, contract))
    if milestone is None or contract is None:
        return None
    params = {"title": milestone.title, "number": contract.number}
    if milestone.status != MilestoneStatus.OPEN:
        return LinkView("closed", lang, t("mail.page.closed", lang, status=t("status." + milestone.status, lang),
                                          **params))
    lines = [f"{contract.number} · {contract.title}"] if contract.title else [contract.number]
    if contract.counterparty:
        lines.append(contract.counterparty)
    if milestone.due_on is not None:
        lines.append(f"{t('label.due', lang)}: {format_date(milestone.due_on, lang)}")
    lines.append(t("mail.page.as", lang, name=_name(found.person)))
    owed = _owed(session, milestone) if key.action == "done" else Decimal(0)
    if owed > 0:  # Done on money still owed: the page says what pressing it records
        amount = format_money(owed, contract.currency)
        lines.append(t("mail.page.waive_hint", lang, command=t("cmd.waive", lang, n=contract.number,
                                                                   m=milestone.title)))
        return LinkView("ready", lang, t("mail.page.confirm_paid", lang, owed=amount, **params), tuple(lines),
                        t("ask.done_pay", lang, owed=amount))
    if key.action == "snooze":
        days = int(key.arg or "1")
        until = _today(now, found.tenant, found.person) + timedelta(days=days)
        return LinkView("ready", lang, t("mail.page.confirm_snooze", lang, days=days, date=format_date(until, lang),
                                         **params), tuple(lines), t("mail.page.button_snooze", lang, days=days))
    return LinkView("ready", lang, t("mail.page.confirm_done", lang, **params), tuple(lines),
                    t("mail.page.button_done", lang))


def _owed(session: Session, milestone: Milestone) -> Decimal:
    """What is still owed on a milestone (0 for one without money)."""
    if milestone.amount is None:
        return Decimal(0)
    paid = repo.paid_for_milestones(session, tenant_id=milestone.tenant_id, milestone_ids=[milestone.id or 0])
    return max(Decimal(0), milestone.amount - paid.get(milestone.id or 0, Decimal(0)))


def _pay_the_rest(ctx: Ctx, key: ActionKey) -> list[Reply]:
    milestone = ctx.session.get(Milestone, key.milestone_id or 0)
    contract = ctx.session.get(Contract, milestone.contract_id) if milestone is not None else None
    if milestone is None or contract is None:
        raise Refused("err.action_unknown")
    return record_payment(ctx, RecordPayment(contract.number, _owed(ctx.session, milestone), contract.currency,
                                             None, milestone.title))


class _Used(Exception):
    """Another request used the link first (between reading it and claiming it)."""


def follow(session: Session, token: str, now: datetime) -> LinkResult | None:
    """Do what a link says, once, as its person, in the caller's transaction; None: no such link.

    The link is claimed with a compare-and-set (used_at IS NULL), so two clicks at once act once. When the person
    may not (or no longer) act, or the milestone still owes money ("Done" asks first), nothing is written and the
    link still works.
    """
    found = _find(session, token)
    if found is None:
        return None
    lang, link, key = found.lang, found.link, found.key
    if link.used_at is None and link.expires_at <= now:
        milestone = session.get(Milestone, key.milestone_id) if key.milestone_id else None
        contract = session.get(Contract, milestone.contract_id) if milestone is not None else None
        return LinkResult("expired", lang, [Reply(title=_expired(found, milestone, contract), error=True, lang=lang)])
    metrics.note(verb=metrics.verb_of_button(key.action), tenant=found.tenant.id)
    ctx = Ctx(session=session, tenant=found.tenant, person=found.person, lang=lang, now=now, chat_type="private")
    pressed = IncomingAction(platform=found.tenant.platform, tenant_key=found.tenant.external_id, key=key.key,
                             sender=Sender(user_id=found.person.platform_user_id or "", language=lang),
                             chat_type="private")
    try:
        with session.begin_nested():
            claimed = session.exec(
                update(MailLink).where(col(MailLink.token) == token, col(MailLink.used_at).is_(None))
                .values(used_at=now).execution_options(synchronize_session=False))
            if claimed.rowcount != 1:
                raise _Used()
            try:
                with session.begin_nested():
                    replies = run_action(ctx, key, pressed)
            except AskFirst:
                if key.action != "done":
                    raise
                # Done on money still owed asks in the chat; the page already asked, and its button records the
                # rest as received today, as the question's first answer does (record_payment, same checks)
                replies = _pay_the_rest(ctx, key)
            repo.audit(session, tenant_id=found.tenant.id or 0, actor_id=found.person.id, action="mail.link_used",
                       entity="milestone", entity_id=key.milestone_id,
                       after={"action": key.action, "arg": key.arg, "via": "e-mail"})
    except _Used:
        session.refresh(link)
        at = _stamp(link.used_at or now, found.tenant, found.person)
        return LinkResult("used", lang, [Reply(title=t("mail.page.used", lang, at=at), error=True, lang=lang)])
    except AskFirst as first:  # "Done" on a milestone still owed money: nothing was done, say what to type
        ask = first.ask
        assert isinstance(ask, Ask)
        metrics.note(outcome="asked")
        reply = Reply(title=t(ask.prompt_key, lang, **ask.params), lang=lang)
        reply.lines = [(t("mail.page.owed", lang),), *((command,) for _label, command in ask.options)]
        return LinkResult("asked", lang, [reply])
    except UserError as err:  # refused, or the milestone is closed now: the same sentence as for a button
        metrics.note(outcome="refused" if isinstance(err, Refused) else "user_error")
        reply = Reply(title=t("error.prefix", lang, reason=t(err.key, lang, **err.params)), error=True, lang=lang)
        return LinkResult("refused", lang, [reply])
    # the edits of chat messages (replies that replace earlier ones) go to the team's platform, not to the page
    return LinkResult("done", lang, [r for r in replies if not r.replaces], edits=[r for r in replies if r.replaces],
                      platform=found.tenant.platform, tenant_key=found.tenant.external_id)
