"""Charts on Slack: the text as today, then the PNG uploaded (files_upload_v2) where the text went."""

from __future__ import annotations

import logging

import pytest
from slack_sdk import WebClient
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.notifier import SlackNotifier
from bot.slack.outbox import Outbox
from handlers.core import Core
from handlers.replies import Reply
from scheduler.notify import Outgoing, Target
from tests.bot.charts import PNG, PNG_SIGNATURE, attach_charts, chart
from tests.bot.slack.conftest import TOKEN, SlackDriver, blocks_text, fixture_json
from tests.fakes.slack_api import RESPOND, UPLOAD, FakeSlackAPI

NEW_EN = 'new HT-2026-001 "Acme annual license" Acme Corp 1,200,000 CNY ends 2027-12-31'


def order(api: FakeSlackAPI, *methods: str) -> list[int]:
    """Index of the first call of each method, to check what went out first."""
    seen = api.methods()
    return [seen.index(m) for m in methods]


async def test_command_reply_uploads_the_chart_into_the_channel(slack: SlackDriver, core: Core,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    money, ageing = chart(), chart("ageing.png", "Receivables ageing by days overdue (CNY)", PNG + b"")
    attach_charts(monkeypatch, core, money, ageing)
    [text] = await slack.command(NEW_EN)
    # the summary arrives as before: in the channel, Block Kit, through the response_url
    assert text.params["response_type"] == "in_channel"
    assert "Contract HT-2026-001 created" in blocks_text(text.params["blocks"])
    # then both pictures, shared in the command's channel as one message, bytes intact
    shared = slack.api.shared_files()
    assert [(f.channel_id, f.filename, f.title) for f in shared] == [
        ("C0001", "money-2027-01.png", money.title), ("C0001", "ageing.png", ageing.title)]
    assert all(f.data == PNG and f.data.startswith(PNG_SIGNATURE) for f in shared)
    assert shared[0].alt_txt == money.title
    assert shared[0].initial_comment is None  # the text is already in the channel, right above
    assert len(slack.api.calls_to("files.completeUploadExternal")) == 1
    assert order(slack.api, RESPOND, "files.getUploadURLExternal", UPLOAD, "files.completeUploadExternal") == sorted(
        order(slack.api, RESPOND, "files.getUploadURLExternal", UPLOAD, "files.completeUploadExternal"))
    assert all(c.token == TOKEN for c in slack.api.calls_to("files.completeUploadExternal"))


async def test_reply_without_pictures_uploads_nothing(slack: SlackDriver) -> None:
    [text] = await slack.command(NEW_EN)
    assert text.params["response_type"] == "in_channel"
    assert not [m for m in slack.api.methods() if m.startswith("files.") or m == UPLOAD]


async def test_channel_without_the_bot_gets_the_text_and_the_sender_the_chart(
        slack: SlackDriver, core: Core, monkeypatch: pytest.MonkeyPatch) -> None:
    attach_charts(monkeypatch, core)
    slack.api.fail("files.completeUploadExternal", "not_in_channel")
    [text, note] = await slack.command(NEW_EN)
    assert text.params["response_type"] == "in_channel"  # the response_url still works in that channel
    assert "Contract HT-2026-001 created" in text.params["text"]
    # the chart went to alice's DM instead (conversations.open), headed by what it is and why it is there
    [dm] = slack.api.calls_to("conversations.open")
    assert dm.params["users"] == "U0001"
    [shared] = slack.api.shared_files()
    assert (shared.channel_id, shared.data) == ("D0001", PNG)
    assert shared.initial_comment is not None
    assert "<#C0001>" in shared.initial_comment and "Contract HT-2026-001 created" in shared.initial_comment
    # and alice is told, in the channel, where to find it
    assert note.params["response_type"] == "ephemeral"
    assert "<#C0001>" in note.params["text"] and "direct message" in note.params["text"]


async def test_channel_note_is_in_chinese_for_a_chinese_reply(slack: SlackDriver, core: Core,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    attach_charts(monkeypatch, core)
    slack.api.fail("files.completeUploadExternal", "channel_not_found")
    [text, note] = await slack.command("新建 HT-2026-002 华为云采购 华为 120万 到期 2027年12月31日")
    assert "已创建合同 HT-2026-002" in text.params["text"]
    assert "私信" in note.params["text"]
    assert [f.channel_id for f in slack.api.shared_files()] == ["D0001"]


@pytest.mark.parametrize("method, status", [("upload", 500), ("files.getUploadURLExternal", 200),
                                            ("files.completeUploadExternal", 200)])
async def test_failed_upload_keeps_the_text(slack: SlackDriver, core: Core, monkeypatch: pytest.MonkeyPatch,
                                            caplog: pytest.LogCaptureFixture, method: str, status: int) -> None:
    attach_charts(monkeypatch, core)
    slack.api.fail(method, "missing_scope" if status == 200 else "upstream failure", status=status)
    with caplog.at_level(logging.WARNING, logger="bot.slack"):
        [text] = await slack.command(NEW_EN)
    assert text.params["response_type"] == "in_channel"
    assert "Contract HT-2026-001 created" in text.params["text"]
    assert slack.api.shared_files() == []
    assert slack.api.calls_to("conversations.open") == []  # not a membership problem: no DM detour
    assert any("could not upload 1 chart(s) to C0001" in r.getMessage() for r in caplog.records)


async def test_whispered_reply_sends_its_chart_to_the_senders_dm(slack: SlackDriver, core: Core,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    attach_charts(monkeypatch, core)
    [whisper] = await slack.command("frobnicate HT-1")  # a mistake: for alice only
    assert whisper.params["response_type"] == "ephemeral"
    [shared] = slack.api.shared_files()  # an ephemeral message cannot carry a file: alice's DM can
    assert (shared.channel_id, shared.data) == ("D0001", PNG)
    assert shared.initial_comment  # says which reply the picture belongs to


async def test_mention_in_a_thread_gets_the_chart_in_the_thread(slack: SlackDriver, core: Core,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    attach_charts(monkeypatch, core, when=lambda r: not r.error)
    event = fixture_json("event_app_mention.json")  # "<@UBOT> list overdue"
    event["event"]["thread_ts"] = "1764200100.000100"
    assert await slack.event(event) == 200
    [posted] = slack.api.calls_to("chat.postMessage")
    assert (posted.params["channel"], posted.params["thread_ts"]) == ("C0001", "1764200100.000100")
    [shared] = slack.api.shared_files()
    assert (shared.channel_id, shared.thread_ts, shared.data) == ("C0001", "1764200100.000100", PNG)


async def test_direct_message_gets_the_chart_in_the_dm(slack: SlackDriver, core: Core,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    attach_charts(monkeypatch, core)
    assert await slack.event(fixture_json("event_message_im.json")) == 200
    [posted] = slack.api.calls_to("chat.postMessage")
    [shared] = slack.api.shared_files()
    assert shared.channel_id == posted.params["channel"] and shared.channel_id.startswith("D")
    assert shared.data == PNG


# -- the dispatch pass: reminders and digests through SlackNotifier ------------------------------------------


def digest() -> Reply:
    return Reply(title="Weekly digest: 3 milestones due", lines=[("HT-2026-001 first payment · Fri 2026-12-04",)],
                 images=[chart()])


@pytest.fixture
def notifier(fake_api: FakeSlackAPI) -> SlackNotifier:
    return SlackNotifier(WebClient(token=TOKEN, base_url=fake_api.url, retry_handlers=[]))


def test_notifier_posts_the_digest_then_uploads_its_chart(notifier: SlackNotifier, fake_api: FakeSlackAPI) -> None:
    ref = notifier.send(Outgoing(Target("slack", "-:T0001", chat_id="C0002"), digest()))
    [post] = fake_api.calls_to("chat.postMessage")
    assert ref == f"C0002:{post.response['ts']}"  # type: ignore[index]  # the text is what later edits rewrite
    assert "Weekly digest" in post.params["text"]
    [shared] = fake_api.shared_files()
    assert (shared.channel_id, shared.filename, shared.title, shared.data) == (
        "C0002", "money-2027-01.png", chart().title, PNG)
    assert order(fake_api, "chat.postMessage", "files.completeUploadExternal") == [0, 3]


def test_notifier_uploads_a_dm_chart_into_the_dm(notifier: SlackNotifier, fake_api: FakeSlackAPI) -> None:
    ref = notifier.send(Outgoing(Target("slack", "-:T0001", user_id="U0002", dm=True), digest()))
    assert ref.startswith("D0002:")
    assert [f.channel_id for f in fake_api.shared_files()] == ["D0002"]


@pytest.mark.parametrize("method, error, status", [("upload", "boom", 500),
                                                   ("files.completeUploadExternal", "not_in_channel", 200),
                                                   ("files.getUploadURLExternal", "ratelimited", 429)])
def test_notifier_upload_failure_keeps_the_text_and_the_reference(
        notifier: SlackNotifier, fake_api: FakeSlackAPI, caplog: pytest.LogCaptureFixture,
        method: str, error: str, status: int) -> None:
    fake_api.fail(method, error, status=status)
    with caplog.at_level(logging.WARNING, logger="bot.slack"):
        ref = notifier.send(Outgoing(Target("slack", "-:T0001", chat_id="C0001"), digest()))
    # no exception: the dispatch pass records the sent text instead of retrying (and posting it twice)
    [post] = fake_api.calls_to("chat.postMessage")
    assert ref == f"C0001:{post.response['ts']}"  # type: ignore[index]
    assert fake_api.shared_files() == []
    assert any("could not upload 1 chart(s) to C0001" in r.getMessage() for r in caplog.records)


# -- replies addressed elsewhere, and replies with nowhere to go ------------------------------------------------


async def test_reply_for_another_channel_takes_its_chart_along(fake_api: FakeSlackAPI) -> None:
    client = AsyncWebClient(token=TOKEN, base_url=fake_api.url)
    approval = Reply(title="Approve payment of HT-1?", channel="C0009", images=[chart()])
    assert await Outbox(client, "U0001", channel="C0001").deliver([approval]) == []
    [post] = fake_api.calls_to("chat.postMessage")
    assert post.params["channel"] == "C0009"
    assert [(f.channel_id, f.data) for f in fake_api.shared_files()] == [("C0009", PNG)]


async def test_home_tab_reply_has_its_chart_sent_to_the_dm(fake_api: FakeSlackAPI) -> None:
    client = AsyncWebClient(token=TOKEN, base_url=fake_api.url)
    notice = Reply(title="On-time rate", images=[chart("ontime.png", "On-time rate by milestone kind")])
    # a click on the Home tab: no channel, no response_url; the text is drawn into the Home tab by the caller
    assert await Outbox(client, "U0002", private=True).deliver([notice]) == [notice]
    [shared] = fake_api.shared_files()
    assert (shared.channel_id, shared.filename, shared.initial_comment) == ("D0002", "ontime.png", "On-time rate")


async def test_chart_for_someone_else_never_detours_to_the_senders_dm(fake_api: FakeSlackAPI) -> None:
    client = AsyncWebClient(token=TOKEN, base_url=fake_api.url)
    fake_api.fail("files.completeUploadExternal", "not_in_channel")
    approval = Reply(title="Approve payment of HT-1?", channel="C0009", images=[chart()])
    await Outbox(client, "U0001", channel="C0001").deliver([approval])
    assert fake_api.calls_to("chat.postMessage")[0].params["channel"] == "C0009"
    assert fake_api.calls_to("conversations.open") == [] and fake_api.shared_files() == []
