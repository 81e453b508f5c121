"""Milestones due relative to an event (issue 17 B): 验收后30天, 签约后5个工作日, 12 months after acceptance.

Conversations in both languages: the user adds such a milestone, it waits without reminders, the event happens,
the due date is set, reminders are planned and the owner is told once (a notice in the reminders outbox).
Times: the team is in Asia/Shanghai (UTC+8); 02:00 UTC is 10:00 there.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import Session, SQLModel, select

from handlers.core import Core
from handlers.digest import DigestComposer
from handlers.relative import find_due_after
from handlers.reminders import ReminderComposer
from handlers.replies import reply_text
from scheduler.dispatch import Dispatcher
from storage import kpis
from storage.db import make_engine, upgrade
from storage.models import AuditEvent, Milestone, Reminder, Tenant
from tests.chat import Chat
from tests.conftest import Clock
from tests.scheduler.test_dispatch import FakeNotifier


def at(y: int, m: int, d: int, hh: int = 2) -> datetime:
    return datetime(y, m, d, hh, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> Clock:
    return Clock(at(2027, 1, 13))  # Wednesday 2027-01-13 10:00 in Shanghai


@pytest.fixture
def chat(engine, clock) -> Chat:  # type: ignore[no-untyped-def]
    return Chat(Core(engine, clock=clock, default_timezone="Asia/Shanghai"), clock=clock)


def milestone(chat: Chat, title: str) -> Milestone:
    [m] = [m for m in chat.milestones() if m.title == title]
    return m


def reminders(chat: Chat, m: Milestone, status: str = "pending") -> list[tuple[str, date]]:
    with Session(chat.engine) as s:
        rows = s.exec(select(Reminder).where(Reminder.milestone_id == m.id, Reminder.status == status)).all()
        return sorted((r.stage, r.day) for r in rows)


def audits(chat: Chat, action: str) -> list[AuditEvent]:
    with Session(chat.engine) as s:
        return list(s.exec(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)).all())


def huawei(chat: Chat) -> None:
    chat.say("新建 HT-2026-005 华为云采购 华为 120万 到期 2027年12月31日")
    chat.say("节点 HT-2026-005 交付验收 2027-02-10 @李四")


def acme(chat: Chat) -> None:
    chat.say('new HT-2026-001 "Acme annual license" Acme Corp 1,200,000 CNY ends 2027-12-31')
    chat.say("milestone HT-2026-001 delivery acceptance due 2027-02-10 owner @alice")


# --- the whole story, in Chinese -------------------------------------------------------------------------------


def test_zh_waits_then_the_acceptance_sets_its_date_plans_reminders_and_tells_the_owner_once(
        chat: Chat, clock: Clock) -> None:
    huawei(chat)
    out = chat.say("节点 HT-2026-005 尾款 70% 验收后30天 @张三")
    assert "截止: 交付验收后30天（交付验收尚未完成）" in out
    assert "交付验收完成前不提醒" in out
    tail, acceptance = milestone(chat, "尾款"), milestone(chat, "交付验收")
    assert (tail.due_on, tail.after_id, tail.after_event, tail.after_count, tail.after_unit) == (
        None, acceptance.id, None, 30, "day")
    assert tail.amount == Decimal("840000.00")
    assert reminders(chat, tail) == []  # no reminders of its own while it waits
    assert "尾款 目前还没有提醒可延后：交付验收后30天（交付验收尚未完成）。" in chat.say("延后 HT-2026-005 尾款 3天")

    # shown, and listed after every dated milestone
    shown = chat.say("查看 HT-2026-005")
    assert "• 尾款 · 交付验收后30天到期（交付验收尚未完成） · @张三" in shown
    assert shown.index("续约通知") < shown.index("• 尾款")

    # the acceptance is done on Wed 2027-02-10: 尾款 is due 30 days later, Fri 2027-03-12
    clock.now = at(2027, 2, 10)
    out = chat.say("完成 HT-2026-005 交付验收")
    assert "HT-2026-005 的 尾款 截止日期已确定：2027-03-12 周五（交付验收后30天；交付验收完成于 2027-02-10 周三）" in out
    tail = milestone(chat, "尾款")
    assert tail.due_on == date(2027, 3, 12)
    assert reminders(chat, tail) == [("d-3", date(2027, 3, 9)), ("d-7", date(2027, 3, 5)), ("d0", date(2027, 3, 12)),
                                     ("od1", date(2027, 3, 13)), ("set", date(2027, 3, 12))]
    [event] = audits(chat, "milestone.due_set")
    assert (event.entity_id, event.before, event.after) == (
        tail.id, '{"due_on": null}', '{"due_on": "2027-03-12", "event_on": "2027-02-10"}')
    assert "把 尾款 的截止日期定为 2027-03-12 周五（交付验收后30天；交付验收完成于 2027-02-10 周三）" in chat.say("历史 HT-2026-005")

    # the owner (@张三, not the one who closed the acceptance) is told once, by the next dispatch pass
    fake = FakeNotifier()
    dispatcher = Dispatcher(chat.engine, notifiers={"console": fake}, composer=ReminderComposer())
    assert dispatcher.run_pass(clock.now).sent == 1
    [notice] = fake.texts()
    assert "📅" in notice and "尾款" in notice and "2027-03-12" in notice and "交付验收" in notice
    assert dispatcher.run_pass(at(2027, 2, 11)).sent == 0  # never twice
    assert reminders(chat, milestone(chat, "尾款"), "sent") == [("set", date(2027, 3, 12))]
    assert dispatcher.run_pass(at(2027, 3, 5, 1)).sent == 1  # then the ordinary 7-days-ahead reminder
    assert "7" in fake.texts()[-1] and "尾款" in fake.texts()[-1]


def test_en_months_after_acceptance_stop_at_the_month_end(chat: Chat, clock: Clock) -> None:
    acme(chat)
    out = chat.say("milestone HT-2026-001 warranty retention 10% due 12 months after acceptance owner @bob")
    assert "Due: 12 months after delivery acceptance (delivery acceptance not yet done)" in out
    assert "No reminders until delivery acceptance is done" in out
    chat.say("milestone HT-2026-001 final payment 60% due 1 month after acceptance owner @bob")
    clock.now = at(2027, 1, 31)
    out = chat.say("done HT-2026-001 delivery acceptance")
    assert ("final payment of HT-2026-001 is now due Sun 2027-02-28 (1 month after delivery acceptance; "
            "delivery acceptance done Sun 2027-01-31)") in out
    assert "warranty retention of HT-2026-001 is now due Mon 2028-01-31" in out
    assert milestone(chat, "final payment").due_on == date(2027, 2, 28)  # 2027-01-31 + 1 month, clamped
    assert milestone(chat, "warranty retention").due_on == date(2028, 1, 31)
    assert "set final payment due Sun 2027-02-28" in chat.say("history HT-2026-001")


def test_working_days_after_signing_follow_the_signing_date(chat: Chat) -> None:
    huawei(chat)
    out = chat.say("节点 HT-2026-005 首付款 30% 签约后5个工作日")
    assert "签约后5个工作日（合同尚无签约日期）" in out and "修改 HT-2026-005 签订" in out
    assert milestone(chat, "首付款").due_on is None
    out = chat.say("修改 HT-2026-005 签订 2027-01-04")  # a Monday: five working days later is Mon 2027-01-11
    assert "首付款 截止日期已确定：2027-01-11 周一（签约后5个工作日；签约日期 2027-01-04 周一）" in out
    assert milestone(chat, "首付款").due_on == date(2027, 1, 11)
    out = chat.say("修改 HT-2026-005 签订 2027-01-08")  # a Friday: Fri 2027-01-15
    assert "2027-01-15 周五" in out
    assert milestone(chat, "首付款").due_on == date(2027, 1, 15)
    assert ("d0", date(2027, 1, 15)) in reminders(chat, milestone(chat, "首付款"))
    assert [(a.before, a.after) for a in audits(chat, "milestone.due_set")] == [
        ('{"due_on": null}', '{"due_on": "2027-01-11", "event_on": "2027-01-04"}'),
        ('{"due_on": "2027-01-11"}', '{"due_on": "2027-01-15", "event_on": "2027-01-08"}')]
    # a contract date already known gives the date at once
    out = chat.say("milestone HT-2026-005 final payment 10% due 1 month before the contract end")
    assert "Tue 2027-11-30" in out
    assert milestone(chat, "final payment").due_on == date(2027, 11, 30)


def test_an_event_already_done_gives_the_date_at_once_and_says_so(chat: Chat) -> None:
    acme(chat)
    chat.say("done HT-2026-001 delivery acceptance")  # today, Wed 2027-01-13
    out = chat.say("milestone HT-2026-001 final payment 70% due 45 days after delivery owner @bob")
    assert "Due: Sat 2027-02-27 (45 days after delivery acceptance; delivery acceptance done Wed 2027-01-13)" in out
    assert "delivery acceptance is already done (Wed 2027-01-13), so it is due Sat 2027-02-27." in out
    assert milestone(chat, "final payment").due_on == date(2027, 2, 27)
    assert ("d0", date(2027, 2, 27)) in reminders(chat, milestone(chat, "final payment"))


# --- refusals: a reason and an example, nothing written ------------------------------------------------------------


@pytest.mark.parametrize(("line", "says"), [
    ("节点 HT-2026-005 尾款 上线后30天", "HT-2026-005 没有可作为起算点的节点“上线”。现有节点：交付验收, 续约通知"),
    ("节点 HT-2026-005 尾款 交付验收前5天", "节点只能在另一个节点完成之后到期"),
    ("节点 HT-2026-005 尾款 验收后0天", "距离起算事件应为 1 到 3660天"),
    ("节点 HT-2026-005 尾款 验收后30天 2027-03-01", "截止日期和起算事件只能写一个"),
    ("milestone HT-2026-005 final payment due 30 days after go-live", "HT-2026-005 has no milestone “go-live”"),
])
def test_refused_with_a_reason_and_an_example(chat: Chat, line: str, says: str) -> None:
    huawei(chat)
    before = [(m.title, m.due_on) for m in chat.milestones(renewals=True)]
    out = chat.say(line)
    assert out.startswith("⚠️") and says in out, out
    assert "例如：" in out or "Example:" in out
    assert [(m.title, m.due_on) for m in chat.milestones(renewals=True)] == before


def test_two_acceptance_milestones_are_ambiguous(chat: Chat) -> None:
    huawei(chat)
    chat.say("节点 HT-2026-005 终验 2027-04-10 @李四")
    out = chat.say("节点 HT-2026-005 尾款 验收后30天")
    assert "“验收”对应 HT-2026-005 的多个节点：交付验收 (2027-02-10 周三), 终验 (2027-04-10 周六)" in out
    assert "尾款" not in [m.title for m in chat.milestones()]
    out = chat.say("节点 HT-2026-005 尾款 终验后30天")  # naming one is enough
    assert "终验后30天（终验尚未完成）" in out


def test_a_cycle_or_the_milestone_itself_is_refused_when_a_change_is_requested(chat: Chat) -> None:
    huawei(chat)
    chat.say("节点 HT-2026-005 尾款 70% 验收后30天 @张三")
    chat.say("节点 HT-2026-005 质保金 10% 尾款后12个月 @张三")
    out = chat.say("变更 HT-2026-005 交付验收 截止 质保金后5天", user="bob")
    assert "交付验收 不能在 质保金 之后到期：质保金 本身在等 交付验收" in out
    out = chat.say("change HT-2026-005 尾款 due 5 days after 尾款", user="bob")
    assert "尾款 不能以自身为起算点。" in out  # the name is Chinese: so is the reply
    assert audits(chat, "change.requested") == []


def test_a_change_gives_an_existing_milestone_a_rule_once_approved(chat: Chat) -> None:
    huawei(chat)
    chat.say("修改 HT-2026-005 签订 2027-01-04")
    chat.say("节点 HT-2026-005 尾款 70% 2027-06-30 @bob")
    out = chat.say("变更 HT-2026-005 尾款 截止 签约后10天 原因 合同约定", user="bob")
    assert "新值: 签约后10天" in out
    out = chat.say("批准 CR-1")
    assert "尾款 的截止日期：2027-06-30 周三 → 签约后10天" in out
    tail = milestone(chat, "尾款")
    assert (tail.after_event, tail.after_count, tail.due_on) == ("signed", 10, date(2027, 1, 14))
    assert "把 尾款 改为签约后10天到期" in chat.say("历史 HT-2026-005")
    # a date given outright later replaces the rule: signing moving no longer moves it
    chat.say("变更 HT-2026-005 尾款 截止 2027-05-01", user="bob")
    chat.say("批准 CR-2")
    chat.say("修改 HT-2026-005 签订 2027-01-05")
    tail = milestone(chat, "尾款")
    assert (tail.after_event, tail.after_count, tail.due_on) == (None, None, date(2027, 5, 1))


# --- undone events ---------------------------------------------------------------------------------------------------


def test_money_that_arrived_sets_the_date_and_undoing_it_takes_the_milestone_back_to_waiting(
        chat: Chat, clock: Clock) -> None:
    acme(chat)
    chat.say("milestone HT-2026-001 first payment 30% due 2027-01-20 owner @alice")
    chat.say("milestone HT-2026-001 final payment 70% due 30 days after first payment owner @bob")
    clock.now = at(2027, 1, 25)
    out = chat.say("paid HT-2026-001 360,000 on 2027-01-20 for first payment")
    assert milestone(chat, "first payment").status == "done"
    # counted from the day the money arrived (01-20), not the day it was typed in (01-25)
    assert milestone(chat, "final payment").due_on == date(2027, 2, 19)
    assert ("set", date(2027, 2, 19)) in reminders(chat, milestone(chat, "final payment"))
    out = chat.say("undo P-1 confirm")
    assert "first payment" in out
    final = milestone(chat, "final payment")
    assert final.due_on is None
    assert reminders(chat, final) == []  # its reminders and the notice not yet sent are cancelled
    [event] = audits(chat, "milestone.due_unset")
    assert event.before == '{"due_on": "2027-02-19"}'
    assert "put final payment back to waiting for first payment (was due Fri 2027-02-19)" in chat.say(
        "history HT-2026-001")
    assert "final payment · due 30 days after first payment (first payment not yet done)" in chat.say(
        "show HT-2026-001")


def test_reopening_by_undo_reports_the_milestone_back_to_waiting_in_the_reply(chat: Chat) -> None:
    acme(chat)
    chat.say("milestone HT-2026-001 first payment 30% due 2027-01-20 owner @alice")
    chat.say("milestone HT-2026-001 final payment 70% due 30 days after first payment owner @bob")
    out = chat.say("paid HT-2026-001 360,000 for first payment")
    assert "final payment of HT-2026-001 is now due Fri 2027-02-12" in out
    out = chat.say("undo P-1 confirm")
    assert "final payment of HT-2026-001 waits for first payment again (it was due Fri 2027-02-12)" in out


# --- free phrasings -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("line", "read_as", "title", "after"), [
    ("请帮我给 HT-2026-005 加个节点 尾款 验收后30天", '理解为：节点 HT-2026-005 "尾款" 验收后30天', "尾款", (30, "day")),
    ("HT-2026-005 加个节点：质保金 10% 验收合格之日起12个月内支付 负责人 @王五",
     '理解为：节点 HT-2026-005 "质保金" 10% 验收后12个月 负责人 @王五', "质保金", (12, "month")),
    ("HT-2026-005 定金 5% 签约后5个工作日", '理解为：节点 HT-2026-005 "定金" 5% 签约后5个工作日', "定金", (5, "workday")),
    ("add a milestone to HT-2026-005: final payment 70% due 45 days after delivery, owner @bob",
     'Read as: milestone HT-2026-005 "final payment" 70% due 45 days after delivery owner @bob', "final payment",
     (45, "day")),
    ("can you add warranty retention 10% to HT-2026-005, due within 12 months of acceptance?",
     'Read as: milestone HT-2026-005 "warranty retention" 10% due 12 months after acceptance', "warranty retention",
     (12, "month")),
    ("HT-2026-005 final payment due 2 weeks after acceptance",
     'Read as: milestone HT-2026-005 "final payment" due 2 weeks after acceptance', "final payment", (2, "week")),
])
def test_free_phrasings(chat: Chat, line: str, read_as: str, title: str, after: tuple[int, str]) -> None:
    huawei(chat)
    out = chat.say(line)
    assert read_as in out, out
    m = milestone(chat, title)
    assert (m.due_on, m.after_count, m.after_unit) == (None, *after)
    assert m.after_id == milestone(chat, "交付验收").id or m.after_event == "signed"


def test_a_plain_relative_date_is_still_a_date() -> None:
    assert find_due_after("milestone HT-1 invoice due 2 weeks from now") is None
    assert find_due_after("首付款 三天后") is None
    assert find_due_after("30 days of support") is None
    found = find_due_after("尾款 验收后30天内支付70%")
    assert found is not None and (found.due.event, found.due.count, found.due.unit) == ("验收", 30, "day")
    found = find_due_after("自合同签订之日起15个工作日内")
    assert found is not None and (found.due.count, found.due.unit) == (15, "workday")


def test_a_festival_with_an_offset_is_a_date_not_an_event(chat: Chat) -> None:
    huawei(chat)
    out = chat.say("节点 HT-2026-005 首付款 30% 元旦后三天 @张三")
    assert "截止: 2028-01-04 周二" in out
    out = chat.say("milestone HT-2026-005 bonus due 3 days after Christmas")
    assert "Due: Tue 2027-12-28" in out
    assert all(m.after_count is None for m in chat.milestones())


# --- lists, digest, money, other teams ---------------------------------------------------------------------------


def test_lists_digest_and_money_treat_a_waiting_milestone_as_not_yet_due(chat: Chat) -> None:
    huawei(chat)
    chat.say("节点 HT-2026-005 尾款 70% 验收后30天")  # owned by the contract owner, @alice
    mine = chat.say("我的")
    assert mine.rstrip().endswith("尾款 · 交付验收后30天到期（交付验收尚未完成） · @alice · 尚欠 840,000.00 / 共 840,000.00 CNY (70%)")
    assert "尾款" not in chat.say("逾期") and "尾款" not in chat.say("本周到期")
    assert "下一节点：交付验收" in chat.say("列表")
    with Session(chat.engine) as s:
        tenant = s.exec(select(Tenant)).one()
        digest = DigestComposer().digest(s, tenant, tenant.external_id, date(2027, 1, 18), "weekly")
        assert digest is not None
        text = reply_text(digest)
        assert "⏳" in text and "尾款" in text and "交付验收" in text
        scope = kpis.Scope(tenant.id or 0, date(2027, 1, 1), date(2027, 1, 13), date(2027, 1, 13), tenant.timezone)
        assert kpis.ageing(s, scope)["CNY"][0] == Decimal("840000.00")  # not due, not ">90 days"


def test_another_teams_milestones_are_never_an_event(chat: Chat) -> None:
    chat.say("新建 HT-2026-005 另一个团队 对方 10万", team="team-b")
    chat.say("节点 HT-2026-005 交付验收 2027-02-10", team="team-b")
    chat.say("新建 HT-2026-005 华为云采购 华为 120万")
    out = chat.say("节点 HT-2026-005 尾款 验收后30天")
    assert "没有可作为起算点的节点“验收”" in out


# --- schema ---------------------------------------------------------------------------------------------------------


def test_the_migration_builds_the_milestones_table_the_model_declares(tmp_path) -> None:  # type: ignore[no-untyped-def]
    engine = make_engine(f"sqlite:///{tmp_path / 'm.db'}")
    upgrade(engine)
    with engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), SQLModel.metadata)
    assert [d for d in diffs if "milestones" in repr(d)] == []
