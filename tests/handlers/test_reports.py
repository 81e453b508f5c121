"""report / 报表 and review / 复盘 in conversation: periods, filters, footnotes, charts, and nothing written."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlmodel import Session, func, select

from handlers.periods import read_period
from storage.models import AuditEvent
from tests.chat import Chat


@pytest.fixture
def chat(engine) -> Chat:  # type: ignore[no-untyped-def]
    """A small ledger built over Q1 2027; the clock ends on Monday 2027-03-15, 10:00 in Shanghai."""
    c = Chat.on_clock(engine, datetime(2027, 1, 2, 2, 0, tzinfo=UTC))
    clock = c.clock
    assert clock is not None
    c.say('new HT-1 "Cloud platform" Acme 1000000 ends 2027-12-31 owner @alice')
    c.say("milestone HT-1 first payment 30% due 2027-01-10 owner @alice")
    c.say("milestone HT-1 second payment 40% due 2027-02-10 owner @alice")
    c.say("milestone HT-1 delivery 2027-02-15 owner @carol")
    c.say('new HT-2 "Data migration" "Beta Corp" 500000 ends 2027-02-28 notice 10 days owner @bob')
    c.say("milestone HT-2 first payment 500000 due 2027-01-20 owner @bob")
    # the first payment arrives early but is typed in on 01-12: it counts as paid on 01-05
    clock.now = datetime(2027, 1, 12, 2, 0, tzinfo=UTC)
    c.say("paid HT-1 300000 on 2027-01-05")
    clock.now = datetime(2027, 2, 20, 2, 0, tzinfo=UTC)
    c.say("paid HT-1 100000 on 2027-02-08")
    c.say("done HT-1 delivery")  # 5 days late
    c.say("paid HT-2 200000 on 2027-01-25")
    clock.now = datetime(2027, 3, 15, 2, 0, tzinfo=UTC)
    return c


def test_report_for_a_quarter_carries_every_kpi_with_footnotes_and_charts(chat: Chat) -> None:
    out = chat.say("report Q1 2027")
    assert "Report · Q1 2027 (2027-01-01 – 2027-03-31)" in out
    # due: 300k + 400k + 500k; received 300k + 100k + 200k; on time: 300k (01-05 ≤ 01-10) + 100k (02-08 ≤ 02-10)
    assert "received 600,000.00 CNY · due 1,200,000.00 CNY · due money collected on time 400,000.00 CNY (33%)" in out
    assert "median -5 d · p90 -5 d (1 settled)" in out  # only the first payment was settled in full
    # on time: first payment (paid 01-05) yes, delivery (done 02-20, due 02-15) no
    assert "50% (1 of 2 completed); the late ones median 5 d late" in out
    assert "payment 100% (1/1)" in out and "delivery 0% (0/1, late ones 5 d)" in out
    assert "HT-2 first payment · 2027-01-20 (54 d late) · @bob · 300,000.00 CNY" in out
    assert "owed 600,000.00 CNY" in out  # 300k on HT-1's second payment, 300k on HT-2
    assert "1 missed" in out and "HT-2 (2027-02-18)" in out  # notice 10 days before 02-28, nothing done
    assert "At risk⁷: 2 contract(s)" in out
    for n in "¹²³⁴⁵⁶⁷":
        assert f"\n{n} " in out  # every figure says how it was computed
    images = chat.last[0].images
    assert [i.filename.split("-")[0].removesuffix(".png") for i in images] == ["money", "ageing", "ontime"]
    assert all(i.data.startswith(b"\x89PNG") for i in images)


def test_report_filters_by_owner_and_counterparty(chat: Chat) -> None:
    alice = chat.say("report Q1 2027 owner @alice")
    assert "owner @alice" in alice
    # the charts say whose figures they show (a chart sent on must not pass for the whole team's)
    assert chat.last[0].images and all(i.title.endswith("· owner @alice") for i in chat.last[0].images)
    assert "received 400,000.00 CNY · due 700,000.00 CNY" in alice  # HT-1's payments only
    assert "HT-2" not in alice
    acme = chat.say("report Acme 2027")
    assert "“Acme”" in acme and "Report · 2027 (2027-01-01 – 2027-12-31)" in acme
    assert "due 700,000.00 CNY" in acme and "Beta Corp" not in acme
    assert "No contract matches “Nobody”" in chat.say("report Nobody")
    assert "owner @alice" in chat.say("report alice")  # no contract by that name, but a member: hers
    assert "Nobody called @zed" in chat.say("report owner @zed")


def test_report_in_chinese_with_chinese_periods(chat: Chat) -> None:
    out = chat.say("报表 本季度")
    assert "📊 报表 · 2027年第1季度（2027-01-01 至 2027-03-31）" in out
    assert "已回款 600,000.00 CNY · 到期应收 1,200,000.00 CNY · 按时收回 400,000.00 CNY（33%）" in out
    assert "¹ 已回款 = " in out
    assert "2027年2月" in chat.say("报表 上个月")
    assert chat.last[0].lang == "zh"
    this_month = chat.say("report")
    assert "March 2027 (2027-03-01 – 2027-03-31)" in this_month  # no period: this month


def test_report_and_review_write_nothing(chat: Chat) -> None:
    with Session(chat.engine) as s:
        before = s.exec(select(func.count()).select_from(AuditEvent)).one()
    chat.say("report 2027")
    chat.say("review HT-1")
    chat.say("复盘 HT-2")
    with Session(chat.engine) as s:
        assert s.exec(select(func.count()).select_from(AuditEvent)).one() == before


def test_review_compares_plan_with_what_happened(chat: Chat) -> None:
    chat.say("change HT-1 second payment due 2027-02-28 reason customer asked")
    out = chat.say("review HT-1")
    assert "Review of HT-1 “Cloud platform” · Acme · running" in out
    assert "Verdict: 1 of 2 payments settled, 300,000.00 CNY still owed; 0 changes (1 pending); delivery slipped 5 days" in out
    assert "first payment: planned 2027-01-10 · done 2027-01-05 (5 d early)" in out
    assert "delivery: planned 2027-02-15 · done 2027-02-20 (5 d late)" in out
    assert "second payment: planned 2027-02-10 · open, 33 d overdue · 400,000.00 CNY, received 100,000.00 CNY" in out
    assert "P-1 2027-01-05 300,000.00 CNY → first payment 300,000.00 CNY (5 d early)" in out
    assert "CR-1 pending" in out and "customer asked" in out
    assert "Total slip: 38 days" in out  # delivery 5 + second payment 33 (open, overdue)
    [image] = chat.last[0].images
    assert image.filename == "timeline-HT-1.png" and image.data.startswith(b"\x89PNG")
    zh = chat.say("复盘 HT-2")
    assert "结论：1 笔付款结清 0 笔，尚欠 300,000.00 CNY；0 次变更" in zh
    assert "Unknown contract" in chat.say("review HT-404") or "HT-404" in chat.last[0].title or "HT-404" in out
    assert chat.last[0].error


@pytest.mark.parametrize(("text", "start", "end", "rest"), [
    ("this month", date(2026, 12, 1), date(2026, 12, 31), ""),
    ("Q1", date(2026, 1, 1), date(2026, 3, 31), ""),
    ("2027 Q3 Acme", date(2027, 7, 1), date(2027, 9, 30), "Acme"),
    ("2027", date(2027, 1, 1), date(2027, 12, 31), ""),
    ("本季度", date(2026, 10, 1), date(2026, 12, 31), ""),
    ("上个月 @bob", date(2026, 11, 1), date(2026, 11, 30), "@bob"),
    ("last 30 days", date(2026, 11, 2), date(2026, 12, 1), ""),
    ("最近三个月", date(2026, 9, 3), date(2026, 12, 1), ""),
    ("2027年第二季度", date(2027, 4, 1), date(2027, 6, 30), ""),
    ("march 2027", date(2027, 3, 1), date(2027, 3, 31), ""),
    ("2026-11", date(2026, 11, 1), date(2026, 11, 30), ""),
    ("from 2026-01-01 to 2026-03-31", date(2026, 1, 1), date(2026, 3, 31), ""),
    ("上半年", date(2026, 1, 1), date(2026, 6, 30), ""),
    ("ytd", date(2026, 1, 1), date(2026, 12, 1), ""),
])
def test_periods(text: str, start: date, end: date, rest: str) -> None:
    period, left = read_period(text, date(2026, 12, 1))
    assert period is not None and (period.start, period.end, left) == (start, end, rest)


def test_no_period_in_contract_numbers_or_names() -> None:
    assert read_period("HT-2026-001", date(2026, 12, 1))[0] is None
    assert read_period("Acme", date(2026, 12, 1))[0] is None


@pytest.mark.parametrize(("line", "title"), [
    ("how did we do last quarter?", "Report · Q4 2026"),
    ("上季度回款情况怎么样", "报表 · 2026年第4季度"),
    ("how were collections in February?", "Report · February 2027"),
    ("今年业绩", "报表 · 2027年"),
])
def test_looking_back_over_a_period_is_a_report(chat: Chat, line: str, title: str) -> None:
    assert title in chat.say(line)


def test_collection_words_without_a_period_ask_what_is_owed_now(chat: Chat) -> None:
    out = chat.say("现在回款情况怎么样")
    assert "报表" not in out and "应收" in out


def test_an_owner_known_by_address_is_written_as_the_address() -> None:
    from handlers.replies import PersonRef, plain

    assert plain(("owner ", PersonRef("amy@example.com", handle="amy@example.com"))) == "owner amy@example.com"
    assert plain(("owner ", PersonRef("amy", handle="amy"))) == "owner @amy"


@pytest.mark.parametrize(("line", "phrase"), [("report Q5", "Q5"), ("report 2027-13", "2027-13"),
                                              ("报表 13月", "13月"), ("报表 第5季度", "第5季度")])
def test_a_period_that_is_not_one_is_refused_as_a_period(chat: Chat, line: str, phrase: str) -> None:
    """Not "no contract matches Q5": the reason says what a period is, with an example."""
    out = chat.say(line)
    assert "⚠️" in out and f"“{phrase}”" in out and ("not a period" in out or "不是有效的期间" in out), out
    assert "Example:" in out or "例如" in out


def test_ending_a_contract_closes_its_pending_changes_and_the_verdict_counts_approved_ones(chat: Chat) -> None:
    chat.say('new HT-77 "Pilot" Initech 100000 ends 2027-12-31')
    chat.say("milestone HT-77 first payment 50% due 2027-06-01")
    chat.say("change HT-77 first payment due 2027-07-01 reason customer asked", user="bob")
    assert "0 changes (1 pending)" in chat.say("review HT-77")  # pending: not a change yet
    out = chat.say("end HT-77 project stopped")
    assert "Change requests closed unapplied: CR-" in out, out
    seq = out.split("closed unapplied: CR-")[1].split()[0]
    assert "rejected" in chat.say(f"approve CR-{seq}").lower()  # decided: nobody approves a change to an ended one
    review = chat.say("review HT-77")
    assert "; 0 changes" in review and "(1 pending)" not in review and "the contract ended" in review


def test_a_renewal_completes_its_notice_milestone_on_the_day_it_happened(chat: Chat) -> None:
    """Renewed after the notice deadline: the term's review and the on-time rate show it late, not cancelled."""
    chat.say('new HT-66 "Support" Acme 80000 signed 2026-01-01 ends 2027-01-31 notice 30 days')
    chat.say("renew HT-66 to 2028-01-31")  # the fixture's today, 2027-03-15: after the 2027-01-01 notice deadline
    review = chat.say("review HT-66/T1")
    assert "renewal notice: planned 2027-01-01 · done 2027-03-15 (73 d late)" in review, review
