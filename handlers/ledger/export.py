"""The ledger as a file: contracts, milestones, payments and receivables (ageing), streamed a page at a time.

Rows are read a page of contracts at a time (SQLAlchemy Core, keyset pagination on the contract number) with
those contracts' milestones and payments, and written straight into openpyxl write-only sheets (or CSV files),
so memory stays flat however large the team: one page is held, never the team. Write-only sheets take column
widths and frozen panes before their first row, so the widths are measured by the database first.

The Contracts and Milestones sheets use the column names a ledger reader recognises (合同编号, 节点名称 …), so
an export reads back as the same ledger: owners as @handle, statuses as 已完成 / 未完成 (done / open).
The Receivables sheet splits what each contract still owes by ageing bucket exactly as ``receivables`` does
(handlers.usecases.payments ``receivable_parts``), from the rows already read for the page.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import tempfile
import zipfile
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import IO, Any

import xlsxwriter
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from sqlalchemy import LargeBinary, and_, cast, exists, func, nulls_last, or_, select
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col

from handlers.amounts import quantize
from handlers.i18n import t
from handlers.replies import at_text
from handlers.usecases.payments import BUCKETS, bucket_of  # the receivables command's ageing, one definition
from storage.models import Contract, Milestone, MilestoneStatus, Payment, PaymentAllocation, Person

FORMATS = ("xlsx", "csv")
SHEETS = ("contracts", "milestones", "payments", "receivables")
CLOSED = ("ended",)  # as the receivables command: an ended contract owes nothing more
PAGE = 1000  # contracts per page
MAX_ROWS = 1_048_576  # rows in an Excel sheet, the header included
MONEY_FORMAT = "#,##0.00"
DATE_FORMAT = "yyyy-mm-dd"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ZIP_MIME = "application/zip"
ZERO = Decimal(0)

# (column key, kind); the header of each is the i18n key export.col.<sheet>.<key>
COLUMNS: dict[str, tuple[tuple[str, str], ...]] = {
    "contracts": (("number", "text"), ("title", "text"), ("counterparty", "text"), ("amount", "money"),
                  ("currency", "code"), ("signed", "date"), ("start", "date"), ("end", "date"), ("owner", "person"),
                  ("notes", "text"), ("status", "text")),
    "milestones": (("number", "text"), ("title", "text"), ("kind", "text"), ("percent", "percent"),
                   ("amount", "money"), ("currency", "code"), ("due", "date"), ("owner", "person"), ("status", "text"),
                   ("received", "money"), ("received_on", "date"), ("note", "text")),
    "payments": (("seq", "code"), ("number", "text"), ("received_on", "date"), ("amount", "money"),
                 ("currency", "code"), ("applied", "text"), ("recorded_by", "person"), ("note", "text"),
                 ("status", "text")),
    "receivables": (("number", "text"), ("counterparty", "text"), ("owner", "person"), ("currency", "code"),
                    ("outstanding", "money"), *((b, "money") for b in BUCKETS), ("overdue", "money")),
}
_FIXED_WIDTH = {"money": 16, "date": 12, "percent": 9, "code": 9}
_MAX_WIDTH = 60


@dataclass(frozen=True)
class Filter:
    """Which part of a team's ledger goes into the file.

    - owner: contracts the person owns or owns a milestone of; their milestones (and the unowned milestones of
      the contracts they own);
    - overdue: contracts with an open milestone past due (under the other filters); only those milestones;
    - period (start..end, local days): contracts in force during it, or with a milestone due or a payment
      received in it; milestones due in it, payments received in it.
    Payments and receivables are those of the chosen contracts.
    """

    tenant_id: int
    today: date
    owner_id: int | None = None
    overdue: bool = False
    start: date | None = None
    end: date | None = None

    def milestone_ok(self, *, owner_id: int | None, contract_owner_id: int | None, status: str,
                     due_on: date | None) -> bool:
        """Does a milestone row of a chosen contract go into the Milestones sheet?

        One still waiting for the event it is due after (no date yet) is neither overdue nor in any period.
        """
        if self.owner_id is not None and owner_id != self.owner_id and not (
                owner_id is None and contract_owner_id == self.owner_id):
            return False
        if self.overdue and not (status == MilestoneStatus.OPEN and due_on is not None and due_on < self.today):
            return False
        return self.start is None or self.end is None or (due_on is not None and self.start <= due_on <= self.end)

    def payment_ok(self, received_on: date) -> bool:
        """Does a payment of a chosen contract go into the Payments sheet?"""
        return self.start is None or self.end is None or self.start <= received_on <= self.end


@dataclass(frozen=True)
class Exported:
    """The file's bytes, its extension and MIME type, and how many rows each sheet got."""

    data: bytes
    extension: str
    mime: str
    counts: dict[str, int]


# --- the filter in SQL ------------------------------------------------------------------------------------


def contract_conditions(flt: Filter) -> list[ColumnElement[bool]]:
    """The contracts a filter chooses, as conditions on Contract (the same rules as ``Filter.milestone_ok``)."""
    m = aliased(Milestone)
    conds: list[ColumnElement[bool]] = [col(Contract.tenant_id) == flt.tenant_id]
    period = flt.start is not None and flt.end is not None

    def has_milestone(*extra: ColumnElement[bool]) -> ColumnElement[bool]:
        return exists().where(col(m.contract_id) == col(Contract.id), col(m.tenant_id) == flt.tenant_id, *extra)

    extra: list[ColumnElement[bool]] = []
    if flt.owner_id is not None:
        extra.append(or_(col(m.owner_id) == flt.owner_id,
                         and_(col(m.owner_id).is_(None), col(Contract.owner_id) == flt.owner_id)))
    m_due = and_(col(m.due_on) >= flt.start, col(m.due_on) <= flt.end) if period else None
    if m_due is not None:
        extra.append(m_due)
    if flt.overdue:
        conds.append(has_milestone(col(m.status) == MilestoneStatus.OPEN, col(m.due_on) < flt.today, *extra))
    if flt.owner_id is not None:
        conds.append(or_(col(Contract.owner_id) == flt.owner_id, has_milestone(col(m.owner_id) == flt.owner_id)))
    if m_due is not None:
        began = func.coalesce(col(Contract.start_on), col(Contract.signed_on))
        in_force = and_(or_(began.is_(None), began <= flt.end),
                        or_(col(Contract.end_on).is_(None), col(Contract.end_on) >= flt.start))
        paid_in = exists().where(col(Payment.contract_id) == col(Contract.id), col(Payment.tenant_id) == flt.tenant_id,
                                 col(Payment.received_on) >= flt.start, col(Payment.received_on) <= flt.end)
        conds.append(or_(in_force, has_milestone(m_due), paid_in))
    return conds


# --- reading a page at a time -------------------------------------------------------------------------------


@dataclass
class _Payment:
    id: int
    seq: int
    contract_id: int
    received_on: date
    amount: Decimal
    currency: str
    note: str | None
    recorded_by_id: int | None
    reversed: bool
    applied: list[str] = field(default_factory=list)


def _contract_pages(session: Session, flt: Filter, size: int | None = None) -> Iterator[list[Any]]:
    """The chosen contracts in number order, a page at a time (keyset: the number is unique in a team)."""
    size = size or PAGE
    conds = contract_conditions(flt)
    last: str | None = None
    while True:
        q = (select(col(Contract.id), col(Contract.number), col(Contract.title), col(Contract.counterparty),
                    col(Contract.amount), col(Contract.currency), col(Contract.signed_on), col(Contract.start_on),
                    col(Contract.end_on), col(Contract.owner_id), col(Contract.status), col(Contract.scope))
             .where(*conds).order_by(col(Contract.number)).limit(size))
        if last is not None:
            q = q.where(col(Contract.number) > last)
        page = list(session.connection().execute(q).all())
        if not page:
            return
        yield page
        if len(page) < size:
            return
        last = page[-1].number


def _milestones_of(session: Session, tenant_id: int, ids: Sequence[int]) -> dict[int, list[Any]]:
    """Every milestone of these contracts, by contract: database rows (tuples read by name: id, contract_id,
    title, kind, percent, amount, due_on, owner_id, status, note); a page holds some ten thousand of them."""
    rows: Sequence[Any] = session.connection().execute(
        select(col(Milestone.id), col(Milestone.contract_id), col(Milestone.title), col(Milestone.kind),
               col(Milestone.percent), col(Milestone.amount), col(Milestone.due_on), col(Milestone.owner_id),
               col(Milestone.status), col(Milestone.note))
        .where(col(Milestone.tenant_id) == tenant_id, col(Milestone.contract_id).in_(ids))
        .order_by(col(Milestone.contract_id), nulls_last(col(Milestone.due_on)), col(Milestone.id))
    ).all()
    out: dict[int, list[Any]] = defaultdict(list)
    for row in rows:
        out[row[1]].append(row)
    return out


def _payments_of(session: Session, tenant_id: int, ids: Sequence[int]
                 ) -> tuple[dict[int, list[_Payment]], dict[int, tuple[Decimal, date]]]:
    """Every payment of these contracts (reversed ones too) with the milestones it was applied to, by contract;
    and what standing payments paid each milestone, with the last day one came."""
    rows: Sequence[Any] = session.connection().execute(
        select(col(Payment.id), col(Payment.seq), col(Payment.contract_id), col(Payment.received_on),
               col(Payment.amount), col(Payment.currency), col(Payment.note), col(Payment.recorded_by_id),
               col(Payment.reversed_at).is_not(None), col(Milestone.title), col(PaymentAllocation.milestone_id),
               col(PaymentAllocation.amount))
        .outerjoin(PaymentAllocation, col(PaymentAllocation.payment_id) == col(Payment.id))
        .outerjoin(Milestone, col(Milestone.id) == col(PaymentAllocation.milestone_id))
        .where(col(Payment.tenant_id) == tenant_id, col(Payment.contract_id).in_(ids))
        .order_by(col(Payment.contract_id), col(Payment.received_on), col(Payment.seq), col(Payment.id),
                  col(Milestone.due_on), col(Milestone.id))
    ).all()
    out: dict[int, list[_Payment]] = defaultdict(list)
    paid: dict[int, tuple[Decimal, date]] = {}
    p: _Payment | None = None
    for pid, seq, cid, received_on, amount, currency, note, recorded_by_id, reversed_, title, mid, part in rows:
        if p is None or p.id != pid:  # a payment's allocations are consecutive rows
            p = _Payment(pid, seq, cid, received_on, amount, currency, note, recorded_by_id, reversed=bool(reversed_))
            out[cid].append(p)
        if mid is None:
            continue
        if title is not None:
            p.applied.append(title)
        if not p.reversed:
            before, last = paid.get(mid, (ZERO, received_on))
            paid[mid] = (before + part, max(last, received_on))
    return out, paid


class _People:
    """Owner names, looked up a page at a time and remembered (a team has far fewer people than rows)."""

    def __init__(self, session: Session, tenant_id: int) -> None:
        self.session, self.tenant_id = session, tenant_id
        self.names: dict[int, str] = {}

    def load(self, ids: set[int | None]) -> None:
        missing = {i for i in ids if i is not None and i not in self.names}
        if not missing:
            return
        for pid, handle, display, user_id in self.session.execute(
                select(col(Person.id), col(Person.handle), col(Person.display_name), col(Person.platform_user_id))
                .where(col(Person.tenant_id) == self.tenant_id, col(Person.id).in_(missing))):
            # a ledger reader turns "@name" (or a plain name) back into the person
            self.names[pid] = at_text(handle) if handle else (display or user_id or "")

    def name(self, pid: int | None) -> str | None:
        return self.names.get(pid) if pid is not None else None


# --- receivables ---------------------------------------------------------------------------------------------


def receivable_buckets(amount: Decimal | None, milestones: Sequence[Any], received: Decimal, today: date,
                       paid: dict[int, tuple[Decimal, date]]) -> dict[str, Decimal]:
    """What a contract still owes by ageing bucket: ``receivable_parts`` of handlers.usecases.payments, on rows.

    outstanding = (contract amount, else what its milestones plan) - money received - what was written off;
    open payment milestones take it earliest due first after crediting money no milestone took; the rest is
    unplanned. ``paid``: what standing payments allocated to each milestone (by id), with the last day one came.
    """
    planned = sum((m.amount for m in milestones
                   if m.amount is not None and m.status != MilestoneStatus.CANCELLED), ZERO)
    def paid_to(m: Any) -> Decimal:
        return paid[m.id][0] if m.id in paid else ZERO

    waived = sum((max(ZERO, (m.amount or ZERO) - paid_to(m)) for m in milestones
                  if m.status == MilestoneStatus.WAIVED), ZERO)
    total = amount if amount is not None else planned
    outstanding = max(ZERO, total - received - waived)
    open_ms = sorted((m for m in milestones if m.status == MilestoneStatus.OPEN and m.amount is not None),
                     key=lambda m: (m.due_on is None, m.due_on or date.min, m.id))
    owed = [(m, max(ZERO, (m.amount or ZERO) - paid_to(m))) for m in open_ms]
    excess = sum((o for _, o in owed), ZERO) - outstanding
    out: dict[str, Decimal] = {}
    for m, o in owed:
        if excess > 0:
            take = min(o, excess)
            o, excess = o - take, excess - take
        if o > 0:
            bucket = bucket_of((today - m.due_on).days) if m.due_on else "not_due"
            out[bucket] = out.get(bucket, ZERO) + o
    rest = outstanding - sum(out.values(), ZERO)
    if rest > 0:
        out["unplanned"] = rest
    return out


# --- column widths, measured by the database -------------------------------------------------------------------


def display_width(text: str) -> int:
    """Columns a text takes on screen: CJK and other wide characters count twice."""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def _width_of(dialect: str, column: Any) -> Any:
    """The widest value of a text column: characters, plus half the extra UTF-8 bytes (a CJK character is 3)."""
    chars = func.length(column)
    octets = func.length(cast(column, LargeBinary)) if dialect == "sqlite" else func.octet_length(column)
    return func.max(chars + (octets - chars) / 2)


def _measured(session: Session, flt: Filter) -> dict[str, int]:
    d = session.get_bind().dialect.name
    tid = flt.tenant_id
    c = session.execute(select(_width_of(d, col(Contract.number)), _width_of(d, col(Contract.title)),
                               _width_of(d, col(Contract.counterparty)), _width_of(d, col(Contract.scope)))
                        .where(*contract_conditions(flt))).one()
    m = session.execute(select(_width_of(d, col(Milestone.title)), _width_of(d, col(Milestone.note)))
                        .where(col(Milestone.tenant_id) == tid)).one()
    p = session.execute(select(_width_of(d, col(Payment.note))).where(col(Payment.tenant_id) == tid)).one()
    who = session.execute(select(_width_of(d, col(Person.handle)), _width_of(d, col(Person.display_name)))
                          .where(col(Person.tenant_id) == tid)).one()
    n = [int(v or 0) for v in (*c, *m, *p, *who)]
    return {"number": n[0], "title": n[1], "counterparty": n[2], "notes": n[3], "m_title": n[4], "note": n[5],
            "p_note": n[6], "owner": max(n[7] + 1, n[8])}


def _widths(session: Session, flt: Filter, lang: str) -> dict[str, list[float]]:
    measured = _measured(session, flt)
    words = {"status": max(display_width(t(f"export.status.{s}", lang)) for s in
                           ("open", "done", "cancelled", "waived", "reversed", "valid",
                            *(f"c_{c}" for c in ("active", "expiring", "expired", "renewed", "ended")))),
             "kind": max(display_width(t(f"kind.{k}", lang)) for k in
                         ("payment", "delivery", "acceptance", "warranty", "renewal", "other"))}
    source = {("milestones", "title"): "m_title", ("payments", "note"): "p_note", ("payments", "applied"): "m_title",
              ("payments", "recorded_by"): "owner"}
    out: dict[str, list[float]] = {}
    for sheet, columns in COLUMNS.items():
        row = []
        for key, kind in columns:
            head = display_width(t(f"export.col.{sheet}.{key}", lang))
            if kind in _FIXED_WIDTH:
                body = _FIXED_WIDTH[kind]
            else:
                body = words.get(key) or measured.get(source.get((sheet, key), key), 10)
            row.append(float(min(_MAX_WIDTH, max(head, body) + 2)))
        out[sheet] = row
    return out


# --- writers -----------------------------------------------------------------------------------------------------

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class _Xlsx:
    """Streamed .xlsx sheets (XlsxWriter in constant-memory mode: each row goes to disk as it is written).

    The header row is bold and frozen, an autofilter covers the data, money and dates are typed cells. A sheet
    that reaches Excel's row limit goes on in a continuation sheet, "节点 (2)", with the same header. Each
    column's kind picks its cell writer once, so a row is one call per cell with no type tests.
    """

    def __init__(self) -> None:
        self.file = tempfile.TemporaryFile()  # the finished workbook: no second copy of it in memory
        self.wb = xlsxwriter.Workbook(self.file, {"constant_memory": True, "strings_to_formulas": False,
                                                  "strings_to_urls": False, "strings_to_numbers": False})
        self.parts: dict[str, list[list[Any]]] = {}  # sheet -> [[worksheet, rows written incl. header]]
        self.spec: dict[str, tuple[str, list[str], list[str], list[float]]] = {}
        self.cells: dict[str, list[Any]] = {}
        self.formats = {
            "head": self.wb.add_format({"bold": True, "bg_color": "#DDEBF7", "valign": "vcenter"}),
            "money": self.wb.add_format({"num_format": MONEY_FORMAT}),
            "date": self.wb.add_format({"num_format": DATE_FORMAT}),
            "pct": self.wb.add_format({"num_format": "0%"}),
            "pct2": self.wb.add_format({"num_format": "0.00%"}),
        }

    def _cell(self, kind: str) -> Any:
        """How a value of this kind is written: (worksheet, row, column, value)."""
        f = self.formats
        if kind == "money":
            money = f["money"]
            return lambda ws, r, i, v: ws.write_number(r, i, float(v), money)
        if kind == "date":
            day = f["date"]
            # a date is its day number with a date format (what write_datetime works out, without its checks)
            return lambda ws, r, i, v: ws.write_number(r, i, v.toordinal() - _EXCEL_EPOCH, day)
        if kind == "percent":
            whole, part = f["pct"], f["pct2"]
            return lambda ws, r, i, v: ws.write_number(r, i, float(v / 100),
                                                       whole if v == v.to_integral_value() else part)

        def text(ws: Any, r: int, i: int, v: Any) -> None:
            if v != "":
                ws.write_string(r, i, ILLEGAL_CHARACTERS_RE.sub("", v if type(v) is str else str(v)))
        return text

    def sheet(self, key: str, title: str, headers: list[str], kinds: list[str], widths: list[float]) -> None:
        self.spec[key] = (title, headers, kinds, widths)
        self.cells[key] = [self._cell(kind) for kind in kinds]
        self.parts[key] = []
        self._open(key)

    def _open(self, key: str) -> None:
        title, headers, _kinds, widths = self.spec[key]
        n = len(self.parts[key]) + 1
        ws = self.wb.add_worksheet(title if n == 1 else f"{title} ({n})")
        ws.freeze_panes(1, 0)
        for i, w in enumerate(widths):
            ws.set_column(i, i, w)
        for i, text in enumerate(headers):
            ws.write_string(0, i, text, self.formats["head"])
        self.parts[key].append([ws, 1])

    def row(self, key: str, values: Sequence[Any]) -> None:
        part = self.parts[key][-1]
        if part[1] >= MAX_ROWS:
            self._open(key)
            part = self.parts[key][-1]
        ws, r = part
        for i, (cell, value) in enumerate(zip(self.cells[key], values)):
            if value is not None:
                cell(ws, r, i, value)
        part[1] = r + 1

    def finish(self) -> bytes:
        for key, parts in self.parts.items():
            last = len(self.spec[key][2]) - 1
            for ws, rows in parts:
                ws.autofilter(0, 0, max(rows - 1, 0), last)
        # continuation sheets were added at the end: put each right after the sheet it continues
        wanted = [ws for parts in self.parts.values() for ws, _ in parts]
        self.wb.worksheets_objs.sort(key=wanted.index)
        for index, ws in enumerate(self.wb.worksheets_objs):
            ws.index = index
        self.wb.close()
        return _read_all(self.file)


_EXCEL_EPOCH = date(1899, 12, 30).toordinal()  # day 0 of Excel's 1900 date system (exact from 1900-03-01 on)


class _Csv:
    """One CSV per sheet in UTF-8 with a BOM (Excel on Windows then reads Chinese right), zipped together."""

    def __init__(self) -> None:
        self.files: dict[str, tuple[str, IO[bytes], io.TextIOWrapper, Any]] = {}
        self.cells: dict[str, list[Any]] = {}

    def sheet(self, key: str, title: str, headers: list[str], kinds: list[str], widths: list[float]) -> None:
        raw = tempfile.TemporaryFile()
        text = io.TextIOWrapper(raw, encoding="utf-8", newline="", write_through=False)
        text.write("\ufeff")  # the BOM
        writer = csv.writer(text)
        writer.writerow(headers)
        self.files[key] = (f"{key}.csv", raw, text, writer)
        self.cells[key] = [_CSV_CELLS.get(kind, _csv_text) for kind in kinds]

    def row(self, key: str, values: Sequence[Any]) -> None:
        self.files[key][3].writerow([cell(v) if v is not None else "" for cell, v in zip(self.cells[key], values)])

    def finish(self) -> bytes:
        buf = tempfile.TemporaryFile()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, raw, text, _writer in self.files.values():
                text.flush()
                raw.seek(0)
                with zf.open(name, "w") as entry:
                    shutil.copyfileobj(raw, entry, 1 << 20)
                text.close()
        return _read_all(buf)


def _read_all(file: IO[bytes]) -> bytes:
    """A temporary file's bytes, and the file closed (deleted)."""
    with file:
        file.seek(0)
        return file.read()


_FORMULA_CHARS = "".join(_FORMULA_START)
_NEGATIVE_NUMBER = re.compile(r"-\d[\d.,]*")


def _csv_text(value: Any) -> str:
    text = value if type(value) is str else str(value)
    # a cell starting with = + - @ is a formula to Excel: it gets the apostrophe Excel itself uses to mean "text"
    if text and text[0] in _FORMULA_CHARS and not _NEGATIVE_NUMBER.fullmatch(text):
        return "'" + text
    return text


def _csv_person(value: Any) -> str:
    # a person is written as a plain name (a ledger reader makes "@name" of it again)
    text = str(value)
    return _csv_text(text[1:] if text.startswith("@") and len(text) > 1 else text)


_CSV_CELLS: dict[str, Any] = {
    "money": lambda v: str(quantize(v)),  # no thousands separators: Excel reads it as a number
    "date": lambda v: v.isoformat(),
    "percent": lambda v: f"{v.normalize():f}%",
    "person": _csv_person,
}


# --- the export -----------------------------------------------------------------------------------------------


def export_ledger(session: Session, flt: Filter, *, lang: str, fmt: str = "xlsx") -> Exported:
    """Write the chosen part of a team's ledger as an .xlsx workbook or a zip of CSV files."""
    out: _Xlsx | _Csv = _Xlsx() if fmt == "xlsx" else _Csv()
    widths = _widths(session, flt, lang)
    for sheet in SHEETS:
        out.sheet(sheet, t(f"export.sheet.{sheet}", lang), [t(f"export.col.{sheet}.{k}", lang) for k, _ in
                  COLUMNS[sheet]], [kind for _, kind in COLUMNS[sheet]], widths[sheet])
    counts = dict.fromkeys(SHEETS, 0)
    people = _People(session, flt.tenant_id)
    words = {s: t(f"export.status.{s}", lang) for s in ("open", "done", "cancelled", "waived", "reversed", "valid")}
    cwords = {s: t(f"export.status.c_{s}", lang) for s in ("active", "expiring", "expired", "renewed", "ended")}
    kinds = {k: t(f"kind.{k}", lang) for k in ("payment", "delivery", "acceptance", "warranty", "renewal", "other")}
    totals: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    every_milestone = flt.owner_id is None and not flt.overdue and (flt.start is None or flt.end is None)
    every_payment = flt.start is None or flt.end is None
    row = out.row
    name = people.names.get
    unpaid: tuple[Decimal, date | None] = (ZERO, None)
    for page in _contract_pages(session, flt):
        ids = [c.id for c in page]
        payments, paid_to = _payments_of(session, flt.tenant_id, ids)
        milestones = _milestones_of(session, flt.tenant_id, ids)
        people.load({c.owner_id for c in page} | {m.owner_id for ms in milestones.values() for m in ms}
                    | {p.recorded_by_id for ps in payments.values() for p in ps})
        for c in page:
            ms, ps = milestones.get(c.id, []), payments.get(c.id, [])
            number, currency = c.number, c.currency
            owner = people.name(c.owner_id)
            row("contracts", (number, c.title, c.counterparty, c.amount, currency, c.signed_on, c.start_on,
                              c.end_on, owner, c.scope, cwords.get(c.status, c.status)))
            counts["contracts"] += 1
            for mid, _cid, title, kind, percent, amount, due_on, owner_id, status, note in ms:
                paid, last = paid_to.get(mid, unpaid)
                if not every_milestone and not flt.milestone_ok(owner_id=owner_id, contract_owner_id=c.owner_id,
                                                                status=status, due_on=due_on):
                    continue
                row("milestones", (number, title, kinds.get(kind, kind), percent, amount,
                                   currency if amount is not None or paid else None, due_on,
                                   name(owner_id) if owner_id is not None else None, words.get(status, status),
                                   paid or None, last, note))
                counts["milestones"] += 1
            for p in ps:
                if not every_payment and not flt.payment_ok(p.received_on):
                    continue
                row("payments", (f"P-{p.seq}", number, p.received_on, p.amount, p.currency,
                                 "; ".join(dict.fromkeys(p.applied)), people.name(p.recorded_by_id), p.note,
                                 words["reversed" if p.reversed else "valid"]))
                counts["payments"] += 1
            if c.status in CLOSED:
                continue
            received = sum((p.amount for p in ps if not p.reversed), ZERO)
            buckets = receivable_buckets(c.amount, ms, received, flt.today, paid_to)
            if not buckets:
                continue
            outstanding = sum(buckets.values(), ZERO)
            overdue = outstanding - buckets.get("not_due", ZERO) - buckets.get("unplanned", ZERO)
            row("receivables", (number, c.counterparty, owner, currency, outstanding,
                                *(buckets.get(b) for b in BUCKETS), overdue or None))
            counts["receivables"] += 1
            total = totals[currency]
            for b, v in buckets.items():
                total[b] += v
            total["overdue"] += overdue
    for cur, total in sorted(totals.items()):
        outstanding = sum((total[b] for b in BUCKETS), ZERO)
        out.row("receivables", (t("export.total", lang, currency=cur), None, None, cur, outstanding,
                                *(total[b] or None for b in BUCKETS), total["overdue"] or None))
    data = out.finish()
    return Exported(data, fmt if fmt == "xlsx" else "zip", XLSX_MIME if fmt == "xlsx" else ZIP_MIME, counts)
