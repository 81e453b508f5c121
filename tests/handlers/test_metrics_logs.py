"""What operators see: one log line and counter moves per command, per dispatch pass, per message sent."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

import pytest
from prometheus_client import REGISTRY

from bot import logs
from handlers.core import Core
from handlers.messages import IncomingAction, Sender
from handlers.reminders import ReminderComposer
from scheduler.dispatch import Dispatcher
from scheduler.notify import Outgoing, PermanentFailure, RateLimited
from tests.chat import Chat

FIELDS = {"ts", "level", "logger", "msg", "event", "tenant", "verb", "outcome", "latency_ms", "platform"}


@pytest.fixture
def chat(engine, clock) -> Chat:  # type: ignore[no-untyped-def]
    return Chat(Core(engine, clock=clock))


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def command_lines(caplog: pytest.LogCaptureFixture) -> list[dict[str, Any]]:
    """The command lines logged so far, as the JSON formatter writes them."""
    formatter = logs.JsonFormatter()
    return [json.loads(formatter.format(r)) for r in caplog.records if getattr(r, "event", None) == "command"]


def test_each_command_logs_one_json_line_without_text_or_money(chat: Chat, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="handlers.metrics"):
        chat.say('new HT-1 "ERP rollout" Contoso Ltd 1,000,000 CNY ends 2027-12-31')
        chat.say("milestone HT-1 first payment 30% due 2026-12-10")
        chat.say("paid HT-1 120,000 for first payment")
    lines = command_lines(caplog)
    assert [(line["verb"], line["outcome"]) for line in lines] == [("new", "ok"), ("milestone", "ok"), ("paid", "ok")]
    for line in lines:
        assert set(line) == FIELDS
        assert line["level"] == "info" and line["msg"] == "command" and line["platform"] == "console"
        assert isinstance(line["tenant"], int) and isinstance(line["latency_ms"], float)
        raw = json.dumps(line, ensure_ascii=False)
        for private in ("HT-1", "ERP", "Contoso", "1,000,000", "1000000", "120,000", "120000", "first payment", "CNY"):
            assert private not in raw, private
    assert len({line["tenant"] for line in lines}) == 1


def test_outcomes_and_verbs(chat: Chat, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch) -> None:
    chat.say('new HT-1 "ERP" Contoso Ltd 1,000,000 CNY ends 2027-12-31')
    chat.say("milestone HT-1 first payment 30% due 2026-12-10")
    with caplog.at_level(logging.INFO, logger="handlers.metrics"):
        chat.say("done HT-404")  # no such contract
        chat.say("bogus words here")  # no command word: free phrasing that reads as nothing
        chat.say("we got paid on HT-1 for the first payment")  # how much? asked before anything is written
        chat.say("120k")  # the answer runs the command it completes
        chat.core.act(IncomingAction(platform="console", tenant_key="team-a", key="forged", sender=Sender("alice")))
        monkeypatch.setattr("handlers.commands._HANDLERS", {})  # a bug of ours: the boundary answers
        chat.say("list")
    assert [(line["verb"], line["outcome"]) for line in command_lines(caplog)] == [
        ("done", "user_error"), ("free", "user_error"), ("free", "asked"), ("paid", "ok"), ("button", "refused"),
        ("list", "internal_error"),
    ]


def test_counters_move_after_commands(chat: Chat) -> None:
    before = {
        "new": sample("contractbot_commands_total", verb="new", outcome="ok"),
        "show": sample("contractbot_commands_total", verb="show", outcome="user_error"),
        "latency": sample("contractbot_command_latency_seconds_count", verb="new"),
        "fast": sample("contractbot_command_latency_seconds_bucket", verb="new", le="5.0"),
    }
    chat.say('new HT-1 "ERP" Contoso Ltd 1,000,000 CNY ends 2027-12-31')
    chat.say('new HT-2 "CRM" Contoso Ltd 500,000 CNY ends 2027-12-31')
    chat.say("show HT-404")
    assert sample("contractbot_commands_total", verb="new", outcome="ok") == before["new"] + 2
    assert sample("contractbot_commands_total", verb="show", outcome="user_error") == before["show"] + 1
    assert sample("contractbot_command_latency_seconds_count", verb="new") == before["latency"] + 2
    assert sample("contractbot_command_latency_seconds_bucket", verb="new", le="5.0") == before["fast"] + 2
    # labels stay bounded: no team, no text
    names = {s.labels.get("verb") for m in REGISTRY.collect() if m.name == "contractbot_commands" for s in m.samples}
    assert "HT-1" not in names and not any(" " in (n or "") for n in names)


# -- formats and levels ------------------------------------------------------------------------------------------


def emit(caplog: pytest.LogCaptureFixture) -> None:
    logging.getLogger("handlers.metrics").info("command", extra={"event": "command", "tenant": 7, "verb": "paid",
                                                                 "outcome": "ok", "latency_ms": 3.5,
                                                                 "platform": "slack"})


def test_json_is_the_default_and_text_is_for_people(monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str],
                                                    caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.delenv("LOG_FORMAT", raising=False)
    monkeypatch.delenv("LOG_LEVEL", raising=False)
    with logs.configured("run", logs.LogSettings(_env_file=None)):  # type: ignore[call-arg]
        emit(caplog)
    [line] = capsys.readouterr().err.splitlines()
    assert json.loads(line)["verb"] == "paid"
    monkeypatch.setenv("LOG_FORMAT", "text")
    with logs.configured("run", logs.LogSettings(_env_file=None)):  # type: ignore[call-arg]
        emit(caplog)
    [line] = capsys.readouterr().err.splitlines()
    assert " INFO handlers.metrics: command " in line
    assert "tenant=7 verb=paid outcome=ok latency_ms=3.5 platform=slack" in line


def test_levels_by_mode() -> None:
    unset = logs.LogSettings(_env_file=None, log_level="", log_format="")  # type: ignore[call-arg]
    assert logs.resolve("run", unset) == (logging.INFO, "json")
    assert logs.resolve("dispatch", unset) == (logging.INFO, "json")
    assert logs.resolve("console", unset) == (logging.WARNING, "text")  # the chat stays readable
    asked = logs.LogSettings(_env_file=None, log_level="debug", log_format="json")  # type: ignore[call-arg]
    assert logs.resolve("console", asked) == (logging.DEBUG, "json")
    with pytest.raises(ValueError, match="LOG_LEVEL"):
        logs.resolve("run", logs.LogSettings(_env_file=None, log_level="loud"))  # type: ignore[call-arg]


def test_console_mode_keeps_info_off_the_terminal(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
                                                  caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.delenv("LOG_LEVEL", raising=False)
    level = logging.getLogger().level
    with logs.configured("console", logs.LogSettings(_env_file=None)):  # type: ignore[call-arg]
        emit(caplog)
        logging.getLogger("bot.console").warning("could not save chart")
    err = capsys.readouterr().err
    assert "command" not in err and "WARNING bot.console: could not save chart" in err
    # and logging is left as it was found (the CLI runs inside tests too)
    assert logging.getLogger().level == level
    assert not [h for h in logging.getLogger().handlers if getattr(h, "_contractbot", False)]


def test_libraries_stay_quiet_at_info(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("LOG_LEVEL", raising=False)
    with logs.configured("run", logs.LogSettings(_env_file=None)):  # type: ignore[call-arg]
        # httpx logs each request URL at INFO, and Telegram's URLs carry the bot token
        logging.getLogger("httpx").info("HTTP Request: POST https://api.telegram.org/bot123:SECRET/getUpdates")
    assert "SECRET" not in capsys.readouterr().err


# -- the dispatch pass ---------------------------------------------------------------------------------------------


class FlakyNotifier:
    """Sends, or fails with the next exception it was given."""

    def __init__(self) -> None:
        self.fail_with: list[Exception] = []
        self.sent: list[Outgoing] = []

    def send(self, out: Outgoing) -> str:
        if self.fail_with:
            raise self.fail_with.pop(0)
        self.sent.append(out)
        return str(len(self.sent))

    def update(self, ref: str, message: Any, *, tenant_key: str | None = None) -> None:
        pass


def test_dispatch_counts_sends_failures_and_429s(chat: Chat, caplog: pytest.LogCaptureFixture) -> None:
    chat.say("new HT-1 Acme Corp 100,000")
    chat.say("milestone HT-1 first payment 30% due 2026-12-20 owner @alice")
    chat.say("milestone HT-1 second payment 30% due 2026-12-21 owner @alice")
    fake = FlakyNotifier()
    dispatcher = Dispatcher(chat.engine, notifiers={"console": fake}, composer=ReminderComposer(),
                            sleep=lambda _s: None)
    before = {
        "429": sample("contractbot_rate_limited_total", platform="console"),
        "sent": sample("contractbot_sends_total", platform="console", kind="reminder"),
        "failed": sample("contractbot_send_failures_total", platform="console", kind="reminder"),
        "passes": sample("contractbot_dispatch_passes_total"),
    }
    # 7 days ahead of the 20th, 09:00 Shanghai: the first milestone's reminder is due; the platform says 429
    fake.fail_with = [RateLimited(30)]
    with caplog.at_level(logging.INFO, logger="scheduler.dispatch"):
        result = dispatcher.run_pass(datetime(2026, 12, 13, 1, 0, tzinfo=UTC))
    assert result.retried == 1 and result.sent == 0
    assert sample("contractbot_rate_limited_total", platform="console") == before["429"] + 1
    assert sample("contractbot_sends_total", platform="console", kind="reminder") == before["sent"]
    [line] = [json.loads(logs.JsonFormatter().format(r)) for r in caplog.records if getattr(r, "event", "") == "dispatch"]
    assert (line["msg"], line["sent"], line["failed"], line["retried"]) == ("dispatch pass", 0, 0, 1)
    assert isinstance(line["duration_ms"], float)
    # after Retry-After it goes out; the next day's reminder is refused for good
    assert dispatcher.run_pass(datetime(2026, 12, 13, 1, 1, tzinfo=UTC)).sent == 1
    assert sample("contractbot_sends_total", platform="console", kind="reminder") == before["sent"] + 1
    fake.fail_with = [PermanentFailure("bot removed from channel")]
    assert dispatcher.run_pass(datetime(2026, 12, 14, 1, 0, tzinfo=UTC)).failed == 1
    assert sample("contractbot_send_failures_total", platform="console", kind="reminder") == before["failed"] + 1
    assert sample("contractbot_dispatch_passes_total") == before["passes"] + 3


def test_an_idle_pass_logs_one_info_line_too(chat: Chat, caplog: pytest.LogCaptureFixture) -> None:
    """One line per dispatch pass at INFO, as the operators asked: an idle one shows the dispatcher is alive."""
    dispatcher = Dispatcher(chat.engine, notifiers={}, composer=ReminderComposer())
    with caplog.at_level(logging.INFO, logger="scheduler.dispatch"):
        dispatcher.run_pass(datetime(2026, 12, 13, 1, 0, tzinfo=UTC))
    [record] = [r for r in caplog.records if getattr(r, "event", "") == "dispatch"]
    assert record.levelno == logging.INFO and (record.sent, record.failed) == (0, 0)
