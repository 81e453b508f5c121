"""The channel digest: what is due in the next 7 days and what is overdue, grouped by owner."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, and_, col, or_, select

from handlers.context import person_ref
from handlers.i18n import norm_lang, t
from handlers.replies import Reply
from handlers.views import milestone_line
from storage import repo
from storage.models import Contract, Milestone, MilestoneStatus, Tenant


class DigestComposer:
    """Builds one digest message per channel (scheduler.digests calls it)."""

    def digest(self, session: Session, tenant: Tenant, channel: str, day: date, kind: str) -> Reply | None:
        """The digest for a channel on a local day, or None when there is nothing to say."""
        lang = norm_lang(tenant.language) or "en"
        q = (
            select(Milestone, Contract)
            .join(Contract, col(Contract.id) == col(Milestone.contract_id))
            .where(Milestone.tenant_id == tenant.id, Milestone.status == MilestoneStatus.OPEN,
                   col(Milestone.due_on) <= day + timedelta(days=7))
        )
        q = self._in_channel(q, tenant, channel)
        rows = session.exec(q.order_by(col(Milestone.owner_id), col(Milestone.due_on))).all()
        done = 0
        if kind == "weekly":
            zone = ZoneInfo(tenant.timezone)
            done_q = (
                select(Milestone.id).join(Contract, col(Contract.id) == col(Milestone.contract_id)).where(
                    Milestone.tenant_id == tenant.id, Milestone.status == MilestoneStatus.DONE,
                    col(Milestone.done_at) >= datetime.combine(day - timedelta(days=7), time(), tzinfo=zone),
                    col(Milestone.done_at) < datetime.combine(day, time(), tzinfo=zone),
                )
            )
            done = len(session.exec(self._in_channel(done_q, tenant, channel)).all())
        if not rows and not done:
            return None
        overdue = sum(1 for m, _ in rows if m.due_on < day)
        reply = Reply(title=t(f"digest.{kind}", lang, date=day.isoformat()), lang=lang)
        reply.context.append(t("digest.summary", lang, due=len(rows) - overdue, overdue=overdue))
        if kind == "weekly":
            reply.context.append(t("digest.done_last_week", lang, n=done))
        people = repo.people_by_id(session, ids={m.owner_id for m, _ in rows if m.owner_id})
        current: int | None = -1
        paid = repo.paid_for_milestones(session, tenant_id=tenant.id or 0, milestone_ids=[m.id or 0 for m, _ in rows])
        for m, c in rows:
            if m.owner_id != current:
                current = m.owner_id
                owner = person_ref(people.get(m.owner_id or 0))
                reply.add(owner if owner is not None else t("label.nobody", lang), ":")
            reply.add("  • ", *milestone_line(m, c, None, day, lang, with_owner=False, paid=paid.get(m.id or 0)))
        return reply

    @staticmethod
    def _in_channel(q, tenant: Tenant, channel: str):  # type: ignore[no-untyped-def]
        """Contracts of this channel (contracts without one belong to the team's default channel)."""
        if channel == (tenant.default_channel or tenant.external_id):
            return q.where(or_(col(Contract.channel) == channel, col(Contract.channel).is_(None)))
        return q.where(col(Contract.channel) == channel)

    def channels(self, session: Session, tenant: Tenant, done_since: datetime | None = None) -> list[str]:
        """Every channel with open milestones of the team (and, for a weekly summary, recently done ones)."""
        active = Milestone.status == MilestoneStatus.OPEN
        if done_since is not None:
            active = or_(active, and_(Milestone.status == MilestoneStatus.DONE, col(Milestone.done_at) >= done_since))
        found = session.exec(
            select(Contract.channel).join(Milestone, col(Milestone.contract_id) == col(Contract.id))
            .where(Contract.tenant_id == tenant.id, active).distinct()
        ).all()
        default = tenant.default_channel or (tenant.external_id if tenant.platform != "slack" else None)
        out = {c or default for c in found}
        return sorted(c for c in out if c)
