"""Every row of the public command-understanding set: free phrasing has the effect of the README command it means.

Each row starts from the same team state (the file's preamble) at the file's fixed clock. A ``means`` command is
compared by its effect: the phrase is typed in one team, the README command in another, and the two ledgers must
be the same. A question's answer must state the fact; a refusal must write nothing and answer in the phrase's
language. When the bot asks first (an ambiguous name or date), the test gives the obvious answer, "yes".
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import Session, select

from handlers.commands import split_verb
from handlers.core import Core
from handlers.understand import normalise
from storage.models import ChangeRequest, Contract, Milestone, Payment, Person, Tenant
from tests.chat import Chat

SHARED = Path(__file__).resolve().parents[2].parent / "shared/data/commands_public.tsv"
FIXTURE = Path(__file__).resolve().parents[1] / "fixtures/commands_public.tsv"
SOURCE = SHARED if SHARED.exists() else FIXTURE

# 2027-01-13 10:00 in Shanghai
NOW = datetime(2027, 1, 13, 2, 0, tzinfo=UTC)


def _load() -> tuple[list[tuple[str, str]], list[tuple[str, str, str]]]:
    preamble: list[tuple[str, str]] = []
    rows: list[tuple[str, str, str]] = []
    in_preamble = False
    for raw in SOURCE.read_text(encoding="utf-8").splitlines():
        if raw.startswith("#"):
            body = raw[1:].strip()
            if body.lower().startswith("preamble"):
                in_preamble = True
                continue
            if in_preamble and raw.startswith("#   ") and body:
                preamble.append(("李雷" if re.search(r"[\u4e00-\u9fff]", body.split(" ")[0]) else "amy", body))
                continue
            in_preamble = False
            continue
        if not raw.strip() or raw.startswith("lang\t"):
            continue
        lang, phrase, means = raw.split("\t")
        rows.append((lang, phrase, means))
    return preamble, rows


PREAMBLE, ROWS = _load()


def _setup(chat: Chat, team: str) -> None:
    for user, line in PREAMBLE:
        out = chat.say(line, user=user, team=team)
        assert "⚠️" not in out, (line, out)


def _state(chat: Chat, team: str) -> dict[str, object]:
    """Everything a command may write in a team, without ids and timestamps."""
    with Session(chat.engine) as s:
        tenant = s.exec(select(Tenant).where(Tenant.external_id == team)).one()
        people = {p.id: p.handle for p in s.exec(select(Person).where(Person.tenant_id == tenant.id))}
        contracts = s.exec(select(Contract).where(Contract.tenant_id == tenant.id).order_by(Contract.number)).all()
        numbers = {c.id: c.number for c in contracts}
        ms = s.exec(select(Milestone).where(Milestone.tenant_id == tenant.id)).all()
        titles = {m.id: m.title for m in ms}
        return {
            "contracts": sorted(
                (c.number, c.title, c.counterparty, str(c.amount), c.currency, str(c.end_on), str(c.start_on),
                 str(c.signed_on), c.status, people.get(c.owner_id), c.notice_days, c.auto_renew)
                for c in contracts),
            "milestones": sorted(
                (numbers[m.contract_id], m.title, m.kind, str(m.due_on), people.get(m.owner_id), str(m.amount),
                 str(m.percent), m.status, str(m.snoozed_until))
                for m in ms),
            "payments": sorted(
                (numbers[p.contract_id], str(p.amount), p.currency, str(p.received_on), str(p.reversed_at))
                for p in s.exec(select(Payment).where(Payment.tenant_id == tenant.id))),
            "changes": sorted(
                (numbers[c.contract_id], titles.get(c.milestone_id), c.field, c.old_value, c.new_value, c.reason,
                 c.status)
                for c in s.exec(select(ChangeRequest).where(ChangeRequest.tenant_id == tenant.id))),
        }


def _say(chat: Chat, text: str, user: str, team: str, lang: str) -> str:
    """Type a line; when the bot asks first, give the obvious answer."""
    out = chat.say(text, user=user, team=team)
    if chat.last and chat.last[0].actions and any(a.kind == "answer" for a in chat.last[0].actions):
        out = chat.say("yes" if lang == "en" else "是", user=user, team=team)
    return out


@pytest.fixture
def chat(engine) -> Chat:  # type: ignore[no-untyped-def]
    return Chat(Core(engine, clock=lambda: NOW, default_timezone="Asia/Shanghai"))


def _facts(answer: str) -> list[str]:
    """The checkable pieces of an expected answer: amounts, dates, day counts, @handles, contract numbers."""
    return re.findall(r"\d{1,3}(?:,\d{3})+\.\d{2}|\d{4}-\d{2}-\d{2}|@\S+|HT-\d{4}-\d{3}|\d+(?= days)", answer)


@pytest.mark.parametrize(("lang", "phrase", "means"), ROWS, ids=[f"{i:03d}" for i in range(len(ROWS))])
def test_public_phrase(chat: Chat, lang: str, phrase: str, means: str) -> None:
    user = "amy" if lang == "en" else "李雷"
    _setup(chat, "typed")
    before = _state(chat, "typed")
    out = _say(chat, phrase, user, "typed", lang)
    after = _state(chat, "typed")
    if means.startswith("answer:"):
        assert after == before, f"a question wrote something: {out}"
        for fact in _facts(means):
            assert fact in out, (fact, out)
        if "nothing overdue" in means:
            assert ("nothing overdue" in out) or ("没有逾期" in out), out
        if re.search(r"not (?:paid|yet)", means):
            assert "not paid" in out or "还没收到" in out, out
        return
    if means.startswith("refuse:"):
        assert after == before, f"a refused line wrote something: {out}"
        assert "⚠️" in out or "?" in out or "？" in out, out
        if lang == "zh":
            assert re.search(r"[\u4e00-\u9fff]", out), out
        return
    _setup(chat, "readme")
    expected_out = chat.say(means, user=user, team="readme")
    assert "⚠️" not in expected_out, (means, expected_out)
    assert after == _state(chat, "readme"), out
    if after == before:
        # a read (show, list, receivables): the same facts as the README command's answer (in either language)
        for fact in _facts(expected_out):
            assert fact in out, (fact, out)
    elif not split_verb(normalise(phrase))[0]:
        assert "Read as:" in out or "理解为：" in out, out
