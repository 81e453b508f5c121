"""The console front door, run as a user would: the `contractbot` command with piped input."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

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
