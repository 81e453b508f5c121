"""A conversation driver for tests: user says X, bot answers Y."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.console.app import console_message
from bot.console.render import render
from handlers.core import Core
from handlers.messages import Attachment
from handlers.replies import Reply
from storage.models import Contract, Milestone
from tests.conftest import Clock


class Chat:
    """Talk to the core the way the console does, in one team."""

    def __init__(self, core: Core, *, team: str = "team-a", user: str = "alice", clock: Clock | None = None) -> None:
        self.core = core
        self.team = team
        self.user = user
        self.last: list[Reply] = []
        self.clock = clock  # set when the test moves time by hand (see on_clock)

    @classmethod
    def on_clock(cls, engine: Engine, start: datetime, *, timezone: str = "Asia/Shanghai") -> Chat:
        """A chat whose clock starts at ``start`` and that the test moves with ``chat.clock.now = …``."""
        clock = Clock(start)
        return cls(Core(engine, clock=clock, default_timezone=timezone), clock=clock)

    def say(self, text: str, *, user: str | None = None, team: str | None = None,
            files: tuple[Attachment, ...] = ()) -> str:
        msg = console_message(text, user=user or self.user, chat=team or self.team, lang=None, tz=None)
        if files:
            msg = replace(msg, attachments=files)
        self.last = self.core.handle(msg)
        return "\n\n".join(render(r) for r in self.last)

    @property
    def engine(self) -> Engine:
        return self.core.engine

    def contracts(self) -> list[Contract]:
        with Session(self.engine) as s:
            return list(s.exec(select(Contract).order_by(Contract.id)).all())

    def milestones(self, *, renewals: bool = False) -> list[Milestone]:
        """Milestones in creation order; the bot's own renewal-notice milestones only when asked."""
        with Session(self.engine) as s:
            rows = list(s.exec(select(Milestone).order_by(Milestone.id)).all())
        return [m for m in rows if renewals or not (m.kind == "renewal" and m.created_by_id is None)]
