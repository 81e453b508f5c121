"""Reminder messages: what a ping says, where it goes, its buttons, and how it reads after someone acts.

This is the core's side of the dispatch pass (``ReminderComposer`` implements scheduler.dispatch.Composer).
"""

from __future__ import annotations

import secrets
from collections.abc import Collection
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from handlers import anchors, relative
from handlers.context import person_ref
from handlers.dates import format_date
from handlers.i18n import norm_lang, t
from handlers.mail import MailRoute, mail_out
from handlers.replies import Action, Field, Reply
from handlers.views import money_text, owner_span
from scheduler import planner
from scheduler.notify import Outgoing, Target
from scheduler.platforms import traits
from storage import repo
from storage.models import ActionKey, Contract, Milestone, MilestoneStatus, Person, Reminder, SentMessage, Tenant

# action kind, label key, argument, typed form ({n} number, {m} milestone)
REMINDER_ACTIONS: tuple[tuple[str, str, str | None, str], ...] = (
    ("done", "action.done", None, "cmd.done"),
    ("snooze", "action.snooze1", "1", "cmd.snooze1"),
    ("snooze", "action.snooze3", "3", "cmd.snooze3"),
    ("snooze_date", "action.snooze_date", None, "cmd.snooze_date"),
    ("reassign", "action.reassign", None, "cmd.reassign"),
    ("note", "action.note", None, "cmd.note"),
)


def new_key(session: Session, *, tenant_id: int, action: str, milestone_id: int | None = None,
            change_id: int | None = None, reminder_id: int | None = None, arg: str | None = None) -> str:
    """Store an opaque button key (16 url-safe characters, far below Telegram's 64-byte limit)."""
    key = secrets.token_urlsafe(12)
    session.add(ActionKey(key=key, tenant_id=tenant_id, action=action, milestone_id=milestone_id,
                          change_id=change_id, reminder_id=reminder_id, arg=arg))
    return key


def milestone_actions(session: Session, milestone: Milestone, number: str, lang: str,
                      reminder_id: int | None = None) -> list[Action]:
    """The buttons of a reminder: Done, Snooze 1d/3d/date, Reassign, Note (and Record payment for payments)."""
    actions = []
    rows = list(REMINDER_ACTIONS)
    if milestone.amount is not None:  # any milestone with money: 验收款, 质保金, 定金 …
        rows.append(("pay", "action.pay", None, "cmd.pay"))
    for kind, label, arg, typed in rows:
        key = new_key(session, tenant_id=milestone.tenant_id, action=kind, milestone_id=milestone.id,
                      reminder_id=reminder_id, arg=arg)
        actions.append(Action(kind=kind, label=t(label, lang), key=key, style="primary" if kind == "done" else None,
                              command=t(typed, lang, n=number, m=milestone.title)))
    return actions


def headline(milestone: Milestone, contract: Contract, today: date, lang: str) -> str:
    """'⏰ first payment of HT-2026-001 is due in 3 days (Fri 2026-12-04)' and its overdue forms."""
    if milestone.due_on is None:  # still waiting for the event it is due after (验收后30天)
        return f"{milestone.title} · {contract.number}: {relative.waiting_text(milestone, None, lang)}"
    days = (milestone.due_on - today).days
    params = {"title": milestone.title, "number": contract.number, "date": format_date(milestone.due_on, lang)}
    if days > 0:
        return t("remind.ahead", lang, days=days, **params)
    if days == 0:
        return t("remind.today", lang, **params)
    return t("remind.overdue", lang, days=-days, **params)


def reminder_reply(
    session: Session, milestone: Milestone, contract: Contract, tenant: Tenant, *, today: date, lang: str,
    with_actions: bool = True, reminder_id: int | None = None,
) -> Reply:
    """The reminder message of a milestone as of ``today``."""
    people = {p.id: p for p in session.exec(
        select(Person).where(col(Person.id).in_([x for x in (milestone.owner_id, contract.owner_id) if x]))
    ).all()}
    owner = person_ref(people.get(milestone.owner_id or 0))
    waiting = anchors.waiting_texts(session, [milestone], lang).get(milestone.id or 0)
    reply = Reply(title=headline(milestone, contract, today, lang) if waiting is None
                  else f"{milestone.title} · {contract.number}: {waiting}", lang=lang, milestone_id=milestone.id)
    reply.fields = [
        Field(t("label.contract", lang), (f"{contract.number} · {contract.title}",)),
        Field(t("label.due", lang), (anchors.due_words(session, milestone, lang),)),
        Field(t("label.owner", lang), (owner_span(owner, lang),)),
    ]
    if contract.counterparty:
        reply.fields.insert(1, Field(t("label.counterparty", lang), (contract.counterparty,)))
    paid = repo.paid_for_milestones(session, tenant_id=milestone.tenant_id, milestone_ids=[milestone.id or 0])
    money = money_text(milestone, contract.currency, lang, paid.get(milestone.id or 0))
    if money:
        reply.fields.append(Field(t("label.amount", lang), (money,)))
    if milestone.note:
        reply.context.append("📝 " + milestone.note.splitlines()[-1])
    if with_actions and milestone.status == MilestoneStatus.OPEN:
        reply.actions = milestone_actions(session, milestone, contract.number, lang, reminder_id)
    return reply


def followups(session: Session, milestone: Milestone, contract: Contract, tenant: Tenant, *, today: date,
              lang: str, status_line: str, extra_refs: tuple[str, ...] = ()) -> list[Reply]:
    """Edits of every reminder message already sent for a milestone, showing who did what."""
    refs = list(session.exec(select(SentMessage.ref).where(SentMessage.milestone_id == milestone.id)).all())
    refs.extend(r for r in extra_refs if r and r not in refs)
    if not refs:
        return []
    reply = reminder_reply(session, milestone, contract, tenant, today=today, lang=lang)
    reply.context.append(status_line)
    reply.replaces = tuple(refs)
    return [reply]


def _language(owner: Person | None, tenant: Tenant) -> str:
    return norm_lang(owner.language if owner else None) or norm_lang(tenant.language) or "en"


class ReminderComposer:
    """Builds reminder messages and failure notices for the dispatch pass.

    ``reachable``: the platforms the pass has a notifier for (its notifiers' names). E-mail (handlers.mail) goes
    out only when the e-mail platform is one of them; otherwise everyone is reached in the chat as before.
    """

    def __init__(self, reachable: Collection[str] = ()) -> None:
        self.reachable = frozenset(reachable)

    def reminder(self, session: Session, reminder: Reminder, now: datetime) -> list[Outgoing] | None:
        """The messages of a due reminder, routed by the team's settings; None if no longer needed."""
        milestone = session.get(Milestone, reminder.milestone_id)
        if milestone is None or milestone.status != MilestoneStatus.OPEN or milestone.due_on is None:
            return None
        contract = session.get(Contract, milestone.contract_id)
        tenant = session.get(Tenant, milestone.tenant_id)
        if contract is None or tenant is None:
            return None
        owner = session.get(Person, milestone.owner_id) if milestone.owner_id else None
        lang = _language(owner, tenant)
        zone = planner.reminder_zone(session, milestone, tenant)
        today = now.astimezone(ZoneInfo(zone)).date()
        message = reminder_reply(session, milestone, contract, tenant, today=today, lang=lang,
                                 reminder_id=reminder.id)
        route = MailRoute.of(tenant, self.reachable)
        chat = route.chat_for(owner)
        if reminder.stage == planner.NOTICE_STAGE:  # its event just set its due date: the owner is told once
            message.title = t("after.notice", lang, line=anchors.set_line(session, tenant, contract, milestone, lang))
            return [*(self._route(tenant, contract, owner, message, lang, chat) if chat else []),
                    *self._mail(session, route, tenant, contract, milestone, owner, today=today, now=now,
                                reminder_id=reminder.id, title=message.title)]
        outs = self._route(tenant, contract, owner, message, lang, chat) if chat else []
        outs.extend(self._mail(session, route, tenant, contract, milestone, owner, today=today, now=now,
                               reminder_id=reminder.id))
        late = (today - milestone.due_on).days
        if late >= max(1, tenant.escalate_after_days):
            outs.extend(self._escalate(session, tenant, contract, owner, milestone, today, route=route, now=now))
        return outs

    def _mail(self, session: Session, route: MailRoute, tenant: Tenant, contract: Contract, milestone: Milestone,
              person: Person | None, *, today: date, now: datetime, reminder_id: int | None = None,
              title: str | None = None, escalated: bool = False) -> list[Outgoing]:
        """The e-mail copy of a reminder for one person, in their language, when the routing sends them one."""
        address = route.address(person)
        if person is None or address is None or route.box is None:
            return []
        lang = _language(person, tenant)
        msg = reminder_reply(session, milestone, contract, tenant, today=today, lang=lang, with_actions=False)
        if title is not None:
            msg.title = title
        if escalated:
            msg.title = t("remind.escalated", lang) + " " + (msg.title or "")
        return [mail_out(session, route.box, tenant=tenant, contract=contract, milestone=milestone, person=person,
                         address=address, message=msg, now=now, reminder_id=reminder_id)]

    def _route(self, tenant: Tenant, contract: Contract, owner: Person | None, message: Reply,
               lang: str, chat: str) -> list[Outgoing]:
        platform = traits(tenant.platform)
        channel = contract.channel or tenant.default_channel
        if platform.team_per_chat:
            channel = channel or tenant.external_id
        dm_ok = owner is not None and owner.platform_user_id is not None and platform.direct_messages
        routing = chat if dm_ok else "channel"
        if channel is None and dm_ok:
            routing = "dm"
        outs: list[Outgoing] = []
        if routing in ("channel", "both") and channel:
            outs.append(Outgoing(Target(tenant.platform, tenant.external_id, chat_id=channel), message))
        if routing in ("dm", "both") and owner is not None:
            if not platform.dm_first and not owner.can_dm and channel:
                # the bot cannot open a private chat (Telegram): post in the group with a mention, say how to fix it
                if routing == "dm":
                    hinted = _with_context(message, t("remind.start_private", lang))
                    outs.append(Outgoing(Target(tenant.platform, tenant.external_id, chat_id=channel), hinted))
            else:
                outs.append(Outgoing(Target(tenant.platform, tenant.external_id, user_id=owner.platform_user_id,
                                            dm=True), message, fallback_chat_id=channel))
        return outs

    def _escalate(self, session: Session, tenant: Tenant, contract: Contract, owner: Person | None,
                  milestone: Milestone, today: date, *, route: MailRoute, now: datetime) -> list[Outgoing]:
        outs: list[Outgoing] = []
        boss = session.get(Person, contract.owner_id) if contract.owner_id else None
        recipients: list[Person] = []
        if boss is not None and boss.id != (owner.id if owner else None):
            recipients.append(boss)
        target = tenant.escalation_target or ""
        if target.startswith("person:"):
            person = session.get(Person, int(target.split(":")[1]))
            if (person is not None and person.tenant_id == tenant.id and person not in recipients
                    and person.id != (owner.id if owner else None)):
                recipients.append(person)
        for person in recipients:
            outs.extend(self._mail(session, route, tenant, contract, milestone, person, today=today, now=now,
                                   escalated=True))
            if route.chat_for(person) is None:  # e-mail only
                continue
            if not person.platform_user_id or not traits(tenant.platform).direct_messages:
                continue
            lang = _language(person, tenant)
            msg = reminder_reply(session, milestone, contract, tenant, today=today, lang=lang)
            msg.title = t("remind.escalated", lang) + " " + (msg.title or "")
            outs.append(Outgoing(Target(tenant.platform, tenant.external_id, user_id=person.platform_user_id,
                                        dm=True), msg, fallback_chat_id=contract.channel))
        if target.startswith("channel:"):
            lang = _language(None, tenant)
            msg = reminder_reply(session, milestone, contract, tenant, today=today, lang=lang)
            msg.title = t("remind.escalated", lang) + " " + (msg.title or "")
            outs.append(Outgoing(Target(tenant.platform, tenant.external_id, chat_id=target.split(":", 1)[1]), msg))
        return outs

    def failure(self, session: Session, reminder: Reminder, error: str, now: datetime) -> list[Outgoing]:
        """Tell the contract owner (by DM) that a reminder could not be delivered, and why."""
        milestone = session.get(Milestone, reminder.milestone_id)
        if milestone is None:
            return []
        contract = session.get(Contract, milestone.contract_id)
        tenant = session.get(Tenant, milestone.tenant_id)
        if contract is None or tenant is None or contract.owner_id is None:
            return []
        boss = session.get(Person, contract.owner_id)
        if boss is None:
            return []
        lang = _language(boss, tenant)
        msg = Reply(title=t("remind.failed", lang, number=contract.number, title=milestone.title, error=error),
                    lang=lang, error=True, milestone_id=milestone.id)
        outs: list[Outgoing] = []
        route = MailRoute.of(tenant, self.reachable)
        if boss.platform_user_id and traits(tenant.platform).direct_messages and route.chat_for(boss) is not None:
            outs.append(Outgoing(Target(tenant.platform, tenant.external_id, user_id=boss.platform_user_id, dm=True),
                                 msg))
        address = route.address(boss)
        if address is not None and route.box is not None:  # an owner the chat cannot reach hears it by e-mail
            outs.append(mail_out(session, route.box, tenant=tenant, contract=contract, milestone=milestone,
                                 person=boss, address=address, message=msg, now=now, links=False))
        return outs


def _with_context(reply: Reply, line: str) -> Reply:
    copy = Reply(title=reply.title, lines=list(reply.lines), fields=list(reply.fields),
                 context=[*reply.context, line], actions=list(reply.actions), lang=reply.lang,
                 milestone_id=reply.milestone_id)
    return copy
