"""Conversation tests: user types X, bot answers Y, store holds Z (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlmodel import Session, select

from handlers.core import Core
from storage.models import AuditEvent, Contract, Milestone, Person, Reminder
from tests.chat import Chat


@pytest.fixture
def chat(engine, clock) -> Chat:  # type: ignore[no-untyped-def]
    return Chat(Core(engine, clock=clock))


def ledger(chat: Chat) -> None:
    chat.say('new HT-2026-001 "Acme annual license" Acme Corp 1,200,000 CNY ends 2027-12-31')
    chat.say("新建 HT-2026-002 华为云采购 华为 120万 到期 2027年12月31日")


def test_new_contract_in_english(chat: Chat) -> None:
    out = chat.say('new HT-2026-001 "Acme annual license" Acme Corp 1,200,000 CNY ends 2027-12-31')
    assert "Contract HT-2026-001 created" in out
    assert "Fri 2027-12-31" in out
    assert "1,200,000.00 CNY" in out
    [c] = chat.contracts()
    assert (c.number, c.title, c.counterparty) == ("HT-2026-001", "Acme annual license", "Acme Corp")
    assert c.amount == Decimal("1200000.00") and isinstance(c.amount, Decimal)
    assert c.currency == "CNY" and c.end_on == date(2027, 12, 31)


def test_new_contract_in_chinese(chat: Chat) -> None:
    out = chat.say("新建 HT-2026-002 华为云采购 华为 120万 到期 2027年12月31日")
    assert "已创建合同 HT-2026-002" in out
    assert "2027-12-31 周五" in out
    [c] = chat.contracts()
    assert (c.title, c.counterparty, c.amount, c.end_on) == ("华为云采购", "华为", Decimal(1200000), date(2027, 12, 31))


def test_amount_forms(chat: Chat) -> None:
    chat.say('new HT-1 "Big deal" Big Corp 1.2亿')
    chat.say('new HT-2 "Small deal" Small Shop $50k')
    amounts = {c.number: (c.amount, c.currency) for c in chat.contracts()}
    assert amounts["HT-1"] == (Decimal(120000000), "CNY")
    assert amounts["HT-2"] == (Decimal(50000), "USD")


def test_milestone_in_english_resolves_date_owner_and_percent(chat: Chat) -> None:
    ledger(chat)
    out = chat.say("milestone HT-2026-001 first payment 30% due next Friday owner @alice")
    assert "Milestone added to HT-2026-001" in out
    assert "Due: Fri 2026-12-04" in out
    assert "@alice" in out
    assert "360,000.00 CNY (30%)" in out
    [m] = chat.milestones()
    assert (m.title, m.kind, m.due_on, m.amount, m.percent) == (
        "first payment", "payment", date(2026, 12, 4), Decimal("360000.00"), Decimal(30))


def test_milestone_in_chinese_creates_owner_on_first_mention(chat: Chat) -> None:
    ledger(chat)
    out = chat.say("节点 HT-2026-002 首付款 30% 下周五 @张三")
    assert "截止: 2026-12-04 周五" in out
    assert "@张三" in out
    out = chat.say("节点 HT-2026-002 交付验收 3月15日 负责人 @李四")
    assert "2027-03-15 周一" in out and "@李四" in out
    with Session(chat.engine) as s:
        names = {p.handle: p.role for p in s.exec(select(Person)).all()}
    ms = chat.milestones()
    assert names == {"alice": "admin", "张三": "member", "李四": "member"}
    assert [(m.title, m.kind) for m in ms] == [("首付款", "payment"), ("交付验收", "acceptance")]


def test_milestone_plans_seven_and_three_day_reminders(chat: Chat) -> None:
    ledger(chat)
    chat.say("节点 HT-2026-002 交付验收 3月15日 负责人 @李四")
    with Session(chat.engine) as s:
        stages = {(r.stage, r.day.isoformat(), r.fire_at.isoformat()) for r in s.exec(select(Reminder)).all()}
    # 09:00 in Shanghai is 01:00 UTC
    assert ("d-7", "2027-03-08", "2027-03-08T01:00:00+00:00") in stages
    assert ("d-3", "2027-03-12", "2027-03-12T01:00:00+00:00") in stages
    assert ("d0", "2027-03-15", "2027-03-15T01:00:00+00:00") in stages


def test_done_in_both_languages_and_across_names(chat: Chat) -> None:
    ledger(chat)
    chat.say("milestone HT-2026-001 delivery acceptance due next Friday owner @alice")
    chat.say("节点 HT-2026-002 交付验收 下周五 @alice")
    assert "delivery acceptance of HT-2026-001 is done" in chat.say("done HT-2026-001 delivery acceptance")
    assert "HT-2026-002 的 交付验收 已完成" in chat.say("完成 HT-2026-002 交付验收")
    ms = chat.milestones()
    assert all(m.status == "done" and m.done_at is not None for m in ms)
    done_ids = {m.id for m in ms}
    with Session(chat.engine) as s:
        pending = s.exec(select(Reminder).where(Reminder.status == "pending")).all()
    assert [r for r in pending if r.milestone_id in done_ids] == []


def test_done_finds_a_milestone_by_its_other_language_name(chat: Chat) -> None:
    ledger(chat)
    chat.say("节点 HT-2026-002 交付验收 下周五 @alice")
    assert "is done" in chat.say("done HT-2026-002 acceptance")


def test_show_lists_milestones_and_plan(chat: Chat) -> None:
    ledger(chat)
    chat.say("节点 HT-2026-002 首付款 30% 下周五 @张三")
    out = chat.say("查看 HT-2026-002")
    assert "华为云采购" in out and "首付款" in out and "@张三" in out
    assert "360,000.00 CNY (30%)" in out
    out = chat.say("show HT-2026-002")
    assert "Counterparty: 华为" in out


def test_lists(chat: Chat) -> None:
    ledger(chat)
    chat.say("milestone HT-2026-001 first payment 30% due next Friday owner @alice")
    chat.say("milestone HT-2026-001 delivery due 2026-11-29 owner @bob")
    chat.say("milestone HT-2026-001 kickoff due 2026-11-20 owner @alice")
    assert "Contracts (2)" in chat.say("list")
    mine = chat.say("list mine")
    assert "first payment" in mine and "kickoff" in mine and "delivery" not in mine
    assert "renewal notice" in mine  # alice owns both contracts, so their renewal deadlines are hers
    overdue = chat.say("逾期")
    assert "逾期节点（1）" in overdue and "kickoff" in overdue
    week = chat.say("list due this week")
    assert "delivery" in week and "first payment" not in week
    assert "本周到期" in chat.say("本周到期")
    assert "我的未完成节点（4）" in chat.say("我的")


def test_help_in_both_languages(chat: Chat) -> None:
    assert "milestone NUMBER" in chat.say("help")
    assert "节点 编号" in chat.say("帮助")


@pytest.mark.parametrize(("text", "question", "answer", "due"), [
    ("milestone HT-2026-001 first payment 30%", "When is it due?", "next Friday", date(2026, 12, 4)),
    ("节点 HT-2026-002 首付款 30%", "截止日期是哪天？", "下周五", date(2026, 12, 4)),
])
def test_a_missing_date_is_asked_and_the_answer_fills_it(chat: Chat, text: str, question: str, answer: str,
                                                         due: date) -> None:
    ledger(chat)
    assert question in chat.say(text)
    assert chat.milestones() == []
    out = chat.say(answer)
    assert "Read as:" in out or "理解为：" in out
    [m] = chat.milestones()
    assert m.due_on == due and m.percent == Decimal(30)


@pytest.mark.parametrize(
    ("text", "reason", "example"),
    [
        ("frobnicate HT-1", "I don't know the command", "Example: help"),
        ("milestone HT-2026-001 first payment 30% due blursday", "can't read", "Example: milestone"),
        ("milestone HT-2026-009 first payment 30% due next Friday", "Did you mean", "Example:"),
        ("new HT-2026-001 Dup Corp 5,000", "already exists", "Example: new"),
        ("new HT-9 Neg Corp -5,000", "more than zero", "Example: new"),
        ("new HT-9 Huge Corp 5,000,000,000,000", "too large", "Example: new"),
        ("milestone HT-2026-001 first payment 130% due next Friday", "over 100", "Example: milestone"),
        ("节点 HT-2026-002 首付款 30% 2月30日", "日期", "例如：节点"),
        ("查看 HT-2026-00X", "没有合同", "例如：查看"),
    ],
)
def test_bad_input_gets_reason_and_example_and_writes_nothing(chat: Chat, text: str, reason: str, example: str) -> None:
    ledger(chat)
    with Session(chat.engine) as s:
        audits_before = len(s.exec(select(AuditEvent)).all())
        milestones_before = len(s.exec(select(Milestone)).all())
    out = chat.say(text)
    first, _, second = out.partition("\n")
    assert out.startswith("⚠️") and reason in first, out
    assert second.startswith(example), out
    assert chat.last[0].error and chat.last[0].ephemeral
    with Session(chat.engine) as s:
        assert len(s.exec(select(AuditEvent)).all()) == audits_before
        assert len(s.exec(select(Contract)).all()) == 2
        assert len(s.exec(select(Milestone)).all()) == milestones_before


def test_planned_payments_cannot_exceed_contract(chat: Chat) -> None:
    ledger(chat)
    chat.say("milestone HT-2026-001 first payment 60% due 2027-01-10")
    out = chat.say("milestone HT-2026-001 final payment 50% due 2027-06-10")
    assert "more than the contract amount" in out
    assert len(chat.milestones()) == 1


def test_past_due_date_is_accepted_with_a_warning(chat: Chat) -> None:
    ledger(chat)
    out = chat.say("milestone HT-2026-001 kickoff due 2026-10-01")
    assert "in the past" in out
    assert chat.milestones()[0].due_on == date(2026, 10, 1)


def test_every_change_is_audited(chat: Chat) -> None:
    ledger(chat)
    chat.say("milestone HT-2026-001 delivery due next Friday owner @bob")
    chat.say("done HT-2026-001 delivery")
    with Session(chat.engine) as s:
        actions = [e.action for e in s.exec(select(AuditEvent).order_by(AuditEvent.id)).all()]
    assert actions.count("contract.created") == 2
    assert "milestone.created" in actions and "milestone.done" in actions and "person.created" in actions


def test_teams_never_see_each_other(chat: Chat) -> None:
    ledger(chat)
    out = chat.say("show HT-2026-001", team="team-b", user="mallory")
    assert "No contract HT-2026-001" in out and "Did you mean" not in out
    assert "No contracts yet" in chat.say("list", team="team-b", user="mallory")
    out = chat.say("done HT-2026-001", team="team-b", user="mallory")
    assert "No contract" in out
    # the same number may exist in another team
    assert "created" in chat.say("new HT-2026-001 Other Corp 5,000", team="team-b", user="mallory")


def test_only_owner_or_admin_completes(chat: Chat) -> None:
    ledger(chat)
    chat.say("milestone HT-2026-001 delivery due next Friday owner @bob")
    chat.say("help", user="carol")  # carol joins as a member
    out = chat.say("done HT-2026-001 delivery", user="carol")
    assert "only the owner" in out.lower()
    assert chat.milestones()[0].status == "open"
    assert "is done" in chat.say("done HT-2026-001 delivery", user="bob")


def test_reply_language_follows_the_command(chat: Chat) -> None:
    ledger(chat)
    assert "Contracts (2)" in chat.say("list")
    assert "合同（2）" in chat.say("列表")
