"""Payments (回款), receivables, renewals (续约), changes (变更), history and roles, in both languages."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlmodel import Session, select

from handlers.allocation import Slot, allocate
from handlers.core import Core
from handlers.messages import IncomingAction, Sender
from handlers.replies import reply_text
from handlers.usecases.renewals import advance_contracts
from storage.models import ChangeRequest, Milestone, Payment, Reminder
from tests.chat import Chat


@pytest.fixture
def chat(engine, clock) -> Chat:  # type: ignore[no-untyped-def]
    c = Chat(Core(engine, clock=clock))
    c.say('new HT-2026-001 "Acme annual license" Acme Corp 1,200,000 CNY ends 2027-12-31')
    c.say("新建 HT-2026-002 华为云采购 华为 120万 到期 2027年12月31日")
    c.say("milestone HT-2026-001 first payment 30% due 2026-12-04 owner @alice")
    c.say("milestone HT-2026-001 mid payment 40% due 2027-03-01 owner @bob")
    c.say("节点 HT-2026-002 首付款 30% 2026-10-01 @张三")
    return c


def ms(chat: Chat, title: str) -> Milestone:
    return next(m for m in chat.milestones() if m.title == title)


# --- payments -----------------------------------------------------------------------------------------


def test_payment_for_a_named_milestone_closes_it_and_stops_reminders(chat: Chat) -> None:
    out = chat.say("paid HT-2026-001 360,000 on 2026-11-25 for first payment")
    assert "Payment P-1 of 360,000.00 CNY recorded on HT-2026-001 (Wed 2026-11-25)" in out
    assert "first payment paid in full" in out
    assert "Received: 360,000.00 CNY" in out and "Outstanding: 840,000.00 CNY" in out
    m = ms(chat, "first payment")
    assert m.status == "done"
    with Session(chat.engine) as s:
        assert s.exec(select(Reminder).where(Reminder.milestone_id == m.id, Reminder.status == "pending")).all() == []


def test_payment_in_chinese_partly_paid_stays_open(chat: Chat) -> None:
    out = chat.say("回款 HT-2026-002 10万 首付款")
    assert "已登记回款 P-1" in out and "尚欠 260,000.00 CNY" in out
    m = ms(chat, "首付款")
    assert m.status == "open"
    assert "尚欠 260,000.00 / 共 360,000.00 CNY" in chat.say("查看 HT-2026-002")


def test_unnamed_payment_settles_earliest_first(chat: Chat) -> None:
    out = chat.say("paid HT-2026-001 500,000")
    assert "first payment paid in full (360,000.00 CNY)" in out
    assert "mid payment: 140,000.00 CNY received, 340,000.00 CNY still owed" in out
    assert ms(chat, "first payment").status == "done" and ms(chat, "mid payment").status == "open"


def test_overpayment_currency_and_closed_contract_are_refused(chat: Chat) -> None:
    out = chat.say("paid HT-2026-001 1,300,000")
    assert "over-pay" in out and "at most 1,200,000.00 CNY" in out
    assert "is in CNY, not USD" in chat.say("paid HT-2026-001 1,000 USD")
    chat.say("end HT-2026-001 customer left")
    assert "payments can't be recorded" in chat.say("paid HT-2026-001 1,000")
    with Session(chat.engine) as s:
        assert s.exec(select(Payment)).all() == []


def test_reversal_restores_and_is_audited(chat: Chat) -> None:
    chat.say("paid HT-2026-001 360,000 for first payment")
    assert ms(chat, "first payment").status == "done"
    chat.say("help", user="carol")
    assert "only the person who recorded" in chat.say("undo P-1", user="carol")
    out = chat.say("undo P-1 confirm")
    assert "Payment P-1 of 360,000.00 CNY on HT-2026-001 reversed" in out and "first payment is open again" in out
    assert ms(chat, "first payment").status == "open"
    with Session(chat.engine) as s:
        p = s.exec(select(Payment)).one()
        assert p.reversed_at is not None  # nothing deleted
        pend = s.exec(select(Reminder).where(Reminder.milestone_id == ms(chat, "first payment").id,
                                             Reminder.status == "pending")).all()
    assert pend
    assert "已撤销过" in chat.say("撤销 P-1")
    hist = chat.say("history HT-2026-001")
    assert "recorded payment P-1" in hist or "recorded a payment" in hist
    assert "reversed a payment of 360,000.00 CNY (P-1)" in hist and "reopened first payment" in hist


def test_receivables_ageing_by_owner_and_counterparty(chat: Chat, clock) -> None:  # type: ignore[no-untyped-def]
    chat.say("回款 HT-2026-002 10万 首付款")
    out = chat.say("receivables")
    # 首付款 is 57 days late on 2026-11-27 with 260,000 owed; the rest is not yet due
    assert "31-60 d 260,000.00 CNY" in out
    assert "not yet due 840,000.00 CNY" in out
    assert "By owner:" in out and "@张三: 31-60 d 260,000.00 CNY" in out
    assert "• 华为: 31-60 d 260,000.00 CNY" in out
    zh = chat.say("应收")
    assert "应收账款" in zh and "31-60天 260,000.00 CNY" in zh


def test_payment_button_on_a_reminder(chat: Chat) -> None:
    from handlers.reminders import milestone_actions
    from storage.db import transaction

    m = ms(chat, "first payment")
    with transaction(chat.engine) as s:
        key = next(a.key for a in milestone_actions(s, s.get(Milestone, m.id), "HT-2026-001", "en")
                   if a.kind == "pay")
    out = chat.core.act(IncomingAction(platform="console", tenant_key="team-a", key=key, value="360,000",
                                       sender=Sender(user_id="alice", handle="alice")))
    assert "paid in full" in reply_text(out[0])


# --- renewals -------------------------------------------------------------------------------------------


def test_renewal_is_tracked_against_the_notice_deadline(engine, clock) -> None:  # type: ignore[no-untyped-def]
    chat = Chat(Core(engine, clock=clock))
    chat.say("new HT-9 Cloud Corp 100,000 ends 2027-06-30 notice 30 days")
    [renewal] = [m for m in chat.milestones(renewals=True) if m.kind == "renewal"]
    assert renewal.due_on == date(2027, 5, 31) and renewal.title == "renewal notice"
    assert "renewal notice · Mon 2027-05-31" in chat.say("show HT-9")


def test_renew_starts_a_linked_term(chat: Chat) -> None:
    out = chat.say("renew HT-2026-001 to 2028-12-31 amount 1,300,000")
    assert "HT-2026-001 renewed until Sun 2028-12-31" in out
    assert "previous term is kept as HT-2026-001/T1" in out
    contracts = {c.number: c for c in chat.contracts()}
    new, old = contracts["HT-2026-001"], contracts["HT-2026-001/T1"]
    assert old.status == "renewed" and new.previous_id == old.id and new.amount == Decimal("1300000.00")
    assert new.start_on == date(2028, 1, 1) and new.end_on == date(2028, 12, 31)
    assert "续约至" in chat.say("续约 HT-2026-002 至 2028年12月31日")


def test_end_closes_and_cancels(chat: Chat) -> None:
    out = chat.say("终止 HT-2026-002 客户不再续约")
    assert "合同 HT-2026-002 已终止" in out
    c = next(c for c in chat.contracts() if c.number == "HT-2026-002")
    assert c.status == "ended"
    assert all(m.status == "cancelled" for m in chat.milestones(renewals=True) if m.contract_id == c.id)


def test_status_moves_by_date_and_auto_renew_rolls_over(engine, clock) -> None:  # type: ignore[no-untyped-def]
    chat = Chat(Core(engine, clock=clock))
    chat.say("new HT-7 Auto Corp 100,000 starts 2026-01-01 ends 2026-12-31 notice 30 days auto-renew")
    chat.say("new HT-8 Plain Corp 100,000 ends 2026-12-10")
    advance_contracts(engine, datetime(2026, 11, 27, 3, tzinfo=UTC))
    status = {c.number: c.status for c in chat.contracts()}
    assert status == {"HT-7": "expiring", "HT-8": "expiring"}
    outs = advance_contracts(engine, datetime(2026, 12, 12, 3, tzinfo=UTC))
    status = {c.number: c.status for c in chat.contracts()}
    assert status["HT-8"] == "expired"
    assert status["HT-7"] == "active" and status["HT-7/T1"] == "renewed"
    assert len(outs) == 1 and "renewed automatically" in reply_text(outs[0].message)
    new = next(c for c in chat.contracts() if c.number == "HT-7")
    assert new.end_on == date(2027, 12, 31)  # a one-year term renews for one year


# --- changes --------------------------------------------------------------------------------------------


def test_change_request_is_approved_by_someone_else_and_applied(chat: Chat) -> None:
    out = chat.say("change HT-2026-001 first payment due 2026-12-15 reason customer asked", user="bob")
    assert "Change request CR-1: due date of first payment (HT-2026-001)" in out
    assert "From: Fri 2026-12-04" in out and "To: Tue 2026-12-15" in out
    assert [a.kind for a in chat.last[0].actions] == ["approve", "reject"]
    assert ms(chat, "first payment").due_on == date(2026, 12, 4)  # nothing changes yet
    assert "only the owner of HT-2026-001" in chat.say("approve CR-1", user="carol")
    assert "your own change" in chat.say("approve CR-1", user="bob")
    out = chat.say("approve CR-1")
    assert "CR-1 approved and applied" in out and "@bob your change was approved by @alice" in out
    assert ms(chat, "first payment").due_on == date(2026, 12, 15)
    with Session(chat.engine) as s:
        days = {r.day for r in s.exec(select(Reminder).where(Reminder.milestone_id == ms(chat, "first payment").id,
                                                              Reminder.status == "pending")).all()}
    assert date(2026, 12, 8) in days and date(2026, 12, 15) in days
    assert "already approved" in chat.say("reject CR-1")
    assert "moved first payment from Fri 2026-12-04 to Tue 2026-12-15 (CR-1, customer asked)" in chat.say("history HT-2026-001")


def test_change_in_chinese_rejected_changes_nothing(chat: Chat) -> None:
    out = chat.say("变更 HT-2026-002 首付款 截止 12月15日 原因 客户要求延期", user="张三")
    assert "变更申请 CR-1" in out
    out = chat.say("驳回 CR-1 未与客户确认")
    assert "CR-1 已驳回，未做任何修改" in out
    assert ms(chat, "首付款").due_on == date(2026, 10, 1)
    with Session(chat.engine) as s:
        assert s.exec(select(ChangeRequest)).one().status == "rejected"


def test_change_buttons_and_amount_owner_end(chat: Chat) -> None:
    chat.say("change HT-2026-001 mid payment amount 500,000", user="bob")
    approve = chat.last[0].actions[0]
    out = chat.core.act(IncomingAction(platform="console", tenant_key="team-a", key=approve.key,
                                       sender=Sender(user_id="alice", handle="alice")))
    assert "approved" in reply_text(out[0])
    assert ms(chat, "mid payment").amount == Decimal("500000.00")
    chat.say("change HT-2026-001 end 2028-01-31", user="bob")
    chat.say("approve CR-2")
    c = next(c for c in chat.contracts() if c.number == "HT-2026-001")
    assert c.end_on == date(2028, 1, 31)
    renewal = next(m for m in chat.milestones(renewals=True) if m.kind == "renewal" and m.contract_id == c.id)
    assert renewal.due_on == date(2028, 1, 31)
    chat.say("change HT-2026-001 mid payment amount 900,000", user="bob")
    assert "more than the contract amount" in chat.say("approve CR-3")
    assert ms(chat, "mid payment").amount == Decimal("500000.00")


# --- roles ----------------------------------------------------------------------------------------------


def test_roles(chat: Chat) -> None:
    assert "is now a viewer" in chat.say("role @bob viewer")
    assert "viewers can read" in chat.say("milestone HT-2026-001 extra due 2027-01-01", user="bob")
    assert "Contracts" in chat.say("list", user="bob")
    assert "only a team admin" in chat.say("role @bob admin", user="bob")
    assert "现在是管理员" in chat.say("角色 @bob 管理员")
    assert "at least one admin" not in chat.say("role @alice member")
    assert "at least one admin" in chat.say("role @bob member", user="bob")


# --- allocation properties ------------------------------------------------------------------------------

money = st.decimals(min_value=Decimal("0.01"), max_value=Decimal(100000), places=2)
slots_st = st.lists(st.tuples(st.integers(0, 400), money, money), min_size=0, max_size=8)


@settings(max_examples=200, deadline=None)
@given(amount=money, raw=slots_st, named_index=st.integers(0, 10))
def test_allocation_never_over_allocates_and_is_deterministic(amount: Decimal, raw, named_index: int) -> None:  # type: ignore[no-untyped-def]
    slots = [Slot(i + 1, date(2027, 1, 1).fromordinal(date(2027, 1, 1).toordinal() + d), planned, min(paid, planned))
             for i, (d, planned, paid) in enumerate(raw)]
    named = slots[named_index].milestone_id if slots and named_index < len(slots) else None
    parts, left = allocate(amount, slots, named=named)
    assert sum((p for _, p in parts), Decimal(0)) + left == amount
    by_id = {s.milestone_id: s for s in slots}
    assert all(0 < p <= by_id[mid].owed for mid, p in parts)
    assert len({mid for mid, _ in parts}) == len(parts)
    assert allocate(amount, list(reversed(slots)), named=named) == (parts, left)
    if left > 0:
        assert all(by_id[mid].owed == p for mid, p in parts) and sum(s.owed for s in slots) == amount - left


@settings(max_examples=25, deadline=None)
@given(amounts=st.lists(st.integers(1, 700), min_size=1, max_size=5))
def test_received_never_exceeds_contract_and_reversal_restores(amounts: list[int], tmp_path_factory) -> None:  # type: ignore[no-untyped-def]
    from storage.db import make_engine, upgrade
    from tests.conftest import Clock

    eng = make_engine(f"sqlite:///{tmp_path_factory.mktemp('prop') / 'p.db'}")
    upgrade(eng)
    chat = Chat(Core(eng, clock=Clock()))
    chat.say("new HT-1 Acme 1,000")
    chat.say("milestone HT-1 first payment 30% due 2026-12-01")
    chat.say("milestone HT-1 final payment 70% due 2027-01-01")

    def state() -> list[tuple[str, str]]:
        return [(m.title, m.status) for m in chat.milestones()]

    for a in amounts:
        before = state()
        with Session(eng) as s:
            received_before = sum((p.amount for p in s.exec(select(Payment)).all() if p.reversed_at is None),
                                  Decimal(0))
        out = chat.say(f"paid HT-1 {a}")
        with Session(eng) as s:
            pays = [p for p in s.exec(select(Payment)).all() if p.reversed_at is None]
        received = sum((p.amount for p in pays), Decimal(0))
        assert received <= Decimal(1000)
        if "over-pay" in out:
            assert received == received_before and state() == before
            continue
        seq = max(p.seq for p in pays)
        after = state()
        chat.say(f"undo P-{seq} confirm")
        assert state() == before
        chat.say(f"paid HT-1 {a}")
        assert state() == after
    eng.dispose()
