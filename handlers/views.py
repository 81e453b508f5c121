"""How contracts and milestones read in a reply (platform-neutral)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlmodel import Session

from handlers import relative
from handlers.amounts import format_money, quantize
from handlers.dates import format_date
from handlers.i18n import t
from handlers.replies import Field, Line, PersonRef
from scheduler import planner
from storage.models import Contract, Milestone, MilestoneStatus, Tenant


def due_status(due: date, today: date, lang: str) -> str:
    """'due in 3 d', 'due today' or 'overdue by 2 d'."""
    days = (due - today).days
    if days > 0:
        return t("status.due_in", lang, days=days)
    if days == 0:
        return t("status.due_today", lang)
    return t("status.overdue", lang, days=-days)


def milestone_amount(m: Milestone, currency: str) -> str | None:
    """'360,000.00 CNY (30%)', or None for a milestone without money."""
    if m.amount is None and m.percent is None:
        return None
    money = format_money(m.amount, currency) if m.amount is not None else ""
    pct = f"{m.percent.normalize():f}%" if m.percent is not None else ""
    if money and pct:
        return f"{money} ({pct})"
    return money or pct


def is_money(m: Milestone) -> bool:
    """Every milestone with an amount is money the counterparty owes; its name only says when it falls due."""
    return m.amount is not None and m.status != MilestoneStatus.CANCELLED


def owner_span(owner: PersonRef | None, lang: str) -> PersonRef | str:
    """The owner as a mention, or 'nobody'."""
    return owner if owner is not None else t("label.nobody", lang)


# what a line of a paged list keeps of each name: 20 such lines and their title stay far below a Telegram
# message (4,096 characters) and a Slack section (3,000), however long the names in the ledger are
CLIP_NUMBER = 32
CLIP_TITLE = 32
CLIP_NAME = 20


def clip(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, the cut marked with an ellipsis."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def milestone_line(
    m: Milestone, c: Contract, owner: PersonRef | None, today: date, lang: str, *, with_contract: bool = True,
    with_owner: bool = True, paid: Decimal | None = None, short: bool = False, waiting: str | None = None,
) -> Line:
    """One line about a milestone: number, name, due date with weekday, state, owner, amount.

    ``short`` clips the number, the name and the owner's name (a line of a paged list). A milestone still waiting
    for its event shows ``waiting`` instead of a date ("due 30 days after 交付验收 (交付验收 not yet done)", see
    handlers.anchors.waiting_texts).
    """
    parts: list[str | PersonRef] = []
    number, title = (clip(c.number, CLIP_NUMBER), clip(m.title, CLIP_TITLE)) if short else (c.number, m.title)
    if short and owner is not None:
        owner = replace(owner, name=clip(owner.name, CLIP_NAME))
    if with_contract:
        parts.append(f"{number} ")
    if m.due_on is None:
        parts.append(f"{title} · {waiting or relative.waiting_text(m, None, lang)}")
    else:
        parts.append(f"{title} · {format_date(m.due_on, lang)}")
    if m.status != MilestoneStatus.OPEN:
        parts.append(f" [{t('status.' + m.status, lang)}]")
    elif m.due_on is not None:
        parts.append(f" ({due_status(m.due_on, today, lang)})")
    if with_owner:
        parts.append(" · ")
        parts.append(owner_span(owner, lang))
    amount = money_text(m, c.currency, lang, paid)
    if amount:
        parts.append(f" · {amount}")
    return tuple(parts)


def money_text(m: Milestone, currency: str, lang: str, paid: Decimal | None) -> str | None:
    """What a milestone is worth, as still owed of planned when it is open: 'owes 105,000.00 of 705,000.00 CNY'."""
    if m.amount is None and m.percent is None:
        return None
    pct = f" ({m.percent.normalize():f}%)" if m.percent is not None else ""
    if m.amount is not None and m.status == MilestoneStatus.OPEN:
        owed = max(Decimal(0), m.amount - (paid or Decimal(0)))
        return t("money.owes", lang, owed=f"{quantize(owed):,}", amount=format_money(m.amount, currency)) + pct
    if m.amount is not None:
        return format_money(m.amount, currency) + pct
    return pct.strip(" ()")


def contract_fields(c: Contract, owner: PersonRef | None, lang: str) -> list[Field]:
    """The labelled facts of a contract."""
    fields = [
        Field(t("label.number", lang), (c.number,)),
        Field(t("label.title", lang), (c.title,)),
    ]
    if c.counterparty:
        fields.append(Field(t("label.counterparty", lang), (c.counterparty,)))
    fields.append(Field(t("label.amount", lang), (format_money(c.amount, c.currency),)))
    if c.signed_on:
        fields.append(Field(t("label.signed", lang), (format_date(c.signed_on, lang),)))
    if c.start_on:
        fields.append(Field(t("label.starts", lang), (format_date(c.start_on, lang),)))
    if c.end_on:
        ends = format_date(c.end_on, lang)
        if c.notice_days:
            ends += f" · {t('label.notice', lang)} {t('label.days', lang, n=c.notice_days)}"
        if c.auto_renew:
            ends += f" · {t('label.auto_renew', lang)}"
        fields.append(Field(t("label.ends", lang), (ends,)))
    fields.append(Field(t("label.owner", lang), (owner_span(owner, lang),)))
    fields.append(Field(t("label.status", lang), (t("cstatus." + c.status, lang),)))
    crm = " / ".join(x for x in (c.crm_opportunity, c.crm_order) if x)
    if crm:
        fields.append(Field(t("label.crm", lang), (crm,)))
    return fields


def percent_of(part: Decimal, whole: Decimal) -> str:
    """part/whole as a percentage with at most one decimal."""
    if not whole:
        return "0"
    return f"{(part * 100 / whole).quantize(Decimal('0.1')).normalize():f}"


def planned_payments(milestones: list[Milestone]) -> Decimal:
    """The money planned in milestones that are not cancelled, whatever their kind (验收款, 质保金, 定金 …)."""
    return sum((m.amount or Decimal(0) for m in milestones if is_money(m)), Decimal(0))


def describe_upcoming(session: Session, *, milestone: Milestone, tenant: Tenant, lang: str, limit: int = 4) -> str:
    """'Fri 2026-11-27 09:00, Tue 2026-12-01 09:00' for the next pending reminders, in local time."""
    zone = ZoneInfo(planner.reminder_zone(session, milestone, tenant))
    out = []
    for r in planner.upcoming(session, milestone_id=milestone.id or 0)[:limit]:
        local = r.fire_at.astimezone(zone)
        out.append(f"{format_date(local.date(), lang)} {local:%H:%M}")
    return ", ".join(out)
