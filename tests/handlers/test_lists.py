"""Paged lists: 20 a page by due date, the total and the page in the title, the next page typed or pressed."""

from __future__ import annotations

import random
import re
from datetime import date, timedelta

import pytest

from handlers import commands
from handlers.core import Core
from handlers.messages import IncomingAction, Sender
from handlers.replies import Reply, plain, reply_text
from tests.chat import Chat
from tests.conftest import NOW


def _wired() -> bool:
    """The registry reads a list alias with its page (逾期 第2页), and a bare 下一页, through grammar._parse_list."""
    if not commands.split_verb("下一页")[0]:
        return False
    return getattr(commands.parse("逾期 第2页", now=NOW, tz="UTC").command, "page", 1) == 2


needs_wiring = pytest.mark.skipif(not _wired(), reason="registry aliases not wired to grammar._parse_list yet")

START = date(2026, 9, 1)  # 45 milestones due on 45 days from here, all before today (2026-11-27)


@pytest.fixture
def chat(engine, clock) -> Chat:  # type: ignore[no-untyped-def]
    return Chat(Core(engine, clock=clock))


def overdue_ledger(chat: Chat, team: str = "team-a", count: int = 45) -> None:
    """A contract with ``count`` overdue milestones m00, m01 … (due on consecutive days), added in shuffled order."""
    chat.say('new HT-1 "ERP" Contoso 1,000,000', team=team)
    order = list(range(count))
    random.Random(5).shuffle(order)
    for k in order:
        out = chat.say(f"milestone HT-1 m{k:02d} due {START + timedelta(days=k)} owner @alice", team=team)
        assert "Milestone added" in out, out


def items(reply: Reply) -> list[str]:
    """The milestone names on a page, in the order shown."""
    return [re.search(r"\bm\d\d\b", plain(line)).group() for line in reply.lines]  # type: ignore[union-attr]


def commands_of(reply: Reply) -> dict[str, str]:
    return {a.label: a.command or "" for a in reply.actions}


def test_overdue_is_paged_by_due_date_with_the_total(chat: Chat) -> None:
    overdue_ledger(chat)
    out = chat.say("list overdue")
    [page] = chat.last
    assert page.title == "Overdue milestones (45) · page 1/3"
    assert items(page) == [f"m{k:02d}" for k in range(20)]  # by due date, not in the order they were added
    assert "next: list overdue page 2" in out
    assert commands_of(page) == {"Next ▸": "list overdue page 2"}
    chat.say("list overdue page 2")
    assert items(chat.last[0]) == [f"m{k:02d}" for k in range(20, 40)]
    assert commands_of(chat.last[0]) == {"◂ Previous": "list overdue", "Next ▸": "list overdue page 3"}
    out = chat.say("list overdue page 3")
    [last] = chat.last
    assert last.title == "Overdue milestones (45) · page 3/3"
    assert items(last) == ["m40", "m41", "m42", "m43", "m44"]
    assert commands_of(last) == {"◂ Previous": "list overdue page 2"} and "next:" not in out


def test_a_short_list_is_one_page_as_before(chat: Chat) -> None:
    overdue_ledger(chat, count=3)
    out = chat.say("list overdue")
    assert chat.last[0].title == "Overdue milestones (3)" and not chat.last[0].actions
    assert "page" not in out
    assert "My open milestones (3)" in chat.say("list mine")


def test_next_page_in_chinese_continues_the_last_list(chat: Chat) -> None:
    overdue_ledger(chat)
    out = chat.say("逾期")
    assert "逾期节点（45） · 第1/3页" in out and "下一页：列表 逾期 第2页" in out
    out = chat.say("列表 下一页")
    assert "逾期节点（45） · 第2/3页" in out
    assert items(chat.last[0]) == [f"m{k:02d}" for k in range(20, 40)]
    assert commands_of(chat.last[0]) == {"◂ 上一页": "列表 逾期", "下一页 ▸": "列表 逾期 第3页"}
    assert "第1/3页" in chat.say("列表 上一页")
    assert "page 3/3" in chat.say("list overdue page 3")
    assert "page 2/3" in chat.say("list previous page")
    assert "m40" in chat.say("list next page") and "There is no page 4" in chat.say("list next page")


@needs_wiring
def test_bare_next_page_and_a_page_after_an_alias(chat: Chat) -> None:
    overdue_ledger(chat)
    chat.say("逾期")
    assert "逾期节点（45） · 第2/3页" in chat.say("下一页")
    assert "第3/3页" in chat.say("逾期 第3页")
    assert "page 2/3" in chat.say("overdue page 2")
    assert "page 3/3" in chat.say("next page")
    assert "page 2/3" in chat.say("previous page")


def test_past_the_last_page_says_which_is_the_last(chat: Chat) -> None:
    overdue_ledger(chat)
    out = chat.say("list overdue page 4")
    assert out.startswith("⚠️ There is no page 4: the last page is 3 (45 in all).")
    assert "Example: list overdue page 3" in out and chat.last[0].error
    out = chat.say("列表 逾期 第9页")
    assert "没有第9页：最后一页是第3页（共 45 项）" in out and "例如：列表 逾期 第3页" in out
    chat.say("list overdue page 3")
    assert "There is no page 4" in chat.say("list next")
    chat.say("list overdue")
    assert "This is the first page already." in chat.say("list previous")
    assert "page 1/3" in chat.say("list overdue page 0")  # no such page: read freely, as the list itself
    assert "Nothing is overdue." in chat.say("list overdue page 2", team="team-b", user="bob")


def test_next_without_a_list_asks_for_one(chat: Chat) -> None:
    out = chat.say("list next")
    assert "There is no list to turn the page of here yet" in out and "Example: list overdue" in out


def test_the_next_button_shows_the_next_page_to_whoever_presses_it(chat: Chat) -> None:
    overdue_ledger(chat)
    chat.say("list overdue")
    [nxt] = chat.last[0].actions
    out = chat.core.act(IncomingAction(platform="console", tenant_key="team-a", key=nxt.key, chat_id="team-a",
                                       sender=Sender(user_id="bob", handle="bob")))
    assert out[0].title == "Overdue milestones (45) · page 2/3"
    assert items(out[0]) == [f"m{k:02d}" for k in range(20, 40)]
    # bob's next page follows from the page the button showed him
    assert "page 3/3" in chat.say("list next", user="bob")
    # the key means nothing in another team
    out = chat.core.act(IncomingAction(platform="console", tenant_key="team-b", key=nxt.key, chat_id="team-b",
                                       sender=Sender(user_id="bob", handle="bob")))
    assert out[0].error and "Overdue" not in reply_text(out[0])


def test_teams_and_chats_page_separately(chat: Chat) -> None:
    overdue_ledger(chat)
    overdue_ledger(chat, team="team-b", count=3)
    assert chat.say("list overdue", team="team-b").count("• ") == 3
    assert "Overdue milestones (3)" in chat.say("list overdue", team="team-b")
    chat.say("list overdue page 2")
    assert "There is no list to turn the page of here yet" in chat.say("list next", team="team-c")
    assert "There is no page 2" in chat.say("list next", team="team-b")  # team-b's own list has one page
    assert "page 3/3" in chat.say("list next")  # team-a's list continues where it was


def test_mine_and_week_are_paged_too(chat: Chat) -> None:
    overdue_ledger(chat)
    assert "My open milestones (45) · page 1/3" in chat.say("list mine")
    assert "page 3/3" in chat.say("list mine page 3")
    assert "My open milestones" not in chat.say("list mine", user="bob")  # bob owns none of them
    monday = date(2026, 11, 23)
    for k in range(25):
        chat.say(f"milestone HT-1 w{k:02d} due {monday + timedelta(days=k % 7)} owner @bob")
    out = chat.say("list due this week page 2")
    assert "Due this week, Mon 2026-11-23 – Sun 2026-11-29 (25) · page 2/2" in out
    assert out.count("• ") == 5


def test_contracts_are_paged_ending_next_first(chat: Chat) -> None:
    today = date(2026, 11, 27)
    ends = [today + timedelta(days=d) for d in (400, 3, 30, -10, -400, 0)]
    for i, end in enumerate(ends):
        chat.say(f"new HT-{i} Deal-{i} Acme {1000 + i} ends {end}")
    for i in range(6, 25):
        chat.say(f"new HT-{i:02d} Deal-{i} Acme 1000")
    out = chat.say("list")
    [page] = chat.last
    assert page.title == "Contracts (25) · page 1/2"
    numbers = [plain(line).split(" ")[1] for line in page.lines]
    # ending today or later (soonest first), then those that ended (latest first), then those without an end
    assert numbers[:6] == ["HT-5", "HT-1", "HT-2", "HT-0", "HT-3", "HT-4"]
    assert numbers[6:] == [f"HT-{i:02d}" for i in range(6, 20)]
    assert "next: list page 2" in out and commands_of(page) == {"Next ▸": "list page 2"}
    chat.say("列表 第2页")
    assert [plain(line).split(" ")[1] for line in chat.last[0].lines] == [f"HT-{i:02d}" for i in range(20, 25)]
    assert chat.last[0].title == "合同（25） · 第2/2页"


def test_a_page_of_long_names_fits_any_platform(chat: Chat) -> None:
    """20 lines of the longest names the ledger keeps stay under Telegram's 4,096 characters and Slack's 3,000."""
    name = "長" * 200 + "x" * 55  # 255 characters, the longest title, counterparty or milestone name
    handle = "h" * 64  # the longest platform user id a sender can have (Telegram and Slack ids are far shorter)
    for i in range(21):
        number = f"HT-{i:02d}-" + "9" * 58  # 64 characters, the longest number
        out = chat.say(f'new {number} "{name}" "{name}" 999,999,999,999 CNY ends 2027-01-{i + 1:02d} owner @{handle}')
        assert "⚠️" not in out, out
        out = chat.say(f"milestone {number} {name} 33.3333% due 2026-10-{i + 1:02d} owner @{handle}")
        assert "⚠️" not in out, out
    for line in ("list", "list overdue", "list mine", "列表", "列表 逾期"):
        chat.say(line, user=handle)
        [reply] = chat.last
        assert len(reply.lines) == 20
        text = reply_text(reply)
        assert len(text) < 4096, (line, len(text))
        assert max(len(plain(x)) for x in reply.lines) < 250
        assert len("\n".join(plain(x) for x in reply.lines)) < 3000 * 2  # the renderer's sections: two at most
        assert all(len(a.command or "") < 64 for a in reply.actions)


def test_show_suggests_numbers_from_the_index_not_the_whole_team(chat: Chat) -> None:
    for i in range(1, 31):
        chat.say(f"new HT-2026-{i:03d} Deal Acme 1000")
    out = chat.say("show HT-2026-O12")  # a letter O for a zero
    assert "Did you mean HT-2026-012" in out
    out = chat.say("show HT-2026-01")  # a digit short: three of those one digit away
    suggested = re.search(r"Did you mean (.+)\?", out).group(1).split(", ")  # type: ignore[union-attr]
    assert len(suggested) == 3 and all(re.fullmatch(r"HT-2026-0\d\d", n) for n in suggested)
    assert "Did you mean" not in chat.say("show ZZ-9")
    assert "Did you mean" not in chat.say("show HT-2026-012", team="team-b", user="bob")
