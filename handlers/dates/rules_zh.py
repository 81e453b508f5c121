"""Chinese rules (simplified; traditional and Cantonese forms arrive normalised): regex → resolver.

A resolver returns Res, a Refusal / None (the shape is a date phrase but names no day: reject without
falling back to dateparser), or raises NotMine (not this rule's phrase after all; try the others).
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from .calendar import (
    OFFICIAL,
    add_months,
    business_days_after,
    coming,
    coming_after,
    lunar_to_solar,
    monday,
    period_first_month,
    safe_date,
    shift_month,
)
from .core import (
    EN_WD,
    EN_WD_WORDS,
    NB,
    NE,
    NotMine,
    Refusal,
    Res,
    Rule,
    alt,
    bare_period,
    cn_num,
    duration_res,
    group_off,
    hours_res,
    known_point,
    monday_of_week,
    month_day,
    next_day_of_month,
    note,
    nth_in_period,
    numbered_period,
    relative_period,
    rolled_note,
    rule,
    wd_word,
    week_word,
    weekday_res,
    with_notes,
    working_days_res,
)
from .festivals import ZH_GUARDED, ZH_NAMES, festival_day, holiday_edge

CND = "零〇一二两三四五六七八九"
CNN = f"[{CND}十百]{{1,5}}"
NUM = rf"(?:\d{{1,3}}|{CNN})"
DAYN = rf"(?:\d{{1,2}}|[{CND}十廿卅]{{1,4}})"
YEAR = rf"(?:\d{{4}}|[{CND}]{{4}}|[两二]千零?[{CND}十]{{0,3}})"
# 2027年 / 二〇二七年 / 两千零二十七年 / 27年 (two digits only before a month: 27年3月) / 明年 / 下年 (Cantonese)
YEARPART = (rf"(?:(?:(?P<y>{YEAR})年|(?P<y2>\d{{2}})年(?=(?:\d{{1,2}}|[一二三四五六七八九十元]{{1,2}})月)"
            rf"|民国(?P<roc>\d{{1,3}}|{CNN})年|(?P<yrel>[今明后去前次下出上])年)的?)?")
MREL = r"下下个?|下个?|上上个?|上个?|本|这个?|当|次"
CN_POS = r"底|末|尾|初|头|中旬|中|结束|以内|之内|内|最后一天|第一天"
CN_WEEK_MOD = r"下下下|下下|下|上上|上|本|这|今"
WEEK_UNIT = r"(?:周|星期|礼拜)"
WD_CHARS = "一二三四五六日天1-7"

YREL_OFF = {"今": 0, "本": 0, "明": 1, "次": 1, "后": 2, "去": -1, "前": -2, "下": 1, "出": 1, "上": -1}
MREL_OFF = {"下下下": 3, "下下": 2, "下": 1, "上上": -2, "上": -1, "本": 0, "这": 0, "当": 0, "次": 1, "今": 0}
CN_WD = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6,
         "1": 0, "2": 1, "3": 2, "4": 3, "5": 4, "6": 5, "7": 6}

CN_REL_DAYS = {"今天": 0, "今日": 0, "今儿": 0, "今晚": 0, "今早": 0, "当天": 0, "今朝": 0,
               "今儿个": 0, "即日": 0, "本日": 0,
               "明天": 1, "明日": 1, "明儿": 1, "明儿个": 1, "明早": 1, "明晚": 1, "次日": 1, "听日": 1, "听朝": 1,
               "听晚": 1, "翌日": 1, "隔天": 1,
               "后天": 2, "后日": 2, "后儿": 2, "后儿个": 2, "大后天": 3, "大后日": 3,
               "昨天": -1, "昨日": -1, "昨晚": -1, "寻日": -1, "琴日": -1, "噚日": -1,
               "前天": -2, "前日": -2, "大前天": -3, "大前日": -3}


def _year(m: re.Match[str], today: date) -> int | None:
    g = m.groupdict()
    if g.get("y"):
        return cn_num(g["y"])
    if g.get("y2"):
        return 2000 + int(g["y2"])
    if g.get("roc"):
        return 1911 + cn_num(g["roc"])  # 民国 years (Taiwan): 民国116年 is 2027
    if g.get("yrel"):
        return today.year + YREL_OFF[g["yrel"]]
    return None


def _pos(word: str) -> str:
    return "start" if word in ("初", "头", "第一天") else "mid" if word.startswith("中") else "end"


def _mod_off(mod: str) -> int:
    return MREL_OFF[mod.replace("个", "")]


# ---- relative days and weekdays --------------------------------------------------------------


def _r_rel_day(m: re.Match[str], today: date) -> Res | None:
    return Res(today + timedelta(days=CN_REL_DAYS[m["w"]]))


def _r_weekday(m: re.Match[str], today: date) -> Res | None:
    mod = m["mod"]
    return weekday_res(m[0], today, CN_WD[m["d"]], None if mod is None else MREL_OFF[mod])


def _r_next_one(m: re.Match[str], today: date) -> Res | None:
    """下一个周五 is the next Friday to come (not necessarily next week's); 上一个周五 the last one."""
    wd = CN_WD[m["d"]]
    if m["dir"] == "下":
        value = coming_after(today, wd)
        return Res(value, (note("date.note.weekday_next_one", phrase=m[0], weekday=wd_word(wd)),))
    value = today - timedelta(days=(today.weekday() - wd - 1) % 7 + 1)
    return Res(value, (note("date.note.weekday_last_one", phrase=m[0], weekday=wd_word(wd)),))


def _r_reject(m: re.Match[str], today: date) -> Res | None:
    return None


def _r_weekend(m: re.Match[str], today: date) -> Res | None:
    mod = m["mod"]
    res = weekday_res(m[0], today, 5, None if mod is None else MREL_OFF[mod])
    return Res(res.value, (note("date.note.saturday", phrase=m[0], date=res.value),))


def _r_bare_week(m: re.Match[str], today: date) -> Res | None:
    return monday_of_week(m[0], today, MREL_OFF[m["mod"]])


def _r_weekday_en(m: re.Match[str], today: date) -> Res | None:
    """下周 Friday: a Chinese week with an English weekday."""
    return weekday_res(m[0], today, EN_WD_WORDS[m["wd"]], MREL_OFF[m["mod"]])


def _r_week_pos(m: re.Match[str], today: date) -> Res | None:
    """周初 / 下周初 = Monday of that week; 本周内 / 下周之内 = Friday of that week (the business end of it)."""
    mod = m["mod"]
    if m["pos"] == "初":
        if mod is None:  # a bare 周初: the next Monday on or after today
            value = coming(today, 0)
        else:
            value = monday(today, MREL_OFF[mod])
        return Res(value, (note("date.note.week_start", phrase=m[0], date=value),))
    first = monday(today, 0 if mod is None else MREL_OFF[mod])
    value = first + timedelta(days=4)
    if value < today:  # 本周内 said at the weekend: the week's last day
        value = first + timedelta(days=6)
        if value < today:
            return None
    return Res(value, (note("date.note.week_within", phrase=m[0], date=value),))


def _r_same_day_later(m: re.Match[str], today: date) -> Res | None:
    """下周的今天 / 下个月的今天 / 明年的今天 / 一周后的今天: today's date that much later."""
    if m["wmod"]:
        n, unit = MREL_OFF[m["wmod"]], "week"
    elif m["mmod"]:
        n, unit = MREL_OFF[m["mmod"]], "month"
    elif m["yrel"]:
        n, unit = YREL_OFF[m["yrel"]], "year"
    else:
        n, unit = cn_num(m["n"]), CN_UNITS[m["unit"].lstrip("个")]
    if unit == "day":
        value = today + timedelta(days=n)
    elif unit == "week":
        value = today + timedelta(weeks=n)
    else:
        value, clamped = add_months(today, n * (12 if unit == "year" else 1))
        if clamped:
            return Res(value, (note("date.note.clamped", phrase=m[0]),))
    later = week_word(n) if unit == "week" and abs(n) <= 2 else value
    return Res(value, (note("date.note.same_day_later", phrase=m[0], later=later, date=value),))


def _r_next_working_day(m: re.Match[str], today: date) -> Res | None:
    """下一个工作日 / 下个工作日: the first working day after today; 上一个工作日 the last before it."""
    n = -1 if m["dir"] == "上" else 1
    value = business_days_after(today, n)
    key = "date.note.previous_working_day" if n < 0 else "date.note.next_working_day"
    return Res(value, (note(key, phrase=m[0], date=value),))


def _r_hours(m: re.Match[str], today: date) -> Res | None:
    return hours_res(m[0], today, cn_num(m["n"]))


def _r_guarded_festival(m: re.Match[str], today: date) -> Res | Refusal | None:
    """五一 / 六一 / 七一 / 五四 as a whole phrase are the festival (inside a command they may be numbers)."""
    return festival_day(m[0], today, ZH_NAMES[m["fest"]])


# ---- durations -----------------------------------------------------------------------------

CN_UNITS = {"工作日": "bday", "交易日": "bday", "天": "day", "日": "day", "自然日": "day", "日历日": "day", "星期": "week",
            "礼拜": "week", "周": "week", "月": "month", "年": "year"}


def _r_duration(m: re.Match[str], today: date) -> Res | None:
    n = 0 if m["h"] else cn_num(m["n"])
    half = bool(m["h"] or m["nh"] or m["th"])
    unit = CN_UNITS[m["unit"].lstrip("个")]
    sign = -1 if (m["dir"] or "").endswith("前") else 1
    return duration_res(m[0], today, n, half, unit, sign)


def _r_bare_workdays(m: re.Match[str], today: date) -> Res | None:
    # "5个工作日" on its own is a payment term: read it as "within 5 working days" (weak).
    res = working_days_res(today, cn_num(m["n"]))
    return Res(res.value, res.notes, strong=False, kind="duration")


# ---- months, quarters, years -----------------------------------------------------------------


def _r_month(m: re.Match[str], today: date) -> Res | None:
    year = _year(m, today)
    day = cn_num(m["d"]) if m["d"] else None
    pos = _pos(m["pos"]) if m["pos"] else None
    if m["m"]:
        month = 1 if m["m"] == "元" else cn_num(m["m"])  # 元月 is January
        if not 1 <= month <= 12:
            return None
        if day is not None:
            return month_day(m[0], today, year, month, day)
        return numbered_period(m[0], today, year, month, "month", pos or "end")
    if year is not None:
        raise NotMine  # 明年下个月 / 明年月底: no sensible reading
    if m["mrel"] is None:  # bare 月底 / 月初 / 月中
        if pos is None:
            raise NotMine
        return bare_period(m[0], today, "month", pos)
    y, mo = shift_month(today.year, today.month, group_off(m["mrel"], MREL_OFF))
    if day is not None:
        value = safe_date(y, mo, day)
        return Res(value) if value else None
    return Res(known_point(y, mo, "month", pos or "end"))  # every month has a start, middle and end


def _r_bare_day(m: re.Match[str], today: date) -> Res | None:
    return next_day_of_month(m[0], today, cn_num(m["d"]))


def _r_quarter(m: re.Match[str], today: date) -> Res | None:
    year = _year(m, today)
    pos = _pos(m["pos"])
    q = m["qn"] or m["qq"]
    if q:
        return numbered_period(m[0], today, year, cn_num(q) * 3 - 2, "quarter", pos)
    if year is not None:
        raise NotMine
    if m["qrel"] is None:
        return bare_period(m[0], today, "quarter", pos)
    return relative_period(today, "quarter", group_off(m["qrel"], MREL_OFF), pos)


def _r_half(m: re.Match[str], today: date) -> Res | None:
    year = _year(m, today)
    first = 1 if m["half"] == "上" else 7
    if first == 1 and not m["pos"]:
        return None  # bare 上半年: its start is (almost always) past, its end is a guess
    pos = _pos(m["pos"]) if m["pos"] else "start"
    res = numbered_period(m[0], today, year, first, "half", pos)
    if res and not m["pos"]:
        return with_notes(res, note("date.note.half_year_start", phrase=m[0], date=res.value))
    return res


def _r_year(m: re.Match[str], today: date) -> Res | None:
    year = _year(m, today)
    pos = _pos(m["pos"])
    if year is not None:
        return Res(known_point(year, 1, "year", pos))  # the pattern has no 年中: start or end
    return bare_period(m[0], today, "year", pos)


def _r_bare_rel_period(m: re.Match[str], today: date) -> Res | None:
    if m["yrel"]:
        value = date(today.year + YREL_OFF[m["yrel"]], 1, 1)
        return Res(value, (note("date.note.first_day_of_year", phrase=m[0], date=value),))
    kind = "month" if m["unit"] == "月" else "quarter"
    res = relative_period(today, kind, group_off(m["mrel"], MREL_OFF), "start")
    assert res is not None
    return Res(res.value, (note(f"date.note.first_day_of_{kind}", phrase=m[0], date=res.value),))


# ---- ordinal weekdays and working days of a period: 十月第一个星期一, 本月最后一个工作日 ----------------


def _r_nth_in_period(m: re.Match[str], today: date) -> Res | Refusal | None:
    n = -1 if m["last"] else cn_num(m["n"])
    wd = None if m["wk"] else CN_WD[m["d"]]
    rolls = False  # a bare period (十月, 月底前, 季度) is the next one whose day is still ahead
    if m["m"]:
        month = cn_num(m["m"])
        if not 1 <= month <= 12:
            return None
        year = _year(m, today)
        y, first_month, kind, rolls = (year or today.year), month, "month", year is None
    elif m["mrel"] is not None:
        if _year(m, today) is not None:
            raise NotMine
        (y, first_month), kind = shift_month(today.year, today.month, group_off(m["mrel"], MREL_OFF)), "month"
    elif m["pm"]:
        (y, first_month), kind, rolls = (today.year, today.month), "month", True
    elif m["qtr"] is not None:
        (y, first_month), kind = period_first_month(today, "quarter", group_off(m["qrel"], MREL_OFF)), "quarter"
        rolls = m["qrel"] is None
    else:
        offset = 1 if m["yr"].startswith("明") else 0
        (y, first_month), kind, rolls = (today.year + offset, 1), "year", m["yr"].startswith(("年", "今"))
    value = nth_in_period(y, first_month, kind, n, wd)
    if value is not None and value < today and rolls:
        step = {"month": 1, "quarter": 3, "year": 12}[kind] if not m["m"] else 12
        value = nth_in_period(*shift_month(y, first_month, step), kind, n, wd)
        if value is None:
            return None
        return Res(value, (note("date.note.next_one", phrase=m[0], date=value),))
    if value is None:
        return refuse_nth(m[0], n, wd)
    return Res(value, () if wd is not None else (note("date.note.working_day_calendar", phrase=m[0]),))


def refuse_nth(p: str, n: int, wd: int | None) -> Refusal:
    return Refusal(note("date.refuse.no_such_day", phrase=p))


# ---- festivals, 节前 / 节后, the lunar calendar ---------------------------------------------------

_AFTER = ("后", "之后", "以后", "过后", "结束后", "结束之后", "结束以后")


def _r_festival(m: re.Match[str], today: date) -> Res | Refusal | None:
    name = m["fest"]
    rel, hol = m["rel"], m["hol"]
    year = _year(m, today)
    if name in ZH_GUARDED and not (rel or hol or year is not None or m["jie"]):
        raise NotMine  # 五一 / 十一 alone are numbers
    key = ZH_NAMES[name]
    if rel is None:
        if hol:
            raise NotMine  # 国庆假期: a week, not a day
        if year is None and m["yrel"] is None:
            return festival_day(m[0], today, key)
        return festival_day(m[0], today, key, year=year)
    n = cn_num(m["tn"]) if m["tn"] else 1
    if key not in OFFICIAL and rel in _AFTER and m[0].endswith(("工作日", "上班")):
        # 元宵节后第一个工作日: no holiday period to step over, so count working days from the day itself
        base = festival_day(m[0], today, key, year=year)
        if isinstance(base, Refusal):
            return base
        value = business_days_after(base.value, n)
        return Res(value, (*base.notes, note("date.note.counted_from", phrase=m[0], anchor=name, date=base.value)))
    return holiday_edge(m[0], today, key, after=rel in _AFTER, n=n, year=year)


def _r_bare_holiday(m: re.Match[str], today: date) -> Res | Refusal | None:
    n = cn_num(m["tn"]) if m["tn"] else 1
    key = "spring" if m["bare"] in ("年", "过年") else None
    return holiday_edge(m[0], today, key, after=m["rel"] in _AFTER, n=n)


_LUNAR_MONTHS = {"正": 1, "冬": 11, "腊": 12}


def _lunar_day(s: str) -> int:
    return cn_num(s[1:]) if s.startswith("初") else cn_num(s)


def _r_lunar(m: re.Match[str], today: date) -> Res | Refusal | None:
    marked = bool(m["cal"] or m["cal2"] or m["leap"])
    lm_text, ld_text = m["lm"], m["ld"]
    if not (marked or lm_text in _LUNAR_MONTHS or ld_text.startswith("初")):
        raise NotMine  # 三月十五: a Gregorian date
    month = _LUNAR_MONTHS.get(lm_text) or cn_num(lm_text)
    day = _lunar_day(ld_text)
    leap = bool(m["leap"])
    if not (1 <= month <= 12 and 1 <= day <= 30):
        return None
    year = _year(m, today)
    lunar_note = None
    if year is not None:
        value = lunar_to_solar(year, month, day, leap)
    else:
        # The next lunar year whose month/day is not past, *then* the day is checked (as 2月29日 is).
        value = None
        for lunar_year in (today.year - 1, today.year, today.year + 1, today.year + 2):
            first = lunar_to_solar(lunar_year, month, 1, leap)
            if first is not None and first + timedelta(days=day - 1) >= today:
                value = lunar_to_solar(lunar_year, month, day, leap)
                break
        if value is not None:
            lunar_note = rolled_note(m[0], value, today)
    if value is None:
        return Refusal(note("date.refuse.no_lunar_day", phrase=m[0]))
    notes = [note("date.note.lunar", phrase=m[0], date=value)]
    if lunar_note:
        notes.append(lunar_note)
    return Res(value, tuple(notes))


def _r_lunar_new_year_day(m: re.Match[str], today: date) -> Res | Refusal | None:
    """大年初二 … 初十: days of the lunar new year."""
    day = cn_num(m["d"])
    for year in (today.year - 1, today.year, today.year + 1):
        value = lunar_to_solar(year, 1, day)
        if value is not None and value >= today:
            return Res(value, (note("date.note.lunar", phrase=m[0], date=value),))
    return None


# ---- the rules ----------------------------------------------------------------------------------

_FEST_NAMES = alt(list(ZH_NAMES))
_REL = r"之前|以前|前|之后|以后|过后|后"
# …后第2个工作日 / …前最后一个工作日 / …后第一天上班: which working day next to the holiday
_HOL_TAIL = (rf"(?:的?(?:最后一个工作日|第一个工作日|第一天上班|上班第一天|开工第一天|第(?P<tn>{NUM})个工作日))?")
# 节 or a holiday word as a whole word: not the 节 of 环节 / 章节
_WORD_START = r"(?:(?<![\u4e00-\u9fff])|(?<=[在于等到请须需至和及或的]))"

RULES: list[Rule] = [
    rule(_r_rel_day, rf"(?<![最之以然此提])(?P<w>{alt(list(CN_REL_DAYS))})(?!期|子|程|常|历)"),
    rule(_r_weekday, rf"(?:(?P<mod>{CN_WEEK_MOD})个?)?(?:{WEEK_UNIT}的?\s?)?{WEEK_UNIT}(?P<d>[{WD_CHARS}])"),
    rule(_r_weekday_en, rf"(?P<mod>{CN_WEEK_MOD})个?{WEEK_UNIT}的?\s?{EN_WD}(?![a-z])"),
    rule(_r_week_pos, rf"(?<![\d{CND}十每个半几])(?:(?P<mod>{CN_WEEK_MOD})个?)?{WEEK_UNIT}(?P<pos>初|以内|之内|内)"),
    rule(_r_same_day_later,
         rf"(?:(?P<wmod>下下|下|上上|上)个?{WEEK_UNIT}|(?P<mmod>下下|下|上)个?月|(?P<yrel>[明后去])年",
         rf"|{NB}(?P<n>\d{{1,3}}|{CNN})(?P<unit>天|个?星期|个?礼拜|周|个月|年)(?:之后|以后|过后|后))",
         r"的?(?:今天|今日|这一?天|同一天|这个时候|这时候|此时)"),
    rule(_r_next_working_day, r"(?P<dir>下|上|次)(?:一个?|个)(?:工作日|交易日)"),
    rule(_r_hours, rf"{NB}(?P<n>\d{{1,3}}|{CNN})个?(?:小时|钟头)(?:以内|之内|内|之后|以后|后)"),
    # 一两天内 / 三五天后 / 几天后 / 十几个工作日内: a rough count names no day
    rule(_r_reject, rf"(?<![\d{CND}十])(?:[一两二三四五六七八九]{{2}}|几|十几|若干)个?",
         r"(?:工作日|交易日|天|日|周|星期|礼拜|月|年)(?:以后|之后|过后|后|以内|之内|内)"),
    rule(_r_reject, r"(?:今明|明后|后大后)(?:两)?天"),  # 明后天: tomorrow or the day after
    rule(_r_guarded_festival, r"(?P<fest>五一|六一|七一|八一|五四)", search=False),
    rule(_r_next_one, rf"(?P<dir>下|上)一个{WEEK_UNIT}(?P<d>[{WD_CHARS}])"),
    rule(_r_reject, rf"(?:(?:{CN_WEEK_MOD})个?)?{WEEK_UNIT}[八九十零〇089]"),  # 下周八
    rule(_r_weekend, rf"(?:(?P<mod>{CN_WEEK_MOD})个?)?(?:周末|礼拜天?末)"),
    rule(_r_bare_week, rf"(?P<mod>下下下|下下|下|上上|上)个?{WEEK_UNIT}(?![{WD_CHARS}末])"),
    rule(_r_duration,
         rf"{NB}(?:(?P<n>\d{{1,3}}|{CNN})(?P<nh>个半)?|(?P<h>半))",
         r"(?P<unit>个?工作日|个?交易日|个?自然日|个?日历日|天|日(?!以前|之前|前)|个?星期|个?礼拜|个?周|(?:个|(?<=半))月|年)",
         r"(?P<th>半)?(?P<dir>以后|之后|过后|后|以内|之内|内|以前|之前|前)"),
    # 过三天 / 再过两周 / 再等一个月: counted from today
    rule(_r_duration,
         rf"(?:再)?(?:过|等)(?:(?P<n>\d{{1,3}}|{CNN})(?P<nh>个半)?|(?P<h>半))",
         r"(?P<unit>个?工作日|天|日|个?星期|个?礼拜|周|(?:个|(?<=半))月|年)(?P<th>半)?(?P<dir>以后|之后|后)?"),
    rule(_r_bare_workdays, rf"{NB}(?P<n>\d{{1,3}}|{CNN})个?工作日(?![内后前以之])"),
    rule(_r_nth_in_period,
         rf"{NB}(?:{YEARPART}(?P<m>{DAYN})月份?|(?P<mrel>{MREL})月|(?P<pm>月底前?|月末前?|月内|本月内)",
         r"|(?P<qtr>(?P<qrel>本|这个?|下个?|上个?)?季度)(?:末|底)?前?|(?P<yr>今年|明年|年底前?|年内|年末))的?",
         rf"(?:第(?P<n>[一二三四五1-5])|(?P<last>最后一?|倒数第一))个?(?:{WEEK_UNIT}(?P<d>[{WD_CHARS}])|(?P<wk>工作日))"),
    rule(_r_quarter,
         rf"{YEARPART}(?:第?(?P<qn>[1-4一二三四])(?:季度|季)|(?P<qrel>{MREL})?(?:季度|季)",
         rf"|q(?P<qq>[1-4])\s*(?:季度|季)?)(?P<pos>{CN_POS})"),
    rule(_r_half, rf"{YEARPART}(?P<half>上|下)半年(?P<pos>{CN_POS})?"),
    rule(_r_year,
         rf"(?:(?:(?P<y>{YEAR})|(?<!\d)(?P<y2>\d{{2}})(?=年年?[底末尾初终])|(?P<yrel>[今本明后去前次下出上]))年[年度]?|年)",
         r"(?P<pos>底|末|尾|初|终|以内|之内|内|最后一天|第一天)"),
    rule(_r_festival,
         rf"(?<![{CND}十\d]){YEARPART}(?P<fest>{_FEST_NAMES})(?P<jie>节)?(?:当天|那天|当日)?",
         rf"(?P<hol>假期|长假|小长假|黄金周|放假|假)?(?:(?P<rel>(?<=[假期周])结束(?:之?后|以后)|{_REL}){_HOL_TAIL})?"),
    rule(_r_bare_holiday,
         rf"{_WORD_START}(?P<bare>节假日|节|假期|长假|放假|过年|年)(?P<rel>{_REL})(?![\d{CND}十半])",
         _HOL_TAIL),
    rule(_r_lunar_new_year_day, r"(?:大年|春节|新春|过年)初(?P<d>[二三四五六七八九十])"),
    rule(_r_lunar_new_year_day, r"年初(?P<d>[一二三四五六七八九十])", search=False),  # Cantonese 年初二
    rule(_r_lunar,
         rf"{NB}(?P<cal>农历|阴历|旧历)?{YEARPART}(?P<cal2>农历|阴历|旧历)?(?P<leap>闰)?",
         r"(?P<lm>正|冬|腊|1[0-2]|[1-9]|十[一二]?|[一二三四五六七八九])月份?的?",
         r"(?P<ld>初[一二三四五六七八九十]|[一二]?十[一二三四五六七八九]?|廿[一二三四五六七八九]?|三十|卅"
         r"|[一二三四五六七八九]|[12]\d|30|[1-9])(?:号|日)?(?![\d十])"),
    rule(_r_month,
         rf"{NB}{YEARPART}(?:(?P<m>{DAYN}|(?<![\d{CND}十百千万])元)月份?|(?P<mrel>{MREL})?月)的?",
         rf"(?:(?P<d>{DAYN})(?:号|日|(?![\d{CND}十廿卅万亿千百元块%.]))|月?(?P<pos>{CN_POS}))"),
    rule(_r_bare_rel_period,
         r"(?:(?P<mrel>下下个?|下个?|上个?|次)(?P<unit>月|季度)|(?P<yrel>[明后次去下出])年)(?![底末初中内前后])"),
    rule(_r_bare_day, rf"(?<![\d月/.\-])(?P<d>\d{{1,2}}|[{CND}十廿卅]{{1,3}})(?:号|日){NE}"),
]

# What a weekday annotation next to a date looks like ("2027-02-05 周五", "周日, 二月十号").
ANN_WEEKDAY = rf"(?:(?P<cmod>{CN_WEEK_MOD})个?)?{WEEK_UNIT}(?P<cd>[一二三四五六日天])"
