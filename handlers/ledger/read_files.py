"""Spreadsheet bytes to plain rows of cell values: .xlsx (openpyxl), .xls (xlrd), CSV/TSV text, HTML tables.

The file is recognised by its content, not its name: a zip is an xlsx, an OLE compound file an xls, anything
else is decoded as text (BOM, then strict UTF-8, then GB18030 when the result reads as Chinese, then
charset-normalizer) and split on the delimiter it evidently uses.

Cells come back as str, int, float, datetime or None. A number shown with a percent format comes back as a
string such as "30%", so that 0.3 in a % cell and "30%" typed as text read the same way.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import warnings
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from html.parser import HTMLParser

Value = object  # str | int | float | datetime | None

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_BINARY_MAGIC = (b"%PDF", b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"Rar!", b"7z\xbc\xaf", b"\x1f\x8b", b"BM",
                 b"\x00\x00\x01\x00", b"RIFF", b"ID3", b"\x7fELF", b"MZ")


class Unreadable(Exception):
    """The whole file cannot be read; ``key`` says why (unreadable_file / empty_file)."""

    def __init__(self, key: str, detail: str = "") -> None:
        super().__init__(key, detail)
        self.key = key
        self.detail = detail


@dataclass
class RawSheet:
    """One sheet as rows of values; ``numbers[i]`` is the row number a person sees for ``rows[i]``."""

    name: str | None
    rows: list[list[Value]]
    numbers: list[int]
    # merged ranges as (first row, first col, last row, last col), 1-based sheet coordinates
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)


def read_sheets(data: bytes, filename: str = "") -> tuple[list[RawSheet], str]:
    """Read every sheet of a spreadsheet or delimited text file; also say which format it was ('xlsx' ...)."""
    if not data or not data.strip():
        raise Unreadable("empty_file")
    if data.startswith(ZIP_MAGIC):
        csvs = _zipped_tables(data)
        if csvs is not None:
            return csvs, "csv"
        return _read_xlsx(data), "xlsx"
    if data.startswith(OLE_MAGIC):
        return _read_xls(data), "xls"
    if data.startswith(_BINARY_MAGIC):
        raise Unreadable("unreadable_file", "binary")
    text = decode_text(data)
    if _looks_binary(text):
        raise Unreadable("unreadable_file", "binary")
    if re.search(r"<table[\s>]", text[:20000], re.IGNORECASE):
        sheets = _read_html(text)
        if sheets:
            return sheets, "html"
    return [_read_delimited(text)], "csv"


# --- xlsx -----------------------------------------------------------------------------------------------------

_MERGE_RE = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"')


def _col_number(letters: bytes | str) -> int:
    n = 0
    for ch in letters if isinstance(letters, str) else letters.decode():
        n = n * 26 + ord(ch) - 64
    return n


def _read_xlsx(data: bytes) -> list[RawSheet]:
    # read_only streams the sheet XML (several times faster and far smaller than the full model on big
    # ledgers); it drops merged ranges, so those are read from the sheet XML directly.
    import openpyxl
    from openpyxl.styles.numbers import BUILTIN_FORMATS, BUILTIN_FORMATS_MAX_SIZE

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
    except Exception as exc:  # a zip that is not a workbook: docx, ods, a damaged file
        raise Unreadable("unreadable_file", f"{type(exc).__name__}: {exc}") from None
    try:
        percent_styles: set[int] = set()
        for i, style in enumerate(getattr(wb, "_cell_styles", [])):
            fid = style.numFmtId
            fmt = (BUILTIN_FORMATS.get(fid, "General") if fid < BUILTIN_FORMATS_MAX_SIZE
                   else wb._number_formats[fid - BUILTIN_FORMATS_MAX_SIZE])
            if "%" in fmt.replace('\\%', "").replace('"%"', ""):
                percent_styles.add(i)
        archive = zipfile.ZipFile(io.BytesIO(data))
        sheets = []
        for ws in wb.worksheets:
            try:
                sheets.append(_xlsx_sheet(ws, percent_styles, archive))
            except (AttributeError, ImportError, TypeError):  # openpyxl internals moved: the public, slower road
                sheets.append(_xlsx_sheet_public(ws, archive))
        return sheets
    except Unreadable:
        raise
    except Exception as exc:
        raise Unreadable("unreadable_file", f"{type(exc).__name__}: {exc}") from None
    finally:
        wb.close()


def _xlsx_sheet(ws: object, percent_styles: set[int], archive: zipfile.ZipFile) -> RawSheet:
    from openpyxl.worksheet._reader import WorkSheetParser

    wb = ws.parent  # type: ignore[attr-defined]
    rows: list[list[Value]] = []
    with archive.open(ws._worksheet_path) as src:  # type: ignore[attr-defined]
        parser = WorkSheetParser(src, ws._shared_strings, data_only=True, epoch=wb.epoch,  # type: ignore[attr-defined]
                                 date_formats=wb._date_formats, timedelta_formats=wb._timedelta_formats)
        for idx, cells in parser.parse():
            while len(rows) < idx - 1:
                rows.append([])
            row: list[Value] = []
            for cell in cells:
                value = cell["value"]
                if value is None:
                    continue
                col = cell["column"]
                if len(row) < col:
                    row.extend([None] * (col - len(row)))
                if cell["data_type"] == "n" and cell["style_id"] in percent_styles and isinstance(value, (int, float)):
                    value = _percent_text(value)
                elif cell["data_type"] == "e":
                    value = None
                elif isinstance(value, str):
                    value = value.replace("_x000D_", "")
                row[col - 1] = value
            rows.append(row)
    return RawSheet(ws.title, rows, list(range(1, len(rows) + 1)), _merges(archive, ws))  # type: ignore[attr-defined]


def _xlsx_sheet_public(ws: object, archive: zipfile.ZipFile) -> RawSheet:
    rows: list[list[Value]] = []
    for cells in ws.iter_rows():  # type: ignore[attr-defined]
        row: list[Value] = []
        for cell in cells:
            value = getattr(cell, "value", None)
            if isinstance(value, (int, float)) and not isinstance(value, bool) and "%" in (cell.number_format or ""):
                value = _percent_text(value)
            row.append(value)
        rows.append(row)
    return RawSheet(ws.title, rows, list(range(1, len(rows) + 1)), _merges(archive, ws))  # type: ignore[attr-defined]


def _merges(archive: zipfile.ZipFile, ws: object) -> list[tuple[int, int, int, int]]:
    path = getattr(ws, "_worksheet_path", None)
    if not path:
        return []
    merges = []
    for m in _MERGE_RE.finditer(archive.read(path)):
        c1, r1 = _col_number(m.group(1)), int(m.group(2))
        c2, r2 = (_col_number(m.group(3)), int(m.group(4))) if m.group(3) else (c1, r1)
        merges.append((r1, c1, r2, c2))
    return merges


def _percent_text(value: float | int) -> str:
    number = Decimal(repr(value)) * 100 if isinstance(value, float) else Decimal(value) * 100
    number = round(number, 6).normalize()
    return format(number, "f") + "%"


# --- xls ------------------------------------------------------------------------------------------------------

def _read_xls(data: bytes) -> list[RawSheet]:
    import xlrd

    try:
        try:
            book = xlrd.open_workbook(file_contents=data, formatting_info=True, on_demand=True)
        except (NotImplementedError, xlrd.XLRDError):
            book = xlrd.open_workbook(file_contents=data, on_demand=True)
    except Exception as exc:
        raise Unreadable("unreadable_file", f"{type(exc).__name__}: {exc}") from None
    percent_xf: set[int] = set()
    for i, xf in enumerate(getattr(book, "xf_list", []) or []):
        fmt = book.format_map.get(xf.format_key)
        if fmt is not None and "%" in fmt.format_str:
            percent_xf.add(i)
    sheets = []
    try:
        for sx in range(book.nsheets):
            sh = book.sheet_by_index(sx)
            rows: list[list[Value]] = []
            for r in range(sh.nrows):
                row: list[Value] = []
                for c in range(sh.ncols):
                    cell = sh.cell(r, c)
                    row.append(_xls_value(cell, book, percent_xf))
                while row and row[-1] is None:
                    row.pop()
                rows.append(row)
            merges = [(rlo + 1, clo + 1, rhi, chi) for rlo, rhi, clo, chi in getattr(sh, "merged_cells", [])]
            sheets.append(RawSheet(sh.name, rows, list(range(1, len(rows) + 1)), merges))
    except Exception as exc:
        raise Unreadable("unreadable_file", f"{type(exc).__name__}: {exc}") from None
    return sheets


def _xls_value(cell: object, book: object, percent_xf: set[int]) -> Value:
    import xlrd

    ctype, value = cell.ctype, cell.value  # type: ignore[attr-defined]
    if ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK, xlrd.XL_CELL_ERROR):
        return None
    if ctype == xlrd.XL_CELL_DATE:
        try:
            return xlrd.xldate_as_datetime(value, book.datemode)  # type: ignore[attr-defined]
        except (ValueError, OverflowError, xlrd.xldate.XLDateError):
            return value
    if ctype == xlrd.XL_CELL_NUMBER:
        if cell.xf_index in percent_xf:  # type: ignore[attr-defined]
            return _percent_text(value)
        return int(value) if float(value).is_integer() and abs(value) < 1e15 else value
    if ctype == xlrd.XL_CELL_BOOLEAN:
        return bool(value)
    return value


# --- text -----------------------------------------------------------------------------------------------------

def _gb2312_share(text: str) -> float:
    """The share of non-ASCII characters that are common simplified Chinese (GB2312) characters."""
    others = [ch for ch in text if ord(ch) > 127]
    if not others:
        return 1.0
    common = 0
    for ch in others:
        try:
            ch.encode("gb2312")
            common += 1
        except UnicodeEncodeError:
            pass
    return common / len(others)


def decode_text(data: bytes) -> str:
    """Decode a text file without assuming its encoding."""
    for bom, codec in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF32_LE, "utf-32-le"),
                       (codecs.BOM_UTF32_BE, "utf-32-be"), (codecs.BOM_UTF16_LE, "utf-16-le"),
                       (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            return data[len(bom):].decode(codec, errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    sample = data[:4000]
    if sample.count(b"\x00") > len(sample) // 4:  # UTF-16 without a BOM
        even_nuls = sample[0::2].count(b"\x00")
        codec = "utf-16-be" if even_nuls > sample[1::2].count(b"\x00") else "utf-16-le"
        return data.decode(codec, errors="replace")
    try:
        text = data.decode("gb18030")
        if _gb2312_share(text) >= 0.8:
            return text
    except UnicodeDecodeError:
        pass
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data).best()
        if best is not None:
            return str(best)
    except Exception:  # charset-normalizer is a guess; never let it stop the read
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _looks_binary(text: str) -> bool:
    sample = text[:8000]
    if not sample:
        return True
    bad = sum(1 for ch in sample if (ord(ch) < 32 and ch not in "\r\n\t\f\v") or ch == "\ufffd")
    return bad > max(8, len(sample) // 50)


_DELIMITERS = [",", "\t", ";", "|"]


def sniff_delimiter(lines: list[str]) -> str:
    """The delimiter that splits the most lines into the same number of fields (comma on a tie)."""
    best, best_score = ",", -1.0
    for delim in _DELIMITERS:
        counts = [len(r) for r in csv.reader(lines, delimiter=delim) if any(c.strip() for c in r)]
        if not counts:
            continue
        width, freq = Counter(counts).most_common(1)[0]
        if width < 2:
            continue
        score = freq * (width - 1) + 0.01 * sum(c - 1 for c in counts)
        if score > best_score:
            best, best_score = delim, score
    return best


def _zipped_tables(data: bytes) -> list[RawSheet] | None:
    """A zip of CSV files (an export, a ledger kept as one CSV per sheet): one sheet per file; None for a workbook."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = archive.namelist()
    except zipfile.BadZipFile:
        return None
    if "[Content_Types].xml" in names:
        return None
    tables = [n for n in names if re.search(r"\.(csv|tsv|txt)$", n, re.IGNORECASE) and not n.startswith("__MACOSX")]
    if not tables:
        return None
    sheets = []
    for name in tables:
        sheet = _read_delimited(decode_text(archive.read(name)))
        sheet.name = name.rsplit("/", 1)[-1]
        sheets.append(sheet)
    return sheets


def _read_delimited(text: str) -> RawSheet:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    delimiter = sniff_delimiter([ln for ln in lines[:200] if ln.strip()][:60])
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    rows: list[list[Value]] = []
    numbers: list[int] = []
    previous_end = 0
    try:
        for record in reader:
            rows.append([c if c.strip() else None for c in record])
            numbers.append(previous_end + 1)
            previous_end = reader.line_num
    except csv.Error as exc:
        raise Unreadable("unreadable_file", str(exc)) from None
    return RawSheet(None, rows, numbers)


class _TableParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[list[list[Value]]] = []
        self._row: list[Value] | None = None
        self._cell: list[str] | None = None
        self._span = 1

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self.tables.append([])
        elif tag == "tr" and self.tables:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []
            span = dict(attrs).get("colspan") or "1"
            self._span = int(span) if span.isdigit() else 1
        elif tag == "br" and self._cell is not None:
            self._cell.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._row is not None and self._cell is not None:
            text = "".join(self._cell).strip()
            self._row.append(text or None)
            self._row.extend([None] * (self._span - 1))
            self._cell = None
        elif tag == "tr" and self._row is not None and self.tables:
            self.tables[-1].append(self._row)
            self._row = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def _read_html(text: str) -> list[RawSheet]:
    """An 'xls' that is an HTML table (what many web systems export)."""
    parser = _TableParser()
    parser.feed(text)
    sheets = []
    for i, table in enumerate(t for t in parser.tables if t):
        sheets.append(RawSheet(f"Table{i + 1}" if len(parser.tables) > 1 else "Sheet1", table,
                               list(range(1, len(table) + 1))))
    return sheets

