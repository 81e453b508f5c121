"""Every reply fits the platform: Slack at most 50 blocks and 3,000 characters a section, Telegram at most 4,096
characters (UTF-16 code units, as Telegram counts) a message; what does not fit is cut with "…" and a hint."""

from __future__ import annotations

import html
import re

from bot.slack import render as slack
from bot.telegram.render import MAX_PARTS, MAX_TEXT, chunks, fit, tg_len
from bot.telegram.send import EDIT_MESSAGE, SEND_MESSAGE, edit_calls, message_calls
from handlers.replies import Action, Field, PersonRef, Reply
from tests.fakes.slack_api import block_problem

LONG_LINE = "HT-2026-{i:04d} Acme annual license & support <contract> · first payment 30% · due Fri 2026-12-04"


def big_reply(lines: int = 2000, lang: str = "en") -> Reply:
    reply = Reply(title="Contracts (2000)", lang=lang,
                  fields=[Field(f"Field {i}", (f"value {i}",)) for i in range(35)],
                  context=["page 1 of 1"] * 25,
                  actions=[Action("done", "Done", "k1"), Action("snooze", "Snooze 1 day", "k2")])
    for i in range(lines):
        reply.add(LONG_LINE.format(i=i), " owner ", PersonRef("alice", "U0001"))
    return reply


# -- Slack ----------------------------------------------------------------------------------------------------


def test_slack_cuts_a_long_reply_at_50_blocks_with_a_hint_and_keeps_its_buttons() -> None:
    blocks = slack.blocks(big_reply())
    assert block_problem(blocks) is None and len(blocks) <= 50
    assert all(len(b["text"]["text"]) <= 3000 for b in blocks if b["type"] == "section" and "text" in b)
    assert blocks[-1]["type"] == "actions"  # the buttons survive the cut
    [hint] = blocks[-2]["elements"]
    assert hint["text"].startswith("… ") and "more line(s) not shown" in hint["text"] and "`list overdue`" in hint["text"]
    hidden = int(re.search(r"(\d+) more", hint["text"]).group(1))  # type: ignore[union-attr]
    shown = sum(b["text"]["text"].count("\n") + 1 for b in blocks if b["type"] == "section" and "text" in b)
    assert hidden + shown >= 2000 - 1  # every line is either shown or counted in the hint


def test_slack_hint_speaks_the_replys_language() -> None:
    blocks = slack.blocks(big_reply(lang="zh"))
    assert "行未显示" in blocks[-2]["elements"][0]["text"]


def test_slack_cuts_one_huge_line_to_a_section_it_accepts() -> None:
    reply = Reply(title="Note").add("<&>" * 5000)  # escaping triples its length
    blocks = slack.blocks(reply)
    assert block_problem(blocks) is None
    [section] = [b for b in blocks if b["type"] == "section"]
    text = section["text"]["text"]
    assert len(text) <= 3000 and text.endswith("…") and not re.search(r"&[a-z]*…$", text)  # no half entity


def test_a_short_reply_is_not_touched() -> None:
    blocks = slack.blocks(Reply(title="Done").add("one line"))
    assert "not shown" not in str(blocks)


# -- Telegram -------------------------------------------------------------------------------------------------


def _plain(part: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", part))


def _balanced(part: str) -> bool:
    return all(part.count(f"<{t}>") == part.count(f"</{t}>") for t in ("b", "i"))


def test_telegram_splits_a_long_reply_caps_the_messages_and_says_what_is_left_out() -> None:
    calls = message_calls(-100, big_reply(), reply_to=7)
    texts = [c for c in calls if c.method == SEND_MESSAGE]
    assert len(texts) == MAX_PARTS
    for call in texts:
        assert tg_len(call.params["text"]) <= MAX_TEXT and _balanced(call.params["text"])
    assert [c.params["reply_to"] for c in texts] == [7] + [None] * (MAX_PARTS - 1)  # only the first quotes
    assert [bool(c.params["reply_markup"]) for c in texts] == [False] * (MAX_PARTS - 1) + [True]
    last = _plain(texts[-1].params["text"])
    assert re.search(r"… \d+ more line\(s\) not shown\. Ask for less", last)


def test_telegram_counts_utf16_code_units_like_telegram() -> None:
    emoji = "📄" * 3000  # 3,000 characters, 6,000 UTF-16 code units: over the limit as Telegram counts
    parts = chunks(emoji)
    assert len(parts) == 2 and all(tg_len(p) <= MAX_TEXT for p in parts) and "".join(parts) == emoji


def test_telegram_reply_that_fits_in_a_few_messages_is_split_not_cut() -> None:
    reply = big_reply(lines=60)
    parts = fit(reply.title or "", "en")  # a one-liner stays one message
    assert parts == ["Contracts (2000)"]
    texts = [c.params["text"] for c in message_calls(1, reply) if c.method == SEND_MESSAGE]
    assert 1 < len(texts) <= MAX_PARTS and "not shown" not in texts[-1]
    assert sum(t.count("HT-2026-") for t in texts) == 60  # every line is there


def test_telegram_edit_is_one_message_with_a_hint() -> None:
    reply = big_reply()
    reply.replaces = ("-100:55",)
    [edit] = edit_calls(reply)
    assert edit.method == EDIT_MESSAGE and edit.params["message_id"] == 55
    assert tg_len(edit.params["text"]) <= MAX_TEXT and "not shown" in edit.params["text"]


def test_telegram_hint_in_chinese() -> None:
    texts = [c.params["text"] for c in message_calls(1, big_reply(lang="zh")) if c.method == SEND_MESSAGE]
    assert "行未显示" in texts[-1]
