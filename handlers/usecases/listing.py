"""Use cases that read: lists of contracts and milestones, and help."""

from __future__ import annotations

from datetime import timedelta

from handlers import grammar
from handlers.amounts import format_money
from handlers.context import Ctx, person_ref
from handlers.dates import format_date
from handlers.grammar import ListItems
from handlers.reminders import reminder_reply
from handlers.replies import Reply
from handlers.views import milestone_line
from storage import repo
from storage.models import ContractStatus


def list_items(ctx: Ctx, cmd: ListItems) -> list[Reply]:
    """List the team's contracts, my milestones, overdue ones, or those due this week."""
    if cmd.scope == "contracts":
        return [_list_contracts(ctx)]
    tenant_id = ctx.tenant_id
    title_params: dict[str, object] = {}
    if cmd.scope == "mine":
        rows = repo.open_milestones(ctx.session, tenant_id=tenant_id, owner_id=ctx.person.id)
    elif cmd.scope == "overdue":
        rows = repo.open_milestones(ctx.session, tenant_id=tenant_id, due_before=ctx.today)
    else:
        monday = ctx.today - timedelta(days=ctx.today.weekday())
        sunday = monday + timedelta(days=6)
        rows = repo.open_milestones(ctx.session, tenant_id=tenant_id, due_from=monday,
                                    due_before=sunday + timedelta(days=1))
        title_params = {"start": format_date(monday, ctx.lang), "end": format_date(sunday, ctx.lang)}
    if not rows:
        return [Reply(title=ctx.t(f"list.empty.{cmd.scope}"), lang=ctx.lang)]
    people = repo.people_by_id(ctx.session, ids={m.owner_id for m, _ in rows if m.owner_id})
    reply = Reply(title=ctx.t(f"list.{cmd.scope}", count=len(rows), **title_params), lang=ctx.lang)
    paid = repo.paid_for_milestones(ctx.session, tenant_id=tenant_id, milestone_ids=[m.id or 0 for m, _ in rows])
    for m, c in rows:
        reply.add("• ", *milestone_line(m, c, person_ref(people.get(m.owner_id or 0)), ctx.today, ctx.lang,
                                        paid=paid.get(m.id or 0)))
    return [reply]


def due_soon(ctx: Ctx, horizon_days: int = 7) -> list[Reply]:
    """The sender's overdue and soon-due milestones in this team, each with its reminder buttons."""
    rows = repo.open_milestones(ctx.session, tenant_id=ctx.tenant_id, owner_id=ctx.person.id,
                                due_before=ctx.today + timedelta(days=horizon_days + 1))
    if not rows:
        return [Reply(title=ctx.t("list.empty.mine"), lang=ctx.lang)]
    head = Reply(title=ctx.t("list.due_soon", count=len(rows), days=horizon_days), lang=ctx.lang)
    return [head, *(reminder_reply(ctx.session, m, c, ctx.tenant, today=ctx.today, lang=ctx.lang) for m, c in rows)]


def _list_contracts(ctx: Ctx) -> Reply:
    tenant_id = ctx.tenant_id
    contracts = repo.list_contracts(ctx.session, tenant_id=tenant_id)
    if not contracts:
        return Reply(title=ctx.t("list.empty.contracts", example=grammar.example_for("new", ctx.lang)), lang=ctx.lang)
    next_due: dict[int, tuple[str, str]] = {}
    for m, c in repo.open_milestones(ctx.session, tenant_id=tenant_id):
        next_due.setdefault(c.id or 0, (m.title, format_date(m.due_on, ctx.lang)))
    reply = Reply(title=ctx.t("list.contracts", count=len(contracts)), lang=ctx.lang)
    for c in contracts:
        parts = [f"• {c.number} {c.title}"]
        if c.counterparty:
            parts.append(c.counterparty)
        parts.append(format_money(c.amount, c.currency))
        if c.end_on:
            parts.append(f"{ctx.t('label.ends')} {format_date(c.end_on, ctx.lang)}")
        nxt = next_due.get(c.id or 0)
        parts.append(ctx.t("list.next", title=nxt[0], due=nxt[1]) if nxt else ctx.t("list.no_next"))
        if c.status != ContractStatus.ACTIVE:
            parts.append(ctx.t("cstatus." + c.status))
        reply.add(" · ".join(parts))
    return reply
