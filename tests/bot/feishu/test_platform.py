"""Feishu in the registry and in `contractbot run`: switched on by FEISHU_APP_ID, checked at start-up."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy.engine import Engine

from bot import registry
from bot.config import Settings
from bot.feishu.api import base_url, receive_id_type
from bot.feishu.limits import Closed, Pacer
from bot.feishu.notifier import FeishuNotifier
from bot.feishu.platform import EVENTS_PATH, create
from bot.runner import Service
from handlers.core import Core
from scheduler import platforms
from tests.bot.feishu.conftest import feishu_settings, running
from tests.fakes.feishu_api import BOT_OPEN_ID, FakeFeishu


def test_feishu_is_registered_with_its_traits_and_switched_on_by_its_app_id(engine: Engine) -> None:
    adapter = registry.adapter("feishu")
    assert adapter is not None and platforms.traits("feishu") is adapter.traits
    traits = adapter.traits
    assert (traits.team_per_chat, traits.direct_messages, traits.dm_first, traits.edits, traits.buttons) == (
        True, True, True, True, True)
    assert not traits.named_chats  # a group's news never goes to another chat
    assert (traits.limits.overall_per_s, traits.limits.per_chat_per_s) == (50, 5)
    bare = Settings(_env_file=None)  # type: ignore[call-arg]
    assert "feishu" not in {a.name for a in registry.enabled(bare)}
    on = Settings(_env_file=None, feishu_app_id="cli_x", feishu_app_secret="s")  # type: ignore[call-arg]
    assert "feishu" in {a.name for a in registry.front_doors(on)}
    assert isinstance(registry.notifiers(on, engine)["feishu"], FeishuNotifier)


def test_the_open_platform_url_and_receiver_kinds() -> None:
    assert base_url(None) == "https://open.feishu.cn"
    assert base_url("https://open.larksuite.com/") == "https://open.larksuite.com"
    assert base_url("http://127.0.0.1:8080/open-apis") == "http://127.0.0.1:8080"
    with pytest.raises(ValueError):
        base_url("open.feishu.cn")
    assert [receive_id_type(i) for i in ("oc_1", "ou_1", "on_1", "a@b.cn", "3e3cf96b")] == [
        "chat_id", "open_id", "union_id", "email", "user_id"]


def test_missing_settings_are_named_at_start_up(fake: FakeFeishu, core: Core) -> None:
    for missing, name in (("feishu_app_secret", "FEISHU_APP_SECRET"),
                          ("feishu_verification_token", "FEISHU_VERIFICATION_TOKEN")):
        with pytest.raises(ValueError, match=name):
            create(feishu_settings(fake, **{missing: None}), core)


async def test_start_reads_the_bot_and_mounts_the_callback(fake: FakeFeishu, core: Core) -> None:
    bot = await running(feishu_settings(fake), core, fake)
    try:
        assert bot.platform.bot_open_id == BOT_OPEN_ID and bot.platform.routes == [EVENTS_PATH]
        assert bot.platform.needs_http
    finally:
        await bot.service.stop()


async def test_a_wrong_app_secret_stops_the_start_with_feishus_answer(fake: FakeFeishu, core: Core) -> None:
    platform = create(feishu_settings(fake, feishu_app_secret="wrong"), core)
    service = Service(platform.settings, core.engine, [platform])
    with pytest.raises(Exception, match="10014"):
        await service.start()
    assert service.started == [] and platform._session is None


async def test_the_pacer_keeps_a_chat_under_its_rate_and_lets_go_at_shutdown() -> None:
    pacer = Pacer(overall_per_second=1000, chat_per_second=5)
    loop = asyncio.get_running_loop()
    started = loop.time()
    for _ in range(8):
        await pacer.turn("oc_busy")
    assert loop.time() - started >= 0.4  # 5 at once, then one every 0.2 s
    started = loop.time()
    await pacer.turn("oc_quiet")  # another chat does not wait for the busy one
    assert loop.time() - started < 0.15
    waiting = asyncio.create_task(pacer.turn("oc_busy"))
    await asyncio.sleep(0.01)
    pacer.close()
    with pytest.raises(Closed):
        await waiting
    with pytest.raises(Closed):
        await pacer.turn("oc_quiet")


async def test_a_start_failure_is_one_line_named_after_feishu(fake: FakeFeishu, core: Core) -> None:
    from bot.cli import describe

    platform = create(feishu_settings(fake, feishu_app_secret="wrong"), core)
    with pytest.raises(Exception) as failed:
        await platform.start()
    assert describe(failed.value) == "feishu: 10014: app secret invalid"
