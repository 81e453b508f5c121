"""Reminder engine figures: planning time, due-row lookup time, and throughput under Telegram-like limits.

    .venv/bin/python benchmarks/bench_reminders.py                       # SQLite, 100k contracts / 1M milestones
    .venv/bin/python benchmarks/bench_reminders.py --pg postgresql+psycopg://postgres@127.0.0.1/test
    .venv/bin/python benchmarks/bench_reminders.py --contracts 10000      # a quicker look

Prints figures; it is not a test (shared machines are noisy). The PostgreSQL run drops and recreates the
public schema of the database it is given.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert, select, text
from sqlalchemy.engine import Engine
from sqlmodel import Session

import bot.registry  # noqa: F401  (registers the platforms' traits)
from scheduler import planner
from scheduler.dispatch import Dispatcher, due_query, skip_stale
from scheduler.notify import Outgoing, RateLimited, Target
from scheduler.throttle import Limits, Throttle
from storage.db import make_engine, transaction, upgrade
from storage.models import Contract, Milestone, Reminder, Tenant

NOW = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)
KINDS = ["payment", "delivery", "acceptance", "warranty", "renewal", "other"]


def fresh_engine(url: str) -> Engine:
    engine = make_engine(url)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    upgrade(engine)
    return engine


def populate(engine: Engine, contracts: int, per: int) -> Tenant:
    """Bulk-insert one team with `contracts` contracts and `per` milestones each, due over the next 2 years."""
    rnd = random.Random(7)
    with transaction(engine) as s:
        tenant = Tenant(platform="telegram", external_id="-100bench", name="bench")
        s.add(tenant)
        s.flush()
        tid = tenant.id
    chunk = 20000
    for start in range(0, contracts, chunk):
        rows = [{"tenant_id": tid, "number": f"HT-{i:07d}", "title": f"Contract {i}", "counterparty": "Acme",
                 "amount": 100000, "currency": "CNY", "kind": "sales", "auto_renew": False, "status": "active",
                 "channel": f"-100{i % 500}", "created_at": NOW, "updated_at": NOW}
                for i in range(start, min(contracts, start + chunk))]
        with engine.begin() as conn:
            conn.execute(insert(Contract), rows)
    with engine.connect() as conn:
        ids = [r[0] for r in conn.execute(select(Contract.id).order_by(Contract.id))]
    batch: list[dict[str, Any]] = []
    for cid in ids:
        for k in range(per):
            batch.append({"tenant_id": tid, "contract_id": cid, "kind": KINDS[k % 6], "title": f"step {k}",
                          "due_on": date(2026, 11, 27) + timedelta(days=rnd.randint(-30, 730)), "status": "open",
                          "created_at": NOW, "updated_at": NOW})
        if len(batch) >= 50000:
            with engine.begin() as conn:
                conn.execute(insert(Milestone), batch)
            batch = []
    if batch:
        with engine.begin() as conn:
            conn.execute(insert(Milestone), batch)
    with Session(engine) as s:
        t = s.get(Tenant, tid)
        assert t is not None
        s.expunge(t)
        return t


def plan_all(engine: Engine, tenant: Tenant) -> tuple[float, int]:
    """Plan every milestone's reminders, chunk by chunk; return (seconds, rows planned)."""
    t0 = time.perf_counter()
    total = 0
    last = 0
    chunk = 50000
    while True:
        with engine.connect() as conn:
            rows = conn.execute(
                select(Milestone.id, Milestone.contract_id, Milestone.owner_id, Milestone.due_on, Milestone.status,
                       Milestone.reminder_offsets, Milestone.snoozed_until)
                .where(Milestone.id > last).order_by(Milestone.id).limit(chunk)
            ).all()
        if not rows:
            break
        last = rows[-1][0]
        ms = [SimpleNamespace(id=r[0], contract_id=r[1], owner_id=r[2], due_on=r[3], status=r[4],
                              reminder_offsets=r[5], snoozed_until=r[6]) for r in rows]
        with transaction(engine) as s:
            total += planner.plan_many(s, ms, tenant, now=NOW)  # type: ignore[arg-type]
    return time.perf_counter() - t0, total


def stale_sweep(engine: Engine, at: datetime, runs: int = 10) -> float:
    """Median milliseconds of the pass's stale-row sweep (rolled back, so every run sees the same rows)."""
    times = []
    for _ in range(runs):
        with Session(engine) as s:
            t0 = time.perf_counter()
            skip_stale(s, at)
            times.append((time.perf_counter() - t0) * 1000)
            s.rollback()
    return statistics.median(times)


def due_lookup(engine: Engine, at: datetime, runs: int = 25) -> tuple[float, int]:
    """Median milliseconds of the dispatch pass's due-row query (the claim's SELECT), and rows found."""
    q = due_query(at, 500)  # exactly the claim's query
    times = []
    found = 0
    with Session(engine) as s:
        for _ in range(runs):
            t0 = time.perf_counter()
            found = len(s.execute(q).all())
            times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), found


class TelegramLikeFake:
    """A fake platform that answers 429 when a client goes over 30 msg/s overall or 1 msg/s per chat."""

    def __init__(self) -> None:
        self.sent: list[tuple[float, str]] = []
        self.rejected = 0

    def send(self, out: Outgoing) -> str:
        now = time.monotonic()
        chat = out.target.chat_id or ""
        last_second = [c for t, c in self.sent[-40:] if now - t < 1.0]
        if len(last_second) >= 30 or chat in last_second:
            self.rejected += 1
            raise RateLimited(1.0)
        self.sent.append((now, chat))
        return f"{chat}:{len(self.sent)}"

    def update(self, ref: str, message: Any, *, tenant_key: str | None = None) -> None:
        pass


class PlainComposer:
    def reminder(self, session: Session, reminder: Reminder, now: datetime) -> list[Outgoing] | None:
        return [Outgoing(Target("telegram", "bench", chat_id=f"-100{reminder.milestone_id % 120}"), "ping")]

    def failure(self, session: Session, reminder: Reminder, error: str, now: datetime) -> list[Outgoing]:
        return []


def throughput(url: str, count: int = 450) -> tuple[float, int, float]:
    """Send `count` due reminders spread over 120 chats; return (msg/s, 429s, seconds)."""
    engine = fresh_engine(url)
    tenant = populate(engine, contracts=count, per=1)
    with transaction(engine) as s:
        ids = [r for r in s.execute(select(Milestone.id)).scalars()]
        s.execute(insert(Reminder), [{"tenant_id": tenant.id, "milestone_id": i, "stage": "d0", "day": date(2026, 11, 27),
                                      "fire_at": NOW - timedelta(minutes=1), "status": "pending", "attempts": 0,
                                      "created_at": NOW} for i in ids])
    fake = TelegramLikeFake()
    # only the overall and per-chat limits are enforced by this fake, so the throttle applies just those
    limits = {"telegram": Limits(overall_per_s=30, per_chat_per_s=1)}
    d = Dispatcher(engine, notifiers={"telegram": fake}, composer=PlainComposer(),  # type: ignore[arg-type]
                   throttle=Throttle(limits))
    t0 = time.monotonic()
    clock = NOW
    while len(fake.sent) < count and time.monotonic() - t0 < 120:
        clock = NOW + timedelta(seconds=time.monotonic() - t0)  # the pass's notion of now follows real time
        d.run_pass(clock)
        time.sleep(0.05)
    elapsed = time.monotonic() - t0
    return len(fake.sent) / elapsed, fake.rejected, elapsed


def run(url: str, label: str, contracts: int, per: int) -> None:
    print(f"== {label}: {contracts:,} contracts, {contracts * per:,} milestones")
    engine = fresh_engine(url)
    t0 = time.perf_counter()
    tenant = populate(engine, contracts, per)
    print(f"   load data           {time.perf_counter() - t0:8.1f} s")
    secs, rows = plan_all(engine, tenant)
    print(f"   plan all reminders  {secs:8.1f} s   ({rows:,} reminder rows, {rows / secs:,.0f} rows/s)")
    for name, at in (("now", NOW), ("+30 days", NOW + timedelta(days=30))):
        # a pass sweeps stale rows once, then claims batch after batch with the due query
        print(f"   stale sweep   ({name:8}) median {stale_sweep(engine, at):8.2f} ms   (once per pass)")
        with transaction(engine) as s:
            skipped = skip_stale(s, at)
        ms, found = due_lookup(engine, at)
        print(f"   find due rows ({name:8}) median {ms:8.2f} ms   ({found} rows, batch limit 500; "
              f"{skipped:,} stale rows skipped first)")
    engine.dispose()
    rate, rejected, elapsed = throughput(url.replace("bench.db", "throughput.db"))
    print(f"   throughput (Telegram-like 30/s, 1/s per chat): {rate:5.1f} msg/s = {rate / 30:5.1%} of the allowed "
          f"rate, 429s: {rejected}, {elapsed:.1f} s")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--contracts", type=int, default=100_000)
    ap.add_argument("--per", type=int, default=10, help="milestones per contract")
    ap.add_argument("--pg", help="PostgreSQL URL to benchmark as well")
    ap.add_argument("--no-sqlite", action="store_true")
    args = ap.parse_args()
    if not args.no_sqlite:
        with tempfile.TemporaryDirectory() as tmp:
            run(f"sqlite:///{tmp}/bench.db", "SQLite", args.contracts, args.per)
    if args.pg:
        run(args.pg, "PostgreSQL", args.contracts, args.per)


if __name__ == "__main__":
    main()
