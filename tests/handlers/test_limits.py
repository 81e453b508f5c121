"""Limits on input (issue #11): each one is stated with its limit, and a refused line writes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, select

from handlers.core import Core
from storage.models import Payment, Person, Tenant
from tests.chat import Chat

CONTROL = "".join(chr(c) for c in (*range(0x00, 0x20), *range(0x7F, 0xA0)))


@pytest.fixture
def chat(engine, clock) -> Chat:  # type: ignore[no-untyped-def]
    return Chat(Core(engine, clock=clock))


def _everything(engine: Engine) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table: what a refused command must leave as it was."""
    with Session(engine) as s:
        return {t.name: sorted((tuple(r) for r in s.execute(text(f'SELECT * FROM "{t.name}"')).all()), key=repr)
                for t in SQLModel.metadata.sorted_tables}


def _refused(chat: Chat, line: str, *needles: str) -> str:
    """Say a line that must be refused: a warning naming the limit, and not one row written or changed."""
    before = _everything(chat.engine)
    out = chat.say(line)
    assert out.startswith("⚠️"), out
    for needle in needles:
        assert needle in out, out
    assert _everything(chat.engine) == before
    return out


def _team(chat: Chat, lang: str) -> None:
    """alice (admin) with contract HT-1 (1,000,000) and its milestone deposit / 首付款 (10,000)."""
    if lang == "en":
        chat.say("help")
        chat.say('new HT-1 "Acme license" Acme 1,000,000 ends 2027-12-31')
        chat.say("milestone HT-1 deposit 10000 due 2027-01-10")
    else:
        chat.say("帮助")
        chat.say("新建 HT-1 华为云采购 华为 100万 到期 2027年12月31日")
        chat.say("节点 HT-1 首付款 10000 2027年1月10日")
    assert len(chat.contracts()) == 1 and len(chat.milestones()) == 1


# --- control characters -----------------------------------------------------------------------------


@pytest.mark.parametrize(("line", "title", "party"), [
    ('new HT-7 "Acme\x00 lic\x07ense" Acme\tCorp 1,000 ends 2027-12-31', "Acme license", "Acme Corp"),
    ("新建 HT-7 “华为\x00云\x1b采购” 华\u202e为 100万 到期\n2027年12月31日", "华为云采购", "华为"),
])
def test_control_characters_never_reach_the_ledger(chat: Chat, line: str, title: str, party: str) -> None:
    chat.say("help")
    chat.say(line)
    [c] = chat.contracts()
    assert (c.title, c.counterparty, c.end_on.isoformat() if c.end_on else None) == (title, party, "2027-12-31")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_tabs_and_newlines_in_a_note_are_spaces(chat: Chat, lang: str) -> None:
    _team(chat, lang)
    if lang == "en":
        chat.say("note HT-1 deposit: invoice\nsent\tto\x00 Acme\r\n")
        expected = "invoice sent to Acme"
    else:
        chat.say("备注 HT-1 首付款：发票\n已\x00寄出\t给华为")
        expected = "发票 已寄出 给华为"
    [m] = chat.milestones()
    assert m.note is not None and m.note.endswith(expected)
    assert not any(ch in CONTROL for ch in m.note.replace("\n", ""))


@pytest.mark.parametrize(("lang", "ask", "answer"), [
    ("en", "milestone HT-1 balance 5000", "2027-02-10\x00\t"),
    ("zh", "节点 HT-1 尾款 5000", "2027年2月10日\x00\n"),
])
def test_an_answer_to_a_question_is_cleaned_too(chat: Chat, lang: str, ask: str, answer: str) -> None:
    _team(chat, lang)
    chat.say(ask)  # no due date: the bot asks for one
    chat.say(answer)
    titles = {m.title: m.due_on.isoformat() for m in chat.milestones()}
    assert titles[ask.split(" ")[2]] == "2027-02-10"


def test_a_line_of_only_control_characters_is_empty(chat: Chat) -> None:
    chat.say("help")
    before = _everything(chat.engine)
    out = chat.say("\x00\x01\x02\x7f")
    assert "commands" in out and _everything(chat.engine) == before


# --- names over the column limit ----------------------------------------------------------------------


@pytest.mark.parametrize(("lang", "line", "needle"), [
    ("en", "milestone HT-1 " + "A" * 256 + " due 2027-02-10", "Milestone is too long: at most 255 characters"),
    ("en", 'milestone HT-1 "' + "A" * 300 + '" due 2027-02-10', "at most 255 characters"),
    ("zh", "节点 HT-1 " + "款" * 256 + " 2027年2月10日", "节点太长：最多 255 个字符"),
])
def test_a_milestone_name_over_the_limit_is_refused(chat: Chat, lang: str, line: str, needle: str) -> None:
    _team(chat, lang)
    _refused(chat, line, needle)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_milestone_name_at_the_limit_is_kept_whole(chat: Chat, lang: str) -> None:
    _team(chat, lang)
    name = ("B" if lang == "en" else "款") * 255
    chat.say(f"milestone HT-1 {name} due 2027-02-10" if lang == "en" else f"节点 HT-1 {name} 2027年2月10日")
    assert name in {m.title for m in chat.milestones()}


# The README form of `new` is read by handlers/understand.py, which still cuts names at 255 before the use case
# sees them; these pass once its two `[:255]` cuts (AddMilestone / NewContract) are dropped.


@pytest.mark.parametrize(("line", "needle"), [
    ('new HT-2 "' + "A" * 256 + '" Acme 1,000 ends 2027-12-31', "Title is too long: at most 255 characters"),
    ('new HT-2 "Acme license" "' + "C" * 300 + '" 1,000 ends 2027-12-31', "Counterparty is too long"),
    ("新建 HT-2 “" + "华" * 256 + "” 华为 100万 到期 2027年12月31日", "名称太长：最多 255 个字符"),
    ("新建 HT-2 “华为云采购” “" + "华" * 300 + "” 100万 到期 2027年12月31日", "对方太长：最多 255 个字符"),
])
def test_a_contract_name_over_the_limit_is_refused(chat: Chat, line: str, needle: str) -> None:
    chat.say("help")
    _refused(chat, line, needle)


def test_a_free_phrased_milestone_name_over_the_limit_is_refused(chat: Chat) -> None:
    _team(chat, "en")
    _refused(chat, "add a milestone to HT-1 called " + "A" * 300 + " due 2027-02-10", "at most 255 characters")


# --- @handles -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("lang", "line", "needle"), [
    ("en", "milestone HT-1 balance due 2027-02-10 owner @" + "h" * 129, "That @name is too long: at most 128"),
    ("en", "reassign HT-1 deposit @" + "h" * 200, "at most 128 characters"),
    ("en", "settings escalation 5 @" + "b" * 129, "at most 128 characters"),
    ("en", "milestone HT-1 balance due 2027-02-10 owner <@" + "U" * 65 + ">", "at most 64 characters"),
    ("zh", "节点 HT-1 尾款 2027年2月10日 @" + "张" * 129, "这个 @名字太长：最多 128 个字符"),
    ("zh", "转交 HT-1 首付款 @" + "王" * 129, "最多 128 个字符"),
])
def test_a_handle_over_the_limit_is_refused(chat: Chat, lang: str, line: str, needle: str) -> None:
    _team(chat, lang)
    _refused(chat, line, needle)


def test_a_handle_at_the_limit_is_kept(chat: Chat) -> None:
    _team(chat, "en")
    chat.say("milestone HT-1 balance due 2027-02-10 owner @" + "h" * 128)
    with Session(chat.engine) as s:
        assert s.exec(select(Person).where(Person.handle == "h" * 128)).one() is not None


# --- payment notes ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("lang", "line", "needle"), [
    ("en", "paid HT-1 5000 note " + "n" * 1001, "keep it under 1000 characters"),
    ("zh", "回款 HT-1 5000 备注 " + "注" * 1001, "请控制在 1000 字以内"),
])
def test_a_payment_note_over_the_limit_is_refused(chat: Chat, lang: str, line: str, needle: str) -> None:
    _team(chat, lang)
    _refused(chat, line, needle)


def test_a_payment_note_at_the_limit_is_kept(chat: Chat) -> None:
    _team(chat, "en")
    chat.say("paid HT-1 5000 note " + "n" * 1000)
    with Session(chat.engine) as s:
        [p] = s.exec(select(Payment)).all()
    assert p.note == "n" * 1000


# --- day counts ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("line", "needle"), [
    ("settings overdue -1", "use a whole number of days from 1 to 90"),
    ("settings overdue 1e9", "from 1 to 90"),
    ("settings overdue 1.5", "from 1 to 90"),
    ("settings overdue 91", "from 1 to 90"),
    ("settings overdue " + "9" * 5000, "from 1 to 90"),
    ("settings escalation -7", "use a whole number of days from 1 to 365"),
    ("settings escalation 1e9", "from 1 to 365"),
    ("settings escalation -7 @boss", "from 1 to 365"),
    ("settings stages -1,7", "give at most 6 days, each a whole number from 1 to 365"),
    ("设置 逾期 -1", "请填 1 到 90 之间的整数天数"),
    ("设置 逾期 1e9", "1 到 90"),
    ("设置 升级 -7", "请填 1 到 365 之间的整数天数"),
    ("设置 升级 1e9 @老板", "1 到 365"),
    ("设置 提醒 -1,7", "最多 6 个天数，每个为 1 到 365 之间的整数"),
])
def test_a_day_count_out_of_range_is_refused_with_the_range(chat: Chat, line: str, needle: str) -> None:
    chat.say("help")
    _refused(chat, line, needle)
    with Session(chat.engine) as s:
        [team] = s.exec(select(Tenant)).all()
    assert (team.overdue_every_days, team.escalate_after_days, team.reminder_offsets) == (3, 7, "7,3")


@pytest.mark.parametrize(("line", "overdue", "escalation"), [
    ("settings overdue 2", 2, 7),
    ("settings overdue every 4 days", 4, 7),
    ("设置 逾期 每5天", 5, 7),
    ("settings escalation 5 @boss", 3, 5),
    ("settings escalation 10 days nobody", 3, 10),
    ("设置 升级 5天 @老板", 3, 5),
])
def test_day_counts_in_range_still_read(chat: Chat, line: str, overdue: int, escalation: int) -> None:
    chat.say("help")
    assert not chat.say(line).startswith("⚠️")
    with Session(chat.engine) as s:
        [team] = s.exec(select(Tenant)).all()
    assert (team.overdue_every_days, team.escalate_after_days) == (overdue, escalation)


@pytest.mark.parametrize(("lang", "line", "needle"), [
    ("en", "remind HT-1 deposit -1,7", "each from 1 to 365"),
    ("en", "remind HT-1 deposit 7,-1", "each from 1 to 365"),
    ("en", "remind HT-1 deposit 1e9", "each from 1 to 365"),
    ("en", "remind HT-1 deposit 1.5", "each from 1 to 365"),
    ("en", "remind HT-1 -1,7", "each from 1 to 365"),
    ("en", "remind HT-1 deposit " + "9" * 5000, "each from 1 to 365"),
    ("zh", "提醒 HT-1 首付款 -1,7", "每个在 1 到 365 之间"),
    ("zh", "提醒 HT-1 首付款 1e9", "每个在 1 到 365 之间"),
    ("zh", "提醒 HT-1 -1,7天", "每个在 1 到 365 之间"),
])
def test_reminder_days_out_of_range_are_refused(chat: Chat, lang: str, line: str, needle: str) -> None:
    _team(chat, lang)
    _refused(chat, line, needle)
    assert [m.reminder_offsets for m in chat.milestones()] == [None]
    assert [c.reminder_offsets for c in chat.contracts()] == [None]


@pytest.mark.parametrize(("lang", "line"), [("en", "remind HT-1 deposit 14,7,1"), ("zh", "提醒 HT-1 首付款 14，7，1天")])
def test_reminder_days_in_range_still_read(chat: Chat, lang: str, line: str) -> None:
    _team(chat, lang)
    chat.say(line)
    assert [m.reminder_offsets for m in chat.milestones()] == ["14,7,1"]


def test_a_busy_database_says_try_again_in_the_users_language(engine, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy.exc import OperationalError

    from handlers import commands
    from handlers.core import Core
    from tests.chat import Chat

    chat = Chat(Core(engine))

    def busy(ctx, command):  # type: ignore[no-untyped-def]
        raise OperationalError("UPDATE contracts", {}, Exception("database is locked"))

    monkeypatch.setattr(commands, "run", busy)
    assert "busy; please try again in a moment" in chat.say("list")
    assert "数据库正忙，请稍后再试" in chat.say("列表")
