"""The ledger out of the chat: ``export`` (导出, an .xlsx or a zip of CSVs) and ``calendar`` (日历, an iCalendar feed).

Both only read the ledger: viewers may use them. A calendar link is a secret (whoever has it sees the
milestones), so in a group chat it goes to the person privately, never to the group.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from handlers.context import Ctx, find_member
from handlers.errors import Refused, UserError
from handlers.grammar import OwnerRef, _Text, take_mentions
from handlers.ledger import calendar as feeds
from handlers.ledger.export import SHEETS, Exported, Filter, export_ledger
from handlers.periods import Period, read_period
from handlers.replies import Document, Reply, at_text
from handlers.usecases.changes import dm_target
from scheduler.platforms import traits
from storage import repo
from storage.models import Person, Role

# ASCII edges, not \b: "导出csv" has no word boundary between 出 and c
_CSV = re.compile(r"(?<![A-Za-z0-9.])\.?csv(?![A-Za-z0-9])", re.I)
_XLSX = re.compile(r"(?<![A-Za-z0-9.])\.?(?:xlsx|excel)(?![A-Za-z0-9])|电子表格|表格", re.I)
_OVERDUE = re.compile(r"\b(?:overdue|late|past\s+due)\b|逾期(?:的)?|过期未完成|超期", re.I)
# words around the filters that carry no meaning of their own: "export the ledger for @bob as csv", "导出 王五 的 台账"
_FILLER = re.compile(r"\b(?:the|my|our|team'?s?|ledger|all|everything|file|as|in|for|of|by|owner|owned|only|"
                     r"contracts?|milestones?|a|an|format|to)\b"
                     r"|台账|全部|所有|文件|格式|为|成|的|负责人|合同|节点|一下|数据|给我|我要", re.I)
_TEAM = re.compile(r"\b(?:team|all|everyone)\b|团队|全队|全员|全部|所有人", re.I)
_RESET = re.compile(r"\b(?:reset|renew|rotate|revoke|new)\b|重置|重设|更换|换一个|作废|新的?", re.I)
_CAL_FILLER = re.compile(r"\b(?:the|my|feed|link|url|calendar|subscription|ics|please)\b|订阅|链接|地址|我的|的", re.I)


@dataclass(frozen=True)
class Export:
    """``export [csv] [overdue] [@owner] [period]``."""

    fmt: str = "xlsx"
    overdue: bool = False
    owner: OwnerRef | None = None
    period: Period | None = None


@dataclass(frozen=True)
class CalendarFeed:
    """``calendar [team] [reset]``."""

    team: bool = False
    reset: bool = False


def parse_export(words: str, now: datetime, tz: str, ex: str, lang: str) -> Export:
    """Read the format, the overdue filter, one owner mention and a period, in any order."""
    today = now.astimezone(ZoneInfo(tz)).date()
    text = _Text(words)
    mentions = take_mentions(text)
    if len(mentions) > 1:
        raise UserError("err.export_owners", example=ex)
    # "导出逾期2027年": Chinese glued to digits or Latin letters has no word boundary for the period reader
    spaced = re.sub(r"(?<=[\u4e00-\u9fff])(?=[A-Za-z0-9])|(?<=[A-Za-z0-9])(?=[\u4e00-\u9fff])", " ", text.text)
    period, rest = read_period(spaced, today)
    fmt = "csv" if _CSV.search(rest) else "xlsx"
    rest = _XLSX.sub(" ", _CSV.sub(" ", rest))
    overdue = bool(_OVERDUE.search(rest))
    rest = _FILLER.sub(" ", _OVERDUE.sub(" ", rest))
    rest = re.sub(r"\s+", " ", rest).strip(" ,，;；:：、.。")
    if rest:
        raise UserError("err.export_words", example=ex, words=rest[:40])
    return Export(fmt, overdue, mentions[0] if mentions else None, period)


def parse_calendar(words: str, now: datetime, tz: str, ex: str, lang: str) -> CalendarFeed:
    """``calendar``, ``calendar team``, ``calendar reset``, ``日历 团队 重置`` …"""
    team = bool(_TEAM.search(words))
    rest = _TEAM.sub(" ", words)
    reset = bool(_RESET.search(rest))
    rest = _CAL_FILLER.sub(" ", _RESET.sub(" ", rest))
    rest = re.sub(r"\s+", " ", rest).strip(" ,，;；:：、.。")
    if rest:
        raise UserError("err.calendar_words", example=ex, words=rest[:40])
    return CalendarFeed(team, reset)


# --- export ------------------------------------------------------------------------------------------------


def export(ctx: Ctx, cmd: Export) -> list[Reply]:
    """The team's ledger (or the filtered part of it) as a file: 4 sheets, in the user's language."""
    ex = ctx.t("ex.export")
    owner = find_member(ctx, cmd.owner, "err.export_owner", ex) if cmd.owner else None
    flt = Filter(ctx.tenant_id, ctx.today, owner_id=owner.id if owner else None, overdue=cmd.overdue,
                 start=cmd.period.start if cmd.period else None, end=cmd.period.end if cmd.period else None)
    filters = _filter_words(ctx, cmd, owner)
    result = export_ledger(ctx.session, flt, lang=ctx.lang, fmt=cmd.fmt)
    if not result.counts["contracts"]:
        key = "export.none_filtered" if filters else "export.none"
        return [Reply(title=ctx.t(key, filters=" · ".join(filters)), lang=ctx.lang)]
    filename = _filename(ctx, cmd, owner, result)
    counts = " · ".join(f"{ctx.t('export.sheet.' + s)} {result.counts[s]}" for s in SHEETS)
    title = ctx.t("export.title_csv" if cmd.fmt == "csv" else "export.title", counts=counts)
    reply = Reply(title=title, lang=ctx.lang)
    if filters:
        reply.add(ctx.t("export.filters", filters=" · ".join(filters)))
    reply.add(ctx.t("export.file", filename=filename, size=_size(len(result.data))))
    reply.add(ctx.t("export.sheets_csv" if cmd.fmt == "csv" else "export.sheets"))
    reply.context.append(ctx.t("export.footnote", today=ctx.today.isoformat()))
    reply.documents = [Document(result.data, filename, ctx.t("export.doc_title", counts=counts), result.mime)]
    return [reply]


def _filter_words(ctx: Ctx, cmd: Export, owner: Person | None) -> list[str]:
    out = []
    if cmd.overdue:
        out.append(ctx.t("export.f_overdue"))
    if owner is not None:
        out.append(ctx.t("export.f_owner", owner=at_text(owner.handle or owner.display_name or "?")))
    if cmd.period is not None:
        out.append(ctx.t("export.f_period", period=cmd.period.label(ctx.lang), start=cmd.period.start.isoformat(),
                         end=cmd.period.end.isoformat()))
    return out


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower()[:30]


def _filename(ctx: Ctx, cmd: Export, owner: Person | None, result: Exported) -> str:
    """An ASCII file name (every platform and unzip tool keeps it intact): ledger-2027-03-15-overdue-bob.xlsx."""
    parts = ["ledger", ctx.today.isoformat()]
    if cmd.overdue:
        parts.append("overdue")
    if owner is not None:
        parts.append(_slug(owner.handle or owner.display_name or "") or f"person{owner.id}")
    if cmd.period is not None:
        start, end = cmd.period.start.isoformat(), cmd.period.end.isoformat()
        parts.append(str(cmd.period.year) if cmd.period.kind == "year" else f"{start}-to-{end}")
    return "-".join(parts) + "." + result.extension


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{max(1, round(n / 1024))} KB"


# --- calendar ------------------------------------------------------------------------------------------------


def calendar(ctx: Ctx, cmd: CalendarFeed) -> list[Reply]:
    """The person's (or, for admins, the team's) calendar subscription URL, and the feed as an .ics file."""
    if cmd.team and ctx.person.role != Role.ADMIN:
        raise Refused("err.calendar_team_admin", example=ctx.t("ex.calendar"))
    s, tid = ctx.session, ctx.tenant_id
    person_id = None if cmd.team else ctx.person.id
    token = feeds.current_token(s, tenant_id=tid, person_id=person_id)
    if cmd.reset:
        revoked = feeds.revoke_tokens(s, tenant_id=tid, person_id=person_id, now=ctx.now)
        token = feeds.issue_token(s, tenant_id=tid, person_id=person_id, now=ctx.now)
        repo.audit(s, tenant_id=tid, actor_id=ctx.person.id, action="calendar.reset", entity="calendar_token",
                   entity_id=token.id, before={"revoked": [r.id for r in revoked], "person_id": person_id},
                   after={"id": token.id, "person_id": person_id})  # never the secret itself
    elif token is None:
        token = feeds.issue_token(s, tenant_id=tid, person_id=person_id, now=ctx.now)
        repo.audit(s, tenant_id=tid, actor_id=ctx.person.id, action="calendar.created", entity="calendar_token",
                   entity_id=token.id, after={"id": token.id, "person_id": person_id})
    person = None if cmd.team else ctx.person
    lang = feeds.feed_language(ctx.tenant, person)
    ics = feeds.build_feed(s, tenant=ctx.tenant, person=person, now=ctx.now, lang=lang)
    events = ics.count(b"BEGIN:VEVENT")
    whose = "team" if cmd.team else "person"
    title = ctx.t(f"cal.title_{whose}_reset" if cmd.reset else f"cal.title_{whose}", n=events)
    reply = Reply(title=title, lang=ctx.lang)
    reply.add(feeds.feed_url(token.token))
    reply.add(ctx.t("cal.how"))
    reply.add(ctx.t("cal.file"))
    reply.context.append(ctx.t("cal.secret_team" if cmd.team else "cal.secret"))
    who = "team" if cmd.team else _slug(ctx.person.handle or ctx.person.display_name or "") or "me"
    reply.documents = [Document(ics, f"contractbot-{who}.ics", ctx.t(f"cal.doc_{whose}"), f"{feeds.MIME}; charset=utf-8")]
    return _privately(ctx, reply)


def _privately(ctx: Ctx, reply: Reply) -> list[Reply]:
    """A secret link goes to its person only: as is in a private chat, else to their DM with a note in the group."""
    if ctx.chat_type == "private" or traits(ctx.tenant.platform).single_user:  # e.g. one person's terminal
        return [reply]
    target = dm_target(ctx.tenant, ctx.person)
    if target is None:  # the bot cannot write to them privately yet (Telegram: they never started it)
        return [Reply(title=ctx.t("cal.dm_first"), lang=ctx.lang, ephemeral=True)]
    reply.channel = target
    return [Reply(title=ctx.t("cal.sent_dm"), lang=ctx.lang, ephemeral=True), reply]


# --- the registry's entries ------------------------------------------------------------------------------------
