"""Natural-language due dates: the public set, held-out phrases, working days and find_date spans."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from handlers.dates import (
    DateMatch,
    business_days_after,
    describe_note,
    find_date,
    format_date,
    is_working_day,
    parse_date,
    previous_working_day,
    warm_up,
)

SH = "Asia/Shanghai"
NY = "America/New_York"
SHARED = Path(__file__).resolve().parents[2].parent / "shared/data/dates_public.tsv"
FIXTURE = Path(__file__).resolve().parents[1] / "fixtures/dates_public.tsv"

# The public set's reference: Wednesday 2027-01-13 10:00 in Shanghai.
WED = datetime(2027, 1, 13, 10, 0, tzinfo=ZoneInfo(SH))
SUN = datetime(2027, 1, 17, 10, 0, tzinfo=ZoneInfo(SH))  # a Sunday: week boundaries
YEAR_END = datetime(2027, 12, 30, 15, 0, tzinfo=ZoneInfo(SH))  # Thursday, two days before 2028
MONTH_END = datetime(2027, 1, 31, 12, 0, tzinfo=ZoneInfo(SH))  # Sunday, before a 28-day February
NATIONAL_DAY = datetime(2026, 9, 29, 9, 0, tzinfo=ZoneInfo(SH))  # Tuesday before 10月1日-7日 off
SPRING = datetime(2026, 2, 12, 9, 0, tzinfo=ZoneInfo(SH))  # Thursday before 2月15日-23日 off
# 02:00 UTC is still Tuesday 2027-01-12 in New York but already Wednesday in Shanghai.
UTC_EARLY = datetime(2027, 1, 13, 2, 0, tzinfo=UTC)
# 17:30 UTC is Wednesday evening in New York but Thursday 01:30 in Shanghai.
UTC_LATE = datetime(2027, 1, 13, 17, 30, tzinfo=UTC)


def _public_rows() -> list[tuple[str, str]]:
    path = SHARED if SHARED.exists() else FIXTURE
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            phrase, expected = line.split("\t")
            rows.append((phrase, expected.strip()))
    return rows


PUBLIC = _public_rows()


def test_public_set_is_loaded() -> None:
    assert len(PUBLIC) >= 70
    assert ("下周二", "2027-01-19") in PUBLIC


@pytest.mark.parametrize(("phrase", "expected"), PUBLIC, ids=[p for p, _ in PUBLIC])
def test_public_set(phrase: str, expected: str) -> None:
    got = parse_date(phrase, now=WED, tz=SH)
    if expected == "NONE":
        assert got is None
    else:
        assert got is not None and got.isoformat() in expected.split("|")


# (phrase, now, tz, expected ISO date)
HELD_OUT: list[tuple[str, datetime, str, str]] = [
    # Chinese weekdays, said on a Wednesday
    ("下下周五", WED, SH, "2027-01-29"),
    ("礼拜四", WED, SH, "2027-01-14"),
    ("下个星期一", WED, SH, "2027-01-18"),
    ("这个星期天", WED, SH, "2027-01-17"),
    ("本周一", WED, SH, "2027-01-11"),
    ("上上周五", WED, SH, "2027-01-01"),
    ("週五", WED, SH, "2027-01-15"),
    ("下周 四", WED, SH, "2027-01-21"),
    ("这周五前", WED, SH, "2027-01-15"),
    ("下周一之前", WED, SH, "2027-01-18"),
    ("周五以前", WED, SH, "2027-01-15"),
    ("下周五下午3点", WED, SH, "2027-01-22"),
    ("周末", WED, SH, "2027-01-16"),
    # Chinese weekdays, said on a Sunday (weeks start on Monday)
    ("周一", SUN, SH, "2027-01-18"),
    ("下周一", SUN, SH, "2027-01-18"),
    ("本周一", SUN, SH, "2027-01-11"),
    ("这周六", SUN, SH, "2027-01-16"),
    ("星期天", SUN, SH, "2027-01-17"),
    ("下个礼拜天", SUN, SH, "2027-01-24"),
    ("上周三", SUN, SH, "2027-01-06"),
    ("下周", SUN, SH, "2027-01-18"),
    ("周末", SUN, SH, "2027-01-23"),
    # English weekdays
    ("Monday", WED, SH, "2027-01-18"),
    ("Sunday", WED, SH, "2027-01-17"),
    ("this Wednesday", WED, SH, "2027-01-13"),
    ("next Thursday", WED, SH, "2027-01-21"),
    ("last Tuesday", WED, SH, "2027-01-05"),
    ("by Monday", WED, SH, "2027-01-18"),
    ("before next Wednesday", WED, SH, "2027-01-20"),
    ("due Thursday", WED, SH, "2027-01-14"),
    ("Friday next week", WED, SH, "2027-01-22"),
    ("next week", WED, SH, "2027-01-18"),
    ("next Wednesday", SUN, SH, "2027-01-20"),
    ("this Saturday", SUN, SH, "2027-01-23"),
    ("last Monday", SUN, SH, "2027-01-04"),
    ("end of the week", SUN, SH, "2027-01-22"),
    # Chinese durations
    ("八天后", WED, SH, "2027-01-21"),
    ("十五天以后", WED, SH, "2027-01-28"),
    ("两周之后", WED, SH, "2027-01-27"),
    ("两个礼拜后", WED, SH, "2027-01-27"),
    ("一年后", WED, SH, "2028-01-13"),
    ("半个月后", WED, SH, "2027-01-28"),
    ("一个半月后", WED, SH, "2027-02-28"),
    ("半年后", WED, SH, "2027-07-13"),
    ("3天内", WED, SH, "2027-01-16"),
    ("一周内", WED, SH, "2027-01-20"),
    ("3天前", WED, SH, "2027-01-10"),
    ("十天后", SUN, SH, "2027-01-27"),
    ("两个月后", SUN, SH, "2027-03-17"),
    ("一个月后", MONTH_END, SH, "2027-02-28"),  # clamped like dateutil, not an invalid date
    ("3天后", MONTH_END, SH, "2027-02-03"),
    # English durations
    ("in ten days", WED, SH, "2027-01-23"),
    ("in 2 weeks", WED, SH, "2027-01-27"),
    ("in six months", WED, SH, "2027-07-13"),
    ("in one year", WED, SH, "2028-01-13"),
    ("3 weeks from now", WED, SH, "2027-02-03"),
    ("ten days from today", WED, SH, "2027-01-23"),
    ("a week from today", WED, SH, "2027-01-20"),
    ("in four weeks", SUN, SH, "2027-02-14"),
    ("in 1 month", MONTH_END, SH, "2027-02-28"),
    ("3 days ago", WED, SH, "2027-01-10"),
    # days of month
    ("二十五号", WED, SH, "2027-01-25"),
    ("12日", WED, SH, "2027-02-12"),
    ("15日前", WED, SH, "2027-01-15"),  # N日前 is "by the Nth", not "N days ago"
    ("本月25号", WED, SH, "2027-01-25"),
    ("这个月10号", WED, SH, "2027-01-10"),
    ("下月5号", WED, SH, "2027-02-05"),
    ("下下个月1号", WED, SH, "2027-03-01"),
    ("15号", SUN, SH, "2027-02-15"),
    ("30号", MONTH_END, SH, "2027-03-30"),  # no 30 February: the next 30th
    ("3号", YEAR_END, SH, "2028-01-03"),
    ("下个月15日", YEAR_END, SH, "2028-01-15"),
    ("the 25th", WED, SH, "2027-01-25"),
    ("the 5th", WED, SH, "2027-02-05"),
    ("the 10th of next month", WED, SH, "2027-02-10"),
    ("the 17th", SUN, SH, "2027-01-17"),
    # month and day, with and without a year
    ("三月一日", WED, SH, "2027-03-01"),
    ("十二月二十五日", WED, SH, "2027-12-25"),
    ("1月5日", WED, SH, "2028-01-05"),
    ("1月10日", SUN, SH, "2028-01-10"),
    ("1月3号", YEAR_END, SH, "2028-01-03"),
    ("2026年12月1日", WED, SH, "2026-12-01"),
    ("二〇二七年三月一日", WED, SH, "2027-03-01"),
    ("后年3月1日", WED, SH, "2029-03-01"),
    ("今年7月1日", WED, SH, "2027-07-01"),
    ("明年2月29日", YEAR_END, SH, "2028-02-29"),
    ("3月15日前", WED, SH, "2027-03-15"),
    ("２０２７年３月１日", WED, SH, "2027-03-01"),
    ("１２月２５日", WED, SH, "2027-12-25"),
    ("3 月 15 日", WED, SH, "2027-03-15"),
    ("2027/12/1", WED, SH, "2027-12-01"),
    ("2027.3.8", WED, SH, "2027-03-08"),
    ("12/25", WED, SH, "2027-12-25"),
    ("3-8", WED, SH, "2027-03-08"),
    ("1/20", SUN, SH, "2027-01-20"),
    ("Mar 15", WED, SH, "2027-03-15"),
    ("March 15th", WED, SH, "2027-03-15"),
    ("15 March 2027", WED, SH, "2027-03-15"),
    ("Dec 25, 2027", WED, SH, "2027-12-25"),
    ("1 Jan", WED, SH, "2028-01-01"),
    ("January 10", WED, SH, "2028-01-10"),
    ("Sep 30 2027", WED, SH, "2027-09-30"),
    ("no later than March 1", WED, SH, "2027-03-01"),
    ("Feb 29", YEAR_END, SH, "2028-02-29"),  # 2028 is a leap year
    ("2027-02-05 周五", WED, SH, "2027-02-05"),  # our own echo format reads back
    ("Fri 2027-02-05", WED, SH, "2027-02-05"),
    # month / quarter / half / year boundaries
    ("6月底", WED, SH, "2027-06-30"),
    ("十二月底", WED, SH, "2027-12-31"),
    ("本月底", WED, SH, "2027-01-31"),
    ("月末", WED, SH, "2027-01-31"),
    ("下下个月底", WED, SH, "2027-03-31"),
    ("下个月最后一天", WED, SH, "2027-02-28"),
    ("明年年底", WED, SH, "2028-12-31"),
    ("三季度末", WED, SH, "2027-09-30"),
    ("第四季度末", WED, SH, "2027-12-31"),
    ("Q3末", WED, SH, "2027-09-30"),
    ("本季度末", WED, SH, "2027-03-31"),
    ("下个季度末", WED, SH, "2027-06-30"),
    ("下半年末", WED, SH, "2027-12-31"),
    ("上半年末", WED, SH, "2027-06-30"),
    ("下半年", WED, SH, "2027-07-01"),
    ("4月中", WED, SH, "2027-04-15"),
    ("五月中旬", WED, SH, "2027-05-15"),
    ("月底前", WED, SH, "2027-01-31"),
    ("年底之前", WED, SH, "2027-12-31"),
    ("月初", WED, SH, "2027-02-01"),
    ("下个月初", MONTH_END, SH, "2027-02-01"),
    ("月中", MONTH_END, SH, "2027-02-15"),
    ("下月底", MONTH_END, SH, "2027-02-28"),
    ("月底", YEAR_END, SH, "2027-12-31"),
    ("下月底", YEAR_END, SH, "2028-01-31"),
    ("年底", YEAR_END, SH, "2027-12-31"),
    ("明年底", YEAR_END, SH, "2028-12-31"),
    ("年初", YEAR_END, SH, "2028-01-01"),
    ("季度末", YEAR_END, SH, "2027-12-31"),
    ("下季度末", YEAR_END, SH, "2028-03-31"),
    ("一季度末", YEAR_END, SH, "2028-03-31"),
    ("下半年", YEAR_END, SH, "2028-07-01"),
    ("end of March", WED, SH, "2027-03-31"),
    ("end of this year", WED, SH, "2027-12-31"),
    ("end of Q3", WED, SH, "2027-09-30"),
    ("end of the next quarter", WED, SH, "2027-06-30"),
    ("beginning of next month", WED, SH, "2027-02-01"),
    ("last day of February", WED, SH, "2027-02-28"),
    ("mid-April", WED, SH, "2027-04-15"),
    ("mid March", WED, SH, "2027-03-15"),
    ("by the end of next month", WED, SH, "2027-02-28"),
    ("mid-month", MONTH_END, SH, "2027-02-15"),
    ("end of Q3", YEAR_END, SH, "2028-09-30"),
    ("end of next month", YEAR_END, SH, "2028-01-31"),
    # relative days
    ("大前天", WED, SH, "2027-01-10"),
    ("the day after tomorrow", WED, SH, "2027-01-15"),
    ("today", WED, SH, "2027-01-13"),
    ("tomorrow", YEAR_END, SH, "2027-12-31"),
    ("大后天", YEAR_END, SH, "2028-01-02"),
    ("in 3 days", YEAR_END, SH, "2028-01-02"),
    ("two weeks from today", YEAR_END, SH, "2028-01-13"),
    ("下周三", YEAR_END, SH, "2028-01-05"),
    # the zone decides what "today" is
    ("today", UTC_EARLY, NY, "2027-01-12"),
    ("today", UTC_EARLY, SH, "2027-01-13"),
    ("明天", UTC_EARLY, NY, "2027-01-13"),
    ("12号", UTC_EARLY, NY, "2027-01-12"),
    ("Friday", UTC_EARLY, NY, "2027-01-15"),
    ("next Friday", UTC_EARLY, NY, "2027-01-22"),
    ("in 2 days", UTC_EARLY, NY, "2027-01-14"),
    ("明天", UTC_LATE, SH, "2027-01-15"),
    ("周四", UTC_LATE, SH, "2027-01-14"),
    ("tomorrow", UTC_LATE, NY, "2027-01-14"),
    # working days across the National Day week (9月20日 and 10月10日 are 调休 workdays)
    ("1个工作日后", NATIONAL_DAY, SH, "2026-09-30"),
    ("2个工作日后", NATIONAL_DAY, SH, "2026-10-08"),
    ("三个工作日后", NATIONAL_DAY, SH, "2026-10-09"),
    ("4个工作日后", NATIONAL_DAY, SH, "2026-10-10"),  # a Saturday, but a working day
    ("5个工作日内", NATIONAL_DAY, SH, "2026-10-12"),
    ("in 2 business days", NATIONAL_DAY, SH, "2026-10-08"),
    ("within 5 working days", NATIONAL_DAY, SH, "2026-10-12"),
    ("5 business days from now", NATIONAL_DAY, SH, "2026-10-12"),
    ("下周三", NATIONAL_DAY, SH, "2026-10-07"),  # calendar weekdays ignore holidays
    # working days across the 2026 Spring Festival (2月14日 and 2月28日 are 调休 workdays)
    ("2个工作日后", SPRING, SH, "2026-02-14"),
    ("3个工作日后", SPRING, SH, "2026-02-24"),
    ("in 5 business days", SPRING, SH, "2026-02-26"),
    ("十个工作日内", SPRING, SH, "2026-03-04"),
    # the fallback: phrases only dateparser knows, read from now in the user's zone
    ("in 15 hours", WED, SH, "2027-01-14"),  # 10:00 + 15 h in Shanghai, not in UTC
    # day-first where only day-first is possible
    ("15.03.2027", WED, SH, "2027-03-15"),
    ("13/1", WED, SH, "2027-01-13"),
]


@pytest.mark.parametrize(("phrase", "now", "tz", "expected"), HELD_OUT,
                         ids=[f"{p}@{n.isoformat()}[{tz}]" for p, n, tz, _ in HELD_OUT])
def test_held_out(phrase: str, now: datetime, tz: str, expected: str) -> None:
    assert parse_date(phrase, now=now, tz=tz) == date.fromisoformat(expected)


INVALID = [
    "4月31日", "2月29日", "二月三十日", "2027年13月1日", "2027年2月29日", "0号", "32号", "下个月32号",
    "2027-04-31", "2027/2/30", "13/13", "32/1", "February 30", "Feb 29 2027", "April 31", "星期八", "下礼拜零",
    "下周8", "next funday", "next holiday", "上半年", "", "   ", "30%", "120万", "1,200,000", "HT-2026-001",
    "March", "2027", "3月", "hello",
    "2027-02-15 周二",  # 2027-02-15 is a Monday: a contradicting weekday rejects the phrase
]


@pytest.mark.parametrize("phrase", INVALID)
def test_invalid_phrases_give_none(phrase: str) -> None:
    assert parse_date(phrase, now=WED, tz=SH) is None


def test_year_is_chosen_before_the_date_is_checked() -> None:
    # 2月29日 in January 2027 means February 2027, which has no 29th: rejected, not moved to 2028.
    assert parse_date("2月29日", now=WED, tz=SH) is None
    # In March 2027 the next 2月29日 is in 2028, a leap year.
    march = datetime(2027, 3, 1, 9, 0, tzinfo=ZoneInfo(SH))
    assert parse_date("2月29日", now=march, tz=SH) == date(2028, 2, 29)


def test_naive_now_is_wall_clock_in_tz() -> None:
    naive = datetime(2027, 1, 13, 23, 30)
    assert parse_date("明天", now=naive, tz=SH) == date(2027, 1, 14)
    assert parse_date("明天", now=naive, tz=NY) == date(2027, 1, 14)


# ---- working days ----------------------------------------------------------------------------


@pytest.mark.parametrize(("day", "working"), [
    ("2026-10-01", False),  # National Day
    ("2026-10-07", False),  # substituted day off
    ("2026-10-08", True),
    ("2026-10-10", True),  # Saturday, 调休 workday
    ("2026-10-11", False),  # plain Sunday
    ("2026-09-20", True),  # Sunday, 调休 workday
    ("2026-02-14", True),  # Saturday before the Spring Festival, 调休 workday
    ("2026-02-16", False),  # 除夕
    ("2026-02-23", False),  # substituted day off (Monday)
    ("2026-01-04", True),  # Sunday, 调休 workday for New Year
    ("2027-01-13", True),
    ("2027-01-16", False),  # Saturday
])
def test_is_working_day_cn(day: str, working: bool) -> None:
    assert is_working_day(date.fromisoformat(day)) is working


def test_business_days_after() -> None:
    assert business_days_after(date(2026, 9, 29), 3) == date(2026, 10, 9)
    assert business_days_after(date(2026, 10, 9), -1) == date(2026, 10, 8)
    assert business_days_after(date(2026, 10, 8), -1) == date(2026, 9, 30)
    assert business_days_after(date(2026, 10, 3), 0) == date(2026, 10, 3)
    # Another country's calendar: Christmas 2026 is a Friday in the US.
    assert business_days_after(date(2026, 12, 24), 1, country="US") == date(2026, 12, 28)
    assert business_days_after(date(2026, 12, 24), 1) == date(2026, 12, 25)  # a CN working day


def test_previous_working_day() -> None:
    assert previous_working_day(date(2026, 10, 5)) == date(2026, 9, 30)
    assert previous_working_day(date(2026, 10, 8)) == date(2026, 10, 8)  # already a working day
    assert previous_working_day(date(2026, 2, 22)) == date(2026, 2, 14)  # back to the 调休 Saturday
    assert previous_working_day(date(2027, 1, 17)) == date(2027, 1, 15)


# ---- find_date -------------------------------------------------------------------------------


def _found(text: str, now: datetime = WED, tz: str = SH) -> DateMatch:
    m = find_date(text, now=now, tz=tz)
    assert m is not None, text
    assert text[m.start:m.end] == m.text
    return m


@pytest.mark.parametrize(("command", "span", "value"), [
    ("首付款 30% 下周五 @张三", "下周五", "2027-01-22"),
    ("first payment 30% due next Friday owner @alice", "due next Friday", "2027-01-22"),
    ("交付验收 3月15日 负责人 @李四", "3月15日", "2027-03-15"),
    ("华为云采购 华为 120万 到期 2027年12月31日", "到期 2027年12月31日", "2027-12-31"),
    ("尾款 1.2亿 周五前 @王五", "周五前", "2027-01-15"),
    ("@李明天 验收 下月底", "下月底", "2027-02-28"),
    ("验收 下周五下午3点前 @赵六", "下周五下午3点前", "2027-01-22"),
    ("到期日：2027-06-30（周三）", "到期日：2027-06-30（周三）", "2027-06-30"),
    ("签约 1月5日 交付 下周五", "下周五", "2027-01-22"),  # the rightmost date is the due date
    ("payment 20% in 5 business days @carol", "in 5 business days", "2027-01-20"),
    ("HT-2026-001 二期款 40% 5个工作日内", "5个工作日内", "2027-01-20"),
    ("尾款 ３月１５日", "３月１５日", "2027-03-15"),
    ("<@U123ABC> kickoff friday", "friday", "2027-01-15"),
    ("pay 30% on 2027-02-15 owner @x", "on 2027-02-15", "2027-02-15"),
    ("final payment 1,200,000 by end of Q2", "by end of Q2", "2027-06-30"),
    ("尾款 10号前付清", "10号前", "2027-02-10"),
    ("add HT-2027-0315 acceptance Mar 15 owner @bob", "Mar 15", "2027-03-15"),
])
def test_find_date_spans(command: str, span: str, value: str) -> None:
    m = _found(command)
    assert (m.text, m.value) == (span, date.fromisoformat(value))


def test_find_date_leaves_the_rest_intact() -> None:
    command = "首付款 30% 下周五 @张三"
    m = _found(command)
    assert command[:m.start] + command[m.end:] == "首付款 30%  @张三"


@pytest.mark.parametrize("command", [
    "合同 HT-2027-0315 金额 30% @李明天",  # amounts, contract number, a name containing 明天
    "首付款 30% 2月30日 @张三",  # an impossible date is not replaced by 30日
    "first payment 30% next blursday",
    "总价 1,200,000 元 1.2亿 120万",
    "",
])
def test_find_date_finds_nothing(command: str) -> None:
    assert find_date(command, now=WED, tz=SH) is None


def test_find_date_notes_ambiguous_readings() -> None:
    m = _found("HT-2026-001 首付 1,200,000 元 2/3")
    assert m.text == "2/3" and m.value == date(2027, 2, 3)
    assert m.note == "2/3 read as month/day (Feb 3)"
    assert m.note_zh is not None and "月/日" in m.note_zh
    m = _found("尾款 周五 @王五")
    assert m.note == "周五 read as the coming Friday"
    assert describe_note(m, "zh") == m.note_zh and "周五" in (m.note_zh or "")
    assert describe_note(m, "en") == m.note
    m = _found("first payment due next Friday")
    assert m.note == "next Friday read as Friday of next week"  # quotes the user's spelling
    assert _found("交付验收 3月15日").note is None


def test_find_date_prefers_strong_readings() -> None:
    # "1st" in "1st payment" is only a weak reading; the weekday wins.
    m = _found("1st payment 30% friday")
    assert m.text == "friday"


# ---- formatting and start-up -----------------------------------------------------------------


def test_format_date() -> None:
    assert format_date(date(2026, 12, 4), "en") == "Fri 2026-12-04"
    assert format_date(date(2026, 12, 4), "zh") == "2026-12-04 周五"
    assert format_date(date(2027, 1, 17), "zh-CN") == "2027-01-17 周日"


def test_warm_up_is_idempotent() -> None:
    warm_up()
    warm_up()
    assert parse_date("next Friday", now=WED, tz=SH) == date(2027, 1, 22)


# ---- robustness ------------------------------------------------------------------------------

_ALPHABET = list("0123456789 /-.:,%@年月日号周星期天后前内个半工作下上本这明季度末底初中q") + [
    "next ", "in ", "the ", "of ", "end ", "days", "week", "month", "friday", "feb", "1st", "万"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_ALPHABET), max_size=12).map("".join))
def test_never_raises(text: str) -> None:
    value = parse_date(text, now=WED, tz=SH)
    assert value is None or isinstance(value, date)
    m = find_date(text, now=WED, tz=SH)
    if m is not None:
        assert text[m.start:m.end] == m.text and m.text.strip()
