"""Ledger export at scale: 100k contracts, 1M milestones (the ledger of bench_report.py), exported team by team.

    .venv/bin/python benchmarks/bench_export.py                   # SQLite in a temporary folder
    .venv/bin/python benchmarks/bench_export.py --contracts 10000 # a quicker look
    .venv/bin/python benchmarks/bench_export.py --no-merged       # skip the one-team-holds-everything case
    .venv/bin/python benchmarks/bench_export.py --db /tmp/e.db    # build the SQLite file once, reuse it after
    .venv/bin/python benchmarks/bench_export.py --pg postgresql+psycopg://postgres@127.0.0.1/bench_export

The ledger is bench_report.py's ``build()``: one large team holding a fifth of the contracts and many ordinary
teams of 1,000 contracts, ten milestones each, payments against most of them. Each export runs through the real
use case (``export`` / ``export csv``) in a fresh process, so its peak memory is the export's own; the process's
memory before the export is printed too. Last, every team is merged into one (numbers made unique) to time the
goal itself: one team of 100k contracts. Wall seconds and the export process's CPU seconds are printed (a
shared machine makes wall time noisy). ``--db`` keeps the SQLite file: a second run reuses it (already merged
if the first merged it) instead of building the ledger again. Prints figures; it is not a test.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_report import NOW, build  # noqa: E402  (the same ledger as the report benchmark)
from sqlalchemy import text  # noqa: E402


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(url: str, tenant_id: int, fmt: str) -> dict[str, object]:
    """Export one team through the use case in this (fresh) process: seconds, file size, rows, peak RSS."""
    from sqlmodel import Session, select

    from handlers.commands import run
    from handlers.context import Ctx
    from handlers.usecases.exports import Export
    from storage.db import make_engine
    from storage.models import Person, Tenant

    engine = make_engine(url)
    with Session(engine) as s:
        tenant = s.get(Tenant, tenant_id)
        person = s.exec(select(Person).where(Person.tenant_id == tenant_id)).first()
        ctx = Ctx(session=s, tenant=tenant, person=person, lang="zh", now=NOW)  # type: ignore[arg-type]
        before = _rss_mb()
        t0, c0 = time.perf_counter(), time.process_time()
        [reply] = run(ctx, Export(fmt=fmt))
        seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    [doc] = reply.documents
    return {"seconds": round(seconds, 1), "cpu": round(cpu, 1), "mb": round(len(doc.data) / 1024 / 1024, 1),
            "title": reply.title, "rss_before": round(before), "rss_peak": round(_rss_mb())}


def existing_teams(url: str) -> dict[str, int]:
    """The large team and an ordinary one of a ledger built before (``--db``): the largest and smallest."""
    from storage.db import make_engine

    engine = make_engine(url)
    with engine.connect() as conn:
        sizes = conn.execute(text("SELECT tenant_id, count(*) AS n FROM contracts GROUP BY tenant_id "
                                  "ORDER BY n DESC, tenant_id")).all()
    engine.dispose()
    (big, big_size), (small, small_size) = sizes[0], sizes[-1]
    return {"big": big, "big_size": big_size, "small": small, "small_size": small_size, "teams": len(sizes)}


def merge_into_one_team(url: str, big: int) -> int:
    """Move every team's rows into the large team (numbers, handles and payment numbers made unique)."""
    from storage.db import make_engine

    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE people SET handle = handle || '-' || tenant_id, tenant_id = :big "
                          "WHERE tenant_id <> :big"), {"big": big})
        conn.execute(text("UPDATE contracts SET number = number || '-' || tenant_id, tenant_id = :big "
                          "WHERE tenant_id <> :big"), {"big": big})
        conn.execute(text("UPDATE milestones SET tenant_id = :big WHERE tenant_id <> :big"), {"big": big})
        conn.execute(text("UPDATE payments SET seq = id, tenant_id = :big"), {"big": big})
        count = conn.execute(text("SELECT count(*) FROM contracts WHERE tenant_id = :big"), {"big": big}).scalar_one()
        conn.execute(text("ANALYZE"))
    engine.dispose()
    return int(count)


def _run(url: str, tenant_id: int, fmt: str) -> dict[str, object]:
    res = subprocess.run([sys.executable, __file__, "--measure", json.dumps([url, tenant_id, fmt])],
                         capture_output=True, text=True, check=False)
    if res.returncode != 0:
        print(res.stderr, file=sys.stderr)
        sys.exit(res.returncode)
    return json.loads(res.stdout.strip().splitlines()[-1])


def _line(label: str, f: dict[str, object]) -> str:
    return (f"  {label}: {f['seconds']} s (CPU {f['cpu']} s) · {f['mb']} MB file · peak RSS {f['rss_peak']} MB "
            f"(before the export {f['rss_before']} MB)\n      {f['title']}")


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    ap.add_argument("--pg", help="a PostgreSQL URL (its public schema is dropped)")
    ap.add_argument("--contracts", type=int, default=100_000)
    ap.add_argument("--no-merged", action="store_true", help="skip exporting one team of all contracts")
    ap.add_argument("--db", help="a SQLite file to keep: built if missing, reused as it is if present")
    ap.add_argument("--merged-only", action="store_true", help="only export one team of all contracts")
    ap.add_argument("--measure", help=argparse.SUPPRESS)  # internal: JSON [url, tenant, fmt], run in a fresh process
    args = ap.parse_args()
    if args.measure:
        url, tenant_id, fmt = json.loads(args.measure)
        print(json.dumps(measure(url, tenant_id, fmt), ensure_ascii=False))
        return
    if args.db and Path(args.db).exists():
        url = f"sqlite:///{Path(args.db).resolve()}"
        teams = existing_teams(url)
    else:
        file = Path(args.db).resolve() if args.db else Path(tempfile.mkdtemp(prefix="bench-export-")) / "bench.db"
        url = args.pg or f"sqlite:///{file}"
        teams = build(url, args.contracts)
    merged = teams.get("teams") == 1  # a kept file already merged by an earlier run
    print(f"{'PostgreSQL' if args.pg else 'SQLite'} · goal: 100k contracts < 60 s, memory flat (a page at a time)")
    if not merged and not args.merged_only:
        print(_line(f"large team ({teams['big_size']:,} contracts), xlsx", _run(url, teams["big"], "xlsx")),
              flush=True)
        print(_line(f"large team ({teams['big_size']:,} contracts), csv", _run(url, teams["big"], "csv")), flush=True)
        print(_line(f"ordinary team ({teams['small_size']:,} contracts), xlsx", _run(url, teams["small"], "xlsx")),
              flush=True)
    if not args.no_merged:
        n = merge_into_one_team(url, teams["big"]) if not merged else teams["big_size"]
        print(_line(f"one team of all {n:,} contracts, xlsx", _run(url, teams["big"], "xlsx")), flush=True)
        print(_line(f"one team of all {n:,} contracts, csv", _run(url, teams["big"], "csv")), flush=True)


if __name__ == "__main__":
    main()
