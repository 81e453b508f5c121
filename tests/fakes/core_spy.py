"""Adapter tests of files in and out: a spy on ``core.handle`` and sample files.

``spy_on_core`` wraps the real ``core.handle`` (as tests/bot/charts.py ``attach_charts`` does) so a test can see
the IncomingMessage an adapter built, attachments included, and can make the core answer with a document.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from handlers.messages import IncomingMessage
from handlers.replies import Document, Reply

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# an .xlsx is a zip: a local-file header, then binary bytes a text decoder would choke on (NUL, 0xFF, CRLF)
LEDGER = b"PK\x03\x04\x14\x00\x06\x00" + bytes(range(256)) + b"\r\n\x00\xff" + os.urandom(64)
CSV = "编号,名称,对方,金额\nHT-2027-001,Acme license,Acme,1200000\n".encode()


def ledger_document(filename: str = "ledger-2027-03-15.xlsx", title: str = "Ledger export, 2027-03-15",
                    data: bytes = LEDGER) -> Document:
    """A Document as an export would carry it."""
    return Document(data=data, filename=filename, title=title, mime=XLSX_MIME)


@dataclass
class CoreSpy:
    """What the adapter handed to the core; ``answer`` replaces the core's replies when set."""

    seen: list[IncomingMessage] = field(default_factory=list)
    answer: Callable[[IncomingMessage], list[Reply]] | None = None

    @property
    def last(self) -> IncomingMessage:
        assert self.seen, "the core was never called"
        return self.seen[-1]


def spy_on_core(monkeypatch: pytest.MonkeyPatch, core: Any,
                answer: Callable[[IncomingMessage], list[Reply]] | None = None) -> CoreSpy:
    """Record every message ``core.handle`` gets; answer with ``answer(msg)`` instead of the core when given."""
    spy = CoreSpy(answer=answer)
    real = core.handle

    def handle(msg: IncomingMessage, *args: Any, **kwargs: Any) -> list[Reply]:
        spy.seen.append(msg)
        return spy.answer(msg) if spy.answer is not None else real(msg, *args, **kwargs)

    monkeypatch.setattr(core, "handle", handle)
    return spy


def imported(msg: IncomingMessage) -> list[Reply]:
    """A stand-in for the core's import command: says what arrived."""
    names = ", ".join(f"{a.filename} ({len(a.data)} bytes)" for a in msg.attachments) or "no file"
    return [Reply(title=f"Received {names}", lang="zh" if msg.text.startswith("导入") else "en")]


def with_documents(handle: Callable[..., list[Reply]], *documents: Document) -> Callable[..., list[Reply]]:
    """Wrap a core method so that every reply it returns carries ``documents``."""
    files = list(documents) or [ledger_document()]

    def wrapped(*args: Any, **kwargs: Any) -> list[Reply]:
        replies = handle(*args, **kwargs)
        for reply in replies:
            reply.documents = list(files)
        return replies

    return wrapped


def attach_documents(monkeypatch: pytest.MonkeyPatch, core: Any, *documents: Document) -> None:
    """Make ``core.handle`` (the real command path) answer with documents, as an export will."""
    monkeypatch.setattr(core, "handle", with_documents(core.handle, *documents))
