"""Import figures: a 10,000-contract / 50,000-milestone workbook, previewed and confirmed through the core.

    .venv/bin/python benchmarks/bench_import.py                      # SQLite in a temporary folder
    .venv/bin/python benchmarks/bench_import.py --pg postgresql+psycopg://postgres@127.0.0.1/bench
    .venv/bin/python benchmarks/bench_import.py --contracts 2000      # a quicker look

Goal: under 30 s and 500 MB for the whole import. Prints figures (wall and CPU seconds: the machine may be
shared); it is not a test. The confirmation uses the reading its preview kept in this process (see
handlers.usecases.imports._LAST_READING); set imports.KEEP_READING_S = -1 to time one that reads the file again.
The PostgreSQL run drops and recreates the public schema of the database it is given.
"""

from __future__ import annotations

import argparse
import io
import random
import resource
import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from openpyxl import Workbook
from sqlalchemy import text

import bot.registry  # noqa: F401  (registers the platforms' traits)
from bot.console.app import console_message
from handlers.core import Core
from handlers.messages import Attachment
from storage.db import make_engine, upgrade

NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
NAMES = ["首付款", "中期款", "交付验收", "尾款", "质保金"]
SHARES = [30, 30, None, 30, 10]


def workbook(contracts: int, seed: int = 3) -> bytes:
    """A ledger like the sample: a contracts sheet under a title row, a milestone sheet (回款计划)."""
    rnd = random.Random(seed)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("合同台账")
    ws.append(["2026年销售合同台账"])
    ws.append(["合同编号", "合同名称", "客户名称", "合同金额（万元）", "币种", "签订日期", "开始日期", "到期日", "负责人", "备注"])
    plan = wb.create_sheet("回款计划")
    plan.append(["合同编号", "节点名称", "比例", "计划日期", "负责人", "状态", "实收金额", "实收日期"])
    for i in range(contracts):
        number = f"HT-2026-{i:05d}"
        signed = date(2025, 6, 1) + timedelta(days=rnd.randrange(500))
        end = signed + timedelta(days=365)
        amount = rnd.randrange(10, 500)
        ws.append([number, f"项目 {i}", f"客户 {rnd.randrange(800)} 有限公司", amount, "", signed, signed, end,
                   f"员工{rnd.randrange(30)}", None])
        for k, (name, share) in enumerate(zip(NAMES, SHARES, strict=True)):
            due = signed + timedelta(days=60 * (k + 1))
            done = due < NOW.date() and rnd.random() < 0.7
            received = amount * 10000 * share / 100 if (done and share) else None
            plan.append([number, name, f"{share}%" if share else None, due, None, "已完成" if done else "未完成",
                         received, due if received else None])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pg")
    ap.add_argument("--contracts", type=int, default=10_000)
    args = ap.parse_args()
    t0 = time.perf_counter()
    data = workbook(args.contracts)
    print(f"workbook: {args.contracts:,} contracts, {args.contracts * len(NAMES):,} milestones, "
          f"{len(data) / 1e6:.1f} MB, written in {time.perf_counter() - t0:.1f} s")
    url = args.pg or f"sqlite:///{tempfile.mkdtemp(prefix='bench-import-')}/bench.db"
    engine = make_engine(url)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    upgrade(engine)
    core = Core(engine, clock=lambda: NOW, default_timezone="Asia/Shanghai")

    def say(line: str, files: tuple[Attachment, ...] = ()) -> str:
        msg = replace(console_message(line, user="alice", chat="bench", lang=None, tz=None), attachments=files)
        return "\n".join(r.title or "" for r in core.handle(msg))

    say("help")  # the team and its first member (an admin)
    from handlers.ledger.reader import read_ledger

    t0, c0 = time.perf_counter(), time.process_time()

    def took() -> str:
        # wall time, and this process's CPU time beside it (the machine may be shared: wall time is noisy)
        nonlocal t0, c0
        out = f"{time.perf_counter() - t0:.1f} s (CPU {time.process_time() - c0:.1f} s)"
        t0, c0 = time.perf_counter(), time.process_time()
        return out

    reading = read_ledger(data, "台账.xlsx")
    print(f"read: {len(reading.contracts):,} contracts, {len(reading.errors)} errors in {took()}")
    del reading
    took()
    preview = say("导入", (Attachment("台账.xlsx", data),))
    print(f"preview (read + compare, nothing written): {took()} · {preview.splitlines()[0]}")
    done = say("确认")
    print(f"confirm (read + write + plan reminders, one transaction): {took()} · {done.splitlines()[0]}")
    say("导入", (Attachment("台账.xlsx", data),))
    print(f"the same file again (nothing to change): {took()}")
    print(f"peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB "
          f"({'PostgreSQL' if args.pg else 'SQLite'}; goal: 30 s and 500 MB)")


if __name__ == "__main__":
    main()
