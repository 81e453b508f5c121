"""Conversations over the fake Bot API: a user types in a group or in private, the bot answers in HTML."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TypeVar

from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, select

from bot.telegram.platform import TelegramPlatform
from handlers.core import Core
from storage.models import Contract, Milestone, Person, Tenant
from tests.bot.telegram.conftest import (
    GROUP_ID,
    LIWEI,
    OTHER_GROUP,
    WANGWU,
    ZHANGSAN,
    load,
    message_update,
    private_chat,
    say,
)
from tests.fakes.telegram_api import FakeTelegram

T = TypeVar("T", bound=SQLModel)

NEW = "/contract@ContractBot 新建 HT-2026-002 华为云采购 华为 120万 到期 2027年12月31日"
MILESTONE = "/contract@ContractBot 节点 HT-2026-002 首付款 30% 下周五 @zhangsan"


def rows(engine: Engine, model: type[T]) -> list[T]:
    with Session(engine) as s:
        return list(s.exec(select(model).order_by(model.id)).all())  # type: ignore[attr-defined]


async def test_chinese_console_examples_in_a_group(
    fake: FakeTelegram, telegram: TelegramPlatform, core: Core
) -> None:
    [reply] = await say(fake, NEW)
    assert reply["chat_id"] == GROUP_ID and reply["parse_mode"] == "HTML"
    assert reply["text"].startswith("<b>已创建合同 HT-2026-002</b>")
    assert "<b>到期</b>: 2027-12-31 周五" in reply["text"]
    assert reply["reply_parameters"]["message_id"]  # answers the command it came from

    [reply] = await say(fake, MILESTONE)
    assert "<b>截止</b>: 2026-12-04 周五" in reply["text"]
    assert "<b>负责人</b>: @zhangsan" in reply["text"]
    assert "360,000.00 CNY (30%)" in reply["text"]

    [reply] = await say(fake, "/contract@ContractBot 查看 HT-2026-002")
    assert "<b>HT-2026-002 · 华为云采购</b>" in reply["text"]
    assert "首付款 · 2026-12-04 周五" in reply["text"]

    [tenant] = rows(core.engine, Tenant)
    assert (tenant.platform, tenant.external_id, tenant.name) == ("telegram", str(GROUP_ID), "销售合同群")
    [contract] = rows(core.engine, Contract)
    assert (contract.number, contract.title, contract.amount) == (
        "HT-2026-002",
        "华为云采购",
        Decimal(1200000),
    )
    assert contract.channel == str(GROUP_ID)  # reminders go back to this group
    [milestone] = [m for m in rows(core.engine, Milestone) if m.kind == "payment"]
    assert (milestone.title, milestone.due_on, milestone.amount) == (
        "首付款",
        date(2026, 12, 4),
        Decimal("360000.00"),
    )
    people = {p.handle: p for p in rows(core.engine, Person)}
    assert people["liwei"].platform_user_id == str(LIWEI["id"]) and people["liwei"].role == "admin"
    assert people["zhangsan"].platform_user_id is None  # known by @handle until they speak


async def test_the_real_sample_update_is_understood(
    fake: FakeTelegram, telegram: TelegramPlatform, core: Core
) -> None:
    await say(fake, NEW)
    mark = fake.mark()
    fake.push_update(
        load("command_group.json")
    )  # /contract@ContractBot 节点 ... @zhangsan, as Telegram sends it
    [call] = await fake.wait("sendMessage", since=mark)
    assert "已为 HT-2026-002 添加节点" in call.params["text"]
    assert [m.title for m in rows(core.engine, Milestone) if m.kind == "payment"] == ["首付款"]


async def test_short_aliases_map_to_console_verbs(
    fake: FakeTelegram, telegram: TelegramPlatform, core: Core
) -> None:
    await say(fake, "/new HT-2026-002 华为云采购 华为 120万 到期 2027年12月31日")
    await say(fake, "/milestone HT-2026-002 首付款 下周五 @liwei")  # no amount: /done closes it at once
    [reply] = await say(fake, "/done HT-2026-002 首付款")
    assert "HT-2026-002" in reply["text"] and "首付款" in reply["text"]
    [milestone] = [m for m in rows(core.engine, Milestone) if m.title == "首付款"]
    assert milestone.status == "done"
    [reply] = await say(fake, "/list")
    assert "HT-2026-002 华为云采购" in reply["text"]
    [reply] = await say(fake, "/help", user=WANGWU)  # an English speaker gets English help
    assert reply["text"].startswith("<b>") and "new" in reply["text"]


async def test_group_commands_for_another_bot_are_ignored(
    fake: FakeTelegram, telegram: TelegramPlatform, core: Core
) -> None:
    mark = fake.mark()
    fake.push_update(message_update("/contract@OtherBot 新建 HT-1 x y 100"))
    [reply] = await say(fake, "/contract@ContractBot 列表")  # processed after the one above
    assert len(fake.requests("sendMessage", since=mark)) == 1
    assert "HT-1" not in reply["text"]
    assert not rows(core.engine, Contract)


async def test_plain_text_in_private_is_a_command_but_not_in_groups(
    fake: FakeTelegram, telegram: TelegramPlatform, core: Core
) -> None:
    mark = fake.mark()
    fake.push_update(load("text_private.json"))  # 帮助, typed in a private chat
    [call] = await fake.wait("sendMessage", since=mark)
    assert call.params["chat_id"] == ZHANGSAN["id"]
    assert "reply_parameters" not in call.params  # no need to quote in a one-to-one chat
    assert call.params["text"].startswith("<b>")

    mark = fake.mark()
    fake.push_update(message_update("新建 HT-1 闲聊 不是命令 100"))  # a group chat message without /contract
    await say(fake, "/contract 列表")
    assert len(fake.requests("sendMessage", since=mark)) == 1
    assert not [c for c in rows(core.engine, Contract) if c.number == "HT-1"]


async def test_private_chat_is_its_own_ledger(
    fake: FakeTelegram, telegram: TelegramPlatform, core: Core
) -> None:
    await say(fake, NEW)
    me = private_chat(LIWEI)
    [reply] = await say(fake, "查看 HT-2026-002", chat=me)
    assert "HT-2026-002" in reply["text"] and "⚠️" in reply["text"]  # not the group's contract
    [reply] = await say(fake, "/contract list", chat=me)
    assert "华为云采购" not in reply["text"]
    tenants = {t.external_id for t in rows(core.engine, Tenant)}
    assert tenants == {str(GROUP_ID), str(LIWEI["id"])}
    people = [p for p in rows(core.engine, Person) if p.platform_user_id == str(LIWEI["id"])]
    assert {p.can_dm for p in people} == {True}  # opening the private chat makes DMs possible in every team


async def test_private_chat_lists_my_milestones_across_teams(
    fake: FakeTelegram, telegram: TelegramPlatform, core: Core
) -> None:
    await say(fake, NEW)
    await say(fake, "/contract 节点 HT-2026-002 首付款 30% 2027-01-15 @liwei")
    await say(fake, NEW, chat=OTHER_GROUP)
    await say(fake, "/contract 节点 HT-2026-002 尾款 70% 2027-02-15 @liwei", chat=OTHER_GROUP)
    [reply] = await say(fake, "/contract 我的", chat=private_chat(LIWEI))
    text = reply["text"]
    assert "首付款" in text and "尾款" in text and "全部团队" in text


async def test_groups_are_separate_teams(fake: FakeTelegram, telegram: TelegramPlatform, core: Core) -> None:
    await say(fake, NEW)
    [reply] = await say(fake, "/contract 查看 HT-2026-002", chat=OTHER_GROUP)
    assert "⚠️" in reply["text"]
    [reply] = await say(fake, NEW, chat=OTHER_GROUP)  # the same number is free in another team
    assert "已创建合同 HT-2026-002" in reply["text"]
    assert len(rows(core.engine, Contract)) == 2


async def test_user_text_is_escaped_in_html(
    fake: FakeTelegram, telegram: TelegramPlatform, core: Core
) -> None:
    [reply] = await say(fake, "/contract new HT-2026-009 \"<b>x</b>\" Evil&Co 1000")
    assert "&lt;b&gt;x&lt;/b&gt;" in reply["text"]
    assert "<b>x</b>" not in reply["text"]
    assert "Evil&amp;Co" in reply["text"]
    [contract] = rows(core.engine, Contract)
    assert contract.title == "<b>x</b>"  # stored as typed, escaped only when rendered

    [reply] = await say(fake, "/contract new HT-2026-010 \"<a href='tg://user?id=1'>boss</a>\" Acme 1000")
    assert "&lt;a href=&#x27;tg://user?id=1&#x27;&gt;boss&lt;/a&gt;" in reply["text"]
    assert "tg://user?id=1'" not in reply["text"]
    assert '<a href="tg://user?id=1111111">Li Wei</a>' in reply["text"]  # the real owner mention stays a link


async def test_text_mention_becomes_a_known_owner(
    fake: FakeTelegram, telegram: TelegramPlatform, core: Core
) -> None:
    await say(fake, NEW)
    mark = fake.mark()
    fake.push_update(
        load("text_mention_group.json")
    )  # a mention of someone without a @username, after an emoji
    [call] = await fake.wait("sendMessage", since=mark)
    assert '<b>负责人</b>: <a href="tg://user?id=4444444">五 王</a>' in call.params["text"]
    [milestone] = [m for m in rows(core.engine, Milestone) if m.kind == "payment"]
    assert milestone.title == "🎯尾款"
    owner = next(p for p in rows(core.engine, Person) if p.id == milestone.owner_id)
    assert owner.platform_user_id == "4444444"
