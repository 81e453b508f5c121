"""A person's own view across every team they belong to (a Telegram private chat sees only this)."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import col, select

from handlers import anchors
from handlers.context import Ctx, person_ref
from handlers.dates import format_date
from handlers.grammar import ListItems
from handlers.replies import Reply
from handlers.views import milestone_line
from storage import repo
from storage.models import Person, Tenant


def my_milestones_everywhere(ctx: Ctx, cmd: ListItems) -> list[Reply]:
    """The sender's open milestones in every team of this platform, grouped by team."""
    platform, user_id = ctx.tenant.platform, ctx.person.platform_user_id
    rows = ctx.session.exec(
        select(Person, Tenant).join(Tenant, col(Tenant.id) == col(Person.tenant_id))
        .where(Tenant.platform == platform, Person.platform_user_id == user_id)
        .order_by(col(Tenant.name), col(Tenant.id))
    ).all()
    monday = ctx.today - timedelta(days=ctx.today.weekday())
    scope = "mine" if cmd.scope == "contracts" else cmd.scope
    reply = Reply(lang=ctx.lang)
    count = 0
    for person, tenant in rows:
        if scope == "overdue":
            found = repo.open_milestones(ctx.session, tenant_id=tenant.id or 0, owner_id=person.id,
                                         due_before=ctx.today)
        elif scope == "week":
            found = repo.open_milestones(ctx.session, tenant_id=tenant.id or 0, owner_id=person.id,
                                         due_from=monday, due_before=monday + timedelta(days=7))
        else:
            found = repo.open_milestones(ctx.session, tenant_id=tenant.id or 0, owner_id=person.id)
        if not found:
            continue
        reply.add(f"【{tenant.name or tenant.external_id}】")
        paid = repo.paid_for_milestones(ctx.session, tenant_id=tenant.id or 0,
                                        milestone_ids=[m.id or 0 for m, _ in found])
        waiting = anchors.waiting_texts(ctx.session, [m for m, _ in found], ctx.lang)
        for m, c in found:
            reply.add("• ", *milestone_line(m, c, person_ref(person), ctx.today, ctx.lang, with_owner=False,
                                            paid=paid.get(m.id or 0), waiting=waiting.get(m.id or 0)))
        count += len(found)
    if not count:
        reply.title = ctx.t(f"list.empty.{scope}")
        return [reply]
    params = {"start": format_date(monday, ctx.lang), "end": format_date(monday + timedelta(days=6), ctx.lang)}
    reply.title = ctx.t(f"list.{scope}", count=count, **params) + " · " + ctx.t("list.all_teams")
    return [reply]
