"""Team settings: time zone, reminder time, default stages, routing, escalation, currency, language, digest."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import time
from zoneinfo import ZoneInfo, available_timezones

from sqlmodel import col, select

from handlers.amounts import CURRENCIES, normalize_currency
from handlers.context import _CHANNEL_REF, Ctx, channel_id, resolve_owner
from handlers.errors import Refused, UserError
from handlers.grammar import Settings, _Text, take_mentions
from handlers.mail import join_routing, routing_text
from handlers.numerals import cn_int
from handlers.replies import Field, Reply, at_text
from scheduler import digests, planner
from storage import repo
from storage.models import AuditEvent, Role

_ROUTING = {"channel": "channel", "group": "channel", "频道": "channel", "群": "channel", "群组": "channel",
            "dm": "dm", "private": "dm", "私信": "dm", "私聊": "dm", "both": "both", "两者": "both", "都": "both",
            "全部": "both"}
# words that ask for e-mail in a routing: "email", "both+email", "两者+邮件"
_EMAIL_WORDS = {"email", "e-mail", "mail", "邮件", "邮箱", "电邮", "电子邮件"}
_ON = {"on", "yes", "true", "1", "开", "开启", "是"}
_OFF = {"off", "no", "false", "0", "关", "关闭", "否"}
# the allowed days (low, high) of the two day-count settings; anything else is refused with this range
OVERDUE_DAYS = (1, 90)
ESCALATION_DAYS = (1, 365)
# a whole number of days: "3", "3 days", "3天", "every 3 days", "每3天"; never -3, 1e9 or 1.5
_DAYS = re.compile(r"(?:every\s*|每\s*)?(\d{1,6})(?:\s*(?:days?|d|天))?", re.IGNORECASE)
_LANG = {"en": "en", "english": "en", "英文": "en", "英语": "en", "zh": "zh", "chinese": "zh", "中文": "zh"}


def settings(ctx: Ctx, cmd: Settings) -> list[Reply]:
    """Show the team's settings, or change one (admins only)."""
    if not cmd.key:
        return [_show(ctx)]
    if ctx.person.role != Role.ADMIN:
        raise Refused("err.admin_only")
    ex = ctx.t("ex.settings." + cmd.key)
    tenant = ctx.tenant
    before = repo.snapshot(tenant)
    value = cmd.value.strip()
    bad = UserError("err.setting_value", example=ex, setting=ctx.t("setting." + cmd.key), got=value)
    if not value:  # "settings digest" with nothing after it: say what is missing, not that "" is wrong
        raise UserError("err.setting_missing", example=ex, setting=ctx.t("setting." + cmd.key))
    if cmd.key in ("overdue", "stages") and _SIMPLE[cmd.key][1](value) is None:
        raise _range_error(ctx, cmd.key, value, ex)
    if cmd.key == "routing" and _routing(value) is None:
        raise UserError("err.routing_value", example=ex, got=value)
    if cmd.key == "escalation":
        _set_escalation(ctx, value, ex)
    elif cmd.key == "digest":
        _set_digest(ctx, value, ex)
    elif cmd.key == "channel":
        tenant.default_channel = channel_id(ctx, value, ex)
    else:
        attr, read = _SIMPLE[cmd.key]
        parsed = read(value)
        if parsed is None:
            raise bad
        setattr(tenant, attr, parsed)
    ctx.session.add(tenant)
    repo.audit(ctx.session, tenant_id=tenant.id or 0, actor_id=ctx.person.id, action="tenant.settings",
               entity="tenant", entity_id=tenant.id, before=before, after=repo.snapshot(tenant))
    if cmd.key in ("timezone", "time", "stages", "overdue", "holidays"):
        _replan_all(ctx)
    reply = _show(ctx)
    reply.title = ctx.t("ok.setting_changed", setting=ctx.t("setting." + cmd.key))
    if cmd.key == "time" and (note := _daily_digest_note(ctx)) is not None:
        reply.context.insert(0, note)
    return [reply]


def _time(value: str) -> str | None:
    m = re.fullmatch(r"(\d{1,2})[:：.点](\d{2})?", value) or re.fullmatch(r"(\d{1,2})()", value)
    if m is None or int(m.group(1)) > 23 or int(m.group(2) or 0) > 59:
        return None
    return f"{int(m.group(1)):02d}:{int(m.group(2) or 0):02d}"


def _stages(value: str) -> str | None:
    offsets = planner.parse_offsets(re.sub(r"[天d\s]", "", value))
    return ",".join(str(o) for o in offsets) if offsets else None


def _overdue(value: str) -> int | None:
    m = _DAYS.fullmatch(value.strip())
    low, high = OVERDUE_DAYS
    return int(m.group(1)) if m is not None and low <= int(m.group(1)) <= high else None


def _range_error(ctx: Ctx, key: str, value: str, ex: str) -> UserError:
    """A day count out of its range, saying the range."""
    setting = ctx.t("setting." + key)
    if key == "stages":
        return UserError("err.stages_range", example=ex, setting=setting, got=value, n=planner.MAX_STAGES, low=1,
                         high=planner.MAX_OFFSET_DAYS)
    low, high = OVERDUE_DAYS if key == "overdue" else ESCALATION_DAYS
    return UserError("err.setting_range", example=ex, setting=setting, got=value, low=low, high=high)


def _routing(value: str) -> str | None:
    """channel | dm | both | email, or a chat routing plus e-mail (both+email, 两者+邮件); None when not one."""
    words = [w for w in re.split(r"\s*[+＋,，、&和加]\s*|\s+", value.lower().strip()) if w]
    chats = {_ROUTING[w] for w in words if w in _ROUTING}
    mail = [w for w in words if w in _EMAIL_WORDS]
    if not words or len(chats) + len(mail) != len(words) or len(chats) > 1 or len(mail) > 1:
        return None
    chat = next(iter(chats), None)
    return join_routing(chat, bool(mail)) if mail else chat


def _currency(value: str) -> str | None:
    code = normalize_currency(value.split()[0])
    return code if code in CURRENCIES else None


def _on_off(value: str) -> bool | None:
    low = value.lower()
    return True if low in _ON else False if low in _OFF else None


def _zone(value: str) -> str | None:
    aliases = {"beijing": "Asia/Shanghai", "北京": "Asia/Shanghai", "shanghai": "Asia/Shanghai",
               "上海": "Asia/Shanghai", "utc": "UTC", "new york": "America/New_York", "london": "Europe/London"}
    zone = aliases.get(value.lower(), value)
    if zone in available_timezones():
        ZoneInfo(zone)
        return zone
    return None


def _set_escalation(ctx: Ctx, value: str, ex: str) -> None:
    m = _DAYS.match(value)
    low, high = ESCALATION_DAYS
    if m is None or re.match(r"[\w.,+\-−]", value[m.end():]) or not low <= int(m.group(1)) <= high:
        raise _range_error(ctx, "escalation", value, ex)
    ctx.tenant.escalate_after_days = int(m.group(1))
    rest = value[m.end():]
    if rest.strip().lower() in ("nobody", "none", "off", "无", "无人", "关"):
        ctx.tenant.escalation_target = None
        return
    mentions = take_mentions(_Text(rest))
    if mentions:
        person = resolve_owner(ctx, mentions[0])
        ctx.tenant.escalation_target = f"person:{person.id}"
    elif _CHANNEL_REF.search(rest) is not None:
        ctx.tenant.escalation_target = f"channel:{channel_id(ctx, rest, ex)}"


# --- the weekly digest: "monday 09:00", "fri 17:30", "周五 下午5点半", "off", "关闭", "on", "开启" -------------

_DIGEST_ON = {"on", "yes", "true", "enable", "enabled", "开", "开启", "打开", "启用", "是"}
_DIGEST_OFF = {"off", "no", "false", "none", "never", "disable", "disabled", "关", "关闭", "关掉", "停用", "不要", "否"}
_WEEKDAYS_EN = {name: day for day, names in enumerate((
    ("monday", "mon"), ("tuesday", "tue", "tues"), ("wednesday", "wed"), ("thursday", "thu", "thur", "thurs"),
    ("friday", "fri"), ("saturday", "sat"), ("sunday", "sun"))) for name in names}
_WEEKDAY_ZH = re.compile(r"(?:每个?)?(?:周|星期|礼拜)(?P<d>[一二三四五六日天1-7])")
_ZH_DAY = {c: i for i, c in enumerate("一二三四五六")} | {"日": 6, "天": 6} | {str(i + 1): i for i in range(7)}
_FILLER = {"every", "each", "on", "at", "weekly", "每", "在", "于"}
_CLOCK = re.compile(
    r"(?P<pre>凌晨|早上|早晨|上午|中午|下午|傍晚|晚上)?(?P<h>\d{1,2}|[零一二两三四五六七八九十]{1,3})"
    r"(?:[:：.点时](?P<m>\d{1,2}|半|[零〇一二三四五六七八九十]{1,3})?分?)?(?P<ap>am|pm|a\.m\.|p\.m\.)?",
    re.IGNORECASE,
)


def _clock(text: str) -> time | None:
    """A time of day: 9:00, 9, 17:30, 5pm, 5:30 pm, 9点, 9点半, 下午5点30, 上午九点; None when it is not one."""
    m = _CLOCK.fullmatch(text)
    if m is None:
        return None
    hour = cn_int(m["h"])
    minute = 30 if m["m"] == "半" else cn_int(m["m"]) if m["m"] else 0
    if hour is None or minute is None:
        return None
    later = (m["ap"] or "").lower().startswith("p") or m["pre"] in ("下午", "傍晚", "晚上") or (
        m["pre"] == "中午" and hour < 11)
    if m["ap"] and not 1 <= hour <= 12:
        return None  # 13pm, 0am
    if later and hour < 12:
        hour += 12
    elif (m["ap"] or "").lower().startswith("a") and hour == 12:
        hour = 0
    return time(hour, minute) if hour <= 23 and minute <= 59 else None


def _weekday_en(word: str) -> int | None:
    """Monday = 0 for "monday", "mon", "Mon.", "mondays"."""
    name = word.rstrip(".")
    if name not in _WEEKDAYS_EN and name.endswith("s"):
        name = name[:-1]
    return _WEEKDAYS_EN.get(name)


def _digest_schedule(value: str) -> tuple[int | None, time | None] | None:
    """Read a weekday and/or a time of day, in either order; None when anything else is left over."""
    day: int | None = None
    if (m := _WEEKDAY_ZH.search(value)) is not None:
        day = _ZH_DAY[m["d"]]
        value = value[: m.start()] + " " + value[m.end():]
    rest = []
    for word in re.split(r"[\s,，、]+", value.lower()):
        named = _weekday_en(word)
        if named is not None and day is None:
            day = named
        elif word and word not in _FILLER:
            rest.append(word)
    at = _clock("".join(rest)) if rest else None
    if (rest and at is None) or (day is None and at is None):
        return None
    return day, at


def _set_digest(ctx: Ctx, value: str, ex: str) -> None:
    """Turn the weekly digest off or on, or move it to a weekday and a day-time hour (07:00-20:00)."""
    tenant = ctx.tenant
    low = value.lower()
    if low in _DIGEST_OFF:
        tenant.digest_day = None
        return
    if low in _DIGEST_ON:
        if tenant.digest_day is None:
            tenant.digest_day = _previous_digest_day(ctx)
        return
    schedule = _digest_schedule(value)
    if schedule is None:
        raise UserError("err.digest_value", example=ex, got=value)
    day, at = schedule
    if at is not None:
        if not digests.EARLIEST <= at <= digests.LATEST:
            raise UserError("err.digest_night", example=ex, got=f"{at:%H:%M}", tz=tenant.timezone,
                            earliest=f"{digests.EARLIEST:%H:%M}", latest=f"{digests.LATEST:%H:%M}")
        tenant.digest_time = f"{at:%H:%M}"
    if day is not None:
        tenant.digest_day = day
    elif tenant.digest_day is None:  # "settings digest 17:30" while off: on again, at that time
        tenant.digest_day = _previous_digest_day(ctx)


def _previous_digest_day(ctx: Ctx) -> int:
    """The weekday the weekly digest had before it was turned off (from the audit trail), else Monday."""
    events = ctx.session.exec(
        select(AuditEvent.before)
        .where(AuditEvent.tenant_id == ctx.tenant_id, AuditEvent.action == "tenant.settings")
        .order_by(col(AuditEvent.id).desc()).limit(50)
    ).all()
    for before in events:
        day = json.loads(before or "{}").get("digest_day")
        if isinstance(day, int) and 0 <= day <= 6:
            return day
    return 0


def _daily_digest_note(ctx: Ctx) -> str | None:
    """A note when the reminder time puts the daily digest at night: it moves to 07:00, or is not sent."""
    at = digests.clock_time(ctx.tenant.reminder_time)
    window = digests.send_window(at)
    night = f"{digests.NIGHT_STARTS:%H:%M}–{digests.DAY_STARTS:%H:%M}"
    if window is None:
        return ctx.t("warn.digest_skipped", night=night, time=f"{at:%H:%M}")
    if window[0] != at:
        return ctx.t("warn.digest_moved", night=night, start=f"{window[0]:%H:%M}")
    return None


def _replan_all(ctx: Ctx) -> None:
    rows = repo.open_milestones(ctx.session, tenant_id=ctx.tenant_id)
    for milestone, contract in rows:
        planner.replan(ctx.session, milestone=milestone, contract=contract, tenant=ctx.tenant, now=ctx.now)


def _show(ctx: Ctx) -> Reply:
    t = ctx.tenant
    reply = Reply(title=ctx.t("settings.title"), lang=ctx.lang)
    target = t.escalation_target or ""
    if target.startswith("person:"):
        people = repo.people_by_id(ctx.session, ids={int(target.split(":")[1])})
        p = next(iter(people.values()), None)
        target = at_text(p.display_name or p.handle or "?") if p else ""
    elif target.startswith("channel:"):
        target = "#" + target.split(":", 1)[1]
    reply.fields = [
        Field(ctx.t("settings.timezone"), (t.timezone,)),
        Field(ctx.t("settings.time"), (t.reminder_time,)),
        Field(ctx.t("settings.stages"), (ctx.t("settings.stages_value", offsets=t.reminder_offsets),)),
        Field(ctx.t("settings.overdue"), (ctx.t("settings.overdue_value", n=t.overdue_every_days),)),
        Field(ctx.t("settings.escalation"), (ctx.t("settings.escalation_value", n=t.escalate_after_days,
                                                    target=target or ctx.t("settings.contract_owner")),)),
        Field(ctx.t("settings.routing"), (routing_text(t.routing, ctx.lang),)),
        Field(ctx.t("settings.holidays"), (ctx.t("settings.on" if t.holiday_shift else "settings.off"),)),
        Field(ctx.t("settings.currency"), (t.currency,)),
        Field(ctx.t("settings.language"), (t.language,)),
        Field(ctx.t("settings.digest"), (_digest_value(ctx),)),
    ]
    reply.context.append(ctx.t("settings.hint"))
    reply.context.append(ctx.t("settings.digest_hint", earliest=f"{digests.EARLIEST:%H:%M}",
                               latest=f"{digests.LATEST:%H:%M}"))
    return reply


def _digest_value(ctx: Ctx) -> str:
    if ctx.tenant.digest_day is None:
        return ctx.t("settings.digest_off")
    return ctx.t("settings.digest_value", day=ctx.t(f"weekday.{ctx.tenant.digest_day}"), time=ctx.tenant.digest_time)



# setting -> (tenant attribute, reader returning the stored value or None when the text is not valid)
_SIMPLE: dict[str, tuple[str, Callable[[str], object]]] = {
    "timezone": ("timezone", _zone),
    "time": ("reminder_time", _time),
    "stages": ("reminder_offsets", _stages),
    "routing": ("routing", lambda v: _routing(v)),
    "overdue": ("overdue_every_days", _overdue),
    "currency": ("currency", _currency),
    "language": ("language", lambda v: _LANG.get(v.lower())),
    "holidays": ("holiday_shift", _on_off),
}
