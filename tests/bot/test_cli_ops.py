"""The command line as operators meet it: migrations as their own step, one-line start-up errors, exit codes."""

from __future__ import annotations

import json
import logging
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from bot import cli
from storage.db import check_schema, head_revision, make_engine, upgrade

SCRIPT = Path(sys.executable).parent / "contractbot"


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run `bot.cli.main` in a clean directory: no .env, no tokens, no log or migration settings."""
    monkeypatch.chdir(tmp_path)
    for name in ("DATABASE_URL", "SLACK_BOT_TOKEN", "TELEGRAM_BOT_TOKEN", "LOG_LEVEL", "LOG_FORMAT",
                 "CONTRACTBOT_NO_MIGRATE"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def behind_db(where: Path) -> str:
    """A database an older release migrated: at the first revision."""
    url = f"sqlite:///{where / 'old.db'}"
    engine = make_engine(url)
    upgrade(engine, "0001")
    engine.dispose()
    return url


def one_line(err: str) -> str:
    """The stderr line meant for people (JSON log lines aside); there must be exactly one."""
    lines = [line for line in err.splitlines() if not line.startswith("{")]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


def test_dispatch_without_migrating_refuses_a_database_that_is_behind(here: Path,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    db = behind_db(here)
    assert cli.main(["dispatch", "--no-migrate", "--db", db]) == cli.EXIT_BEHIND == 3
    line = one_line(capsys.readouterr().err)
    assert line == (f"contractbot: the database schema is at 0001, this version needs {head_revision()}: "
                    "run `contractbot migrate` first")
    # `migrate` is the step that upgrades it; then the cron job runs
    assert cli.main(["migrate", "--db", db]) == 0
    assert capsys.readouterr().out.startswith(f"schema upgraded from 0001 to {head_revision()}: sqlite:///")
    assert cli.main(["migrate", "--db", db]) == 0
    assert capsys.readouterr().out.startswith(f"schema up to date at {head_revision()}")
    assert cli.main(["dispatch", "--no-migrate", "--db", db]) == 0
    assert "sent 0" in capsys.readouterr().err


def test_the_environment_can_switch_migrating_off(here: Path, monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    db = behind_db(here)
    monkeypatch.setenv("CONTRACTBOT_NO_MIGRATE", "1")
    assert cli.main(["run", "--db", db]) == 3
    assert "run `contractbot migrate` first" in one_line(capsys.readouterr().err)
    monkeypatch.setenv("CONTRACTBOT_NO_MIGRATE", "")  # as .env.example has it: migrate
    assert cli.main(["dispatch", "--db", db]) == 0
    check_schema(make_engine(db))


def test_an_empty_database_is_behind_too(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["run", "--no-migrate", "--db", f"sqlite:///{here / 'new.db'}"]) == 3
    assert "is at nothing (empty database)" in one_line(capsys.readouterr().err)


def test_postgresql_without_psycopg_says_which_extra_to_install(here: Path, monkeypatch: pytest.MonkeyPatch,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)  # `import psycopg` now fails, as when it is not installed
    assert cli.main(["dispatch", "--db", "postgresql://bot:secret@db.example/contracts"]) == 2
    line = one_line(capsys.readouterr().err)
    assert line.startswith("contractbot: PostgreSQL needs the psycopg driver")
    assert line.endswith("install the postgres extra: pip install 'contractbot[postgres]'")
    assert "secret" not in line


def test_an_unreachable_database_is_one_line(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["migrate", "--db", f"sqlite:///{here / 'no' / 'such' / 'dir.db'}"]) == 1
    line = one_line(capsys.readouterr().err)
    assert line.startswith("contractbot: database sqlite:///") and "unable to open database file" in line


def test_bad_settings_are_one_line_and_exit_2(here: Path, monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("DISPATCH_INTERVAL_SECONDS", "often")
    assert cli.main(["migrate", "--db", f"sqlite:///{here / 'c.db'}"]) == 2
    assert one_line(capsys.readouterr().err).startswith("contractbot: invalid settings: DISPATCH_INTERVAL_SECONDS: ")
    monkeypatch.delenv("DISPATCH_INTERVAL_SECONDS")
    monkeypatch.setenv("LOG_LEVEL", "loud")
    assert cli.main(["migrate", "--db", f"sqlite:///{here / 'c.db'}"]) == 2
    assert "LOG_LEVEL='loud'" in one_line(capsys.readouterr().err)


def test_the_error_boundary(here: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    def unreachable() -> int:
        try:
            raise ConnectionRefusedError(111, "Connection refused")
        except OSError as exc:
            raise TimeoutError() from exc  # an empty message: the cause says more

    assert cli.guarded(unreachable) == 1
    assert one_line(capsys.readouterr().err) == ("contractbot: TimeoutError: [Errno 111] Connection refused "
                                                 "(LOG_LEVEL=DEBUG shows the traceback)")
    # with LOG_LEVEL=DEBUG the traceback is logged before the line
    monkeypatch.setenv("LOG_LEVEL", "DEBUG")
    with cli.logs.configured("run"):
        assert cli.guarded(unreachable) == 1
    err = capsys.readouterr().err
    [logged] = [json.loads(line) for line in err.splitlines() if line.startswith("{")]
    assert logged["level"] == "debug" and "ConnectionRefusedError" in logged["exc"]
    assert err.splitlines()[-1] == "contractbot: TimeoutError: [Errno 111] Connection refused"
    assert not any(hasattr(h, "_contractbot") for h in logging.getLogger().handlers)


def test_a_token_in_an_error_is_not_repeated(capsys: pytest.CaptureFixture[str]) -> None:
    from telegram.error import InvalidToken

    def refused() -> int:
        raise InvalidToken("The token `123456:SECRET` was rejected by the server.")

    assert cli.guarded(refused, secrets=["123456:SECRET"]) == 1
    line = one_line(capsys.readouterr().err)
    assert line.startswith("contractbot: telegram: The token `***` was rejected by the server.")


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])  # closed again when this returns: nothing listens there


def test_run_with_telegram_unreachable_exits_with_one_line(tmp_path: Path) -> None:
    env = {
        "PATH": "/usr/bin:/bin", "HOME": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'run.db'}", "PORT": "0",
        "TELEGRAM_BOT_TOKEN": "123456:TEST", "TELEGRAM_API_URL": f"http://127.0.0.1:{closed_port()}/bot",
    }
    res = subprocess.run([str(SCRIPT), "run"], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert res.returncode == 1, res.stderr
    line = one_line(res.stderr)
    assert line.startswith("contractbot: telegram: ") and line.endswith("(LOG_LEVEL=DEBUG shows the traceback)")
    assert "123456:TEST" not in res.stderr  # the token is in the Bot API's URLs: never in the logs
