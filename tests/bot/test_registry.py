"""Platforms as plug-ins: one registry, traits as data, and a core that never asks which platform it is.

A platform the core has never heard of ("pager" below) is registered with nothing but its traits, and the
reminder routing, the team's chat and the refusal of foreign chats follow those traits.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from bot import registry
from bot.config import Settings
from bot.console.notifier import ConsoleNotifier
from handlers.core import Core
from handlers.messages import IncomingMessage, Sender
from handlers.reminders import ReminderComposer
from handlers.replies import reply_text
from scheduler import platforms
from scheduler.dispatch import Dispatcher
from scheduler.platforms import Limits, Traits
from scheduler.throttle import Throttle
from tests.conftest import Clock
from tests.scheduler.test_dispatch import FakeNotifier

ROOT = Path(__file__).resolve().parents[2]
START = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)  # Tuesday 10:00 in Shanghai


def test_every_adapter_is_registered_once_with_its_traits() -> None:
    names = [a.name for a in registry.ADAPTERS]
    assert len(names) == len(set(names))
    assert {"console", "slack", "telegram"} <= set(names)
    for a in registry.ADAPTERS:
        assert platforms.traits(a.name) is a.traits
        assert registry.adapter(a.name) is a
    assert platforms.traits("no-such-platform") is platforms.GENERIC


def test_the_platforms_on_are_the_ones_whose_settings_are_present() -> None:
    bare = Settings(_env_file=None, slack_bot_token=None, telegram_bot_token=None)  # type: ignore[call-arg]
    assert [a.name for a in registry.enabled(bare)] == ["console"]
    assert registry.front_doors(bare) == []
    both = Settings(_env_file=None, slack_bot_token="xoxb-1", telegram_bot_token="1:x")  # type: ignore[call-arg]
    assert {a.name for a in registry.front_doors(both)} == {"slack", "telegram"}


def _compared_names(path: Path, names: set[str]) -> list[str]:
    """String literals naming a platform that take part in a comparison (== != in, tuples included)."""
    found: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Compare):
            continue
        for part in [node.left, *node.comparators]:
            consts = part.elts if isinstance(part, (ast.Tuple, ast.List, ast.Set)) else [part]
            found += [f"{path.relative_to(ROOT)}:{node.lineno} {c.value!r}" for c in consts
                      if isinstance(c, ast.Constant) and c.value in names]
    return found


@pytest.mark.parametrize("package", ["handlers", "scheduler", "storage"])
def test_the_core_never_compares_platform_names(package: str) -> None:
    names = {a.name for a in registry.ADAPTERS}
    found = [hit for f in sorted((ROOT / package).rglob("*.py")) for hit in _compared_names(f, names)]
    assert found == []


def test_the_throttle_keeps_each_platform_under_its_declared_limits() -> None:
    now = [0.0]
    throttle = Throttle(clock=lambda: now[0])
    assert throttle.reserve("telegram", "-100", group=True) == 0
    wait = throttle.reserve("telegram", "-100", group=True, max_wait=10)  # 20 a minute in a group
    assert wait is not None and wait == pytest.approx(3.12, abs=0.01)
    assert throttle.reserve("console", "c") == 0 and throttle.reserve("console", "c") == 0  # no limits declared


# -- a platform nobody wrote into the core --------------------------------------------------------------------

PAGER = Traits(name="pager", team_per_chat=True, named_chats=False, direct_messages=True, dm_first=False, buttons=False,
               limits=Limits(per_chat_per_s=1))
BEEPER = replace(PAGER, name="beeper", team_per_chat=False, named_chats=True, dm_first=True)


@pytest.fixture
def plugged() -> Iterator[None]:
    platforms.register(PAGER)
    platforms.register(BEEPER)
    yield
    with platforms._LOCK:
        platforms._REGISTERED.pop("pager", None)
        platforms._REGISTERED.pop("beeper", None)


def say(core: Core, platform: str, text: str, *, user: str = "u1", chat: str = "team-1",
        private: bool = False) -> str:
    sender = Sender(user_id=user, handle=user, display_name=user, language="en", timezone="Asia/Shanghai")
    msg = IncomingMessage(platform=platform, tenant_key="team-1", text=text, sender=sender,
                          chat_id=user if private else chat, chat_type="private" if private else "group")
    return "\n".join(reply_text(r) for r in core.handle(msg))


def remind(engine: Engine, platform: str, at: datetime) -> FakeNotifier:
    fake = FakeNotifier()
    Dispatcher(engine, notifiers={platform: fake}, composer=ReminderComposer()).run_pass(at)
    return fake


@pytest.mark.usefixtures("plugged")
def test_a_team_per_chat_platform_that_cannot_dm_first_reminds_in_the_team_chat(engine: Engine) -> None:
    core = Core(engine, clock=Clock(START), default_timezone="Asia/Shanghai")
    say(core, "pager", "settings routing dm")
    say(core, "pager", 'new HT-1 "Pump order" "Acme" 1000 USD')
    say(core, "pager", "milestone HT-1 delivery 2026-12-04 @u1")
    fake = remind(engine, "pager", datetime(2026, 12, 4, 1, 0, tzinfo=UTC))  # the due day, 09:00
    [out] = fake.sent
    # u1 never wrote privately and this platform cannot open a private chat, so the DM the team asked for
    # becomes a message in the team's chat with a hint to start a private chat
    assert out.target.chat_id == "team-1" and not out.target.dm
    assert "HT-1" in reply_text(out.message) and "open a private chat with me" in reply_text(out.message)
    # another chat cannot be named as the team's channel: it would leak the team's news there
    assert "can only go to this chat" in say(core, "pager", "settings channel #room-2")


@pytest.mark.usefixtures("plugged")
def test_a_workspace_platform_that_dms_first_reminds_the_owner_privately(engine: Engine) -> None:
    core = Core(engine, clock=Clock(START), default_timezone="Asia/Shanghai")
    say(core, "beeper", "settings routing dm")
    say(core, "beeper", 'new HT-1 "Pump order" "Acme" 1000 USD')
    say(core, "beeper", "milestone HT-1 delivery 2026-12-04 @u1")
    fake = remind(engine, "beeper", datetime(2026, 12, 4, 1, 0, tzinfo=UTC))
    [out] = fake.sent
    assert out.target.dm and out.target.user_id == "u1"
    # a workspace names its channels freely
    assert "can only go to this chat" not in say(core, "beeper", "settings channel #room-2")


def test_dispatch_finds_every_enabled_platform_in_the_registry(engine: Engine, tmp_path: Path) -> None:
    from bot.dispatch_cli import notifiers_for

    bare = Settings(_env_file=None, slack_bot_token=None, telegram_bot_token=None,  # type: ignore[call-arg]
                    reports_dir=str(tmp_path))
    found = notifiers_for(bare, engine)
    assert set(found) == {"console"} and isinstance(found["console"], ConsoleNotifier)
