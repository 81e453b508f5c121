"""Corrections (issue #11): `edit` / `修改` fixes a typo and `delete` / `删除` cancels a milestone, without approval.

Only the contract owner or an admin may correct; each correction runs the checks its creation runs, shows
before → after in the sender's language, and writes one audit event with both. A refused one writes nothing.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import text
from sqlmodel import Session, SQLModel, col, select

from handlers.core import Core
from storage.models import AuditEvent, ChangeRequest, Contract, Milestone, Person, Reminder
from tests.chat import Chat


@pytest.fixture
def chat(engine, clock) -> Chat:  # type: ignore[no-untyped-def]
    """alice (first, so admin) owns HT-2026-001 and HT-2026-002; bob owns HT-2026-003; dave is a member,
    vic a viewer. Today is Fri 2026-11-27 in Shanghai."""
    c = Chat(Core(engine, clock=clock))
    c.say('new HT-2026-001 "Acme annual license" Acme Corp 1,200,000 CNY ends 2027-12-31')
    c.say("新建 HT-2026-002 华为云采购 华为 120万 到期 2027年12月31日")
    c.say("new HT-2026-003 Globex 500,000 ends 2027-06-30 owner @bob")
    c.say("milestone HT-2026-001 first payment 30% due 2026-12-04 owner @alice")
    c.say("milestone HT-2026-001 final payment 500,000 due 2027-06-04 owner @dave")
    c.say("节点 HT-2026-002 首付款 30% 2026-12-04 @张三")
    c.say("节点 HT-2026-002 尾款 50万 2027-06-04")
    c.say("milestone HT-2026-003 kickoff due 2027-01-15 owner @bob")
    for who in ("bob", "dave", "vic", "张三"):
        c.say("help", user=who)
    c.say("role @vic viewer")
    return c


# --- helpers -------------------------------------------------------------------------------------------------


def contract(chat: Chat, number: str) -> Contract:
    return next(c for c in chat.contracts() if c.number == number)


def ms(chat: Chat, title: str) -> Milestone:
    return next(m for m in chat.milestones(renewals=True) if m.title == title)


def person_id(chat: Chat, handle: str) -> int:
    with Session(chat.engine) as s:
        return s.exec(select(Person.id).where(Person.handle == handle)).one() or 0


def audits(chat: Chat) -> list[AuditEvent]:
    with Session(chat.engine) as s:
        return list(s.exec(select(AuditEvent).order_by(col(AuditEvent.id))).all())


def new_events(chat: Chat, line: str, *, user: str | None = None) -> tuple[str, list[AuditEvent]]:
    """Say a line; return the reply and the audit events it wrote."""
    seen = len(audits(chat))
    out = chat.say(line, user=user)
    return out, audits(chat)[seen:]


def ledger(chat: Chat) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table: what "writes nothing" is checked against."""
    with Session(chat.engine) as s:
        return {t.name: [tuple(r) for r in s.execute(text(f'SELECT * FROM "{t.name}" ORDER BY 1')).all()]
                for t in SQLModel.metadata.sorted_tables}


def refused(chat: Chat, line: str, *, user: str | None = None) -> str:
    """Say a line that must be refused: it writes nothing (same ledger, no audit row) and says why."""
    before, events = ledger(chat), len(audits(chat))
    out = chat.say(line, user=user)
    assert chat.last and chat.last[0].error, out
    assert len(audits(chat)) == events, out
    assert ledger(chat) == before, out
    return out


def pending(chat: Chat, title: str) -> list[Reminder]:
    with Session(chat.engine) as s:
        return list(s.exec(select(Reminder).where(Reminder.milestone_id == ms(chat, title).id,
                                                  Reminder.status == "pending")).all())


# --- contract fields, English -------------------------------------------------------------------------------


def test_every_contract_field_in_english(chat: Chat) -> None:
    out = chat.say("edit HT-2026-001 title Acme annual license 2027")
    assert "Corrected HT-2026-001" in out and "title: Acme annual license → Acme annual license 2027" in out
    out = chat.say("edit HT-2026-001 counterparty Acme Corporation")
    assert "counterparty: Acme Corp → Acme Corporation" in out
    out = chat.say("fix HT-2026-001 amount 1,300,000")
    assert "amount: 1,200,000.00 CNY → 1,300,000.00 CNY" in out
    out = chat.say("correct HT-2026-001 currency usd")
    assert "currency: CNY → USD" in out
    out = chat.say("edit HT-2026-001 starts 2026-01-01")
    assert "start date: - → Thu 2026-01-01" in out
    out = chat.say("edit HT-2026-001 ends 2028-06-30")
    assert "end date: Fri 2027-12-31 → Fri 2028-06-30" in out and "Renewal is tracked" in out
    out = chat.say("edit HT-2026-001 signed 2026-11-01")
    assert "signing date: - → Sun 2026-11-01" in out
    out = chat.say("edit HT-2026-001 owner @bob")
    assert "owner: @alice → @bob" in out
    out = chat.say("edit HT-2026-001 channel #contracts")
    assert "channel: team-a → contracts" in out
    c = contract(chat, "HT-2026-001")
    assert (c.title, c.counterparty, c.amount, c.currency) == ("Acme annual license 2027", "Acme Corporation",
                                                               Decimal("1300000.00"), "USD")
    assert (c.start_on, c.end_on, c.signed_on) == (date(2026, 1, 1), date(2028, 6, 30), date(2026, 11, 1))
    assert (c.owner_id, c.channel) == (person_id(chat, "bob"), "contracts")
    assert not chat.last[0].error
    assert [cr for cr in _changes(chat)] == []  # corrections are not change requests


def _changes(chat: Chat) -> list[ChangeRequest]:
    with Session(chat.engine) as s:
        return list(s.exec(select(ChangeRequest)).all())


def test_every_contract_field_in_chinese(chat: Chat) -> None:
    out = chat.say("修改 HT-2026-002 名称 华为云采购二期")
    assert "已更正 HT-2026-002" in out and "名称：华为云采购 → 华为云采购二期" in out
    assert "对方：华为 → 华为技术有限公司" in chat.say("修改 HT-2026-002 对方 华为技术有限公司")
    assert "金额：1,200,000.00 CNY → 1,300,000.00 CNY" in chat.say("修改 HT-2026-002 金额 130万")
    assert "币种：CNY → USD" in chat.say("更正 HT-2026-002 币种 美元")
    assert "开始日期：- → 2026-01-01 周四" in chat.say("修改 HT-2026-002 开始 2026年1月1日")
    assert "到期日：2027-12-31 周五 → 2028-06-30 周五" in chat.say("修改 HT-2026-002 到期 2028年6月30日")
    assert "签订日期：- → 2026-11-01 周日" in chat.say("修改 HT-2026-002 签订 2026年11月1日")
    assert "负责人：@alice → @张三" in chat.say("修改 HT-2026-002 负责人 @张三")
    assert "频道：team-a → 合同" in chat.say("修改HT-2026-002 频道 #合同")  # the verb may be glued on
    c = contract(chat, "HT-2026-002")
    assert (c.title, c.counterparty, c.amount, c.currency) == ("华为云采购二期", "华为技术有限公司",
                                                               Decimal("1300000.00"), "USD")
    assert (c.start_on, c.end_on, c.signed_on) == (date(2026, 1, 1), date(2028, 6, 30), date(2026, 11, 1))
    assert (c.owner_id, c.channel) == (person_id(chat, "张三"), "合同")


def test_field_words_of_either_language_work_in_both(chat: Chat) -> None:
    out = chat.say("修改 HT-2026-002 title 华为云")
    assert "名称：华为云采购 → 华为云" in out  # Chinese on the line: a Chinese reply
    chat.say("edit HT-2026-001 金额 1,300,000")
    assert contract(chat, "HT-2026-001").amount == Decimal("1300000.00")
    chat.say("edit HT-2026-001 到期 2028-01-31")
    assert contract(chat, "HT-2026-001").end_on == date(2028, 1, 31)
    out = chat.say("更正 HT-2026-002 名称：华为云二期")  # a colon after the field word
    assert "华为云 → 华为云二期" in out
    out = chat.say("edit HT-2026-003 name Globex supply", user="bob")
    assert "title: Globex → Globex supply" in out


# --- milestone fields ---------------------------------------------------------------------------------------


def test_milestone_name_amount_and_kind_in_english(chat: Chat) -> None:
    out = chat.say("edit HT-2026-001 final payment name balance payment")
    assert "Corrected final payment of HT-2026-001" in out and "name: final payment → balance payment" in out
    out = chat.say("edit HT-2026-001 balance payment amount 400,000")
    assert "amount: 500,000.00 CNY → 400,000.00 CNY" in out
    assert "Payments planned: 760,000.00 CNY of 1,200,000.00 CNY" in out
    out = chat.say("edit HT-2026-001 first payment amount 40%")  # a percentage of the contract amount
    assert "amount: 360,000.00 CNY (30%) → 480,000.00 CNY (40%)" in out
    out = chat.say("edit HT-2026-001 balance payment kind delivery")
    assert "kind: payment → delivery" in out
    first, balance = ms(chat, "first payment"), ms(chat, "balance payment")
    assert (first.amount, first.percent) == (Decimal("480000.00"), Decimal(40))
    assert (balance.amount, balance.percent, balance.kind) == (Decimal("400000.00"), None, "delivery")
    out = chat.say("edit HT-2026-001 first payment amount 450,000")  # money again: no longer a percentage
    assert "480,000.00 CNY (40%) → 450,000.00 CNY" in out
    assert ms(chat, "first payment").percent is None


def test_milestone_name_amount_and_kind_in_chinese(chat: Chat) -> None:
    out = chat.say("修改 HT-2026-002 尾款 名称 验收款")
    assert "已更正 HT-2026-002 的节点 尾款" in out and "名称：尾款 → 验收款" in out
    out = chat.say("修改 HT-2026-002 验收款 金额 60万")
    assert "金额：500,000.00 CNY → 600,000.00 CNY" in out
    out = chat.say("修改 HT-2026-002 首付款金额 百分之三十五")  # the field word glued to the name
    assert "金额：360,000.00 CNY (30%) → 420,000.00 CNY (35%)" in out
    out = chat.say("修改 HT-2026-002 验收款 类型 验收")
    assert "类型：付款 → 验收" in out
    assert ms(chat, "验收款").kind == "acceptance" and ms(chat, "首付款").amount == Decimal("420000.00")


def test_a_milestone_whose_name_holds_a_field_word(chat: Chat) -> None:
    chat.say("milestone HT-2026-001 customer acceptance 100,000 due 2027-03-01")
    chat.say('milestone HT-2026-001 "start payment" 100,000 due 2027-02-01')
    out = chat.say("edit HT-2026-001 customer acceptance amount 150,000")
    assert "Corrected customer acceptance of HT-2026-001" in out
    assert ms(chat, "customer acceptance").amount == Decimal("150000.00")
    assert contract(chat, "HT-2026-001").counterparty == "Acme Corp"
    chat.say("edit HT-2026-001 start payment amount 120,000")
    assert ms(chat, "start payment").amount == Decimal("120000.00")
    chat.say('edit HT-2026-001 "start payment" name kickoff payment')  # a quoted name may hold anything
    assert ms(chat, "kickoff payment").amount == Decimal("120000.00")


def test_percent_milestones_follow_a_new_contract_amount(chat: Chat) -> None:
    out, events = new_events(chat, "edit HT-2026-001 amount 1,000,000")
    assert "first payment amount: 360,000.00 CNY → 300,000.00 CNY (30%)" in out
    assert ms(chat, "first payment").amount == Decimal("300000.00")
    assert ms(chat, "final payment").amount == Decimal("500000.00")  # money stays money
    [event] = events
    assert event.action == "contract.edited"
    assert json.loads(event.before or "") == {"amount": "1200000.00", "milestones": {"first payment": "360000.00"}}
    assert json.loads(event.after or "") == {"amount": "1000000.00", "milestones": {"first payment": "300000.00"}}
    # 30% of 700,000 + 500,000 is more than 700,000: refused, the milestone keeps its amount
    out = refused(chat, "edit HT-2026-001 amount 700,000")
    assert "below what is already planned or received (710,000.00 CNY)" in out


# --- one audit event, before and after ----------------------------------------------------------------------


@pytest.mark.parametrize(("line", "entity", "before", "after"), [
    ("edit HT-2026-001 title Acme license", "contract", {"title": "Acme annual license"}, {"title": "Acme license"}),
    ("edit HT-2026-001 signed 2026-11-02", "contract", {"signed_on": None}, {"signed_on": "2026-11-02"}),
    ("edit HT-2026-001 currency EUR", "contract", {"currency": "CNY"}, {"currency": "EUR"}),
    ("edit HT-2026-001 channel #ops", "contract", {"channel": "team-a"}, {"channel": "ops"}),
    ("修改 HT-2026-001 开始 2026年2月1日", "contract", {"start_on": None}, {"start_on": "2026-02-01"}),
    ("edit HT-2026-001 final payment name balance", "milestone", {"title": "final payment"}, {"title": "balance"}),
    ("edit HT-2026-001 final payment amount 10%", "milestone", {"amount": "500000.00", "percent": None},
     {"amount": "120000.00", "percent": "10"}),
    ("修改 HT-2026-001 final payment 类型 质保", "milestone", {"kind": "payment"}, {"kind": "warranty"}),
])
def test_each_correction_is_one_audit_event_with_before_and_after(chat: Chat, line: str, entity: str,
                                                                  before: dict[str, object],
                                                                  after: dict[str, object]) -> None:
    _out, events = new_events(chat, line)
    [event] = events
    assert (event.action, event.entity) == (f"{entity}.edited", entity)
    assert event.actor_id == person_id(chat, "alice")
    assert event.contract_id == contract(chat, "HT-2026-001").id
    got_before, got_after = json.loads(event.before or ""), json.loads(event.after or "")
    if "percent" in after:  # a percentage column keeps its scale
        got_after["percent"] = f"{Decimal(got_after['percent']).normalize():f}"
    assert (got_before, got_after) == (before, after)


def test_end_date_moves_the_renewal_notice_and_the_status(chat: Chat, clock) -> None:  # type: ignore[no-untyped-def]
    out, events = new_events(chat, "edit HT-2026-003 ends 2026-11-01", user="bob")
    assert "end date: Wed 2027-06-30 → Sun 2026-11-01" in out
    c = contract(chat, "HT-2026-003")
    assert c.status == "expired"
    edited = [e for e in events if e.action == "contract.edited"]
    assert len(edited) == 1
    assert json.loads(edited[0].before or "") == {"end_on": "2027-06-30", "status": "active"}
    assert json.loads(edited[0].after or "") == {"end_on": "2026-11-01", "status": "expired"}
    # the renewal notice is the bot's own: it follows the end date (cancelled when the contract has expired)
    assert [e.action for e in events if e.action != "contract.edited"] == ["milestone.cancelled"]
    chat.say("edit HT-2026-003 ends 2027-12-31", user="bob")
    c = contract(chat, "HT-2026-003")
    assert c.status == "active"
    notice = [m for m in chat.milestones(renewals=True) if m.contract_id == c.id and m.kind == "renewal"
              and m.status == "open"]
    assert [m.due_on for m in notice] == [date(2027, 12, 31)]
    assert pending(chat, "kickoff")  # the open milestones were planned again


def test_owner_correction_replans_and_moves_the_renewal_notice(chat: Chat) -> None:
    out = chat.say("edit HT-2026-001 owner @dave")
    assert "owner: @alice → @dave" in out and "Reminders re-planned" in out
    c = contract(chat, "HT-2026-001")
    notice = [m for m in chat.milestones(renewals=True) if m.contract_id == c.id and m.kind == "renewal"]
    assert [m.owner_id for m in notice] == [person_id(chat, "dave")]
    assert pending(chat, "first payment")


# --- delete / 删除 ---------------------------------------------------------------------------------------------


def test_delete_cancels_the_milestone_keeps_the_reason_and_stops_its_reminders(chat: Chat) -> None:
    assert pending(chat, "final payment")
    out, events = new_events(chat, "delete HT-2026-001 final payment reason entered twice")
    assert "Deleted final payment of HT-2026-001; its reminders stopped." in out
    assert "Reason: entered twice" in out
    m = ms(chat, "final payment")
    assert m.status == "cancelled" and "deleted: entered twice" in (m.note or "")
    assert pending(chat, "final payment") == []
    [event] = events
    assert (event.action, event.entity, event.entity_id) == ("milestone.cancelled", "milestone", m.id)
    assert json.loads(event.before or "") == {"status": "open"}
    assert json.loads(event.after or "") == {"status": "cancelled", "reason": "entered twice"}
    # it no longer counts in the plan: the room it took is free again
    assert "Payments planned: 360,000.00 CNY of 1,200,000.00 CNY" in out
    shown = chat.say("show HT-2026-001")
    assert "final payment · Fri 2027-06-04 [cancelled]" in shown
    assert "cancelled final payment" in chat.say("history HT-2026-001")


def test_delete_in_chinese(chat: Chat) -> None:
    out = chat.say("删除 HT-2026-002 尾款 原因 重复录入")
    assert "已删除 HT-2026-002 的节点 尾款，提醒已停止。" in out and "原因: 重复录入" in out
    assert ms(chat, "尾款").status == "cancelled" and "已删除：重复录入" in (ms(chat, "尾款").note or "")
    out = chat.say("删掉 HT-2026-002 首付款")  # no reason needed
    assert "已删除 HT-2026-002 的节点 首付款" in out and ms(chat, "首付款").status == "cancelled"
    out = chat.say("remove HT-2026-003 kickoff", user="bob")
    assert "Deleted kickoff of HT-2026-003" in out


def test_a_milestone_with_money_received_cannot_be_deleted(chat: Chat) -> None:
    chat.say("paid HT-2026-001 100,000 for first payment")
    out = refused(chat, "delete HT-2026-001 first payment")
    assert "has 100,000.00 CNY received on it and can't be deleted; undo the payment first: undo P-1" in out
    out = refused(chat, "删除 HT-2026-001 first payment")
    assert "已回款 100,000.00 CNY，不能删除；请先撤销回款：撤销 P-1" in out
    chat.say("undo P-1 confirm")
    assert "Deleted first payment" in chat.say("delete HT-2026-001 first payment")


# --- refusals write nothing ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("line", "user", "says"), [
    # the plan cap: milestone amounts stay within the contract amount
    ("edit HT-2026-001 final payment amount 900,000", None, "Planned payments would total 1,260,000.00 CNY"),
    ("修改 HT-2026-002 尾款 金额 90万", None, "计划付款合计将达 1,260,000.00 CNY"),
    ("edit HT-2026-001 amount 700,000", None, "below what is already planned or received (710,000.00 CNY)"),
    ("修改 HT-2026-002 金额 50万", None, "低于已计划或已回款的金额（650,000.00 CNY）"),
    ("edit HT-2026-001 amount 30%", None, "A contract's amount is money, not a percentage"),
    ("edit HT-2026-001 first payment amount 120%", None, "can't be over 100"),
    ("edit HT-2026-001 amount -5", None, "more than zero"),
    ("edit HT-2026-001 amount abc", None, "can't read “abc” as an amount"),
    # currency: a known code, and the amount in the contract's currency
    ("edit HT-2026-001 currency XYZ", None, "Unknown currency “XYZ”"),
    ("修改 HT-2026-002 币种 ABC", None, "ABC"),
    ("edit HT-2026-001 amount 1,300,000 USD", None, "Contract HT-2026-001 is in CNY, not USD"),
    # dates: readable, and the end not before the start
    ("edit HT-2026-001 starts 2028-01-01", None, "The end date Fri 2027-12-31 is before the start date"),
    ("修改 HT-2026-002 到期 2月30日", None, "2月30日"),
    ("edit HT-2026-001 ends someday", None, "can't read “someday” as a date"),
    ("edit HT-2026-001 ends 2027-02-30", None, "2027-02-30"),
    # names and values
    ("edit HT-2026-001 title " + "x" * 256, None, "too long (256 characters); keep it to 255"),
    ("edit HT-2026-001", None, "Say what to correct"),
    ("edit HT-2026-001 title", None, "Give the new value"),
    ("edit HT-2026-001 kind payment", None, "Say what to correct"),
    ("edit HT-2026-001 title Acme annual license", None, "already Acme annual license; nothing changed"),
    ("edit HT-2026-001 first payment due 2026-12-20", None, "only its name, amount or kind"),
    ("修改 HT-2026-002 首付款 截止 12月20日", None, "只能更正名称、金额或类型"),
    ("edit HT-2026-001 first payment kind banana", None, "Unknown kind “banana”"),
    ("edit HT-2026-001 nothing amount 5,000", None, "no open milestone “nothing”"),
    ("edit HT-2026-001 payment amount 5,000", None, "fits several milestones of HT-2026-001: first payment, "
                                                  "final payment"),
    ("edit HT-2026-001 renewal notice name renewal", None, "follows its end date and notice period"),
    ("edit HT-2026-001 owner bob", None, "@mention"),
    ("edit HT-2026-001 owner @vic", None, "@vic is a viewer"),
    ("edit HT-2026-999 title X", None, "HT-2026-999"),
    ("delete HT-2026-001", None, "say which: first payment, final payment"),
    ("delete HT-2026-001 renewal notice", None, "correct the end date instead"),
    # permissions: only the contract owner or an admin
    ("edit HT-2026-001 title Mine now", "dave", "only the owner of HT-2026-001 or a team admin"),
    ("edit HT-2026-001 final payment amount 400,000", "dave", "only the owner of HT-2026-001"),
    ("delete HT-2026-001 final payment", "dave", "only the owner of HT-2026-001"),
    ("修改 HT-2026-002 首付款 金额 10万", "张三", "只有 HT-2026-002 的负责人或团队管理员"),
    ("删除 HT-2026-002 首付款", "张三", "只有 HT-2026-002 的负责人或团队管理员"),
    ("edit HT-2026-003 title Globex", "vic", None),
    ("edit HT-2026-001 title Mine now", "bob", "only the owner of HT-2026-001"),
])
def test_a_refused_correction_writes_nothing(chat: Chat, line: str, user: str | None, says: str | None) -> None:
    out = refused(chat, line, user=user)
    if says is not None:
        assert says in out, out
    lang_zh = any("\u4e00" <= ch <= "\u9fff" for ch in line)
    assert ("⚠️" in out) and (lang_zh == any("\u4e00" <= ch <= "\u9fff" for ch in out.split("\n")[0])), out


def test_dates_keep_their_order_in_chinese_too(chat: Chat) -> None:
    chat.say("修改 HT-2026-002 开始 2026年1月1日")
    out = refused(chat, "修改 HT-2026-002 到期 2025年12月31日")
    assert "到期日 2025-12-31 周三 早于开始日 2026-01-01 周四" in out
    assert "早于开始日" in refused(chat, "修改 HT-2026-002 开始 2028年1月1日")
    assert "签订日期" in chat.say("修改 HT-2026-002 签订 2025年12月1日")  # a signing date may be before the start


def test_currency_cannot_change_once_money_was_received(chat: Chat) -> None:
    chat.say("paid HT-2026-001 100,000 for first payment")
    out = refused(chat, "edit HT-2026-001 currency USD")
    assert "Payments were already recorded on HT-2026-001 in CNY" in out
    assert "已按 CNY 登记了回款" in refused(chat, "修改 HT-2026-001 币种 美元")
    chat.say("undo P-1 confirm")
    assert "currency: CNY → USD" in chat.say("edit HT-2026-001 currency USD")


def test_amount_cannot_fall_to_what_a_milestone_received(chat: Chat) -> None:
    chat.say("paid HT-2026-001 300,000 for first payment")
    out = refused(chat, "edit HT-2026-001 first payment amount 300,000")
    assert "not above what was already paid (300,000.00 CNY)" in out
    # the contract amount: 30% of 900,000 is less than the 300,000 the first payment received
    assert "not above what was already paid" in refused(chat, "edit HT-2026-001 amount 900,000")


def test_a_percentage_needs_a_contract_amount(chat: Chat) -> None:
    chat.say("new HT-2026-009 Initech ends 2027-12-31")
    chat.say("milestone HT-2026-009 deposit 10,000 due 2027-01-15")
    out = refused(chat, "edit HT-2026-009 deposit amount 30%")
    assert "Contract HT-2026-009 has no amount, so 30% can't be turned into money" in out
    out = chat.say("edit HT-2026-009 amount 100,000")
    assert "amount: - → 100,000.00 CNY" in out
    assert "10,000.00 CNY → 30,000.00 CNY (30%)" in chat.say("edit HT-2026-009 deposit amount 30%")


def test_the_contract_owner_corrects_without_being_admin(chat: Chat) -> None:
    out = chat.say("edit HT-2026-003 kickoff name project kickoff", user="bob")
    assert "name: kickoff → project kickoff" in out
    out = chat.say("delete HT-2026-003 project kickoff reason duplicate", user="bob")
    assert "Deleted project kickoff of HT-2026-003" in out


def test_change_still_proposes_a_business_change(chat: Chat) -> None:
    out = chat.say("change HT-2026-001 amount 1,500,000 reason upsell")
    assert "Change request CR-1" in out
    assert contract(chat, "HT-2026-001").amount == Decimal("1200000.00")
    assert [cr.field for cr in _changes(chat)] == ["amount"]
