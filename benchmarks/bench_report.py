"""Report and review figures at scale: 100k contracts, 1M milestones, payments against most of them.

    .venv/bin/python benchmarks/bench_report.py                        # SQLite in a temporary folder
    .venv/bin/python benchmarks/bench_report.py --pg postgresql+psycopg://postgres@127.0.0.1/test
    .venv/bin/python benchmarks/bench_report.py --contracts 10000       # a quicker look

The ledger: one large team holding a fifth of the contracts and many ordinary teams of 1,000 contracts
each, ten milestones per contract over three years, payments (some late, some partial, some reversed).
The figures are taken in a fresh process after the ledger is built, so its peak memory is the report's own.
Prints figures; it is not a test (shared machines are noisy). The PostgreSQL run drops and recreates the
public schema of the database it is given.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert, select, text
from sqlmodel import Session

NOW = datetime(2027, 3, 15, 2, 0, tzinfo=UTC)  # Monday 10:00 in Shanghai
TODAY = date(2027, 3, 15)
KINDS = ["payment", "payment", "payment", "delivery", "acceptance", "warranty", "other", "payment", "delivery", "other"]
PARTIES = [f"Customer {i:04d}" for i in range(2000)]
CHUNK = 20_000


def build(url: str, contracts: int, seed: int = 7) -> dict[str, int]:
    """Create the schema and the ledger; return the ids of the large team and one ordinary team."""
    from storage.db import make_engine, upgrade
    from storage.models import Contract, Milestone, Payment, PaymentAllocation, Person, Tenant

    engine = make_engine(url)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    upgrade(engine)
    rnd = random.Random(seed)
    big = contracts // 5
    sizes = [big] + [1000] * ((contracts - big) // 1000)
    t0 = time.perf_counter()
    with engine.begin() as conn:
        tenant_ids = []
        for i, _ in enumerate(sizes):
            res = conn.execute(insert(Tenant).values(platform="bench", external_id=f"team-{i}",
                                                     timezone="Asia/Shanghai"))
            tenant_ids.append(res.inserted_primary_key[0])
        people: dict[int, list[int]] = {}
        for tid in tenant_ids:
            rows = [{"tenant_id": tid, "handle": f"p{k}", "display_name": f"p{k}", "role": "member", "can_dm": False,
                     "created_at": NOW} for k in range(20)]
            conn.execute(insert(Person), rows)
            people[tid] = list(conn.execute(select(Person.id).where(Person.tenant_id == tid)).scalars())
    counters = {"contracts": 0, "milestones": 0, "payments": 0, "allocations": 0}
    next_ids = {"contract": 1, "milestone": 1, "payment": 1}
    for tid, size in zip(tenant_ids, sizes, strict=True):
        seq = 0
        for start in range(0, size, CHUNK // 10):
            n = min(CHUNK // 10, size - start)
            c_rows, m_rows, p_rows, a_rows = [], [], [], []
            for k in range(n):
                cid = next_ids["contract"]
                next_ids["contract"] += 1
                signed = date(2024, 6, 1) + timedelta(days=rnd.randrange(0, 900))
                end = signed + timedelta(days=rnd.choice([365, 730, 1095]))
                amount = Decimal(rnd.randrange(50, 5000) * 1000)
                status = "active" if end >= TODAY else rnd.choice(["renewed", "ended", "expired", "active"])
                c_rows.append({"id": cid, "tenant_id": tid, "number": f"HT-{start + k:06d}", "title": f"Deal {cid}",
                               "counterparty": rnd.choice(PARTIES), "amount": amount,
                               "currency": "CNY" if rnd.random() < 0.9 else "USD", "kind": "sales",
                               "owner_id": rnd.choice(people[tid]), "signed_on": signed, "start_on": signed,
                               "end_on": end, "notice_days": rnd.choice([None, 30, 60]), "auto_renew": False,
                               "status": status, "created_at": NOW, "updated_at": NOW})
                span = (end - signed).days
                for j, kind in enumerate(KINDS):
                    mid = next_ids["milestone"]
                    next_ids["milestone"] += 1
                    due = signed + timedelta(days=span * (j + 1) // len(KINDS))
                    money = amount / 5 if kind == "payment" else None
                    status_m, done_at = "open", None
                    if due < TODAY and rnd.random() < 0.85:
                        late = rnd.choice([-5, 0, 0, 3, 10, 30, 90])
                        done_day = min(TODAY - timedelta(days=1), due + timedelta(days=late))
                        status_m, done_at = "done", datetime.combine(done_day, datetime.min.time(), tzinfo=UTC)
                    m_rows.append({"id": mid, "tenant_id": tid, "contract_id": cid, "kind": kind,
                                   "title": f"{kind} {j}", "due_on": due, "owner_id": rnd.choice(people[tid]),
                                   "amount": money, "status": status_m, "done_at": done_at,
                                   "created_at": NOW, "updated_at": NOW})
                    if money is not None and (status_m == "done" or (due < TODAY and rnd.random() < 0.3)):
                        partial = status_m != "done"
                        pid = next_ids["payment"]
                        next_ids["payment"] += 1
                        seq += 1
                        paid = money / 2 if partial else money
                        received = (done_at.date() if done_at else due + timedelta(days=rnd.randrange(0, 40)))
                        p_rows.append({"id": pid, "tenant_id": tid, "seq": seq, "contract_id": cid, "amount": paid,
                                       "currency": c_rows[-1]["currency"], "received_on": min(received, TODAY),
                                       "reversed_at": NOW if rnd.random() < 0.01 else None, "created_at": NOW})
                        a_rows.append({"payment_id": pid, "milestone_id": mid, "amount": paid, "closed": not partial})
            with engine.begin() as conn:
                conn.execute(insert(Contract), c_rows)
                conn.execute(insert(Milestone), m_rows)
                if p_rows:
                    conn.execute(insert(Payment), p_rows)
                    conn.execute(insert(PaymentAllocation), a_rows)
            for key, rows in (("contracts", c_rows), ("milestones", m_rows), ("payments", p_rows),
                              ("allocations", a_rows)):
                counters[key] += len(rows)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            for table in ("contracts", "milestones", "payments", "payment_allocations"):
                conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                  f"(SELECT max(id) FROM {table}))"))
            conn.execute(text("ANALYZE"))
    else:
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))
    print(f"built {counters['contracts']:,} contracts, {counters['milestones']:,} milestones, "
          f"{counters['payments']:,} payments in {len(sizes)} teams in {time.perf_counter() - t0:.0f} s", flush=True)
    engine.dispose()
    return {"big": tenant_ids[0], "big_size": sizes[0], "small": tenant_ids[-1], "small_size": sizes[-1]}


def measure(url: str, teams: dict[str, int], repeat: int) -> dict[str, object]:
    """Time report and review through the real use cases (text, footnotes and charts), in this process."""
    from handlers.commands import run
    from handlers.context import Ctx
    from handlers.usecases.reports import Report, Review
    from storage.db import make_engine
    from storage.models import Contract, Person, Tenant

    engine = make_engine(url)
    out: dict[str, object] = {}
    for label in ("big", "small"):
        tid = teams[label]
        with Session(engine) as s:
            tenant = s.get(Tenant, tid)
            person = s.exec(select(Person).where(Person.tenant_id == tid)).scalars().first()  # type: ignore[call-overload]
            numbers = list(s.exec(select(Contract.number).where(Contract.tenant_id == tid).limit(200)).scalars())  # type: ignore[call-overload]
            party = s.exec(select(Contract.counterparty).where(Contract.tenant_id == tid).limit(1)).scalars().first()  # type: ignore[call-overload]
            ctx = Ctx(session=s, tenant=tenant, person=person, lang="en", now=NOW)  # type: ignore[arg-type]
            from handlers.periods import quarter, year

            run(ctx, Report(quarter(2027, 1)))  # warm up: imports, the chart font, query plans
            for name, cmd in (("report Q1 (text + 3 charts)", Report(quarter(2027, 1))),
                              ("report 2026", Report(year(2026))),
                              ("report Q1 owner @p3", Report(quarter(2027, 1), owner=_ref("p3"))),
                              (f"report Q1 '{party}'", Report(quarter(2027, 1), party=party))):
                times = []
                for _ in range(repeat):
                    t0 = time.perf_counter()
                    run(ctx, cmd)
                    times.append(time.perf_counter() - t0)
                out[f"{label} team ({teams[label + '_size']:,} contracts): {name}"] = _fmt(times)
            kpi_times = []
            for _ in range(repeat):
                t0 = time.perf_counter()
                _kpis_only(ctx)
                kpi_times.append(time.perf_counter() - t0)
            out[f"{label} team: KPIs only (SQL, no text or charts)"] = _fmt(kpi_times)
            times = []
            for i in range(max(repeat * 5, 20)):
                t0 = time.perf_counter()
                run(ctx, Review(numbers[i % len(numbers)]))
                times.append(time.perf_counter() - t0)
            out[f"{label} team: review (text + timeline chart)"] = _fmt(times)
            times = []
            from handlers.usecases import reports

            for i in range(max(repeat * 5, 20)):
                t0 = time.perf_counter()
                with _no_charts(reports):
                    run(ctx, Review(numbers[i % len(numbers)]))
                times.append(time.perf_counter() - t0)
            out[f"{label} team: review (text only)"] = _fmt(times)
    out["peak RSS of the measuring process"] = f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB"
    return out


def _ref(handle: str):  # type: ignore[no-untyped-def]
    from handlers.grammar import OwnerRef

    return OwnerRef(handle=handle)


def _kpis_only(ctx) -> None:  # type: ignore[no-untyped-def]
    from storage import kpis

    scope = kpis.Scope(ctx.tenant_id, date(2027, 1, 1), date(2027, 3, 31), TODAY, "Asia/Shanghai")
    s = ctx.session
    kpis.collection(s, scope)
    kpis.days_to_collect(s, scope)
    kpis.on_time(s, scope)
    kpis.bottlenecks(s, scope)
    kpis.overdue_trend(s, scope)
    kpis.renewals(s, scope)
    kpis.at_risk(s, scope)
    kpis.money_by_month(s, scope)
    kpis.ageing(s, scope)


class _no_charts:
    def __init__(self, module) -> None:  # type: ignore[no-untyped-def]
        self.module = module

    def __enter__(self) -> None:
        import handlers.charts as charts

        self.saved = charts.timeline_chart
        charts.timeline_chart = lambda *a, **k: None  # type: ignore[assignment]

    def __exit__(self, *exc: object) -> None:
        import handlers.charts as charts

        charts.timeline_chart = self.saved  # type: ignore[assignment]


def _fmt(times: list[float]) -> str:
    ms = sorted(t * 1000 for t in times)
    return f"median {statistics.median(ms):.0f} ms · max {ms[-1]:.0f} ms (n={len(ms)})"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pg", help="a PostgreSQL URL (its public schema is dropped)")
    ap.add_argument("--contracts", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--measure", help=argparse.SUPPRESS)  # internal: JSON of the teams, run in a fresh process
    args = ap.parse_args()
    if args.measure:
        url, teams = json.loads(args.measure)
        print(json.dumps(measure(url, teams, args.repeat)))
        return
    folder = tempfile.mkdtemp(prefix="bench-report-")
    url = args.pg or f"sqlite:///{folder}/bench.db"
    teams = build(url, args.contracts)
    res = subprocess.run([sys.executable, __file__, "--measure", json.dumps([url, teams]), "--repeat",
                          str(args.repeat)], capture_output=True, text=True, check=False)
    if res.returncode != 0:
        print(res.stderr, file=sys.stderr)
        sys.exit(res.returncode)
    figures = json.loads(res.stdout.strip().splitlines()[-1])
    print(f"{'PostgreSQL' if args.pg else 'SQLite'} · goals: report < 1 s, review < 50 ms, process < 300 MB")
    for key, value in figures.items():
        print(f"  {key}: {value}")


if __name__ == "__main__":
    main()
