"""The channel digest: what is due in the next 7 days and what is overdue, grouped by owner.

The weekly digest adds last week's money (received vs due, the share collected on time), the overdue amount
and its change from a week ago, and one chart of money due vs received per month. Those money figures come
from ``storage.kpis``, filtered to the channel's contracts (contracts without a channel belong to the team's
default channel), so each channel sees its own money.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlmodel import Session, and_, col, func, or_, select

from handlers import anchors
from handlers.amounts import format_money
from handlers.context import person_ref
from handlers.dates import format_date
from handlers.i18n import norm_lang, t
from handlers.replies import Image, Reply
from handlers.views import milestone_line
from scheduler.platforms import traits
from storage import kpis, repo
from storage.models import Contract, Milestone, MilestoneStatus, Tenant

log = logging.getLogger(__name__)
WAITING_LINES = 20  # milestones waiting for their event, listed in a weekly digest (the rest: "and more")


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
        overdue = sum(1 for m, _ in rows if m.due_on < day)
        if kind == "weekly":
            return self._weekly(session, tenant, channel, day, lang, rows, overdue)
        if not rows:
            return None
        reply = Reply(title=t("digest.daily", lang, date=day.isoformat()), lang=lang)
        reply.context.append(t("digest.summary", lang, due=len(rows) - overdue, overdue=overdue))
        self._by_owner(session, tenant, reply, rows, day, lang)
        return reply

    def _weekly(self, session: Session, tenant: Tenant, channel: str, day: date, lang: str,
                rows: list[tuple[Milestone, Contract]], overdue: int) -> Reply | None:
        """Last week's money, the overdue trend, the coming week by owner, and the money chart."""
        zone = ZoneInfo(tenant.timezone)
        done_q = (
            select(Milestone.id).join(Contract, col(Contract.id) == col(Milestone.contract_id)).where(
                Milestone.tenant_id == tenant.id, Milestone.status == MilestoneStatus.DONE,
                col(Milestone.done_at) >= datetime.combine(day - timedelta(days=7), time(), tzinfo=zone),
                col(Milestone.done_at) < datetime.combine(day, time(), tzinfo=zone),
            )
        )
        done = len(session.exec(self._in_channel(done_q, tenant, channel)).all())
        week = kpis.Scope(tenant.id or 0, day - timedelta(days=7), day - timedelta(days=1), day, tenant.timezone,
                          channel=channel, default_channel=channel == (tenant.default_channel or tenant.external_id))
        money = kpis.collection(session, week)
        trend = kpis.overdue_trend(session, week, weeks=2)
        before, now = trend[0], trend[-1]
        waiting = self._waiting(session, tenant, channel)
        if not rows and not done and not money and not now.count and not before.count and not waiting[1]:
            return None
        reply = Reply(title=t("digest.weekly", lang, date=day.isoformat()), lang=lang)
        reply.add(t("digest.week_money", lang, start=format_date(week.start, lang), end=format_date(week.end, lang)))
        for currency, c in money.items():
            received, due = format_money(c.received, currency), format_money(c.due, currency)
            if c.rate is None:
                reply.add("  • ", t("digest.collected_none_due", lang, received=received))
            else:
                reply.add("  • ", t("digest.collected", lang, received=received, due=due, rate=round(c.rate * 100)))
        if not money:
            reply.add("  • ", t("digest.no_money", lang))
        reply.add(t("digest.overdue_now", lang, n=now.count,
                    change=_change(Decimal(now.count - before.count), None, lang)))
        for currency in sorted(set(now.amount) | set(before.amount)):
            owed = now.amount.get(currency, kpis.ZERO)
            change = _change(owed - before.amount.get(currency, kpis.ZERO), currency, lang)
            reply.add("  • ", t("digest.overdue_owed", lang, amount=format_money(owed, currency), change=change))
        reply.add(t("digest.next_week", lang) if rows else t("digest.nothing_next_week", lang))
        self._by_owner(session, tenant, reply, rows, day, lang)
        self._waiting_lines(session, tenant, reply, waiting, day, lang)
        reply.context.append(t("digest.summary", lang, due=len(rows) - overdue, overdue=overdue))
        reply.context.append(t("digest.done_last_week", lang, n=done))
        chart = _money_chart(session, week, lang)
        if chart is not None:
            reply.images.append(chart)
        return reply

    @staticmethod
    def _by_owner(session: Session, tenant: Tenant, reply: Reply, rows: list[tuple[Milestone, Contract]], day: date,
                  lang: str) -> None:
        """One line per milestone under its owner's name."""
        people = repo.people_by_id(session, ids={m.owner_id for m, _ in rows if m.owner_id})
        current: int | None = -1
        paid = repo.paid_for_milestones(session, tenant_id=tenant.id or 0, milestone_ids=[m.id or 0 for m, _ in rows])
        for m, c in rows:
            if m.owner_id != current:
                current = m.owner_id
                owner = person_ref(people.get(m.owner_id or 0))
                reply.add(owner if owner is not None else t("label.nobody", lang), ":")
            reply.add("  • ", *milestone_line(m, c, None, day, lang, with_owner=False, paid=paid.get(m.id or 0)))

    def _waiting(self, session: Session, tenant: Tenant, channel: str) -> tuple[list[tuple[Milestone, Contract]], int]:
        """The channel's open milestones still waiting for the event they are due after (no date yet): the first
        WAITING_LINES and how many there are. They have no reminders of their own; this weekly line keeps them in
        sight."""
        where = (Milestone.tenant_id == tenant.id, Milestone.status == MilestoneStatus.OPEN,
                 col(Milestone.due_on).is_(None))
        q = select(Milestone, Contract).join(Contract, col(Contract.id) == col(Milestone.contract_id)).where(*where)
        rows = session.exec(self._in_channel(q, tenant, channel).order_by(col(Contract.number), col(Milestone.id))
                            .limit(WAITING_LINES)).all()
        if len(rows) < WAITING_LINES:
            return list(rows), len(rows)
        n = select(func.count()).select_from(Milestone).join(Contract, col(Contract.id) == col(Milestone.contract_id))
        return list(rows), session.exec(self._in_channel(n.where(*where), tenant, channel)).one()

    @staticmethod
    def _waiting_lines(session: Session, tenant: Tenant, reply: Reply,
                       waiting: tuple[list[tuple[Milestone, Contract]], int], day: date, lang: str) -> None:
        """'⏳ Waiting for an event (n):' then a line each: HT-1 尾款 · due 30 days after 交付验收 (…) · @owner."""
        rows, total = waiting
        if not rows:
            return
        people = repo.people_by_id(session, ids={m.owner_id for m, _ in rows if m.owner_id})
        texts = anchors.waiting_texts(session, [m for m, _ in rows], lang)
        reply.add(t("digest.waiting", lang, n=total))
        for m, c in rows:
            reply.add("  • ", *milestone_line(m, c, person_ref(people.get(m.owner_id or 0)), day, lang,
                                              waiting=texts.get(m.id or 0)))
        if total > len(rows):
            reply.add("  ", t("answer.and_more", lang, n=total - len(rows)))

    @staticmethod
    def _in_channel(q, tenant: Tenant, channel: str):  # type: ignore[no-untyped-def]
        """Contracts of this channel (contracts without one belong to the team's default channel)."""
        if channel == (tenant.default_channel or tenant.external_id):
            return q.where(or_(col(Contract.channel) == channel, col(Contract.channel).is_(None)))
        return q.where(col(Contract.channel) == channel)

    def channels(self, session: Session, tenant: Tenant, done_since: datetime | None = None) -> list[str]:
        """Every channel with open milestones of the team (and, for a weekly summary, recently done ones)."""
        active = col(Milestone.status) == MilestoneStatus.OPEN
        if done_since is not None:
            active = or_(active, and_(Milestone.status == MilestoneStatus.DONE, col(Milestone.done_at) >= done_since))
        found = session.exec(
            select(Contract.channel).join(Milestone, col(Milestone.contract_id) == col(Contract.id))
            .where(Contract.tenant_id == tenant.id, active).distinct()
        ).all()
        default = tenant.default_channel or (tenant.external_id if traits(tenant.platform).team_per_chat else None)
        out = {c or default for c in found}
        return sorted(c for c in out if c)


def _change(delta: Decimal, currency: str | None, lang: str) -> str:
    """A week-on-week change: ▲ 50,000.00 CNY, ▼ 2, or "unchanged"."""
    if not delta:
        return t("digest.unchanged", lang)
    arrow = "▲" if delta > 0 else "▼"
    size = format_money(abs(delta), currency) if currency else str(abs(int(delta)))
    return f"{arrow} {size}"


def _money_chart(session: Session, week: kpis.Scope, lang: str) -> Image | None:
    """Money due vs received per month (the last 12 months and the next 3), or None when there is none."""
    months = kpis.money_by_month(session, week)
    if not any(v for series in (*months.due.values(), *months.received.values()) for v in series):
        return None
    try:
        from handlers import charts  # imported here: matplotlib takes a second to load

        return charts.money_chart(months.months, months.due, months.received, week.today, lang)
    except Exception:
        # the picture is an extra: a drawing failure must not hold back the digest's text (nor, raised out of
        # the pass, every other team's digest); it is logged with its traceback
        log.exception("weekly digest chart not drawn")
        return None
