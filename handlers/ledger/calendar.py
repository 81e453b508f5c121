"""Calendar feeds (iCalendar, RFC 5545) of open milestones: a person's own, or the team's, behind a secret URL.

A feed is found by its token alone (``calendar_tokens``), so everything in it is scoped by the token's team
(and person). Each open milestone is an all-day event on its due date with a stable UID, so a calendar app that
refreshes the subscription updates events instead of duplicating them.

The public base of the URLs is deployment knowledge that lives in bot/ (settings); the core must not import
bot/, so bot/cli.py hands it over at start-up with ``set_base_url`` and the use case reads ``base_url()``.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from icalendar import Calendar, Event
from sqlalchemy import and_, or_
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from handlers.amounts import format_money, quantize
from handlers.i18n import norm_lang, t
from handlers.replies import at_text
from scheduler.platforms import traits
from storage import repo
from storage.models import CalendarToken, Contract, Milestone, MilestoneStatus, Person, Tenant

DEFAULT_BASE_URL = "http://localhost:8080"
PRODID = "-//ContractBot//Contract milestones//EN"
UID_DOMAIN = "contractbot"
MIME = "text/calendar"
# what secrets.token_urlsafe(32) makes (43 characters, 256 bits); anything else is not looked up at all
TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{32,64}")
_EPOCH = datetime(2020, 1, 1, tzinfo=UTC)
_CHUNK = 500

_base_url = DEFAULT_BASE_URL


def set_base_url(url: str | None) -> None:
    """Set the public address the bot's HTTP server is reached at (called by bot/ at start-up)."""
    global _base_url
    _base_url = (url or DEFAULT_BASE_URL).strip().rstrip("/") or DEFAULT_BASE_URL


def base_url() -> str:
    """The public address feeds are served from, without a trailing slash."""
    return _base_url


def feed_url(token: str) -> str:
    """The subscription URL of a token."""
    return f"{base_url()}/calendar/{token}.ics"


# --- tokens ------------------------------------------------------------------------------------------------------


def _owner_is(person_id: int | None) -> ColumnElement[bool]:
    return col(CalendarToken.person_id).is_(None) if person_id is None else col(CalendarToken.person_id) == person_id


def current_token(session: Session, *, tenant_id: int, person_id: int | None) -> CalendarToken | None:
    """The valid token of a person's feed (person_id None: the team's feed), newest first."""
    return session.exec(
        select(CalendarToken)
        .where(col(CalendarToken.tenant_id) == tenant_id, _owner_is(person_id),
               col(CalendarToken.revoked_at).is_(None))
        .order_by(col(CalendarToken.id).desc()).limit(1)
    ).first()


def issue_token(session: Session, *, tenant_id: int, person_id: int | None, now: datetime) -> CalendarToken:
    """Make a new random token (256 bits) for a person's or the team's feed."""
    row = CalendarToken(tenant_id=tenant_id, person_id=person_id, token=secrets.token_urlsafe(32), created_at=now)
    session.add(row)
    session.flush()
    return row


def revoke_tokens(session: Session, *, tenant_id: int, person_id: int | None, now: datetime) -> list[CalendarToken]:
    """Turn off every valid token of a feed; their URLs answer 404 from now on."""
    rows = list(session.exec(
        select(CalendarToken).where(col(CalendarToken.tenant_id) == tenant_id, _owner_is(person_id),
                                    col(CalendarToken.revoked_at).is_(None))
    ).all())
    for row in rows:
        row.revoked_at = now
        session.add(row)
    session.flush()
    return rows


# --- the feed ----------------------------------------------------------------------------------------------------


def feed_language(tenant: Tenant, person: Person | None) -> str:
    """A personal feed speaks its person's language, else the team's; the team feed the team's."""
    return (norm_lang(person.language) if person is not None else None) or norm_lang(tenant.language) or "en"


def feed_for_token(session: Session, *, token: str, now: datetime) -> bytes | None:
    """The feed a token opens, or None for an unknown, malformed or revoked token (the caller says 404)."""
    if not TOKEN_RE.fullmatch(token or ""):
        return None
    row = session.exec(
        select(CalendarToken).where(col(CalendarToken.token) == token, col(CalendarToken.revoked_at).is_(None))
    ).first()
    if row is None:
        return None
    tenant = session.get(Tenant, row.tenant_id)
    person = session.get(Person, row.person_id) if row.person_id is not None else None
    if tenant is None or (row.person_id is not None and (person is None or person.tenant_id != row.tenant_id)):
        return None
    return build_feed(session, tenant=tenant, person=person, now=now)


def _open_milestones(session: Session, tenant_id: int, owner_id: int | None) -> Iterator[list[tuple[Milestone, Contract]]]:
    """Open milestones of the team (of one owner) with their contracts, due date order, a chunk at a time.

    Keyset pagination on (due date, id): plain queries on both back ends, nothing held open between chunks.
    Milestones still waiting for the event they are due after have no day to show yet and are left out.
    """
    last: tuple[object, int] | None = None
    while True:
        q = (select(Milestone, Contract).join(Contract, col(Contract.id) == col(Milestone.contract_id))
             .where(col(Milestone.tenant_id) == tenant_id, col(Contract.tenant_id) == tenant_id,
                    col(Milestone.status) == MilestoneStatus.OPEN, col(Milestone.due_on).is_not(None))
             .order_by(col(Milestone.due_on), col(Milestone.id)).limit(_CHUNK))
        if owner_id is not None:
            q = q.where(col(Milestone.owner_id) == owner_id)
        if last is not None:
            q = q.where(or_(col(Milestone.due_on) > last[0],
                            and_(col(Milestone.due_on) == last[0], col(Milestone.id) > last[1])))
        chunk = [(m, c) for m, c in session.exec(q).all()]
        if chunk:
            yield chunk
        if len(chunk) < _CHUNK:
            return
        last = (chunk[-1][0].due_on, chunk[-1][0].id or 0)


def build_feed(session: Session, *, tenant: Tenant, person: Person | None, now: datetime,
               lang: str | None = None) -> bytes:
    """The iCalendar text of a person's open milestones (person None: every open milestone of the team)."""
    lang = lang or feed_language(tenant, person)
    team = tenant.name or tenant.external_id
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    if person is None:
        name = t("cal.name_team", lang, team=team)
    else:
        name = t("cal.name_person", lang, team=team, name=person.display_name or person.handle or "?")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-caldesc", t("cal.caldesc", lang))
    cal.add("x-wr-timezone", tenant.timezone)
    cal.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", "PT1H")  # Outlook's refresh hint (a DURATION, written as text: it is an X- name)
    stamp = now.astimezone(UTC)
    names: dict[int, Person] = {}
    for chunk in _open_milestones(session, tenant.id or 0, person.id if person is not None else None):
        paid = repo.paid_for_milestones(session, tenant_id=tenant.id or 0,
                                        milestone_ids=[m.id for m, _ in chunk if m.id is not None and m.amount])
        if person is None:
            missing = {m.owner_id for m, _ in chunk if m.owner_id and m.owner_id not in names}
            names.update(repo.people_by_id(session, ids={i for i in missing if i}))
        for m, c in chunk:
            cal.add_component(_event(m, c, paid, names if person is None else None, lang, stamp,
                                     link=_chat_link(tenant, c)))
    return cal.to_ical()


def _chat_link(tenant: Tenant, c: Contract) -> str | None:
    """Where the contract is talked about, as a web address, where the team's platform has one: the contract's
    chat (else the team's), or the team's own chat where a team is one chat."""
    platform = traits(tenant.platform)
    make = platform.chat_link
    if make is None:
        return None
    if platform.team_per_chat:
        chat = tenant.external_id
    else:
        chat = c.channel or tenant.default_channel or ""
    return make(tenant.external_id, chat) if chat else None


def _event(m: Milestone, c: Contract, paid: dict[int, Decimal], owners: dict[int, Person] | None, lang: str,
           stamp: datetime, *, link: str | None = None) -> Event:
    """One open milestone (with a due date) as an all-day event."""
    assert m.due_on is not None, "the feed reads dated milestones only"
    owed = None
    if m.amount is not None:
        owed = max(Decimal(0), m.amount - paid.get(m.id or 0, Decimal(0)))
    ev = Event()
    ev.add("uid", f"milestone-{m.id}@{UID_DOMAIN}")
    ev.add("dtstamp", stamp)
    ev.add("dtstart", m.due_on)  # a date: VALUE=DATE, an all-day event
    ev.add("dtend", m.due_on + timedelta(days=1))
    party = f" · {c.counterparty}" if c.counterparty else ""
    if owed:
        ev.add("summary", t("cal.summary_owed", lang, number=c.number, title=m.title, party=party,
                            owed=format_money(owed, c.currency)))
    else:
        ev.add("summary", t("cal.summary", lang, number=c.number, title=m.title, party=party))
    lines = [t("cal.contract", lang, number=c.number, title=c.title)]
    if c.counterparty:
        lines.append(t("cal.party", lang, party=c.counterparty))
    if m.amount is not None and owed is not None:
        lines.append(t("cal.owed", lang, owed=format_money(owed, c.currency),
                       amount=format_money(m.amount, c.currency)))
    if owners is not None:
        who = owners.get(m.owner_id or 0)
        name = at_text(who.handle or who.display_name or "?") if who is not None else t("label.nobody", lang)
        lines.append(t("cal.owner", lang, owner=name))
    if owed:
        lines.append(t("cal.act_paid", lang, number=c.number, title=m.title, amount=f"{quantize(owed):,}"))
    else:
        lines.append(t("cal.act_done", lang, number=c.number, title=m.title))
    if link:
        ev.add("url", link)
        lines.append(t("cal.link", lang, link=link))
    ev.add("description", "\n".join(lines))
    ev.add("categories", [t(f"kind.{m.kind}", lang)])
    ev.add("transp", "TRANSPARENT")  # a due date is not a meeting: it does not make anyone busy
    ev.add("status", "CONFIRMED")
    changed = m.updated_at.astimezone(UTC) if m.updated_at else stamp
    ev.add("last-modified", changed)
    # grows with every change of the milestone, so clients take the new version
    ev.add("sequence", max(0, int((changed - _EPOCH).total_seconds())))
    return ev
