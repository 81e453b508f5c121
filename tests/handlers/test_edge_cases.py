"""Edge cases found in review: identity, money reading, permissions, and reminders that must not be lost."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlmodel import Session, select

from handlers.core import Core
from handlers.messages import IncomingMessage, Sender
from handlers.reminders import ReminderComposer
from handlers.replies import reply_text
from scheduler.dispatch import Dispatcher
from scheduler.notify import RateLimited
from storage.models import Contract, Milestone, Person, Reminder
from tests.chat import Chat
from tests.scheduler.test_dispatch import FakeNotifier


@pytest.fixture
def chat(engine, clock) -> Chat:  # type: ignore[no-untyped-def]
    return Chat(Core(engine, clock=clock))


def tg(core: Core, user_id: str, handle: str, text: str) -> str:
    msg = IncomingMessage(platform="telegram", tenant_key="-100123456", text=text,
                          sender=Sender(user_id=user_id, handle=handle, display_name=handle))
    return "\n".join(reply_text(r) for r in core.handle(msg))


def test_a_typed_mention_label_cannot_claim_someone_elses_identity(chat: Chat) -> None:
    chat.say("help")  # alice, admin
    chat.say("role @boss admin")
    chat.say("help", user="mallory")
    chat.say("new HT-7 x y 100 owner <@mallory2|boss>", user="mallory")
    with Session(chat.engine) as s:
        boss = s.exec(select(Person).where(Person.handle == "boss")).one()
    assert boss.platform_user_id is None and boss.role == "admin"
    assert "only a team admin" in chat.say("settings timezone UTC", user="mallory2")


def test_a_reused_username_does_not_lock_anyone_out(chat: Chat) -> None:
    core = chat.core
    assert "commands" in tg(core, "111", "bob", "help")
    assert "commands" in tg(core, "777", "bob", "help")  # the old bob renamed; a new bob appears
    assert "commands" in tg(core, "111", "bobby", "help")
    with Session(chat.engine) as s:
        handles = {p.platform_user_id: p.handle for p in s.exec(select(Person)).all()}
    assert handles == {"111": "bobby", "777": "bob"}


@pytest.mark.parametrize("value", ["time 25:00", "stages 0", "routing sideways", "language klingon",
                                   "escalation 0", "holidays maybe", "timezone Mars/Base"])
def test_bad_setting_values_get_a_reason(chat: Chat, value: str) -> None:
    out = chat.say(f"settings {value}")
    assert out.startswith("⚠️") and "is not a valid value" in out and "Example:" in out


@pytest.mark.parametrize(("text", "amount", "title"), [
    ("new HT-5 Phase 2 rollout Baz 300000 ends 2027-06-30", Decimal("300000.00"), None),
    ("新建 HT-6 华为云采购 华为 三百万 到期 2027年12月31日", Decimal("3000000.00"), "华为云采购"),
])
def test_contract_amounts_are_read_from_the_right_number(chat: Chat, text: str, amount: Decimal,
                                                         title: str | None) -> None:
    chat.say(text)
    [c] = chat.contracts()
    assert c.amount == amount
    if title:
        assert c.title == title


def test_milestone_names_keep_their_numbers(chat: Chat) -> None:
    chat.say("new HT-1 Acme Corp 1,000,000")
    chat.say("milestone HT-1 2026 audit fee 50000 due 2027-01-10")
    chat.say("milestone HT-1 delivery of 300 servers due 2027-02-10")
    chat.say("milestone HT-1 payment for order 1234 due 2027-03-10")
    ms = {m.title: m.amount for m in chat.milestones()}
    assert ms == {"2026 audit fee": Decimal("50000.00"), "delivery of 300 servers": None,
                  "payment for order 1234": None}
    assert "can't read “1,5” as an amount" in chat.say("paid HT-1 1,5")


def test_chinese_percent(chat: Chat) -> None:
    chat.say("新建 HT-1 测试项目 某客户 100万")
    chat.say("节点 HT-1 一期款 百分之十 2027-01-10")
    assert chat.milestones()[0].amount == Decimal("100000.00")


def test_undoing_one_of_several_payments_reopens_what_is_owed(chat: Chat) -> None:
    chat.say("new HT-1 Acme Corp 1,000,000")
    chat.say("milestone HT-1 first payment 300000 due 2027-01-10")
    chat.say("paid HT-1 100000")
    chat.say("paid HT-1 200000")
    assert chat.milestones()[0].status == "done"
    assert "Reverse payment P-1" in chat.say("undo P-1")  # shown and asked first
    assert chat.milestones()[0].status == "done"
    chat.say("yes")
    assert chat.milestones()[0].status == "open"
    assert "100,000.00 CNY" in chat.say("receivables")


def test_payment_and_change_numbers_do_not_mix(chat: Chat) -> None:
    chat.say("new HT-1 Acme Corp 1,000,000")
    chat.say("paid HT-1 1000")
    assert "e.g. P-3" in chat.say("undo CR-1")
    assert "e.g. CR-12" in chat.say("approve P-1")
    assert "e.g. P-3" in chat.say("undo P-99999999999999999999")


def test_whole_contract_actions_need_its_owner(chat: Chat) -> None:
    chat.say("new HT-1 Acme Corp 1,000,000 ends 2027-12-31")
    chat.say("milestone HT-1 first payment 300000 due 2027-01-10 owner @bob")
    chat.say("help", user="bob")
    for text in ("end HT-1", "renew HT-1 to 2028-12-31", "remind HT-1 30,1"):
        assert "only the owner of HT-1" in chat.say(text, user="bob"), text
    assert "Reminders for HT-1 first payment" in chat.say("remind HT-1 first payment 5,1", user="bob")


def test_ended_contracts_take_no_milestones_and_undo_keeps_them_closed(chat: Chat) -> None:
    chat.say("new HT-1 Acme Corp 1,000,000")
    chat.say("milestone HT-1 first payment 300000 due 2027-01-10")
    chat.say("paid HT-1 300000")
    chat.say("end HT-1")
    assert "takes no new milestones" in chat.say("milestone HT-1 extra due 2027-02-01")
    chat.say("undo P-1 confirm")
    assert chat.milestones()[0].status == "done"


def test_contract_amount_cannot_drop_below_the_plan(chat: Chat) -> None:
    chat.say("new HT-1 Acme Corp 1,000,000")
    chat.say("milestone HT-1 first payment 300,000 due 2027-01-10")
    chat.say("change HT-1 amount 5", user="bob")
    assert "below what is already planned" in chat.say("approve CR-1")
    assert next(iter(chat.contracts())).amount == Decimal("1000000.00")


def test_snooze_until_a_chinese_date(chat: Chat) -> None:
    chat.say("new HT-1 Acme Corp 1,000,000")
    chat.say("节点 HT-1 到货款 30% 2027-01-10")
    assert "2026-12-05" in chat.say("延后 HT-1 到货款 到 12月5日")
    assert chat.milestones()[0].snoozed_until == date(2026, 12, 5)


def test_a_held_back_reminder_survives_a_replan(chat: Chat, clock) -> None:  # type: ignore[no-untyped-def]
    chat.say("new HT-1 Acme Corp 100,000")
    chat.say("milestone HT-1 first payment 30% due 2026-12-20 owner @alice")
    fake = FakeNotifier()
    d = Dispatcher(chat.engine, notifiers={"console": fake}, composer=ReminderComposer())
    at = datetime(2026, 12, 13, 2, tzinfo=UTC)
    fake.fail_with = [RateLimited(60)]
    assert d.run_pass(at).retried == 1
    clock.now = at + timedelta(seconds=10)
    chat.say("settings overdue 2")  # re-plans every milestone
    assert d.run_pass(at + timedelta(seconds=61)).sent == 1
    assert "due in 7 days" in fake.texts()[0]


def test_downtime_then_a_settings_change_still_catches_up(chat: Chat, clock) -> None:  # type: ignore[no-untyped-def]
    chat.say("new HT-1 Acme Corp 100,000")
    chat.say("milestone HT-1 first payment 30% due 2026-12-20 owner @alice")
    clock.now = datetime(2026, 12, 22, 2, tzinfo=UTC)  # down since before the due day
    chat.say("settings time 08:00")
    fake = FakeNotifier()
    d = Dispatcher(chat.engine, notifiers={"console": fake}, composer=ReminderComposer())
    assert d.run_pass(clock.now).sent == 1
    assert "2 days late" in fake.texts()[0]
    with Session(chat.engine) as s:
        assert s.exec(select(Contract)).one() is not None
        assert s.exec(select(Milestone)).one().status == "open"
        assert s.exec(select(Reminder).where(Reminder.status == "pending")).all()


def test_telegram_team_cannot_point_reminders_at_another_group(chat: Chat) -> None:
    core = chat.core
    out = tg(core, "111", "liwei", "new HT-1 Acme Corp 100,000 channel -1009999999999")
    assert "can only go to this chat" in out
    assert "can only go to this chat" in tg(core, "111", "liwei", "settings channel -1009999999999")
    assert "created" in tg(core, "111", "liwei", "new HT-2 Acme Corp 100,000 channel -100123456")


def test_new_contract_checks_currency_and_warns_on_a_passed_notice_deadline(chat: Chat) -> None:
    assert "Unknown currency" in chat.say("new HT-1 Acme Corp 100,000 currency XYZ")
    out = chat.say("new HT-2 Acme Corp 100,000 ends 2027-01-01 notice 400 days")
    assert "has already passed" in out


def test_renewal_milestone_speaks_the_contracts_language(chat: Chat) -> None:
    chat.say("help")
    chat.say("新建 HT-2 华为云采购 华为 120万 到期 2027年12月31日")
    renewal = next(m for m in chat.milestones(renewals=True) if m.kind == "renewal")
    assert renewal.title == "续约通知"
    assert "已完成" in chat.say("完成 HT-2 续约通知")


def test_percent_milestones_follow_a_new_contract_amount(chat: Chat) -> None:
    chat.say("new HT-1 Acme Corp 1,200,000")
    chat.say("milestone HT-1 first payment 30% due 2027-01-10")
    chat.say("change HT-1 amount 1,500,000", user="bob")
    chat.say("approve CR-1")
    assert chat.milestones()[0].amount == Decimal("450000.00")


def test_stale_change_requests_are_refused(chat: Chat) -> None:
    chat.say("new HT-1 Acme Corp 1,200,000 ends 2027-12-31")
    chat.say("change HT-1 end 2028-03-31", user="bob")
    chat.say("change HT-1 end 2028-06-30", user="bob")
    chat.say("approve CR-2")
    assert "no longer applies" in chat.say("approve CR-1")
    assert next(c for c in chat.contracts() if c.number == "HT-1").end_on == date(2028, 6, 30)


def test_milestone_amount_cannot_drop_to_what_was_paid(chat: Chat) -> None:
    chat.say("new HT-1 Acme Corp 1,200,000")
    chat.say("milestone HT-1 mid payment 480,000 due 2027-01-10")
    chat.say("paid HT-1 140,000")
    chat.say("change HT-1 mid payment amount 100,000", user="bob")
    assert "not above what was already paid" in chat.say("approve CR-1")


def test_viewers_neither_decide_nor_undo_nor_own(chat: Chat) -> None:
    chat.say("new HT-1 Acme Corp 1,200,000")
    chat.say("paid HT-1 1,000")
    chat.say("change HT-1 end 2028-03-31", user="bob")
    chat.say("role @carol admin")
    chat.say("role @alice viewer", user="carol")
    assert "viewers can read" in chat.say("approve CR-1")
    assert "viewers can read" in chat.say("undo P-1")
    assert "is a viewer" in chat.say("milestone HT-1 x 1,000 due 2027-01-10 owner @alice", user="carol")


def test_bad_stage_lists_are_refused(chat: Chat) -> None:
    for value in ("abc", "7,x", "7,400", "1,2,3,4,5,6,7"):
        assert "is not a valid value" in chat.say(f"settings stages {value}"), value


def test_change_and_renew_amounts_keep_the_contract_currency(chat: Chat) -> None:
    chat.say("new HT-1 Acme Corp 1,200,000 ends 2027-12-31")
    assert "is in CNY, not USD" in chat.say("change HT-1 amount 1,000 USD")
    assert "is in CNY, not USD" in chat.say("renew HT-1 to 2028-12-31 amount 1,000 USD")


def test_escalation_target_can_be_cleared(chat: Chat) -> None:
    chat.say("settings escalation 5 @boss")
    assert "@boss" in chat.say("settings")
    chat.say("settings escalation 5 nobody")
    from storage.models import Tenant

    with Session(chat.engine) as s:
        assert s.exec(select(Tenant)).one().escalation_target is None
