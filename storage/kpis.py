"""The team's KPIs, computed by the database with SQLAlchemy Core aggregates (never by loading a team's rows).

Every function takes a ``Scope``: the team, the report period (local calendar days, both ends included),
today, the team's zone, and optional filters (an owner, a counterparty/title/number text). Money is Decimal,
grouped by currency, because amounts in different currencies are never added together.

Definitions (the report's footnotes say the same in one line each):
- payment milestone: a milestone with an amount (percentages are stored as amounts when they are added);
- received: payments recorded in the period and not reversed (with an owner filter: the part of them that
  settled that owner's milestones);
- due: payment milestones falling due in the period, except cancelled ones;
- collected on time: of that money due, the part received on or before each milestone's due date;
- days to collect: from a payment milestone's due date to the day the payment that settled it in full was
  received (negative when paid early), for milestones settled in the period;
- on time: milestones completed in the period on or before their due date (completion day in the team's zone);
- overdue: open milestones whose due date has passed; their amount is what their payment milestones still owe.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Date, and_, case, func, literal, or_, select, union_all
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col

from storage.models import (
    ChangeRequest,
    Contract,
    ContractStatus,
    Milestone,
    MilestoneStatus,
    Payment,
    PaymentAllocation,
)
from storage.sqlfuncs import add_days, day_diff, local_day, positive

ZERO = Decimal(0)
KINDS = ("payment", "delivery", "acceptance", "warranty", "renewal", "other")
OPEN_CONTRACT = (ContractStatus.ACTIVE.value, ContractStatus.EXPIRING.value, ContractStatus.EXPIRED.value)


@dataclass(frozen=True)
class Scope:
    """Whose figures, over which local days, as of which day."""

    tenant_id: int
    start: date
    end: date
    today: date
    tz: str = "Asia/Shanghai"
    owner_id: int | None = None
    party: str | None = None  # matches a contract's number exactly, or its counterparty or title in part
    contract_id: int | None = None
    # a chat's contracts (a channel digest); contracts without a channel belong to the team's default channel
    channel: str | None = None
    default_channel: bool = False

    @property
    def offset_minutes(self) -> int:
        """The zone's UTC offset on the period's last day (SQLite's fixed-offset day arithmetic)."""
        probe = datetime.combine(min(self.end, self.today), time(12), tzinfo=ZoneInfo(self.tz))
        delta = probe.utcoffset() or timedelta(0)
        return int(delta.total_seconds() // 60)


@dataclass(frozen=True)
class Collection:
    """Money received in the period against money falling due in it, in one currency."""

    received: Decimal
    due: Decimal
    on_time: Decimal

    @property
    def rate(self) -> float | None:
        """Collected on time over due (None when nothing fell due)."""
        return float(self.on_time / self.due) if self.due else None


@dataclass(frozen=True)
class Spread:
    """How many values, their median and 90th percentile (nearest rank)."""

    n: int
    median: int | float | None  # a half day when the two middle values differ by an odd number of days
    p90: int | None


@dataclass(frozen=True)
class Cycle:
    """Days to collect (回款周期): overall, by counterparty and by owner."""

    overall: Spread
    by_party: list[tuple[str, Spread]]
    by_owner: list[tuple[int | None, Spread]]


@dataclass(frozen=True)
class OnTimeRow:
    """Completed milestones of one group and how many were on time; median delay of the late ones."""

    key: Any
    done: int
    on_time: int
    late_median: int | float | None

    @property
    def rate(self) -> float | None:
        """On time over completed."""
        return self.on_time / self.done if self.done else None


@dataclass(frozen=True)
class OnTime:
    """The on-time rate overall, per kind and per owner."""

    overall: OnTimeRow
    by_kind: list[OnTimeRow]
    by_owner: list[OnTimeRow]


@dataclass(frozen=True)
class OverdueItem:
    """One overdue open milestone."""

    number: str
    title: str
    due_on: date
    owner_id: int | None
    owed: Decimal | None
    currency: str


@dataclass(frozen=True)
class Bottlenecks:
    """Where overdue open milestones pile up."""

    by_kind: list[tuple[str, int]]
    by_owner: list[tuple[int | None, int]]
    oldest: list[OverdueItem]


@dataclass(frozen=True)
class OverduePoint:
    """Overdue open milestones as of one day: how many, and what their payment milestones owed, per currency."""

    day: date
    count: int
    amount: dict[str, Decimal]


@dataclass(frozen=True)
class RenewalItem:
    """A contract whose notice deadline fell in the period, and what became of it."""

    number: str
    title: str
    deadline: date
    outcome: str  # renewed | ended | missed | pending


@dataclass(frozen=True)
class RiskItem:
    """A contract at risk: an overdue payment, or a notice deadline in the next 30 days."""

    number: str
    title: str
    counterparty: str
    currency: str
    overdue_owed: Decimal
    deadline: date | None


@dataclass
class MonthMoney:
    """Money due and received per month, per currency (for the chart)."""

    months: list[date]
    due: dict[str, list[Decimal]] = field(default_factory=dict)
    received: dict[str, list[Decimal]] = field(default_factory=dict)


# --- filters -------------------------------------------------------------------------------------------------


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def _contract_filter(scope: Scope) -> list[ColumnElement[bool]]:
    out: list[ColumnElement[bool]] = [col(Contract.tenant_id) == scope.tenant_id]
    if scope.contract_id is not None:
        out.append(col(Contract.id) == scope.contract_id)
    if scope.channel is not None:
        here = col(Contract.channel) == scope.channel
        out.append(or_(here, col(Contract.channel).is_(None)) if scope.default_channel else here)
    if scope.party:
        like = "%" + scope.party.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        out.append(or_(func.upper(col(Contract.number)) == scope.party.upper(),
                       col(Contract.counterparty).ilike(like, escape="\\"),
                       col(Contract.title).ilike(like, escape="\\")))
    return out


def _milestones(scope: Scope) -> list[ColumnElement[bool]]:
    """Milestones of the team (joined to Contract) under the filters."""
    out = [col(Milestone.tenant_id) == scope.tenant_id, *_contract_filter(scope)]
    if scope.owner_id is not None:
        out.append(col(Milestone.owner_id) == scope.owner_id)
    return out


def _paid_to(milestone_id: Any, *, through: Any = None) -> Any:
    """Money of standing payments allocated to a milestone (received by the end of a day, if given), as a scalar."""
    q = (select(func.coalesce(func.sum(col(PaymentAllocation.amount)), 0))
         .join(Payment, col(Payment.id) == col(PaymentAllocation.payment_id))
         .where(col(PaymentAllocation.milestone_id) == milestone_id, col(Payment.reversed_at).is_(None)))
    if through is not None:
        q = q.where(col(Payment.received_on) <= through)
    return q.scalar_subquery()


def _dec(value: Any) -> Decimal:
    return Decimal(str(value)) if value is not None else ZERO


# --- the KPIs ------------------------------------------------------------------------------------------------


def collection(session: Session, scope: Scope) -> dict[str, Collection]:
    """Collected vs planned per currency: received in the period, due in it, and due money received on time."""
    m_filter = _milestones(scope)
    due_q = (
        select(col(Contract.currency), func.sum(col(Milestone.amount)),
               func.sum(case((_on_time_paid() > col(Milestone.amount), col(Milestone.amount)),
                             else_=_on_time_paid())))
        .join(Contract, col(Contract.id) == col(Milestone.contract_id))
        .where(*m_filter, col(Milestone.amount).is_not(None), col(Milestone.status) != MilestoneStatus.CANCELLED,
               col(Milestone.due_on) >= scope.start, col(Milestone.due_on) <= scope.end)
        .group_by(col(Contract.currency))
    )
    due = {cur: (_dec(d), _dec(o)) for cur, d, o in session.execute(due_q)}
    if scope.owner_id is None:
        rec_q = (select(col(Contract.currency), func.sum(col(Payment.amount)))
                 .join(Contract, col(Contract.id) == col(Payment.contract_id))
                 .where(col(Payment.tenant_id) == scope.tenant_id, *_contract_filter(scope),
                        col(Payment.reversed_at).is_(None),
                        col(Payment.received_on) >= scope.start, col(Payment.received_on) <= scope.end)
                 .group_by(col(Contract.currency)))
    else:
        rec_q = (select(col(Contract.currency), func.sum(col(PaymentAllocation.amount)))
                 .join(Payment, col(Payment.id) == col(PaymentAllocation.payment_id))
                 .join(Milestone, col(Milestone.id) == col(PaymentAllocation.milestone_id))
                 .join(Contract, col(Contract.id) == col(Milestone.contract_id))
                 .where(*m_filter, col(Payment.reversed_at).is_(None),
                        col(Payment.received_on) >= scope.start, col(Payment.received_on) <= scope.end)
                 .group_by(col(Contract.currency)))
    received = {cur: _dec(r) for cur, r in session.execute(rec_q)}
    return {cur: Collection(received.get(cur, ZERO), due.get(cur, (ZERO, ZERO))[0], due.get(cur, (ZERO, ZERO))[1])
            for cur in sorted(set(due) | set(received))}


def _on_time_paid() -> Any:
    """Money received for a milestone on or before its due date (correlated to Milestone)."""
    return (select(func.coalesce(func.sum(col(PaymentAllocation.amount)), 0))
            .join(Payment, col(Payment.id) == col(PaymentAllocation.payment_id))
            .where(col(PaymentAllocation.milestone_id) == col(Milestone.id), col(Payment.reversed_at).is_(None),
                   col(Payment.received_on) <= col(Milestone.due_on))
            .scalar_subquery())


def _settled(session: Session, scope: Scope) -> Any:
    """Payment milestones settled in full in the period: (milestone, counterparty, owner, days to collect)."""
    d = _dialect(session)
    # only milestones that a payment received in the period touched can have been settled in it
    touched = (select(col(PaymentAllocation.milestone_id))
               .join(Payment, col(Payment.id) == col(PaymentAllocation.payment_id))
               .where(col(Payment.tenant_id) == scope.tenant_id, col(Payment.reversed_at).is_(None),
                      col(Payment.received_on) >= scope.start, col(Payment.received_on) <= scope.end))
    per_ms = (
        select(col(PaymentAllocation.milestone_id).label("mid"),
               func.sum(col(PaymentAllocation.amount)).label("paid"),
               func.max(col(Payment.received_on)).label("settled_on"))
        .join(Payment, col(Payment.id) == col(PaymentAllocation.payment_id))
        .where(col(PaymentAllocation.milestone_id).in_(touched), col(Payment.reversed_at).is_(None))
        .group_by(col(PaymentAllocation.milestone_id))
        .subquery()
    )
    return (
        select(col(Milestone.id).label("mid"), col(Contract.counterparty).label("party"),
               col(Milestone.owner_id).label("owner"),
               day_diff(d, per_ms.c.settled_on, col(Milestone.due_on)).label("days"))
        .join(per_ms, per_ms.c.mid == col(Milestone.id))
        .join(Contract, col(Contract.id) == col(Milestone.contract_id))
        .where(*_milestones(scope), col(Milestone.amount).is_not(None), col(Milestone.amount) > 0,
               col(Milestone.due_on).is_not(None),  # days from a due date: none yet, no figure
               per_ms.c.paid >= col(Milestone.amount),
               per_ms.c.settled_on >= scope.start, per_ms.c.settled_on <= scope.end)
        .cte("settled")
    )


def _histogram(session: Session, rows: Any, value: str, groupings: list[str]) -> list[Any]:
    """How many rows of ``rows`` have each (grouping..., value): one grouped statement, a few hundred rows."""
    cols = [rows.c[g] for g in groupings]
    return list(session.execute(select(*cols, rows.c[value], func.count()).group_by(*cols, rows.c[value])).all())


def _nearest_rank(counts: dict[int, int]) -> Spread:
    """Count, median and 90th percentile of a histogram of whole days.

    The median is the middle value, or the mean of the two middle ones (as a spreadsheet's MEDIAN: {-5, 26}
    gives 10.5, not -5); the 90th percentile is the value at rank ceil(0.9 n) (nearest rank: a day that happened).
    """
    n = sum(counts.values())
    if not n:
        return Spread(0, None, None)
    ranks = {"low": (n + 1) // 2, "high": n // 2 + 1, "p90": (9 * n + 9) // 10}
    found: dict[str, int] = {}
    seen = 0
    for v in sorted(counts):
        seen += counts[v]
        for name, rank in ranks.items():
            if name not in found and seen >= rank:
                found[name] = v
    middle = found["low"] if n % 2 else (found["low"] + found["high"]) / 2
    return Spread(n, int(middle) if middle == int(middle) else middle, found["p90"])


def _spreads(session: Session, rows: Any, value: str, groupings: list[str]) -> dict[tuple[str, Any], Spread]:
    """Count, median and p90 of ``value`` overall ("", None) and per grouping column (name, key).

    The database counts the rows per (groupings, value) in one statement; the ranks are read off that histogram.
    """
    return _spreads_of(_histogram(session, rows, value, groupings), groupings)


def _spreads_of(hist: list[Any], groupings: list[str]) -> dict[tuple[str, Any], Spread]:
    """The spreads of histogram rows (grouping..., value, count): overall ("", None) and per (grouping, key)."""
    counts: dict[tuple[str, Any], dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for row in hist:
        *keys, v, n = row
        if v is None:
            continue
        counts[("", None)][int(v)] += n
        for g, key in zip(groupings, keys, strict=True):
            counts[(g, key)][int(v)] += n
    return {key: _nearest_rank(h) for key, h in counts.items()}


def days_to_collect(session: Session, scope: Scope, *, slowest: int = 5) -> Cycle:
    """Median and 90th percentile of days from due date to full settlement: overall, by counterparty, by owner."""
    spreads = _spreads(session, _settled(session, scope), "days", ["party", "owner"])
    by_party = sorted(((str(k or "-"), sp) for (lvl, k), sp in spreads.items() if lvl == "party"),
                      key=lambda kv: (-(kv[1].median or 0), -kv[1].n, kv[0]))
    by_owner = sorted(((k, sp) for (lvl, k), sp in spreads.items() if lvl == "owner"),
                      key=lambda kv: (-(kv[1].median or 0), -kv[1].n))
    return Cycle(spreads.get(("", None), Spread(0, None, None)), by_party[:slowest], by_owner)


def _settled_on() -> Any:
    """The day the last standing payment allocated to a milestone arrived (correlated to Milestone)."""
    return (select(func.max(col(Payment.received_on)))
            .select_from(PaymentAllocation)
            .join(Payment, col(Payment.id) == col(PaymentAllocation.payment_id))
            .where(col(PaymentAllocation.milestone_id) == col(Milestone.id), col(Payment.reversed_at).is_(None))
            .scalar_subquery())


def on_time(session: Session, scope: Scope) -> OnTime:
    """Milestones completed in the period, on or before their due date: overall, per kind, per owner.

    A milestone is completed on its completion day in the team's zone; a payment milestone that payments
    settled is completed on the day the last of that money arrived (not the day someone typed it in).
    """
    d = _dialect(session)
    settled = _settled_on()
    done_day = local_day(d, col(Milestone.done_at), scope.tz, scope.offset_minutes)
    day = case((col(Milestone.amount).is_(None), done_day), else_=func.coalesce(settled, done_day))
    # the completion day once per row (a materialised CTE: inlined, SQLite would run the subquery per use)
    done = (
        select(col(Milestone.kind).label("kind"), col(Milestone.owner_id).label("owner"),
               col(Milestone.due_on).label("due_on"), day.label("day"))
        .join(Contract, col(Contract.id) == col(Milestone.contract_id))
        .where(*_milestones(scope), col(Milestone.status) == MilestoneStatus.DONE, col(Milestone.done_at).is_not(None),
               # a cheap bound on the index first (payments are typed in after they arrive), then the exact day
               col(Milestone.done_at) >= _utc_start(scope, scope.start))
        .cte("done_rows").prefix_with("MATERIALIZED")
    )
    base = (
        select(done.c.kind, done.c.owner,
               # done before the event it was due after had even set its date: on time
               func.coalesce(day_diff(d, done.c.day, done.c.due_on), 0).label("delay"))
        .where(done.c.day >= scope.start, done.c.day <= scope.end)
        .subquery("done_in_period")
    )
    # one histogram of (kind, owner, delay): the counts, the on-time counts and the late ones' medians come from it
    hist = _histogram(session, base, "delay", ["kind", "owner"])
    medians = _spreads_of([r for r in hist if r[2] > 0], ["kind", "owner"])  # the late ones only

    def rows(level: str, index: int | None) -> list[OnTimeRow]:
        sums: dict[Any, list[int]] = defaultdict(lambda: [0, 0])
        for r in hist:
            key = r[index] if index is not None else None
            sums[key][0] += int(r[3])
            sums[key][1] += int(r[3]) if r[2] <= 0 else 0
        return [OnTimeRow(k, done, ok, medians[(level, k)].median if (level, k) in medians else None)
                for k, (done, ok) in sums.items()]

    overall = rows("", None)
    by_kind = sorted(rows("kind", 0), key=lambda r: KINDS.index(r.key) if r.key in KINDS else len(KINDS))
    by_owner = sorted(rows("owner", 1), key=lambda r: (r.rate if r.rate is not None else 1, -r.done))
    return OnTime(overall[0] if overall and overall[0].done else OnTimeRow(None, 0, 0, None), by_kind, by_owner)


def _utc_start(scope: Scope, day: date) -> datetime:
    """The UTC instant a local day starts."""
    return datetime.combine(day, time(), tzinfo=ZoneInfo(scope.tz))


def _overdue_where(scope: Scope) -> list[ColumnElement[bool]]:
    return [*_milestones(scope), col(Milestone.status) == MilestoneStatus.OPEN, col(Milestone.due_on) < scope.today]


def bottlenecks(session: Session, scope: Scope, *, oldest: int = 5) -> Bottlenecks:
    """Kinds and owners with the most overdue open milestones, and the oldest overdue items (as of today)."""
    joined = select().select_from(Milestone).join(Contract, col(Contract.id) == col(Milestone.contract_id))
    grid = session.execute(
        joined.add_columns(col(Milestone.kind), col(Milestone.owner_id), func.count()).where(*_overdue_where(scope))
        .group_by(col(Milestone.kind), col(Milestone.owner_id))
    ).all()
    kinds: dict[str, int] = defaultdict(int)
    owners: dict[int | None, int] = defaultdict(int)
    for kind, owner, n in grid:
        kinds[kind] += int(n)
        owners[owner] += int(n)
    by_kind = sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0]))
    by_owner = sorted(owners.items(), key=lambda kv: (-kv[1], kv[0] is not None, kv[0] or 0))
    owed = col(Milestone.amount) - _paid_to(col(Milestone.id))
    items = session.execute(
        joined.add_columns(col(Contract.number), col(Milestone.title), col(Milestone.due_on), col(Milestone.owner_id),
                           case((col(Milestone.amount).is_(None), None), else_=owed), col(Contract.currency))
        .where(*_overdue_where(scope)).order_by(col(Milestone.due_on), col(Milestone.id)).limit(oldest)
    ).all()
    return Bottlenecks(by_kind, by_owner,
                       [OverdueItem(r[0], r[1], r[2], r[3], _dec(r[4]) if r[4] is not None else None, r[5])
                        for r in items])


def overdue_trend(session: Session, scope: Scope, *, weeks: int = 12) -> list[OverduePoint]:
    """Overdue count and amount today and at the same weekday of each earlier week (oldest first).

    A milestone counts as overdue on day W when it was due before W and was still open at the end of W: open
    now, or closed after W (closed = completed or written off; a payment milestone on the day its money
    arrived). Its amount is what its payment milestone still owed at the end of W (its amount less the money
    received for it by then; payments are split by what each milestone still owes, so none is paid more than its
    amount). Cancelled milestones are left out (the day they were cancelled is not part of the figure).
    """
    days = [scope.today - timedelta(weeks=k) for k in range(weeks - 1, -1, -1)]
    counts: dict[date, int] = defaultdict(int)
    amounts: dict[date, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    _trend_of_open(session, scope, days, counts, amounts)
    _trend_of_closed(session, scope, days, counts, amounts)
    return [OverduePoint(day, counts.get(day, 0), {c: a for c, a in sorted(amounts.get(day, {}).items()) if a > 0})
            for day in days]


def _week_index(day: Any, days: list[date], *, same_day: bool = False) -> Any:
    """The first week mark W_k with day < W_k (or day <= W_k with ``same_day``; len(days) when none): the day
    counts for that mark and every later one."""
    return case(*(((day <= w) if same_day else (day < w), k) for k, w in enumerate(days)), else_=len(days))


def _trend_of_open(session: Session, scope: Scope, days: list[date], counts: dict[date, int],
                   amounts: dict[date, dict[str, Decimal]]) -> None:
    """Milestones open now: overdue on every mark after their due date, so one pass and running sums suffice."""
    due_k = _week_index(col(Milestone.due_on), days)
    open_now = [*_milestones(scope), col(Milestone.status) == MilestoneStatus.OPEN, col(Milestone.due_on) < scope.today]
    planned = session.execute(
        select(due_k, col(Contract.currency), func.count(), func.sum(col(Milestone.amount)))
        .join(Contract, col(Contract.id) == col(Milestone.contract_id)).where(*open_now)
        .group_by(due_k, col(Contract.currency))
    ).all()
    paid_k = _week_index(col(Payment.received_on), days, same_day=True)  # money in by the end of the mark's day
    both_k = case((due_k > paid_k, due_k), else_=paid_k)  # counts from the later of the two marks
    paid = session.execute(
        select(both_k, col(Contract.currency), func.sum(col(PaymentAllocation.amount)))
        .select_from(Milestone)
        .join(Contract, col(Contract.id) == col(Milestone.contract_id))
        .join(PaymentAllocation, col(PaymentAllocation.milestone_id) == col(Milestone.id))
        .join(Payment, col(Payment.id) == col(PaymentAllocation.payment_id))
        .where(*open_now, col(Payment.reversed_at).is_(None), col(Payment.received_on) <= scope.today)
        .group_by(both_k, col(Contract.currency))
    ).all()
    for k, cur, n, amount in planned:
        for day in days[int(k):]:
            counts[day] += int(n)
            amounts[day][cur] += _dec(amount)
    for k, cur, amount in paid:
        for day in days[int(k):]:
            amounts[day][cur] -= _dec(amount)


def _trend_of_closed(session: Session, scope: Scope, days: list[date], counts: dict[date, int],
                     amounts: dict[date, dict[str, Decimal]]) -> None:
    """Milestones closed since the first mark: checked against each mark (few rows, found by index)."""
    d = _dialect(session)
    marks = union_all(*(select(literal(w, Date).label("w")) for w in days)).subquery()
    w = marks.c.w
    done_day = local_day(d, col(Milestone.done_at), scope.tz, scope.offset_minutes)
    # closed on: the completion day, or for a payment milestone the day the money that settled it arrived
    closed_day = case((col(Milestone.amount).is_(None), done_day), else_=func.coalesce(_settled_on(), done_day))
    # the closed milestones first (by the completion index), then each against the marks
    closed = (
        select(col(Milestone.id).label("mid"), col(Milestone.due_on).label("due_on"),
               col(Milestone.amount).label("amount"), closed_day.label("closed_day"),
               col(Contract.currency).label("currency"))
        .join(Contract, col(Contract.id) == col(Milestone.contract_id))
        .where(*_milestones(scope), col(Milestone.status).not_in((MilestoneStatus.OPEN, MilestoneStatus.CANCELLED)),
               col(Milestone.done_at) >= _utc_start(scope, days[0] - timedelta(days=1)))
        .cte("closed").prefix_with("MATERIALIZED")
    )
    owed = closed.c.amount - _paid_to(closed.c.mid, through=w)
    q = (
        select(w, closed.c.currency, func.count(),
               func.sum(positive(d, owed)))
        .select_from(marks)
        .join(closed, and_(closed.c.due_on < w, closed.c.closed_day > w))
        .group_by(w, closed.c.currency)
    )
    for day, cur, n, amount in session.execute(q):
        day = day if isinstance(day, date) else date.fromisoformat(str(day))
        counts[day] += int(n)
        amounts[day][cur] += _dec(amount)


def overdue_now(session: Session, scope: Scope) -> OverduePoint:
    """Overdue open milestones today: how many, and what their payment milestones still owe per currency."""
    owed = col(Milestone.amount) - _paid_to(col(Milestone.id))
    rows = session.execute(
        select(col(Contract.currency), func.count(col(Milestone.id)), func.sum(positive(_dialect(session), owed)))
        .select_from(Milestone).join(Contract, col(Contract.id) == col(Milestone.contract_id))
        .where(*_overdue_where(scope)).group_by(col(Contract.currency))
    ).all()
    return OverduePoint(scope.today, sum(int(n) for _, n, _ in rows), {c: _dec(a) for c, _, a in rows if a})


def _deadline(session: Session) -> Any:
    return add_days(_dialect(session), col(Contract.end_on), -func.coalesce(col(Contract.notice_days), 0))


def renewals(session: Session, scope: Scope) -> list[RenewalItem]:
    """Contracts whose notice deadline fell in the period, and whether they were renewed, ended or missed.

    Missed: the deadline has passed and the contract was neither renewed nor ended.
    """
    deadline = _deadline(session)
    where = [*_contract_filter(scope), col(Contract.end_on).is_not(None), deadline >= scope.start,
             deadline <= scope.end]
    if scope.owner_id is not None:
        where.append(col(Contract.owner_id) == scope.owner_id)
    rows = session.execute(
        select(col(Contract.number), col(Contract.title), deadline, col(Contract.status))
        .where(*where).order_by(deadline)
    ).all()
    out = []
    for number, title, day, status in rows:
        day = day if isinstance(day, date) else date.fromisoformat(str(day))
        if status in (ContractStatus.RENEWED, ContractStatus.ENDED):
            outcome = str(status)
        else:
            outcome = "missed" if day < scope.today else "pending"
        out.append(RenewalItem(number, title, day, outcome))
    return out


def at_risk(session: Session, scope: Scope, *, limit: int = 10, horizon_days: int = 30) -> tuple[int, list[RiskItem]]:
    """Open contracts with an overdue payment or a notice deadline in the next 30 days (count, worst first)."""
    owed = col(Milestone.amount) - _paid_to(col(Milestone.id))
    overdue = (
        select(col(Milestone.contract_id).label("cid"),
               func.sum(positive(_dialect(session), owed)).label("owed"))
        .where(col(Milestone.tenant_id) == scope.tenant_id, col(Milestone.status) == MilestoneStatus.OPEN,
               col(Milestone.amount).is_not(None), col(Milestone.due_on) < scope.today)
        .group_by(col(Milestone.contract_id))
        .subquery()
    )
    deadline = _deadline(session)
    soon = and_(col(Contract.end_on).is_not(None), deadline >= scope.today,
                deadline <= scope.today + timedelta(days=horizon_days))
    where = [*_contract_filter(scope), col(Contract.status).in_(OPEN_CONTRACT),
             or_(overdue.c.owed > 0, soon)]
    if scope.owner_id is not None:
        where.append(col(Contract.owner_id) == scope.owner_id)
    rows = session.execute(
        select(col(Contract.number), col(Contract.title), col(Contract.counterparty), col(Contract.currency),
               func.coalesce(overdue.c.owed, 0), case((soon, deadline), else_=None),
               func.count().over().label("total"))  # how many in all, in the same pass as the worst few
        .outerjoin(overdue, overdue.c.cid == col(Contract.id)).where(*where)
        .order_by(func.coalesce(overdue.c.owed, 0).desc(), deadline, col(Contract.number)).limit(limit)
    ).all()
    total = rows[0][-1] if rows else 0
    items = [RiskItem(n, t, p, cur, _dec(o), (dl if isinstance(dl, date) or dl is None else date.fromisoformat(dl)))
             for n, t, p, cur, o, dl, _total in rows]
    return int(total), items


def money_by_month(session: Session, scope: Scope, *, back: int = 12, ahead: int = 3) -> MonthMoney:
    """Money due and received per month: the last ``back`` months up to this one and the next ``ahead``."""
    this = scope.today.replace(day=1)
    months = [_add_months(this, k) for k in range(-(back - 1), ahead + 1)]
    first, after = months[0], _add_months(months[-1], 1)
    d = _dialect(session)
    due_month = _month_of(d, col(Milestone.due_on))
    due_rows = session.execute(
        select(due_month, col(Contract.currency), func.sum(col(Milestone.amount)))
        .join(Contract, col(Contract.id) == col(Milestone.contract_id))
        .where(*_milestones(scope), col(Milestone.amount).is_not(None),
               col(Milestone.status) != MilestoneStatus.CANCELLED,
               col(Milestone.due_on) >= first, col(Milestone.due_on) < after)
        .group_by(due_month, col(Contract.currency))
    ).all()
    rec_month = _month_of(d, col(Payment.received_on))
    if scope.owner_id is None:
        rec_q = (select(rec_month, col(Contract.currency), func.sum(col(Payment.amount)))
                 .join(Contract, col(Contract.id) == col(Payment.contract_id))
                 .where(col(Payment.tenant_id) == scope.tenant_id, *_contract_filter(scope)))
    else:
        rec_q = (select(rec_month, col(Contract.currency), func.sum(col(PaymentAllocation.amount)))
                 .select_from(PaymentAllocation)
                 .join(Payment, col(Payment.id) == col(PaymentAllocation.payment_id))
                 .join(Milestone, col(Milestone.id) == col(PaymentAllocation.milestone_id))
                 .join(Contract, col(Contract.id) == col(Milestone.contract_id))
                 .where(*_milestones(scope)))
    rec_rows = session.execute(
        rec_q.where(col(Payment.reversed_at).is_(None), col(Payment.received_on) >= first,
                    col(Payment.received_on) < after).group_by(rec_month, col(Contract.currency))
    ).all()
    out = MonthMoney(months)
    index = {m.strftime("%Y-%m"): i for i, m in enumerate(months)}
    for rows, target in ((due_rows, out.due), (rec_rows, out.received)):
        for month, cur, amount in rows:
            series = target.setdefault(cur, [ZERO] * len(months))
            series[index[str(month)[:7]]] += _dec(amount)
    for cur in set(out.due) | set(out.received):
        out.due.setdefault(cur, [ZERO] * len(months))
        out.received.setdefault(cur, [ZERO] * len(months))
    return out


def ageing(session: Session, scope: Scope) -> dict[str, list[Decimal]]:
    """What open payment milestones still owe, per currency, in 5 buckets: not due, 1-30, 31-60, 61-90, >90 days."""
    d = _dialect(session)
    late = day_diff(d, literal(scope.today, Date), col(Milestone.due_on))
    # no due date yet (due after an event still to come): not due, not the >90 days the NULL would fall into
    bucket = case((col(Milestone.due_on).is_(None), 0), (late <= 0, 0), (late <= 30, 1), (late <= 60, 2),
                  (late <= 90, 3), else_=4)
    owed = col(Milestone.amount) - _paid_to(col(Milestone.id))
    rows = session.execute(
        select(col(Contract.currency), bucket, func.sum(positive(d, owed)))
        .join(Contract, col(Contract.id) == col(Milestone.contract_id))
        .where(*_milestones(scope), col(Milestone.status) == MilestoneStatus.OPEN, col(Milestone.amount).is_not(None))
        .group_by(col(Contract.currency), bucket)
    ).all()
    out: dict[str, list[Decimal]] = {}
    for cur, b, amount in rows:
        if amount:
            out.setdefault(cur, [ZERO] * 5)[int(b)] += _dec(amount)
    return out


def changes_count(session: Session, *, tenant_id: int, contract_id: int) -> int:
    """How many change requests a contract has had (any status)."""
    return int(session.execute(
        select(func.count()).select_from(ChangeRequest)
        .where(col(ChangeRequest.tenant_id) == tenant_id, col(ChangeRequest.contract_id) == contract_id)
    ).scalar_one())


def _month_of(dialect: str, day: Any) -> Any:
    if dialect == "sqlite":
        return func.strftime("%Y-%m", day)
    return func.to_char(day, "YYYY-MM")


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)
