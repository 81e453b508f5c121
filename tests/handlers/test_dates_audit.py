"""An independent audit of the date reader: everyday phrases its authors had not tuned on.

A sample of the audit set (each phrase a family: the fix is a rule, not the phrase), read against
Tuesday 2026-12-01 10:00 in Shanghai, with a few against the year boundary (Tuesday 2027-12-28).
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from handlers.dates import find_date, parse_date, refusal_reason

SH = "Asia/Shanghai"
TUE = datetime(2026, 12, 1, 10, 0, tzinfo=ZoneInfo(SH))
YEAR_END = datetime(2027, 12, 28, 10, 0, tzinfo=ZoneInfo(SH))

ZH: list[tuple[str, str]] = [
    # 节前 / 节后 before the State Council notice: estimated from the statutory days off
    ("元旦前", "2026-12-31"), ("元旦后", "2027-01-04"), ("春节前", "2027-02-04"), ("春节后第一个工作日", "2027-02-11"),
    ("元宵节后第一个工作日", "2027-02-22"), ("元宵节后第2个工作日", "2027-02-23"), ("七夕后第一个工作日", "2027-08-09"),
    ("国庆后", "2027-10-06"), ("端午节前", "2027-06-08"), ("五一前", "2027-04-30"), ("年后", "2027-02-11"),
    # the same day later
    ("下周的今天", "2026-12-08"), ("下个月的今天", "2027-01-01"), ("明年的今天", "2027-12-01"),
    ("一周后的今天", "2026-12-08"), ("下周这个时候", "2026-12-08"),
    # the month or week said twice, weeks' positions
    ("下个月月底", "2027-01-31"), ("下个月月初", "2027-01-01"), ("下月月中", "2027-01-15"), ("下个月头", "2027-01-01"),
    ("下周周五", "2026-12-11"), ("下周星期五", "2026-12-11"), ("下周 Friday", "2026-12-11"), ("下周初", "2026-12-07"),
    ("本周内", "2026-12-04"), ("下周之内", "2026-12-11"),
    # working days and hours
    ("下一个工作日", "2026-12-02"), ("三個工作天內", "2026-12-04"), ("十個工作天後", "2026-12-15"),
    ("48小时内", "2026-12-03"),
    # wrappers: 当天, （含）, field labels, 从/自…起, Taiwanese weekday in brackets, spaced slashes
    ("3月5日当天", "2027-03-05"), ("2027年3月5日（含）", "2027-03-05"), ("交付日期: 2027/03/05", "2027-03-05"),
    ("即日起30天内", "2026-12-31"), ("自即日起三个月内", "2027-03-01"), ("12/4(五)", "2026-12-04"),
    ("2027 / 3 / 5", "2027-03-05"),
    # years and months: 27年底, 民国, 元月
    ("27年底", "2027-12-31"), ("民國116年3月5日", "2027-03-05"), ("元月8日", "2027-01-08"),
    # colloquial and Cantonese
    ("明儿个", "2026-12-02"), ("听晚", "2026-12-02"), ("聽日朝早", "2026-12-02"), ("後日下晝", "2026-12-03"),
    ("禮拜五放工之前", "2026-12-04"), ("明天一早", "2026-12-02"),
    # 五一 / 六一 alone are the festivals as a whole phrase
    ("五一", "2027-05-01"), ("六一", "2027-06-01"),
    # filler around a date
    ("后天可以吗", "2026-12-03"), ("麻烦明天给我", "2026-12-02"), ("请在下周五前回复", "2026-12-11"),
]

EN: list[tuple[str, str]] = [
    # British counts from a day
    ("tomorrow week", "2026-12-09"), ("Friday week", "2026-12-11"), ("a week on Friday", "2026-12-11"),
    ("a week Monday", "2026-12-14"), ("Friday fortnight", "2026-12-18"), ("a month today", "2027-01-01"),
    ("this time next week", "2026-12-08"), ("the weekend after next", "2026-12-12"),
    ("end of the week after next", "2026-12-18"),
    # misspellings and chat spellings
    ("wendesday", "2026-12-02"), ("thrusday", "2026-12-03"), ("tommorrow", "2026-12-02"), ("next firday", "2026-12-11"),
    ("Febuary 28", "2027-02-28"), ("Decmber 25", "2026-12-25"), ("tmw", "2026-12-02"), ("2moro", "2026-12-02"),
    # working days, hours
    ("next business day", "2026-12-02"), ("next workday", "2026-12-02"), ("in 48 hours", "2026-12-03"),
    ("within 24 hrs", "2026-12-02"), ("first working day of 2027", "2027-01-04"),
    # days of the month, festivals
    ("the first of the month", "2026-12-01"), ("NYE", "2026-12-31"), ("Canada Day", "2027-07-01"),
    ("5-Mar", "2027-03-05"), ("Mar-05", "2027-03-05"),
    # time of day around the day
    ("this evening", "2026-12-01"), ("end of business today", "2026-12-01"), ("Thursday by 5", "2026-12-03"),
    ("tomorrow lunch", "2026-12-02"), ("before the end of the day tomorrow", "2026-12-02"),
    ("Friday coming", "2026-12-04"), ("tomorrow 15h", "2026-12-02"), ("Friday @ 3", "2026-12-04"),
    # start / end words
    ("effective Jan 1", "2027-01-01"), ("through Friday", "2026-12-04"), ("expires 31/12/2026", "2026-12-31"),
]

REFUSED = [
    "一两天内", "三四天内", "几天后", "明后天", "明天或者后天", "周三或周四", "13月", "14月",
    "Friday or Saturday", "every Friday", "每周五",
]


@pytest.mark.parametrize(("phrase", "expected"), ZH + EN)
def test_audit_phrase(phrase: str, expected: str) -> None:
    assert parse_date(phrase, now=TUE, tz=SH) == date.fromisoformat(expected)


@pytest.mark.parametrize("phrase", REFUSED)
def test_audit_refusal(phrase: str) -> None:
    assert parse_date(phrase, now=TUE, tz=SH) is None


@pytest.mark.parametrize(("phrase", "expected"), [
    ("元旦后", "2028-01-04"), ("春节前", "2028-01-24"), ("10个工作日后", "2028-01-12"), ("下周的今天", "2028-01-04"),
    ("a week on Monday", "2028-01-10"), ("first business day of next month", "2028-01-04"),
])
def test_audit_year_boundary(phrase: str, expected: str) -> None:
    assert parse_date(phrase, now=YEAR_END, tz=SH) == date.fromisoformat(expected)


@pytest.mark.parametrize(("command", "span", "value"), [
    ("尾款 下个月月底 @张三", "下个月月底", "2027-01-31"),  # not this month's 月底
    ("培训 下周的今天", "下周的今天", "2026-12-08"),  # not 今天
    ("交付 3月5日当天", "3月5日当天", "2027-03-05"),  # not 当天 = today
    ("report due Monday EOD", "due Monday EOD", "2026-12-07"),  # EOD is Monday's time, no contradiction
    ("ship by EOD tomorrow @ben", "by EOD tomorrow", "2026-12-02"),
    ("deliver Wendesday @amy", "Wendesday", "2026-12-02"),  # the span is the user's own spelling
    ("due 5-Mar-2027 @amy", "due 5-Mar-2027", "2027-03-05"),  # a month name is no code
    ("付款 27年底", "27年底", "2027-12-31"),
])
def test_audit_find_date(command: str, span: str, value: str) -> None:
    m = find_date(command, now=TUE, tz=SH)
    assert m is not None and (m.text, m.value) == (span, date.fromisoformat(value))


@pytest.mark.parametrize("command", ["付款 明天或后天", "remind me every Friday", "周会 每周一"])
def test_audit_no_single_day_in_a_command(command: str) -> None:
    assert find_date(command, now=TUE, tz=SH) is None
    assert refusal_reason(command, now=TUE, tz=SH, lang="en") is not None


def test_estimated_holiday_says_so() -> None:
    m = find_date("上线 元旦后", now=TUE, tz=SH)
    assert m is not None and m.value == date(2027, 1, 4)
    assert "estimated" in (m.note or "") and "2027-01-01" in (m.note or "") and "2027-01-03" in (m.note or "")
    assert "估算" in (m.note_zh or "")
