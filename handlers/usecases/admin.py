"""History from the audit trail, and team roles."""

from __future__ import annotations

import json
from zoneinfo import ZoneInfo

from sqlmodel import func, select

from handlers import grammar
from handlers.context import Ctx, find_contract, person_ref, require_admin, resolve_owner
from handlers.errors import UserError
from handlers.grammar_ledger import History, SetRole
from handlers.replies import Reply
from storage import repo
from storage.models import Person

_SKIP = {"id", "tenant_id", "contract_id", "created_by_id"}


def history(ctx: Ctx, cmd: History) -> list[Reply]:
    """Every change, payment and completion of a contract: who, when, before and after."""
    contract = find_contract(ctx, cmd.number, grammar.example_for("history", ctx.lang))
    events = repo.audit_trail(ctx.session, tenant_id=ctx.tenant.id or 0, contract_id=contract.id or 0)
    people = repo.people_by_id(ctx.session, ids={e.actor_id for e in events if e.actor_id})
    zone = ZoneInfo(ctx.tz)
    reply = Reply(title=ctx.t("history.title", number=contract.number, count=len(events)), lang=ctx.lang)
    for e in events[-50:]:
        when = f"{e.at.astimezone(zone):%Y-%m-%d %H:%M}"
        who = person_ref(people.get(e.actor_id or 0))
        reply.add(f"{when} ", who if who is not None else ctx.t("history.system"),
                  f" {ctx.t('audit.' + e.action) if ('audit.' + e.action) in _known() else e.action}"
                  f"{_diff(e.before, e.after)}")
    if len(events) > 50:
        reply.context.append(ctx.t("history.more", n=len(events) - 50))
    return [reply]


def _known() -> set[str]:
    from handlers.i18n import MESSAGES

    return set(MESSAGES)


def _diff(before: str | None, after: str | None) -> str:
    b = json.loads(before) if before else {}
    a = json.loads(after) if after else {}
    keys = [k for k in (a or b) if k not in _SKIP and b.get(k) != a.get(k)]
    if not b:
        keys = [k for k in ("title", "number", "amount", "due_on", "status", "seq") if a.get(k) not in (None, "")]
        return ": " + ", ".join(f"{k}={a[k]}" for k in keys) if keys else ""
    return ": " + ", ".join(f"{k} {b.get(k)} → {a.get(k)}" for k in keys) if keys else ""


def set_role(ctx: Ctx, cmd: SetRole) -> list[Reply]:
    """Make someone an admin, a member or a viewer (admins only; a team keeps at least one admin)."""
    require_admin(ctx)
    person = resolve_owner(ctx, cmd.who)
    if person.role == "admin" and cmd.role != "admin":
        admins = ctx.session.exec(
            select(func.count()).select_from(Person).where(Person.tenant_id == ctx.tenant.id, Person.role == "admin")
        ).one()
        if admins <= 1:
            raise UserError("err.last_admin", example=grammar.example_for("role", ctx.lang))
    before = repo.snapshot(person, ("role",))
    person.role = cmd.role
    ctx.session.add(person)
    repo.audit(ctx.session, tenant_id=ctx.tenant.id or 0, actor_id=ctx.person.id, action="person.role",
               entity="person", entity_id=person.id, before=before, after=repo.snapshot(person, ("role",)))
    ref = person_ref(person)
    return [Reply(lines=[(ref or "?", " " + ctx.t("ok.role", role=ctx.t("role." + cmd.role)))], lang=ctx.lang,
                  title=ctx.t("ok.role_title"))]
