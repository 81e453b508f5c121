"""Festival readings shared by both languages: the day itself, and 节前 / 节后 (the official holiday's edges)."""

from __future__ import annotations

from datetime import date

from .calendar import (
    OFFICIAL,
    SOLAR_TERMS,
    business_days_after,
    festival_in_year,
    last_festival,
    next_festival,
    official_period,
    official_schedule_known,
)
from .core import Note, Refusal, Res, Word, note, rolled_note


def fest_word(key: str) -> Word:
    return Word(f"date.fest.{key}")


def festival_day(p: str, today: date, key: str, *, year: int | None = None, which: str | None = None) -> Res | Refusal:
    """Resolve a festival: of a given year, the next (strictly), the last, or the next on or after today."""
    if year is not None:
        value = festival_in_year(key, year)
        if value is None:
            return Refusal(note("date.refuse.no_festival", phrase=p, festival=fest_word(key), year=year))
        return Res(value)
    if which == "next":
        return Res(next_festival(key, today, strict=True))
    if which == "last":
        return Res(last_festival(key, today))
    value = next_festival(key, today)
    rolled = rolled_note(p, value, today)
    return Res(value, (rolled,) if rolled else ())


def _edge_day(key: str, today: date, after: bool) -> date:
    """The festival day whose holiday is the next one to be before (or after)."""
    for year in range(today.year - 1, today.year + 3):
        day = festival_in_year(key, year)
        if day is None:
            continue
        period = official_period(key, day, estimate=True) or (day, day)
        if (after and period[1] >= today) or (not after and period[0] > today):
            return day
    raise ValueError(key)  # unreachable


def holiday_edge(p: str, today: date, key: str | None, *, after: bool, n: int = 1,
                 year: int | None = None) -> Res | Refusal:
    """Resolve 春节前 / 国庆后 / 节后第2个工作日: the working days around the official holiday.

    key None is a bare 节前 / 节后: the next official holiday. A festival without an official holiday
    is a deadline ON it when "before" and has no reading "after". Where the State Council notice for the
    year is not out yet, the holiday is estimated from the statutory days off (and the weekend next to
    them, without 调休 make-up days) and the note says so.
    """
    if key is None:
        options = [(_edge_day(k, today, after), k) for k in sorted(set(OFFICIAL.values()))]
        day, key = min(options)
    elif key not in OFFICIAL:
        if after:
            return Refusal(note("date.refuse.after_festival", phrase=p, festival=fest_word(key)))
        return festival_day(p, today, key, year=year)
    elif year is not None:
        found = festival_in_year(key, year)
        if found is None:
            return Refusal(note("date.refuse.no_festival", phrase=p, festival=fest_word(key), year=year))
        day = found
    else:
        day = _edge_day(key, today, after)
    known = official_schedule_known(day.year)
    period = official_period(key, day, estimate=not known)
    if period is None:
        why = "date.note.holiday_unknown" if not known else "date.note.holiday_none"
        return Res(day, (note(why, phrase=p, festival=fest_word(key), year=day.year, date=day),))
    first, last = period
    value = business_days_after(last, n) if after else business_days_after(first, -n)
    key_note = "date.note.after_holiday" if after else "date.note.before_holiday"
    if not known:  # the notice is not out: the statutory days off, without 调休, and the note says so
        key_note += "_estimated"
    notes: tuple[Note, ...] = (note(key_note, phrase=p, festival=fest_word(key), first=first, last=last,
                                    date=value, year=day.year),)
    return Res(value, notes)


# --------------------------------------------------------------------------------------------
# Names
# --------------------------------------------------------------------------------------------

ZH_NAMES: dict[str, str] = {
    "元旦": "new_year", "元旦节": "new_year", "阳历新年": "new_year", "公历新年": "new_year",
    "春节": "spring", "农历新年": "spring", "阴历新年": "spring", "大年初一": "spring", "正月初一": "spring",
    "过年": "spring", "新春": "spring",
    "除夕": "spring_eve", "除夕夜": "spring_eve", "大年三十": "spring_eve", "年三十": "spring_eve",
    "大年夜": "spring_eve",
    "元宵节": "lantern", "元宵": "lantern", "上元节": "lantern", "正月十五": "lantern",
    "龙抬头": "dragon_head", "二月二": "dragon_head",
    "清明节": "qingming", "清明": "qingming",
    "劳动节": "labour", "五一劳动节": "labour", "国际劳动节": "labour", "五一节": "labour", "五一": "labour",
    "端午节": "dragon_boat", "端午": "dragon_boat", "端阳节": "dragon_boat", "五月初五": "dragon_boat",
    "七夕": "qixi", "七夕节": "qixi", "乞巧节": "qixi", "中国情人节": "qixi",
    "中元节": "ghost", "鬼节": "ghost",
    "中秋节": "mid_autumn", "中秋": "mid_autumn", "团圆节": "mid_autumn", "八月节": "mid_autumn",
    "国庆节": "national", "国庆": "national", "国庆日": "national", "十一": "national", "十一国庆": "national",
    "重阳节": "double_ninth", "重阳": "double_ninth", "重九": "double_ninth",
    "腊八节": "laba", "腊八": "laba",
    "小年": "little_new_year",
    "冬至": "winter_solstice",
    "情人节": "valentine", "西方情人节": "valentine", "圣瓦伦丁节": "valentine",
    "妇女节": "women", "三八妇女节": "women", "国际妇女节": "women", "三八节": "women",
    "植树节": "arbor", "愚人节": "fools",
    "青年节": "youth", "五四青年节": "youth", "五四": "youth",
    "儿童节": "children", "六一儿童节": "children", "国际儿童节": "children", "六一": "children",
    "建党节": "party", "七一": "party",
    "建军节": "army", "八一建军节": "army", "八一": "army",
    "教师节": "teachers",
    "万圣节": "halloween", "万圣夜": "halloween",
    "双十一": "singles", "双11": "singles", "光棍节": "singles",
    "双十二": "double_twelve", "双12": "double_twelve",
    "平安夜": "christmas_eve", "圣诞夜": "christmas_eve",
    "圣诞节": "christmas", "圣诞": "christmas",
    "感恩节": "thanksgiving", "黑色星期五": "black_friday",
    "母亲节": "mothers", "父亲节": "fathers",
    "复活节": "easter", "耶稣受难日": "good_friday", "主受难日": "good_friday", "复活节星期一": "easter_monday",
    "五一国际劳动节": "labour", "国际消费者权益日": "consumer_rights", "消费者权益日": "consumer_rights",
    "三一五": "consumer_rights", "315": "consumer_rights", "棕枝主日": "palm_sunday", "圣灵降临节": "pentecost",
    "跨年夜": "new_years_eve", "圣诞前夜": "christmas_eve",
}
# Numbers that are a festival only with 节 / 前 / 后 / a year ("五一前", "今年十一"): alone they are numbers.
ZH_GUARDED = {"五一", "六一", "七一", "八一", "十一", "五四", "二月二", "三一五", "315"}

ZH_NAMES.update({name: key for key, name in SOLAR_TERMS.items()})

EN_NAMES: dict[str, str] = {
    "christmas": "christmas", "christmas day": "christmas", "xmas": "christmas", "x-mas": "christmas",
    "xmas day": "christmas",
    "christmas eve": "christmas_eve", "xmas eve": "christmas_eve",
    "boxing day": "boxing",
    "new year's day": "new_year", "new years day": "new_year", "new year day": "new_year",
    "new year's": "new_year", "new years": "new_year", "new year": "new_year",
    "new year's eve": "new_years_eve", "new years eve": "new_years_eve", "new year eve": "new_years_eve",
    "thanksgiving": "thanksgiving", "thanksgiving day": "thanksgiving",
    "black friday": "black_friday", "cyber monday": "cyber_monday",
    "valentine's day": "valentine", "valentines day": "valentine", "valentine's": "valentine",
    "valentines": "valentine", "valentine day": "valentine", "st valentine's day": "valentine", "st. valentine's day": "valentine",
    "saint valentine's day": "valentine",
    "halloween": "halloween", "easter": "easter", "easter sunday": "easter", "good friday": "good_friday",
    "easter monday": "easter_monday", "easter mon": "easter_monday", "palm sunday": "palm_sunday",
    "maundy thursday": "maundy_thursday", "holy thursday": "maundy_thursday", "holy saturday": "holy_saturday",
    "ash wednesday": "ash_wednesday", "shrove tuesday": "shrove_tuesday", "mardi gras": "shrove_tuesday",
    "pancake day": "shrove_tuesday", "ascension day": "ascension", "pentecost": "pentecost",
    "whit sunday": "pentecost", "whitsunday": "pentecost", "whit monday": "whit_monday",
    "trinity sunday": "trinity_sunday",
    "mother's day": "mothers", "mothers day": "mothers", "mothers' day": "mothers",
    "father's day": "fathers", "fathers day": "fathers", "fathers' day": "fathers",
    "memorial day": "memorial", "labor day": "labor_us", "labour day": "labor_us",
    "may day": "labour", "international workers' day": "labour", "international labour day": "labour",
    "international labor day": "labour",
    "martin luther king day": "mlk", "martin luther king jr. day": "mlk", "martin luther king jr day": "mlk",
    "mlk day": "mlk", "presidents' day": "presidents", "presidents day": "presidents",
    "president's day": "presidents", "washington's birthday": "presidents",
    "columbus day": "columbus", "veterans day": "veterans", "veterans' day": "veterans",
    "veteran's day": "veterans",
    "independence day": "independence", "juneteenth": "juneteenth", "earth day": "earth",
    "groundhog day": "groundhog",
    "st patrick's day": "patrick", "st. patrick's day": "patrick", "saint patrick's day": "patrick",
    "st patricks day": "patrick", "st. patricks day": "patrick", "st. paddy's day": "patrick",
    "st paddy's day": "patrick", "saint paddy's day": "patrick", "saint patricks day": "patrick",
    "st. patrick's": "patrick", "st patrick's": "patrick",
    "april fools' day": "fools", "april fools day": "fools", "april fool's day": "fools",
    "april fools": "fools",
    "chinese new year": "spring", "lunar new year": "spring", "spring festival": "spring",
    "chinese new year's day": "spring", "chinese new years day": "spring", "chinese new years": "spring",
    "chinese lunar new year": "spring", "chinese lunar new year's day": "spring", "lunar new year's day": "spring",
    "the spring festival": "spring", "chinese spring festival": "spring",
    "chinese new year's eve": "spring_eve", "lunar new year's eve": "spring_eve",
    "lantern festival": "lantern", "qingming": "qingming", "qingming festival": "qingming",
    "tomb-sweeping day": "qingming", "tomb sweeping day": "qingming", "ching ming": "qingming",
    "dragon boat festival": "dragon_boat", "duanwu": "dragon_boat", "duanwu festival": "dragon_boat",
    "mid-autumn festival": "mid_autumn", "mid autumn festival": "mid_autumn", "mid-autumn": "mid_autumn",
    "moon festival": "mid_autumn", "mooncake festival": "mid_autumn",
    "national day": "national", "china national day": "national", "chinese national day": "national",
    "golden week": "national",
    "double ninth festival": "double_ninth", "chung yeung": "double_ninth",
    "qixi": "qixi", "qixi festival": "qixi", "chinese valentine's day": "qixi",
    "winter solstice": "winter_solstice", "singles' day": "singles", "singles day": "singles",
    "double eleven": "singles", "double 11": "singles",
    "nye": "new_years_eve", "hogmanay": "new_years_eve", "canada day": "canada", "remembrance day": "remembrance",
    "armistice day": "remembrance", "australia day": "australia", "anzac day": "anzac", "bastille day": "bastille",
    "cinco de mayo": "cinco", "epiphany": "epiphany", "all saints' day": "all_saints", "all saints day": "all_saints",
    "guy fawkes night": "guy_fawkes", "guy fawkes day": "guy_fawkes", "bonfire night": "guy_fawkes",
    "mothering sunday": "mothering", "indigenous peoples' day": "columbus", "indigenous peoples day": "columbus",
}
