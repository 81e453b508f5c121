"""Change requests reach their approvers: DMs with buttons (or a mention), `pending`, `show`, before → after."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import Session, select

from handlers.core import Core
from handlers.messages import IncomingAction, IncomingMessage, Sender
from handlers.replies import PersonRef, Reply, reply_text
from storage.models import ChangeRequest, Contract, Milestone, Person
from tests.chat import Chat


@pytest.fixture
def chat(engine, clock) -> Chat:  # type: ignore[no-untyped-def]
    """alice (first, so admin) owns HT-2026-001 and HT-2026-002; bob owns HT-2026-003; carol is an admin too."""
    c = Chat(Core(engine, clock=clock))
    c.say('new HT-2026-001 "Acme annual license" Acme Corp 1,200,000 CNY ends 2027-12-31')
    c.say("新建 HT-2026-002 华为云采购 华为 120万 到期 2027年12月31日")
    c.say("new HT-2026-003 Globex 500,000 ends 2027-06-30 owner @bob")
    c.say("milestone HT-2026-001 first payment 30% due 2026-12-04 owner @alice")
    c.say("节点 HT-2026-002 首付款 30% 2026-10-01 @张三")
    c.say("milestone HT-2026-003 kickoff due 2027-01-15 owner @bob")
    for who in ("bob", "carol", "dave", "张三"):
        c.say("help", user=who)
    c.say("role @carol admin")
    return c


def mentioned(reply: Reply) -> list[str]:
    """Who a reply mentions, in order."""
    return [span.name for line in reply.lines for span in line if isinstance(span, PersonRef)]


def ms(chat: Chat, title: str) -> Milestone:
    return next(m for m in chat.milestones() if m.title == title)


def status_of(chat: Chat, seq: int) -> str:
    with Session(chat.engine) as s:
        return s.exec(select(ChangeRequest).where(ChangeRequest.seq == seq)).one().status


# --- who is asked ---------------------------------------------------------------------------------------


def test_request_asks_the_owner_and_the_admins_but_never_the_requester(chat: Chat) -> None:
    out = chat.say("change HT-2026-003 kickoff due 2027-01-31 reason customer holidays", user="dave")
    assert "Change request CR-1: due date of kickoff (HT-2026-003)" in out
    [card] = chat.last
    assert mentioned(card) == ["bob", "alice", "carol"]  # the owner first, then the admins
    assert "Please approve or reject: @bob, @alice, @carol" in out
    # the console has no buttons: the approvers are shown what to type
    assert "· approve CR-1" in out and "· reject CR-1" in out

    chat.say("change HT-2026-003 kickoff due 2027-02-15", user="bob")  # the owner asks: only the admins decide
    assert mentioned(chat.last[0]) == ["alice", "carol"]
    chat.say("change HT-2026-001 first payment due 2026-12-11", user="carol")  # an admin asks
    assert mentioned(chat.last[0]) == ["alice"]


def test_request_in_chinese_mentions_the_approvers(chat: Chat) -> None:
    out = chat.say("变更 HT-2026-002 首付款 截止 12月15日 原因 客户要求延期", user="张三")
    assert "变更申请 CR-1" in out and "请 @alice、@carol 审批。" in out
    assert "· 批准 CR-1" in out


def test_nobody_else_to_ask_is_said(engine, clock) -> None:  # type: ignore[no-untyped-def]
    chat = Chat(Core(engine, clock=clock))
    chat.say("new HT-1 Acme 1,000 ends 2027-12-31")
    out = chat.say("change HT-1 end 2028-06-30")
    assert "Nobody else can approve it yet" in out and mentioned(chat.last[0]) == []
    assert "目前没有其他人可以审批" in chat.say("变更 HT-1 到期 2028年7月31日")


def slack_say(core: Core, text: str, user: str, *, chat_id: str = "C0001", lang: str | None = None) -> list[Reply]:
    """A line typed on Slack by a user id (the handle is the id in lower case)."""
    private = chat_id.startswith("D")
    return core.handle(IncomingMessage(platform="slack", tenant_key="-:T0001", text=text,
                                       sender=Sender(user, handle=user.lower(), display_name=user.lower(),
                                                     language=lang),
                                       chat_id=chat_id, chat_type="private" if private else "group"))


@pytest.fixture
def slack(engine, clock) -> Core:  # type: ignore[no-untyped-def]
    """U1 (admin) owns HT-9; U2 owns HT-8; U3 is an admin who reads Chinese; U4 is a member."""
    core = Core(engine, clock=clock)
    slack_say(core, "new HT-9 Acme 100,000 ends 2027-12-31", "U1")
    slack_say(core, "milestone HT-9 first payment 30% due 2027-01-15 owner <@U4|u4>", "U1")
    slack_say(core, "new HT-8 Globex 50,000 ends 2027-12-31 owner <@U2|u2>", "U1")
    for user, lang in (("U2", None), ("U3", "zh-CN"), ("U4", None)):
        slack_say(core, "help", user, lang=lang)
    slack_say(core, "role <@U3|u3> admin", "U1")
    return core


def test_on_slack_each_approver_gets_the_card_with_buttons_in_a_dm(slack: Core) -> None:
    replies = slack_say(slack, "change HT-9 first payment due 2027-01-31 reason invoice late", "U4")
    card, *dms = replies
    assert card.channel is None  # the requester's answer stays in the channel
    assert "Sent for approval to @u1, @u3." in reply_text(card)
    assert {r.channel: r.lang for r in dms} == {"U1": "en", "U3": "zh"}  # the owner (an admin) and the other admin
    en, zh = dms
    assert [a.kind for a in en.actions] == ["approve", "reject"]
    assert "@u4 asks you to approve or reject this change." in reply_text(en)
    assert "You get this as the owner of HT-9." in reply_text(en)
    assert "变更申请 CR-1：first payment (HT-9) 的截止日期" in reply_text(zh)
    assert "您是团队管理员" in reply_text(zh) and [a.label for a in zh.actions] == ["批准", "驳回"]

    # U3 presses Approve in the DM: applied, and told what changed in Chinese
    out = slack.act(IncomingAction(platform="slack", tenant_key="-:T0001", key=zh.actions[0].key, chat_id="D3",
                                   chat_type="private", sender=Sender("U3", handle="u3")))
    text = reply_text(out[0])
    assert "CR-1 已批准并生效" in text
    assert "first payment 的截止日期：2027-01-15 周五 → 2027-01-31 周日" in text
    with Session(slack.engine) as s:
        m = s.exec(select(Milestone).where(Milestone.title == "first payment")).one()
    assert m.due_on == date(2027, 1, 31)
    # the other approver's copy is now out of date, and says so
    later = slack.act(IncomingAction(platform="slack", tenant_key="-:T0001", key=en.actions[0].key, chat_id="D1",
                                     chat_type="private", sender=Sender("U1", handle="u1")))
    assert "already approved" in reply_text(later[0])


def test_on_slack_the_requester_is_left_out_and_the_owner_is_asked(slack: Core) -> None:
    _card, *dms = slack_say(slack, "change HT-8 end 2028-03-31", "U1")  # U1 is an admin asking
    assert [r.channel for r in dms] == ["U2", "U3"]
    assert "You get this as the owner of HT-8." in reply_text(dms[0])


def test_someone_who_cannot_be_dmed_is_mentioned_in_the_contract_channel(slack: Core) -> None:
    slack_say(slack, "role @erin admin", "U1")  # named by handle only: no Slack id to DM yet
    # asked from a DM with the bot: the card goes to the contract's channel with the mention
    replies = slack_say(slack, "change HT-9 end 2028-01-31", "U4", chat_id="D4")
    card, notice, *dms = replies
    assert notice.channel == "C0001" and mentioned(notice) == ["erin"]
    assert [a.kind for a in notice.actions] == ["approve", "reject"]
    assert card.channel is None and mentioned(card) == []
    assert [r.channel for r in dms] == ["U1", "U3"]


def telegram_say(core: Core, text: str, user: str, *, private: bool = False) -> list[Reply]:
    chat = user if private else "-100500"
    return core.handle(IncomingMessage(platform="telegram", tenant_key=chat, text=text,
                                       sender=Sender(user, handle=f"user{user}", display_name=f"user{user}"),
                                       chat_id=chat, chat_type="private" if private else "group"))


def test_on_telegram_only_people_who_started_the_bot_get_a_dm(engine, clock) -> None:  # type: ignore[no-untyped-def]
    core = Core(engine, clock=clock)
    telegram_say(core, "new HT-5 Acme 100,000 ends 2027-12-31", "11")
    telegram_say(core, "help", "22")
    telegram_say(core, "help", "33")
    telegram_say(core, "role @user33 admin", "11")
    telegram_say(core, "help", "33", private=True)  # 33 opened a private chat with the bot
    card, *dms = telegram_say(core, "change HT-5 amount 120,000", "22")
    assert [r.channel for r in dms] == ["33"]
    assert mentioned(card) == ["user11"]  # 11 never started the bot: mentioned in the group instead
    assert "open a private chat with me" in reply_text(card)
    with Session(engine) as s:
        assert s.exec(select(Person).where(Person.platform_user_id == "11")).one().can_dm is False


# --- pending --------------------------------------------------------------------------------------------


def test_pending_lists_open_requests_with_buttons_for_approvers(chat: Chat, clock) -> None:  # type: ignore[no-untyped-def]
    chat.say("change HT-2026-003 kickoff due 2027-01-31", user="dave")
    chat.say("变更 HT-2026-002 首付款 截止 12月15日", user="张三")
    clock.now += timedelta(days=2, hours=3)
    out = chat.say("pending", user="bob")
    assert "Change requests waiting for approval (2)" in out
    assert "CR-1 · HT-2026-003 · kickoff due date: Fri 2027-01-15 → Sun 2027-01-31 · by @dave · 2 d ago" in out
    assert "CR-2 · HT-2026-002 · 首付款 due date: Thu 2026-10-01 → Tue 2026-12-15 · by @张三 · 2 d ago" in out
    # bob owns HT-2026-003 only: buttons for CR-1, none for CR-2
    assert [a.label for a in chat.last[0].actions] == ["Approve CR-1", "Reject CR-1"]
    zh = chat.say("待审批")
    assert "待审批的变更（2）" in zh
    assert "CR-1 · HT-2026-003 · kickoff 的截止日期：2027-01-15 周五 → 2027-01-31 周日 · 申请人 @dave · 2天前" in zh
    assert [a.label for a in chat.last[0].actions] == ["批准 CR-1", "驳回 CR-1", "批准 CR-2", "驳回 CR-2"]
    # the requester may not decide: no buttons, and the rule is said
    chat.say("pending", user="dave")
    assert [a.kind for a in chat.last[0].actions if a.command == "approve CR-1"] == []
    assert "The contract owner or a team admin can approve it" in chat.say("pending", user="dave")


def test_pending_button_approves(chat: Chat) -> None:
    chat.say("change HT-2026-003 kickoff due 2027-01-31", user="dave")
    chat.say("pending", user="bob")
    approve = chat.last[0].actions[0]
    out = chat.core.act(IncomingAction(platform="console", tenant_key="team-a", key=approve.key,
                                       sender=Sender(user_id="bob", handle="bob")))
    assert "CR-1 approved and applied" in reply_text(out[0])
    assert ms(chat, "kickoff").due_on == date(2027, 1, 31)
    assert "No change requests are waiting for approval." in chat.say("pending")
    assert "没有待审批的变更。" in chat.say("待审批")


# --- show -----------------------------------------------------------------------------------------------


def test_show_lists_the_contracts_open_requests(chat: Chat) -> None:
    chat.say("change HT-2026-001 first payment due 2026-12-15", user="bob")
    chat.say("change HT-2026-001 end 2028-01-31", user="dave")
    chat.say("change HT-2026-003 kickoff due 2027-01-31", user="dave")
    out = chat.say("show HT-2026-001")
    assert "Open change requests:" in out
    assert "• CR-1 · first payment due date: Fri 2026-12-04 → Tue 2026-12-15 · by @bob · just now" in out
    assert "• CR-2 · end date: Fri 2027-12-31 → Mon 2028-01-31 · by @dave · just now" in out
    assert "CR-3" not in out  # another contract's request
    chat.say("approve CR-1")
    out = chat.say("查看 HT-2026-001")
    assert "待审批的变更:" in out
    assert "CR-1" not in out and "• CR-2 · 到期日：2027-12-31 周五 → 2028-01-31 周一 · 申请人 @dave · 刚刚" in out
    chat.say("reject CR-2")
    assert "Open change requests" not in chat.say("show HT-2026-001")


# --- deciding -------------------------------------------------------------------------------------------


def test_approval_says_before_and_after_and_applies(chat: Chat) -> None:
    chat.say("change HT-2026-003 kickoff due 2027-01-31", user="dave")
    out = chat.say("approve CR-1", user="bob")
    assert "CR-1 approved and applied" in out and "@dave your change was approved by @bob." in out
    assert "kickoff due date: Fri 2027-01-15 → Sun 2027-01-31" in out
    assert ms(chat, "kickoff").due_on == date(2027, 1, 31)
    assert status_of(chat, 1) == "approved"


def test_approval_in_chinese_says_before_and_after(chat: Chat) -> None:
    chat.say("变更 HT-2026-002 首付款 截止 12月15日 原因 客户要求延期", user="张三")
    out = chat.say("批准 CR-1")
    assert "CR-1 已批准并生效" in out
    assert "首付款 的截止日期：2026-10-01 周四 → 2026-12-15 周二" in out
    assert ms(chat, "首付款").due_on == date(2026, 12, 15)


def test_approving_a_new_contract_amount_lists_what_moved_with_it(chat: Chat) -> None:
    chat.say("change HT-2026-001 amount 1,500,000", user="dave")
    out = chat.say("approve CR-1", user="carol")
    assert "amount: 1,200,000.00 CNY → 1,500,000.00 CNY" in out
    assert "first payment amount: 360,000.00 CNY → 450,000.00 CNY" in out
    with Session(chat.engine) as s:
        contract = s.exec(select(Contract).where(Contract.number == "HT-2026-001")).one()
    assert str(contract.amount) == "1500000.00"


def test_rejection_changes_nothing_and_leaves_pending(chat: Chat) -> None:
    chat.say("change HT-2026-003 kickoff due 2027-01-31", user="dave")
    out = chat.say("reject CR-1 not agreed", user="bob")
    assert "CR-1 rejected; nothing changed" in out and "→" not in out.split("Status")[1]
    assert ms(chat, "kickoff").due_on == date(2027, 1, 15)
    assert status_of(chat, 1) == "rejected"
    assert "No change requests are waiting" in chat.say("pending")
    chat.say("变更 HT-2026-002 首付款 截止 12月15日", user="张三")
    assert "CR-2 已驳回，未做任何修改" in chat.say("驳回 CR-2 未与客户确认")
    assert ms(chat, "首付款").due_on == date(2026, 10, 1)
