"""Gauges read from the database when Prometheus scrapes ``/metrics``: what is waiting, and for how long.

The counters and histograms of commands and sends are defined where the work happens (handlers/, scheduler/)
and live in the same default registry; this module adds what only the database knows, computed at scrape time
by a few small indexed queries (``ix_reminder_status_fire``, ``ix_inbox_lane``, ``ix_reply_outbox_lane``):

- ``contractbot_reminders{status}``: reminder rows pending, claimed (being sent) and failed;
- ``contractbot_reminders_due``: pending reminders whose time has come (the dispatch backlog);
- ``contractbot_reminder_oldest_due_age_seconds``: how late the oldest of them is (0 when none is);
- ``contractbot_inbox_backlog{platform}`` and ``contractbot_inbox_oldest_age_seconds{platform}``: updates
  stored but not applied yet, and the age of the oldest;
- ``contractbot_reply_outbox_backlog{platform}``: replies waiting to be sent (e.g. for Telegram's flood limits);
- ``contractbot_backlog_up``: 1 when the figures above could be read, 0 when the database did not answer.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

from prometheus_client.core import REGISTRY, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from scheduler.inbox import INBOX, OUTBOX
from storage.models import Reminder

log = logging.getLogger(__name__)

REMINDERS = Reminder.__table__  # type: ignore[attr-defined]
REMINDER_STATUSES = ("pending", "claimed", "failed", "parked")


@dataclass
class Backlog:
    """The figures of one scrape."""

    reminders: dict[str, int] = field(default_factory=dict)
    due: int = 0
    oldest_due_age: float = 0.0
    inbox: dict[str, tuple[int, float]] = field(default_factory=dict)  # platform -> (pending, oldest age)
    outbox: dict[str, int] = field(default_factory=dict)  # platform -> pending


def read_backlog(engine: Engine, now: datetime) -> Backlog:
    """Count what is waiting (one short read transaction)."""
    out = Backlog()
    r = REMINDERS
    with engine.connect() as conn:
        for status in REMINDER_STATUSES:  # one index range each: status is the first column of the index
            out.reminders[status] = int(conn.execute(
                select(func.count()).select_from(r).where(r.c.status == status)).scalar_one())
        due, oldest = conn.execute(
            select(func.count(), func.min(r.c.fire_at)).where(r.c.status == "pending", r.c.fire_at <= now)).one()
        out.due = int(due)
        out.oldest_due_age = _age(now, oldest)
        for platform, count, first in conn.execute(
            select(INBOX.c.platform, func.count(), func.min(INBOX.c.received_at))
            .where(INBOX.c.status == "pending").group_by(INBOX.c.platform)
        ):
            out.inbox[platform] = (int(count), _age(now, first))
        for platform, count in conn.execute(
            select(OUTBOX.c.platform, func.count()).where(OUTBOX.c.status == "pending").group_by(OUTBOX.c.platform)
        ):
            out.outbox[platform] = int(count)
    return out


def _age(now: datetime, then: datetime | None) -> float:
    if then is None:
        return 0.0
    if then.tzinfo is None:  # an aggregate comes back without the column's type (naive UTC)
        then = then.replace(tzinfo=UTC)
    return max(0.0, (now - then).total_seconds())


class BacklogCollector(Collector):
    """A Prometheus collector that reads the backlog of the database it is pointed at, at every scrape."""

    def __init__(self) -> None:
        self.engine: Engine | None = None

    def describe(self) -> Iterator[Metric]:
        """The metric names (without reading the database), so registration can check them."""
        yield from self._families()

    def collect(self) -> Iterator[Metric]:
        """The current figures; only ``contractbot_backlog_up 0`` when the database does not answer."""
        if self.engine is None:
            return
        reminders, due, oldest, inbox, inbox_age, outbox, up = self._families()
        try:
            figures = read_backlog(self.engine, datetime.now(UTC))
        except Exception as exc:  # a scrape must not fail because the database is away; say so in a gauge
            log.warning("metrics: could not read the backlog: %s", exc)
            up.add_metric([], 0)
            yield up
            return
        for status, count in figures.reminders.items():
            reminders.add_metric([status], count)
        due.add_metric([], figures.due)
        oldest.add_metric([], figures.oldest_due_age)
        for platform, (count, age) in sorted(figures.inbox.items()):
            inbox.add_metric([platform], count)
            inbox_age.add_metric([platform], age)
        for platform, count in sorted(figures.outbox.items()):
            outbox.add_metric([platform], count)
        up.add_metric([], 1)
        yield from (reminders, due, oldest, inbox, inbox_age, outbox, up)

    @staticmethod
    def _families() -> tuple[GaugeMetricFamily, ...]:
        return (
            GaugeMetricFamily("contractbot_reminders", "Reminder rows (the reminder outbox) by status",
                              labels=["status"]),
            GaugeMetricFamily("contractbot_reminders_due", "Pending reminders whose time has come"),
            GaugeMetricFamily("contractbot_reminder_oldest_due_age_seconds",
                              "Seconds since the oldest pending reminder was due (0 when none is)"),
            GaugeMetricFamily("contractbot_inbox_backlog", "Platform updates stored but not applied yet",
                              labels=["platform"]),
            GaugeMetricFamily("contractbot_inbox_oldest_age_seconds",
                              "Seconds since the oldest update not applied yet was stored", labels=["platform"]),
            GaugeMetricFamily("contractbot_reply_outbox_backlog", "Replies waiting to be sent", labels=["platform"]),
            GaugeMetricFamily("contractbot_backlog_up", "1 when the backlog figures could be read from the database"),
        )


COLLECTOR = BacklogCollector()
_registered = threading.Lock()
_done = False


def watch(engine: Engine) -> None:
    """Report the backlog of this database on /metrics (the collector joins the default registry once)."""
    global _done
    COLLECTOR.engine = engine
    with _registered:
        if not _done:
            REGISTRY.register(COLLECTOR)
            _done = True
