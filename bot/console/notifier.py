"""Reminders for console teams: printed as text blocks, with the actions a person can type."""

from __future__ import annotations

import itertools
import sys
from pathlib import Path
from typing import Any, TextIO

from bot.console.render import render_saving
from scheduler.notify import Outgoing


class ConsoleNotifier:
    """Prints each reminder to a stream (standard output by default); charts become files in ``reports_dir``."""

    def __init__(self, stream: TextIO | None = None, *, reports_dir: Path | str = "reports") -> None:
        self.stream = stream or sys.stdout
        self.reports_dir = reports_dir
        self._ids = itertools.count(1)

    def send(self, out: Outgoing) -> str:
        """Print one reminder block (and where its charts were saved); the reference is a running number."""
        where = out.target.chat_id or out.target.user_id or "?"
        text = render_saving(out.message, self.reports_dir)
        self.stream.write(f"── reminder for team {out.target.tenant_key} ({where}) ──\n{text}\n\n")
        self.stream.flush()
        return f"console:{next(self._ids)}"

    def update(self, ref: str, message: Any, *, tenant_key: str | None = None) -> None:
        """Console output cannot be edited; nothing to do."""
