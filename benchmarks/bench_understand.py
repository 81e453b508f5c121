"""Benchmark reading one typed line (interpret) against dateparser alone on the public command phrases.

Run from the repo root: .venv/bin/python benchmarks/bench_understand.py [--repeat N] [--no-e2e]

The team state is the set's preamble, typed through Core.handle into a SQLite file in a temporary directory, with
the clock stopped at 2027-01-13 02:00 UTC (10:00 Asia/Shanghai) as tests/handlers/test_commands_public.py does.
The reader is then timed alone: one transaction and one Ctx per sender (Core.context, as Core._run_once opens
them), ``interpret(ctx, phrase)`` called --repeat times per phrase, refusals (UserError) included, and the
transaction rolled back at the end. dateparser's ``search_dates`` gets the same lines and the same reference now.
Both are warmed up first. Figures are per call, over every call (median, p99, max) and per phrase (the slowest
phrase's median). With e2e on, each phrase is also typed once through Core.handle on a fresh copy of the state.
The issue's goal: p99 under 5 ms to read one line.
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dateparser.search import search_dates
from sqlmodel import Session

import bot.registry  # noqa: F401  (registers the platforms' traits)
from bot.console.app import console_message
from handlers.core import Core
from handlers.dates import warm_up
from handlers.errors import UserError
from handlers.interpret import interpret
from handlers.understand import reply_language
from storage.db import make_engine, upgrade

TZ = "Asia/Shanghai"
NOW = datetime(2027, 1, 13, 2, 0, tzinfo=UTC)  # 2027-01-13 10:00 in Shanghai
RELATIVE_BASE = datetime(2027, 1, 13, 10, 0)
GOAL_MS = 5.0
TEAM = "bench"


def load() -> tuple[Path, list[tuple[str, str]], list[tuple[str, str, str]]]:
    """(source, preamble (user, line), rows (lang, phrase, means)), exactly as the public-set test reads them."""
    from tests.handlers.test_commands_public import PREAMBLE, ROWS, SOURCE

    return SOURCE, PREAMBLE, ROWS


def user_of(lang: str) -> str:
    return "amy" if lang == "en" else "李雷"


def make_core(url: str) -> Core:
    return Core(make_engine(url), clock=lambda: NOW, default_timezone=TZ)


def set_up(path: Path, preamble: list[tuple[str, str]]) -> None:
    """A migrated SQLite file holding the preamble's team."""
    core = make_core(f"sqlite:///{path}")
    upgrade(core.engine)
    for user, line in preamble:
        replies = core.handle(console_message(line, user=user, chat=TEAM, lang=None, tz=None))
        if any(r.error for r in replies):
            raise SystemExit(f"preamble line failed: {line!r}: {replies[0].title}")
    core.engine.dispose()


def copy_db(src: Path, dst: Path) -> None:
    """A consistent copy of a SQLite file (WAL included), via the backup API."""
    with sqlite3.connect(src) as a, sqlite3.connect(dst) as b:
        a.backup(b)
    a.close()
    b.close()


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100)."""
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, int(round(p / 100 * len(ordered) + 0.5)) - 1))
    return ordered[k]


def fmt(seconds: float) -> str:
    us = seconds * 1e6
    return f"{us:8.0f} µs" if us < 1000 else f"{us / 1000:8.2f} ms"


def outcome(fn: Callable[[], object]) -> str:
    try:
        reading = fn()
    except UserError:
        return "refused"
    if getattr(reading, "ask", None) is not None:
        return "asks"
    return "read"


def time_calls(fn: Callable[[], object], repeat: int) -> list[float]:
    """Seconds per call, one figure per call."""
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        try:
            fn()
        except UserError:
            pass
        out.append(time.perf_counter() - start)
    return out


def main() -> None:
    """Print per-call median/p99 for interpret and dateparser alone, and optionally Core.handle end to end."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=50, help="calls per phrase (default 50)")
    ap.add_argument("--no-e2e", action="store_true", help="skip the end-to-end Core.handle pass")
    args = ap.parse_args()
    source, preamble, rows = load()
    warm_up()

    with tempfile.TemporaryDirectory(prefix="bench_understand_") as tmp:
        template = Path(tmp) / "template.db"
        set_up(template, preamble)
        work = Path(tmp) / "work.db"
        copy_db(template, work)
        core = make_core(f"sqlite:///{work}")

        # the reader alone: one transaction, one Ctx per sender, rolled back at the end
        session = Session(core.engine.execution_options(sqlite_immediate=True), expire_on_commit=False)
        session.begin()
        try:
            ctxs = {}
            for lang in ("en", "zh"):
                msg = console_message("", user=user_of(lang), chat=TEAM, lang=None, tz=None)
                ctxs[lang] = core.context(session, msg, NOW)
            base_lang = {lang: ctx.lang for lang, ctx in ctxs.items()}

            def reader(lang: str, phrase: str) -> Callable[[], object]:
                ctx = ctxs[lang]

                def call() -> object:
                    ctx.lang = reply_language(phrase, "") or base_lang[lang]  # as Core._run_once sets it
                    return interpret(ctx, phrase)

                return call

            def parser(phrase: str) -> Callable[[], object]:
                return lambda: search_dates(phrase, languages=["en", "zh"],
                                            settings={"RELATIVE_BASE": RELATIVE_BASE})

            contenders = {"interpret": [reader(lang, phrase) for lang, phrase, _ in rows],
                          "dateparser search_dates": [parser(phrase) for _, phrase, _ in rows]}
            outcomes: dict[str, int] = {}
            for fn in contenders["interpret"]:  # warm both: first calls fill caches and load language data
                kind = outcome(fn)
                outcomes[kind] = outcomes.get(kind, 0) + 1
                time_calls(fn, 2)
            for fn in contenders["dateparser search_dates"]:
                fn()

            calls: dict[str, list[float]] = {name: [] for name in contenders}
            per_phrase: dict[str, list[float]] = {name: [] for name in contenders}
            for i in range(len(rows)):  # interleaved, so both see the same machine state
                for name, fns in contenders.items():
                    got = time_calls(fns[i], args.repeat)
                    calls[name].extend(got)
                    per_phrase[name].append(statistics.median(got))
        finally:
            session.rollback()
            session.close()

        e2e: list[float] = []
        if not args.no_e2e:
            for n, (lang, phrase, _) in enumerate(rows):
                fresh = Path(tmp) / f"e2e-{n}.db"
                copy_db(template, fresh)
                c = make_core(f"sqlite:///{fresh}")
                c.handle(console_message("list", user=user_of(lang), chat=TEAM, lang=None, tz=None))  # connect
                msg = console_message(phrase, user=user_of(lang), chat=TEAM, lang=None, tz=None)
                start = time.perf_counter()
                c.handle(msg)
                e2e.append(time.perf_counter() - start)
                c.engine.dispose()
        core.engine.dispose()

    print(f"{len(rows)} public phrases ({source.resolve()}), "
          f"now = 2027-01-13T10:00 {TZ}, {args.repeat} calls per phrase")
    print("interpret outcomes: " + ", ".join(f"{k} {v}" for k, v in sorted(outcomes.items())))
    print(f"{'one line':<26}{'median':>12}{'p99':>12}{'max':>12}{'slowest phrase':>16}")
    for name in contenders:
        c = calls[name]
        print(f"{name:<26}{fmt(statistics.median(c))}{fmt(percentile(c, 99))}{fmt(max(c))}"
              f"{fmt(max(per_phrase[name])):>16}")
    if e2e:
        print(f"{'Core.handle (1 per phrase)':<26}{fmt(statistics.median(e2e))}{fmt(percentile(e2e, 99))}"
              f"{fmt(max(e2e))}{'':>16}")
    slow = sorted(range(len(rows)), key=lambda i: per_phrase["interpret"][i], reverse=True)[:3]
    print("slowest lines for interpret: " + "; ".join(
        f"{rows[i][1][:40]!r} {per_phrase['interpret'][i] * 1e3:.2f} ms" for i in slow))
    p99 = percentile(calls["interpret"], 99) * 1e3
    verdict = "met" if p99 < GOAL_MS else "NOT met"
    print(f"goal p99 < {GOAL_MS:.0f} ms to read one line: {verdict} (interpret p99 {p99:.2f} ms)")


if __name__ == "__main__":
    main()
