"""Grammar tests in both languages: text in, typed command out (no database)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from handlers.commands import parse
from handlers.errors import UserError
from handlers.grammar import (
    AddMilestone,
    CompleteMilestone,
    Help,
    ListItems,
    NewContract,
    OwnerRef,
    ShowContract,
    milestone_kind,
)

NOW = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)
TZ = "Asia/Shanghai"


def p(text: str):  # type: ignore[no-untyped-def]
    return parse(text, now=NOW, tz=TZ)


def test_new_contract_english() -> None:
    parsed = p('new HT-2026-001 "Acme annual license" Acme Corp 1,200,000 CNY ends 2027-12-31 owner @bob '
               "notice 30 days auto-renew opp OPP-7 order SO-9")
    cmd = parsed.command
    assert parsed.lang == "en"
    assert isinstance(cmd, NewContract)
    assert (cmd.number, cmd.title, cmd.counterparty) == ("HT-2026-001", "Acme annual license", "Acme Corp")
    assert (cmd.amount, cmd.currency) == (Decimal("1200000.00"), "CNY")
    assert cmd.end_on is not None and cmd.end_on.value == date(2027, 12, 31)
    assert cmd.owner == OwnerRef(handle="bob")
    assert (cmd.notice_days, cmd.auto_renew, cmd.crm_opportunity, cmd.crm_order) == (30, True, "OPP-7", "SO-9")


def test_new_contract_chinese() -> None:
    parsed = p("新建 HT-2026-002 华为云采购 华为 120万 到期 2027年12月31日 提前30天通知 自动续约")
    cmd = parsed.command
    assert parsed.lang == "zh"
    assert isinstance(cmd, NewContract)
    assert (cmd.title, cmd.counterparty, cmd.amount) == ("华为云采购", "华为", Decimal("1200000.00"))
    assert cmd.end_on is not None and cmd.end_on.value == date(2027, 12, 31)
    assert (cmd.notice_days, cmd.auto_renew) == (30, True)


def test_milestone_english() -> None:
    cmd = p("milestone HT-2026-001 first payment 30% due next Friday owner @alice").command
    assert cmd == AddMilestone(number="HT-2026-001", title="first payment", kind="payment",
                               due_on=cmd.due_on, owner=OwnerRef(handle="alice"), percent=Decimal(30))
    assert cmd.due_on.value == date(2026, 12, 4)


def test_milestone_chinese_without_keywords() -> None:
    cmd = p("节点 HT-2026-002 首付款 30% 下周五 @张三").command
    assert isinstance(cmd, AddMilestone)
    assert (cmd.title, cmd.kind, cmd.percent, cmd.owner) == ("首付款", "payment", Decimal(30), OwnerRef(handle="张三"))
    assert cmd.due_on.value == date(2026, 12, 4)


def test_milestone_chinese_with_owner_keyword_and_month_day() -> None:
    cmd = p("节点 HT-2026-002 交付验收 3月15日 负责人 @李四").command
    assert isinstance(cmd, AddMilestone)
    assert (cmd.title, cmd.kind, cmd.owner, cmd.due_on.value) == (
        "交付验收", "acceptance", OwnerRef(handle="李四"), date(2027, 3, 15))


def test_milestone_with_slack_mention_and_amount() -> None:
    cmd = p("milestone HT-1 mid payment 36万 due 2027-03-01 owner <@U0002|bob>").command
    assert isinstance(cmd, AddMilestone)
    assert cmd.owner == OwnerRef(user_id="U0002", name="bob")
    assert cmd.amount == Decimal("360000.00") and cmd.title == "mid payment"


def test_small_number_stays_in_the_name() -> None:
    cmd = p("milestone HT-1 phase 2 delivery due 2027-03-01").command
    assert isinstance(cmd, AddMilestone)
    assert cmd.title == "phase 2 delivery" and cmd.amount is None and cmd.kind == "delivery"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("done HT-2026-001 first payment", CompleteMilestone("HT-2026-001", "first payment")),
        ("完成 HT-2026-002 首付款", CompleteMilestone("HT-2026-002", "首付款")),
        ("完成HT-2026-002 首付款", CompleteMilestone("HT-2026-002", "首付款")),
        ("show ht-2026-001", ShowContract("HT-2026-001")),
        ("查看 HT-2026-002", ShowContract("HT-2026-002")),
        ("list", ListItems("contracts")),
        ("list mine", ListItems("mine")),
        ("list overdue", ListItems("overdue")),
        ("list due this week", ListItems("week")),
        ("列表", ListItems("contracts")),
        ("我的", ListItems("mine")),
        ("逾期", ListItems("overdue")),
        ("本周到期", ListItems("week")),
        ("help", Help()),
        ("帮助", Help()),
    ],
)
def test_short_commands(text: str, expected: object) -> None:
    assert p(text).command == expected


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("launch the rockets", "err.unknown_command"),
        ("milestone HT-1 first payment 30%", "err.date_missing"),
        ("milestone HT-1 first payment 101% due 2027-01-01", "err.percent_over"),
        ("milestone HT-1 due 2027-01-01", "err.milestone_name_missing"),
        ("new HT-1 Acme Corp -100", "err.amount_negative"),
        ("new HT-1 Acme Corp 99999999999999", "err.amount_absurd"),
        ("new", "err.number_missing"),
        ("new HT-1 Acme ends someday", "err.date_unreadable"),
        ("list sideways", "err.list_scope"),
        ("节点 HT-1 首付款 30% 2月30日", "err.date_unreadable"),
    ],
)
def test_errors(text: str, key: str) -> None:
    with pytest.raises(UserError) as err:
        p(text)
    assert err.value.key == key
    assert err.value.example


@pytest.mark.parametrize(
    ("title", "kind"),
    [("首付款", "payment"), ("中期款", "payment"), ("交付验收", "acceptance"), ("质保金", "warranty"),
     ("续约", "renewal"), ("go-live", "delivery"), ("kickoff", "other"), ("final payment", "payment")],
)
def test_kind_is_inferred_from_the_name(title: str, kind: str) -> None:
    assert milestone_kind(title) == kind
