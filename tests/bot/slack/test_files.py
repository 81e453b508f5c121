"""Files on Slack: a ledger shared with `import` reaches the core with its bytes; exports go out as uploads.

The message events follow Slack's documented shapes: a file shared in a DM is a ``message`` event with
``subtype: file_share``, ``upload: true`` and the file objects in ``files``; one shared in a channel with a
mention of the bot is an ``app_mention`` with ``files`` and no subtype (bolt-js #2056 has a real one).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.notifier import SlackNotifier
from bot.slack.outbox import Outbox
from handlers.core import Core
from handlers.replies import Reply
from scheduler.notify import Outgoing, Target
from tests.bot.charts import PNG, chart
from tests.bot.slack.conftest import TOKEN, SlackDriver, blocks_text, fixture_json
from tests.fakes.core_spy import (
    CSV,
    LEDGER,
    XLSX_MIME,
    attach_documents,
    imported,
    ledger_document,
    spy_on_core,
)
from tests.fakes.slack_api import DOWNLOAD, FakeSlackAPI

NEW_EN = 'new HT-2026-001 "Acme annual license" Acme Corp 1,200,000 CNY ends 2027-12-31'
MB = 1024 * 1024


def dm_upload(files: list[dict[str, Any]], text: str = "import", *, event_id: str = "Ev0F01") -> dict[str, Any]:
    """A file shared in the bot's DM with a comment: message.im, subtype file_share."""
    body = fixture_json("event_message_im.json")
    body["event_id"] = event_id
    body["event"].update(subtype="file_share", text=text, files=files, upload=True, display_as_bot=False,
                         ts="1764200400.000400", event_ts="1764200400.000400",
                         client_msg_id="5b0f4c0e-8a7d-4a55-9c2b-2b6f0f1e0a01")
    return body


def channel_upload(files: list[dict[str, Any]], text: str = "<@UBOT> 导入", *,
                   event_id: str = "Ev0F02") -> dict[str, Any]:
    """A file shared in a channel with a message mentioning the bot: app_mention with files."""
    body = fixture_json("event_app_mention.json")
    body["event_id"] = event_id
    body["event"].update(text=text, files=files, upload=False, display_as_bot=False,
                         ts="1764200500.000500", event_ts="1764200500.000500")
    return body


def said(api: FakeSlackAPI, method: str) -> str:
    """Everything the bot said with one method (text fallbacks and blocks)."""
    return "\n".join(c.params.get("text", "") + "\n" + blocks_text(c.params.get("blocks") or [])
                     for c in api.calls_to(method))


# -- files in: import ----------------------------------------------------------------------------------------


async def test_ledger_uploaded_to_the_dm_reaches_the_core_with_its_bytes(slack: SlackDriver, core: Core,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    spy = spy_on_core(monkeypatch, core, imported)
    ledger = slack.api.host_file("合同台账 2027.xlsx", LEDGER, mimetype=XLSX_MIME)
    assert await slack.event(dm_upload([ledger])) == 200
    msg = spy.last
    assert (msg.text, msg.chat_id, msg.chat_type, msg.event_id) == ("import", "D0001", "private", "Ev0F01")
    [attachment] = msg.attachments
    assert (attachment.filename, attachment.data, attachment.mime) == ("合同台账 2027.xlsx", LEDGER, XLSX_MIME)
    # fetched with the bot token from the URL Slack gave (the fake's host, not slack.com)
    [download] = slack.api.calls_to(DOWNLOAD)
    assert download.token == TOKEN and download.path.endswith("/download/%E5%90%88%E5%90%8C%E5%8F%B0%E8%B4%A6%202027.xlsx")
    [answer] = slack.api.calls_to("chat.postMessage")
    assert answer.params["channel"] == "D0001" and f"Received 合同台账 2027.xlsx ({len(LEDGER)} bytes)" in answer.params["text"]


async def test_ledger_shared_in_a_channel_with_a_mention(slack: SlackDriver, core: Core,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    spy = spy_on_core(monkeypatch, core, imported)
    csv = slack.api.host_file("ledger.csv", CSV, mimetype="text/csv")
    assert await slack.event(channel_upload([csv])) == 200
    msg = spy.last
    assert (msg.text, msg.chat_id, msg.chat_type) == ("导入", "C0001", "group")
    assert [(a.filename, a.data, a.mime) for a in msg.attachments] == [("ledger.csv", CSV, "text/csv")]
    [answer] = slack.api.calls_to("chat.postMessage")
    assert answer.params["channel"] == "C0001"


async def test_only_the_files_on_that_message_and_any_kind_of_file(slack: SlackDriver, core: Core,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    spy = spy_on_core(monkeypatch, core, imported)
    slack.api.host_file("other.xlsx", b"not this one")  # shared elsewhere, never on this message
    pdf = slack.api.host_file("scan.pdf", b"%PDF-1.7 ...", mimetype="application/pdf")
    xls = slack.api.host_file("old.xls", b"\xd0\xcf\x11\xe0 legacy", mimetype="application/vnd.ms-excel")
    assert await slack.event(dm_upload([pdf, xls], text="Import ")) == 200
    # the core says what it can read: the adapter passes every file of the message, in order
    assert [(a.filename, a.mime) for a in spy.last.attachments] == [("scan.pdf", "application/pdf"),
                                                                     ("old.xls", "application/vnd.ms-excel")]
    assert len(slack.api.calls_to(DOWNLOAD)) == 2


async def test_files_with_another_command_are_not_downloaded(slack: SlackDriver, core: Core,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    spy = spy_on_core(monkeypatch, core, imported)
    photo = slack.api.host_file("whiteboard.png", PNG)
    assert await slack.event(dm_upload([photo], text="list overdue")) == 200
    assert spy.last.text == "list overdue" and spy.last.attachments == ()
    assert slack.api.calls_to(DOWNLOAD) == []


async def test_oversize_file_is_refused_without_downloading(slack: SlackDriver, core: Core,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    spy = spy_on_core(monkeypatch, core, imported)
    big = slack.api.host_file("huge ledger.xlsx", LEDGER, size=25 * MB)
    small = slack.api.host_file("small.csv", CSV)
    assert await slack.event(dm_upload([small, big])) == 200
    assert slack.api.calls_to(DOWNLOAD) == []  # not even the small one: the import is refused as a whole
    assert spy.seen == []
    text = said(slack.api, "chat.postMessage")
    assert "huge ledger.xlsx is 25.0 MB" in text and "up to 20 MB" in text


async def test_oversize_refusal_in_a_channel_is_for_the_sender_and_in_chinese(slack: SlackDriver, core: Core,
                                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    spy = spy_on_core(monkeypatch, core, imported)
    big = slack.api.host_file("台账.xlsx", LEDGER, size=20 * MB + 1)
    assert await slack.event(channel_upload([big])) == 200
    assert spy.seen == [] and slack.api.calls_to(DOWNLOAD) == []
    [whisper] = slack.api.calls_to("chat.postEphemeral")
    assert (whisper.params["channel"], whisper.params["user"]) == ("C0001", "U0001")
    assert "台账.xlsx 有 20.0 MB" in whisper.params["text"] and "20 MB 的上限" in whisper.params["text"]
    assert slack.api.calls_to("chat.postMessage") == []  # nothing in the channel for everyone


async def test_file_larger_than_it_claimed_is_cut_off(slack: SlackDriver, core: Core,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    spy = spy_on_core(monkeypatch, core, imported)
    liar = slack.api.host_file("liar.csv", b"x" * (20 * MB + 10), size=100)
    assert await slack.event(dm_upload([liar])) == 200
    assert spy.seen == []
    assert "liar.csv is larger than 20 MB" in said(slack.api, "chat.postMessage")


@pytest.mark.parametrize("status", [500, 404])
async def test_download_failure_gives_a_clear_reply(slack: SlackDriver, core: Core, monkeypatch: pytest.MonkeyPatch,
                                                    caplog: pytest.LogCaptureFixture, status: int) -> None:
    spy = spy_on_core(monkeypatch, core, imported)
    ledger = slack.api.host_file("ledger.xlsx", LEDGER)
    slack.api.fail(DOWNLOAD, "boom", status=status)
    with caplog.at_level(logging.WARNING, logger="bot.slack"):
        assert await slack.event(dm_upload([ledger])) == 200
    assert spy.seen == []  # the core never runs an import without its file
    text = said(slack.api, "chat.postMessage")
    assert f"I could not download ledger.xlsx from Slack (HTTP {status})" in text
    assert "files:read" in text
    assert any("could not download slack file" in r.getMessage() for r in caplog.records)


async def test_sign_in_page_instead_of_the_file_is_a_failure(slack: SlackDriver, core: Core,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    # Slack answers a download without a usable token (or without files:read) with 200 and its HTML sign-in page
    spy = spy_on_core(monkeypatch, core, imported)
    ledger = slack.api.host_file("ledger.xlsx", LEDGER)
    slack.api.file_readers = {"xoxb-another-app"}
    assert await slack.event(dm_upload([ledger], text="导入")) == 200
    assert spy.seen == []
    text = said(slack.api, "chat.postMessage")
    assert "无法从 Slack 下载 ledger.xlsx" in text and "files:read" in text
    assert "<html" not in text.lower()


async def test_slack_connect_file_is_looked_up_with_files_info(slack: SlackDriver, core: Core,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    spy = spy_on_core(monkeypatch, core, imported)
    full = slack.api.host_file("partner ledger.xlsx", LEDGER)
    stub = {"id": full["id"], "mode": "file_access", "file_access": "check_file_info", "created": 0,
            "timestamp": 0, "user": ""}
    assert await slack.event(dm_upload([stub])) == 200
    [info] = slack.api.calls_to("files.info")
    assert info.params["file"] == full["id"]
    assert [(a.filename, a.data) for a in spy.last.attachments] == [("partner ledger.xlsx", LEDGER)]


async def test_files_shared_by_a_bot_or_edited_are_not_commands(slack: SlackDriver, core: Core,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    spy = spy_on_core(monkeypatch, core, imported)
    ledger = slack.api.host_file("ledger.xlsx", LEDGER)
    from_bot = dm_upload([ledger], event_id="Ev0F03")
    from_bot["event"]["bot_id"] = "B0099"
    edited = dm_upload([ledger], event_id="Ev0F04")
    edited["event"]["subtype"] = "message_changed"
    for body in (from_bot, edited):
        assert await slack.event(body) == 200
    assert spy.seen == [] and slack.api.calls_to(DOWNLOAD) == []


async def test_plain_dm_import_without_a_file_passes_through(slack: SlackDriver, core: Core,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    spy = spy_on_core(monkeypatch, core, imported)
    body = fixture_json("event_message_im.json")
    body["event"]["text"] = "import"
    assert await slack.event(body) == 200
    assert spy.last.text == "import" and spy.last.attachments == ()
    assert "Received no file" in said(slack.api, "chat.postMessage")


# -- documents out: exports ------------------------------------------------------------------------------------


async def test_command_reply_uploads_its_document_into_the_channel(slack: SlackDriver, core: Core,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    export = ledger_document()
    attach_documents(monkeypatch, core, export)
    [text] = await slack.command(NEW_EN)
    assert text.params["response_type"] == "in_channel"
    assert "Contract HT-2026-001 created" in blocks_text(text.params["blocks"])
    [shared] = slack.api.shared_files()
    assert (shared.channel_id, shared.filename, shared.title, shared.data) == (
        "C0001", "ledger-2027-03-15.xlsx", export.title, LEDGER)
    assert shared.alt_txt is None  # alt text is for pictures
    [done] = slack.api.calls_to("files.completeUploadExternal")
    assert done.token == TOKEN


async def test_charts_and_documents_of_a_reply_share_one_message(slack: SlackDriver, core: Core,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    spy_on_core(monkeypatch, core, lambda msg: [Reply(title="Calendar", images=[chart()],
                                                      documents=[ledger_document("due.ics", "Due dates")])])
    assert await slack.event(fixture_json("event_message_im.json")) == 200
    assert [(f.filename, f.channel_id) for f in slack.api.shared_files()] == [("money-2027-01.png", "D0001"),
                                                                              ("due.ics", "D0001")]
    assert len(slack.api.calls_to("files.completeUploadExternal")) == 1


@pytest.mark.parametrize("method, status", [("upload", 500), ("files.completeUploadExternal", 200)])
async def test_failed_document_upload_keeps_the_text(slack: SlackDriver, core: Core, monkeypatch: pytest.MonkeyPatch,
                                                     caplog: pytest.LogCaptureFixture, method: str,
                                                     status: int) -> None:
    attach_documents(monkeypatch, core)
    slack.api.fail(method, "missing_scope" if status == 200 else "boom", status=status)
    with caplog.at_level(logging.WARNING, logger="bot.slack"):
        [text] = await slack.command(NEW_EN)
    assert "Contract HT-2026-001 created" in text.params["text"]
    assert slack.api.shared_files() == []
    assert any("could not upload 1 file(s) to C0001" in r.getMessage() for r in caplog.records)


async def test_document_for_a_channel_without_the_bot_goes_to_the_senders_dm(
        slack: SlackDriver, core: Core, monkeypatch: pytest.MonkeyPatch) -> None:
    attach_documents(monkeypatch, core)
    slack.api.fail("files.completeUploadExternal", "not_in_channel")
    [text, note] = await slack.command(NEW_EN)
    assert text.params["response_type"] == "in_channel"
    [shared] = slack.api.shared_files()
    assert (shared.channel_id, shared.data) == ("D0001", LEDGER)
    assert note.params["response_type"] == "ephemeral" and "the file is in our direct message" in note.params["text"]


async def test_whispered_reply_sends_its_document_to_the_senders_dm(fake_api: FakeSlackAPI) -> None:
    client = AsyncWebClient(token=TOKEN, base_url=fake_api.url)
    reply = Reply(title="Your export", ephemeral=True, documents=[ledger_document()])
    await Outbox(client, "U0002", channel="C0001").deliver([reply])
    [whisper] = fake_api.calls_to("chat.postEphemeral")
    assert whisper.params["user"] == "U0002"
    [shared] = fake_api.shared_files()
    assert (shared.channel_id, shared.data, shared.initial_comment) == ("D0002", LEDGER, "Your export")


def test_notifier_posts_the_text_then_the_document(fake_api: FakeSlackAPI) -> None:
    notifier = SlackNotifier(WebClient(token=TOKEN, base_url=fake_api.url, retry_handlers=[]))
    reply = Reply(title="Monthly ledger", documents=[ledger_document()])
    ref = notifier.send(Outgoing(Target("slack", "-:T0001", chat_id="C0002"), reply))
    [post] = fake_api.calls_to("chat.postMessage")
    assert ref == f"C0002:{post.response['ts']}"  # type: ignore[index]
    assert [(f.channel_id, f.filename, f.data) for f in fake_api.shared_files()] == [
        ("C0002", "ledger-2027-03-15.xlsx", LEDGER)]


def test_notifier_document_failure_keeps_the_reference(fake_api: FakeSlackAPI,
                                                       caplog: pytest.LogCaptureFixture) -> None:
    notifier = SlackNotifier(WebClient(token=TOKEN, base_url=fake_api.url, retry_handlers=[]))
    fake_api.fail("upload", "boom", status=500)
    with caplog.at_level(logging.WARNING, logger="bot.slack"):
        ref = notifier.send(Outgoing(Target("slack", "-:T0001", chat_id="C0001"),
                                     Reply(title="Monthly ledger", documents=[ledger_document()])))
    assert ref.startswith("C0001:") and fake_api.shared_files() == []
    assert any("could not upload 1 file(s) to C0001" in r.getMessage() for r in caplog.records)


# -- the real core: a real ledger, previewed ---------------------------------------------------------------------


LEDGERS = Path(__file__).resolve().parents[2] / "fixtures" / "ledgers"


async def test_real_ledger_uploaded_in_the_dm_is_previewed_by_the_core(slack: SlackDriver) -> None:
    data = (LEDGERS / "ledger_sample_en.xlsx").read_bytes()
    ledger = slack.api.host_file("ledger_sample_en.xlsx", data, mimetype=XLSX_MIME)
    assert await slack.event(dm_upload([ledger])) == 200
    text = said(slack.api, "chat.postMessage")
    assert "ledger_sample_en.xlsx" in text and "import confirm" in text  # the core read the bytes we fetched


async def test_a_file_dropped_in_without_a_word_is_not_a_command(slack: SlackDriver, core: Core,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    spy = spy_on_core(monkeypatch, core, imported)
    assert await slack.event(dm_upload([slack.api.host_file("ledger.xlsx", LEDGER)], text="")) == 200
    assert spy.seen == [] and slack.api.calls_to(DOWNLOAD) == [] and slack.api.calls_to("chat.postMessage") == []
