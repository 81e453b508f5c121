"""Import the Excel/CSV ledger a team already keeps: preview first, then one confirmed, audited transaction.

The file is read by ``handlers.ledger.reader``; this module compares what it read with the team's ledger
(a plan), shows the plan, keeps the file until the person confirms, and then applies the plan again against
the ledger as it stands. Contracts are matched by number, milestones by name within their contract, payments
by day and amount: importing the same file twice changes nothing, an updated file updates, and nothing the
file leaves out is deleted.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from time import monotonic
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select as core_select
from sqlalchemy import text
from sqlmodel import SQLModel, col, select

from handlers import lifecycle
from handlers.amounts import quantize
from handlers.context import Ctx, require_writer, resolve_owner
from handlers.errors import UserError
from handlers.grammar import OwnerRef
from handlers.i18n import t
from handlers.mail import parse_address
from handlers.replies import Reply
from handlers.understand import Ask
from handlers.usecases.renewals import notice_deadline, sync_renewal_milestone
from scheduler import planner
from storage import repo
from storage.models import (
    Contract,
    LedgerImport,
    Milestone,
    MilestoneStatus,
    Payment,
    PaymentAllocation,
    Person,
    Role,
)

_CONFIRM = {"confirm", "yes", "ok", "go", "apply", "确认", "确定", "是", "好", "导入"}
_CANCEL = {"cancel", "no", "abort", "取消", "否", "算了"}
MAX_SHOWN_ERRORS = 15
CHUNK = 500  # contracts written per slice of an import
_BOT_RENEWAL = {t("renewal.milestone", "en"), t("renewal.milestone", "zh")}
KEEP_PREVIEW = timedelta(days=1)
_CONTRACT_FIELDS = ("title", "counterparty", "amount", "currency", "signed_on", "start_on", "end_on", "owner_id")
_MILESTONE_FIELDS = ("kind", "due_on", "amount", "percent", "owner_id")


@dataclass(frozen=True)
class ImportLedger:
    """``import`` with a file attached (preview), ``import confirm [#id]`` or ``import cancel [#id]``."""

    action: str = ""  # "" | confirm | cancel
    ref: int | None = None


def parse_import(words: str, now: datetime, tz: str, ex: str, lang: str) -> ImportLedger:
    """Read confirm/cancel and an optional #id; anything else is the preview of the attached file."""
    tokens = [w for w in re.split(r"[\s,，]+", words.strip().lower()) if w]
    ref = next((int(m.group(1)) for w in tokens if (m := re.fullmatch(r"#?(\d{1,9})", w))), None)
    if any(w in _CONFIRM for w in tokens):
        return ImportLedger("confirm", ref)
    if any(w in _CANCEL for w in tokens):
        return ImportLedger("cancel", ref)
    return ImportLedger("", ref)


@dataclass
class Plan:
    """What an import would do to the team's ledger."""

    contracts_new: int = 0
    contracts_updated: int = 0
    milestones_new: int = 0
    milestones_updated: int = 0
    milestones_done: int = 0
    payments_new: int = 0
    people_new: set[str] = field(default_factory=set)
    errors: list[tuple[str, str]] = field(default_factory=list)  # (where, reason)
    unchanged: int = 0

    @property
    def changes(self) -> int:
        """How many rows the import would write."""
        return (self.contracts_new + self.contracts_updated + self.milestones_new + self.milestones_updated
                + self.milestones_done + self.payments_new)

    def as_dict(self) -> dict[str, Any]:
        """The counts, for the audit trail and the stored preview."""
        return {k: (sorted(v) if isinstance(v, set) else v) for k, v in self.__dict__.items() if k != "errors"} | {
            "errors": len(self.errors)}


def import_ledger(ctx: Ctx, cmd: ImportLedger) -> list[Reply]:
    """Preview an attached ledger, or apply / cancel a previewed one."""
    require_writer(ctx)
    if cmd.action == "confirm":
        return _confirm(ctx, cmd.ref)
    if cmd.action == "cancel":
        row = _previewed(ctx, cmd.ref)
        row.status = "cancelled"
        ctx.session.add(row)
        return [Reply(title=ctx.t("import.cancelled", file=row.filename), lang=ctx.lang)]
    return _preview(ctx)


# --- preview -------------------------------------------------------------------------------------------------


# The reading of the file last previewed in this process, kept for its confirmation a moment later (reading a
# big ledger is a third of the confirmed import's time); another process, or a later confirmation, reads again.
_LAST_READING: dict[tuple[str, str], tuple[float, Any]] = {}
KEEP_READING_S = 600


def _read(data: bytes, filename: str, lang: str, ex: str, *, keep: bool = False) -> Any:
    """Read the file (a preview keeps the reading for its confirmation; the confirmation takes it back)."""
    from handlers.ledger.reader import LedgerError, read_ledger

    key = (hashlib.sha256(data).hexdigest(), filename)
    kept = _LAST_READING.pop(key, None)
    if kept is not None and monotonic() - kept[0] < KEEP_READING_S and not keep:
        return kept[1]
    try:
        reading = read_ledger(data, filename)
    except LedgerError as err:
        raise UserError("import.err.unreadable", example=ex, file=filename,
                        reason=err.reason(lang) if hasattr(err, "reason") else str(err)) from None
    if keep:
        _LAST_READING.clear()  # one at a time: a big ledger's reading is tens of MB
        _LAST_READING[key] = (monotonic(), reading)
    return reading


def _preview(ctx: Ctx) -> list[Reply]:
    ex = ctx.t("ex.import")
    files = list(getattr(ctx, "attachments", ()) or ())
    if not files:
        raise UserError("import.err.no_file", example=ex)
    attachment = files[0]
    reading = _read(attachment.data, attachment.filename, ctx.lang, ex, keep=True)
    plan = _apply(ctx, reading, write=False)
    reply = Reply(title=ctx.t("import.preview", file=attachment.filename), lang=ctx.lang)
    _plan_lines(ctx, reply, plan)
    if len(files) > 1:
        reply.context.append(ctx.t("import.one_file", file=attachment.filename))
    if not plan.changes:
        _LAST_READING.clear()  # nothing to confirm
        reply.add(ctx.t("import.nothing"))
        return [reply]
    row = LedgerImport(tenant_id=ctx.tenant_id, person_id=ctx.person.id or 0, chat_id=ctx.chat_id or "",
                       filename=attachment.filename[:255], sha256=hashlib.sha256(attachment.data).hexdigest(),
                       data=attachment.data, summary=json.dumps(plan.as_dict(), ensure_ascii=False),
                       created_at=ctx.now)
    ctx.session.add(row)
    ctx.session.flush()
    from handlers.interpret import ask_reply

    confirm = f"{'import' if ctx.lang == 'en' else '导入'} {'confirm' if ctx.lang == 'en' else '确认'} #{row.id}"
    cancel = f"{'import' if ctx.lang == 'en' else '导入'} {'cancel' if ctx.lang == 'en' else '取消'} #{row.id}"
    ask = ask_reply(ctx, Ask("choose", "import.ask", {"n": str(plan.changes), "file": row.filename},
                             ((ctx.t("import.yes"), confirm),), on_cancel=cancel))
    return [reply, ask]


def _plan_lines(ctx: Ctx, reply: Reply, plan: Plan) -> None:
    reply.add(ctx.t("import.count_contracts", new=plan.contracts_new, updated=plan.contracts_updated))
    reply.add(ctx.t("import.count_milestones", new=plan.milestones_new, updated=plan.milestones_updated,
                    done=plan.milestones_done))
    reply.add(ctx.t("import.count_payments", new=plan.payments_new))
    if plan.people_new:
        names = sorted(plan.people_new)
        shown = ", ".join(names[:10]) + (" " + ctx.t("answer.and_more", n=len(names) - 10) if len(names) > 10 else "")
        reply.add(ctx.t("import.count_people", n=len(names), names=shown))
    if plan.unchanged:
        reply.add(ctx.t("import.count_unchanged", n=plan.unchanged))
    if plan.errors:
        reply.add(ctx.t("import.errors", n=len(plan.errors)))
        for where, reason in plan.errors[:MAX_SHOWN_ERRORS]:
            reply.add(f"  • {where}: {reason}")
        if len(plan.errors) > MAX_SHOWN_ERRORS:
            reply.add("  " + ctx.t("import.more_errors", n=len(plan.errors) - MAX_SHOWN_ERRORS))


def _where(ctx: Ctx, sheet: str | None, row: int) -> str:
    if sheet:
        return ctx.t("import.where_sheet", sheet=sheet, row=row)
    return ctx.t("import.where_line", row=row)


# --- confirm -------------------------------------------------------------------------------------------------


def _previewed(ctx: Ctx, ref: int | None) -> LedgerImport:
    q = select(LedgerImport).where(col(LedgerImport.tenant_id) == ctx.tenant_id,
                                   col(LedgerImport.person_id) == ctx.person.id,
                                   col(LedgerImport.status) == "previewed",
                                   col(LedgerImport.created_at) >= ctx.now - KEEP_PREVIEW)
    if ref is not None:
        q = q.where(col(LedgerImport.id) == ref)
    row = ctx.session.exec(q.order_by(col(LedgerImport.id).desc())).first()
    if row is None:
        raise UserError("import.err.no_preview", example=ctx.t("ex.import"))
    return row


def _confirm(ctx: Ctx, ref: int | None) -> list[Reply]:
    row = _previewed(ctx, ref)
    reading = _read(row.data, row.filename, ctx.lang, ctx.t("ex.import"))
    plan = _apply(ctx, reading, write=True)
    row.status, row.applied_at = "applied", ctx.now
    ctx.session.add(row)
    repo.audit(ctx.session, tenant_id=ctx.tenant_id, actor_id=ctx.person.id, action="ledger.imported",
               entity="import", entity_id=row.id,
               after={"file": row.filename, "sha256": row.sha256, **plan.as_dict()})
    reply = Reply(title=ctx.t("import.done", file=row.filename), lang=ctx.lang)
    _plan_lines(ctx, reply, plan)
    return [reply]


# --- the plan, and applying it --------------------------------------------------------------------------------


class _People:
    """Owners named in the ledger: @name or e-mail, found in the team or (when writing) added to it."""

    def __init__(self, ctx: Ctx, plan: Plan, write: bool) -> None:
        self.ctx, self.plan, self.write = ctx, plan, write
        self.cache: dict[str, int | None] = {}

    def id_of(self, owner: str | None) -> int | None:
        if not owner:
            return None
        handle = owner.strip().lstrip("@")
        key = handle.lower()
        if key in self.cache:
            return self.cache[key]
        address = parse_address(handle) if "@" in handle else None
        person = None
        if address is not None:  # an owner known by e-mail: the member who has that address, if any
            person = self.ctx.session.exec(
                select(Person).where(col(Person.tenant_id) == self.ctx.tenant_id, col(Person.email) == address)).first()
        if person is None:
            person = repo.find_person(self.ctx.session, tenant_id=self.ctx.tenant_id, handle=handle)
        if person is None:
            person = self.ctx.session.exec(
                select(Person).where(col(Person.tenant_id) == self.ctx.tenant_id,
                                     col(Person.display_name) == handle)).first()
        if person is None:
            self.plan.people_new.add(("" if "@" in handle else "@") + handle)
            person = resolve_owner(self.ctx, OwnerRef(handle=handle[:128])) if self.write else None
        if self.write and person is not None and address is not None and not person.email:
            # the ledger's address is where reminders reach someone who is not in the chat (e-mail routing)
            person.email = address
            self.ctx.session.add(person)
        self.cache[key] = person.id if person is not None else None
        return self.cache[key]


class _New:
    """A row the import creates: its columns as plain attributes, written with the others of its kind by one Core
    insert. (An ORM object per row, and the unit of work flushing it, cost more than all the rest of an import.)"""

    id: int | None

    def __init__(self, model: type[SQLModel], **values: Any) -> None:
        self.__dict__.update(_defaults(model))
        self.__dict__.update(values)

    def __getattr__(self, name: str) -> Any:  # for mypy: the columns are set in __init__
        raise AttributeError(name)

    def set(self, **values: Any) -> None:
        """Change some of its columns (before it is written)."""
        self.__dict__.update(values)

    def snapshot(self) -> dict[str, Any]:
        """The audit view of the row, as ``repo.snapshot`` gives it for an ORM object."""
        return {k: v if v is None or type(v) in _PLAIN else repo._jsonable(v) for k, v in self.__dict__.items()
                if k not in ("created_at", "updated_at")}


_PLAIN = (str, int, bool)


_DEFAULTS: dict[type[SQLModel], dict[str, Any]] = {}


def _defaults(model: type[SQLModel]) -> dict[str, Any]:
    """Every column of a model with its default (the required ones and the timestamps are always given)."""
    if model not in _DEFAULTS:
        _DEFAULTS[model] = {name: (None if f.is_required() or f.default_factory is not None else f.default)
                            for name, f in model.model_fields.items()}
    return _DEFAULTS[model]


def _insert(ctx: Ctx, rows: list[_New], model: type[SQLModel]) -> None:
    """Insert new rows of one table in bulk and give each its id."""
    if not rows:
        return
    table = model.__table__  # type: ignore[attr-defined]
    conn = ctx.session.connection()
    if conn.dialect.name == "postgresql":
        # the ids drawn from the table's sequence first, then one plain executemany (psycopg's pipeline): an
        # INSERT ... RETURNING of many rows is one huge statement per batch, which psycopg parses again every time
        ids = list(conn.execute(text(f"SELECT nextval(pg_get_serial_sequence('{table.name}', 'id')) "
                                     "FROM generate_series(1, :n)"), {"n": len(rows)}).scalars())
    else:
        # SQLite: the import's transaction holds the database's write lock (BEGIN IMMEDIATE), so the ids after the
        # highest one are the ones SQLite would give; RETURNING in a given order would insert row by row. (Should
        # another writer ever get in between, the insert fails on the key and the command is retried.)
        top = conn.execute(text(f"SELECT max(id) FROM {table.name}")).scalar() or 0
        ids = list(range(top + 1, top + 1 + len(rows)))
    for r, new_id in zip(rows, ids, strict=True):
        r.id = new_id
    repo.insert_many(conn, table, [r.__dict__ for r in rows])


@dataclass
class _Work:
    """Rows an import writes, collected so that each kind is written once (not once per row)."""

    new_contracts: list[_New] = field(default_factory=list)
    new_milestones: list[_New] = field(default_factory=list)
    touched: list[tuple[Milestone, Contract]] = field(default_factory=list)  # existing ones to re-plan
    payments: list[tuple[Any, date, Decimal, Any, bool]] = field(default_factory=list)


def _apply(ctx: Ctx, reading: Any, *, write: bool) -> Plan:
    """Compare the reading with the ledger; when ``write``, make the ledger say what the file says."""
    plan = Plan()
    for err in reading.errors:
        plan.errors.append((_where(ctx, err.sheet, err.row), err.reason(ctx.lang)))
    people = _People(ctx, plan, write)
    # the team's contract numbers, once: a slice then loads only the contracts it updates, by id (asked by number
    # in slices, PostgreSQL planned for the empty table it had statistics of while the import filled it)
    numbers: dict[str, int] = {number: cid or 0 for cid, number in ctx.session.connection().execute(
        core_select(col(Contract.id), col(Contract.number)).where(col(Contract.tenant_id) == ctx.tenant_id))}
    with ctx.session.no_autoflush:
        # in slices, so that a big ledger never holds all its rows as objects at once
        for i in range(0, len(reading.contracts), CHUNK):
            _apply_slice(ctx, plan, people, reading.contracts[i:i + CHUNK], write, numbers)
            if write:
                ctx.session.flush()
                ctx.session.expunge_all()
                ctx.session.add_all([ctx.tenant, ctx.person])
    return plan


def _apply_slice(ctx: Ctx, plan: Plan, people: _People, contracts: list[Any], write: bool,
                 numbers: dict[str, int]) -> None:
    """Contracts, then their milestones and payments, for one slice of the ledger."""
    work = _Work()
    existing = _existing_contracts(ctx, [numbers[c.number] for c in contracts if c.number in numbers])
    # pass 1: contracts (new ones get their ids in one insert)
    rows: list[tuple[Any, Any]] = []
    for row in contracts:
        contract = _contract(ctx, plan, people, work, existing.get(row.number), row, write)
        if contract is not False:
            rows.append((row, contract))
    if write:
        ctx.session.flush()  # the owners the file named, and the updates, before the new rows that refer to them
        _insert(ctx, work.new_contracts, Contract)
        numbers.update((c.number, c.id or 0) for c in work.new_contracts)
        repo.audit_many(ctx.session, [_event(ctx, "contract.created", "contract", c.id, c.id,
                                             {**c.snapshot(), "source": "import"}) for c in work.new_contracts])
    known = [c.id for _, c in rows if isinstance(c, Contract) and c.id]
    ms_by_contract = _existing_milestones(ctx, known)
    payments_by_contract = _existing_payments(ctx, known)
    # pass 2: milestones and the payments under them
    for row, contract in rows:
        c = contract if isinstance(contract, (Contract, _New)) else None
        current = ms_by_contract.get(c.id, []) if c is not None and c.id else []
        paid_rows: list[tuple[Any, int | None]] = payments_by_contract.get(c.id, []) if c is not None and c.id else []
        for m_row in row.milestones:
            _milestone(ctx, plan, people, work, c, row, m_row, current, paid_rows, write)
        for p in row.unallocated_payments:
            if not _known_payment(paid_rows, p.date, p.amount, None):
                plan.payments_new += 1
                if write and c is not None:
                    work.payments.append((c, p.date, quantize(p.amount), None, False))
                    paid_rows.append((_New(Payment, received_on=p.date, amount=quantize(p.amount)), None))
        if write and isinstance(c, Contract):
            sync_renewal_milestone(ctx.session, c, ctx.tenant, ctx.now, ctx.person.id, ctx.lang)
    if write:
        _write(ctx, work)


def _contract(ctx: Ctx, plan: Plan, people: _People, work: _Work, contract: Contract | None, row: Any,
              write: bool) -> Contract | _New | None | bool:
    """Create or update one contract; False when the person may not touch it, None when only previewing."""
    owner_id = people.id_of(row.owner) if row.owner else (contract.owner_id if contract else ctx.person.id)
    values = {"title": row.title or "", "counterparty": row.counterparty or "",
              "amount": quantize(row.amount) if row.amount is not None else None,
              "currency": row.currency or ctx.tenant.currency, "signed_on": row.signed, "start_on": row.start,
              "end_on": row.end, "owner_id": owner_id}
    if contract is not None and ctx.person.role != Role.ADMIN and contract.owner_id != ctx.person.id:
        plan.errors.append((_where(ctx, row.source.sheet, row.source.row),
                            ctx.t("import.err.not_yours", number=row.number)))
        return False
    if contract is None:
        plan.contracts_new += 1
        if not write:
            return None
        new = _New(Contract, tenant_id=ctx.tenant_id, number=row.number, created_by_id=ctx.person.id,
                   created_at=ctx.now, updated_at=ctx.now, scope=row.notes, **values)
        work.new_contracts.append(new)
        return new
    # what the file leaves blank is kept, never blanked
    changed = {k: v for k, v in values.items() if v not in (None, "") and getattr(contract, k) != v}
    if not changed:
        plan.unchanged += 1
        return contract
    plan.contracts_updated += 1
    if write:
        _update(ctx, contract, changed, "contract", contract.id)
    return contract


def _update(ctx: Ctx, row: Contract | Milestone, changed: dict[str, Any], entity: str, contract_id: int | None
            ) -> None:
    """Set what the file changed on a contract or milestone, audited as "<entity>.imported"."""
    before = repo.snapshot(row, tuple(changed))
    for k, v in changed.items():
        setattr(row, k, v)
    row.updated_at = ctx.now
    ctx.session.add(row)
    repo.audit(ctx.session, tenant_id=ctx.tenant_id, actor_id=ctx.person.id, action=f"{entity}.imported",
               entity=entity, entity_id=row.id, contract_id=contract_id, before=before,
               after=repo.snapshot(row, tuple(changed)))


def _milestone(ctx: Ctx, plan: Plan, people: _People, work: _Work, contract: Any, row: Any, m_row: Any,
               current: list[Any], paid_rows: list[tuple[Any, int | None]], write: bool) -> None:
    """Create or update one milestone of a contract, with its payments."""
    owner_id = people.id_of(m_row.owner) if m_row.owner else (contract.owner_id if contract else None)
    values = {"kind": m_row.kind, "due_on": m_row.due, "amount": quantize(m_row.amount) if m_row.amount is not None
              else None, "percent": m_row.percent, "owner_id": owner_id}
    if m_row.kind == "renewal" and m_row.name in _BOT_RENEWAL:
        return  # the bot's own notice-deadline milestone (an export read back): it is kept from the contract's dates
    found: Any = next((m for m in current if m.title == m_row.name and m.status != MilestoneStatus.CANCELLED), None)
    if m_row.due is None and found is None:
        plan.errors.append((_where(ctx, m_row.source.sheet, m_row.source.row),
                            ctx.t("import.err.no_due", name=m_row.name, number=row.number)))
        return
    done = m_row.status == "done"
    if found is None:
        plan.milestones_new += 1
        plan.milestones_done += done
        if write and contract is not None:
            found = _New(Milestone, tenant_id=ctx.tenant_id, contract_id=contract.id or 0, title=m_row.name[:255],
                         created_by_id=ctx.person.id, created_at=ctx.now, updated_at=ctx.now, **values)
            if done:  # done in the ledger: closed on the day its money (or the import) came
                found.set(status=MilestoneStatus.DONE.value, done_by_id=ctx.person.id, done_at=_done_at(ctx, m_row))
            current.append(found)
            work.new_milestones.append(found)
    else:
        if isinstance(found, _Known):  # already in the ledger: its ORM object if this command has loaded it
            loaded = ctx.session.identity_map.get(ctx.session.identity_key(Milestone, found.id))
            if loaded is not None:
                current[current.index(found)] = found = loaded
        changed = {k: v for k, v in values.items() if v is not None and getattr(found, k) != v}
        if (write and contract is not None and isinstance(found, _Known)
                and (changed or (done and found.status == MilestoneStatus.OPEN))):
            current[current.index(found)] = found = ctx.session.get_one(Milestone, found.id)
        if changed:
            plan.milestones_updated += 1
            if write and isinstance(found, _New):  # named twice in the file: it is created as the last row says
                found.set(**changed)
            elif write and contract is not None:
                _update(ctx, found, changed, "milestone", contract.id)
        if done and found.status == MilestoneStatus.OPEN:
            plan.milestones_done += 1
            if write and isinstance(found, _New):
                found.set(status=MilestoneStatus.DONE.value, done_by_id=ctx.person.id, done_at=_done_at(ctx, m_row))
            elif write and contract is not None:
                when = _done_at(ctx, m_row)
                lifecycle.complete(lifecycle.Actor(ctx.session, ctx.tenant, ctx.person.id, when), found, contract,
                                   action="milestone.paid" if m_row.payments else "milestone.done")
        elif (write and isinstance(found, Milestone) and isinstance(contract, Contract) and changed
              and found.status == MilestoneStatus.OPEN):
            work.touched.append((found, contract))
    mid = found.id if found is not None else None
    for p in m_row.payments:
        if _known_payment(paid_rows, p.date, p.amount, mid):
            continue
        plan.payments_new += 1
        if write and contract is not None and found is not None:
            work.payments.append((contract, p.date, quantize(p.amount), found, done))


def _event(ctx: Ctx, action: str, entity: str, entity_id: int | None, contract_id: int | None,
           after: dict[str, Any], *, actor: bool = True) -> dict[str, Any]:
    return {"tenant_id": ctx.tenant_id, "actor_id": ctx.person.id if actor else None, "action": action,
            "entity": entity, "entity_id": entity_id, "contract_id": contract_id, "after": after}


def _done_at(ctx: Ctx, m_row: Any) -> datetime:
    """When a milestone the ledger marks done was closed: noon of its last payment's day; without one, its due
    day (the ledger says it is done and gives no date: it is not counted late), never later than now."""
    day = max((p.date for p in m_row.payments), default=None) or m_row.due
    if day is None:
        return ctx.now
    return min(ctx.now, datetime.combine(day, time(12), tzinfo=ZoneInfo(ctx.tz)).astimezone(UTC))


def _write(ctx: Ctx, work: _Work) -> None:
    """Insert the new milestones and payments in bulk, audit them, and plan their reminders."""
    s = ctx.session
    s.flush()
    _insert(ctx, work.new_milestones, Milestone)
    events = [_event(ctx, "milestone.created", "milestone", m.id, m.contract_id, {**m.snapshot(), "source": "import"})
              for m in work.new_milestones]
    seq = repo.next_seq(s, Payment, tenant_id=ctx.tenant_id)
    made = []
    for contract, day, amount, milestone, closes in work.payments:
        made.append((_New(Payment, tenant_id=ctx.tenant_id, seq=seq, contract_id=contract.id or 0, amount=amount,
                          currency=contract.currency, received_on=day, note="import", recorded_by_id=ctx.person.id,
                          created_at=ctx.now), milestone, closes))
        seq += 1
    _insert(ctx, [p for p, _, _ in made], Payment)
    allocations = []
    for payment, milestone, closes in made:
        if milestone is not None:
            allocations.append({"payment_id": payment.id, "milestone_id": milestone.id, "amount": payment.amount,
                                "closed": closes})
        events.append(_event(ctx, "payment.recorded", "payment", payment.id, payment.contract_id,
                             {**payment.snapshot(), "source": "import"}))
    if allocations:
        repo.insert_many(s.connection(), PaymentAllocation.__table__, allocations)  # type: ignore[attr-defined]
    renewals = []
    for contract in work.new_contracts:
        deadline = notice_deadline(contract)  # type: ignore[arg-type]
        if deadline is not None and contract.status in ("active", "expiring"):
            renewals.append(_New(Milestone, tenant_id=ctx.tenant_id, contract_id=contract.id or 0, kind="renewal",
                                 title=ctx.t("renewal.milestone"), due_on=deadline, owner_id=contract.owner_id,
                                 created_at=ctx.now, updated_at=ctx.now))
    _insert(ctx, renewals, Milestone)
    events += [_event(ctx, "milestone.created", "milestone", m.id, m.contract_id, m.snapshot(), actor=False)
               for m in renewals]
    repo.audit_many(s, events)
    contracts: dict[int, Any] = {c.id or 0: c for c in work.new_contracts}
    contracts.update({c.id or 0: c for _, c in work.touched})
    zones = {p.id or 0: p.timezone for p in s.exec(select(Person).where(col(Person.tenant_id) == ctx.tenant_id))
             if p.timezone}
    opened: list[Any] = [m for m in (*work.new_milestones, *renewals) if m.status == MilestoneStatus.OPEN]
    for m in opened:
        if m.contract_id not in contracts:
            contracts[m.contract_id] = s.get(Contract, m.contract_id)
    planner.plan_many(s, opened, ctx.tenant, now=ctx.now, contracts=contracts, zones=zones)
    for m, c in work.touched:
        planner.replan(s, milestone=m, contract=c, tenant=ctx.tenant, now=ctx.now)


def _known_payment(rows: list[tuple[Any, int | None]], day: date, amount: Decimal, milestone_id: int | None
                   ) -> bool:
    """A standing payment of this contract on that day for that amount (and that milestone) already exists."""
    want = quantize(amount)
    return any(p.received_on == day and p.amount == want and p.reversed_at is None and (
        milestone_id is None or mid in (milestone_id, None)) for p, mid in rows)


def _existing_contracts(ctx: Ctx, ids: list[int]) -> dict[str, Contract]:
    out: dict[str, Contract] = {}
    for i in range(0, len(ids), 500):
        for c in ctx.session.exec(select(Contract).where(col(Contract.tenant_id) == ctx.tenant_id,
                                                         col(Contract.id).in_(ids[i:i + 500]))):
            out[c.number] = c
    return out


class _Known:
    """A milestone or payment already in the ledger, as the columns the comparison reads (plain rows: loading
    every milestone of a big ledger as ORM objects took longer than comparing them). A milestone the file changes
    is then loaded as an ORM object (``_milestone``)."""

    def __init__(self, values: Any) -> None:
        self.__dict__.update(values)

    def __getattr__(self, name: str) -> Any:  # for mypy: the columns are set in __init__
        raise AttributeError(name)

    def set(self, **values: Any) -> None:
        self.__dict__.update(values)


_KNOWN_MILESTONE = ("id", "contract_id", "title", "status", *_MILESTONE_FIELDS)


def _existing_milestones(ctx: Ctx, contract_ids: list[int]) -> dict[int, list[Any]]:
    out: dict[int, list[Any]] = defaultdict(list)
    columns = [getattr(Milestone, k) for k in _KNOWN_MILESTONE]
    for i in range(0, len(contract_ids), 500):
        for row in ctx.session.connection().execute(
                core_select(*columns).where(col(Milestone.tenant_id) == ctx.tenant_id,
                                       col(Milestone.contract_id).in_(contract_ids[i:i + 500]))
                .order_by(col(Milestone.id))):
            out[row.contract_id].append(_Known(row._mapping))
    return out


def _existing_payments(ctx: Ctx, contract_ids: list[int]) -> dict[int, list[tuple[Any, int | None]]]:
    out: dict[int, list[tuple[Any, int | None]]] = defaultdict(list)
    for i in range(0, len(contract_ids), 500):
        rows = ctx.session.connection().execute(
            core_select(col(Payment.contract_id), col(Payment.received_on), col(Payment.amount),
                        col(Payment.reversed_at), col(PaymentAllocation.milestone_id))
            .outerjoin(PaymentAllocation, col(PaymentAllocation.payment_id) == col(Payment.id))
            .where(col(Payment.tenant_id) == ctx.tenant_id, col(Payment.contract_id).in_(contract_ids[i:i + 500]))
        )
        for row in rows:
            out[row.contract_id].append((_Known(row._mapping), row.milestone_id))
    return out
