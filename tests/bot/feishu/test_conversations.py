"""Conversations over the fake open platform: @mentions in a group, a private chat, cards back with mentions."""

from __future__ import annotations

import re

from sqlmodel import Session, select

from handlers.core import Core
from storage.models import Contract, Milestone, Person, Tenant
from tests.bot.feishu.conftest import GROUP, LIWEI, OTHER_GROUP, ZHANGSAN, Feishu, card_text, markdown_of, message_event
from tests.fakes.feishu_api import FakeFeishu


async def test_a_group_command_with_a_mention_adds_the_milestone_and_mentions_the_owner(
    feishu: Feishu, core: Core
) -> None:
    [created] = await feishu.say("新建 HT-2026-002 华为云采购 华为 120万 到期 2027年12月31日")
    assert created.kind == "send" and created.body["receive_id"] == GROUP
    assert created.query == {"receive_id_type": "chat_id"}
    assert "HT-2026-002" in card_text(created.card)
    [added] = await feishu.say("节点 HT-2026-002 首付款 30% 下周五 @张三")
    card = added.card
    assert card["config"]["update_multi"] is True
    shown = card_text(card)
    assert "2026-12-04" in shown and "首付款" in shown
    assert f"<at id={ZHANGSAN}></at>" in shown  # a real mention: 张三 is notified
    with Session(core.engine) as s:
        m = s.exec(select(Milestone).where(Milestone.title == "首付款")).one()
        owner = s.get(Person, m.owner_id)
        tenant = s.exec(select(Tenant).where(Tenant.external_id == GROUP)).one()
    assert owner is not None and (owner.platform_user_id, owner.display_name) == (ZHANGSAN, "张三")
    assert (tenant.platform, tenant.name) == ("feishu", "销售合同群")


async def test_a_group_message_that_does_not_mention_the_bot_is_not_a_command(feishu: Feishu, core: Core) -> None:
    assert await feishu.say('新建 HT-1 "Deal" Acme 1000 CNY', to_bot=False) == []
    with Session(core.engine) as s:
        assert s.exec(select(Contract)).all() == []
    [help_card] = await feishu.say("")  # a bare @mention asks for help
    assert "新建" in card_text(help_card.card)


async def test_user_text_is_shown_as_typed_and_pings_nobody(feishu: Feishu) -> None:
    title = "<at id=all></at> <at user_id='all'></at> **急** [点我](https://evil.example) :OK: ~~x~~"
    await feishu.say(f'新建 HT-1 "{title}" "Acme <b>" 1000 CNY')
    [shown] = await feishu.say("查看 HT-1")
    markdown = re.sub(r"<at id=ou_[0-9a-f]+></at>", "", "\n".join(markdown_of(shown.card)))  # the bot's own
    for raw in ("<at", "**急**", "[点我]", ":OK:", "~~x~~", "<b>"):
        assert raw not in markdown, raw  # no markup of the user's reaches Feishu's markdown
    assert "&#60;at id&#61;all&#62;&#60;&#47;at&#62;" in markdown or "&#60;at id=all&#62;&#60;&#47;at&#62;" in markdown
    assert "&#42;&#42;急&#42;&#42;" in markdown
    assert title in card_text(shown.card)  # and the title reads as typed
    # a mention typed as text is not a mention either
    [card] = await feishu.say("节点 HT-1 首付款 下周五 <@ou_boss|老板>")
    assert "<at id=ou_boss>" not in card_text(card.card)


async def test_each_group_is_its_own_team(feishu: Feishu) -> None:
    await feishu.say('新建 HT-7 "Secret deal" Acme 1000 CNY')
    [other] = await feishu.say("查看 HT-7", chat=OTHER_GROUP)
    assert "Secret deal" not in card_text(other.card)
    assert other.kind == "ephemeral" and other.body["chat_id"] == OTHER_GROUP  # the error only its sender sees
    [listing] = await feishu.say("列表", chat=OTHER_GROUP)
    assert "HT-7" not in card_text(listing.card)
    [refused] = await feishu.say("settings channel #purchasing")  # the group's news stays in the group
    assert refused.kind == "ephemeral" and "can only go to this chat" in card_text(refused.card)


async def test_a_private_chat_lists_my_milestones_across_my_teams(feishu: Feishu, fake: FakeFeishu) -> None:
    for chat, number in ((GROUP, "HT-1"), (OTHER_GROUP, "HT-2")):
        await feishu.say(f'新建 {number} "Deal" Acme 1000 CNY', chat=chat)
        await feishu.say(f"节点 {number} 交付 下周五 @张三", chat=chat)
    [mine] = await feishu.say("我的", p2p=True, user=ZHANGSAN)
    assert mine.kind == "send" and mine.body["receive_id"] == fake.p2p_chat(ZHANGSAN)
    text = card_text(mine.card)
    assert "HT-1" in text and "HT-2" in text and "销售合同群" in text and "采购合同群" in text


async def test_name_and_time_zone_come_from_the_profile_and_the_language_from_the_client(
    feishu: Feishu, core: Core, fake: FakeFeishu
) -> None:
    fake.add_person(LIWEI, "Li Wei", country="SG")
    [reply] = await feishu.say("help", locale="en_US")
    with Session(core.engine) as s:
        me = s.exec(select(Person).where(Person.platform_user_id == LIWEI)).one()
    assert (me.display_name, me.timezone, me.language) == ("Li Wei", "Asia/Singapore", "en")
    fake.contact_allowed = False  # without the contact permission the bot still answers
    await feishu.say("列表", user=ZHANGSAN)
    with Session(core.engine) as s:
        zhang = s.exec(select(Person).where(Person.platform_user_id == ZHANGSAN)).one()
    assert zhang.timezone is None and zhang.language == "zh"


async def test_a_frequency_limit_on_a_reply_waits_and_keeps_the_chats_order(
    feishu: Feishu, fake: FakeFeishu
) -> None:
    fake.rate_limit(1, receive_id=GROUP)
    mark = fake.mark()
    await feishu.post(message_event('新建 HT-1 "One" Acme 1000 CNY'))
    await feishu.post(message_event('新建 HT-2 "Two" Acme 1000 CNY'))
    calls = await fake.wait("send", 3, since=mark, timeout=10)
    await feishu.platform.idle()
    shown = [("HT-1" in card_text(c.card), "HT-2" in card_text(c.card)) for c in calls]
    assert shown == [(True, False), (True, False), (False, True)]  # refused, sent again, then the next one
    assert calls[1].at - calls[0].at >= 0.9  # waited out x-ogw-ratelimit-reset
    assert calls[0].body["uuid"] == calls[1].body["uuid"]  # Feishu sends one message per uuid


async def test_a_note_feishu_will_not_show_to_one_person_is_posted_in_the_group(
    feishu: Feishu, fake: FakeFeishu
) -> None:
    fake.fail("ephemeral", 230001, "Your request contains an invalid request parameter.")  # e.g. a topic group
    calls = await feishu.say("完成 HT-404")
    assert [c.kind for c in calls] == ["ephemeral", "send"]
    assert calls[1].body["receive_id"] == GROUP and "HT-404" in card_text(calls[1].card)
