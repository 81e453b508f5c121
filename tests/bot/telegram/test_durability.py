"""Nothing acknowledged is lost: `contractbot run` in a subprocess against the fake Bot API, on a SQLite file,
killed with SIGKILL after it acknowledged updates (webhook: HTTP 200; polling: fetched and stored), restarted,
and every update is applied exactly once. SIGTERM drains within 10 s; replies held by flood limits stay stored
and go out after the restart."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from storage.db import make_engine
from storage.models import AuditEvent, Contract, InboxItem, OutboxMessage
from tests.bot.telegram.conftest import GROUP, GROUP_ID, message_update
from tests.bot.test_run import free_port, wait_port
from tests.fakes.telegram_api import FakeTelegram

SCRIPT = Path(sys.executable).parent / "contractbot"
SECRET = "kill-9_secret"
N = 10


def new_contract(i: int) -> dict[str, Any]:
    return message_update(f'/contract new HT-{i:03d} "Deal {i}" Acme 1000 CNY', chat=GROUP)


class BotProcess:
    """`contractbot run` as a user starts it, restartable, its output in files (a full pipe would block it)."""

    def __init__(self, tmp_path: Path, fake: FakeTelegram, **env: str) -> None:
        self.tmp_path = tmp_path
        self.port = free_port()
        self.url = f"sqlite:///{tmp_path / 'bot.db'}"
        self.env = {
            "PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "DATABASE_URL": self.url, "LOG_LEVEL": "INFO",
            "TELEGRAM_BOT_TOKEN": fake.token, "TELEGRAM_API_URL": fake.base_url,
            "PORT": str(self.port), "CONTRACTBOT_HTTP_HOST": "127.0.0.1",
            "TELEGRAM_GROUP_PER_MINUTE": "100000", "TELEGRAM_CHAT_PER_SECOND": "1000", **env,
        }
        self.proc: subprocess.Popen[bytes] | None = None
        self.runs = 0

    def start(self, **env: str) -> None:
        self.runs += 1
        out = (self.tmp_path / f"run{self.runs}.out").open("wb")
        err = (self.tmp_path / f"run{self.runs}.err").open("wb")
        self.proc = subprocess.Popen([str(SCRIPT), "run"], env={**self.env, **env}, cwd=self.tmp_path,
                                     stdout=out, stderr=err)
        wait_port(self.port, self.proc)  # type: ignore[arg-type]

    def kill(self) -> None:
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGKILL)
        assert self.proc.wait(10) == -signal.SIGKILL
        self.proc = None

    def terminate(self) -> tuple[float, int]:
        """SIGTERM; seconds until the process was gone, and its exit code."""
        assert self.proc is not None
        started = time.monotonic()
        self.proc.send_signal(signal.SIGTERM)
        code = self.proc.wait(30)
        self.proc = None
        return time.monotonic() - started, code

    def stderr(self) -> str:
        return (self.tmp_path / f"run{self.runs}.err").read_text(encoding="utf-8", errors="replace")

    def post(self, update: dict[str, Any]) -> int:
        """What Telegram does with an update in webhook mode: POST it with the secret header."""
        req = urllib.request.Request(
            f"http://127.0.0.1:{self.port}/telegram/webhook", data=json.dumps(update).encode(), method="POST",
            headers={"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": SECRET})
        try:
            with urllib.request.urlopen(req, timeout=10) as resp:
                return int(resp.status)
        except urllib.error.HTTPError as exc:
            return int(exc.code)

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait(10)


@pytest.fixture
def fake() -> Iterator[FakeTelegram]:
    server = FakeTelegram().start()
    yield server
    server.stop()


@pytest.fixture
def processes() -> Iterator[list[BotProcess]]:
    started: list[BotProcess] = []
    yield started
    for p in started:
        p.stop()


class Db:
    """The bot's SQLite file, read from the test while the bot writes it (WAL)."""

    def __init__(self, url: str) -> None:
        self.engine: Engine = make_engine(url)

    def contracts(self) -> list[str]:
        with self.engine.connect() as conn:
            return sorted(conn.execute(select(Contract.__table__.c.number)).scalars())  # type: ignore[attr-defined]

    def created(self) -> int:
        t = AuditEvent.__table__  # type: ignore[attr-defined]
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(t).where(t.c.action == "contract.created"))
                       .scalar_one())

    def statuses(self, model: type[InboxItem] | type[OutboxMessage]) -> list[str]:
        t = model.__table__  # type: ignore[attr-defined]
        with self.engine.connect() as conn:
            return list(conn.execute(select(t.c.status).order_by(t.c.id)).scalars())

    def inbox_keys(self) -> list[str]:
        t = InboxItem.__table__  # type: ignore[attr-defined]
        with self.engine.connect() as conn:
            return list(conn.execute(select(t.c.update_key).order_by(t.c.id)).scalars())


def wait_until(check: Callable[[], bool], timeout: float = 30.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except Exception:  # the file is being created or migrated
            pass
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what or check}")


def replies_for(fake: FakeTelegram, numbers: list[str]) -> dict[str, int]:
    """How many "Contract … created" messages the group got for each contract number."""
    texts = [p["text"] for p in fake.sent(GROUP_ID)]
    return {n: sum(f"Contract {n} created" in t for t in texts) for n in numbers}


def test_webhook_updates_acknowledged_before_a_kill_are_applied_exactly_once(
    tmp_path: Path, fake: FakeTelegram, processes: list[BotProcess]
) -> None:
    bot = BotProcess(tmp_path, fake, TELEGRAM_WEBHOOK_URL="https://bot.example.com",
                     TELEGRAM_WEBHOOK_SECRET=SECRET)
    processes.append(bot)
    db = Db(bot.url)
    first = [{**new_contract(i), "update_id": fake.next_update_id()} for i in range(N)]
    second = [{**new_contract(N + i), "update_id": fake.next_update_id()} for i in range(N)]
    numbers = [f"HT-{i:03d}" for i in range(2 * N)]

    # 1. a process that only stores what it acknowledges: every 200 means "in the inbox"; then SIGKILL
    bot.start(INBOX_CONCURRENCY="0")
    assert [bot.post(u) for u in first] == [200] * N
    bot.kill()
    assert db.statuses(InboxItem) == ["pending"] * N and db.contracts() == []

    # 2. restarted with workers: the stored updates are applied; Telegram also retries a few it sent before
    bot.start()
    assert [bot.post(u) for u in first[:3]] == [200] * 3
    wait_until(lambda: db.contracts() == numbers[:N] and set(db.statuses(OutboxMessage)) == {"sent"}
               and len(db.statuses(OutboxMessage)) == N, what="the first batch applied and answered")
    assert replies_for(fake, numbers[:N]) == dict.fromkeys(numbers[:N], 1)

    # 3. a second batch, killed while it is being applied
    assert [bot.post(u) for u in second] == [200] * N
    bot.kill()
    bot.start()
    wait_until(lambda: db.contracts() == numbers and set(db.statuses(InboxItem)) == {"applied"},
               what="everything acknowledged applied after the second kill")
    time.sleep(0.5)  # nothing more happens
    assert db.contracts() == numbers  # each once: a second application would have failed on the number
    assert db.created() == 2 * N
    assert sorted(db.inbox_keys()) == sorted(str(u["update_id"]) for u in first + second)
    elapsed, code = bot.terminate()
    assert code == 0 and "Traceback" not in bot.stderr()


def test_polled_updates_stored_before_a_kill_are_applied_exactly_once(
    tmp_path: Path, fake: FakeTelegram, processes: list[BotProcess]
) -> None:
    bot = BotProcess(tmp_path, fake)
    processes.append(bot)
    db = Db(bot.url)
    numbers = [f"HT-{i:03d}" for i in range(2 * N)]
    for i in range(N):
        fake.push_update(new_contract(i))

    # 1. fetched by getUpdates and stored, nothing applied (no workers); then SIGKILL
    bot.start(INBOX_CONCURRENCY="0")
    wait_until(lambda: len(db.statuses(InboxItem)) == N, what="the batch stored")
    bot.kill()
    assert db.statuses(InboxItem) == ["pending"] * N and db.contracts() == []

    # 2. restarted: what was stored is applied once, even if Telegram hands the batch over again (not confirmed)
    bot.start()
    wait_until(lambda: db.contracts() == numbers[:N] and len(db.statuses(OutboxMessage)) == N
               and set(db.statuses(OutboxMessage)) == {"sent"}, what="the first batch applied and answered")
    assert replies_for(fake, numbers[:N]) == dict.fromkeys(numbers[:N], 1)

    # 3. a second batch, killed as soon as it is stored (while it is being applied)
    for i in range(N, 2 * N):
        fake.push_update(new_contract(i))
    wait_until(lambda: len(db.statuses(InboxItem)) == 2 * N, what="the second batch stored")
    bot.kill()
    bot.start()
    wait_until(lambda: db.contracts() == numbers and set(db.statuses(InboxItem)) == {"applied"},
               what="everything fetched applied after the second kill")
    time.sleep(0.5)
    assert db.contracts() == numbers and db.created() == 2 * N
    assert len(db.inbox_keys()) == len(set(db.inbox_keys())) == 2 * N
    assert fake.pending_updates() == []  # all confirmed in the end
    elapsed, code = bot.terminate()
    assert code == 0 and "Traceback" not in bot.stderr()


def test_sigterm_drains_within_10_seconds_and_replies_held_by_flood_limits_are_sent_after_restart(
    tmp_path: Path, fake: FakeTelegram, processes: list[BotProcess]
) -> None:
    bot = BotProcess(tmp_path, fake)
    processes.append(bot)
    db = Db(bot.url)
    numbers = [f"HT-{i:03d}" for i in range(N)]
    for i in range(N):
        fake.push_update(new_contract(i))

    # the group takes 3 messages, then one every 20 s: 7 replies wait in the outbox
    bot.start(TELEGRAM_GROUP_PER_MINUTE="3", TELEGRAM_CHAT_PER_SECOND="100")
    wait_until(lambda: db.contracts() == numbers and db.statuses(OutboxMessage).count("pending") == N - 3
               and len(fake.sent(GROUP_ID)) == 3, what="the updates applied, 3 replies sent, 7 waiting")
    elapsed, code = bot.terminate()
    assert code == 0 and elapsed < 10, (elapsed, bot.stderr())
    assert "Traceback" not in bot.stderr()
    assert db.statuses(OutboxMessage) == ["sent"] * 3 + ["pending"] * (N - 3)  # durable, not lost
    assert set(db.statuses(InboxItem)) == {"applied"}
    assert len(fake.sent(GROUP_ID)) == 3

    bot.start()  # looser limits now: what waited goes out, once each, in order
    wait_until(lambda: len(fake.sent(GROUP_ID)) >= N and set(db.statuses(OutboxMessage)) == {"sent"},
               what="the waiting replies sent after the restart")
    time.sleep(0.5)
    assert replies_for(fake, numbers) == dict.fromkeys(numbers, 1)
    order = [next(n for n in numbers if f"Contract {n} created" in p["text"]) for p in fake.sent(GROUP_ID)]
    assert order == numbers
    bot.terminate()
