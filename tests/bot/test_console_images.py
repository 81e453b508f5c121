"""Charts in the console: the text as before, each PNG saved in the reports folder, its path on a line after."""

from __future__ import annotations

import io
import logging
import sys
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from bot import cli
from bot.config import Settings
from bot.console.app import run_console
from bot.console.files import safe_name
from bot.console.notifier import ConsoleNotifier
from handlers.core import Core
from handlers.replies import Reply
from scheduler.notify import Outgoing, Target
from tests.bot.charts import PNG, PNG_SIGNATURE, attach_charts, chart, tiny_png
from tests.conftest import Clock

ROOT = Path(__file__).resolve().parents[2]
NEW = 'new HT-2026-001 "Acme annual license" Acme Corp 1,200,000 CNY ends 2027-12-31'


@pytest.fixture
def core(engine: Engine, clock: Clock) -> Core:
    return Core(engine, clock=clock)


def chat(core: Core, typed: str, reports: Path, *, lang: str | None = None) -> str:
    out = io.StringIO()
    assert run_console(core, user="alice", chat="ops", lang=lang, stdin=io.StringIO(typed), stdout=out,
                       reports_dir=reports) == 0
    return out.getvalue()


def test_typed_command_saves_the_chart_and_prints_its_path(core: Core, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    reports = tmp_path / "reports"  # does not exist yet
    attach_charts(monkeypatch, core)
    out = chat(core, NEW + "\n", reports)
    saved = reports / "money-2027-01.png"
    assert saved.read_bytes() == PNG
    text, _, rest = out.partition(f"Chart: {saved}")
    assert "Contract HT-2026-001 created" in text  # the text first, then the path on its own line
    assert text.endswith("\n") and rest == "\n\n"


def test_a_second_chart_of_the_same_name_does_not_overwrite_the_first(core: Core, tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    first, second = tiny_png((255, 0, 0)), tiny_png((0, 0, 255))
    reports = tmp_path / "reports"
    attach_charts(monkeypatch, core, chart(data=first))
    chat(core, "list\n", reports)
    attach_charts(monkeypatch, core, chart(data=second), chart(data=second))  # again, twice in one reply
    out = chat(core, "list\n", reports)
    assert (reports / "money-2027-01.png").read_bytes() == first  # untouched
    assert (reports / "money-2027-01-1.png").read_bytes() == second
    assert (reports / "money-2027-01-2.png").read_bytes() == second
    assert f"Chart: {reports / 'money-2027-01-1.png'}\nChart: {reports / 'money-2027-01-2.png'}" in out


def test_chinese_reply_labels_the_path_in_chinese(core: Core, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    attach_charts(monkeypatch, core, chart("ageing.png", "应收账龄"))
    out = chat(core, "新建 HT-2026-002 华为云采购 华为 120万 到期 2027年12月31日\n", tmp_path / "r")
    assert "已创建合同 HT-2026-002" in out
    assert f"图表：{tmp_path / 'r' / 'ageing.png'}" in out and "Chart:" not in out


def test_reply_without_pictures_writes_no_folder(core: Core, tmp_path: Path) -> None:
    out = chat(core, NEW + "\n", tmp_path / "reports")
    assert "Contract HT-2026-001 created" in out and "Chart" not in out
    assert not (tmp_path / "reports").exists()


def test_unwritable_folder_still_prints_the_text(core: Core, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                 caplog: pytest.LogCaptureFixture) -> None:
    blocked = tmp_path / "reports"
    blocked.write_text("a file where the folder should be")
    attach_charts(monkeypatch, core)
    with caplog.at_level(logging.WARNING, logger="bot.console"):
        out = chat(core, NEW + "\n", blocked)
    assert "Contract HT-2026-001 created" in out and "Chart:" not in out
    assert any("could not save chart money-2027-01.png" in r.getMessage() for r in caplog.records)


def test_file_names_from_the_core_stay_inside_the_folder(core: Core, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    assert safe_name("../../etc/passwd") == "passwd.png"
    assert safe_name("timeline-HT/2026 <1>.png") == "2026-1.png"
    assert safe_name("timeline-合同一.png") == "timeline-合同一.png"
    assert safe_name("..") == "chart.png"
    attach_charts(monkeypatch, core, chart("../escape.png"))
    chat(core, "list\n", tmp_path / "reports")
    assert (tmp_path / "reports" / "escape.png").read_bytes() == PNG
    assert not (tmp_path / "escape.png").exists()


# -- digests and reminders printed by the console notifier ------------------------------------------------------


def digest(lang: str = "en") -> Outgoing:
    reply = Reply(title="Weekly digest: 3 milestones due", lines=[("HT-1 first payment · Fri 2026-12-04",)],
                  images=[chart()], lang=lang)
    return Outgoing(Target("console", "ops", chat_id="ops"), reply)


def test_console_notifier_prints_the_digest_and_saves_its_chart(tmp_path: Path) -> None:
    stream = io.StringIO()
    notifier = ConsoleNotifier(stream, reports_dir=tmp_path / "reports")
    assert notifier.send(digest()) == "console:1"
    assert notifier.send(digest("zh")) == "console:2"
    first, second = tmp_path / "reports" / "money-2027-01.png", tmp_path / "reports" / "money-2027-01-1.png"
    assert first.read_bytes() == PNG and second.read_bytes().startswith(PNG_SIGNATURE)
    out = stream.getvalue()
    assert out.index("Weekly digest") < out.index(f"Chart: {first}") < out.index(f"图表：{second}")


# -- the setting, wired through `contractbot console` ----------------------------------------------------------


def test_reports_dir_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CONTRACTBOT_REPORTS_DIR", raising=False)
    monkeypatch.delenv("REPORTS_DIR", raising=False)
    assert Settings(_env_file=None).reports_dir == "reports"  # type: ignore[call-arg]
    assert Settings(_env_file=None, reports_dir="/tmp/x").reports_dir == "/tmp/x"  # type: ignore[call-arg]
    monkeypatch.setenv("CONTRACTBOT_REPORTS_DIR", "/srv/charts")
    assert Settings(_env_file=None).reports_dir == "/srv/charts"  # type: ignore[call-arg]
    assert "CONTRACTBOT_REPORTS_DIR=reports" in (ROOT / ".env.example").read_text(encoding="utf-8").splitlines()


def test_contractbot_console_saves_charts_where_the_setting_says(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("DATABASE_URL", "DEFAULT_LANGUAGE", "SLACK_BOT_TOKEN", "TELEGRAM_BOT_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CONTRACTBOT_REPORTS_DIR", str(tmp_path / "charts"))
    monkeypatch.setattr(Core, "handle", lambda self, msg, _h=Core.handle: attach(_h(self, msg)))
    monkeypatch.setattr(sys, "stdin", io.StringIO(NEW + "\n"))
    assert cli.main(["console", "--db", f"sqlite:///{tmp_path / 'c.db'}", "--user", "alice", "--chat", "ops"]) == 0
    out = capsys.readouterr().out
    assert "Contract HT-2026-001 created" in out
    assert f"Chart: {tmp_path / 'charts' / 'money-2027-01.png'}" in out
    assert (tmp_path / "charts" / "money-2027-01.png").read_bytes() == PNG
    assert not (tmp_path / "reports").exists()


def test_default_folder_is_reports_under_the_working_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("DATABASE_URL", "DEFAULT_LANGUAGE", "SLACK_BOT_TOKEN", "TELEGRAM_BOT_TOKEN",
                 "CONTRACTBOT_REPORTS_DIR", "REPORTS_DIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(Core, "handle", lambda self, msg, _h=Core.handle: attach(_h(self, msg)))
    monkeypatch.setattr(sys, "stdin", io.StringIO("list\n"))
    assert cli.main(["console", "--db", f"sqlite:///{tmp_path / 'c.db'}", "--user", "alice", "--chat", "ops"]) == 0
    assert "Chart: reports/money-2027-01.png" in capsys.readouterr().out
    assert (tmp_path / "reports" / "money-2027-01.png").read_bytes() == PNG


def attach(replies: list[Reply]) -> list[Reply]:
    for reply in replies:
        reply.images = [chart()]
    return replies
