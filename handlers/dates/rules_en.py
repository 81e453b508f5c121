"""English rules: regex → resolver (see rules_zh for what a resolver returns)."""

from __future__ import annotations

import re
from datetime import date, timedelta

from .calendar import (
    business_days_after,
    coming,
    coming_after,
    monday,
    period_first_month,
    previous_before,
    safe_date,
    shift_month,
)
from .core import (
    EN_COUNT,
    EN_ORD_ALT,
    EN_ORDINALS,
    EN_WD,
    EN_WD_WORDS,
    MON,
    NB,
    NE,
    B,
    Day,
    E,
    NotMine,
    Ordinal,
    Refusal,
    Res,
    Rule,
    alt,
    bare_period,
    duration_res,
    en_int,
    en_ordinal,
    hours_res,
    monday_of_week,
    month_day,
    month_from_en,
    next_day_of_month,
    note,
    nth_in_period,
    numbered_period,
    relative_period,
    rule,
    wd_word,
    weekday_res,
    working_days_res,
)
from .festivals import EN_NAMES, festival_day, holiday_edge

EN_REL = r"(?P<rel>this|next|last|previous|the\s+following|following|the\s+coming|coming|current|the\s+next)"
EN_REL_OFF = {"this": 0, "current": 0, "next": 1, "following": 1, "coming": 1, "last": -1, "previous": -1}

EN_REL_DAYS = {"today": 0, "tonight": 0, "eod": 0, "end of day": 0, "end of today": 0, "eob": 0, "cob": 0,
               "end of business": 0, "close of business": 0, "this morning": 0, "this afternoon": 0,
               "this evening": 0, "later today": 0, "later on today": 0,
               "2day": 0, "tonite": 0, "2nite": 0,
               "tomorrow": 1, "tmrw": 1, "tmr": 1, "tmw": 1, "2moro": 1, "2morrow": 1, "2mrw": 1, "tmrw's": 1,
               "tomorow": 1, "tommorow": 1, "tomorrows": 1,
               "tomorrow night": 1, "yesterday": -1, "the day after tomorrow": 2,
               "day after tomorrow": 2, "overmorrow": 2, "the day before yesterday": -2,
               "day before yesterday": -2}

_DUR_UNITS = {"day": "day", "business": "bday", "working": "bday", "work": "bday",
              "workday": "bday", "week": "week", "wk": "week", "fortnight": "week",
              "month": "month", "year": "year", "yr": "year"}
EN_DUR_UNIT = (r"(?P<unit>(?:business|working|work)\s+days?|workdays?|days?|weeks?|wks?"
               r"|fortnights?|months?|years?|yrs?)")


def unit_of(word: str) -> tuple[str, int]:
    """Map "business days" / "fortnight" / "wks" to (unit, multiplier)."""
    w = word.split()[0]
    w = w[:-1] if w.endswith("s") and w != "business" else w
    return _DUR_UNITS[w], (2 if w == "fortnight" else 1)


def _week_off(word: str | None) -> int:
    return 0 if word is None else EN_REL_OFF[word.split()[-1]]


# ---- relative days and weekdays --------------------------------------------------------------


def _r_rel_day(m: re.Match[str], today: date) -> Res | None:
    return Res(today + timedelta(days=EN_REL_DAYS.get(re.sub(r"\s+", " ", m["w"]), 0)))


def _r_same_day(m: re.Match[str], today: date) -> Res | None:
    if m["unit"] == "tomorrow":
        return Res(today + timedelta(days=1))
    if m["unit"] == "week":
        return Res(today + timedelta(weeks=1))
    return duration_res(m[0], today, 1, False, m["unit"], 1)


def _r_weekday(m: re.Match[str], today: date) -> Res | None:
    wd = EN_WD_WORDS[m["wd"]]
    week_word = m["wk1"] or m["wk2"]
    if week_word:
        return weekday_res(m[0], today, wd, _week_off(week_word))
    mod = re.sub(r"\s+", " ", m["mod"] or m["mod2"] or "")
    last = mod.split()[-1] if mod else None
    if last == "past":  # (this) past Wednesday: the last one before today
        value = previous_before(today, wd)
        return Res(value, (note("date.note.weekday_last_one", phrase=m[0], weekday=wd_word(wd)),))
    if last in ("next", "following"):
        return weekday_res(m[0], today, wd, 1)
    if last in ("last", "previous"):
        return weekday_res(m[0], today, wd, -1)
    strong = bool(mod) or len(m["wd"]) > 3  # "sat"/"sun" alone may be plain English
    return weekday_res(m[0], today, wd, None, strong)


def _r_weekday_after_next(m: re.Match[str], today: date) -> Res | None:
    """Friday after next: the Friday after the coming one; Friday before last: the one before the last."""
    wd = EN_WD_WORDS[m["wd"]]
    if m["dir"] == "after":  # friday after next
        value = coming_after(today, wd) + timedelta(weeks=1)
        return Res(value, (note("date.note.weekday_after_next", phrase=m[0], weekday=wd_word(wd)),))
    value = previous_before(today, wd) - timedelta(weeks=1)
    return Res(value, (note("date.note.weekday_before_last", phrase=m[0], weekday=wd_word(wd)),))


def _r_week_on(m: re.Match[str], today: date) -> Res | None:
    """British: Friday week / a week on Friday / Friday fortnight / tomorrow week / a week Monday.

    A week (or fortnight) after the day named: a weekday is the coming one, on or after today, so
    "Friday week" said on a Friday is a week from today.
    """
    weeks = 2 if m["unit"].startswith("fortnight") else 1
    if m["base"]:
        base = today + timedelta(days=1 if m["base"] == "tomorrow" else 0)
        return Res(base + timedelta(weeks=weeks), kind="duration")
    wd = EN_WD_WORDS[m["wd"]]
    value = coming(today, wd) + timedelta(weeks=weeks)
    return Res(value, (note("date.note.week_after_weekday", phrase=m[0], weeks=weeks, weekday=wd_word(wd),
                            date=value),))


def _r_next_working_day(m: re.Match[str], today: date) -> Res | None:
    """The next business day: the first working day after today (the previous one: the last before it)."""
    n = -1 if m["dir"] in ("previous", "last") else 1
    value = business_days_after(today, n)
    key = "date.note.previous_working_day" if n < 0 else "date.note.next_working_day"
    return Res(value, (note(key, phrase=m[0], date=value),))


def _r_hours(m: re.Match[str], today: date) -> Res | None:
    return hours_res(m[0], today, en_int(re.sub(r"\s+", " ", m["cnt"])))


def _r_counted_weekdays(m: re.Match[str], today: date) -> Res | None:
    """3 fridays from now / the second Friday from now / 2 thursdays ago: counted, today excluded."""
    wd = EN_WD_WORDS[m["wd"]]
    n = en_int(m["cnt"]) if m["cnt"] else EN_ORDINALS.get(m["ordc"], 0) or en_ordinal(m["ordc"])
    if n < 1:
        return None
    if re.sub(r"\s+", " ", m["dir"]) in ("ago", "back", "before today"):
        value = previous_before(today, wd) - timedelta(weeks=n - 1)
    else:
        value = coming_after(today, wd) + timedelta(weeks=n - 1)
    return Res(value, (note("date.note.counted_weekdays", phrase=m[0], date=value),))


def _r_bad_weekday(m: re.Match[str], today: date) -> Res | None:
    if m["w"] in EN_WD_WORDS or m["w"] in ("today", "yesterday"):
        raise NotMine
    return None  # "next blursday", "next payday": weekday-shaped but not a weekday


def _r_weekday_day(m: re.Match[str], today: date) -> Res | Refusal | None:
    """Monday the 21st / thu 15th / monday 21: the next 21st, which must be a Monday."""
    wd = EN_WD_WORDS[m["wd"]]
    day = en_ordinal(m["dw"]) if m["dw"] else int(m["d"])
    res = next_day_of_month(m[0], today, day)
    if res is None:
        return None
    if res.value.weekday() != wd:
        return Refusal(note("date.refuse.weekday_day", phrase=m[0], weekday=wd_word(wd), day=Ordinal(day),
                            date=Day(res.value)))
    return Res(res.value, strong=bool(m["dw"] or m["the"] or m["sfx"]))


def _r_rel_week(m: re.Match[str], today: date) -> Res | None:
    week = 2 if m["after"] else EN_REL_OFF[m["rel"].split()[-1]]
    return monday_of_week(m[0], today, week)


def _r_rel_period(m: re.Match[str], today: date) -> Res | None:
    kind = m["unit"]
    res = relative_period(today, kind, EN_REL_OFF[m["rel"].split()[-1]], "start")
    assert res is not None
    return Res(res.value, (note(f"date.note.first_day_of_{kind}", phrase=m[0], date=res.value),))


def _r_weekend(m: re.Match[str], today: date) -> Res | None:
    week = 1 if m["rel"] and m["rel"].split()[-1] in ("next", "following") else None
    if m["after"]:  # the weekend after next: the one after the coming weekend
        value = coming(today, 5) + timedelta(weeks=1)
        return Res(value, (note("date.note.saturday", phrase=m[0], date=value),))
    res = weekday_res(m[0], today, 5, week)
    return Res(res.value, (note("date.note.saturday", phrase=m[0], date=res.value),))


# ---- durations -----------------------------------------------------------------------------


def _r_duration(m: re.Match[str], today: date) -> Res | None:
    cnt = re.sub(r"\s+", " ", m["cnt"])
    half = cnt.startswith("half") or bool(m["half"])
    n = 0 if cnt.startswith("half") else en_int(cnt)
    unit, times = unit_of(m["unit"])
    post = re.sub(r"\s+", " ", m.groupdict().get("post") or "")
    sign = -1 if post in ("ago", "before today", "back", "earlier") else 1
    base = today + timedelta(days=1) if post.endswith("tomorrow") else today
    return duration_res(m[0], base, n * times, half, unit, sign)


def _r_duration_on(m: re.Match[str], today: date) -> Res | None:
    """A week today / a fortnight tomorrow / a month today (British): counted from today or tomorrow."""
    base = today + timedelta(days=1 if m["base"] == "tomorrow" else 0)
    unit, times = unit_of(m["unit"])
    return duration_res(m[0], base, en_int(re.sub(r"\s+", " ", m["cnt"])) * times, False, unit, 1)


def _r_bare_workdays(m: re.Match[str], today: date) -> Res | None:
    if m["cnt"].startswith("half"):
        return None
    res = working_days_res(today, en_int(m["cnt"]))
    return Res(res.value, res.notes, strong=False, kind="duration")


# ---- periods -------------------------------------------------------------------------------

_POS_WORDS = {"end": "end", "close": "end", "start": "start", "beginning": "start",
              "begin": "start", "middle": "mid", "mid": "mid", "last day": "end",
              "first day": "start"}
_QORD = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4}


def _week_point(p: str, today: date, offset: int | None, pos: str) -> Res | None:
    if pos == "mid":
        return None
    if pos == "start":
        return monday_of_week(p, today, 1 if offset is None else offset)
    # Business end of week: Friday of that week; a bare "end of week" is the coming Friday.
    value = coming(today, 4) if offset is None else monday(today, offset) + timedelta(days=4)
    return Res(value, (note("date.note.friday", phrase=p, date=value),))


def _r_period(m: re.Match[str], today: date) -> Res | None:
    g = m.groupdict()
    pos = _POS_WORDS[re.sub(r"\s+", " ", g["pos"])]
    p = m[0]
    if g.get("mon"):
        year = int(g["y"]) if g.get("y") else None
        return numbered_period(p, today, year, month_from_en(g["mon"]), "month", pos)
    q = g.get("q") or (g.get("qord") and _QORD[g["qord"]])
    if q:
        year_s = g.get("qy") or g.get("qy2")
        return numbered_period(p, today, int(year_s) if year_s else None, int(q) * 3 - 2, "quarter", pos)
    half = g.get("h") or (g.get("hord") and _QORD[g["hord"]])
    if half:
        return numbered_period(p, today, None, 1 if int(half) == 1 else 7, "half", pos)
    if g.get("yonly"):
        return Res(period_point_year(int(g["yonly"]), pos)) if pos != "mid" else None
    unit = g["unit"]
    rel = g.get("rel")
    offset = None if rel is None else EN_REL_OFF[rel.split()[-1]]
    if g.get("after"):  # the end of the week after next
        offset = 2
    if unit == "week":
        return _week_point(p, today, offset, pos)
    if offset is None:
        return bare_period(p, today, unit, pos)
    return relative_period(today, unit, offset, pos)


def period_point_year(year: int, pos: str) -> date:
    return date(year, 1, 1) if pos == "start" else date(year, 12, 31)


_ABBR = {"eom": ("month", "end"), "eoq": ("quarter", "end"), "eoy": ("year", "end"), "eow": ("week", "end"),
         "bom": ("month", "start")}


def _r_abbr(m: re.Match[str], today: date) -> Res | None:
    kind, pos = _ABBR[m["abbr"]]
    if kind == "week":
        return _week_point(m[0], today, None, pos)
    return bare_period(m[0], today, kind, pos)


# ---- days of month -------------------------------------------------------------------------


def _r_ordinal_of_month(m: re.Match[str], today: date) -> Res | None:
    day = en_ordinal(m["dw"]) if m["dw"] else int(m["d"])
    if m["mon"]:
        return month_day(m[0], today, int(m["y"]) if m["y"] else None, month_from_en(m["mon"]), day)
    if m["tm"]:  # the 1st of the month: the next one on or after today
        return next_day_of_month(m[0], today, day)
    y, mo = shift_month(today.year, today.month, _week_off(m["rel"]))
    value = safe_date(y, mo, day)
    return Res(value) if value else None


def _r_month_day(m: re.Match[str], today: date) -> Res | None:
    g = m.groupdict()
    day = en_ordinal(g["dw"]) if g.get("dw") else en_int(g["dc"]) if g.get("dc") else int(m["d"])
    return month_day(m[0], today, int(m["y"]) if m["y"] else None, month_from_en(m["mon"]), day)


def _r_the_day(m: re.Match[str], today: date) -> Res | None:
    day = en_ordinal(m["dw"]) if m.groupdict().get("dw") else int(m["d"] or m["d2"])
    res = next_day_of_month(m[0], today, day)
    if res is None:
        return None
    # "1st payment": a bare ordinal without "the" is a weak reading inside a command.
    return Res(res.value, res.notes, strong=bool(m.groupdict().get("the")))


# ---- ordinal weekdays / working days of a period: the first Friday of next month ---------------

_NTH = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4,
        "fifth": 5, "5th": 5, "last": -1, "final": -1}


def _r_nth_in_period(m: re.Match[str], today: date) -> Res | Refusal | None:
    n = _NTH[m["ord"]]
    wd = EN_WD_WORDS[m["wd"]] if m["wd"] else None
    rolls = False
    if m["mon"]:
        month = month_from_en(m["mon"])
        y, first_month, kind, rolls = (int(m["y"]) if m["y"] else today.year), month, "month", not m["y"]
    elif m["yonly"]:  # the first working day of 2027
        y, first_month, kind = int(m["yonly"]), 1, "year"
    else:
        kind = m["unit"]
        rolls = m["rel"] is None
        y, first_month = period_first_month(today, kind, _week_off(m["rel"]))
    value = nth_in_period(y, first_month, kind, n, wd)
    if value is not None and value < today and rolls:
        step = 12 if m["mon"] else {"month": 1, "quarter": 3, "year": 12}[kind]
        value = nth_in_period(*shift_month(y, first_month, step), kind, n, wd)
        if value is None:
            return None
        return Res(value, (note("date.note.next_one", phrase=m[0], date=value),))
    if value is None:
        return Refusal(note("date.refuse.no_such_day", phrase=m[0]))
    return Res(value, () if wd is not None else (note("date.note.working_day_calendar", phrase=m[0]),))


# ---- festivals -----------------------------------------------------------------------------

_FEST = "(?P<fest>" + alt([re.escape(n).replace("\\ ", " ") for n in EN_NAMES]) + ")"


def _fest_key(m: re.Match[str]) -> str:
    return EN_NAMES[re.sub(r"\s+", " ", m["fest"])]


def _r_festival(m: re.Match[str], today: date) -> Res | Refusal | None:
    key = _fest_key(m)
    if m["y"]:
        return festival_day(m[0], today, key, year=int(m["y"]))
    if m["yrel"]:
        return festival_day(m[0], today, key, year=today.year + EN_REL_OFF[m["yrel"]])
    which = re.sub(r"\s+", " ", m["which"] or "").replace("the ", "")
    if which == "this":
        return festival_day(m[0], today, key, year=today.year)
    if which in ("last", "previous", "past"):
        return festival_day(m[0], today, key, which="last")
    return festival_day(m[0], today, key)


def _r_festival_edge(m: re.Match[str], today: date) -> Res | Refusal | None:
    """Before/after an official Chinese holiday: the working day next to it (as 节前 / 节后)."""
    key = _fest_key(m)
    after = m["rel"].split()[-1] in ("after", "following", "post")
    year = int(m["y"]) if m["y"] else None
    return holiday_edge(m[0], today, key, after=after, year=year)


# ---- the rules ----------------------------------------------------------------------------------

_EN_PERIOD_TARGET = (
    rf"(?:(?:{EN_REL}\s+)?(?P<unit>month|year|quarter|week)(?P<after>\s+after\s+next)?"
    rf"|{MON}(?:,?\s+(?P<y>\d{{4}}))?"
    r"|q(?P<q>[1-4])(?:\s+(?P<qy>\d{4}))?"
    r"|(?P<qord>first|second|third|fourth|1st|2nd|3rd|4th)\s+quarter(?:\s+(?:of\s+)?(?P<qy2>\d{4}))?"
    r"|(?P<hord>first|second|1st|2nd)\s+half(?:\s+of\s+(?:the\s+)?year)?"
    r"|h(?P<h>[12])"
    r"|(?P<yonly>\d{4}))"
)
_CARDINAL_DAY = alt(["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
                     "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
                     "nineteen", "twenty", "thirty", "thirty one", "thirty-one"]
                    + [f"twenty[\\s-]+{u}" for u in ("one", "two", "three", "four", "five", "six", "seven",
                                                     "eight", "nine")])
_WHICH = r"(?:(?P<which>this\s+coming|the\s+coming|coming|upcoming|this|next|last|previous|past|the\s+next)\s+)?"
_YEAR_AFTER = r"(?:,?\s+(?:of\s+|in\s+)?(?P<y>\d{4})|\s+(?:of\s+)?(?P<yrel>this|next|last)\s+year)?"

RULES: list[Rule] = [
    rule(_r_rel_day, rf"{B}(?P<w>{alt(list(EN_REL_DAYS))}){E}"),
    rule(_r_rel_day, rf"{B}(?P<w>now|right\s+now){E}", search=False),  # "from now on" in a command is no date
    rule(_r_same_day, rf"{B}(?:this|the\s+same|same)\s+(?:day|time)\s+(?:next\s+)?(?P<unit>week|month|year|tomorrow){E}"),
    rule(_r_festival_edge,
         rf"{B}(?P<rel>right\s+before|just\s+before|ahead\s+of|before|right\s+after|just\s+after|after|following|post)",
         rf"\s+(?:the\s+)?{_FEST}(?:\s+(?:holidays?|break|vacation|week))?(?:\s+(?P<y>\d{{4}}))?{E}"),
    rule(_r_festival, rf"{B}{_WHICH}(?:the\s+)?{_FEST}{_YEAR_AFTER}(?![a-z'])"),
    rule(_r_weekday_after_next, rf"{B}(?:the\s+)?{EN_WD}\s+(?P<dir>after)\s+next{E}"),
    rule(_r_weekday_after_next, rf"{B}(?:the\s+)?{EN_WD}\s+(?P<dir>before)\s+last{E}"),
    rule(_r_counted_weekdays,
         rf"{B}(?:(?:the\s+)?(?P<ordc>second|third|fourth|fifth|2nd|3rd|4th|5th)\s+|{EN_COUNT}\s+){EN_WD}s?",
         r"\s+(?P<dir>from\s+now|from\s+today|hence|later|ago|back|before\s+today)(?![a-z])"),
    rule(_r_weekday_day,
         rf"{B}{EN_WD},?\s+(?:(?P<the>the)\s+)?(?:(?P<d>\d{{1,2}})(?P<sfx>st|nd|rd|th)?|(?P<dw>{EN_ORD_ALT}))",
         r"(?![\d:/.\-]|[a-z]|\s*(?:days?|weeks?|months?|years?|hours?|hrs?|h|%|k|pm|am|of)(?![a-z]))"),
    rule(_r_weekday,
         r"(?<![a-z])(?:(?P<mod>this\s+coming|the\s+coming|coming|this\s+upcoming|upcoming|this\s+past"
         r"|the\s+past|past|this|the\s+following|following|next|last|previous)\s+)?",
         rf"(?:(?P<wk1>this|next|last)\s+week(?:'s)?\s+(?:on\s+)?)?{EN_WD}",
         rf"(?:,?\s+(?:of\s+|from\s+)?(?P<wk2>this|next|last)\s+week|\s+(?P<mod2>next|coming))?{E}"),
    rule(_r_next_working_day,
         rf"{B}(?:the\s+)?(?P<dir>next|following|previous|last)\s+(?:(?:business|working|work)\s+day|workday){E}"),
    rule(_r_bad_weekday, rf"{B}(?:this\s+coming|coming|this|next|last)\s+(?P<w>[a-z]+day){E}"),
    rule(_r_rel_week,
         rf"{B}(?:(?P<rel>next|the\s+following|following|last|previous)\s+week",
         rf"|(?P<after>the\s+week\s+after\s+next)){E}(?!')"),
    rule(_r_rel_period,
         rf"{B}(?P<rel>next|the\s+following|following|last|previous)\s+(?P<unit>month|year|quarter)",
         rf"{E}(?!')"),
    rule(_r_weekend,
         rf"{B}(?:(?P<rel>this\s+coming|the\s+coming|coming|this|next|following)\s+)?week-?end",
         rf"(?P<after>\s+after\s+next)?{E}"),
    rule(_r_nth_in_period,
         rf"{B}(?:the\s+)?(?P<ord>first|1st|second|2nd|third|3rd|fourth|4th|fifth|5th|last|final)\s+",
         rf"(?:{EN_WD}|(?:business|working|work)\s+day|workday|week\s*day)\s+(?:of|in)\s+",
         rf"(?:(?:the\s+)?(?:{EN_REL}\s+)?(?P<unit>month|quarter|year)|{MON}(?:,?\s+(?P<y>\d{{4}}))?"
         rf"|(?P<yonly>(?:19|20|21)\d{{2}})){E}"),
    rule(_r_period,
         rf"{B}(?:the\s+)?(?P<pos>end|close|start|beginning|begin|middle|mid|last\s+day|first\s+day)",
         rf"(?:\s+(?:of|in)\s+(?:the\s+)?|\s*-\s*|\s+){_EN_PERIOD_TARGET}(?![a-z\d])"),
    rule(_r_period,
         rf"{B}(?:(?:{EN_REL}\s+)?(?P<unit>month|year|quarter|week)|q(?P<q>[1-4])|h(?P<h>[12])|{MON})",
         r"(?:\s+|\s*-\s*)(?P<pos>end|start)(?![a-z])"),
    rule(_r_abbr, rf"{B}(?:the\s+)?(?P<abbr>eom|eoq|eoy|eow|bom){E}"),
    rule(_r_duration,
         rf"{B}(?P<pre>in|within|after)\s+(?:about\s+|around\s+|another\s+|the\s+next\s+|next\s+)?{EN_COUNT}\s+{EN_DUR_UNIT}",
         r"(?P<half>\s+and\s+a\s+half)?(?:(?:'s|s')?\s+time)?(?![a-z])"),
    rule(_r_duration,
         rf"{B}(?:the\s+)?{EN_COUNT}\s+{EN_DUR_UNIT}(?P<half>\s+and\s+a\s+half)?\s+",
         r"(?P<post>from\s+now|from\s+today|(?:from|after)\s+tomorrow|later|hence|out|ago|back|earlier"
         r"|before\s+today)(?![a-z])"),
    rule(_r_duration_on,
         rf"{B}(?P<cnt>an?|one|two|three|six)\s+(?P<unit>weeks?|fortnights?|months?|years?)\s+(?P<base>today|tomorrow){E}"),
    rule(_r_week_on, rf"{B}(?:an?|one)\s+(?P<unit>week|fortnight)\s+(?:on\s+)?(?:{EN_WD}|(?P<base>today|tomorrow)){E}"),
    rule(_r_week_on, rf"{B}(?:{EN_WD}|(?P<base>today|tomorrow))\s+(?P<unit>week|fortnight){E}(?!')"),
    rule(_r_hours, rf"{B}(?:in|within)\s+(?:the\s+next\s+)?{EN_COUNT}\s+(?:hours?|hrs?){E}"),
    rule(_r_hours, rf"{B}{EN_COUNT}\s+(?:hours?|hrs?)\s+from\s+now{E}"),
    rule(_r_bare_workdays,
         rf"{B}{EN_COUNT}\s+(?P<unit>(?:business|working|work)\s+days?|workdays?){E}",
         r"(?!\s+(?:from|after|later|hence|out|ago|before|of|following))"),
    rule(_r_ordinal_of_month,
         rf"{B}(?:the\s+)?(?:(?P<d>\d{{1,2}})(?:st|nd|rd|th)?|(?P<dw>{EN_ORD_ALT}))(?:\s+day)?",
         rf"\s+(?:of|in)\s+(?:(?:the\s+)?{EN_REL}\s+month|(?P<tm>the\s+month)|{MON}(?:,?\s+(?P<y>\d{{4}}))?){E}"),
    rule(_r_month_day,
         rf"{B}{MON}\s*(?:the\s+)?(?P<d>\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s*(?P<y>\d{{4}}))?{NE}{E}"),
    rule(_r_month_day,
         rf"{NB}(?:the\s+)?(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s*(?:of\s+)?{MON}(?:,?\s*(?P<y>\d{{4}}))?{NE}{E}"),
    # march first / May twenty-first / march third 2028 ("may first" inside a command may be a verb)
    rule(_r_month_day,
         rf"{B}(?!may\s){MON}\s+(?:the\s+)?(?P<dw>{EN_ORD_ALT})(?:,?\s*(?P<y>\d{{4}}))?{E}"),
    rule(_r_month_day, rf"{B}{MON}\s+(?:the\s+)?(?P<dw>{EN_ORD_ALT})(?:,?\s*(?P<y>\d{{4}}))?{E}", search=False),
    rule(_r_month_day, rf"{MON}\s+(?P<dc>{_CARDINAL_DAY})(?:,?\s*(?P<y>\d{{4}}))?", search=False),
    rule(_r_the_day,
         rf"{B}(?:(?P<the>the)\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?|(?<![\d.,/\-])(?P<d2>\d{{1,2}})",
         r"(?:st|nd|rd|th))(?![a-z\d%])"),
    rule(_r_the_day, rf"(?P<the>the)\s+(?P<dw>{EN_ORD_ALT})", search=False),  # the twenty-second
]

# What a weekday annotation next to a date looks like ("Fri 2027-02-05", "this friday 5/12").
ANN_WEEKDAY = (r"(?:(?P<emod>this\s+coming|the\s+coming|coming|this|next|last|this\s+past|past)\s+)?"
               rf"{EN_WD}")
