"""The console front door, run as a user would: the `contractbot` command with piped input."""

from __future__ import annotations

import io
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot import cli

SCRIPT = Path(sys.executable).parent / "contractbot"


def run(args: list[str], stdin: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(cwd)}
    return subprocess.run([str(SCRIPT), *args], input=stdin, capture_output=True, text=True, cwd=cwd, env=env,
                          timeout=120)


def test_console_keeps_a_ledger_on_a_sqlite_file(tmp_path: Path) -> None:
    script = "\n".join([
        'new HT-2026-001 "Acme annual license" Acme Corp 1,200,000 CNY ends 2027-12-31',
        "新建 HT-2026-002 华为云采购 华为 120万 到期 2027年12月31日",
        "节点 HT-2026-002 交付验收 2027-03-15 负责人 @李四",
        "查看 HT-2026-002",
        "bogus command",
    ]) + "\n"
    res = run(["console", "--user", "alice", "--chat", "sales"], script, tmp_path)
    assert res.returncode == 0, res.stderr
    assert "Contract HT-2026-001 created" in res.stdout
    assert "已创建合同 HT-2026-002" in res.stdout
    assert "2027-03-15 周一" in res.stdout and "@李四" in res.stdout
    assert "I don't know the command" in res.stdout
    assert (tmp_path / "contractbot.db").exists()
    # the data survives a restart
    res = run(["console", "--user", "alice", "--chat", "sales"], "list\n", tmp_path)
    assert "Contracts (2)" in res.stdout


def test_no_tokens_means_console(tmp_path: Path) -> None:
    res = run([], "help\n", tmp_path)
    assert res.returncode == 0, res.stderr
    assert "ContractBot commands" in res.stdout


def test_dispatch_prints_console_reminders(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'c.db'}"
    run(["console", "--db", db, "--user", "alice", "--chat", "ops"],
        "new HT-1 Acme Corp 100,000\nmilestone HT-1 first payment 30% due 2030-01-20 owner @alice\n", tmp_path)
    res = run(["dispatch", "--db", db, "--now", "2030-01-13T02:00", "--dry-run"], "", tmp_path)
    assert res.returncode == 0, res.stderr
    assert "HT-1" in res.stdout and "first payment" in res.stdout and "Sun 2030-01-20" in res.stdout
    assert "done HT-1 first payment" in res.stdout
    res = run(["dispatch", "--db", db, "--now", "2030-01-13T02:00"], "", tmp_path)
    assert "reminder for team ops" in res.stdout and "sent 1" in res.stderr
    res = run(["dispatch", "--db", db, "--now", "2030-01-13T02:05"], "", tmp_path)
    assert "sent 0" in res.stderr


# -- `console --now`: the console as of a fixed moment, driven in-process --------------------------------------


class _Terminal(io.StringIO):
    """Typed input that claims to be a terminal, as a person chatting would be."""

    def isatty(self) -> bool:
        return True


@pytest.fixture
def in_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run `bot.cli.main` here: no .env from the repo, no platform tokens or defaults from the environment."""
    monkeypatch.chdir(tmp_path)
    for name in ("DATABASE_URL", "DEFAULT_TIMEZONE", "DEFAULT_LANGUAGE", "DEFAULT_CURRENCY", "SLACK_BOT_TOKEN",
                 "TELEGRAM_BOT_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def console(args: list[str], typed: str, where: Path, monkeypatch: pytest.MonkeyPatch,
            capsys: pytest.CaptureFixture[str], stdin: io.StringIO | None = None) -> tuple[int, str]:
    monkeypatch.setattr(sys, "stdin", stdin or io.StringIO(typed))
    code = cli.main(["console", "--db", f"sqlite:///{where / 'c.db'}", "--user", "alice", "--chat", "ops", *args])
    return code, capsys.readouterr().out


def test_now_is_the_day_dates_are_read_against(in_process: Path, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    code, out = console(["--now", "2027-01-13T10:00", "--tz", "Asia/Shanghai"],
                        'new HT-1 "Title" Acme 100,000 CNY ends in 10 days\nlist\n', in_process, monkeypatch, capsys)
    assert code == 0
    assert "Contract HT-1 created" in out and "Ends: Sat 2027-01-23" in out
    assert "Contracts (1)" in out and "Ends Sat 2027-01-23" in out


def test_now_without_offset_is_read_in_the_console_zone(in_process: Path, monkeypatch: pytest.MonkeyPatch,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    # 01:00 on the 13th in Los Angeles is the 13th there; read as UTC it would be the 12th there (ends the 22nd)
    _, out = console(["--now", "2027-01-13T01:00", "--tz", "America/Los_Angeles"],
                     "new HT-1 Acme 100,000 CNY ends in 10 days\n", in_process, monkeypatch, capsys)
    assert "Ends: Sat 2027-01-23" in out
    # an explicit offset wins over --tz: 2027-01-13T01:00+00:00 is still the 12th in Los Angeles
    _, out = console(["--now", "2027-01-13T01:00+00:00", "--tz", "America/Los_Angeles"],
                     "new HT-2 Acme 100,000 CNY ends in 10 days\n", in_process, monkeypatch, capsys)
    assert "Ends: Fri 2027-01-22" in out


def test_now_without_tz_uses_the_deployment_zone(in_process: Path, monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("DEFAULT_TIMEZONE", "America/Los_Angeles")
    _, out = console(["--now", "2027-01-13T01:00"], "new HT-1 Acme 100,000 CNY ends in 10 days\n",
                     in_process, monkeypatch, capsys)
    assert "Ends: Sat 2027-01-23" in out


def test_parse_console_now() -> None:
    assert cli.parse_console_now("2027-01-13T10:00", "Asia/Shanghai") == datetime(2027, 1, 13, 2, 0, tzinfo=UTC)
    assert cli.parse_console_now("2027-01-13T10:00Z", "Asia/Shanghai") == datetime(2027, 1, 13, 10, 0, tzinfo=UTC)
    # a date alone is noon local
    assert cli.parse_console_now("2027-01-13", "Asia/Shanghai") == datetime(2027, 1, 13, 4, 0, tzinfo=UTC)
    for bad in ("2027-13-01", "tomorrow", ""):
        with pytest.raises(ValueError):
            cli.parse_console_now(bad, "Asia/Shanghai")
    with pytest.raises(ValueError):
        cli.parse_console_now("2027-01-13", "Nowhere/Special")


@pytest.mark.parametrize("args", [["--now", "2027-13-01"], ["--now", "next week"],
                                  ["--now", "2027-01-13T10:00", "--tz", "Nowhere/Special"]])
def test_unreadable_now_exits_2_with_one_line(args: list[str], in_process: Path, monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        console(args, "list\n", in_process, monkeypatch, capsys)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--now" in err
    assert not (in_process / "c.db").exists()  # refused before touching the database


def test_now_starts_no_background_reminders(in_process: Path, monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    from bot.console import background

    started: list[object] = []
    monkeypatch.setattr(background, "start_reminders", lambda *a, **kw: started.append(a))
    code, out = console(["--now", "2027-01-13"], "", in_process, monkeypatch, capsys,
                        stdin=_Terminal("new HT-1 Acme 100,000 CNY ends in 10 days\n"))
    assert code == 0 and "Ends: Sat 2027-01-23" in out
    assert started == []
    # without --now an interactive console does start them (the check above is not vacuous)
    console([], "", in_process, monkeypatch, capsys, stdin=_Terminal("list\n"))
    assert len(started) == 1
