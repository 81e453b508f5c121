"""Reading the Excel/CSV ledgers teams keep today: contracts, their milestones and the money already received.

A pure library: bytes in, frozen dataclasses out; no database, no chat. ``read_ledger`` reads what a careful
person would read and reports, by sheet and row, what a careful person would query (the conventions are in
shared/data/ledgers/expected_sample.json):

- the file is recognised by content (xlsx / xls / CSV in any common encoding / an HTML table);
- each sheet's header row is found by the names it gives its columns, in Chinese or English
  (``read_headers``); a sheet is a contracts sheet or a milestones sheet by those names;
- cells are read as people type them (``read_values``): 1,850,000.00 / ￥386,500 / 人民币壹佰贰拾万元整 /
  ２５００００ / 2026.3.8 / 2027年3月31日 / Excel serial numbers / 30% or 0.3 in a % cell;
- rows that cannot be imported become ``RowError`` values with a stable i18n key and its parameters.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from handlers.ledger.read_files import RawSheet, Unreadable, read_sheets
from handlers.ledger.read_headers import (
    CONTRACT_TABLE,
    FIELD_DATES,
    MILESTONE_TABLE,
    Col,
    Group,
    Header,
    assign_fields,
    find_header,
    group_columns,
    ignored,
    is_header_again,
    milestone_evidence,
    sheet_signals,
)
from handlers.ledger.read_values import (
    HUNDRED,
    BadValue,
    ambiguous_order,
    clean_text,
    currency_hint,
    fold,
    is_nothing,
    looks_like_date,
    looks_like_percent,
    milestone_kind,
    parse_currency,
    parse_date,
    parse_money,
    parse_owner,
    parse_percent,
    parse_period,
    parse_status,
    share,
    shown,
    tidy,
)

__all__ = [
    "REASONS",
    "ContractRow",
    "LedgerError",
    "LedgerReading",
    "MilestoneRow",
    "PaymentRow",
    "RowError",
    "RowRef",
    "read_ledger",
]

# --- what a reading is ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowRef:
    """Where something was read: the sheet (None for a CSV), the row number Excel shows, the columns if on a row."""

    sheet: str | None
    row: int
    columns: tuple[str, ...] = ()


@dataclass(frozen=True)
class PaymentRow:
    """Money already received, on the day it arrived."""

    date: date
    amount: Decimal


@dataclass(frozen=True)
class MilestoneRow:
    """One milestone of a contract: a payment, delivery, acceptance, warranty retention, renewal or other."""

    name: str
    kind: str
    due: date | None
    percent: Decimal | None
    amount: Decimal | None
    owner: str | None
    status: str  # "open" | "done"
    payments: list[PaymentRow]
    source: RowRef


@dataclass(frozen=True)
class ContractRow:
    """One contract a correct import creates, with its milestones and any money not tied to a milestone."""

    number: str
    title: str | None
    counterparty: str | None
    amount: Decimal | None
    currency: str
    signed: date | None
    start: date | None
    end: date | None
    owner: str | None
    notes: str | None
    source: RowRef
    milestones: list[MilestoneRow]
    unallocated_payments: list[PaymentRow]


# code, i18n key -> (English, Chinese) one-line reasons; the lead moves these into handlers/i18n later
REASONS: dict[str, tuple[str, str]] = {
    "import.err.duplicate_number": ("contract number {number} is already on row {first_row} with different data",
                                    "合同编号 {number} 与第 {first_row} 行重复且内容不一致"),
    "import.err.bad_amount": ("amount not readable: {value}", "金额无法识别：{value}"),
    "import.err.negative_amount": ("amount cannot be negative: {value}", "金额不能为负数：{value}"),
    "import.err.bad_percent": ("percentage not readable: {value}", "比例无法识别：{value}"),
    "import.err.end_before_start": ("end date {end} is before start date {start}",
                                    "结束日期 {end} 早于开始日期 {start}"),
    "import.err.unknown_contract": ("contract number {number} is not in the ledger", "合同编号 {number} 在台账中不存在"),
    "import.err.contract_not_imported": ("contract {number} (row {first_row}) was not imported, so neither is this "
                                         "milestone", "合同 {number}（第 {first_row} 行）未导入，此节点也不导入"),
    "import.err.plan_over_100": ("the plan for {number} would come to {percent}% of the contract amount",
                                 "{number} 回款计划合计 {percent}% 超过合同金额"),
    "import.err.bad_date": ("{column}: date not readable: {value}", "{column}：日期无法识别：{value}"),
    "import.err.bad_currency": ("currency not recognised: {value}", "币种无法识别：{value}"),
    "import.err.missing_number": ("the row has no contract number", "该行没有合同编号"),
    "import.err.unreadable_file": ("the file is not a spreadsheet that can be read (xlsx, xls or csv)",
                                   "文件无法读取，请上传 xlsx、xls 或 csv 格式的表格"),
    "import.err.empty_file": ("the file is empty", "文件是空的"),
    "import.err.no_rows": ("the ledger has a header but no contract rows under it", "台账只有表头，没有合同数据"),
    "import.err.no_header": ("no header row found: the sheet needs a contract number column (合同编号 / Contract No.) "
                             "and columns such as title, customer, amount or milestone",
                             "没有找到表头：需要合同编号列，以及合同名称、客户、金额或回款节点等列"),
}


def _reason(key: str, params: dict[str, str], lang: str) -> str:
    en, zh = REASONS.get(key, (key, key))
    template = zh if lang.lower().startswith("zh") else en
    try:
        return template.format(**params)
    except (KeyError, IndexError):
        return template


@dataclass(frozen=True)
class RowError:
    """A row that is reported and not imported: where, which rule, and the words to say why."""

    sheet: str | None
    row: int
    code: str
    number: str | None
    reason_key: str
    params: dict[str, str]

    def reason(self, lang: str) -> str:
        """One line saying why, in English or Chinese ("zh...")."""
        return _reason(self.reason_key, self.params, lang)


@dataclass(frozen=True)
class LedgerReading:
    """Everything read from one file. ``sheets`` maps each sheet read to "contracts" or "milestones"
    (a CSV is listed under its file name)."""

    contracts: list[ContractRow]
    errors: list[RowError]
    not_contracts: list[RowRef]
    sheets: dict[str, str]


class LedgerError(Exception):
    """The whole file cannot be read: not a spreadsheet, empty, or no header row."""

    def __init__(self, reason_en: str, reason_zh: str, key: str = "import.err.unreadable_file") -> None:
        super().__init__(reason_en)
        self.reason_en = reason_en
        self.reason_zh = reason_zh
        self.key = key

    def reason(self, lang: str) -> str:
        return self.reason_zh if lang.lower().startswith("zh") else self.reason_en

    @classmethod
    def of(cls, key: str) -> LedgerError:
        en, zh = REASONS[key]
        return cls(en, zh, key)


# --- reading --------------------------------------------------------------------------------------------------

def read_ledger(data: bytes, filename: str) -> LedgerReading:
    """Read a ledger file (xlsx, xls or CSV, whatever its name says) into contracts, milestones and errors."""
    try:
        sheets, fmt = read_sheets(data, filename)
    except Unreadable as exc:
        raise LedgerError.of(f"import.err.{exc.key}") from None
    if fmt == "csv" and sheets:
        sheets[0].name = None
    if not any(not is_nothing(v) for sheet in sheets for row in sheet.rows for v in row):
        raise LedgerError.of("import.err.empty_file")
    reading = _Reading(filename)
    reading.plan(sheets)
    if not reading.layouts:
        raise LedgerError.of("import.err.no_header")
    result = reading.run()
    if not result.contracts and not result.errors:
        raise LedgerError.of("import.err.no_rows")
    return result


_TOTALS = re.compile(r"^(?:合计|总计|小计|共计|总合计|本页合计|累计合计|合计金额|全部合计|total|totals|grand ?total|"
                     r"sub-?total|sum|overall)\s*[:：]?\s*(?:[(（][^)）]*[)）])?$", re.IGNORECASE)
_MILESTONE_SHEET_NAME = re.compile(r"回款|付款|收款|节点|里程碑|计划|milestone|payment|schedule|plan|instal",
                                   re.IGNORECASE)
ZERO = Decimal(0)
_CONTRACT_FACTS = {"title", "counterparty", "amount", "signed", "start", "end", "period"}
_GRAND_TOTAL = re.compile(r"^(?:合计|总计|共计|总合计|全部合计|total|totals|grand ?total|sum)\b", re.IGNORECASE)
_NOTE = re.compile(r"^(?:注|备注|说明|制表|制表人|审核|审核人|复核|填表|填报|编制|负责人|note|notes|prepared|checked|"
                   r"source|remark)s?\s*[:：]", re.IGNORECASE)
_IDENTIFIER = re.compile(r"^(?=.*\d)[^\s:：]{1,40}$")


def _first_text(row: list[object]) -> str:
    for value in row:
        if isinstance(value, str) and value.strip():
            return fold(value).replace(" ", "")
    return ""


def contract_fields_of(lay: _Layout) -> list[Col]:
    return [c for f, c in lay.fields.items() if f in _CONTRACT_FACTS]


@dataclass
class _Layout:
    sheet: RawSheet
    header: Header
    kind: str  # contracts | milestones | payments
    fields: dict[str, Col]  # contract or milestone fields, by kind
    row_fields: dict[str, Col] = field(default_factory=dict)  # a combined sheet: the milestone on each row
    groups: list[Group] = field(default_factory=list)

    @property
    def name(self) -> str | None:
        return self.sheet.name


@dataclass
class _Milestone:
    name: str
    kind: str
    due: date | None
    percent: Decimal | None
    amount: Decimal | None
    owner: str | None
    done: bool
    payments: list[PaymentRow]
    source: RowRef

    def freeze(self, contract_owner: str | None) -> MilestoneRow:
        return MilestoneRow(self.name, self.kind, self.due, self.percent, self.amount, self.owner or contract_owner,
                            "done" if self.done else "open", list(self.payments), self.source)


@dataclass
class _Contract:
    number: str
    title: str | None
    counterparty: str | None
    amount: Decimal | None
    currency: str
    signed: date | None
    start: date | None
    end: date | None
    owner: str | None
    notes: str | None
    source: RowRef
    signature: tuple[object, ...] = ()
    milestones: list[_Milestone] = field(default_factory=list)
    unallocated: list[PaymentRow] = field(default_factory=list)
    planned: Decimal = ZERO  # money of payment and warranty milestones so far
    planned_percent: Decimal = ZERO

    def freeze(self) -> ContractRow:
        return ContractRow(self.number, self.title, self.counterparty, self.amount, self.currency, self.signed,
                           self.start, self.end, self.owner, self.notes, self.source,
                           [m.freeze(self.owner) for m in self.milestones], list(self.unallocated))


class _RowRefused(Exception):
    def __init__(self, code: str, key: str, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.key = key
        self.params = {k: shown(v) if not isinstance(v, str) else v for k, v in params.items()}


def _number_text(value: object) -> str | None:
    if is_nothing(value):
        return None
    text = re.sub(r"\s+", " ", fold(shown(value))).strip()
    return text or None


def _number_key(number: str) -> str:
    return re.sub(r"\s+", "", number).upper()


def _cell(row: list[object], col: Col | None) -> object:
    if col is None or col.index >= len(row):
        return None
    return row[col.index]


class _Reading:
    """One file being read: its sheet layouts, then the contracts, milestones and errors in ledger order."""

    def __init__(self, filename: str) -> None:
        self.filename = filename
        self.layouts: list[_Layout] = []
        self.contracts: dict[str, _Contract] = {}
        self.refused: dict[str, int] = {}
        self.errors: list[RowError] = []
        self.not_contracts: list[RowRef] = []
        self.language = "zh"
        self.default_currency = "CNY"
        self.orders: dict[tuple[int, int], str] = {}  # (layout, column) -> dmy/mdy
        self.fractions: dict[tuple[int, int], bool] = {}  # (layout, column) -> percent column holds 0.3 for 30%

    # --- planning: which sheet is what ---

    def plan(self, sheets: list[RawSheet]) -> None:
        """Find each sheet's header and decide, by its column names, whether it holds contracts or milestones."""
        found = []
        for sheet in sheets:
            header = find_header(sheet)
            if header is None:
                continue
            contract_only, has_number = sheet_signals(header)
            if not has_number:
                continue
            evidence = milestone_evidence(header)
            if _MILESTONE_SHEET_NAME.search(sheet.name or ""):
                evidence += 0.5  # the sheet's name only tips a close call
            found.append((sheet, header, contract_only, evidence >= 2))
        has_contract_sheet = any(
            not is_ms and (c_only or "amount" in header.hits(CONTRACT_TABLE)) for _s, header, c_only, is_ms in found)
        for sheet, header, c_only, is_ms in found:
            contract_columns = c_only | ({"title", "counterparty", "contract_amount"} & header.hits(MILESTONE_TABLE))
            if is_ms and (has_contract_sheet or not contract_columns):
                fields = assign_fields(header.names, MILESTONE_TABLE)
                useful = {"ms_name", "percent", "plan_amount", "due", "status", "done_date"}
                kind = "milestones" if useful & set(fields) else "payments"
                self.layouts.append(_Layout(sheet, header, kind, fields))
                continue
            # a contracts sheet; when it also names one milestone per row (and no other sheet holds the
            # contracts), each row carries its contract and one milestone: a combined ledger
            fields = assign_fields(header.names, CONTRACT_TABLE)
            if "number" not in fields:
                continue
            if not _CONTRACT_FACTS & set(fields):
                money = {f: c for f, c in fields.items() if f in ("number", "received_amount", "received_date")}
                if "received_amount" in money:  # 回款记录: money received, one row per payment
                    self.layouts.append(_Layout(sheet, header, "payments", money))
                continue
            taken = {c.index for c in fields.values()}
            layout = _Layout(sheet, header, "contracts", fields)
            if is_ms:  # one row per milestone, the contract repeated on each (a combined ledger)
                layout.row_fields = assign_fields(header.names, MILESTONE_TABLE, taken)
                for f in ("number", "title", "counterparty", "contract_amount", "owner", "notes"):
                    layout.row_fields.pop(f, None)
            else:
                free = {i: n for i, n in header.names.items() if i not in taken and not ignored(n)}
                layout.groups = group_columns(free)
            self.layouts.append(layout)
        self.layouts.sort(key=lambda lay: 0 if lay.kind == "contracts" else 1)
        self._decide_language_and_currency()
        self._decide_columns()

    def _decide_language_and_currency(self) -> None:
        contract_layouts = [lay for lay in self.layouts if lay.kind == "contracts"] or self.layouts
        self.language = contract_layouts[0].header.language if contract_layouts else "zh"
        if self.language == "zh":
            self.default_currency = "CNY"
            return
        seen: Counter[str] = Counter()
        for lay in contract_layouts:
            for row in lay.sheet.rows[: lay.header.row]:
                for value in row:
                    if isinstance(value, str) and (code := currency_hint(value)):
                        seen[code] += 1
            for name in lay.header.names.values():
                if name.currency:
                    seen[name.currency] += 1
            amount, currency = lay.fields.get("amount"), lay.fields.get("currency")
            for row in lay.sheet.rows[lay.header.data_start:]:
                for col in (amount, currency):
                    value = _cell(row, col)
                    if isinstance(value, str) and value.strip():
                        try:
                            code = parse_currency(value) if col is currency else parse_money(value)[1]
                        except BadValue:
                            code = None
                        if code:
                            seen[code] += 1
        self.default_currency = seen.most_common(1)[0][0] if seen else "CNY"

    def _decide_columns(self) -> None:
        """Settle day/month order per date column (by the dates no one can misread) and percent fractions."""
        votes_file: Counter[str] = Counter()
        per_column: dict[tuple[int, int], Counter[str]] = {}
        for li, lay in enumerate(self.layouts):
            cols = [c for f, c in {**lay.fields, **lay.row_fields}.items() if f in FIELD_DATES | {"period"}]
            cols += [c for g in lay.groups for r, c in g.roles.items() if r in ("due", "received", "received_date",
                                                                                  "done_date")]
            percents = [c for f, c in {**lay.fields, **lay.row_fields}.items() if f == "percent"]
            percents += [c for g in lay.groups for r, c in g.roles.items() if r == "percent"]
            rows = lay.sheet.rows[lay.header.data_start:]
            for col in cols:
                votes: Counter[str] = Counter()
                for row in rows:
                    value = _cell(row, col)
                    if isinstance(value, str):
                        for part in re.split(r"\s*(?:至|到|~|～|\bto\b|\s-\s)\s*", value):
                            if order := ambiguous_order(part):
                                votes[order] += 1
                per_column[(li, col.index)] = votes
                votes_file.update(votes)
            for col in percents:
                numbers = []
                for row in rows:
                    value = _cell(row, col)
                    if isinstance(value, (int, float)) and not isinstance(value, bool):
                        numbers.append(float(value))
                    elif isinstance(value, str) and re.fullmatch(r"\s*\d+(?:\.\d+)?\s*", fold(value)):
                        numbers.append(float(fold(value)))
                self.fractions[(li, col.index)] = (bool(numbers) and all(0 <= n <= 1 for n in numbers)
                                                   and not col.name.percent_unit)
        default = "mdy" if self.language == "en" and self.default_currency == "USD" else "dmy"
        file_order = _winner(votes_file) or default
        for key, votes in per_column.items():
            self.orders[key] = _winner(votes) or file_order

    # --- reading rows ---

    def run(self) -> LedgerReading:
        for li, lay in enumerate(self.layouts):
            filled = _fill_vertical_merges(lay.sheet, lay.header.data_start)
            if lay.kind == "contracts":
                self._read_contract_sheet(li, lay, filled)
            else:
                self._read_milestone_sheet(li, lay)
        sheets = {lay.name if lay.name is not None else self.filename: lay.kind for lay in self.layouts}
        return LedgerReading([c.freeze() for c in self.contracts.values()], self.errors, self.not_contracts,
                             sheets)

    def _skip(self, lay: _Layout, row: list[object], number: int) -> bool:
        """Blank rows, totals rows (listed in not_contracts), repeated headers and one-cell notes are not rows."""
        filled = [v for v in row if not is_nothing(v)]
        if not filled:
            return True
        if any(isinstance(v, str) and _TOTALS.match(fold(v).replace(" ", "").replace("\u3000", "")) for v in filled):
            self.not_contracts.append(RowRef(lay.name, number))
            return True
        if len(filled) <= 1 or is_header_again(row, lay.header):
            return True
        return False

    def _refuse(self, lay: _Layout, number_row: int, contract: str | None, exc: _RowRefused) -> None:
        self.errors.append(RowError(lay.name, number_row, exc.code, contract, exc.key, exc.params))

    def _read_contract_sheet(self, li: int, lay: _Layout, filled: set[tuple[int, int]]) -> None:
        sheet = lay.sheet
        previous: str | None = None
        # a row with none of these filled is a section line (华东区 | 共 5 份) or a number kept for later
        meaningful = contract_fields_of(lay) + [c for f, c in lay.fields.items() if f == "received_amount"]
        meaningful += [c for g in lay.groups for c in g.roles.values()] + list(lay.row_fields.values())
        after_total = False
        for i in range(lay.header.data_start, len(sheet.rows)):
            row, rownum = sheet.rows[i], sheet.numbers[i]
            totals_before = len(self.not_contracts)
            if self._skip(lay, row, rownum):
                if len(self.not_contracts) > totals_before and _GRAND_TOTAL.match(_first_text(row)):
                    after_total = True
                continue
            if all(is_nothing(_cell(row, c)) for c in meaningful):
                continue
            number = _number_text(_cell(row, lay.fields["number"]))
            if number is not None and (_NOTE.match(number) or (after_total and not _IDENTIFIER.match(number))):
                continue  # 制表人：张三 / 注：… under the ledger
            if number is None and not lay.row_fields and sum(
                    not is_nothing(_cell(row, c)) for c in contract_fields_of(lay)) < 2:
                continue  # a section line (华东区 | 共 5 份), not a contract without its number
            contract_cells = [c for f, c in lay.fields.items() if f != "number"]
            if number is None and lay.row_fields and previous and all(is_nothing(_cell(row, c))
                                                                       for c in contract_cells):
                # a further milestone of the contract above, its contract cells left blank
                contract = self.contracts.get(_number_key(previous))
                try:
                    if contract is None:
                        raise _RowRefused("contract_not_imported", "import.err.contract_not_imported",
                                          number=previous, first_row=self.refused.get(_number_key(previous), 0))
                    self._row_milestone(li, lay, row, rownum, contract)
                except _RowRefused as exc:
                    self._refuse(lay, rownum, previous, exc)
                continue
            if number is None:
                self._refuse(lay, rownum, None, _RowRefused("missing_number", "import.err.missing_number"))
                continue
            previous = number
            if not lay.row_fields and (i, lay.fields["number"].index) in filled:
                # the number merged down from the row above: more of that contract (its further milestones)
                contract = self.contracts.get(_number_key(number))
                if contract is not None:
                    self._continued_groups(li, lay, row, rownum, contract)
                continue
            try:
                self._contract_row(li, lay, row, rownum, number)
            except _RowRefused as exc:
                self._refuse(lay, rownum, number, exc)
                key = _number_key(number)
                if key not in self.contracts:
                    self.refused.setdefault(key, rownum)

    def _continued_groups(self, li: int, lay: _Layout, row: list[object], rownum: int, contract: _Contract) -> None:
        before = contract.planned, contract.planned_percent
        try:
            staged = []
            for group in lay.groups:
                milestone = self._group_milestone(li, lay, group, row, rownum, contract)
                if milestone is not None:
                    self._check_plan(contract, milestone)
                    staged.append(milestone)
            contract.milestones.extend(staged)
        except _RowRefused as exc:
            contract.planned, contract.planned_percent = before
            self._refuse(lay, rownum, contract.number, exc)

    def _contract_row(self, li: int, lay: _Layout, row: list[object], rownum: int, number: str) -> None:
        key = _number_key(number)
        existing = self.contracts.get(key)
        problem: _RowRefused | None = None
        draft: _Contract | None = None
        try:
            draft = self._contract_draft(li, lay, row, rownum, number)
        except _RowRefused as exc:
            problem = exc
        if existing is not None:
            if draft is not None and draft.signature == existing.signature:
                if lay.row_fields:
                    self._row_milestone(li, lay, row, rownum, existing)
                return  # the same contract written twice: merged
            raise _RowRefused("duplicate_number", "import.err.duplicate_number", number=existing.number,
                              first_row=existing.source.row)
        if problem is not None or draft is None:
            raise problem or _RowRefused("bad_amount", "import.err.bad_amount", value="")
        # milestones on the row: refuse the whole row if one of them cannot be read
        staged: list[_Milestone] = []
        for group in lay.groups:
            milestone = self._group_milestone(li, lay, group, row, rownum, draft)
            if milestone is not None:
                self._check_plan(draft, milestone)
                staged.append(milestone)
        if lay.row_fields:
            self._row_milestone(li, lay, row, rownum, draft, staged)
        draft.milestones.extend(staged)
        self.contracts[key] = draft

    def _contract_draft(self, li: int, lay: _Layout, row: list[object], rownum: int, number: str) -> _Contract:
        f = lay.fields
        amount_col = f.get("amount")
        raw_amount = _cell(row, amount_col)
        if isinstance(raw_amount, str) and looks_like_percent(raw_amount):
            raise _RowRefused("bad_amount", "import.err.bad_amount", value=raw_amount.strip())
        try:
            amount, cell_currency = parse_money(raw_amount, amount_col.name.unit if amount_col else Decimal(1))
        except BadValue as exc:
            raise _RowRefused("bad_amount", "import.err.bad_amount", value=exc.text) from None
        if amount is not None and amount < 0:
            raise _RowRefused("bad_amount", "import.err.negative_amount", value=shown(raw_amount))
        try:
            currency = parse_currency(_cell(row, f.get("currency")))
        except BadValue as exc:
            raise _RowRefused("bad_currency", "import.err.bad_currency", value=exc.text) from None
        currency = (currency or cell_currency or (amount_col.name.currency if amount_col else None)
                    or self.default_currency)
        signed = self._date(li, lay, row, f.get("signed"))
        start = self._date(li, lay, row, f.get("start"))
        end = self._date(li, lay, row, f.get("end"))
        if (start is None or end is None) and f.get("period") is not None:
            col = f["period"]
            try:
                p_start, p_end = parse_period(_cell(row, col), order=self.orders.get((li, col.index), "dmy"))
            except BadValue:
                p_start = p_end = None  # "12个月", "1 year": a length, not dates; the term columns say the rest
            start, end = start or p_start, end or p_end
        if start is not None and end is not None and end < start:
            raise _RowRefused("end_before_start", "import.err.end_before_start", end=end.isoformat(),
                              start=start.isoformat())
        contract = _Contract(
            number=number,
            title=clean_text(_cell(row, f.get("title"))),
            counterparty=clean_text(_cell(row, f.get("counterparty"))),
            amount=amount, currency=currency, signed=signed, start=start, end=end,
            owner=parse_owner(_cell(row, f.get("owner"))),
            notes=clean_text(_cell(row, f.get("notes"))),
            source=RowRef(lay.name, rownum),
        )
        received = self._contract_received(li, lay, row)
        if received is not None:
            contract.unallocated.append(received)
        group_cells = tuple(shown(_cell(row, c)) for g in lay.groups for c in g.roles.values())
        contract.signature = (contract.title, contract.counterparty, contract.amount, contract.currency,
                              contract.signed, contract.start, contract.end, contract.owner, contract.notes,
                              tuple(contract.unallocated), group_cells)
        return contract

    def _contract_received(self, li: int, lay: _Layout, row: list[object]) -> PaymentRow | None:
        """Money received against the contract as a whole (已回款金额 + 回款日期 on the contract row)."""
        if lay.row_fields:
            return None
        amount_col, date_col = lay.fields.get("received_amount"), lay.fields.get("received_date")
        if amount_col is None:
            return None
        try:
            amount, _ = parse_money(_cell(row, amount_col), amount_col.name.unit)
        except BadValue as exc:
            raise _RowRefused("bad_amount", "import.err.bad_amount", value=exc.text) from None
        when = self._date(li, lay, row, date_col)
        if amount is None or amount <= 0 or when is None:
            return None
        return PaymentRow(when, amount)

    def _date(self, li: int, lay: _Layout, row: list[object], col: Col | None) -> date | None:
        if col is None:
            return None
        value = _cell(row, col)
        try:
            return parse_date(value, order=self.orders.get((li, col.index), "dmy"))
        except BadValue as exc:
            raise _RowRefused("bad_date", "import.err.bad_date", column=col.name.text, value=exc.text) from None

    def _percent(self, li: int, row: list[object], col: Col | None) -> Decimal | None:
        if col is None:
            return None
        try:
            return parse_percent(_cell(row, col), fractions=self.fractions.get((li, col.index), False))
        except BadValue as exc:
            raise _RowRefused("bad_amount", "import.err.bad_percent", value=exc.text) from None

    def _money(self, row: list[object], col: Col | None) -> Decimal | None:
        if col is None:
            return None
        try:
            amount, _ = parse_money(_cell(row, col), col.name.unit)
        except BadValue as exc:
            raise _RowRefused("bad_amount", "import.err.bad_amount", value=exc.text) from None
        if amount is not None and amount < 0:
            raise _RowRefused("bad_amount", "import.err.negative_amount", value=shown(_cell(row, col)))
        return amount

    # --- milestones ---

    def _group_milestone(self, li: int, lay: _Layout, group: Group, row: list[object], rownum: int,
                         contract: _Contract) -> _Milestone | None:
        roles = group.roles
        if all(is_nothing(_cell(row, c)) for c in roles.values()):
            return None
        percent = self._percent(li, row, roles.get("percent"))
        amount_cell = _cell(row, roles.get("amount"))
        amount = None
        if percent is None and isinstance(amount_cell, str) and looks_like_percent(amount_cell):
            percent = self._percent(li, row, roles.get("amount"))
        else:
            amount = self._money(row, roles.get("amount"))
        due = self._date(li, lay, row, roles.get("due"))
        received_amount = self._money(row, roles.get("received_amount"))
        received_date = self._date(li, lay, row, roles.get("received_date"))
        mark = parse_status(_cell(row, roles.get("status"))) if "status" in roles else None
        done_value = _cell(row, roles.get("done_date"))
        done_date = None
        if not is_nothing(done_value):
            if looks_like_date(done_value) or isinstance(done_value, (int, float)):
                done_date = self._date(li, lay, row, roles.get("done_date"))
            elif parse_status(done_value) is not None:
                mark = parse_status(done_value) if mark is None else mark
        received = _cell(row, roles.get("received"))
        if not is_nothing(received):
            if looks_like_date(received) or (isinstance(received, (int, float)) and 10000 <= received <= 80000
                                             and "due" in roles):
                received_date = received_date or self._date(li, lay, row, roles.get("received"))
            elif isinstance(received, str) and parse_status(received) is not None and not re.search(r"\d", received):
                mark = parse_status(received) if mark is None else mark
            else:
                received_amount = received_amount if received_amount is not None else self._money(
                    row, roles.get("received"))
        owner = parse_owner(_cell(row, roles.get("owner")))
        return self._milestone(group.name, None, percent, amount, due, owner, mark, received_amount, received_date,
                               done_date, contract, RowRef(lay.name, rownum, group.letters))

    def _milestone(self, name: str, kind_hint: str | None, percent: Decimal | None, amount: Decimal | None,
                   due: date | None, owner: str | None, mark: bool | None, received_amount: Decimal | None,
                   received_date: date | None, done_date: date | None, contract: _Contract,
                   source: RowRef) -> _Milestone:
        if amount is None and percent is not None and contract.amount is not None:
            amount = share(percent, contract.amount)
        kind = milestone_kind(name, carries_money=amount is not None or percent is not None, hint=kind_hint)
        payments: list[PaymentRow] = []
        pay_date = received_date or done_date
        if received_amount is not None and received_amount > 0:
            if pay_date is not None:
                payments.append(PaymentRow(pay_date, received_amount))
            covered = amount is not None and received_amount >= amount
            done = mark is True or covered or (amount is None and mark is None and pay_date is not None)
        elif received_date is not None and mark is not False:
            # paid, amount left blank: received in full on the date given
            if amount is not None:
                payments.append(PaymentRow(received_date, amount))
            done = True
        else:
            done = mark is True or (mark is None and done_date is not None)
        return _Milestone(name, kind, due, percent, amount, owner, done, payments, source)

    def _check_plan(self, contract: _Contract, milestone: _Milestone) -> None:
        """Payment and warranty milestones together may not plan more than the contract amount."""
        if milestone.kind not in ("payment", "warranty"):
            return
        if contract.amount is not None and milestone.amount is not None:
            total = contract.planned + milestone.amount
            if contract.amount > 0 and total > contract.amount + Decimal("0.01") * (len(contract.milestones) + 1):
                raise _RowRefused("plan_over_100", "import.err.plan_over_100", number=contract.number,
                                  percent=str(tidy(round(total * HUNDRED / contract.amount, 2))))
            contract.planned = total
        elif milestone.percent is not None:
            total = contract.planned_percent + milestone.percent
            if total > HUNDRED:
                raise _RowRefused("plan_over_100", "import.err.plan_over_100", number=contract.number,
                                  percent=str(tidy(total)))
            contract.planned_percent = total

    def _row_milestone(self, li: int, lay: _Layout, row: list[object], rownum: int, contract: _Contract,
                       staged: list[_Milestone] | None = None) -> None:
        milestone = self._sheet_milestone(li, lay, lay.row_fields, row, rownum, contract)
        if milestone is None:
            return
        if isinstance(milestone, PaymentRow):  # money received on the row with no milestone cells: the contract's
            contract.unallocated.append(milestone)
            return
        self._check_plan(contract, milestone)
        (staged if staged is not None else contract.milestones).append(milestone)

    def _sheet_milestone(self, li: int, lay: _Layout, f: dict[str, Col], row: list[object], rownum: int,
                         contract: _Contract) -> _Milestone | PaymentRow | None:
        name = clean_text(_cell(row, f.get("ms_name")))
        kind_hint = clean_text(_cell(row, f.get("ms_kind")))
        percent = self._percent(li, row, f.get("percent"))
        amount_cell = _cell(row, f.get("plan_amount"))
        amount = None
        if percent is None and isinstance(amount_cell, str) and looks_like_percent(amount_cell):
            percent = self._percent(li, row, f.get("plan_amount"))
        else:
            amount = self._money(row, f.get("plan_amount"))
        due = self._date(li, lay, row, f.get("due"))
        received_amount = self._money(row, f.get("received_amount"))
        received_date = self._date(li, lay, row, f.get("received_date"))
        done_date = None
        mark = parse_status(_cell(row, f.get("status"))) if "status" in f else None
        done_value = _cell(row, f.get("done_date"))
        if not is_nothing(done_value):
            if looks_like_date(done_value) or isinstance(done_value, (int, float)):
                done_date = self._date(li, lay, row, f.get("done_date"))
            elif mark is None:
                mark = parse_status(done_value)
        if name is None and percent is None and amount is None and due is None and kind_hint is None:
            if received_amount is not None and received_amount > 0 and (received_date or done_date):
                return PaymentRow(received_date or done_date, received_amount)  # type: ignore[arg-type]
            return None
        if name is None:
            name = kind_hint or ("付款" if self.language == "zh" else "Payment")
        owner = parse_owner(_cell(row, f.get("owner")))
        return self._milestone(name, kind_hint, percent, amount, due, owner, mark, received_amount, received_date,
                               done_date, contract, RowRef(lay.name, rownum))

    def _read_milestone_sheet(self, li: int, lay: _Layout) -> None:
        sheet = lay.sheet
        previous: str | None = None
        number_col = lay.fields.get("number")
        after_total = False
        for i in range(lay.header.data_start, len(sheet.rows)):
            row, rownum = sheet.rows[i], sheet.numbers[i]
            totals_before = len(self.not_contracts)
            if self._skip(lay, row, rownum):
                if len(self.not_contracts) > totals_before and _GRAND_TOTAL.match(_first_text(row)):
                    after_total = True
                continue
            number = _number_text(_cell(row, number_col))
            if number is not None and (_NOTE.match(number) or (after_total and not _IDENTIFIER.match(number))):
                continue  # 制表人：张三 / 注：… under the plan
            if number is None and after_total:
                continue
            if number is None:
                number = previous  # the rows below a contract's first milestone often leave its number out
            if number is None:
                self._refuse(lay, rownum, None, _RowRefused("missing_number", "import.err.missing_number"))
                continue
            previous = number
            key = _number_key(number)
            contract = self.contracts.get(key)
            try:
                if contract is None:
                    if key in self.refused:
                        raise _RowRefused("contract_not_imported", "import.err.contract_not_imported",
                                          number=number, first_row=self.refused[key])
                    raise _RowRefused("unknown_contract", "import.err.unknown_contract", number=number)
                item = self._sheet_milestone(li, lay, lay.fields, row, rownum, contract)
                if isinstance(item, PaymentRow):
                    contract.unallocated.append(item)
                elif item is not None:
                    self._check_plan(contract, item)
                    contract.milestones.append(item)
            except _RowRefused as exc:
                self._refuse(lay, rownum, number, exc)


def _winner(votes: Counter[str]) -> str | None:
    if votes.get("dmy") and not votes.get("mdy"):
        return "dmy"
    if votes.get("mdy") and not votes.get("dmy"):
        return "mdy"
    if votes:
        return votes.most_common(1)[0][0] if votes["dmy"] != votes["mdy"] else None
    return None


def _fill_vertical_merges(sheet: RawSheet, data_start: int) -> set[tuple[int, int]]:
    """A value merged down over several data rows (a contract number beside its milestones) belongs to each.

    Returns the (row index, column index) cells that were filled."""
    filled: set[tuple[int, int]] = set()
    first_number = sheet.numbers[data_start] if data_start < len(sheet.numbers) else None
    if first_number is None:
        return filled
    for r1, c1, r2, _c2 in sheet.merges:
        if r2 <= r1 or r1 < first_number or r2 > len(sheet.rows):
            continue
        top = sheet.rows[r1 - 1]
        value = top[c1 - 1] if c1 - 1 < len(top) else None
        for r in range(r1 + 1, r2 + 1):
            target = sheet.rows[r - 1]
            if len(target) < c1:
                target.extend([None] * (c1 - len(target)))
            if target[c1 - 1] is None:
                target[c1 - 1] = value
                filled.add((r - 1, c1 - 1))
    return filled
