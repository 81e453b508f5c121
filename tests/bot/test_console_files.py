"""Files in the console: `import PATH` reads the ledger and sends it along; exports are saved and their path printed."""

from __future__ import annotations

import io
import logging
import os
import sys
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from bot import cli
from bot.console.app import run_console
from bot.console.files import safe_document_name
from bot.console.imports import read_line, split_path
from bot.console.notifier import ConsoleNotifier
from handlers.core import Core
from handlers.replies import Reply
from scheduler.notify import Outgoing, Target
from tests.bot.charts import PNG, chart
from tests.conftest import Clock
from tests.fakes.core_spy import CSV, LEDGER, XLSX_MIME, CoreSpy, imported, ledger_document, spy_on_core

MB = 1024 * 1024


@pytest.fixture
def core(engine: Engine, clock: Clock) -> Core:
    return Core(engine, clock=clock)


@pytest.fixture
def spy(core: Core, monkeypatch: pytest.MonkeyPatch) -> CoreSpy:
    return spy_on_core(monkeypatch, core, imported)


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A home folder (for ~) and a working folder (for relative paths) of our own."""
    home = tmp_path / "home"
    work = tmp_path / "work"
    home.mkdir()
    work.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(work)
    return home


def chat(core: Core, typed: str, reports: Path | str = "reports") -> str:
    out = io.StringIO()
    assert run_console(core, user="alice", chat="ops", stdin=io.StringIO(typed), stdout=out, reports_dir=reports) == 0
    return out.getvalue()


# -- files in: import PATH -------------------------------------------------------------------------------------


def test_import_a_quoted_path_with_a_space(core: Core, spy: CoreSpy, home: Path) -> None:
    Path("my ledger.xlsx").write_bytes(LEDGER)
    out = chat(core, 'import "my ledger.xlsx"\n')
    msg = spy.last
    assert msg.text == "import"
    assert [(a.filename, a.data, a.mime) for a in msg.attachments] == [("my ledger.xlsx", LEDGER, XLSX_MIME)]
    assert f"Received my ledger.xlsx ({len(LEDGER)} bytes)" in out


def test_import_from_home_in_chinese_with_words_after_the_path(core: Core, spy: CoreSpy, home: Path) -> None:
    (home / "合同 台账.csv").write_bytes(CSV)
    chat(core, "导入 ~/合同 台账.csv 确认\n")  # no quotes: the longest run of words that is a file
    assert spy.last.text == "导入 确认"
    assert [(a.filename, a.data, a.mime) for a in spy.last.attachments] == [("合同 台账.csv", CSV, "text/csv")]


def test_chinese_quotes_and_a_verb_without_a_space(core: Core, spy: CoreSpy, home: Path) -> None:
    folder = home / "文档"
    folder.mkdir()
    (folder / "台账 2027.xlsx").write_bytes(LEDGER)
    chat(core, "导入“~/文档/台账 2027.xlsx”\nImport '~/文档/台账 2027.xlsx'\n")
    assert [(m.text, m.attachments[0].data) for m in spy.seen] == [("导入", LEDGER), ("Import", LEDGER)]


def test_missing_file_is_answered_by_the_console_alone(core: Core, spy: CoreSpy, home: Path) -> None:
    out = chat(core, "import ledger-2027.xlsx\n导入 “不存在 的台账.xlsx”\n")
    assert spy.seen == []  # nothing went to the core
    en, zh = out.strip().split("\n\n")
    assert en == "Can't import: there is no file ledger-2027.xlsx. Example: import \"~/Documents/ledger 2027.xlsx\""
    assert zh.startswith("无法导入：找不到文件 不存在 的台账.xlsx。例如：导入 ")
    assert "\n" not in en and "\n" not in zh  # one line each


def test_a_folder_or_an_oversize_file_is_refused(core: Core, spy: CoreSpy, home: Path) -> None:
    Path("ledgers").mkdir()
    with open("huge.csv", "wb") as f:
        f.truncate(20 * MB + 1)  # sparse: big on paper, nothing to write
    out = chat(core, "import ledgers\nimport ./huge.csv\n")
    assert spy.seen == []
    assert "Can't import: ledgers is a folder, not a file." in out
    assert "Can't import: ./huge.csv is 20.0 MB; files up to 20 MB can be imported." in out


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads any file")
def test_unreadable_file_is_refused(core: Core, spy: CoreSpy, home: Path) -> None:
    secret = Path("secret.xlsx")
    secret.write_bytes(LEDGER)
    secret.chmod(0)
    assert "Can't import: no permission to read secret.xlsx." in chat(core, "import secret.xlsx\n")
    assert spy.seen == []


def test_import_without_a_path_goes_to_the_core_unchanged(core: Core, spy: CoreSpy, home: Path) -> None:
    chat(core, "import\n导入\nimport confirm\nimportant things\n")
    assert [(m.text, m.attachments) for m in spy.seen] == [
        ("import", ()), ("导入", ()), ("import confirm", ()), ("important things", ())]


def test_split_path() -> None:
    assert split_path('"a b.xlsx" confirm') == ("a b.xlsx", "confirm")
    assert split_path("「台账.xlsx」") == ("台账.xlsx", "")
    assert split_path('"unclosed name.xlsx') == ("unclosed name.xlsx", "")
    assert split_path("C:\\ledgers\\q1.xlsx") == ("C:\\ledgers\\q1.xlsx", "")
    assert split_path("no such thing.csv now") == ("no such thing.csv", "now")  # missing: reported as this path
    assert split_path("confirm") is None
    assert read_line("list overdue").text == "list overdue"


# -- documents out: exports ------------------------------------------------------------------------------------


def test_document_is_saved_and_its_path_printed(core: Core, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    reports = tmp_path / "reports"
    spy_on_core(monkeypatch, core, lambda msg: [Reply(title="Ledger exported", documents=[ledger_document()])])
    out = chat(core, "export\nexport\n", reports)
    first, second = reports / "ledger-2027-03-15.xlsx", reports / "ledger-2027-03-15-1.xlsx"
    assert first.read_bytes() == LEDGER and second.read_bytes() == LEDGER  # the second did not overwrite
    assert out == f"Ledger exported\nFile: {first}\n\nLedger exported\nFile: {second}\n\n"


def test_chinese_reply_labels_the_file_in_chinese(core: Core, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    spy_on_core(monkeypatch, core, lambda msg: [Reply(title="已导出", lang="zh", images=[chart()],
                                                      documents=[ledger_document("到期日.ics", "到期日", b"BEGIN")])])
    out = chat(core, "导出\n", tmp_path)
    assert f"图表：{tmp_path / 'money-2027-01.png'}\n文件：{tmp_path / '到期日.ics'}" in out
    assert (tmp_path / "到期日.ics").read_bytes() == b"BEGIN" and (tmp_path / "money-2027-01.png").read_bytes() == PNG


def test_unwritable_folder_still_prints_the_text(core: Core, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                 caplog: pytest.LogCaptureFixture) -> None:
    blocked = tmp_path / "reports"
    blocked.write_text("a file where the folder should be")
    spy_on_core(monkeypatch, core, lambda msg: [Reply(title="Ledger exported", documents=[ledger_document()])])
    with caplog.at_level(logging.WARNING, logger="bot.console"):
        out = chat(core, "export\n", blocked)
    assert out == "Ledger exported\n\n"
    assert any("could not save file ledger-2027-03-15.xlsx" in r.getMessage() for r in caplog.records)


def test_document_names_stay_inside_the_folder(core: Core, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert safe_document_name("../../etc/passwd") == "passwd"
    assert safe_document_name("合同 台账 <Q1>.XLSX") == "合同-台账-Q1.xlsx"
    assert safe_document_name("..") == "file"
    assert safe_document_name("report.tar.gz") == "report.tar.gz"
    spy_on_core(monkeypatch, core, lambda msg: [Reply(title="x", documents=[ledger_document("../escape.csv")])])
    chat(core, "export\n", tmp_path / "reports")
    assert (tmp_path / "reports" / "escape.csv").read_bytes() == LEDGER
    assert not (tmp_path / "escape.csv").exists()


def test_console_notifier_saves_a_reminders_document(tmp_path: Path) -> None:
    stream = io.StringIO()
    reply = Reply(title="Monthly ledger", documents=[ledger_document()], lang="zh")
    ConsoleNotifier(stream, reports_dir=tmp_path).send(Outgoing(Target("console", "ops", chat_id="ops"), reply))
    assert f"文件：{tmp_path / 'ledger-2027-03-15.xlsx'}" in stream.getvalue()
    assert (tmp_path / "ledger-2027-03-15.xlsx").read_bytes() == LEDGER


def test_contractbot_console_prints_the_relative_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("DATABASE_URL", "DEFAULT_LANGUAGE", "SLACK_BOT_TOKEN", "TELEGRAM_BOT_TOKEN",
                 "CONTRACTBOT_REPORTS_DIR", "REPORTS_DIR"):
        monkeypatch.delenv(name, raising=False)
    Path("ledger.csv").write_bytes(CSV)
    seen: list[int] = []

    def handle(self: Core, msg: object, _h=Core.handle) -> list[Reply]:  # type: ignore[no-untyped-def]
        seen.append(len(msg.attachments))  # type: ignore[attr-defined]
        return [Reply(title="Ledger exported", documents=[ledger_document()])]

    monkeypatch.setattr(Core, "handle", handle)
    monkeypatch.setattr(sys, "stdin", io.StringIO("import ledger.csv\n"))
    assert cli.main(["console", "--db", f"sqlite:///{tmp_path / 'c.db'}", "--user", "alice", "--chat", "ops"]) == 0
    assert seen == [1]
    assert "File: reports/ledger-2027-03-15.xlsx" in capsys.readouterr().out
    assert (tmp_path / "reports" / "ledger-2027-03-15.xlsx").read_bytes() == LEDGER
