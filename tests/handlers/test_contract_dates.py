"""A new contract's dates take their role from the label nearest to them, whatever order they come in."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from tests.chat import Chat

START = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
SIGNED, STARTS, ENDS = date(2027, 1, 4), date(2027, 2, 1), date(2027, 12, 31)


@pytest.mark.parametrize(("text", "starts"), [
    ("新建 HT-1 华为云采购 华为 120万 到期 2027年12月31日 签订 2027-01-04", None),
    ("新建 HT-1 华为云采购 华为 120万 2027-01-04签订 2027年12月31日到期", None),
    ("新建 HT-1 华为云采购 华为 120万 签约 2027-01-04 开始 2027-02-01 结束 2027-12-31", STARTS),
    ('new HT-1 "Cloud" "Huawei" 5000 USD ends 2027-12-31 signed 2027-01-04 start 2027-02-01', STARTS),
    ('new HT-1 "Cloud" "Huawei" 5000 USD signed 2027-01-04 ends 2027-12-31', None),
])
def test_each_date_goes_to_the_field_its_label_names(engine, text: str, starts: date | None) -> None:  # type: ignore[no-untyped-def]
    chat = Chat.on_clock(engine, START)
    chat.say(text)
    [contract] = chat.contracts()
    assert (contract.signed_on, contract.start_on, contract.end_on) == (SIGNED, starts, ENDS)
    assert contract.counterparty == "Huawei" if text.startswith("new") else contract.counterparty == "华为"
    assert "签" not in contract.title and "结束" not in (contract.counterparty or "")


@pytest.mark.parametrize("text", [
    "milestone HT-1 balance 80% due 2027-03-01 owner @bob",
    "HT-1 balance 80% due 30 days after signing @bob",
    "节点 HT-1 余额 8000 2027-03-01 @bob",
])
def test_a_milestone_named_plainly_with_money_is_a_payment(engine, text: str) -> None:  # type: ignore[no-untyped-def]
    chat = Chat.on_clock(engine, START)
    chat.say('new HT-1 "Cloud" "Huawei" 10000 USD signed 2027-01-04 ends 2027-12-31')
    chat.say(text)
    [milestone] = chat.milestones()
    assert milestone.kind == "payment"
    chat.say("milestone HT-1 workshop due 2027-03-02 owner @bob")  # no money: other
    assert chat.milestones()[-1].kind == "other"
