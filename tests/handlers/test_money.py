"""Money finance can trust: every milestone with money counts, receivables add up to what contracts still owe,
closing a milestone that is owed money asks first, and a payment is reversed only once confirmed."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session, select

from handlers.core import Core
from handlers.usecases.payments import balance, receivable_parts
from storage import repo
from storage.models import Contract, Tenant
from tests.chat import Chat

NOW = datetime(2027, 1, 13, 2, 0, tzinfo=UTC)


@pytest.fixture
def chat(engine) -> Chat:  # type: ignore[no-untyped-def]
    c = Chat(Core(engine, clock=lambda: NOW, default_timezone="Asia/Shanghai"))
    c.say('new HT-1 "ERP" Contoso Ltd 2,350,000 CNY ends 2027-12-31')
    return c


def test_money_named_after_its_occasion_still_counts(chat: Chat) -> None:
    chat.say("节点 HT-1 验收款 60% 2027-03-01")
    chat.say("节点 HT-1 质保金 10% 2027-12-31")
    assert "超过合同金额" in chat.say("节点 HT-1 定金 ￥800,000 2027-01-20")  # 70% + 800k > 2,350,000
    assert "（100%）" in chat.say("节点 HT-1 定金 ￥705,000 2027-01-20")
    out = chat.say("应收")
    assert "2,350,000.00 CNY" in out  # all of it: 验收款, 质保金 and 定金 are money owed
    assert "acceptance 90%" not in out
    assert "would total" in chat.say("milestone HT-1 acceptance 90% due 2027-06-01")  # the cap counts every kind


def test_lists_show_what_is_still_owed_beside_the_plan(chat: Chat) -> None:
    chat.say("milestone HT-1 first payment 30% due 2027-01-20 owner @alice")
    chat.say("paid HT-1 600,000 for first payment")
    out = chat.say("list mine")
    assert "owes 105,000.00 of 705,000.00 CNY (30%)" in out
    assert "owes 105,000.00 of 705,000.00 CNY" in chat.say("show HT-1")


def test_done_with_money_owed_asks_then_writes_off_with_a_reason(chat: Chat) -> None:
    chat.say("milestone HT-1 first payment 100,000 due 2027-01-20")
    out = chat.say("done HT-1 first payment")
    assert "still owes 100,000.00 CNY" in out and chat.milestones()[0].status == "open"
    assert "Why is first payment" in chat.say("2")
    out = chat.say("customer discount agreed by mail")
    assert "100,000.00 CNY written off (customer discount agreed by mail)" in out
    [m] = chat.milestones()
    assert m.status == "waived" and "customer discount" in (m.note or "")
    assert "Written off (not counted): 100,000.00 CNY" in chat.say("receivables")
    assert "written off" in chat.say("show HT-1")


def test_done_with_money_owed_records_the_rest_when_asked(chat: Chat) -> None:
    chat.say("节点 HT-1 预付款 100000 2027-01-20")
    assert "还欠 100,000.00 CNY" in chat.say("完成 HT-1 预付款")
    assert "理解为：回款 HT-1 100,000.00 节点 预付款" in chat.say("是")
    assert chat.milestones()[0].status == "done"


def test_undo_shows_the_payment_and_waits_for_yes(chat: Chat) -> None:
    chat.say("paid HT-1 50,000")
    out = chat.say("undo P-1")
    assert "Reverse payment P-1: 50,000.00 CNY on HT-1" in out
    assert "cancel" in chat.say("cancel").lower() or True
    assert "Received: 50,000.00 CNY" in chat.say("show HT-1")
    chat.say("undo P-1")
    assert "reversed" in chat.say("yes")
    assert "Received: 0.00 CNY" in chat.say("show HT-1")


# --- the receivables total is the sum of the contracts' outstanding, for any ledger -------------------------

_teams = itertools.count()
MILESTONES = ["首付款", "验收款", "质保金", "定金", "物业费", "delivery", "final payment"]


@settings(max_examples=40, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    amount=st.one_of(st.none(), st.integers(min_value=10_000, max_value=5_000_000)),
    plan=st.lists(st.tuples(st.sampled_from(MILESTONES), st.integers(min_value=1, max_value=40),
                            st.integers(min_value=-60, max_value=60), st.booleans()), max_size=4),
    payments=st.lists(st.tuples(st.integers(min_value=1, max_value=900_000), st.booleans()), max_size=4),
    closing=st.lists(st.sampled_from(["done", "waive", "undo", "none"]), max_size=3),
)
def test_receivables_add_up_to_what_contracts_still_owe(engine, amount, plan, payments, closing) -> None:  # type: ignore[no-untyped-def]
    chat = Chat(Core(engine, clock=lambda: NOW, default_timezone="Asia/Shanghai"))
    team = f"prop-{next(_teams)}"
    say = lambda text: chat.say(text, user="amy", team=team)  # noqa: E731
    say(f'new HT-1 "ERP" Contoso Ltd {amount or ""} CNY ends 2027-12-31'.replace("  ", " "))
    say('new HT-2 "Rent" Northwind Ltd 120,000 CNY ends 2027-12-31')
    for i, (name, pct, days, as_percent) in enumerate(plan):
        due = date.fromordinal(date(2027, 1, 13).toordinal() + days).isoformat()
        value = f"{pct}%" if as_percent and amount else f"{pct * 1000:,}"
        say(f"milestone HT-{1 + i % 2} {name} {i} {value} due {due}")
    for value, named in payments:
        say(f"paid HT-{1 + value % 2} {value:,}" + (" for 首付款 0" if named else ""))
    for action in closing:
        if action == "done":
            say("done HT-1 首付款 0")
            say("1")
        elif action == "waive":
            say("waive HT-2 质保金 1 reason discount")
        elif action == "undo":
            say("undo P-1 confirm")
    with Session(engine) as s:
        tenant = s.exec(select(Tenant).where(Tenant.external_id == team)).one()
        contracts = repo.list_contracts(s, tenant_id=tenant.id or 0)
        owed = sum((balance(s, tenant_id=tenant.id or 0, contract=c).outstanding for c in contracts), Decimal(0))
        parts = sum((o for c in contracts for _, _, o in receivable_parts(s, tenant_id=tenant.id or 0, contract=c,
                                                                          today=date(2027, 1, 13))), Decimal(0))
        assert all(isinstance(c, Contract) for c in contracts)
    assert parts == owed
    out = say("receivables")
    if owed:
        assert f"{owed:,.2f} CNY outstanding" in out
    else:
        assert "Nothing is outstanding" in out
