"""The date families of issue #17 part A, in Chinese (simplified and traditional) and English.

Every phrase is read against a fixed today (Wednesday 2027-01-13 in Shanghai, the public set's), or, for the
official holiday periods, days in 2026 (a year whose State Council schedule, with 调休 days, the holidays
library ships). Festivals and lunar dates are checked against an independent table for every year the
library tabulates, so the lunar calendar is right from 2001 to 2099 (and computed, not looked up, beyond).
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from holidays.calendars.chinese import _ChineseLunisolar

from handlers.dates import describe_note, find_date, parse_date, refusal_reason
from handlers.dates.calendar import festival_in_year, lunar_to_solar, official_schedule_known
from handlers.i18n import MESSAGES

SH = "Asia/Shanghai"
WED = datetime(2027, 1, 13, 10, 0, tzinfo=ZoneInfo(SH))


def _at(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(hour=9, tzinfo=ZoneInfo(SH))


FAMILIES: list[tuple[str, str]] = [
    # festivals: the next one on or after today; a year or 明年/next makes it that year's
    ("春节", "2027-02-06"), ("元旦", "2028-01-01"), ("国庆节", "2027-10-01"), ("中秋", "2027-09-15"),
    ("端午", "2027-06-09"), ("清明", "2027-04-05"), ("劳动节", "2027-05-01"), ("元宵", "2027-02-20"),
    ("除夕", "2027-02-05"), ("大年初一", "2027-02-06"), ("大年初三", "2027-02-08"), ("七夕", "2027-08-08"),
    ("重阳节", "2027-10-08"), ("冬至", "2027-12-22"), ("立春", "2027-02-04"), ("圣诞节", "2027-12-25"),
    ("平安夜", "2027-12-24"), ("感恩节", "2027-11-25"), ("母亲节", "2027-05-09"), ("明年春节", "2028-01-26"),
    ("2028年中秋节", "2028-10-03"), ("去年中秋", "2026-09-25"), ("今年国庆", "2027-10-01"),
    ("國慶節", "2027-10-01"), ("聖誕節", "2027-12-25"),
    ("Christmas", "2027-12-25"), ("Christmas Eve", "2027-12-24"), ("New Year's Day", "2028-01-01"),
    ("Thanksgiving", "2027-11-25"), ("Black Friday", "2027-11-26"), ("Easter", "2027-03-28"),
    ("Good Friday", "2027-03-26"), ("Memorial Day", "2027-05-31"), ("Labor Day", "2027-09-06"),
    ("Chinese New Year", "2027-02-06"), ("mid-autumn festival", "2027-09-15"), ("Christmas 2028", "2028-12-25"),
    ("last Christmas", "2026-12-25"), ("thanksgiving of next year", "2028-11-23"),
    # the lunar calendar
    ("农历十月初一", "2027-10-29"), ("正月十五", "2027-02-20"), ("腊月二十三", "2027-01-30"),
    ("农历八月十五", "2027-09-15"), ("阴历正月初一", "2027-02-06"), ("冬月初一", "2027-11-28"),
    ("農曆五月初五", "2027-06-09"),
    # 节前 / 节后 where the official 2027 schedule is not known yet: the statutory days off estimate the
    # holiday (春节 2月5日-10日 with the weekend, 国庆 10月1日-5日), without 调休 make-up days
    ("春节前", "2027-02-04"), ("春节前付款", "2027-02-04"), ("节后上线", "2027-02-11"), ("国庆后", "2027-10-06"),
    ("before Chinese New Year", "2027-02-04"),
    # ordinal weekdays and working days of a period
    ("十月第一个星期一", "2027-10-04"), ("十月的第一个周一", "2027-10-04"), ("下个月第一个周五", "2027-02-05"),
    ("本月最后一个周五", "2027-01-29"), ("本月最后一个工作日", "2027-01-29"), ("月底前最后一个工作日", "2027-01-29"),
    ("下个月最后一个工作日", "2027-02-26"), ("下季度第一个工作日", "2027-04-01"), ("十月第一個星期一", "2027-10-04"),
    ("the first Friday of next month", "2027-02-05"), ("last Friday of October", "2027-10-29"),
    ("first Monday in October", "2027-10-04"), ("the third Tuesday of March", "2027-03-16"),
    ("last business day of the quarter", "2027-03-31"), ("last business day of the month", "2027-01-29"),
    ("first business day of next month", "2027-02-01"),
    # counted weekdays
    ("friday after next", "2027-01-22"), ("3 fridays from now", "2027-01-29"), ("two mondays from now", "2027-01-25"),
    ("the Monday after next", "2027-01-25"), ("2 thursdays ago", "2026-12-31"), ("下下下周一", "2027-02-01"),
    # offsets from a day other than today
    ("two days after tomorrow", "2027-01-16"), ("four days from yesterday", "2027-01-16"),
    ("16 days from 2018-01-02", "2018-01-18"), ("3 days after Christmas", "2027-12-28"),
    ("the day before Christmas", "2027-12-24"), ("a week from Friday", "2027-01-22"),
    ("eight days before April 17, 2019", "2019-04-09"), ("four days before the day before yesterday", "2027-01-07"),
    ("a fortnight today", "2027-01-27"),
    ("元旦后三天", "2028-01-04"), ("下周一之后两天", "2027-01-20"), ("明天之后三天", "2027-01-17"),
    ("3月1日后10天", "2027-03-11"), ("春节前三天", "2027-02-03"), ("圣诞节前一天", "2027-12-24"),
    ("端午节前一天", "2027-06-08"), ("下週一之後兩天", "2027-01-20"),
    # weekday modifiers
    ("this coming Thursday", "2027-01-14"), ("the following Friday", "2027-01-22"), ("past Wednesday", "2027-01-06"),
    ("this past Monday", "2027-01-11"), ("下一个周五", "2027-01-15"), ("上一个周三", "2027-01-06"),
    # traditional and Cantonese forms
    ("後日", "2027-01-15"), ("大後日", "2027-01-16"), ("聽日", "2027-01-14"), ("尋日", "2027-01-12"),
    ("今個星期三", "2027-01-13"), ("禮拜三", "2027-01-13"), ("下個禮拜一", "2027-01-18"), ("下個月廿號", "2027-02-20"),
    ("今個月廿八號", "2027-01-28"),
    # spelled-out numbers
    ("march first", "2027-03-01"), ("the twenty-second", "2027-01-22"), ("May twenty-first", "2027-05-21"),
    ("march third 2028", "2028-03-03"), ("两千零二十七年三月五号", "2027-03-05"), ("二零二七年五月一日", "2027-05-01"),
    ("27年3月5日", "2027-03-05"),
    # numeric forms
    ("21/04/2027", "2027-04-21"), ("22/04", "2027-04-22"), ("2 / 15", "2027-02-15"), ("20270315", "2027-03-15"),
    ("2027 03 15", "2027-03-15"), ("05/05/89", "2089-05-05"), ("3/3/15", "2015-03-03"), ("31-Oct-27", "2027-10-31"),
    # a weekday that agrees with its date
    ("thursday 21", "2027-01-21"), ("Tuesday the 19th", "2027-01-19"), ("Fri, Feb 5", "2027-02-05"),
    ("周五 3月5日", "2027-03-05"),
]


@pytest.mark.parametrize(("phrase", "expected"), FAMILIES, ids=[p for p, _ in FAMILIES])
def test_family(phrase: str, expected: str) -> None:
    assert parse_date(phrase, now=WED, tz=SH) == date.fromisoformat(expected)


REFUSED = [
    # a weekday that contradicts the date, in every form
    "this friday 5/12", "monday 21", "周一 3月5日", "Saturday, Jan 15", "2027-02-15 周二", "下周五 3月5日",
    # counted from an event: relative milestones read these, never the date reader
    "验收后30天", "签约后3个工作日内", "交付后两周", "收到发票后30天内", "合同签订之日起15个工作日内",
    "30 days after acceptance", "within 5 business days of delivery", "two weeks after signing",
    # no such day
    "农历三月三十", "十月第五个星期一", "after Christmas",
]


@pytest.mark.parametrize("phrase", REFUSED)
def test_refused(phrase: str) -> None:
    assert parse_date(phrase, now=WED, tz=SH) is None


def test_contradicting_weekday_names_both_readings() -> None:
    en = refusal_reason("this friday 5/12", now=WED, tz=SH, lang="en")
    assert en is not None and "2027-01-15" in en and "2027-05-12" in en
    zh = refusal_reason("交付 下周五 3月5日", now=WED, tz=SH, lang="zh")
    assert zh is not None and "2027-01-22" in zh and "2027-03-05" in zh
    assert "Thu 2027-01-21" in (refusal_reason("monday 21", now=WED, tz=SH, lang="en") or "")
    assert "不是周二" in (refusal_reason("2027-02-15 周二", now=WED, tz=SH, lang="zh") or "")
    assert refusal_reason("下周五", now=WED, tz=SH, lang="en") is None


def test_event_offsets_are_left_to_relative_milestones() -> None:
    for command in ("尾款 40% 验收后30天 @李雷", "final payment 50% within 30 days of acceptance owner @amy",
                    "首付款 签约后5个工作日内支付"):
        assert find_date(command, now=WED, tz=SH) is None, command
        assert refusal_reason(command, now=WED, tz=SH, lang="en") is not None
    # a date before the offset is a date: counted from it
    m = find_date("交付 元旦后三天 @张三", now=WED, tz=SH)
    assert m is not None and (m.text, m.value) == ("元旦后三天", date(2028, 1, 4))


@pytest.mark.parametrize(("now", "phrase", "expected"), [
    # 2026: 春节 holiday 2月15日-23日 (2月14日 Saturday and 2月28日 are 调休 working days)
    ("2026-01-20", "春节前", "2026-02-14"), ("2026-01-20", "春节后", "2026-02-24"),
    ("2026-01-20", "节前", "2026-02-14"), ("2026-01-20", "年后", "2026-02-24"),
    ("2026-01-20", "before Chinese New Year", "2026-02-14"), ("2026-01-20", "after the Spring Festival", "2026-02-24"),
    ("2026-01-20", "春节后第二个工作日", "2026-02-25"), ("2026-02-18", "节后", "2026-02-24"),
    # 中秋 2026-09-25 (Friday) to the Sunday; 国庆 10月1日-7日
    ("2026-09-01", "节前", "2026-09-24"), ("2026-09-01", "节后", "2026-09-28"), ("2026-09-01", "国庆后", "2026-10-08"),
    ("2026-09-01", "国庆节前", "2026-09-30"), ("2026-09-01", "十一前", "2026-09-30"),
    ("2026-09-29", "节后", "2026-10-08"), ("2026-09-29", "國慶後", "2026-10-08"),
])
def test_official_holiday_edges(now: str, phrase: str, expected: str) -> None:
    assert parse_date(phrase, now=_at(now), tz=SH) == date.fromisoformat(expected)


def test_holiday_edge_notes_say_which_holiday_or_that_it_is_unknown() -> None:
    m = find_date("上线 春节前", now=_at("2026-01-20"), tz=SH)
    assert m is not None and m.note is not None and "2026-02-15" in m.note and "2026-02-23" in m.note
    assert "春节假期" in (describe_note(m, "zh") or "")
    m = find_date("上线 春节前", now=WED, tz=SH)
    assert official_schedule_known(2026) and not official_schedule_known(2027)
    assert m is not None and m.value == date(2027, 2, 4) and "not known" in (m.note or "")
    assert "estimated" in (m.note or "") and "2027-02-05" in (m.note or "") and "2027-02-10" in (m.note or "")
    assert "尚未公布" in (m.note_zh or "") and "估算" in (m.note_zh or "")


def test_lunar_calendar_matches_an_independent_table() -> None:
    table = _ChineseLunisolar()
    for year in range(2001, 2100):
        assert festival_in_year("spring", year) == table.lunar_new_year_date(year)[0], year
        assert festival_in_year("mid_autumn", year) == table.mid_autumn_date(year)[0], year
        assert festival_in_year("dragon_boat", year) == table.dragon_boat_date(year)[0], year
    assert festival_in_year("spring", 2000) == date(2000, 2, 5)
    assert festival_in_year("spring", 2100) == date(2100, 2, 9)
    assert lunar_to_solar(2028, 5, 1, leap=True) == date(2028, 6, 23)  # 闰五月 2028
    assert lunar_to_solar(2027, 5, 1, leap=True) is None  # no leap month in 2027


@pytest.mark.parametrize(("command", "span", "value"), [
    ("尾款 40% 春节前 @李雷", "春节前", "2027-02-04"),
    ("first payment due the first Friday of next month owner @amy", "due the first Friday of next month", "2027-02-05"),
    ("验收 下個月廿號 @韩梅梅", "下個月廿號", "2027-02-20"),
    ("kickoff friday after next @ben", "friday after next", "2027-01-22"),
    ("go live 22/04 owner @amy", "22/04", "2027-04-22"),
    ("尾款 本月最后一个工作日 @张三", "本月最后一个工作日", "2027-01-29"),
    ("training two days after tomorrow @ben", "two days after tomorrow", "2027-01-16"),
    ("settings digest monday friday", "friday", "2027-01-15"),  # a list of weekdays is no contradiction
])
def test_find_date_spans_new_families(command: str, span: str, value: str) -> None:
    m = find_date(command, now=WED, tz=SH)
    assert m is not None and (m.text, m.value) == (span, date.fromisoformat(value))


def test_notes_are_sentence_keys_in_both_languages() -> None:
    m = find_date("付款 22/04", now=WED, tz=SH)
    assert m is not None and m.notes and all(n.key in MESSAGES for n in m.notes)
    assert describe_note(m, "en") == "22/04 read as day/month (Apr 22): the first number cannot be a month"
    assert describe_note(m, "zh") == "22/04按日/月理解（4月22日）：第一个数不可能是月份"
    m = find_date("交付 農曆十月初一", now=WED, tz=SH)
    assert m is not None and "農曆十月初一" in (m.note or "")  # quotes the user's own spelling


@pytest.mark.parametrize("command", [
    "new HT-2027-122 \"配送调度\" 美团 1,200,000 CNY owner @韩梅梅",  # CNY is a currency, not Chinese New Year
    "@amy should own the HT-2027-101 delivery acceptance from now on",
    "合同 十一 份",  # 十一 alone is a number
    "you may first check the invoice",
])
def test_no_date_in_everyday_words(command: str) -> None:
    assert find_date(command, now=WED, tz=SH) is None
