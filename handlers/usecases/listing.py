"""Use cases that read: lists of contracts and milestones, a page at a time, and help.

A list is counted and paged by the database (COUNT, then one page of LIST_PAGE rows in index order); only the
page's rows are loaded, with the money paid on them and their owners, so a list costs the same in a team of
ten contracts and of a hundred thousand, and its reply stays small enough for any platform.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from handlers import anchors, grammar
from handlers.amounts import format_money
from handlers.context import Ctx, person_ref
from handlers.dates import format_date
from handlers.errors import Refused, UserError
from handlers.grammar import ListItems
from handlers.reminders import new_key, reminder_reply
from handlers.replies import Action, Reply
from handlers.views import CLIP_NUMBER, clip, milestone_line
from storage import repo
from storage.models import ContractStatus

LIST_PAGE = 20  # items per page
SCOPES = ("contracts", "mine", "overdue", "week")


def list_items(ctx: Ctx, cmd: ListItems) -> list[Reply]:
    """List the team's contracts, my milestones, overdue ones, or those due this week: one page of them."""
    scope, page = cmd.scope, cmd.page
    if cmd.step:
        cursor = repo.get_list_cursor(ctx.session, tenant_id=ctx.tenant_id, chat_id=ctx.chat_id,
                                      person_id=ctx.person.id or 0)
        if cursor is None:
            raise UserError("err.list_no_cursor", example=list_command(ctx, "overdue"))
        scope, page = cursor.scope, cursor.page + cmd.step
        if page < 1:
            raise UserError("err.list_page_first", example=list_command(ctx, scope, 2))
    reply = _contracts(ctx, page) if scope == "contracts" else _milestones(ctx, scope, page)
    repo.put_list_cursor(ctx.session, tenant_id=ctx.tenant_id, chat_id=ctx.chat_id, person_id=ctx.person.id or 0,
                         scope=scope, page=page, now=ctx.now)
    return [reply]


def list_command(ctx: Ctx, scope: str, page: int = 1) -> str:
    """The typed form of a list (page): ``list overdue page 2``, ``列表 逾期 第2页``."""
    command = ctx.t(f"cmd.list.{scope}")
    return ctx.t("cmd.list.page", command=command, page=page) if page > 1 else command


def page_action(ctx: Ctx, arg: str) -> list[Reply]:
    """A Previous / Next button: the page it names (``overdue:2``), for whoever pressed it."""
    scope, _, page = arg.partition(":")
    if scope not in SCOPES or not page.isdigit():
        raise Refused("err.action_unknown")
    return list_items(ctx, ListItems(scope, max(1, int(page))))


@dataclass(frozen=True)
class _Page:
    scope: str
    number: int
    pages: int
    total: int

    @property
    def offset(self) -> int:
        return (self.number - 1) * LIST_PAGE


def _page(ctx: Ctx, scope: str, number: int, total: int) -> _Page:
    """Page ``number`` of a list of ``total`` items; past the last page is an error that names the last one."""
    pages = max(1, -(-total // LIST_PAGE))
    if number > pages:
        raise UserError("err.list_page_beyond", example=list_command(ctx, scope, pages), page=number, pages=pages,
                        count=total)
    return _Page(scope, number, pages, total)


def _title(ctx: Ctx, page: _Page, **params: object) -> str:
    """``Overdue milestones (57) · page 1/3``: the count of all items, and where this page is among them."""
    title = ctx.t(f"list.{page.scope}", count=page.total, **params)
    return title if page.pages == 1 else f"{title} · {ctx.t('list.page', page=page.number, pages=page.pages)}"


def _paging(ctx: Ctx, reply: Reply, page: _Page, order: str) -> None:
    """The order and the next page's command under a list of several pages, and Previous / Next buttons."""
    if page.pages == 1:
        return
    hint = ctx.t(f"list.order.{order}")
    if page.number < page.pages:
        hint += " · " + ctx.t("list.next_hint", command=list_command(ctx, page.scope, page.number + 1))
    reply.context.append(hint)
    for target, label in ((page.number - 1, "previous"), (page.number + 1, "next")):
        if 1 <= target <= page.pages:
            key = new_key(ctx.session, tenant_id=ctx.tenant_id, action="page", arg=f"{page.scope}:{target}")
            reply.actions.append(Action(kind="page", label=ctx.t(f"list.button.{label}"), key=key,
                                        command=list_command(ctx, page.scope, target),
                                        style="primary" if label == "next" else None))


def _milestones(ctx: Ctx, scope: str, number: int) -> Reply:
    """A page of open milestones: mine, overdue, or due this week; by due date, then contract number."""
    tenant_id = ctx.tenant_id
    title_params: dict[str, object] = {}
    owner_id: int | None = None
    due_from: date | None = None
    if scope == "mine":
        owner_id, due_before = ctx.person.id, None
    elif scope == "overdue":
        due_before = ctx.today
    else:
        due_from = ctx.today - timedelta(days=ctx.today.weekday())
        due_before = due_from + timedelta(days=7)
        title_params = {"start": format_date(due_from, ctx.lang), "end": format_date(due_before - timedelta(days=1),
                                                                                     ctx.lang)}
    total = repo.count_open_milestones(ctx.session, tenant_id=tenant_id, owner_id=owner_id, due_before=due_before,
                                       due_from=due_from)
    if not total:
        return Reply(title=ctx.t(f"list.empty.{scope}"), lang=ctx.lang)
    page = _page(ctx, scope, number, total)
    rows = repo.page_open_milestones(ctx.session, tenant_id=tenant_id, offset=page.offset, limit=LIST_PAGE,
                                     owner_id=owner_id, due_before=due_before, due_from=due_from)
    people = repo.people_by_id(ctx.session, ids={m.owner_id for m, _ in rows if m.owner_id})
    paid = repo.paid_for_milestones(ctx.session, tenant_id=tenant_id, milestone_ids=[m.id or 0 for m, _ in rows])
    waiting = anchors.waiting_texts(ctx.session, [m for m, _ in rows], ctx.lang)  # "mine" lists those last
    reply = Reply(title=_title(ctx, page, **title_params), lang=ctx.lang)
    for m, c in rows:
        reply.add("• ", *milestone_line(m, c, person_ref(people.get(m.owner_id or 0)), ctx.today, ctx.lang,
                                        paid=paid.get(m.id or 0), short=True, waiting=waiting.get(m.id or 0)))
    _paging(ctx, reply, page, "due")
    return reply


def _contracts(ctx: Ctx, number: int) -> Reply:
    """A page of the team's contracts, those ending next first, each with its next open milestone."""
    tenant_id = ctx.tenant_id
    total = repo.count_contracts(ctx.session, tenant_id=tenant_id)
    if not total:
        return Reply(title=ctx.t("list.empty.contracts", example=grammar.example_for("new", ctx.lang)), lang=ctx.lang)
    page = _page(ctx, "contracts", number, total)
    contracts = repo.page_contracts(ctx.session, tenant_id=tenant_id, offset=page.offset, limit=LIST_PAGE,
                                     today=ctx.today)
    next_due = repo.next_open_milestones(ctx.session, tenant_id=tenant_id, contract_ids=[c.id or 0 for c in contracts])
    waiting = anchors.waiting_texts(ctx.session, next_due.values(), ctx.lang)
    reply = Reply(title=_title(ctx, page), lang=ctx.lang)
    for c in contracts:
        parts = [f"• {clip(c.number, CLIP_NUMBER)} {clip(c.title, 28)}"]
        if c.counterparty:
            parts.append(clip(c.counterparty, 20))
        parts.append(format_money(c.amount, c.currency))
        if c.end_on:
            parts.append(f"{ctx.t('label.ends')} {format_date(c.end_on, ctx.lang)}")
        nxt = next_due.get(c.id or 0)
        if nxt is None:
            parts.append(ctx.t("list.no_next"))
        else:
            due = format_date(nxt.due_on, ctx.lang) if nxt.due_on else waiting.get(nxt.id or 0, "-")
            parts.append(ctx.t("list.next", title=clip(nxt.title, 20), due=due))
        if c.status != ContractStatus.ACTIVE:
            parts.append(ctx.t("cstatus." + c.status))
        reply.add(" · ".join(parts))
    _paging(ctx, reply, page, "end")
    return reply


def due_soon(ctx: Ctx, horizon_days: int = 7) -> list[Reply]:
    """The sender's overdue and soon-due milestones in this team, the first LIST_PAGE with their buttons."""
    due_before = ctx.today + timedelta(days=horizon_days + 1)
    total = repo.count_open_milestones(ctx.session, tenant_id=ctx.tenant_id, owner_id=ctx.person.id,
                                       due_before=due_before)
    if not total:
        return [Reply(title=ctx.t("list.empty.mine"), lang=ctx.lang)]
    rows = repo.page_open_milestones(ctx.session, tenant_id=ctx.tenant_id, owner_id=ctx.person.id,
                                     due_before=due_before, offset=0, limit=LIST_PAGE)
    head = Reply(title=ctx.t("list.due_soon", count=total, days=horizon_days), lang=ctx.lang)
    if total > len(rows):
        head.context.append(ctx.t("list.first_shown", shown=len(rows), command=list_command(ctx, "mine")))
    return [head, *(reminder_reply(ctx.session, m, c, ctx.tenant, today=ctx.today, lang=ctx.lang) for m, c in rows)]
