"""Button presses: an opaque key from the database, re-checked, then the same use cases as typed commands."""

from __future__ import annotations

from datetime import date

from sqlmodel import col, select

from handlers import grammar
from handlers.amounts import parse_money
from handlers.context import Ctx, require_actor, resolve_assignee
from handlers.errors import Refused, UserError
from handlers.grammar import OwnerRef
from handlers.grammar_ledger import RecordPayment
from handlers.messages import IncomingAction
from handlers.reminders import new_key
from handlers.replies import Action, Reply, at_text
from handlers.usecases.changes import decide
from handlers.usecases.followup import note_on, reassign_to, snooze_until
from handlers.usecases.listing import page_action
from handlers.usecases.milestones import ask_if_owed, mark_done
from handlers.usecases.payments import record_payment
from storage.models import ActionKey, ChangeRequest, Contract, Milestone, MilestoneStatus, Person, Role


def run_action(ctx: Ctx, key: ActionKey, action: IncomingAction) -> list[Reply]:
    """Carry out a button press for the sender, who must be allowed to act on the milestone."""
    if key.action == "page":  # Previous / Next under a list: that page, as if the presser had typed it
        return page_action(ctx, key.arg or "")
    if key.action in ("approve", "reject"):
        cr = ctx.session.get(ChangeRequest, key.change_id) if key.change_id else None
        if cr is None or cr.tenant_id != ctx.tenant.id:
            raise Refused("err.action_unknown")
        return decide(ctx, cr, key.action == "approve", (action.value or "").strip(), action.message_ref)
    milestone = ctx.session.get(Milestone, key.milestone_id) if key.milestone_id else None
    if milestone is None or milestone.tenant_id != ctx.tenant.id:
        raise Refused("err.action_unknown")
    contract = ctx.session.get(Contract, milestone.contract_id)
    if contract is None or contract.tenant_id != ctx.tenant.id:
        raise Refused("err.action_unknown")
    if milestone.status != MilestoneStatus.OPEN:
        raise UserError("err.milestone_closed", number=contract.number, title=milestone.title,
                        status=ctx.t("status." + milestone.status))
    require_actor(ctx, milestone, contract)
    clicked = action.message_ref
    value = (action.value or "").strip()
    if key.action == "done":
        ask_if_owed(ctx, milestone, contract)
        return mark_done(ctx, milestone, contract, clicked)
    if key.action == "snooze":
        days = int(key.arg or "1")
        return snooze_until(ctx, milestone, contract, date.fromordinal(ctx.today.toordinal() + days), clicked)
    if key.action == "snooze_date":
        if not value:
            return [_ask(ctx, "action.type_date", "snooze")]
        try:
            until = date.fromisoformat(value)
        except ValueError:
            raise UserError("err.date_unreadable", example=grammar.example_for("snooze", ctx.lang),
                            phrase=value) from None
        return snooze_until(ctx, milestone, contract, until, clicked)
    if key.action == "reassign":
        if not value:
            return [_pick_owner(ctx, milestone, contract)]
        return reassign_to(ctx, milestone, contract, resolve_assignee(ctx, OwnerRef(user_id=value)), clicked)
    if key.action == "reassign_to":
        person = ctx.session.get(Person, int(key.arg or 0))
        if person is None or person.tenant_id != ctx.tenant.id:
            raise Refused("err.action_unknown")
        return reassign_to(ctx, milestone, contract, person, clicked)
    if key.action == "note":
        if not value:
            return [_ask(ctx, "action.type_note", "note")]
        return note_on(ctx, milestone, contract, value, clicked)
    if key.action == "pay":
        money = parse_money(value) if value else None
        if money is None:
            return [_ask(ctx, "action.type_payment", "paid")]
        return record_payment(ctx, RecordPayment(contract.number, money.amount, money.currency, None,
                                                 milestone.title))
    raise Refused("err.action_unknown")


def _ask(ctx: Ctx, key: str, verb: str) -> Reply:
    return Reply(title=ctx.t(key, example=grammar.example_for(verb, ctx.lang)), lang=ctx.lang, ephemeral=True)


def _pick_owner(ctx: Ctx, milestone: Milestone, contract: Contract) -> Reply:
    """Buttons for each known member of the team (Telegram has no user picker)."""
    people = ctx.session.exec(
        select(Person).where(Person.tenant_id == ctx.tenant.id, Person.role != Role.VIEWER).order_by(col(Person.id))
    ).all()
    reply = Reply(title=ctx.t("action.pick_owner", number=contract.number, title=milestone.title), lang=ctx.lang,
                  ephemeral=True)
    for p in people[:20]:
        if p.id == milestone.owner_id:
            continue
        k = new_key(ctx.session, tenant_id=ctx.tenant_id, action="reassign_to", milestone_id=milestone.id,
                    arg=str(p.id))
        reply.actions.append(Action(kind="reassign_to", label=at_text(p.display_name or p.handle or "?"), key=k))
    return reply
