"""A local SMTP server (aiosmtpd) that records what it receives and can be told to refuse."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy.engine import Engine

from bot.config import Settings
from bot.email.smtp import make_mail_notifier
from handlers.reminders import ReminderComposer
from scheduler.dispatch import Dispatcher
from tests.chat import Chat
from tests.scheduler.test_dispatch import FakeNotifier


@dataclass
class Received:
    """One message as the server got it: envelope and parsed message."""

    sender: str
    recipients: list[str]
    message: EmailMessage


@dataclass
class Recorder:
    """The aiosmtpd handler: keeps every message; ``refuse_rcpt`` / ``refuse_data`` answers are used up in turn."""

    port: int = 0
    received: list[Received] = field(default_factory=list)
    refuse_rcpt: list[str] = field(default_factory=list)
    refuse_data: list[str] = field(default_factory=list)

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,  # noqa: N802
                          rcpt_options: list[str]) -> str:
        if self.refuse_rcpt:
            return self.refuse_rcpt.pop(0)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        if self.refuse_data:
            return self.refuse_data.pop(0)
        message = BytesParser(policy=policy.default).parsebytes(envelope.original_content or envelope.content)
        assert isinstance(message, EmailMessage)
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def smtp() -> Iterator[Recorder]:
    recorder = Recorder(port=free_port())
    controller = Controller(recorder, hostname="127.0.0.1", port=recorder.port)
    controller.start()
    try:
        yield recorder
    finally:
        controller.stop()


# -- a team whose milestone owner is known only by e-mail ------------------------------------------------------



START = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)  # Tuesday 10:00 in Shanghai
SEVEN_AHEAD = datetime(2026, 12, 3, 1, 0, tzinfo=UTC)  # Thursday 09:00: 7 days before Thu 2026-12-10
PUBLIC = "http://bot.test"


@pytest.fixture
def settings(smtp: Recorder, tmp_path: Path) -> Settings:
    return Settings(_env_file=None, smtp_url=f"smtp://127.0.0.1:{smtp.port}",  # type: ignore[call-arg]
                    mail_from="ContractBot <bot@example.com>", public_url=PUBLIC, reports_dir=str(tmp_path))


@pytest.fixture
def chat(engine: Engine) -> Chat:
    """alice (admin) runs the ledger; @cfo owns the first payment and never uses the chat."""
    c = Chat.on_clock(engine, START)
    c.say('new HT-1 "Pump order" Acme 100,000 owner @alice')
    c.say("milestone HT-1 first payment 30% due 2026-12-10 owner @cfo")
    return c


@dataclass
class Pass:
    """A dispatcher with the real SMTP notifier and a fake chat."""

    dispatcher: Dispatcher
    chat: FakeNotifier


def make_pass(engine: Engine, settings: Settings) -> Pass:
    fake = FakeNotifier()
    notifiers = {"console": fake, "email": make_mail_notifier(settings, engine)}
    return Pass(Dispatcher(engine, notifiers=notifiers, composer=ReminderComposer(reachable=notifiers)), fake)
