"""Corrections (修改 / 删除): fix a typo in a contract or a milestone, or delete a milestone entered by mistake.

A correction needs no approval (a business change goes through ``change``), but only the contract owner or an
admin may make one. Each runs the checks its creation runs, writes nothing when one fails, and otherwise writes
one audit event with the values before and after; reminders are re-planned when what they hang on moved.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlmodel import col, select

from handlers import grammar, lifecycle
from handlers.amounts import CURRENCIES, format_money, quantize
from handlers.context import (
    Ctx,
    channel_id,
    find_contract,
    open_milestones_of,
    require_contract_owner,
    require_currency,
    resolve_assignee,
)
from handlers.dates import format_date
from handlers.errors import UserError
from handlers.grammar_ledger import DeleteMilestone, Edit
from handlers.reminders import followups
from handlers.replies import Field, Reply, at_text
from handlers.usecases.milestones import followed_lines, match_milestone, pick_open_milestone
from handlers.usecases.renewals import notice_deadline, status_on, sync_renewal_milestone
from handlers.views import milestone_amount, percent_of, planned_payments
from scheduler import planner
from storage import repo
from storage.models import Contract, Milestone, MilestoneStatus, Payment, PaymentAllocation, Person

MAX_TEXT = 255  # titles, names and counterparties, as the columns hold them

# the columns each correction touches (what the audit event shows before and after)
_CONTRACT_ATTRS: dict[str, tuple[str, ...]] = {
    "title": ("title",), "counterparty": ("counterparty",), "amount": ("amount",), "currency": ("currency",),
    "starts": ("start_on",), "ends": ("end_on", "status"), "signed": ("signed_on",), "owner": ("owner_id",),
    "channel": ("channel",),
}
_MILESTONE_ATTRS: dict[str, tuple[str, ...]] = {"title": ("title",), "amount": ("amount", "percent"),
                                                "kind": ("kind",)}
# corrections after which the reminders of every open milestone are planned again (the renewal notice hangs on
# the end date and follows the owner)
_REPLAN = ("ends", "owner")


@dataclass(frozen=True)
class _Rescaled:
    """A percentage milestone whose amount follows a corrected contract amount."""

    milestone: Milestone
    before: Decimal | None
    after: Decimal


# --- edit / 修改 --------------------------------------------------------------------------------------------


def edit(ctx: Ctx, cmd: Edit) -> list[Reply]:
    """Correct one field of a contract, or the name, amount or kind of one of its open milestones."""
    ex = grammar.example_for("edit", ctx.lang)
    contract = find_contract(ctx, cmd.number, ex)
    require_contract_owner(ctx, contract)
    cmd = _reading(ctx, contract, cmd)
    if cmd.milestone:
        return _edit_milestone(ctx, contract, _pick(ctx, contract, cmd.milestone, ex), cmd, ex)
    return _edit_contract(ctx, contract, cmd, ex)


def _reading(ctx: Ctx, contract: Contract, cmd: Edit) -> Edit:
    """The reading of the words that names a real milestone, when the first one does not."""
    if not cmd.alternatives:
        return cmd
    open_ms = open_milestones_of(ctx, contract)
    if cmd.milestone and match_milestone(open_ms, cmd.milestone):
        return cmd
    for alt in cmd.alternatives:
        if match_milestone(open_ms, alt.milestone):
            return alt
    return cmd


def _pick(ctx: Ctx, contract: Contract, name: str, ex: str) -> Milestone:
    """The open milestone a typed name means; the bot's own renewal notice is corrected through the end date."""
    milestone = pick_open_milestone(ctx, contract, name, ex)
    if milestone.kind == "renewal" and milestone.created_by_id is None:
        raise UserError("err.edit_renewal", example=ex, number=contract.number)
    return milestone


def _text_value(ctx: Ctx, field: str, value: str, ex: str) -> str:
    value = value.strip()
    if len(value) > MAX_TEXT:
        raise UserError("err.edit_too_long", example=ex, field=ctx.t("edit.field." + field), length=len(value),
                        limit=MAX_TEXT)
    return value


def _name(person: Person | None) -> str:
    """A person as plain '@name' text: a correction reply does not ping anyone."""
    if person is None:
        return "-"
    return at_text(person.display_name or person.handle or person.platform_user_id or "?")


def _show(ctx: Ctx, contract: Contract, field: str, value: object) -> str:
    """A contract field's value as the reply shows it."""
    if value is None or value == "":
        return "-"
    if field == "amount":
        return format_money(value, contract.currency)  # type: ignore[arg-type]
    if isinstance(value, date):
        return format_date(value, ctx.lang)
    if field == "owner":
        return _name(ctx.session.get(Person, value))
    return str(value)


def _edit_contract(ctx: Ctx, contract: Contract, cmd: Edit, ex: str) -> list[Reply]:
    field = cmd.field
    attr = _CONTRACT_ATTRS[field][0]
    old = getattr(contract, attr)
    rescaled: list[_Rescaled] = []
    new: Any
    if field in ("title", "counterparty"):
        new = _text_value(ctx, field, cmd.value, ex)
    elif field == "amount":
        require_currency(contract, cmd.currency, ex)
        new = quantize(cmd.amount or Decimal(0))
        rescaled = _rescale(ctx, contract, new, ex)
    elif field == "currency":
        new = cmd.currency or ""
        if new not in CURRENCIES:
            raise UserError("err.currency_unknown", example=ex, got=cmd.value)
        if new != contract.currency and repo.received_total(ctx.session, tenant_id=ctx.tenant_id,
                                                            contract_id=contract.id or 0):
            raise UserError("err.edit_currency_paid", example=ex, number=contract.number, currency=contract.currency)
    elif field in ("starts", "ends", "signed"):
        assert cmd.date_value is not None
        new = cmd.date_value.value
        start = new if field == "starts" else contract.start_on
        end = new if field == "ends" else contract.end_on
        if field != "signed" and start and end and end < start:
            raise UserError("err.date_order", example=ex, start=format_date(start, ctx.lang),
                            end=format_date(end, ctx.lang))
    elif field == "owner":
        assert cmd.owner is not None
        new = resolve_assignee(ctx, cmd.owner).id
    else:  # channel
        new = channel_id(ctx, cmd.value, ex)
    if new == old:
        raise UserError("err.edit_same", example=ex, field=ctx.t("edit.field." + field), what=contract.number,
                        value=_show(ctx, contract, field, old))
    fields = _CONTRACT_ATTRS[field]
    before = repo.snapshot(contract, fields)
    setattr(contract, attr, new)
    if field == "ends":
        contract.status = status_on(contract, ctx.today)
    contract.updated_at = ctx.now
    ctx.session.add(contract)
    after = repo.snapshot(contract, fields)
    for r in rescaled:
        r.milestone.amount, r.milestone.updated_at = r.after, ctx.now
        ctx.session.add(r.milestone)
    if rescaled:  # the milestones that followed the new amount are part of the same correction
        before["milestones"] = {_key(r.milestone, rescaled): str(r.before) if r.before is not None else None
                                for r in rescaled}
        after["milestones"] = {_key(r.milestone, rescaled): str(r.after) for r in rescaled}
    repo.audit(ctx.session, tenant_id=ctx.tenant_id, actor_id=ctx.person.id, action="contract.edited",
               entity="contract", entity_id=contract.id, contract_id=contract.id, before=before, after=after)
    replanned = 0
    if field in _REPLAN:
        for m in open_milestones_of(ctx, contract):
            planner.replan(ctx.session, milestone=m, contract=contract, tenant=ctx.tenant, now=ctx.now)
            replanned += 1
    if field in ("ends", "owner"):
        sync_renewal_milestone(ctx.session, contract, ctx.tenant, ctx.now, ctx.person.id, ctx.lang)
    # milestones due after the contract's signing, start or end (签约后5个工作日) move with it
    moved = lifecycle.follow(lifecycle.Actor.of(ctx), contract) if field in ("starts", "ends", "signed") else []

    reply = Reply(title=ctx.t("edit.title", what=contract.number), lang=ctx.lang)
    reply.add(ctx.t("edit.diff", field=ctx.t("edit.field." + field), before=_show(ctx, contract, field, old),
                    after=_show(ctx, contract, field, new)))
    for r in rescaled:
        reply.add(ctx.t("edit.diff_ms", title=r.milestone.title, field=ctx.t("edit.field.amount"),
                        before=format_money(r.before, contract.currency),
                        after=milestone_amount(r.milestone, contract.currency) or "-"))
    if cmd.date_value is not None and cmd.date_value.reading(ctx.lang):
        reply.context.append(ctx.t("warn.reading", note=cmd.date_value.reading(ctx.lang)))
    if field == "amount":
        _plan_line(ctx, contract, reply)
    deadline = notice_deadline(contract) if field == "ends" and contract.status in ("active", "expiring") else None
    if deadline is not None:  # (None without an end date)
        reply.context.append(ctx.t("ok.renewal_tracked", date=format_date(deadline, ctx.lang)))
        if deadline < ctx.today:
            reply.context.append(ctx.t("warn.notice_passed", date=format_date(deadline, ctx.lang)))
    if replanned:
        reply.context.append(ctx.t("edit.replanned", count=replanned))
    reply.context.extend(followed_lines(ctx, contract, moved))
    return [reply]


def _key(milestone: Milestone, rescaled: list[_Rescaled]) -> str:
    """A milestone in an audit snapshot: its name, with its id when another one has the same name."""
    twins = sum(1 for r in rescaled if r.milestone.title == milestone.title)
    return milestone.title if twins == 1 else f"{milestone.title} #{milestone.id}"


def _rescale(ctx: Ctx, contract: Contract, value: Decimal, ex: str) -> list[_Rescaled]:
    """A new contract amount: open percentage milestones keep their percentage, so their amounts follow it.

    Nothing is written here; refused when a milestone would fall to or below what it has received, or when the
    new amount is below what is planned or already received.
    """
    tenant_id = ctx.tenant_id
    ms = repo.milestones_of(ctx.session, tenant_id=tenant_id, contract_id=contract.id or 0)
    paid = repo.paid_by_milestone(ctx.session, tenant_id=tenant_id, contract_id=contract.id or 0)
    out: list[_Rescaled] = []
    planned = Decimal(0)
    for m in ms:
        amount = m.amount
        if m.status == MilestoneStatus.OPEN and m.percent is not None:
            amount = quantize(value * m.percent / 100)
            already = paid.get(m.id or 0, Decimal(0))
            if already and amount <= already:
                raise UserError("err.amount_below_paid", example=ex, amount=format_money(amount, contract.currency),
                                paid=format_money(already, contract.currency))
            if amount != m.amount:
                out.append(_Rescaled(m, m.amount, amount))
        if amount is not None and m.status != MilestoneStatus.CANCELLED:
            planned += amount
    floor = max(planned, repo.received_total(ctx.session, tenant_id=tenant_id, contract_id=contract.id or 0))
    if value < floor:
        raise UserError("err.amount_below_plan", example=ex, amount=format_money(value, contract.currency),
                        floor=format_money(floor, contract.currency))
    return out


def _plan_line(ctx: Ctx, contract: Contract, reply: Reply) -> None:
    """'Planned so far: … of … (…%)' under a correction that moved money."""
    if not contract.amount:
        return
    planned = planned_payments(repo.milestones_of(ctx.session, tenant_id=ctx.tenant_id,
                                                  contract_id=contract.id or 0))
    if planned:
        reply.context.append(ctx.t("ok.plan_total", planned=format_money(planned, contract.currency),
                                   amount=format_money(contract.amount, contract.currency),
                                   percent=percent_of(planned, contract.amount)))


def _edit_milestone(ctx: Ctx, contract: Contract, milestone: Milestone, cmd: Edit, ex: str) -> list[Reply]:
    field = cmd.field
    label = "name" if field == "title" else field
    values: dict[str, Any]
    if field == "title":
        values = {"title": _text_value(ctx, label, cmd.value, ex)}
    elif field == "amount":
        require_currency(contract, cmd.currency, ex)
        if cmd.percent is not None:
            if contract.amount is None:
                raise UserError("err.percent_no_amount", example=ex, number=contract.number, percent=cmd.percent)
            values = {"amount": quantize(contract.amount * cmd.percent / 100), "percent": cmd.percent}
        else:
            values = {"amount": quantize(cmd.amount or Decimal(0)), "percent": None}
        _check_milestone_amount(ctx, contract, milestone, values["amount"], ex)
    else:  # kind
        values = {"kind": cmd.kind}
    if all(getattr(milestone, k) == v for k, v in values.items()):
        shown = {"title": milestone.title, "kind": ctx.t("kind." + milestone.kind),
                 "amount": milestone_amount(milestone, contract.currency) or "-"}[field]
        raise UserError("err.edit_same", example=ex, field=ctx.t("edit.field." + label),
                        what=ctx.t("edit.what_ms", title=milestone.title, number=contract.number), value=shown)
    old_title = milestone.title
    old_shown = _milestone_value(ctx, contract, milestone, field)
    fields = _MILESTONE_ATTRS[field]
    before = repo.snapshot(milestone, fields)
    for k, v in values.items():
        setattr(milestone, k, v)
    milestone.updated_at = ctx.now
    ctx.session.add(milestone)
    after = repo.snapshot(milestone, fields)
    repo.audit(ctx.session, tenant_id=ctx.tenant_id, actor_id=ctx.person.id, action="milestone.edited",
               entity="milestone", entity_id=milestone.id, contract_id=contract.id, before=before, after=after)
    reply = Reply(title=ctx.t("edit.title", what=ctx.t("edit.what_ms", title=old_title, number=contract.number)),
                  lang=ctx.lang, milestone_id=milestone.id)
    reply.add(ctx.t("edit.diff", field=ctx.t("edit.field." + label), before=old_shown,
                    after=_milestone_value(ctx, contract, milestone, field)))
    if field == "amount":
        _plan_line(ctx, contract, reply)
    status = ctx.t("status.corrected_by", who=ctx.who(), when=ctx.stamp())
    return [reply, *followups(ctx.session, milestone, contract, ctx.tenant, today=ctx.today, lang=ctx.lang,
                              status_line=status)]


def _milestone_value(ctx: Ctx, contract: Contract, milestone: Milestone, field: str) -> str:
    if field == "title":
        return milestone.title
    if field == "kind":
        return ctx.t("kind." + milestone.kind)
    return milestone_amount(milestone, contract.currency) or "-"


def _check_milestone_amount(ctx: Ctx, contract: Contract, milestone: Milestone, value: Decimal, ex: str) -> None:
    """As when a milestone is added: the plan stays within the contract amount; and above what it received."""
    tenant_id = ctx.tenant_id
    already = repo.paid_for_milestones(ctx.session, tenant_id=tenant_id,
                                       milestone_ids=[milestone.id or 0]).get(milestone.id or 0, Decimal(0))
    if already and value <= already:
        raise UserError("err.amount_below_paid", example=ex, amount=format_money(value, contract.currency),
                        paid=format_money(already, contract.currency))
    if contract.amount is not None:
        others = [m for m in repo.milestones_of(ctx.session, tenant_id=tenant_id, contract_id=contract.id or 0)
                  if m.id != milestone.id]
        total = planned_payments(others) + value
        if total > contract.amount:
            raise UserError("err.plan_exceeds", example=ex, total=format_money(total, contract.currency),
                            amount=format_money(contract.amount, contract.currency))


# --- delete / 删除 ------------------------------------------------------------------------------------------


def delete_milestone(ctx: Ctx, cmd: DeleteMilestone) -> list[Reply]:
    """Cancel a milestone entered by mistake; the reason is kept in its note and the history; reminders stop."""
    ex = grammar.example_for("delete", ctx.lang)
    contract = find_contract(ctx, cmd.number, ex)
    require_contract_owner(ctx, contract)
    if not cmd.milestone.strip():
        open_ms = open_milestones_of(ctx, contract)
        if not open_ms:
            raise UserError("err.milestone_none_open", example=ex, number=contract.number)
        raise UserError("err.milestone_which", example=ex, number=contract.number,
                        choices=", ".join(m.title for m in open_ms))
    milestone = _pick(ctx, contract, cmd.milestone, ex)
    tenant_id = ctx.tenant_id
    paid = repo.paid_for_milestones(ctx.session, tenant_id=tenant_id, milestone_ids=[milestone.id or 0])
    if paid.get(milestone.id or 0):
        verb = "undo" if ctx.lang == "en" else "撤销"
        undo = ", ".join(f"{verb} P-{seq}" for seq in _payments_for(ctx, milestone))
        raise UserError("err.delete_paid", example=grammar.example_for("undo", ctx.lang), title=milestone.title,
                        number=contract.number, paid=format_money(paid[milestone.id or 0], contract.currency),
                        undo=undo)
    reason = cmd.reason.strip()[:500]
    said = ctx.t("note.deleted", reason=reason) if reason else ctx.t("note.deleted_plain")
    line = f"{ctx.today.isoformat()} {ctx.person.display_name or ctx.person.handle or '?'}: {said}"
    milestone.note = f"{milestone.note}\n{line}" if milestone.note else line
    # the one door for a milestone's state: status before and after, the reason, one audit event, re-plan
    lifecycle.cancel(lifecycle.Actor.of(ctx), milestone, contract, reason=reason)
    reply = Reply(title=ctx.t("ok.milestone_deleted", title=milestone.title, number=contract.number), lang=ctx.lang,
                  milestone_id=milestone.id)
    if reason:
        reply.fields.append(Field(ctx.t("label.reason"), (reason,)))
    orphans = [m.title for m in repo.dependents_of(ctx.session, tenant_id=tenant_id, contract_id=contract.id or 0,
                                                   anchor_id=milestone.id) if m.due_on is None]
    if orphans:  # due after it (验收后30天): they will not get a date from it now
        reply.context.append(ctx.t("after.orphaned", titles=", ".join(orphans), event=milestone.title,
                                   number=contract.number))
    money = milestone_amount(milestone, contract.currency)
    if money:
        reply.fields.append(Field(ctx.t("label.amount"), (money,)))
        _plan_line(ctx, contract, reply)
    status = ctx.t("status.deleted_by", who=ctx.who(), when=ctx.stamp())
    return [reply, *followups(ctx.session, milestone, contract, ctx.tenant, today=ctx.today, lang=ctx.lang,
                              status_line=status)]


def _payments_for(ctx: Ctx, milestone: Milestone) -> list[int]:
    """The numbers (P-n) of the standing payments that put money on a milestone."""
    rows = ctx.session.exec(
        select(Payment.seq)
        .join(PaymentAllocation, col(PaymentAllocation.payment_id) == col(Payment.id))
        .where(Payment.tenant_id == ctx.tenant.id, PaymentAllocation.milestone_id == milestone.id,
               col(Payment.reversed_at).is_(None))
        .order_by(col(Payment.seq))
    ).all()
    return list(dict.fromkeys(rows))
