"""Reminders in an interactive console chat: a daemon thread runs the dispatch pass and digests."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import Engine

from bot.console.notifier import ConsoleNotifier
from handlers.digest import DigestComposer
from handlers.reminders import ReminderComposer
from scheduler.digests import run_digests
from scheduler.dispatch import Dispatcher


def start_reminders(engine: Engine, *, interval: float = 30.0, reports_dir: Path | str = "reports") -> threading.Event:
    """Print due reminders for console teams while the chat is open; set the returned event to stop."""
    stop = threading.Event()
    notifier = ConsoleNotifier(reports_dir=reports_dir)
    dispatcher = Dispatcher(engine, notifiers={"console": notifier}, composer=ReminderComposer())

    def loop() -> None:
        while not stop.is_set():
            now = datetime.now(UTC)
            dispatcher.run_pass(now)
            run_digests(engine, {"console": notifier}, DigestComposer(), now)
            stop.wait(interval)

    threading.Thread(target=loop, name="console-reminders", daemon=True).start()
    return stop
