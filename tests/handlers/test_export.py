"""export / 导出 in conversation: four sheets in the user's language, typed cells, filters, CSV, scope and roles."""

from __future__ import annotations

import csv
import io
import zipfile
from collections import defaultdict
from datetime import UTC, date, datetime
from decimal import Decimal

import openpyxl
import pytest
from sqlmodel import Session, select

from handlers.core import Core
from handlers.ledger import export as export_module
from handlers.ledger.export import BUCKETS, XLSX_MIME, ZIP_MIME, display_width
from handlers.ledger.reader import read_ledger
from handlers.usecases.payments import receivable_parts
from storage.models import Contract
from tests.chat import Chat
from tests.conftest import Clock

CONTRACT_HEADERS_EN = ["Contract No.", "Title", "Customer", "Amount", "Currency", "Signed", "Start", "End", "Owner",
                       "Notes", "Contract status"]
MILESTONE_HEADERS_EN = ["Contract No.", "Milestone", "Kind", "Percent", "Amount", "Currency", "Due", "Owner", "Status",
                        "Received", "Received on", "Notes"]
CONTRACT_HEADERS_ZH = ["合同编号", "合同名称", "客户名称", "合同金额", "币种", "签订日期", "开始日期", "到期日", "负责人",
                       "备注", "合同状态"]
MILESTONE_HEADERS_ZH = ["合同编号", "节点名称", "类型", "比例", "金额", "币种", "计划日期", "负责人", "状态", "实收金额",
                        "实收日期", "备注"]


@pytest.fixture
def chat(engine) -> Chat:  # type: ignore[no-untyped-def]
    """Three contracts built over Q1 2027; the clock ends on Monday 2027-03-15, 10:00 in Shanghai."""
    c = Chat.on_clock(engine, datetime(2027, 1, 2, 2, 0, tzinfo=UTC))
    clock = c.clock
    assert clock is not None
    c.say('new HT-1 "Cloud platform" Acme 1000000 ends 2027-12-31 owner @alice')
    c.say("milestone HT-1 first payment 30% due 2027-01-10 owner @alice")
    c.say("milestone HT-1 second payment 40% due 2027-02-10 owner @alice")
    c.say("milestone HT-1 delivery 2027-02-15 owner @carol")
    c.say('new HT-2 "Data migration" "Beta Corp" 500000 ends 2027-02-28 notice 10 days owner @bob')
    c.say("milestone HT-2 first payment 500000 due 2027-01-20 owner @bob")
    c.say('new HT-3 "Support 2028" Gamma 200000 starts 2028-01-01 ends 2028-12-31 owner @bob')
    c.say("milestone HT-3 annual fee 200000 due 2028-03-01 owner @bob")
    clock.now = datetime(2027, 1, 12, 2, 0, tzinfo=UTC)
    c.say("paid HT-1 300000 on 2027-01-05")
    clock.now = datetime(2027, 2, 20, 2, 0, tzinfo=UTC)
    c.say("paid HT-1 100000 on 2027-02-08")
    c.say("done HT-1 delivery")
    c.say("paid HT-2 200000 on 2027-01-25")
    clock.now = datetime(2027, 3, 15, 2, 0, tzinfo=UTC)
    return c


def _workbook(chat: Chat) -> openpyxl.Workbook:
    [reply] = chat.last
    [doc] = reply.documents
    assert doc.mime == XLSX_MIME and doc.filename.endswith(".xlsx")
    return openpyxl.load_workbook(io.BytesIO(doc.data))


def _rows(ws) -> list[dict[str, object]]:  # type: ignore[no-untyped-def]
    rows = list(ws.iter_rows(values_only=True))
    return [dict(zip(rows[0], r)) for r in rows[1:]]


def _cells(ws, header: str) -> list:  # type: ignore[no-untyped-def]
    heads = [c.value for c in ws[1]]
    column = heads.index(header) + 1
    return [ws.cell(row=r, column=column) for r in range(2, ws.max_row + 1)]


def test_export_gives_four_sheets_with_frozen_headers_autofilter_and_typed_cells(chat: Chat) -> None:
    out = chat.say("export")
    assert "Ledger export (Excel): Contracts 3 · Milestones 8 · Payments 3 · Receivables 3" in out
    assert "ledger-2027-03-15.xlsx" in out
    wb = _workbook(chat)
    assert wb.sheetnames == ["Contracts", "Milestones", "Payments", "Receivables"]
    for ws in wb:
        assert ws.freeze_panes == "A2"
        last = openpyxl.utils.get_column_letter(ws.max_column)
        assert ws.auto_filter.ref == f"A1:{last}{ws.max_row}"
        assert all(c.font.bold for c in ws[1])
    contracts, milestones = wb["Contracts"], wb["Milestones"]
    assert [c.value for c in contracts[1]] == CONTRACT_HEADERS_EN
    assert [c.value for c in milestones[1]] == MILESTONE_HEADERS_EN
    assert [r["Contract No."] for r in _rows(contracts)] == ["HT-1", "HT-2", "HT-3"]
    # money: a number with thousands separators and 2 decimals, the currency in its own column
    for cell in _cells(contracts, "Amount"):
        assert isinstance(cell.value, (int, float)) and cell.number_format == "#,##0.00"
    assert [c.value for c in _cells(contracts, "Amount")] == [1_000_000, 500_000, 200_000]
    assert [c.value for c in _cells(contracts, "Currency")] == ["CNY"] * 3
    # dates are dates
    ends = _cells(contracts, "End")
    assert all(c.is_date for c in ends) and ends[0].value == datetime(2027, 12, 31)
    assert _cells(contracts, "Start")[2].value == datetime(2028, 1, 1)
    assert [c.value for c in _cells(contracts, "Owner")] == ["@alice", "@bob", "@bob"]
    first = _rows(milestones)[0]
    assert first == {"Contract No.": "HT-1", "Milestone": "first payment", "Kind": "payment", "Percent": 0.3,
                     "Amount": 300_000, "Currency": "CNY", "Due": datetime(2027, 1, 10), "Owner": "@alice",
                     "Status": "done", "Received": 300_000, "Received on": datetime(2027, 1, 5), "Notes": None}
    assert _cells(milestones, "Percent")[0].number_format == "0%"
    second = next(r for r in _rows(milestones) if r["Milestone"] == "second payment")
    assert second["Status"] == "open" and second["Received"] == 100_000
    delivery = next(r for r in _rows(milestones) if r["Milestone"] == "delivery")
    assert delivery["Amount"] is None and delivery["Currency"] is None and delivery["Owner"] == "@carol"
    # column widths fit the longest value
    assert contracts.column_dimensions["B"].width >= display_width("Cloud platform")
    assert milestones.column_dimensions["B"].width >= display_width("second payment")
    payments = _rows(wb["Payments"])
    assert [(p["Payment No."], p["On contract"], p["Amount"], p["Applied to"]) for p in payments] == [
        ("P-1", "HT-1", 300_000, "first payment"), ("P-2", "HT-1", 100_000, "second payment"),
        ("P-3", "HT-2", 200_000, "first payment")]
    assert all(c.is_date for c in _cells(wb["Payments"], "Received on"))


def test_receivables_sheet_matches_the_receivables_command(chat: Chat) -> None:
    chat.say("export")
    wb = _workbook(chat)
    rows = _rows(wb["Receivables"])
    by_number = {r["On contract"]: r for r in rows}
    # HT-1: 1,000,000 - 400,000 received = 600,000: 300,000 still owed on the second payment (33 days late),
    # 300,000 that no milestone plans yet; HT-2: 300,000 owed on the first payment (54 days late)
    assert by_number["HT-1"]["Outstanding"] == 600_000
    assert by_number["HT-1"]["31–60 days late"] == 300_000 and by_number["HT-1"]["Not scheduled"] == 300_000
    assert by_number["HT-1"]["Overdue total"] == 300_000
    assert by_number["HT-2"]["31–60 days late"] == 300_000
    assert by_number["HT-3"]["Not yet due"] == 200_000 and by_number["HT-3"]["Overdue total"] is None
    assert by_number["Total CNY"]["Outstanding"] == 1_100_000
    headers = {"not_due": "Not yet due", "1_30": "1–30 days late", "31_60": "31–60 days late",
               "61_90": "61–90 days late", "over_90": "Over 90 days late", "unplanned": "Not scheduled"}
    with Session(chat.engine) as s:
        for contract in s.exec(select(Contract)).all():
            expected: dict[str, Decimal] = defaultdict(Decimal)
            for _m, bucket, owed in receivable_parts(s, tenant_id=contract.tenant_id, contract=contract,
                                                     today=date(2027, 3, 15)):
                expected[bucket] += owed
            row = by_number[contract.number]
            for b in BUCKETS:
                assert Decimal(str(row[headers[b]] or 0)) == expected.get(b, Decimal(0)), (contract.number, b)
    assert "31-60 d 600,000.00 CNY" in chat.say("receivables")  # the command's own total agrees


def test_filters_overdue_owner_and_year_choose_the_right_rows(chat: Chat) -> None:
    def numbers_and_titles() -> tuple[list[str], list[tuple[str, str]]]:
        wb = _workbook(chat)
        return ([r["Contract No."] for r in _rows(wb["Contracts"])],
                [(r["Contract No."], r["Milestone"]) for r in _rows(wb["Milestones"])])

    out = chat.say("export overdue")
    assert "Only: overdue" in out and "ledger-2027-03-15-overdue.xlsx" in out
    numbers, titles = numbers_and_titles()
    assert numbers == ["HT-1", "HT-2"]
    # open and past due on 2027-03-15: the part-paid payments and HT-2's renewal notice (10 days before 02-28)
    assert titles == [("HT-1", "second payment"), ("HT-2", "first payment"), ("HT-2", "renewal notice")]

    out = chat.say("export @bob")
    assert "owner @bob" in out
    numbers, titles = numbers_and_titles()
    assert numbers == ["HT-2", "HT-3"]
    assert ("HT-2", "first payment") in titles and ("HT-3", "annual fee") in titles
    assert all(n != "HT-1" for n, _ in titles)
    payments = _rows(_workbook(chat)["Payments"])
    assert [p["Payment No."] for p in payments] == ["P-3"]

    out = chat.say("export 2027")
    assert "2027 (2027-01-01 – 2027-12-31)" in out
    numbers, titles = numbers_and_titles()
    assert numbers == ["HT-1", "HT-2"]  # HT-3 starts in 2028
    assert all(n != "HT-3" for n, _ in titles) and len(titles) == 6

    numbers, titles = (chat.say("export 2028"), numbers_and_titles())[1]
    assert numbers == ["HT-3"] and titles == [("HT-3", "annual fee"), ("HT-3", "renewal notice")]

    chat.say("export overdue @bob 2027")
    numbers, titles = numbers_and_titles()
    assert numbers == ["HT-2"] and titles == [("HT-2", "first payment"), ("HT-2", "renewal notice")]

    assert "No contract matches: overdue · owner @carol" in chat.say("export overdue @carol")
    assert not chat.last[0].documents
    assert "Nobody called @zed" in chat.say("export @zed")
    assert "I can't read “pdf” in an export" in chat.say("export pdf")


def test_chinese_export_speaks_chinese_in_sheets_headers_and_statuses(engine) -> None:  # type: ignore[no-untyped-def]
    clock = Clock(datetime(2027, 1, 2, 2, 0, tzinfo=UTC))
    c = Chat(Core(engine, clock=clock), team="team-zh", user="zhangsan")
    c.say("新建 HT-9 智慧园区管理平台 杭州滨江智谷园区运营有限公司 120万 到期 2027年12月31日 负责人 @王五")
    c.say("节点 HT-9 首付款 30% 2027年1月10日 @王五")
    c.say("节点 HT-9 尾款 70% 2027年6月30日 @赵敏")
    clock.now = datetime(2027, 1, 9, 2, 0, tzinfo=UTC)
    c.say("回款 HT-9 36万 首付款")
    clock.now = datetime(2027, 3, 15, 2, 0, tzinfo=UTC)
    out = c.say("导出")
    assert "台账导出（Excel）：合同 1 · 节点 3 · 回款 1 · 应收 1" in out
    wb = _workbook(c)
    assert wb.sheetnames == ["合同", "节点", "回款", "应收"]
    assert [x.value for x in wb["合同"][1]] == CONTRACT_HEADERS_ZH
    assert [x.value for x in wb["节点"][1]] == MILESTONE_HEADERS_ZH
    [contract] = _rows(wb["合同"])
    assert contract["合同名称"] == "智慧园区管理平台" and contract["客户名称"] == "杭州滨江智谷园区运营有限公司"
    assert contract["合同金额"] == 1_200_000 and contract["负责人"] == "@王五" and contract["合同状态"] == "执行中"
    # a CJK character is two columns wide
    assert wb["合同"].column_dimensions["C"].width >= display_width("杭州滨江智谷园区运营有限公司") == 28
    ms = {r["节点名称"]: r for r in _rows(wb["节点"])}
    assert ms["首付款"]["状态"] == "已完成" and ms["首付款"]["类型"] == "付款" and ms["首付款"]["实收金额"] == 360_000
    assert ms["尾款"]["状态"] == "未完成" and ms["尾款"]["负责人"] == "@赵敏"
    assert [r["状态"] for r in _rows(wb["回款"])] == ["有效"]
    receivables = _rows(wb["应收"])
    assert receivables[0]["未到期"] == 840_000 and receivables[-1]["所属合同"] == "合计 CNY"

    c.say("导出 @赵敏")
    assert [r["节点名称"] for r in _rows(_workbook(c)["节点"])] == ["尾款"]
    c.say("导出 逾期")  # nothing is overdue: 尾款 is due in June
    assert "没有符合条件的合同：逾期" in c.say("导出 逾期")
    c.say("导出 2027年")
    assert len(_rows(_workbook(c)["合同"])) == 1


def test_csv_export_is_a_zip_of_four_utf8_bom_files(chat: Chat) -> None:
    chat.say('new HT-4 "园区平台" 京东 300000 ends 2027-12-31 owner @alice')
    chat.say("milestone HT-4 首付款 100000 due 2027-04-01 owner @alice")
    out = chat.say("export csv")
    assert "Ledger export (CSV, zipped): Contracts 4 · Milestones" in out
    [doc] = chat.last[0].documents
    assert doc.mime == ZIP_MIME and doc.filename == "ledger-2027-03-15.zip"
    with zipfile.ZipFile(io.BytesIO(doc.data)) as zf:
        assert zf.namelist() == ["contracts.csv", "milestones.csv", "payments.csv", "receivables.csv"]
        files = {name: zf.read(name) for name in zf.namelist()}
    for data in files.values():
        assert data.startswith(b"\xef\xbb\xbf")  # the BOM Excel on Windows needs to read UTF-8
    contracts = list(csv.DictReader(io.StringIO(files["contracts.csv"].decode("utf-8-sig"))))
    assert [r["Contract No."] for r in contracts] == ["HT-1", "HT-2", "HT-3", "HT-4"]
    ht4 = contracts[-1]
    assert ht4["Title"] == "园区平台" and ht4["Customer"] == "京东" and ht4["Amount"] == "300000.00"
    assert ht4["End"] == "2027-12-31" and ht4["Currency"] == "CNY"
    assert ht4["Owner"] == "alice"  # "@alice" would be a formula to Excel; a reader makes @alice of the name
    milestones = list(csv.DictReader(io.StringIO(files["milestones.csv"].decode("utf-8-sig"))))
    first = next(r for r in milestones if r["Contract No."] == "HT-4" and r["Milestone"] == "首付款")
    assert first["Amount"] == "100000.00" and first["Due"] == "2027-04-01" and first["Owner"] == "alice"
    assert milestones[0]["Percent"] == "30%" and milestones[0]["Received on"] == "2027-01-05"
    receivables = list(csv.reader(io.StringIO(files["receivables.csv"].decode("utf-8-sig"))))
    assert receivables[0][:2] == ["On contract", "Customer"] and receivables[-1][0] == "Total CNY"


def test_names_that_look_like_formulas_stay_text(chat: Chat) -> None:
    chat.say('new HT-5 "=HYPERLINK(A1)" "+Mallory" 1000 ends 2027-12-31')
    chat.say('new HT-6 "@SUM(A1)" "-Eve" 1000 ends 2027-12-31')
    chat.say("export")
    wb = _workbook(chat)
    assert [r["Contract No."] for r in _rows(wb["Contracts"])][-2:] == ["HT-5", "HT-6"]
    cell = _cells(wb["Contracts"], "Title")[-2]
    assert cell.data_type == "s" and cell.value == "=HYPERLINK(A1)"
    chat.say("export csv")
    with zipfile.ZipFile(io.BytesIO(chat.last[0].documents[0].data)) as zf:
        text = zf.read("contracts.csv").decode("utf-8-sig")
    ht5, ht6 = list(csv.DictReader(io.StringIO(text)))[-2:]
    assert ht5["Title"] == "'=HYPERLINK(A1)" and ht5["Customer"] == "'+Mallory"
    assert ht6["Title"] == "'@SUM(A1)" and ht6["Customer"] == "'-Eve" and ht6["Amount"] == "1000.00"


def test_export_is_scoped_to_the_team_and_open_to_viewers(chat: Chat) -> None:
    chat.say('new HT-1 "Other team" Zeta 999 ends 2027-12-31', team="team-b", user="zoe")
    chat.say("milestone HT-1 secret 50% due 2027-01-01", team="team-b", user="zoe")
    chat.say("export")
    wb = _workbook(chat)
    assert "Zeta" not in [r["Customer"] for r in _rows(wb["Contracts"])]
    assert "secret" not in [r["Milestone"] for r in _rows(wb["Milestones"])]
    assert "Contracts 1 · Milestones 2" in chat.say("export", team="team-b", user="zoe")
    assert [r["Customer"] for r in _rows(_workbook(chat)["Contracts"])] == ["Zeta"]
    # carol is made a viewer: she may not write, but she may export
    assert "viewer" in chat.say("role @carol viewer")
    assert "not allowed" in chat.say("milestone HT-1 extra 2027-05-01", user="carol").lower() or chat.last[0].error
    out = chat.say("export", user="carol")
    assert "Contracts 3" in out and chat.last[0].documents


def test_pages_give_the_same_file_as_one_pass(chat: Chat, monkeypatch: pytest.MonkeyPatch) -> None:
    chat.say("export")
    whole = [[list(r) for r in ws.iter_rows(values_only=True)] for ws in _workbook(chat)]
    monkeypatch.setattr(export_module, "PAGE", 1)
    chat.say("export")
    paged = [[list(r) for r in ws.iter_rows(values_only=True)] for ws in _workbook(chat)]
    assert paged == whole


def test_an_empty_ledger_has_nothing_to_export(engine) -> None:  # type: ignore[no-untyped-def]
    c = Chat(Core(engine))
    assert "There is nothing to export yet" in c.say("export")
    assert not c.last[0].documents


def test_a_sheet_past_excels_row_limit_goes_on_in_a_continuation_sheet(chat: Chat,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(export_module, "MAX_ROWS", 4)  # a header and 3 rows per sheet
    chat.say("export")
    wb = _workbook(chat)
    assert wb.sheetnames == ["Contracts", "Milestones", "Milestones (2)", "Milestones (3)", "Payments",
                             "Receivables", "Receivables (2)"]
    assert [ws.max_row for ws in wb] == [4, 4, 4, 3, 4, 4, 2]
    for ws in wb:
        last = openpyxl.utils.get_column_letter(ws.max_column)
        assert ws.freeze_panes == "A2" and ws.auto_filter.ref == f"A1:{last}{ws.max_row}"
        assert ws["A1"].value in ("Contract No.", "Payment No.", "On contract")
    rolled = [r for name in ("Milestones", "Milestones (2)", "Milestones (3)") for r in _rows(wb[name])]
    assert len(rolled) == 8 and rolled[0]["Milestone"] == "first payment"


def test_a_ledger_reader_reads_the_contracts_and_milestones_sheets_only(chat: Chat) -> None:
    """Not the round trip itself (that needs the importer): the reader sees the two ledger sheets, no errors."""
    chat.say("export")
    [doc] = chat.last[0].documents
    reading = read_ledger(doc.data, doc.filename)
    assert reading.sheets == {"Contracts": "contracts", "Milestones": "milestones"} and not reading.errors
    ht1 = next(c for c in reading.contracts if c.number == "HT-1")
    assert (ht1.title, ht1.counterparty, ht1.amount, ht1.currency, ht1.owner) == (
        "Cloud platform", "Acme", Decimal("1000000.00"), "CNY", "@alice")
    by_name = {m.name: m for m in ht1.milestones}
    assert by_name["first payment"].status == "done" and by_name["first payment"].percent == Decimal("30")
    assert [p.amount for p in by_name["first payment"].payments] == [Decimal("300000.00")]
    assert by_name["second payment"].status == "open" and by_name["delivery"].owner == "@carol"
