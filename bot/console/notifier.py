"""Reminders for console teams: printed as text blocks, with the actions a person can type."""

from __future__ import annotations

import itertools
import sys
from typing import Any, TextIO

from bot.console.render import render
from scheduler.notify import Outgoing


class ConsoleNotifier:
    """Prints each reminder to a stream (standard output by default)."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stdout
        self._ids = itertools.count(1)

    def send(self, out: Outgoing) -> str:
        """Print one reminder block; the reference is a running number."""
        where = out.target.chat_id or out.target.user_id or "?"
        self.stream.write(f"── reminder for team {out.target.tenant_key} ({where}) ──\n{render(out.message)}\n\n")
        self.stream.flush()
        return f"console:{next(self._ids)}"

    def update(self, ref: str, message: Any) -> None:
        """Console output cannot be edited; nothing to do."""
