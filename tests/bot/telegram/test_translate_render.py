"""The pure parts: Telegram messages -> console lines, replies -> escaped HTML and keyboards."""

from __future__ import annotations

from typing import Any

from telegram import CallbackQuery, Message

from bot.telegram.app import run_command
from bot.telegram.render import chunks, keyboard, mention, parse_ref, reply_html
from bot.telegram.translate import command_text, incoming_action, incoming_message, neutral_text
from handlers.messages import IncomingMessage
from handlers.replies import Action, Field, PersonRef, Reply
from tests.bot.telegram.conftest import LIWEI, WANGWU, load, message_update, private_chat


def message(data: dict[str, Any]) -> Message:
    msg = Message.de_json(data["message"], None)
    assert msg is not None
    return msg


def test_group_sample_becomes_a_neutral_message() -> None:
    msg = message(load("command_group.json"))
    text = command_text(msg)
    assert text == "节点 HT-2026-002 首付款 30% 下周五 @zhangsan"
    neutral = incoming_message(msg, text)
    assert (neutral.platform, neutral.tenant_key, neutral.chat_id) == (
        "telegram",
        "-1001234567890",
        "-1001234567890",
    )
    assert (neutral.chat_type, neutral.tenant_name, neutral.event_id) == (
        "group",
        "销售合同群",
        "-1001234567890:77",
    )
    assert (neutral.sender.user_id, neutral.sender.handle, neutral.sender.language) == (
        "1111111",
        "liwei",
        "zh-hans",
    )


def test_private_sample() -> None:
    msg = message(load("command_private.json"))
    assert command_text(msg) == "list"
    assert incoming_message(msg, "list").chat_type == "private"


def test_aliases_follow_the_users_language() -> None:
    def line(text: str, user: dict[str, Any] = LIWEI) -> str:
        return command_text(message(message_update(text, user=user)))

    assert line("/done HT-1 首付款") == "完成 HT-1 首付款"
    assert line("/done HT-1 first payment") == "done HT-1 first payment"
    assert line("/new@ContractBot HT-1 x y 100") == "new HT-1 x y 100"
    assert line("/help") == "帮助" and line("/help", user=WANGWU) == "help"
    assert line("/start") == "帮助"
    assert line("/contract") == ""
    assert line("/contract\nlist overdue") == "list overdue"


def test_text_mentions_are_rewritten_with_utf16_offsets() -> None:
    msg = message(load("text_mention_group.json"))  # an emoji (two UTF-16 units) precedes the mention
    assert command_text(msg) == "节点 HT-2026-002 🎯尾款 70% 下周五 <@4444444|五 王>"
    assert neutral_text("hi", []) == "hi"


def test_press_becomes_an_action() -> None:
    data = load("callback_query.json")["callback_query"]
    action = incoming_action(CallbackQuery.de_json(data, None))  # type: ignore[arg-type]
    assert action is not None
    assert (action.tenant_key, action.chat_id, action.key) == (
        "-1001234567890",
        "-1001234567890",
        "opaque-key-123",
    )
    assert action.message_ref == "-1001234567890:78" and action.sender.user_id == "2222222"


def test_every_piece_of_user_text_is_escaped() -> None:
    reply = Reply(
        title="<b>x</b> & co",
        fields=[Field("<i>label</i>", ("a<b", PersonRef(name="<Boss>", handle="b")))],
        context=["<script>"],
    )
    reply.add("1 < 2 ", PersonRef(name="Li <Wei>", platform_user_id="1111111"))
    html = reply_html(reply)
    assert html.startswith("<b>&lt;b&gt;x&lt;/b&gt; &amp; co</b>")
    assert "<b>&lt;i&gt;label&lt;/i&gt;</b>: a&lt;b@b" in html
    assert '1 &lt; 2 <a href="tg://user?id=1111111">Li &lt;Wei&gt;</a>' in html
    assert "<i>&lt;script&gt;</i>" in html


def test_mentions() -> None:
    assert (
        mention(PersonRef(name="San", platform_user_id="2222222", handle="zhangsan"))
        == '<a href="tg://user?id=2222222">San</a>'
    )
    assert mention(PersonRef(name="张三", handle="zhangsan")) == "@zhangsan"
    assert mention(PersonRef(name="王五")) == "王五"
    assert mention(PersonRef(name="x", platform_user_id="U123", handle="x")) == "@x"  # not a Telegram id


def test_long_replies_are_split_at_line_breaks() -> None:
    reply = Reply(title="list")
    for i in range(400):
        reply.add(f"• HT-{i:04d} <contract> number {i}")
    parts = chunks(reply_html(reply))
    assert len(parts) > 1 and all(len(p) <= 4096 for p in parts)
    assert "\n".join(parts) == reply_html(reply)
    assert chunks("x" * 5000) == ["x" * 4096, "x" * 904]


def test_keyboard_carries_only_opaque_keys_that_fit() -> None:
    actions = [Action(kind=k, label=k, key=f"key{k}") for k in ("done", "s1", "s3", "reassign", "note")]
    actions.append(Action(kind="bad", label="bad", key="x" * 65))
    markup = keyboard(actions)
    assert markup is not None
    rows = [[b.callback_data for b in row] for row in markup.inline_keyboard]
    assert rows == [["keydone", "keys1", "keys3"], ["keyreassign", "keynote"]]
    assert keyboard([]) is None


def test_refs() -> None:
    assert parse_ref("-1001234567890:78") == (-1001234567890, 78)
    assert parse_ref("console:1") is None and parse_ref("C123:1700000000.1234") is None


class StubCore:
    """Records which entry point a command reached."""

    def __init__(self, personal: bool) -> None:
        self.seen: list[str] = []
        if personal:
            self.my_milestones = lambda msg: self.seen.append("mine:" + msg.text) or []  # type: ignore

    def handle(self, msg: IncomingMessage) -> list[Reply]:
        self.seen.append("handle:" + msg.text)
        return []


def test_private_lists_use_the_cross_team_view_when_the_core_has_one() -> None:
    def run(core: StubCore, text: str, chat: dict[str, Any]) -> None:
        msg = message(message_update(text, chat=chat))
        run_command(core, incoming_message(msg, text))  # type: ignore[arg-type]

    me = private_chat(LIWEI)
    core = StubCore(personal=True)
    for text in ("list", "我的", "逾期", "list overdue", "查看 HT-1"):
        run(core, text, me)
    run(core, "list", {"id": -100, "type": "supergroup", "title": "g"})
    assert core.seen == [
        "mine:list",
        "mine:我的",
        "mine:逾期",
        "mine:list overdue",
        "handle:查看 HT-1",
        "handle:list",
    ]

    core = StubCore(personal=False)  # today's core: everything goes to handle()
    run(core, "我的", me)
    assert core.seen == ["handle:我的"]
