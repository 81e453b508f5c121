"""Replies as cards: user text escaped for Feishu's markdown, real mentions only by open_id, size kept under
30 KB, pickers in groups and buttons in private chats."""

from __future__ import annotations

import html
import json

from bot.feishu.render import CARD_LIMIT, card, md, size
from handlers.replies import Action, Field, PersonRef, Reply
from tests.bot.feishu.conftest import controls, label, markdown_of

ZHANG = PersonRef(name="张三", platform_user_id="ou_7dab8a3d3cdcc9da365777c7ad535d62")


def test_markdown_and_tags_in_user_text_become_character_references() -> None:
    hostile = '<at user_id="all"></at> <at id=all></at> **x** _y_ ~~z~~ [a](http://e) `c` # h - l :OK: $1 \\ / | &#60;'
    escaped = md(hostile)
    assert not set("<>*_~[]()`#:$\\/|\"'") & set(escaped.replace("&#", "").replace(";", "").replace("&", ""))
    assert html.unescape(escaped) == hostile  # what people see is what was typed, a typed reference included
    reply = Reply(title='<at user_id="all"></at>', fields=[Field("Owner", (ZHANG,)), Field("Title", (hostile,))],
                  lines=[(hostile, " ", ZHANG)], context=[hostile])
    built = card(reply)
    markdown = "\n".join(markdown_of(built))
    assert markdown.count("<at ") == 2 and markdown.count(f"<at id={ZHANG.platform_user_id}></at>") == 2
    assert built["header"]["title"] == {"tag": "plain_text", "content": '<at user_id="all"></at>'}  # never parsed
    assert built["elements"][-1] == {"tag": "note", "elements": [{"tag": "plain_text", "content": hostile}]}


def test_only_an_open_id_makes_a_mention() -> None:
    for person in (PersonRef(name="boss", platform_user_id="all"), PersonRef(name="x", platform_user_id="ou_a b"),
                   PersonRef(name="王五", handle="王五")):
        markdown = "".join(markdown_of(card(Reply(lines=[(person,)]))))
        assert "<at" not in markdown
    assert markdown_of(card(Reply(lines=[(PersonRef(name="王五", handle="王五"),)]))) == ["@王五"]  # a name, no ping


def test_a_long_reply_keeps_what_fits_and_says_what_it_left_out() -> None:
    long = Reply(title="Contracts", lang="en")
    for i in range(3000):
        long.add(f"HT-2026-{i:04d} Acme annual license · first payment 30% · due Fri 2026-12-04 📄 <@x>")
    built = card(long)
    assert size(built) <= CARD_LIMIT
    shown = json.dumps(built)
    assert "more line(s) not shown" in shown and "HT-2026-0000" in shown.replace("&#45;", "-")
    small = card(Reply(title="t", lines=[("a",)]))
    assert json.loads(json.dumps(small)) == small and size(small) < 1000


def test_controls_carry_only_the_opaque_key_and_differ_in_private_chats() -> None:
    actions = [Action("done", "完成", "k1", style="primary"), Action("snooze", "延后1天", "k2"),
               Action("snooze_date", "延后到…", "k3"), Action("reassign", "转交", "k4"),
               Action("note", "备注", "k5"), Action("pay", "登记回款", "k6"), Action("reject", "驳回", "k7", style="danger")]
    group = controls(card(Reply(title="⏰", actions=actions, lang="zh")))
    assert [(c["tag"], c["value"]) for c in group] == [
        ("button", {"k": "k1"}), ("button", {"k": "k2"}), ("date_picker", {"k": "k3"}), ("select_person", {"k": "k4"}),
        ("button", {"k": "k7"}), ("input", {"k": "k5"}), ("input", {"k": "k6"})]
    assert group[0]["type"] == "primary" and group[4]["type"] == "danger"
    assert label(group[5]).startswith("备注") and "回车" in label(group[5])
    private = controls(card(Reply(title="⏰", actions=actions, lang="zh"), private=True))
    assert all(c["value"]["dm"] == 1 for c in private)
    assert next(c for c in private if c["value"]["k"] == "k4")["tag"] == "button"


def test_every_card_is_shared_and_never_empty() -> None:
    for reply in (Reply(), Reply(title="only a title"), Reply(lines=[("x",)])):
        built = card(reply)
        assert built["config"]["update_multi"] is True and built["elements"]
