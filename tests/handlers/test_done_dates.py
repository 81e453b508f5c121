"""Closing a milestone on the day it was done, not the day someone typed it: "done HT-1 delivery on 2026-11-02".

The day decides the on-time rate and a review's "actual" date, so a day that is given is never dropped: it is
kept, or the line is refused. Also: a field label right before a cut value ends the name before it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from handlers.core import Core
from tests.chat import Chat

NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)  # Tuesday 10:00 in Shanghai


@pytest.fixture
def chat(engine) -> Chat:  # type: ignore[no-untyped-def]
    c = Chat(Core(engine, clock=lambda: NOW, default_timezone="Asia/Shanghai"))
    c.say('new HT-1 "Cloud" "Acme" 1,000,000 ends 2027-05-31 signed 2026-06-01')
    for line in ("milestone HT-1 delivery due 2026-10-15", "milestone HT-1 acceptance due 2026-10-30",
                 "milestone HT-1 training due 2026-11-10", "milestone HT-1 phase 2 due 2026-11-12",
                 "节点 HT-1 验收测试 2026-11-13", "节点 HT-1 培训考核 2026-11-14"):
        assert "⚠️" not in c.say(line)
    return c


def _done_day(chat: Chat, title: str) -> date | None:
    m = next(m for m in chat.milestones() if m.title == title)
    if m.done_at is None:
        return None
    return m.done_at.astimezone(ZoneInfo("Asia/Shanghai")).date()


@pytest.mark.parametrize(("line", "title", "day"), [
    ("done HT-1 delivery on 2026-11-02", "delivery", date(2026, 11, 2)),
    ("HT-1 acceptance done on Nov 5", "acceptance", date(2026, 11, 5)),
    ("HT-1 training finished yesterday", "training", date(2026, 11, 30)),
    ("HT-1 验收测试 于2026-11-06完成", "验收测试", date(2026, 11, 6)),
    ("完成 HT-1 培训考核 于11月3日", "培训考核", date(2026, 11, 3)),
    ("HT-1 培训考核 昨天完成了", "培训考核", date(2026, 11, 30)),
])
def test_a_day_given_is_the_day_it_was_done(chat: Chat, line: str, title: str, day: date) -> None:
    out = chat.say(line)
    assert "⚠️" not in out, out
    assert day.isoformat() in out  # the reply says the day (and "Read as" shows it)
    assert _done_day(chat, title) == day


def test_without_a_day_it_is_done_today_and_a_number_in_the_title_stays_a_title(chat: Chat) -> None:
    out = chat.say("done HT-1 phase 2")
    assert "⚠️" not in out, out
    assert _done_day(chat, "phase 2") == date(2026, 12, 1)


def test_a_day_still_to_come_is_refused_and_nothing_is_written(chat: Chat) -> None:
    out = chat.say("done HT-1 delivery on 2026-12-25")
    assert "⚠️" in out and "2026-12-25" in out
    assert _done_day(chat, "delivery") is None
    out = chat.say("HT-1 delivery done on 2026-12-25")
    assert "⚠️" in out
    assert _done_day(chat, "delivery") is None


def test_a_day_in_the_middle_is_refused_not_dropped(chat: Chat) -> None:
    out = chat.say("HT-1 delivery yesterday ok done thanks")
    assert "⚠️" in out, out
    assert _done_day(chat, "delivery") is None


def test_the_review_and_the_on_time_rate_use_the_day_given(chat: Chat) -> None:
    chat.say("done HT-1 delivery on 2026-10-14")
    chat.say("done HT-1 acceptance on 2026-11-09")
    review = chat.say("review HT-1")
    assert "done 2026-10-14" in review and "done 2026-11-09 (10 d late)" in review
    report = chat.say("report 2026")
    assert "50% (1 of 2 completed)" in report, report


@pytest.mark.parametrize(("line", "party"), [
    ('new HT-2 "ERP" counterparty Beta amount 500000 ends 2027-05-31', "Beta"),
    ('new contract HT-3 "Fuel" with Total, amount 5000 ends 2027-05-31', "Total"),
    ('new contract HT-4 "Fuel" with Total amount 5000 ends 2027-05-31', "Total"),
])
def test_a_field_label_before_its_value_is_not_part_of_the_name(chat: Chat, line: str, party: str) -> None:
    out = chat.say(line)
    assert "⚠️" not in out, out
    number = line.split()[2] if line.startswith("new contract") else line.split()[1]
    assert next(c for c in chat.contracts() if c.number == number).counterparty == party


@pytest.mark.parametrize(("line", "title", "party"), [
    ("新建合同 HT-7 云平台 对方 华为 金额 100万 签订 2026-06-01 到期 2027-05-31", "云平台", "华为"),
    ("新建合同 HT-8 云平台 客户 华为金额 100万 到期 2027-05-31", "云平台", "华为"),
    ("new contract HT-9 ERP with Acme amount 1,200,000 CNY ends 2027-05-31", "ERP", "Acme"),
    ("new contract HT-10 customer Globex title Data Lake amount 300000 ends 2027-05-31", "Data Lake", "Globex"),
    ("新合同 HT-11 甲方：中石化 项目名称：加油站改造 金额 50万 到期 2027-12-31", "加油站改造", "中石化"),
    ("新合同 HT-12 项目名称：加油站改造 甲方：中石化 金额 50万 到期 2027-12-31", "加油站改造", "中石化"),
])
def test_a_name_label_inside_the_line_starts_that_name(chat: Chat, line: str, title: str, party: str) -> None:
    out = chat.say(line)
    assert "⚠️" not in out, out
    number = next(w for w in line.split() if w.startswith("HT-"))
    contract = next(c for c in chat.contracts() if c.number == number)
    assert (contract.title, contract.counterparty) == (title, party)


def test_a_day_given_for_a_milestone_still_owed_goes_into_the_payment_it_offers(chat: Chat) -> None:
    chat.say("milestone HT-1 first payment 30% due 2026-11-01")
    out = chat.say("done HT-1 first payment on 2026-11-20")
    assert "paid HT-1 300,000.00 on 2026-11-20 for first payment" in out, out
    out = chat.say("1")
    assert "2026-11-20" in out and "⚠️" not in out, out
