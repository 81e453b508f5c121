"""import / 导入 in conversation: preview first, confirm, one audited transaction, idempotent, updates by number.

The sample ledgers are imported into an empty team and the team's ledger is compared with
expected_sample.json field by field.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session, func, select

from handlers.core import Core
from handlers.messages import Attachment
from storage.models import AuditEvent, Contract, LedgerImport, Milestone, Payment, PaymentAllocation, Person, Reminder
from tests.chat import Chat

LEDGERS = Path(__file__).resolve().parents[1] / "fixtures" / "ledgers"
EXPECTED = json.loads((LEDGERS / "expected_sample.json").read_text(encoding="utf-8"))
NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
TABLES = (Contract, Milestone, Payment, PaymentAllocation, Reminder)


@pytest.fixture
def chat(engine) -> Chat:  # type: ignore[no-untyped-def]
    return Chat(Core(engine, clock=lambda: NOW, default_timezone="Asia/Shanghai"))


def attach(name: str) -> tuple[Attachment, ...]:
    return (Attachment(name, (LEDGERS / name).read_bytes()),)


def counts(chat: Chat) -> dict[str, int]:
    with Session(chat.engine) as s:
        return {t.__name__: s.exec(select(func.count()).select_from(t)).one() for t in TABLES}


def ledger_state(chat: Chat) -> dict[str, object]:
    """The team's ledger in the expected file's terms (the bot's own renewal-notice milestones left out)."""
    with Session(chat.engine) as s:
        people = {p.id: p for p in s.exec(select(Person)).all()}

        def who(pid: int | None) -> str | None:
            p = people.get(pid or 0)
            if p is None:
                return None
            name = (p.handle or p.display_name).lower()
            return name if "@" in name else "@" + name

        out = {}
        for c in s.exec(select(Contract).order_by(Contract.id)).all():
            ms = [m for m in s.exec(select(Milestone).where(Milestone.contract_id == c.id).order_by(Milestone.id))
                  if m.created_by_id is not None]
            pays = s.exec(select(Payment, PaymentAllocation.milestone_id).outerjoin(
                PaymentAllocation, PaymentAllocation.payment_id == Payment.id).where(Payment.contract_id == c.id)).all()
            out[c.number] = {
                "title": c.title, "counterparty": c.counterparty, "amount": f"{c.amount:.2f}" if c.amount else None,
                "currency": c.currency, "signed": str(c.signed_on) if c.signed_on else None,
                "start": str(c.start_on) if c.start_on else None, "end": str(c.end_on) if c.end_on else None,
                "owner": who(c.owner_id),
                "milestones": {m.title: {
                    "kind": m.kind, "due": str(m.due_on), "amount": f"{m.amount:.2f}" if m.amount is not None else None,
                    "percent": f"{m.percent.normalize():f}" if m.percent is not None else None, "owner": who(m.owner_id),
                    "status": m.status,
                    "payments": sorted((str(p.received_on), f"{p.amount:.2f}") for p, mid in pays if mid == m.id),
                } for m in ms},
                "unallocated": sorted((str(p.received_on), f"{p.amount:.2f}") for p, mid in pays if mid is None),
            }
        return out


def expected_state(file: dict) -> dict[str, object]:  # type: ignore[type-arg]
    def owner(value: str | None) -> str | None:
        return value.lower() if value else None

    return {c["number"]: {
        "title": c["title"], "counterparty": c["counterparty"], "amount": c["amount"], "currency": c["currency"],
        "signed": c["signed"], "start": c["start"], "end": c["end"], "owner": owner(c["owner"]),
        "milestones": {m["name"]: {
            "kind": m["kind"], "due": m["due"], "amount": m["amount"], "percent": m["percent"],
            "owner": owner(m["owner"]), "status": m["status"],
            "payments": sorted((p["date"], p["amount"]) for p in m["payments"]),
        } for m in c["milestones"]},
        "unallocated": sorted((p["date"], p["amount"]) for p in c["unallocated_payments"]),
    } for c in file["contracts"]}


@pytest.mark.parametrize("file", EXPECTED["files"], ids=lambda f: f["file"])
def test_sample_ledgers_import_exactly_as_expected(chat: Chat, file: dict) -> None:  # type: ignore[type-arg]
    out = chat.say("import", files=attach(file["file"]))
    assert all(v == 0 for v in counts(chat).values()), "a preview writes nothing"
    n = file["counts"]
    assert f"{n['contracts']} new" in out or f"新增 {n['contracts']} 份" in out
    assert f"{n['errors']} rows can't be imported" in out or f"有 {n['errors']} 行无法导入" in out
    for err in file["errors"]:
        assert f"row {err['row']}" in out or f"第 {err['row']} 行" in out
    chat.say("1")  # the first answer: import
    assert ledger_state(chat) == expected_state(file)
    with Session(chat.engine) as s:
        payments = s.exec(select(func.count()).select_from(Payment)).one()
        assert payments == n["payments"]
        event = s.exec(select(AuditEvent).where(AuditEvent.action == "ledger.imported")).one()
        assert file["file"] in (event.after or "")
        row = s.exec(select(LedgerImport)).one()
        assert row.status == "applied"
        # reminders are planned for what is still open
        open_ms = s.exec(select(Milestone.id).where(Milestone.status == "open",
                                                    Milestone.due_on > NOW.date())).all()
        planned = set(s.exec(select(Reminder.milestone_id)).all())
        assert open_ms and set(open_ms) <= planned


def test_importing_the_same_file_again_changes_nothing(chat: Chat) -> None:
    name = EXPECTED["files"][0]["file"]
    chat.say("导入", files=attach(name))
    chat.say("确认")
    before = counts(chat)
    state = ledger_state(chat)
    out = chat.say("import", files=attach(name))
    assert "Nothing to change" in out or "无需更改" in out
    assert counts(chat) == before and ledger_state(chat) == state


def test_an_updated_file_updates_by_number_and_deletes_nothing(chat: Chat) -> None:
    head = ["合同编号", "合同名称", "客户名称", "合同金额(元)", "签订日期", "开始日期", "到期日", "负责人"]
    first = [head, ["HT-9-001", "平台建设", "滨江科技", "500000", "2026-01-05", "2026-01-10", "2027-01-09", "张三"],
             ["HT-9-002", "运维服务", "西湖数据", "120000", "2026-02-01", "2026-02-01", "2027-01-31", "李四"]]
    chat.say("import", files=(Attachment("台账.csv", _csv(first, "gbk")),))
    chat.say("yes")
    second = [head, ["HT-9-001", "平台建设（二期）", "滨江科技", "650000", "2026-01-05", "2026-01-10", "2027-06-30", "张三"]]
    out = chat.say("import", files=(Attachment("台账.csv", _csv(second, "utf-8-sig")),))
    assert "0 new, 1 updated" in out or "新增 0 份，更新 1 份" in out
    chat.say("1")
    by_number = {c.number: c for c in chat.contracts()}
    assert set(by_number) == {"HT-9-001", "HT-9-002"}  # HT-9-002 is left alone, not deleted
    assert by_number["HT-9-001"].title == "平台建设（二期）" and by_number["HT-9-001"].amount == Decimal("650000.00")
    assert str(by_number["HT-9-001"].end_on) == "2027-06-30"
    with Session(chat.engine) as s:
        assert s.exec(select(func.count()).where(AuditEvent.action == "contract.imported")).one() == 1


def test_cancel_and_nothing_to_confirm(chat: Chat) -> None:
    name = EXPECTED["files"][1]["file"]
    chat.say("import", files=attach(name))
    assert "cancelled" in chat.say("import cancel")
    assert all(v == 0 for v in counts(chat).values())
    assert "no ledger waiting" in chat.say("import confirm")
    assert "Send the ledger file" in chat.say("import")


@pytest.mark.parametrize("answer", ["cancel", "取消", "no", "算了"])
def test_answering_cancel_to_the_preview_lets_the_file_go(chat: Chat, answer: str) -> None:
    """The preview says "or cancel": a cancelled preview can't be confirmed later by mistake."""
    name = EXPECTED["files"][1]["file"]
    chat.say("import", files=attach(name))
    out = chat.say(answer)
    assert "cancelled" in out or "已取消" in out, out
    assert "no ledger waiting" in chat.say("import confirm")
    assert all(v == 0 for v in counts(chat).values())


def test_a_file_that_is_not_a_ledger_is_refused(chat: Chat) -> None:
    out = chat.say("import", files=(Attachment("notes.txt", b"hello, world\nnothing here\n"),))
    assert "can't read notes.txt" in out
    assert chat.last[0].error


def test_viewers_cannot_import_and_teams_do_not_mix(chat: Chat) -> None:
    name = EXPECTED["files"][1]["file"]
    chat.say("import", files=attach(name))
    chat.say("1")
    other = chat.say("import", files=attach(name), team="team-b")
    assert "6 new" in other  # the other team's ledger is its own
    chat.say("role @carol viewer")
    assert "only read" in chat.say("import", files=attach(name), user="carol").lower() or chat.last[0].error


def _csv(rows: list[list[str]], encoding: str) -> bytes:
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    return buf.getvalue().encode(encoding)


@pytest.mark.parametrize("fmt", ["", "csv"])
def test_an_export_imports_back_into_the_same_ledger(chat: Chat, fmt: str) -> None:
    name = EXPECTED["files"][0]["file"]
    chat.say("导入", files=attach(name))
    chat.say("确认")
    chat.say("milestone HT-2026-001 training 2027-03-01 owner @bob")
    chat.say("paid HT-2026-001 1000 on 2026-11-30")  # money no milestone took
    original = ledger_state(chat)
    chat.say(f"export {fmt}".strip())
    [doc] = chat.last[0].documents
    assert doc.filename.endswith(".zip" if fmt == "csv" else ".xlsx")
    fresh = Chat(chat.core, team="team-copy")
    out = fresh.say("import", files=(Attachment(doc.filename, doc.data),))  # the zip of CSVs is read as one ledger
    assert "can't be imported" not in out and "无法导入" not in out
    fresh.say("1")
    assert ledger_state(fresh) == original


TITLES = ["平台建设", "运维服务", "Data platform", "年度技术服务", "Support renewal"]
PARTIES = ["滨江科技有限公司", "Globex Corporation", "西湖数据股份有限公司", "Initech Ltd"]
STEPS = [("首付款", 30), ("中期款", 40), ("交付验收", None), ("尾款", 20), ("质保金", 10)]


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(TITLES), st.sampled_from(PARTIES), st.integers(10, 900),
                          st.integers(0, 300), st.lists(st.booleans(), min_size=5, max_size=5),
                          st.sampled_from(["alice", "bob", "王五"])), min_size=1, max_size=4),
       st.sampled_from(["", "csv"]))
def test_export_then_import_is_the_identity(engine, contracts, fmt) -> None:  # type: ignore[no-untyped-def]
    """Any ledger typed into the bot, exported and imported into an empty team, is the same ledger."""
    from sqlalchemy import text

    from storage.models import SQLModel

    with engine.begin() as conn:  # hypothesis reuses the database: start each example empty
        for table in reversed(SQLModel.metadata.sorted_tables):
            conn.execute(text(f'DELETE FROM "{table.name}"'))
    chat = Chat(Core(engine, clock=lambda: NOW, default_timezone="Asia/Shanghai"))
    for i, (title, party, wan, start, done, owner) in enumerate(contracts):
        number = f"HT-P-{i:03d}"
        begin = date(2026, 1, 1) + timedelta(days=start)
        chat.say(f'new {number} "{title}" "{party}" {wan * 10000} starts {begin} ends {begin + timedelta(days=365)} '
                 f"owner @{owner}")
        for k, ((name, pct), finished) in enumerate(zip(STEPS, done, strict=True)):
            due = begin + timedelta(days=60 * (k + 1))
            chat.say(f"milestone {number} {name} {f'{pct}% ' if pct else ''}due {due} owner @{owner}")
            if finished and pct:
                chat.say(f"paid {number} {wan * 100 * pct} on {min(due, NOW.date())} for {name}")
            elif finished:
                chat.say(f"done {number} {name}")
    original = ledger_state(chat)
    assert len(original) == len(contracts)
    assert all(len(c["milestones"]) == len(STEPS) for c in original.values())  # type: ignore[attr-defined]
    assert sum(m["status"] == "done" for c in original.values() for m in c["milestones"].values()) == sum(
        sum(d) for *_, d, _ in contracts)  # type: ignore[attr-defined]
    chat.say(f"export {fmt}".strip())
    [doc] = chat.last[0].documents
    copy = Chat(chat.core, team="team-copy")
    copy.say("import", files=(Attachment(doc.filename, doc.data),))
    copy.say("1")
    assert ledger_state(copy) == original


def test_owners_given_by_address_get_it_as_their_e_mail(chat: Chat) -> None:
    chat.say("email @bob bob@example.com")  # bob already has this address: the ledger means him
    rows = [["合同编号", "合同名称", "客户", "合同金额", "到期日", "负责人"],
            ["HT-2027-001", "平台建设", "滨江科技", "100000", "2027-12-31", "CFO@Example.com"],
            ["HT-2027-002", "运维服务", "西湖数据", "50000", "2027-12-31", "bob@example.com"]]
    chat.say("import", files=(Attachment("ledger.csv", _csv(rows, "utf-8")),))
    chat.say("1")
    with Session(chat.engine) as s:
        people = {p.handle: p for p in s.exec(select(Person)).all()}
        owners = {c.number: c.owner_id for c in s.exec(select(Contract)).all()}
    assert people["cfo@example.com"].email == "cfo@example.com"  # reachable by e-mail from now on
    assert owners["HT-2027-002"] == people["bob"].id and "bob@example.com" not in people
