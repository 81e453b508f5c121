"""Change requests (变更): proposed in chat, approved by the contract owner or an admin, applied atomically."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal

from sqlmodel import col, select

from handlers import anchors, grammar, lifecycle
from handlers.amounts import format_money, quantize
from handlers.context import Ctx, find_contract, person_ref, require_currency, require_writer, resolve_assignee
from handlers.dates import format_date
from handlers.errors import Refused, UserError
from handlers.grammar_ledger import DecideChange, RequestChange
from handlers.i18n import norm_lang
from handlers.reminders import followups, new_key
from handlers.replies import Action, Field, Line, Reply, Span, at_text
from handlers.usecases.milestones import followed_lines, pick_open_milestone
from handlers.usecases.renewals import status_on, sync_renewal_milestone
from handlers.views import planned_payments
from scheduler import planner
from scheduler.platforms import traits
from storage import repo
from storage.models import ChangeRequest, Contract, Milestone, MilestoneStatus, Person, Role, Tenant

# at most this many requests get their own Approve / Reject buttons in `pending` (Slack: 25 elements a block)
PENDING_BUTTONS = 10
# long scope texts are cut in one-line summaries
SUMMARY_VALUE = 60


@dataclass(frozen=True)
class PendingChanges:
    """`pending` / `待审批`: the team's change requests waiting for a decision."""


def _show_value(ctx: Ctx, field: str, value: str | None, currency: str) -> str:
    if value is None or value == "":
        return "-"
    if (rule := anchors.decode(value)) is not None:  # due relative to an event: "30 days after 交付验收"
        return anchors.rule_value_words(ctx.session, rule, tenant_id=ctx.tenant_id, lang=ctx.lang)
    if field in ("due", "end"):
        return format_date(date.fromisoformat(value), ctx.lang)
    if field == "amount":
        return format_money(Decimal(value), currency)
    if field == "owner":
        person = ctx.session.get(Person, int(value))
        return at_text(person.display_name or person.handle or "?") if person else "-"
    return value


def request_change(ctx: Ctx, cmd: RequestChange) -> list[Reply]:
    """Record a proposed change; it does nothing until an approver approves it."""
    require_writer(ctx)
    ex = grammar.example_for("change", ctx.lang)
    contract = find_contract(ctx, cmd.number, ex)
    require_currency(contract, cmd.currency, ex)
    milestone = pick_open_milestone(ctx, contract, cmd.milestone, ex) if cmd.milestone else None
    if cmd.field == "due" and milestone is None:
        raise UserError("err.change_field", example=ex)
    target: Milestone | Contract = milestone if milestone is not None else contract
    if cmd.field in ("due", "end"):
        old = getattr(target, "due_on" if milestone is not None else "end_on")
        old_value = old.isoformat() if old else None
        new_value = cmd.date_value.value.isoformat() if cmd.date_value else None
        if cmd.after is not None and milestone is not None:  # 变更 HT-1 尾款 截止 验收后30天: checked now and at approval
            anchor = anchors.resolve(ctx.session, contract, cmd.after, tenant_id=ctx.tenant_id, lang=ctx.lang,
                                     example=ex, dependent=milestone)
            new_value = anchors.encode(anchor, cmd.after)
    elif cmd.field == "amount":
        old_value = str(target.amount) if target.amount is not None else None
        new_value = str(quantize(cmd.amount or Decimal(0)))
    elif cmd.field == "owner":
        owner = resolve_assignee(ctx, cmd.owner) if cmd.owner else None
        old_value = str(target.owner_id) if target.owner_id else None
        new_value = str(owner.id) if owner else None
    else:
        if milestone is not None:
            raise UserError("err.change_field", example=ex)
        old_value, new_value = contract.scope, cmd.value
    tenant_id = ctx.tenant_id
    cr = ChangeRequest(tenant_id=tenant_id, seq=repo.next_seq(ctx.session, ChangeRequest, tenant_id=tenant_id),
                       contract_id=contract.id or 0, milestone_id=milestone.id if milestone else None,
                       field=cmd.field, old_value=old_value, new_value=new_value, reason=cmd.reason or None,
                       requested_by_id=ctx.person.id, created_at=ctx.now)
    ctx.session.add(cr)
    ctx.session.flush()
    repo.audit(ctx.session, tenant_id=tenant_id, actor_id=ctx.person.id, action="change.requested", entity="change",
               entity_id=cr.id, contract_id=contract.id, after=repo.snapshot(cr))
    card = change_card(ctx, cr, contract, milestone, with_actions=True)
    return [card, *_send_to_approvers(ctx, cr, contract, milestone, card)]


# -- reaching the approvers -----------------------------------------------------------------------------


def approvers_of(ctx: Ctx, contract: Contract, requester_id: int | None) -> list[Person]:
    """Who may decide a change of this contract: its owner, then the team admins; never the requester or a viewer."""
    found: list[Person] = []
    owner = ctx.session.get(Person, contract.owner_id) if contract.owner_id else None
    admins = ctx.session.exec(
        select(Person).where(Person.tenant_id == ctx.tenant.id, Person.role == Role.ADMIN).order_by(col(Person.id))
    ).all()
    for person in [owner, *admins]:
        if person is None or person.id == requester_id or person.role == Role.VIEWER or person.id in {p.id for p in found}:
            continue
        found.append(person)
    return found


def dm_target(tenant: Tenant, person: Person) -> str | None:
    """Where a person's private messages go, as ``Reply.channel``; None when the bot cannot write to them.

    Slack posts to a user id as the bot's DM with them; a Telegram private chat has the user's id, but only
    once they started the bot. The console has one shared chat and no DMs.
    """
    platform = traits(tenant.platform)
    if not platform.direct_messages or not person.platform_user_id:
        return None
    if person.dm_channel:
        return person.dm_channel
    if not platform.dm_first and not person.can_dm:
        return None
    return person.platform_user_id


def _team_chat(ctx: Ctx, contract: Contract) -> str | None:
    """The chat a contract's news goes to: its own channel, the team's default, or (Telegram) the team's group."""
    chat = contract.channel or ctx.tenant.default_channel
    if chat is None and traits(ctx.tenant.platform).team_per_chat:
        chat = ctx.tenant.external_id
    return chat


def _lang_of(person: Person, tenant: Tenant) -> str:
    return norm_lang(person.language) or norm_lang(tenant.language) or "en"


def _name(person: Person | None) -> str:
    """A person as plain '@name' text (no mention, so nobody is pinged twice)."""
    if person is None:
        return "-"
    return at_text(person.display_name or person.handle or person.platform_user_id or "?")


def _send_to_approvers(ctx: Ctx, cr: ChangeRequest, contract: Contract, milestone: Milestone | None,
                       card: Reply) -> list[Reply]:
    """A copy of the request, with its buttons, in each approver's DM; who cannot be DMed is mentioned instead.

    The mention goes on the requester's own card when it was asked in a group chat, else into the contract's
    channel. ``card`` (the requester's reply) says where the request went.
    """
    approvers = approvers_of(ctx, contract, cr.requested_by_id)
    if not approvers:
        card.context.append(ctx.t("change.nobody"))
        return []
    requester = ctx.session.get(Person, cr.requested_by_id) if cr.requested_by_id else None
    out: list[Reply] = []
    mention: list[Person] = []
    for person in approvers:
        target = dm_target(ctx.tenant, person)
        if target is None:
            mention.append(person)
            continue
        pctx = replace(ctx, lang=_lang_of(person, ctx.tenant))
        dm = change_card(pctx, cr, contract, milestone, with_actions=True)
        why = "change.why_owner" if person.id == contract.owner_id else "change.why_admin"
        dm.context = [pctx.t("change.for_you", who=_name(requester)), pctx.t(why, number=contract.number)]
        dm.channel = target
        out.append(dm)
    if out:
        names = ctx.t("change.name_sep").join(_name(p) for p in approvers if p not in mention)
        card.add(ctx.t("change.notified", names=names))
    if mention:
        # the sentence is split where the names go, and the names become real mentions
        before, _, after = ctx.t("change.mention", names="\0").partition("\0")
        spans: list[Span] = [before]
        for i, person in enumerate(mention):
            ref = person_ref(person)
            spans.extend([ctx.t("change.name_sep")] if i else [])
            spans.append(ref if ref is not None else _name(person))
        spans.append(after)
        chat = _team_chat(ctx, contract)
        if ctx.chat_type != "private" or chat is None or chat == ctx.chat_id:
            card.add(*spans)
        else:
            notice = change_card(ctx, cr, contract, milestone, with_actions=True)
            notice.add(*spans)
            notice.channel = chat
            out.insert(0, notice)
        if not traits(ctx.tenant.platform).dm_first:
            card.context.append(ctx.t("change.start_private"))
    return out


# -- what a change does, in one line ----------------------------------------------------------------------


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= SUMMARY_VALUE else text[: SUMMARY_VALUE - 1] + "…"


def change_diff(ctx: Ctx, cr: ChangeRequest, contract: Contract, milestone: Milestone | None) -> str:
    """'first payment due date: Fri 2026-12-04 → Tue 2026-12-15' in the command's language."""
    field = ctx.t("field." + cr.field)
    subject = ctx.t("change.subject_ms", title=milestone.title, field=field) if milestone else field
    before = _show_value(ctx, cr.field, cr.old_value, contract.currency)
    after = _show_value(ctx, cr.field, cr.new_value, contract.currency)
    if cr.field == "scope":
        before, after = _short(before), _short(after)
    return ctx.t("change.diff", subject=subject, before=before, after=after)


def _age(ctx: Ctx, since: datetime) -> str:
    seconds = (ctx.now - since).total_seconds()
    if seconds < 3600:
        return ctx.t("change.age_now")
    if seconds < 86400:
        return ctx.t("change.age_hours", n=int(seconds // 3600))
    return ctx.t("change.age_days", n=int(seconds // 86400))


def may_decide(ctx: Ctx, cr: ChangeRequest, contract: Contract) -> bool:
    """Whether the sender could approve or reject this request (the same rules as ``decide``)."""
    me = ctx.person
    return (cr.status == "pending" and me.role != Role.VIEWER and me.id != cr.requested_by_id
            and (me.role == Role.ADMIN or me.id == contract.owner_id))


def _open_requests(ctx: Ctx, contract_id: int | None = None) -> list[ChangeRequest]:
    q = select(ChangeRequest).where(ChangeRequest.tenant_id == ctx.tenant.id, ChangeRequest.status == "pending")
    if contract_id is not None:
        q = q.where(ChangeRequest.contract_id == contract_id)
    return list(ctx.session.exec(q.order_by(col(ChangeRequest.seq))).all())


def pending_changes(ctx: Ctx, cmd: PendingChanges) -> list[Reply]:
    """The team's open change requests, each with what it changes; buttons for the ones the sender may decide."""
    requests = _open_requests(ctx)
    if not requests:
        return [Reply(title=ctx.t("pending.none"), lang=ctx.lang)]
    reply = Reply(title=ctx.t("pending.title", count=len(requests)), lang=ctx.lang)
    contracts = {c.id: c for c in ctx.session.exec(
        select(Contract).where(col(Contract.id).in_({cr.contract_id for cr in requests}))).all()}
    people = repo.people_by_id(ctx.session, ids={cr.requested_by_id for cr in requests if cr.requested_by_id})
    left_out = 0
    for cr in requests:
        contract = contracts[cr.contract_id]
        milestone = ctx.session.get(Milestone, cr.milestone_id) if cr.milestone_id else None
        reply.add("• " + ctx.t("pending.item", seq=cr.seq, number=contract.number,
                               diff=change_diff(ctx, cr, contract, milestone),
                               who=_name(people.get(cr.requested_by_id or 0)), age=_age(ctx, cr.created_at)))
        if not may_decide(ctx, cr, contract):
            continue
        if len(reply.actions) >= 2 * PENDING_BUTTONS:
            left_out += 1
            continue
        for kind, label in (("approve", "pending.approve_n"), ("reject", "pending.reject_n")):
            key = new_key(ctx.session, tenant_id=cr.tenant_id, action=kind, change_id=cr.id)
            reply.actions.append(Action(kind=kind, label=ctx.t(label, seq=cr.seq), key=key,
                                        style="primary" if kind == "approve" else "danger",
                                        command=ctx.t(f"cmd.{kind}", seq=cr.seq)))
    if left_out:
        reply.context.append(ctx.t("pending.more", n=left_out))
    if not reply.actions:
        reply.context.append(ctx.t("change.approvers"))
    return [reply]


def open_change_lines(ctx: Ctx, contract: Contract) -> list[Line]:
    """A contract's open change requests as lines for `show` (nothing when there are none)."""
    requests = _open_requests(ctx, contract.id or 0)
    if not requests:
        return []
    people = repo.people_by_id(ctx.session, ids={cr.requested_by_id for cr in requests if cr.requested_by_id})
    lines: list[Line] = [(f"{ctx.t('show.changes')}:",)]
    for cr in requests:
        milestone = ctx.session.get(Milestone, cr.milestone_id) if cr.milestone_id else None
        lines.append(("• " + ctx.t("show.change_item", seq=cr.seq, diff=change_diff(ctx, cr, contract, milestone),
                                   who=_name(people.get(cr.requested_by_id or 0)), age=_age(ctx, cr.created_at)),))
    return lines


def change_card(ctx: Ctx, cr: ChangeRequest, contract: Contract, milestone: Milestone | None, *,
                with_actions: bool) -> Reply:
    """A change request as a message, with Approve / Reject buttons while it is pending."""
    what = f"{milestone.title} ({contract.number})" if milestone else contract.number
    reply = Reply(title=ctx.t("change.title", seq=cr.seq, field=ctx.t("field." + cr.field), what=what),
                  lang=ctx.lang)
    reply.fields = [
        Field(ctx.t("change.from"), (_show_value(ctx, cr.field, cr.old_value, contract.currency),)),
        Field(ctx.t("change.to"), (_show_value(ctx, cr.field, cr.new_value, contract.currency),)),
        Field(ctx.t("change.status"), (ctx.t("cr." + cr.status),)),
    ]
    requester = ctx.session.get(Person, cr.requested_by_id) if cr.requested_by_id else None
    reply.fields.append(Field(ctx.t("change.by"), (person_ref(requester) or "-",)))
    if cr.reason:
        reply.fields.append(Field(ctx.t("label.reason"), (cr.reason,)))
    if with_actions and cr.status == "pending":
        for kind, label in (("approve", "action.approve"), ("reject", "action.reject")):
            key = new_key(ctx.session, tenant_id=cr.tenant_id, action=kind, change_id=cr.id)
            reply.actions.append(Action(kind=kind, label=ctx.t(label), key=key,
                                        style="primary" if kind == "approve" else "danger",
                                        command=ctx.t(f"cmd.{kind}", seq=cr.seq)))
        reply.context.append(ctx.t("change.approvers"))
    return reply


def decide_change(ctx: Ctx, cmd: DecideChange) -> list[Reply]:
    """Approve (apply in this transaction) or reject a pending change request."""
    cr = ctx.session.exec(
        select(ChangeRequest).where(ChangeRequest.tenant_id == ctx.tenant.id, ChangeRequest.seq == cmd.seq)
    ).first()
    ex = grammar.example_for("approve" if cmd.approve else "reject", ctx.lang)
    if cr is None:
        raise UserError("err.change_unknown", example=ex, seq=cmd.seq)
    return decide(ctx, cr, cmd.approve, cmd.reason)


def decide(ctx: Ctx, cr: ChangeRequest, approve: bool, reason: str = "", clicked: str | None = None) -> list[Reply]:
    """Check the approver and carry out the decision (shared by typed commands and buttons)."""
    contract = ctx.session.get(Contract, cr.contract_id)
    assert contract is not None and contract.tenant_id == ctx.tenant.id
    require_writer(ctx)
    if cr.status != "pending":
        raise UserError("err.change_decided", seq=cr.seq, status=ctx.t("cr." + cr.status))
    if ctx.person.id == cr.requested_by_id:
        raise Refused("err.change_own", seq=cr.seq)
    if ctx.person.role != Role.ADMIN and ctx.person.id != contract.owner_id:
        raise Refused("err.change_approver", seq=cr.seq, number=contract.number)
    milestone = ctx.session.get(Milestone, cr.milestone_id) if cr.milestone_id else None
    before = repo.snapshot(cr, ("status",))
    cr.status = "approved" if approve else "rejected"
    cr.decided_by_id, cr.decided_at = ctx.person.id, ctx.now
    if reason:
        cr.reason = f"{cr.reason or ''}\n{ctx.who()}: {reason}".strip()
    ctx.session.add(cr)
    extra: list[Reply] = []
    changed: list[str] = []
    if approve:
        changed.append(change_diff(ctx, cr, contract, milestone))
        extra = _apply(ctx, cr, contract, milestone, changed)
    repo.audit(ctx.session, tenant_id=ctx.tenant_id, actor_id=ctx.person.id, action=f"change.{cr.status}",
               entity="change", entity_id=cr.id, contract_id=contract.id, before=before,
               after=repo.snapshot(cr, ("status",)))
    card = change_card(ctx, cr, contract, milestone, with_actions=False)
    requester = ctx.session.get(Person, cr.requested_by_id) if cr.requested_by_id else None
    card.title = ctx.t(f"change.{cr.status}", seq=cr.seq)
    card.lines.insert(0, (person_ref(requester) or "", " " + ctx.t(f"change.told_{cr.status}", who=ctx.who())))
    for i, line in enumerate(changed):
        card.lines.insert(1 + i, (("✏️ " if i == 0 else "   ") + line,))
    out = [card]
    if clicked:
        # the card whose button was pressed shows the decision instead of its buttons
        out.append(replace(card, replaces=(clicked,), actions=[]))
    if ctx.chat_type == "private" and contract.channel and contract.channel != ctx.chat_id:
        # decided in a DM: the requester and the team learn it where the contract's messages go
        out.append(replace(card, channel=contract.channel, actions=[]))
    return [*out, *extra]


def _current_value(cr: ChangeRequest, target: Milestone | Contract) -> str | None:
    attr = _ATTR[cr.field]
    value = getattr(target, attr)
    if value is None:
        return None
    return value.isoformat() if isinstance(value, date) else str(value)


_ATTR = {"due": "due_on", "end": "end_on", "amount": "amount", "owner": "owner_id", "scope": "scope"}


def _check_still_applies(ctx: Ctx, cr: ChangeRequest, contract: Contract, milestone: Milestone | None) -> None:
    """Refuse a change whose target moved on since it was requested (renewed, closed, or changed again)."""
    if contract.status in ("ended", "renewed") or (milestone is not None and milestone.status != MilestoneStatus.OPEN):
        raise UserError("err.change_stale", seq=cr.seq)
    target: Milestone | Contract = milestone if milestone is not None else contract
    if _current_value(cr, target) != cr.old_value:
        raise UserError("err.change_stale", seq=cr.seq)


def _apply(ctx: Ctx, cr: ChangeRequest, contract: Contract, milestone: Milestone | None,
           changed: list[str]) -> list[Reply]:
    """Write the approved value, audit before/after, and re-plan the reminders it affects.

    What else moved with it (percentage milestones following a new contract amount) is added to ``changed``.
    """
    _check_still_applies(ctx, cr, contract, milestone)
    if milestone is not None and cr.field == "due":
        # through the one door: a date given outright replaces a rule it was due by; a rule gives the date it can
        actor, rule = lifecycle.Actor.of(ctx), anchors.decode(cr.new_value)
        if rule is None:
            lifecycle.reschedule(actor, milestone, contract, date.fromisoformat(cr.new_value or ""),
                                 action="milestone.changed")
        else:
            lifecycle.set_rule(actor, milestone, contract, rule, example=grammar.example_for("change", ctx.lang))
        status = ctx.t("status.changed_by", who=ctx.who(), when=ctx.stamp())
        return followups(ctx.session, milestone, contract, ctx.tenant, today=ctx.today, lang=ctx.lang,
                         status_line=status)
    target: Milestone | Contract = milestone if milestone is not None else contract
    attr = _ATTR[cr.field]
    fields: tuple[str, ...] = (attr, "percent") if milestone is not None and cr.field == "amount" else (attr,)
    before = repo.snapshot(target, fields)
    tenant_id = ctx.tenant_id
    value: object
    if cr.field in ("due", "end"):
        value = date.fromisoformat(cr.new_value or "")
        if cr.field == "end" and contract.start_on and value < contract.start_on:
            raise UserError("err.date_order", start=format_date(contract.start_on, ctx.lang),
                            end=format_date(value, ctx.lang))
    elif cr.field == "amount":
        value = Decimal(cr.new_value or "0")
        if milestone is not None:
            _check_milestone_amount(ctx, contract, milestone, value)
            milestone.percent = None
        else:
            changed.extend(_rescale_percent_milestones(ctx, contract, value))
    else:
        value = int(cr.new_value) if cr.field == "owner" and cr.new_value else cr.new_value
    setattr(target, attr, value)
    target.updated_at = ctx.now
    ctx.session.add(target)
    kind = type(target).__name__.lower()
    repo.audit(ctx.session, tenant_id=tenant_id, actor_id=ctx.person.id, action=f"{kind}.changed", entity=kind,
               entity_id=target.id, contract_id=contract.id, before=before, after=repo.snapshot(target, fields))
    if milestone is not None:
        planner.replan(ctx.session, milestone=milestone, contract=contract, tenant=ctx.tenant, now=ctx.now)
        status = ctx.t("status.changed_by", who=ctx.who(), when=ctx.stamp())
        return followups(ctx.session, milestone, contract, ctx.tenant, today=ctx.today, lang=ctx.lang,
                         status_line=status)
    if cr.field == "end":
        new_status = status_on(contract, ctx.today)
        if new_status != contract.status:
            status_before = repo.snapshot(contract, ("status",))
            contract.status = new_status
            repo.audit(ctx.session, tenant_id=tenant_id, actor_id=ctx.person.id, action="contract.status",
                       entity="contract", entity_id=contract.id, contract_id=contract.id, before=status_before,
                       after=repo.snapshot(contract, ("status",)))
    if cr.field in ("end", "owner"):
        sync_renewal_milestone(ctx.session, contract, ctx.tenant, ctx.now, ctx.person.id)
    if cr.field == "end":  # milestones due after the contract's end (到期前1个月) move with it
        changed.extend(followed_lines(ctx, contract, lifecycle.follow(lifecycle.Actor.of(ctx), contract)))
    return []


def _check_milestone_amount(ctx: Ctx, contract: Contract, milestone: Milestone, value: Decimal) -> None:
    paid = repo.paid_by_milestone(ctx.session, tenant_id=ctx.tenant_id, contract_id=contract.id or 0)
    already = paid.get(milestone.id or 0, Decimal(0))
    if value < already or (already and value == already):
        raise UserError("err.amount_below_paid", amount=format_money(value, contract.currency),
                        paid=format_money(already, contract.currency))
    if milestone.kind == "payment" and contract.amount is not None:
        others = [m for m in repo.milestones_of(ctx.session, tenant_id=ctx.tenant_id,
                                                contract_id=contract.id or 0) if m.id != milestone.id]
        total = planned_payments(others) + value
        if total > contract.amount:
            raise UserError("err.plan_exceeds", total=format_money(total, contract.currency),
                            amount=format_money(contract.amount, contract.currency))


def _rescale_percent_milestones(ctx: Ctx, contract: Contract, value: Decimal) -> list[str]:
    """A new contract amount: open percentage milestones follow it; the plan and receipts must still fit.

    Returns a 'before → after' line for each milestone whose amount moved.
    """
    tenant_id = ctx.tenant_id
    ms = repo.milestones_of(ctx.session, tenant_id=tenant_id, contract_id=contract.id or 0)
    moved: list[str] = []
    for m in ms:
        if m.status == MilestoneStatus.OPEN and m.percent is not None:
            m_before = repo.snapshot(m, ("amount",))
            old_amount = m.amount
            m.amount = quantize(value * m.percent / 100)
            if old_amount != m.amount:
                subject = ctx.t("change.subject_ms", title=m.title, field=ctx.t("field.amount"))
                moved.append(ctx.t("change.diff", subject=subject,
                                   before=format_money(old_amount, contract.currency) if old_amount is not None
                                   else "-", after=format_money(m.amount, contract.currency)))
            ctx.session.add(m)
            repo.audit(ctx.session, tenant_id=tenant_id, actor_id=ctx.person.id, action="milestone.changed",
                       entity="milestone", entity_id=m.id, contract_id=contract.id, before=m_before,
                       after=repo.snapshot(m, ("amount",)))
    floor = max(planned_payments(ms), repo.received_total(ctx.session, tenant_id=tenant_id,
                                                          contract_id=contract.id or 0))
    if value < floor:
        raise UserError("err.amount_below_plan", amount=format_money(value, contract.currency),
                        floor=format_money(floor, contract.currency))
    return moved
