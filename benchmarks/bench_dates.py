"""Benchmark parse_date against dateparser alone on the public date phrases.

Run from the repo root: .venv/bin/python benchmarks/bench_dates.py [--repeat N]

Both parsers get the same reference now (the set's 2027-01-13 10:00 Asia/Shanghai), dateparser
with the settings handlers.dates uses for its fallback (languages en+zh, PREFER_DATES_FROM future,
naive RELATIVE_BASE in the user's zone). Both are warmed up first; each phrase is timed as the mean
of --repeat calls, and the median over phrases is reported, with how many rows each gets right.
A second table times the families of issue #17 (festivals, lunar dates, ordinal and counted weekdays,
offsets from another day, traditional/Cantonese, spelled-out and numeric forms) the same way.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dateparser.date import DateDataParser

from handlers import dates
from handlers.dates import fallback

TZ = "Asia/Shanghai"
NOW = datetime(2027, 1, 13, 10, 0, tzinfo=ZoneInfo(TZ))
SHARED = ROOT.parent / "shared/data/dates_public.tsv"
FIXTURE = ROOT / "tests/fixtures/dates_public.tsv"


# One or two phrases of each family of issue #17, for timing only (their answers are in the tests).
FAMILIES = [
    "春节", "春节前付款", "节后上线", "中秋", "元宵", "农历十月初一", "腊月二十三", "明年春节", "Christmas", "Thanksgiving",
    "before Chinese New Year", "十月第一个星期一", "本月最后一个工作日", "the first Friday of next month",
    "last Friday of October", "last business day of the quarter", "friday after next", "3 fridays from now",
    "two days after tomorrow", "16 days from 2018-01-02", "元旦后三天", "下周一之后两天", "this coming Thursday",
    "past Wednesday", "後日", "今個星期三", "下個月廿號", "禮拜三", "march first", "the twenty-second",
    "May twenty-first", "两千零二十七年三月五号", "21/04/2027", "22/04", "2 / 15", "20270315", "2027 03 15", "05/05/89",
    "this friday 5/12", "monday 21", "验收后30天",
]


def load_rows() -> list[tuple[str, str]]:
    """Read (phrase, expected) rows from the shared set, or the test fixture copy."""
    path = SHARED if SHARED.exists() else FIXTURE
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            phrase, expected = line.split("\t")
            rows.append((phrase, expected.strip()))
    return rows


def is_right(got: date | None, expected: str) -> bool:
    """Judge an answer the way the tests do ('|' alternatives, NONE = must be None)."""
    if expected == "NONE":
        return got is None
    return got is not None and got.isoformat() in expected.split("|")


def ours(phrase: str) -> date | None:
    return dates.parse_date(phrase, now=NOW, tz=TZ)


_DP = DateDataParser(languages=["en", "zh"], settings={
    "PREFER_DATES_FROM": "future",
    "RELATIVE_BASE": NOW.replace(tzinfo=None),
    "RETURN_AS_TIMEZONE_AWARE": False,
})


def dateparser_alone(phrase: str) -> date | None:
    data = _DP.get_date_data(phrase)
    return data.date_obj.date() if data.date_obj else None


def time_per_phrase(fn: Callable[[str], date | None], phrase: str, repeat: int) -> float:
    """Return the mean seconds per call over repeat calls."""
    start = time.perf_counter()
    for _ in range(repeat):
        fn(phrase)
    return (time.perf_counter() - start) / repeat


def count_fallbacks(rows: list[tuple[str, str]]) -> int:
    """Count phrases our deterministic layer left to dateparser."""
    calls = 0
    original = fallback.read

    def counting(*args: object) -> date | None:
        nonlocal calls
        calls += 1
        return original(*args)  # type: ignore[arg-type]

    fallback.read = counting  # type: ignore[assignment]
    try:
        for phrase, _ in rows:
            ours(phrase)
    finally:
        fallback.read = original  # type: ignore[assignment]
    return calls


def main() -> None:
    """Print median time per phrase and rows right, for parse_date and dateparser alone."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=50, help="calls per phrase (default 50)")
    args = ap.parse_args()
    rows = load_rows()

    dates.warm_up()
    for phrase, _ in rows:  # warm both: first calls load language data and fill caches
        ours(phrase)
        dateparser_alone(phrase)

    contenders: list[tuple[str, Callable[[str], date | None]]] = [
        ("parse_date", ours), ("dateparser alone", dateparser_alone)]
    times = time_all(contenders, [phrase for phrase, _ in rows], args.repeat)

    print(f"{len(rows)} public phrases, now = {NOW.isoformat()} {TZ}, {args.repeat} calls per phrase")
    print(f"{'parser':<18}{'median/phrase':>15}{'mean/phrase':>14}{'right':>10}")
    for name, fn in contenders:
        right = sum(is_right(fn(phrase), expected) for phrase, expected in rows)
        med, mean = statistics.median(times[name]) * 1e6, statistics.mean(times[name]) * 1e6
        print(f"{name:<18}{med:>12.1f} µs{mean:>11.1f} µs{right:>6}/{len(rows)}")
    ratio = statistics.median(times["dateparser alone"]) / statistics.median(times["parse_date"])
    print(f"parse_date median is {ratio:.1f}x faster; "
          f"{count_fallbacks(rows)} of {len(rows)} phrases reached the dateparser fallback")

    for phrase in FAMILIES:
        ours(phrase)
        dateparser_alone(phrase)
    fam = time_all(contenders, FAMILIES, args.repeat)
    print(f"\n{len(FAMILIES)} phrases of the issue #17 families (festivals, lunar, ordinal/counted weekdays, ...)")
    print(f"{'parser':<18}{'median/phrase':>15}{'mean/phrase':>14}{'read':>10}")
    for name, fn in contenders:
        read = sum(fn(phrase) is not None for phrase in FAMILIES)
        med, mean = statistics.median(fam[name]) * 1e6, statistics.mean(fam[name]) * 1e6
        print(f"{name:<18}{med:>12.1f} µs{mean:>11.1f} µs{read:>6}/{len(FAMILIES)}")
    ratio = statistics.median(fam["dateparser alone"]) / statistics.median(fam["parse_date"])
    print(f"parse_date median is {ratio:.1f}x faster on the families; "
          f"{count_fallbacks([(p, '') for p in FAMILIES])} of {len(FAMILIES)} reached the dateparser fallback")


def time_all(contenders: list[tuple[str, Callable[[str], date | None]]], phrases: list[str],
             repeat: int) -> dict[str, list[float]]:
    """Time every contender on every phrase, interleaved so both see the same machine state."""
    times: dict[str, list[float]] = {name: [] for name, _ in contenders}
    for phrase in phrases:
        for name, fn in contenders:
            times[name].append(time_per_phrase(fn, phrase, repeat))
    return times


if __name__ == "__main__":
    main()
