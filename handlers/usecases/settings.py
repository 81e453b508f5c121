"""Team settings: time zone, reminder time, default stages, routing, escalation, currency, language."""

from __future__ import annotations

import re
from collections.abc import Callable
from zoneinfo import ZoneInfo, available_timezones

from handlers.amounts import CURRENCIES, normalize_currency
from handlers.context import _CHANNEL_REF, Ctx, channel_id, resolve_owner
from handlers.errors import Refused, UserError
from handlers.grammar import Settings, _Text, take_mentions
from handlers.replies import Field, Reply
from scheduler import planner
from storage import repo
from storage.models import Role

_ROUTING = {"channel": "channel", "group": "channel", "频道": "channel", "群": "channel", "群组": "channel",
            "dm": "dm", "private": "dm", "私信": "dm", "私聊": "dm", "both": "both", "两者": "both", "都": "both",
            "全部": "both"}
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
    if not value:
        raise bad
    if cmd.key in ("overdue", "stages") and _SIMPLE[cmd.key][1](value) is None:
        raise _range_error(ctx, cmd.key, value, ex)
    if cmd.key == "escalation":
        _set_escalation(ctx, value, ex)
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
        target = f"@{p.display_name or p.handle}" if p else ""
    elif target.startswith("channel:"):
        target = "#" + target.split(":", 1)[1]
    reply.fields = [
        Field(ctx.t("settings.timezone"), (t.timezone,)),
        Field(ctx.t("settings.time"), (t.reminder_time,)),
        Field(ctx.t("settings.stages"), (ctx.t("settings.stages_value", offsets=t.reminder_offsets),)),
        Field(ctx.t("settings.overdue"), (ctx.t("settings.overdue_value", n=t.overdue_every_days),)),
        Field(ctx.t("settings.escalation"), (ctx.t("settings.escalation_value", n=t.escalate_after_days,
                                                    target=target or ctx.t("settings.contract_owner")),)),
        Field(ctx.t("settings.routing"), (ctx.t("routing." + t.routing),)),
        Field(ctx.t("settings.holidays"), (ctx.t("settings.on" if t.holiday_shift else "settings.off"),)),
        Field(ctx.t("settings.currency"), (t.currency,)),
        Field(ctx.t("settings.language"), (t.language,)),
    ]
    reply.context.append(ctx.t("settings.hint"))
    return reply



# setting -> (tenant attribute, reader returning the stored value or None when the text is not valid)
_SIMPLE: dict[str, tuple[str, Callable[[str], object]]] = {
    "timezone": ("timezone", _zone),
    "time": ("reminder_time", _time),
    "stages": ("reminder_offsets", _stages),
    "routing": ("routing", lambda v: _ROUTING.get(v.lower())),
    "overdue": ("overdue_every_days", _overdue),
    "currency": ("currency", _currency),
    "language": ("language", lambda v: _LANG.get(v.lower())),
    "holidays": ("holiday_shift", _on_off),
}
