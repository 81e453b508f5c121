"""People and roles (members / 成员), who may record money and add milestones, and history told as sentences."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, select

from handlers.context import Ctx, require_payment_actor
from handlers.core import Core
from handlers.errors import Refused
from storage.db import transaction
from storage.models import AuditEvent, Contract, Milestone, Payment, Person, Tenant
from tests.chat import Chat

STAMP = r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}"


@pytest.fixture
def chat(engine, clock) -> Chat:  # type: ignore[no-untyped-def]
    """alice is the admin (first to speak); carol owns HT-2026-001; bob its payments; dave only its delivery."""
    c = Chat(Core(engine, clock=clock))
    c.say('new HT-2026-001 "Acme annual license" Acme Corp 1,200,000 CNY ends 2027-12-31 owner @carol')
    c.say("milestone HT-2026-001 first payment 30% due 2026-12-04 owner @bob")
    c.say("milestone HT-2026-001 mid payment 40% due 2027-03-01 owner @bob")
    c.say("milestone HT-2026-001 delivery due 2027-01-10 owner @dave")
    c.say("新建 HT-2026-002 华为云采购 华为 120万 到期 2027年12月31日")
    c.say("节点 HT-2026-002 首付款 30% 2026-10-01 @张三")
    c.say("节点 HT-2026-002 交付 2027-01-15 @李四")
    return c


def ms(chat: Chat, title: str) -> Milestone:
    return next(m for m in chat.milestones() if m.title == title)


def payments(chat: Chat) -> list[Payment]:
    with Session(chat.engine) as s:
        return list(s.exec(select(Payment)).all())


def line_of(text: str, fragment: str) -> str:
    """The one line of a reply that holds a fragment."""
    found = [line for line in text.split("\n") if fragment in line]
    assert len(found) == 1, (fragment, text)
    return found[0]


# --- members / 成员 ------------------------------------------------------------------------------------------


def test_members_lists_everyone_with_their_role(chat: Chat) -> None:
    chat.say("role @erin viewer")
    out = chat.say("members")
    lines = out.split("\n")
    assert lines[0] == "Team members (7)"
    # admins first, then members, then viewers; by name within a role
    assert lines[1:8] == ["@alice (you) · admin", "@bob · member", "@carol · member", "@dave · member",
                          "@张三 · member", "@李四 · member", "@erin · viewer"]
    assert "viewers only read" in out
    assert "An admin changes a role with: role @bob admin" in out


def test_members_in_chinese_and_for_a_viewer(chat: Chat) -> None:
    chat.say("角色 @erin 查看者")
    out = chat.say("成员", user="erin")  # a viewer may read who is who
    assert "团队成员（7 人）" in out
    assert "@alice · 管理员" in out and "@bob · 成员" in out and "@erin（你） · 查看者" in out
    assert "管理员可以这样修改角色：角色 @王五 管理员" in out
    for alias in ("members", "团队成员"):
        assert "@alice" in chat.say(alias)


def test_members_takes_no_arguments_and_is_in_help(chat: Chat) -> None:
    assert "members takes nothing after it" in chat.say("members HT-2026-001")
    assert "Example: members" in chat.say("members HT-2026-001")
    assert "“成员”后面不需要加内容" in chat.say("成员 HT-2026-002")
    assert "  members" in chat.say("help").split("History, roles and help")[1]
    assert "  成员" in chat.say("帮助").split("历史、角色与帮助")[1]


# --- who may record a payment, who may add a milestone --------------------------------------------------------


def test_owner_of_another_milestone_may_not_record_a_payment(chat: Chat) -> None:
    out = chat.say("paid HT-2026-001 360,000 for first payment", user="dave")
    assert "only the owner of HT-2026-001, a team admin or the owner of first payment" in out
    out = chat.say("paid HT-2026-001 100,000", user="dave")  # unnamed: it would settle bob's first payment
    assert "owner of first payment" in out
    out = chat.say("回款 HT-2026-001 10万 首付款", user="dave")
    assert "只有 HT-2026-001 的负责人、团队管理员或 first payment 的负责人可以登记这笔回款" in out
    assert payments(chat) == []
    assert ms(chat, "first payment").status == "open"


def test_payment_milestone_owner_contract_owner_and_admin_may_record(chat: Chat) -> None:
    assert "first payment paid in full" in chat.say("paid HT-2026-001 360,000 for first payment", user="bob")
    assert "mid payment: 100,000.00 CNY received" in chat.say("paid HT-2026-001 100,000", user="carol")
    assert "已登记回款" in chat.say("回款 HT-2026-002 10万 首付款", user="张三")
    assert "Payment P-4" in chat.say("paid HT-2026-001 1,000")  # alice, the admin
    assert len(payments(chat)) == 4


def test_a_viewer_may_not_record_a_payment(chat: Chat) -> None:
    chat.say("role @bob viewer")
    assert "viewers can read" in chat.say("paid HT-2026-001 360,000 for first payment", user="bob")
    assert payments(chat) == []


def _ctx(chat: Chat, s: Session, who: str) -> Ctx:
    tenant = s.exec(select(Tenant)).first()
    person = s.exec(select(Person).where(Person.handle == who)).one()
    assert tenant is not None
    return Ctx(session=s, tenant=tenant, person=person, lang="en", now=datetime(2026, 11, 27, 3, tzinfo=UTC))


def test_require_payment_actor(chat: Chat) -> None:
    chat.say("hello", user="dave")
    chat.say("role @erin viewer")
    with Session(chat.engine) as s:
        contract = s.exec(select(Contract).where(Contract.number == "HT-2026-001")).one()
        first = s.exec(select(Milestone).where(Milestone.title == "first payment")).one()
        delivery = s.exec(select(Milestone).where(Milestone.title == "delivery")).one()
        require_payment_actor(_ctx(chat, s, "bob"), contract, [first])  # owns the milestone paid
        require_payment_actor(_ctx(chat, s, "carol"), contract, [])  # owns the contract
        require_payment_actor(_ctx(chat, s, "alice"), contract, [first])  # admin
        with pytest.raises(Refused) as err:
            require_payment_actor(_ctx(chat, s, "dave"), contract, [first])
        assert err.value.key == "err.payment_actor" and err.value.params["titles"] == "first payment"
        with pytest.raises(Refused) as err:
            require_payment_actor(_ctx(chat, s, "dave"), contract, [])  # money no milestone of his is for
        assert err.value.key == "err.payment_actor_unplanned"
        require_payment_actor(_ctx(chat, s, "dave"), contract, [delivery])  # were his milestone the one paid
        delivery.owner_id = s.exec(select(Person).where(Person.handle == "erin")).one().id
        with pytest.raises(Refused) as err:
            require_payment_actor(_ctx(chat, s, "erin"), contract, [delivery])  # viewers never write
        assert err.value.key == "err.viewer"


def test_only_the_contract_owner_or_an_admin_adds_milestones(chat: Chat) -> None:
    out = chat.say("milestone HT-2026-001 extra due 2027-01-01", user="bob")  # owns milestones, not the contract
    assert "only the owner of HT-2026-001 or a team admin" in out
    assert "抱歉，只有 HT-2026-001 的负责人或团队管理员可以操作" in chat.say("节点 HT-2026-001 验收 2027-02-01", user="dave")
    assert [m.title for m in chat.milestones() if m.title in ("extra", "验收")] == []


def test_contract_owner_and_admin_add_milestones(chat: Chat) -> None:
    assert "Milestone added to HT-2026-001" in chat.say("milestone HT-2026-001 acceptance due 2027-02-01", user="carol")
    assert "Milestone added to HT-2026-001" in chat.say("milestone HT-2026-001 warranty due 2028-01-01")
    chat.say("role @erin viewer")
    assert "viewers can read" in chat.say("milestone HT-2026-001 extra due 2027-01-01", user="erin")


# --- history / 历史 -------------------------------------------------------------------------------------------


def test_history_tells_what_happened_in_english(chat: Chat) -> None:
    chat.say("done HT-2026-001 delivery", user="dave")
    chat.say("paid HT-2026-001 360,000 on 2026-11-25 for first payment", user="bob")
    chat.say("change HT-2026-001 mid payment due 2027-01-31 reason customer asked", user="bob")
    chat.say("approve CR-1", user="carol")
    out = chat.say("history HT-2026-001")
    assert re.search(rf"^{STAMP} @alice created contract HT-2026-001 “Acme annual license” with Acme Corp, "
                     r"1,200,000\.00 CNY, ending Fri 2027-12-31, owner @carol$", out, re.M), out
    assert re.search(rf"^{STAMP} @alice added milestone first payment due Fri 2026-12-04, 360,000\.00 CNY, "
                     r"owner @bob$", out, re.M)
    assert re.search(rf"^{STAMP} @dave marked delivery done$", out, re.M)
    paid = line_of(out, "recorded a payment")
    assert paid.endswith("@bob recorded a payment of 360,000.00 CNY (P-1) received Wed 2026-11-25 "
                         "for first payment 360,000.00 CNY")
    closed = line_of(out, "closed first payment")
    assert closed.endswith("@bob closed first payment as paid in full")
    assert out.index(paid) < out.index(closed)  # the payment, then what it closed
    assert line_of(out, "requested change").endswith(
        "@bob requested change CR-1: due date of mid payment from Mon 2027-03-01 to Sun 2027-01-31 (customer asked)")
    approved = line_of(out, "approved change")
    assert approved.endswith("@carol approved change CR-1 requested by @bob")
    moved = line_of(out, "moved mid payment")
    assert moved.endswith("@carol moved mid payment from Mon 2027-03-01 to Sun 2027-01-31 (CR-1, customer asked)")
    assert out.index(approved) < out.index(moved)
    # no field dumps: every line is a sentence
    assert not re.search(r"\w=\S|\bseq\b|due_on|owner_id|→", out), out


def test_history_tells_what_happened_in_chinese(chat: Chat) -> None:
    chat.say("完成 HT-2026-002 交付", user="李四")
    chat.say("回款 HT-2026-002 10万 首付款", user="张三")
    chat.say("变更 HT-2026-002 首付款 截止 2027-01-31 原因 客户要求延期", user="张三")
    chat.say("批准 CR-1")
    out = chat.say("历史 HT-2026-002")
    assert "HT-2026-002 的历史" in out
    assert re.search(rf"^{STAMP} @alice 创建了合同 HT-2026-002「华为云采购」，对方 华为，金额 1,200,000\.00 CNY，"
                     r"2027-12-31 周五 到期$", out, re.M), out
    assert re.search(rf"^{STAMP} @alice 添加了节点 首付款，截止 2026-10-01 周四，金额 360,000\.00 CNY，负责人 @张三$",
                     out, re.M)
    assert re.search(rf"^{STAMP} @李四 完成了 交付$", out, re.M)
    assert line_of(out, "登记了回款").endswith("@张三 登记了回款 P-1：100,000.00 CNY，到账日 2026-11-27 周五，计入 首付款 "
                                              "100,000.00 CNY")
    assert line_of(out, "提交了变更").endswith(
        "@张三 提交了变更 CR-1：把 首付款 的截止日期从 2026-10-01 周四 改为 2027-01-31 周日（客户要求延期）")
    assert line_of(out, "批准了").endswith("@alice 批准了 @张三 提交的变更 CR-1")
    assert line_of(out, "改为 2027-01-31 周日（CR-1").endswith(
        "@alice 把 首付款 的截止日期从 2026-10-01 周四 改为 2027-01-31 周日（CR-1，客户要求延期）")
    assert not re.search(r"\w=\S|\bseq\b|due_on|owner_id|→", out), out


def test_history_of_undo_snooze_reassign_note_and_end(chat: Chat) -> None:
    chat.say("paid HT-2026-001 360,000 for first payment")
    if "?" in chat.say("undo P-1"):  # asked to confirm
        chat.say("yes")
    chat.say("snooze HT-2026-001 mid payment until 2026-12-20", user="bob")
    chat.say("note HT-2026-001 mid payment: invoice sent to Acme", user="bob")
    chat.say("reassign HT-2026-001 mid payment @dave")
    chat.say("end HT-2026-001 customer left", user="carol")
    out = chat.say("history HT-2026-001")
    reversed_ = line_of(out, "reversed a payment")
    assert reversed_.endswith("@alice reversed a payment of 360,000.00 CNY (P-1)")
    assert out.index(reversed_) < out.index(line_of(out, "reopened first payment"))
    assert "@bob snoozed mid payment until Sun 2026-12-20" in out
    assert "@bob added a note to mid payment: “invoice sent to Acme”" in out
    assert "@alice gave mid payment to @dave (was @bob)" in out
    assert ("@carol ended HT-2026-001 (customer left); cancelled first payment, delivery, mid payment, "
            "renewal notice") in out
    zh = chat.say("历史 HT-2026-001")
    assert "@alice 撤销了回款 P-1（360,000.00 CNY）" in zh and "@alice 重新打开了 first payment" in zh
    assert "@alice 把 mid payment 转交给 @dave（原为 @bob）" in zh
    assert "@carol 终止了 HT-2026-001（customer left）" in zh


def test_history_times_are_in_the_team_time_zone(chat: Chat) -> None:
    with Session(chat.engine) as s:
        created = s.exec(select(AuditEvent).where(AuditEvent.action == "contract.created")).first()
    assert created is not None
    out = chat.say("history HT-2026-001")
    assert f"{created.at.astimezone(ZoneInfo('Asia/Shanghai')):%Y-%m-%d %H:%M} @alice created contract" in out
    chat.say("settings timezone America/New_York")
    out = chat.say("history HT-2026-001")
    assert f"{created.at.astimezone(ZoneInfo('America/New_York')):%Y-%m-%d %H:%M} @alice created contract" in out


def test_history_has_a_readable_fallback_for_unknown_actions(chat: Chat) -> None:
    m = ms(chat, "first payment")
    with transaction(chat.engine) as s:
        s.add(AuditEvent(tenant_id=m.tenant_id, actor_id=None, action="milestone.shifted_weekend", entity="milestone",
                         entity_id=m.id, contract_id=m.contract_id, before='{"due_on": "2026-12-05"}',
                         after='{"due_on": "2026-12-07", "id": 3}'))
    out = chat.say("history HT-2026-001")
    assert "the bot did “milestone shifted weekend”: due on from Sat 2026-12-05 to Mon 2026-12-07" in out
    zh = chat.say("历史 HT-2026-001")
    assert "系统 执行了“milestone shifted weekend”：due on从 2026-12-05 周六 改为 2026-12-07 周一" in zh


def test_history_of_a_write_off(chat: Chat) -> None:
    m = ms(chat, "first payment")
    with transaction(chat.engine) as s:
        s.add(AuditEvent(tenant_id=m.tenant_id, actor_id=m.owner_id, action="milestone.waived", entity="milestone",
                         entity_id=m.id, contract_id=m.contract_id, before='{"status": "open"}',
                         after='{"status": "waived", "written_off": "360000.00", "reason": "customer discount"}'))
    assert "@bob wrote off the 360,000.00 CNY still owed on first payment and closed it (customer discount)" in \
        chat.say("history HT-2026-001")
    assert "@bob 核销了 first payment 尚欠的 360,000.00 CNY 并关闭（customer discount）" in chat.say("历史 HT-2026-001")
