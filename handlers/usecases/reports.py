"""Learn from the ledger: ``report`` (the team's KPIs for a period, with charts) and ``review`` (复盘 of a contract).

Every figure comes from ``storage.kpis`` (SQL aggregates) and carries a footnote saying how it was computed.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import col, select

from handlers import anchors
from handlers.amounts import format_money
from handlers.context import Ctx, find_contract, find_member, person_ref
from handlers.errors import UserError
from handlers.grammar import OwnerRef, _Text, take_mentions
from handlers.periods import Period, read_period, this_month
from handlers.replies import Image, Line, Reply, Span, at_text
from storage import kpis, repo
from storage.models import AuditEvent, ChangeRequest, Milestone, MilestoneStatus, Payment, PaymentAllocation, Person

# words around the filters that carry no meaning of their own: "report for Acme owner @bob", "报表 客户 京东"
_FILLER = re.compile(r"\b(?:for|of|on|by|owner|owned|with|customer|counterparty|client|the|in|during|kpis?)\b"
                     r"|负责人|客户|对方|的|期间|在|按|关于", re.I)
_SPARK = "▁▂▃▄▅▆▇█"


@dataclass(frozen=True)
class Report:
    """``report [period] [owner @name] [counterparty]``."""

    period: Period | None = None
    owner: OwnerRef | None = None
    party: str | None = None


@dataclass(frozen=True)
class Review:
    """``review NUMBER``."""

    number: str


def parse_report(words: str, now: datetime, tz: str, ex: str, lang: str) -> Report:
    """Read the period, an owner mention and a counterparty (or contract number) from the words."""
    today = now.astimezone(ZoneInfo(tz)).date()
    text = _Text(words)
    mentions = take_mentions(text)
    if len(mentions) > 1:
        raise UserError("err.report_owners", example=ex)
    period, rest = read_period(text.text, today)
    rest = re.sub(r"\s{2,}", " ", _FILLER.sub(" ", rest)).strip(" ,，;；:：")
    if period is None and _PERIODISH.search(rest):  # Q5, 2027-13, 13月: a period that is not one, not a customer
        raise UserError("err.report_period", example=ex, phrase=_PERIODISH.search(rest).group().strip())  # type: ignore[union-attr]
    return Report(period, mentions[0] if mentions else None, rest or None)


# what is meant as a period but names none (read_period took every real one): a quarter past Q4, a month past 12
_PERIODISH = re.compile(
    r"(?<![\w-])(?:(?:\d{4}\s*)?[QqHh]\d+|\d{4}\s*[-/.]\s*\d{1,2}|\d{4}\s*年\s*\d{1,2}\s*月|\d{1,2}\s*月份?"
    r"|第?\s*[一二三四五六七八九十\d]+\s*季度)(?![\w-])")


def parse_review(words: str, now: datetime, tz: str, ex: str, lang: str) -> Review:
    """``review HT-1``: one contract number and nothing else."""
    number = words.strip().split(" ")[0] if words.strip() else ""
    if not number:
        raise UserError("err.review_number", example=ex)
    return Review(number)


# --- report ------------------------------------------------------------------------------------------------


def report(ctx: Ctx, cmd: Report) -> list[Reply]:
    """The team's KPIs for a period, with footnotes and charts."""
    ex = ctx.t("ex.report")
    period = cmd.period or this_month(ctx.today)
    owner = find_member(ctx, cmd.owner, "err.report_owner", ex) if cmd.owner else None
    scope = kpis.Scope(ctx.tenant_id, period.start, period.end, ctx.today, ctx.tz,
                       owner_id=owner.id if owner else None, party=cmd.party)
    if cmd.party and not _any_contract(ctx, scope):
        # no contract by that name, but a member ("how did bob do this quarter?"): that member's figures
        member = repo.find_person(ctx.session, tenant_id=ctx.tenant_id, handle=cmd.party) if owner is None else None
        if member is None:
            raise UserError("err.report_party", example=ex, party=cmd.party)
        owner, cmd = member, replace(cmd, party=None)
        scope = replace(scope, owner_id=member.id, party=None)
    s = ctx.session
    title = ctx.t("report.title", period=period.label(ctx.lang), start=period.start.isoformat(),
                  end=period.end.isoformat())
    filters = [ctx.t("report.for_owner", owner=at_text(owner.display_name or owner.handle or "?"))] if owner else []
    if cmd.party:
        filters.append(ctx.t("report.for_party", party=cmd.party))
    reply = Reply(title=title + ("" if not filters else " · " + " · ".join(filters)), lang=ctx.lang)
    money = kpis.collection(s, scope)
    cycle = kpis.days_to_collect(s, scope)
    ontime = kpis.on_time(s, scope)
    jam = kpis.bottlenecks(s, scope)
    trend = kpis.overdue_trend(s, scope)
    renewals = kpis.renewals(s, scope)
    risky_count, risky = kpis.at_risk(s, scope)
    people = repo.people_by_id(s, ids=_people_ids(cycle, ontime, jam))

    _money_lines(ctx, reply, money)
    _cycle_lines(ctx, reply, cycle, people)
    _ontime_lines(ctx, reply, ontime, people)
    _bottleneck_lines(ctx, reply, jam, people)
    _overdue_lines(ctx, reply, trend)
    _renewal_lines(ctx, reply, renewals)
    _risk_lines(ctx, reply, risky_count, risky)
    for n in range(1, 8):
        reply.context.append(ctx.t(f"report.note{n}"))
    reply.images = _report_charts(ctx, scope, ontime, " · ".join(filters))
    return [reply]


def _any_contract(ctx: Ctx, scope: kpis.Scope) -> bool:
    from storage.models import Contract

    return ctx.session.exec(select(Contract.id).where(*kpis._contract_filter(scope)).limit(1)).first() is not None


def _people_ids(cycle: kpis.Cycle, ontime: kpis.OnTime, jam: kpis.Bottlenecks) -> set[int]:
    ids = {o for o, _ in cycle.by_owner} | {r.key for r in ontime.by_owner} | {o for o, _ in jam.by_owner}
    ids |= {i.owner_id for i in jam.oldest}
    return {i for i in ids if i}


def _who(ctx: Ctx, people: dict[int, Person], owner_id: int | None) -> Span:
    ref = person_ref(people.get(owner_id or 0))
    return ref if ref is not None else ctx.t("label.nobody")


def _head(ctx: Ctx, key: str) -> str:
    """A label and the space after it (none after a Chinese full-width colon)."""
    label = ctx.t(key)
    return label if label.endswith(("：", "）")) else label + " "


def _sep(ctx: Ctx) -> str:
    return "；" if ctx.lang == "zh" else "; "


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.0f}%"


def _money_lines(ctx: Ctx, reply: Reply, money: dict[str, kpis.Collection]) -> None:
    reply.add(ctx.t("report.money"))
    if not money:
        reply.add("  " + ctx.t("report.money_none"))
    for cur, c in money.items():
        reply.add("  • " + ctx.t("report.money_line", received=format_money(c.received, cur),
                                   due=format_money(c.due, cur), on_time=format_money(c.on_time, cur),
                                   rate=_pct(c.rate)))


def _days(ctx: Ctx, n: float | None) -> str:
    return "-" if n is None else ctx.t("report.days", n=n)


def _cycle_lines(ctx: Ctx, reply: Reply, cycle: kpis.Cycle, people: dict[int, Person]) -> None:
    o = cycle.overall
    if not o.n:
        reply.add(_head(ctx, "report.cycle") + ctx.t("report.cycle_none"))
        return
    reply.add(_head(ctx, "report.cycle") + ctx.t("report.cycle_line", median=_days(ctx, o.median),
                                                  p90=_days(ctx, o.p90), n=o.n))
    if cycle.by_party:
        slow = " · ".join(f"{party} {_days(ctx, sp.median)} (p90 {_days(ctx, sp.p90)}, n={sp.n})"
                          for party, sp in cycle.by_party)
        reply.add("  " + _head(ctx, "report.slowest") + slow)
    if cycle.by_owner:
        spans: list[Span] = ["  " + ctx.t("report.by_owner") + " "]
        for i, (oid, sp) in enumerate(cycle.by_owner):
            spans += [" · "] if i else []
            spans += [_who(ctx, people, oid), f" {_days(ctx, sp.median)} (p90 {_days(ctx, sp.p90)})"]
        reply.add(*spans)


def _ontime_part(ctx: Ctx, row: kpis.OnTimeRow) -> str:
    late = f", {ctx.t('report.late_median', days=_days(ctx, row.late_median))}" if row.late_median is not None else ""
    return f"{_pct(row.rate)} ({row.on_time}/{row.done}{late})"


def _ontime_lines(ctx: Ctx, reply: Reply, ontime: kpis.OnTime, people: dict[int, Person]) -> None:
    o = ontime.overall
    if not o.done:
        reply.add(_head(ctx, "report.ontime") + ctx.t("report.ontime_none"))
        return
    line = ("report.ontime_all", {}) if o.late_median is None else ("report.ontime_line",
                                                                    {"late": _days(ctx, o.late_median)})
    reply.add(_head(ctx, "report.ontime") + ctx.t(line[0], rate=_pct(o.rate), on_time=o.on_time, done=o.done,
                                                   **line[1]))
    reply.add("  " + _head(ctx, "report.by_kind") + " · ".join(
        f"{ctx.t('kind.' + str(r.key))} {_ontime_part(ctx, r)}" for r in ontime.by_kind))
    spans: list[Span] = ["  " + ctx.t("report.by_owner") + " "]
    for i, r in enumerate(ontime.by_owner):
        spans += [" · "] if i else []
        spans += [_who(ctx, people, r.key), " " + _ontime_part(ctx, r)]
    reply.add(*spans)


def _bottleneck_lines(ctx: Ctx, reply: Reply, jam: kpis.Bottlenecks, people: dict[int, Person]) -> None:
    if not jam.by_kind:
        reply.add(_head(ctx, "report.jam") + ctx.t("report.jam_none"))
        return
    kinds = " · ".join(f"{ctx.t('kind.' + k)} {n}" for k, n in jam.by_kind)
    spans: list[Span] = [_head(ctx, "report.jam") + kinds + "; "]
    for i, (oid, n) in enumerate(jam.by_owner[:5]):
        spans += [" · "] if i else []
        spans += [_who(ctx, people, oid), f" {n}"]
    reply.add(*spans)
    reply.add("  " + ctx.t("report.oldest"))
    for item in jam.oldest:
        owed = f" · {format_money(item.owed, item.currency)}" if item.owed else ""
        reply.add("    • ", f"{item.number} {item.title} · {item.due_on.isoformat()} "
                  f"({ctx.t('report.days_late', n=(ctx.today - item.due_on).days)}) · ",
                  _who(ctx, people, item.owner_id), owed)


def _overdue_lines(ctx: Ctx, reply: Reply, trend: list[kpis.OverduePoint]) -> None:
    now, first = trend[-1], trend[0]
    if not now.count and not any(p.count for p in trend):
        reply.add(_head(ctx, "report.overdue") + ctx.t("report.overdue_none"))
        return
    amounts = " · ".join(format_money(a, cur) for cur, a in sorted(now.amount.items())) or "-"
    reply.add(_head(ctx, "report.overdue") + ctx.t("report.overdue_line_one" if now.count == 1
                                                   else "report.overdue_line", n=now.count, amount=amounts))
    currencies = sorted({c for p in trend for c in p.amount}) or [""]
    for cur in currencies:
        series = [p.amount.get(cur, Decimal(0)) if cur else Decimal(p.count) for p in trend]
        change = series[-1] - series[0]
        arrow = "▲" if change > 0 else "▼" if change < 0 else "="
        delta = format_money(abs(change), cur) if cur else str(abs(int(change)))
        reply.add("  " + ctx.t("report.trend", weeks=len(trend), spark=_spark(series), currency=cur or "#",
                               arrow=arrow, delta=delta, since=first.day.isoformat()))


def _spark(values: list[Decimal]) -> str:
    top = max(values) if values else Decimal(0)
    if top <= 0:
        return _SPARK[0] * len(values)
    return "".join(_SPARK[min(len(_SPARK) - 1, int(v / top * (len(_SPARK) - 1)))] for v in values)


def _renewal_lines(ctx: Ctx, reply: Reply, items: list[kpis.RenewalItem]) -> None:
    if not items:
        reply.add(_head(ctx, "report.renewals") + ctx.t("report.renewals_none"))
        return
    count = {k: sum(1 for i in items if i.outcome == k) for k in ("renewed", "ended", "missed", "pending")}
    reply.add(_head(ctx, "report.renewals") + ctx.t("report.renewals_line", n=len(items), **count))
    missed = [i for i in items if i.outcome == "missed"]
    if missed:
        reply.add("  " + _head(ctx, "report.missed") + " · ".join(
            f"{i.number} ({i.deadline.isoformat()})" for i in missed[:10]))


def _risk_lines(ctx: Ctx, reply: Reply, total: int, items: list[kpis.RiskItem]) -> None:
    if not total:
        reply.add(_head(ctx, "report.risk") + ctx.t("report.risk_none"))
        return
    reply.add(_head(ctx, "report.risk") + ctx.t("report.risk_line", n=total))
    for r in items[:5]:
        why = []
        if r.overdue_owed:
            why.append(ctx.t("report.risk_overdue", amount=format_money(r.overdue_owed, r.currency)))
        if r.deadline is not None:
            why.append(ctx.t("report.risk_notice", date=r.deadline.isoformat()))
        reply.add(f"  • {r.number} {r.counterparty or r.title}: " + _sep(ctx).join(why))
    if total > len(items[:5]):
        reply.add("  " + ctx.t("report.more", n=total - len(items[:5])))


def _report_charts(ctx: Ctx, scope: kpis.Scope, ontime: kpis.OnTime, filters: str = "") -> list[Image]:
    from handlers import charts  # matplotlib is slow to import: only when a chart is drawn

    out = []
    money = kpis.money_by_month(ctx.session, scope)
    if money.due or money.received:
        out.append(charts.money_chart(money.months, money.due, money.received, ctx.today, ctx.lang,
                                      scope=filters))
    ageing = kpis.ageing(ctx.session, scope)
    if ageing:
        out.append(charts.ageing_chart(ageing, ctx.lang, scope=filters))
    if ontime.by_kind:
        out.append(charts.ontime_chart([(str(r.key), r.on_time, r.done) for r in ontime.by_kind], ctx.lang,
                                       scope=filters))
    return out


# --- review ------------------------------------------------------------------------------------------------


@dataclass
class _Row:
    milestone: Milestone
    planned: date
    actual: date | None
    paid: Decimal

    @property
    def delay(self) -> int | None:
        return (self.actual - self.planned).days if self.actual else None


def review(ctx: Ctx, cmd: Review) -> list[Reply]:
    """A contract's review (复盘): plan against what happened, payments, changes, notes, and a verdict."""
    ex = ctx.t("ex.review")
    contract = find_contract(ctx, cmd.number, ex)
    s, tid, cid = ctx.session, ctx.tenant_id, contract.id or 0
    zone = ZoneInfo(ctx.tz)
    ms = [m for m in repo.milestones_of(s, tenant_id=tid, contract_id=cid) if m.status != MilestoneStatus.CANCELLED]
    planned = _first_due(ctx, cid)
    allocs = s.exec(
        select(PaymentAllocation, Payment).join(Payment, col(Payment.id) == col(PaymentAllocation.payment_id))
        .where(col(Payment.tenant_id) == tid, col(Payment.contract_id) == cid, col(Payment.reversed_at).is_(None))
    ).all()
    paid: dict[int, Decimal] = {}
    settled_on: dict[int, date] = {}
    for a, p in allocs:
        paid[a.milestone_id] = paid.get(a.milestone_id, Decimal(0)) + a.amount
        settled_on[a.milestone_id] = max(settled_on.get(a.milestone_id, p.received_on), p.received_on)
    rows = []
    waiting = [m for m in ms if planned.get(m.id or 0, m.due_on) is None]  # due after an event still to come
    for m in ms:
        first = planned.get(m.id or 0, m.due_on)
        if first is None:
            continue
        actual = m.done_at.astimezone(zone).date() if m.done_at and m.status == MilestoneStatus.DONE else None
        if m.amount is not None and m.status == MilestoneStatus.DONE and paid.get(m.id or 0, 0) >= m.amount:
            actual = settled_on.get(m.id or 0, actual)  # a payment is done when the money arrived
        rows.append(_Row(m, first, actual, paid.get(m.id or 0, Decimal(0))))
    rows.sort(key=lambda r: (r.planned, r.milestone.id or 0))
    changes = s.exec(select(ChangeRequest).where(col(ChangeRequest.tenant_id) == tid,
                                                 col(ChangeRequest.contract_id) == cid)
                     .order_by(col(ChangeRequest.seq))).all()
    payments = s.exec(select(Payment).where(col(Payment.tenant_id) == tid, col(Payment.contract_id) == cid)
                      .order_by(col(Payment.received_on), col(Payment.seq))).all()
    running = contract.status not in ("ended", "renewed", "expired") and any(
        r.milestone.status == MilestoneStatus.OPEN for r in rows)
    reply = Reply(title=ctx.t("review.title", number=contract.number, title=contract.title or "-",
                              party=contract.counterparty or "-",
                              state=ctx.t("review.running" if running else "review.finished")), lang=ctx.lang)
    approved = sum(1 for cr in changes if cr.status == "approved")
    pending = sum(1 for cr in changes if cr.status == "pending")
    reply.add(_head(ctx, "review.verdict") + _verdict(ctx, contract, rows, approved, pending))
    from handlers.usecases.payments import money_fields

    reply.fields = money_fields(ctx, contract)
    _milestone_lines(ctx, reply, rows, contract.currency)
    still_waiting = anchors.waiting_texts(s, waiting, ctx.lang)
    for m in waiting:
        reply.add(f"  • {m.title}: {still_waiting[m.id or 0]}")
    _payment_lines(ctx, reply, payments, allocs, {r.milestone.id: r for r in rows}, contract.currency)
    _change_lines(ctx, reply, changes, {r.milestone.id: r.milestone.title for r in rows})
    notes = [(r.milestone.title, line) for r in rows for line in (r.milestone.note or "").splitlines() if line.strip()]
    if notes:
        reply.add(ctx.t("review.notes"))
        for title, line in notes[-10:]:
            reply.add(f"  • {title}: {line}")
    reply.add(ctx.t("review.slip", days=_total_slip(ctx, rows)))
    reply.context.append(ctx.t("review.footnote"))
    if rows:
        from handlers import charts

        reply.images = [charts.timeline_chart(
            contract.number, [(r.milestone.title, r.planned, r.actual, r.milestone.status == MilestoneStatus.OPEN)
                              for r in rows], ctx.today, ctx.lang)]
    return [reply]


def _first_due(ctx: Ctx, contract_id: int) -> dict[int, date]:
    """Each milestone's due date as first planned (from the audit trail of its creation; for one due after an
    event, from when that event first set it)."""
    events = ctx.session.exec(
        select(AuditEvent.entity_id, AuditEvent.after)
        .where(col(AuditEvent.tenant_id) == ctx.tenant_id, col(AuditEvent.contract_id) == contract_id,
               col(AuditEvent.action).in_(("milestone.created", "milestone.due_set")))
        .order_by(col(AuditEvent.id))
    ).all()
    out: dict[int, date] = {}
    for entity_id, after in events:
        try:
            due = json.loads(after or "{}").get("due_on")
            if entity_id is not None and due and entity_id not in out:
                out[entity_id] = date.fromisoformat(str(due)[:10])
        except (ValueError, AttributeError):
            continue
    return out


def _late_text(ctx: Ctx, days: int | None) -> str:
    if days is None:
        return ""
    if days > 0:
        return ctx.t("report.days_late", n=days)
    if days < 0:
        return ctx.t("review.early", n=-days)
    return ctx.t("review.on_time")


def _milestone_lines(ctx: Ctx, reply: Reply, rows: list[_Row], cur: str) -> None:
    reply.add(ctx.t("review.milestones"))
    if not rows:
        reply.add("  " + ctx.t("review.no_milestones"))
    for r in rows:
        m = r.milestone
        parts = [ctx.t("review.planned", date=r.planned.isoformat())]
        if m.due_on is not None and m.due_on != r.planned:
            parts.append(ctx.t("review.moved", date=m.due_on.isoformat()))
        if r.actual is not None:
            parts.append(ctx.t("review.actual", date=r.actual.isoformat(), delay=_late_text(ctx, r.delay)))
        elif m.status == MilestoneStatus.WAIVED:
            parts.append(ctx.t("review.waived"))
        elif r.planned < ctx.today:
            parts.append(ctx.t("review.open_late", n=(ctx.today - r.planned).days))
        else:
            parts.append(ctx.t("review.open"))
        if m.amount is not None:
            parts.append(ctx.t("review.amount", amount=format_money(m.amount, cur), paid=format_money(r.paid, cur)))
        reply.add(f"  • {m.title}: " + " · ".join(parts))


def _payment_lines(ctx: Ctx, reply: Reply, payments: Any, allocs: Any, rows: dict[int | None, _Row],
                   cur: str) -> None:
    if not payments:
        return
    reply.add(ctx.t("review.payments"))
    by_payment: dict[int, list[str]] = {}
    for a, p in allocs:
        row = rows.get(a.milestone_id)
        if row is None:
            continue
        delay = (p.received_on - row.planned).days
        by_payment.setdefault(p.id or 0, []).append(
            f"{row.milestone.title} {format_money(a.amount, cur)} ({_late_text(ctx, delay)})")
    for p in payments:
        line: Line = (f"  • P-{p.seq} {p.received_on.isoformat()} {format_money(p.amount, p.currency)}",)
        if p.reversed_at is not None:
            line += (" " + ctx.t("review.reversed"),)
        elif by_payment.get(p.id or 0):
            line += (" → " + "; ".join(by_payment[p.id or 0]),)
        reply.add(*line)


def _change_lines(ctx: Ctx, reply: Reply, changes: Any, titles: dict[int | None, str]) -> None:
    if not changes:
        return
    reply.add(ctx.t("review.changes"))
    for c in changes:
        what = f"{titles.get(c.milestone_id, '')} {c.field}".strip()
        reason = f" ({c.reason})" if c.reason else ""
        reply.add(f"  • CR-{c.seq} {ctx.t('cr.status.' + c.status)}: {what} {c.old_value or '-'} → "
                  f"{c.new_value or '-'}{reason}")


def _total_slip(ctx: Ctx, rows: list[_Row]) -> int:
    """Days late summed over milestones: done late by their delay, open ones by how long they are overdue."""
    total = 0
    for r in rows:
        if r.delay is not None:
            total += max(0, r.delay)
        elif r.milestone.status == MilestoneStatus.OPEN and r.planned < ctx.today:
            total += (ctx.today - r.planned).days
    return total


def _verdict(ctx: Ctx, contract: Any, rows: list[_Row], changes: int, pending: int = 0) -> str:
    """One line: how the money came in, how many changes, which delivery-side milestone slipped most."""
    parts = []
    pay = [r for r in rows if r.milestone.amount is not None]
    settled = [r for r in pay if r.delay is not None]
    if pay and len(settled) == len(pay):
        avg = round(sum(r.delay or 0 for r in settled) / len(settled))
        parts.append(ctx.t("review.v_paid", delay=_late_text(ctx, avg) if avg else ctx.t("review.on_time")))
    elif pay:
        owed = sum(((r.milestone.amount or Decimal(0)) - r.paid for r in pay
                    if r.milestone.status == MilestoneStatus.OPEN), Decimal(0))
        parts.append(ctx.t("review.v_owed", paid=len(settled), total=len(pay),
                           owed=format_money(max(owed, Decimal(0)), contract.currency)))
    else:
        parts.append(ctx.t("review.v_no_payments"))
    parts.append(ctx.t("review.v_changes_one" if changes == 1 else "review.v_changes", n=changes)
                 + (ctx.t("review.v_pending", n=pending) if pending else ""))
    slips = []
    for r in rows:
        if r.milestone.amount is not None:
            continue
        days = r.delay if r.delay is not None else ((ctx.today - r.planned).days
                                                    if r.milestone.status == MilestoneStatus.OPEN else None)
        if days and days > 0:
            slips.append((days, r.milestone.title))
    if slips:
        days, title = max(slips)
        parts.append(ctx.t("review.v_slip", title=title, n=days))
    elif rows:
        parts.append(ctx.t("review.v_no_slip"))
    return _sep(ctx).join(parts)
