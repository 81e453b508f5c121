"""Reminder planning: which pings a milestone gets, and when, as rows in the reminders outbox.

Stages: ``d-N`` N days before the due date (default 7 and 3), ``d0`` on the due day, ``od1`` the day
after, then every ``overdue_every_days`` days (``odK``), and ``snz`` at the end of a snooze. Each fires at
the team's reminder time in the owner's zone (else the team's), computed once to a UTC instant.
Only the next overdue stage is planned; sending it plans the one after (see dispatch).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from scheduler.workdays import previous_working_day
from storage import repo
from storage.models import Contract, Milestone, Person, Reminder, Tenant

DEFAULT_OFFSETS = (7, 3)
# a one-off notice that a milestone's due date was just set by its event (验收后30天: 验收 is done); keyed by the
# due date it announces, so the owner is told once per date
NOTICE_STAGE = "set"
MAX_OFFSET_DAYS = 365
MAX_STAGES = 6


def parse_offsets(text: str | None) -> tuple[int, ...] | None:
    """Read '14,7,1' as (14, 7, 1); None for an empty or invalid setting (1-365 days, at most 6 stages)."""
    if not text:
        return None
    items = [x.strip() for x in text.replace("，", ",").replace("、", ",").split(",") if x.strip()]
    if not items or not all(x.isdigit() for x in items):
        return None
    values = sorted({int(x) for x in items}, reverse=True)
    if len(values) > MAX_STAGES or not all(0 < v <= MAX_OFFSET_DAYS for v in values):
        return None
    return tuple(values)


def offsets_for(milestone: Milestone, contract: Contract | None, tenant: Tenant) -> tuple[int, ...]:
    """The days-ahead stages of a milestone: its own setting, else its contract's, else the team's."""
    for text in (milestone.reminder_offsets, contract.reminder_offsets if contract else None, tenant.reminder_offsets):
        offsets = parse_offsets(text)
        if offsets is not None:
            return offsets
    return DEFAULT_OFFSETS


def reminder_zone(session: Session, milestone: Milestone, tenant: Tenant) -> str:
    """The zone a milestone's reminders fire in: its owner's, else the team's."""
    if milestone.owner_id:
        owner = session.get(Person, milestone.owner_id)
        if owner is not None and owner.timezone:
            return owner.timezone
    return tenant.timezone


def fire_instant(day: date, tenant: Tenant, zone: str) -> datetime:
    """The UTC instant of the team's reminder time on a local day."""
    return _instant(day, tenant.reminder_time or "09:00", zone)


@lru_cache(maxsize=65536)
def _instant(day: date, hhmm: str, zone: str) -> datetime:
    # many milestones share a day: converting through the zone database once per day is enough
    hh, mm = (int(x) for x in hhmm.split(":"))
    local = datetime.combine(day, time(hh, mm), tzinfo=ZoneInfo(zone))
    return local.astimezone(ZoneInfo("UTC"))


def schedule(
    milestone: Milestone, contract: Contract | None, tenant: Tenant, *, zone: str, now: datetime
) -> dict[tuple[str, date], datetime]:
    """The milestone's stages under its current settings, past ones included (but only the next overdue).

    A milestone still waiting for the event it is due after has no date, so no stages.
    """
    if milestone.status != "open" or milestone.due_on is None:
        return {}
    due = milestone.due_on
    stages: dict[tuple[str, date], datetime] = {}
    snoozed = milestone.snoozed_until
    stages[("d0", due)] = fire_instant(shift_day(due, tenant), tenant, zone)
    taken = {shift_day(due, tenant)}
    for n in sorted(offsets_for(milestone, contract, tenant)):
        day = shift_day(due - timedelta(days=n), tenant)
        if day in taken:  # two stages moved off holidays onto one day: the one nearer the due date wins
            continue
        taken.add(day)
        stages[(f"d-{n}", day)] = fire_instant(day, tenant, zone)
    every = max(1, tenant.overdue_every_days or 1)
    local_today = now.astimezone(ZoneInfo(zone)).date()
    k = 1
    if local_today > due:
        # jump straight to the first overdue stage that is not yet in the past
        late = (local_today - due).days
        k = 1 + max(0, (late - 1) // every) * every
    while True:
        day = due + timedelta(days=k)
        at = fire_instant(day, tenant, zone)
        if at > now:
            stages[(f"od{k}", day)] = at
            break
        k += every
    if snoozed is not None:
        stages = {key: at for key, at in stages.items() if key[1] > snoozed}
        stages[("snz", snoozed)] = fire_instant(snoozed, tenant, zone)
    return stages


def desired_stages(
    milestone: Milestone, contract: Contract | None, tenant: Tenant, *, zone: str, now: datetime
) -> dict[tuple[str, date], datetime]:
    """Every stage a milestone should still get from now on: (stage, day) -> UTC instant."""
    return {key: at for key, at in schedule(milestone, contract, tenant, zone=zone, now=now).items() if at > now}


def shift_day(day: date, tenant: Tenant) -> date:
    """Move a reminder day off a weekend or holiday to the previous working day, if the team wants that."""
    return previous_working_day(day) if tenant.holiday_shift else day


def replan(session: Session, *, milestone: Milestone, contract: Contract | None, tenant: Tenant, now: datetime) -> None:
    """Bring a milestone's pending reminder rows in line with its state (in the caller's transaction)."""
    if milestone.id is None:
        session.flush()
    zone = reminder_zone(session, milestone, tenant)
    full = schedule(milestone, contract, tenant, zone=zone, now=now)
    wanted = {key: at for key, at in full.items() if at > now}
    rows = session.exec(select(Reminder).where(Reminder.milestone_id == milestone.id)).all()
    have = {(r.stage, r.day): r for r in rows}
    for key, row in have.items():
        if row.status == "pending" and key not in wanted and not _still_owed(key, milestone, full, now, zone):
            row.status = "cancelled"
            session.add(row)
    for key, at in wanted.items():
        existing = have.get(key)
        if existing is None:
            session.add(Reminder(tenant_id=tenant.id or 0, milestone_id=milestone.id or 0, stage=key[0], day=key[1],
                                 fire_at=at, status="pending", created_at=now))
        elif existing.status in ("pending", "cancelled") and (existing.status != "pending" or existing.fire_at != at):
            existing.status = "pending"
            existing.fire_at = at
            existing.lease_until = None
            session.add(existing)
    session.flush()


def _still_owed(key: tuple[str, date], milestone: Milestone, full: dict[tuple[str, date], datetime],
                now: datetime, zone: str) -> bool:
    """A stage whose time has come but that was not sent yet (held back by a 429, the throttle, or
    downtime before the next pass) stays pending: re-planning for another reason must not lose it."""
    if milestone.status != "open" or milestone.due_on is None:
        return False
    if key[0] == NOTICE_STAGE:
        return key[1] == milestone.due_on  # the notice of the date it has now; one of an older date is moot
    today = now.astimezone(ZoneInfo(zone)).date()
    if milestone.snoozed_until is not None and milestone.snoozed_until > today:
        return False  # the user asked for quiet until then
    stage, day = key
    if day > today:
        return False
    if stage.startswith("od"):
        return day > milestone.due_on
    return key in full


def plan_notice(session: Session, *, milestone: Milestone, tenant: Tenant, now: datetime) -> None:
    """Queue the one-off "now due on …" notice of a milestone whose date its event just set (sent at once)."""
    if milestone.due_on is None or milestone.status != "open":
        return
    key = (NOTICE_STAGE, milestone.due_on)
    row = session.exec(select(Reminder).where(Reminder.milestone_id == milestone.id, Reminder.stage == key[0],
                                              Reminder.day == key[1])).first()
    if row is None:
        session.add(Reminder(tenant_id=tenant.id or 0, milestone_id=milestone.id or 0, stage=key[0], day=key[1],
                             fire_at=now, status="pending", created_at=now))
    elif row.status == "cancelled":  # announced for this date before, then moved away and back: not yet told
        row.status, row.fire_at, row.lease_until = "pending", now, None
        session.add(row)
    session.flush()


def upcoming(session: Session, *, milestone_id: int) -> list[Reminder]:
    """A milestone's pending reminders, soonest first."""
    return list(
        session.exec(
            select(Reminder)
            .where(Reminder.milestone_id == milestone_id, Reminder.status == "pending")
            .order_by(col(Reminder.fire_at))
        ).all()
    )


def plan_many(session: Session, milestones: list[Milestone], tenant: Tenant, *, now: datetime,
              contracts: dict[int, Contract] | None = None, zones: dict[int, str] | None = None) -> int:
    """Plan reminders for many milestones that have none yet, in one bulk insert (imports, benchmarks)."""
    values = []
    for m in milestones:
        zone = (zones or {}).get(m.owner_id or 0) or tenant.timezone
        contract = (contracts or {}).get(m.contract_id)
        for (stage, day), at in desired_stages(m, contract, tenant, zone=zone, now=now).items():
            values.append({"tenant_id": tenant.id, "milestone_id": m.id, "stage": stage, "day": day,
                           "fire_at": at, "status": "pending", "attempts": 0, "created_at": now})
    if values:
        # a Core insert on the table (not the ORM bulk path): several times faster for big batches
        repo.insert_many(session.connection(), Reminder.__table__, values)  # type: ignore[attr-defined]
    return len(values)
