"""Block Kit rendering and Slack text in both directions (no server needed)."""

from __future__ import annotations

import json

from bot.slack import render, translate
from bot.slack.identity import sender_of
from handlers.replies import Action, Field, PersonRef, Reply

ACTIONS = [
    Action("done", "Done", "k1", style="primary"), Action("snooze", "Snooze 1 day", "k2"),
    Action("snooze", "Snooze 3 days", "k3"), Action("snooze_date", "Snooze until…", "k4"),
    Action("reassign", "Reassign", "k5"), Action("note", "Add note", "k6"), Action("pay", "Record payment", "k7"),
]


def test_user_text_is_escaped_everywhere_and_only_slack_ids_become_mentions() -> None:
    reply = Reply(title="<!channel> pay now & <@U999>",
                  fields=[Field("Owner", (PersonRef("bob", platform_user_id="U0002"),)),
                          Field("Backup", (PersonRef("张三", handle="张三"),)),
                          Field("Telegram", (PersonRef("tg", platform_user_id="123456"),))],
                  lines=[("Counterparty: ", "<b>Evil</b> & Co")], context=["note: <!here>"])
    msg = render.message(reply)
    dumped = json.dumps(msg, ensure_ascii=False)
    for raw in ("<!channel>", "<!here>", "<@U999>", "<b>"):
        assert raw not in dumped
    assert "&lt;!channel&gt; pay now &amp; &lt;@U999&gt;" in dumped
    assert "<@U0002>" in dumped  # the one real mention
    assert "@张三" in dumped and "@tg" in dumped and "<@123456>" not in dumped
    assert msg["text"].startswith("&lt;!channel&gt;")


def test_header_section_fields_context_and_limits() -> None:
    reply = Reply(title="Contract HT-1 created", fields=[Field(f"L{i}", (f"v{i}",)) for i in range(12)],
                  lines=[(f"line {i} " + "x" * 200,) for i in range(40)], context=["a", "b"])
    blocks = render.blocks(reply)
    assert blocks[0] == {"type": "header", "text": {"type": "plain_text", "text": "Contract HT-1 created",
                                                      "emoji": True}}
    fields = [b for b in blocks if "fields" in b]
    assert [len(b["fields"]) for b in fields] == [10, 2]
    assert fields[0]["fields"][0] == {"type": "mrkdwn", "text": "*L0*\nv0"}
    sections = [b["text"]["text"] for b in blocks if b["type"] == "section" and "text" in b]
    assert len(sections) >= 3 and all(len(t) <= 3000 for t in sections)
    assert blocks[-1] == {"type": "context", "elements": [{"type": "mrkdwn", "text": "a"},
                                                          {"type": "mrkdwn", "text": "b"}]}


def test_long_titles_and_errors_are_sections_and_messages_stay_under_50_blocks() -> None:
    assert render.blocks(Reply(title="x" * 151))[0]["type"] == "section"
    assert render.blocks(Reply(title="Sorry", error=True))[0]["type"] == "section"
    many = Reply(title="t", lines=[("y" * 2999,)] * 80, actions=ACTIONS)
    blocks = render.blocks(many)
    assert len(blocks) <= 50 and blocks[-1]["type"] == "actions"


def test_reminder_actions_layout() -> None:
    [block] = render.action_blocks(ACTIONS)
    done, snooze, date, user, note, pay = block["elements"]
    assert done == {"type": "button", "action_id": "contract:done:k1", "value": "k1", "style": "primary",
                    "text": {"type": "plain_text", "text": "Done", "emoji": True}}
    assert snooze["type"] == "overflow" and [o["value"] for o in snooze["options"]] == ["k2", "k3"]
    assert (date["type"], date["action_id"]) == ("datepicker", "contract:snooze_date:k4")
    assert (user["type"], user["action_id"]) == ("users_select", "contract:reassign:k5")
    assert (note["value"], pay["value"]) == ("k6", "k7")


def test_clicks_read_back_key_and_value() -> None:
    [block] = render.action_blocks(ACTIONS)
    done, snooze, date, user, _, _ = block["elements"]
    assert (translate.action_key(done), translate.action_value(done)) == ("k1", None)
    assert translate.action_key({**snooze, "selected_option": snooze["options"][1]}) == "k3"
    picked = {**date, "selected_date": "2026-12-10"}
    assert (translate.action_key(picked), translate.action_value(picked)) == ("k4", "2026-12-10")
    chosen = {**user, "selected_user": "U0003"}
    assert (translate.action_key(chosen), translate.action_value(chosen)) == ("k5", "U0003")
    assert translate.action_kind(done) == "done"


def test_incoming_text_is_unescaped_and_mentions_kept() -> None:
    assert translate.command_text("owner <@U0002|bob> &amp; <@U0003>") == "owner <@U0002|bob> & <@U0003>"
    assert translate.command_text("R&amp;D &lt;phase 2&gt; &amp;lt;") == "R&D <phase 2> &lt;"
    assert translate.command_text("see <#C0001|contracts> <https://x.io|x.io> <mailto:a@b.cn|a@b.cn>") == \
        "see <#C0001|contracts> x.io a@b.cn"
    assert translate.command_text("<!channel> <!here> <!subteam^S1|@finance>") == "@channel @here @finance"


def test_bot_mention_is_stripped() -> None:
    assert translate.strip_bot_mention("<@UBOT> list overdue", "UBOT") == "list overdue"
    assert translate.strip_bot_mention("<@UBOT|contractbot>: 逾期", "UBOT") == "逾期"
    assert translate.strip_bot_mention("<@U0002> hi", "UBOT") == "<@U0002> hi"
    assert translate.strip_bot_mention("<@UBOT> list", None) == "list"


def test_tenant_key_and_clicked_message() -> None:
    assert translate.tenant_key(None, "T0001") == "-:T0001"
    assert translate.tenant_key("E0001", "T0001") == "E0001:T0001"
    body = {"container": {"type": "message", "channel_id": "C1", "message_ts": "1.2", "is_ephemeral": False}}
    assert translate.clicked_ref(body) == "C1:1.2"
    body["container"]["is_ephemeral"] = True
    assert translate.clicked_ref(body) is None
    assert translate.clicked_ref({"container": {"type": "view", "view_id": "V1"}}) is None


def test_users_info_becomes_a_sender() -> None:
    sender = sender_of({"id": "U0002", "name": "bob", "tz": "Asia/Shanghai", "locale": "zh-CN", "is_admin": True,
                        "profile": {"display_name": "", "real_name": "Bob Li"}})
    assert (sender.user_id, sender.handle, sender.display_name) == ("U0002", "bob", "Bob Li")
    assert (sender.timezone, sender.language, sender.is_admin) == ("Asia/Shanghai", "zh-CN", True)
