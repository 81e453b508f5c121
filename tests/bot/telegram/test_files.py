"""Files on Telegram: a document sent with /import reaches the core with its bytes; exports go out as documents.

A document message follows the Bot API's shape: ``document`` (file_name, mime_type, file_id, file_unique_id,
file_size), the text in ``caption`` and a command in ``caption_entities`` (not ``entities``).
"""

from __future__ import annotations

import asyncio
import copy
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.config import Settings
from bot.telegram.files import base_file_url
from bot.telegram.notifier import TelegramNotifier, make_telegram_notifier
from bot.telegram.platform import TelegramPlatform
from handlers.core import Core
from handlers.replies import Reply
from scheduler.notify import Outgoing, Target
from tests.bot.charts import chart
from tests.bot.telegram.conftest import (
    GROUP,
    GROUP_ID,
    LIWEI,
    WANGWU,
    fast_limiter,
    load,
    message_update,
    private_chat,
    say,
)
from tests.fakes.core_spy import CSV, LEDGER, XLSX_MIME, CoreSpy, imported, ledger_document, spy_on_core
from tests.fakes.telegram_api import FakeTelegram, Upload

MB = 1024 * 1024
_ids = iter(range(20_000, 30_000))


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def document_update(
    document: dict[str, Any], caption: str | None, *, chat: dict[str, Any] = GROUP, user: dict[str, Any] = LIWEI
) -> dict[str, Any]:
    """A message carrying a document, its caption's leading /command marked in caption_entities."""
    update = copy.deepcopy(load("command_group.json"))
    msg = update["message"]
    for key in ("text", "entities"):
        msg.pop(key, None)
    msg.update(message_id=next(_ids), chat=chat, document=document, **{"from": user})
    if caption is not None:
        msg["caption"] = caption
        if caption.startswith("/"):
            msg["caption_entities"] = [
                {"type": "bot_command", "offset": 0, "length": _utf16_len(caption.split()[0])}
            ]
    return update


async def send(fake: FakeTelegram, update: dict[str, Any], spy: CoreSpy, *, replies: int = 1) -> list[dict[str, Any]]:
    """Push the update and wait for the bot's ``replies`` messages."""
    mark = fake.mark()
    fake.push_update(update)
    return [c.params for c in await fake.wait("sendMessage", replies, since=mark)]


@pytest.fixture
def spy(core: Core, monkeypatch: pytest.MonkeyPatch) -> CoreSpy:
    return spy_on_core(monkeypatch, core, imported)


# -- files in: import ----------------------------------------------------------------------------------------


def test_the_file_url_sits_next_to_the_api_url(fake: FakeTelegram) -> None:
    assert base_file_url(fake.base_url) == fake.base_file_url
    assert base_file_url("https://api.telegram.org/bot") == "https://api.telegram.org/file/bot"


async def test_document_with_import_in_a_group_reaches_the_core(
    fake: FakeTelegram, telegram: TelegramPlatform, spy: CoreSpy
) -> None:
    ledger = fake.host_document("合同台账 2027.xlsx", LEDGER, mime_type=XLSX_MIME)
    update = document_update(ledger, "/import@ContractBot", user=WANGWU)
    [answer] = await send(fake, update, spy)
    msg = spy.last
    assert (msg.text, msg.chat_id, msg.chat_type) == ("import", str(GROUP_ID), "group")
    assert msg.event_id == f"{GROUP_ID}:{update['message']['message_id']}"
    [attachment] = msg.attachments
    assert (attachment.filename, attachment.data, attachment.mime) == ("合同台账 2027.xlsx", LEDGER, XLSX_MIME)
    # fetched as PTB does it: getFile, then the bytes from base_file_url + token + file_path
    [get_file] = fake.requests("getFile")
    assert get_file.params["file_id"] == ledger["file_id"]
    [download] = fake.downloads()
    assert download.token == fake.token and download.params["path"].startswith("documents/")
    # the answer quotes the document in the group
    assert answer["chat_id"] == GROUP_ID and f"Received 合同台账 2027.xlsx ({len(LEDGER)} bytes)" in answer["text"]
    assert answer["reply_parameters"]["message_id"] == update["message"]["message_id"]


async def test_document_with_chinese_caption_in_a_private_chat(
    fake: FakeTelegram, telegram: TelegramPlatform, spy: CoreSpy
) -> None:
    csv = fake.host_document("ledger.csv", CSV, mime_type="text/csv")
    [answer] = await send(fake, document_update(csv, "导入", chat=private_chat(LIWEI)), spy)
    assert (spy.last.text, spy.last.chat_type) == ("导入", "private")
    assert [(a.filename, a.data, a.mime) for a in spy.last.attachments] == [("ledger.csv", CSV, "text/csv")]
    assert answer["chat_id"] == LIWEI["id"] and "reply_parameters" not in answer


async def test_slash_import_in_chinese_for_a_chinese_user(
    fake: FakeTelegram, telegram: TelegramPlatform, spy: CoreSpy
) -> None:
    ledger = fake.host_document("台账.xlsx", LEDGER)  # no mime_type: clients may leave it out
    await send(fake, document_update(ledger, "/import"), spy)  # Li Wei's client is set to Chinese
    assert spy.last.text == "导入"
    assert [(a.filename, a.mime) for a in spy.last.attachments] == [("台账.xlsx", None)]


async def test_oversize_document_is_refused_without_downloading(
    fake: FakeTelegram, telegram: TelegramPlatform, spy: CoreSpy
) -> None:
    big = fake.host_document("huge.xlsx", LEDGER, size=25 * MB)
    update = document_update(big, "/import", user=WANGWU)
    [refusal] = await send(fake, update, spy)
    assert spy.seen == []
    assert fake.requests("getFile") == [] and fake.downloads() == []
    assert "huge.xlsx is 25.0 MB" in refusal["text"] and "20 MB" in refusal["text"]
    assert refusal["reply_parameters"]["message_id"] == update["message"]["message_id"]


async def test_too_big_without_a_size_is_refused_in_chinese(
    fake: FakeTelegram, telegram: TelegramPlatform, spy: CoreSpy
) -> None:
    big = fake.host_document("大台账.xlsx", LEDGER, size=21 * MB)
    del big["file_size"]  # optional in the Bot API: getFile is where Telegram says no
    [refusal] = await send(fake, document_update(big, "导入", chat=private_chat(LIWEI)), spy)
    assert spy.seen == [] and fake.downloads() == []
    assert "大台账.xlsx 超过 20 MB" in refusal["text"] and "20 MB 以内" in refusal["text"]


async def test_download_failure_gives_a_clear_reply(
    fake: FakeTelegram, telegram: TelegramPlatform, spy: CoreSpy, caplog: pytest.LogCaptureFixture
) -> None:
    ledger = fake.host_document("ledger.xlsx", LEDGER)
    fake.fail(FakeTelegram.FILE, 500, "boom")
    with caplog.at_level(logging.WARNING, logger="bot.telegram"):
        [refusal] = await send(fake, document_update(ledger, "/import", user=WANGWU), spy)
    assert spy.seen == []
    assert "I could not download ledger.xlsx from Telegram (Internal Server Error (500))" in refusal["text"]
    assert any("could not download telegram document" in r.getMessage() for r in caplog.records)


async def test_documents_not_meant_as_an_import_are_left_alone(
    fake: FakeTelegram, telegram: TelegramPlatform, spy: CoreSpy
) -> None:
    ledger = fake.host_document("ledger.xlsx", LEDGER)
    for update in (
        document_update(ledger, "/import@OtherBot"),  # another bot's command
        document_update(ledger, "导入"),  # plain words in a group are not commands
        document_update(ledger, "/list overdue"),  # a command, but not one that takes a file
        document_update(ledger, None, chat=private_chat(LIWEI)),  # no caption at all
        document_update(ledger, "/nonsense", chat=private_chat(LIWEI)),
    ):
        fake.push_update(update)
    mark = fake.mark()
    fake.push_update(document_update(ledger, "/import", user=WANGWU))  # the one that counts, after the others
    await fake.wait("sendMessage", since=mark)
    assert [m.text for m in spy.seen] == ["import"]
    assert len(fake.downloads()) == 1


async def test_import_command_without_a_file_passes_through(
    fake: FakeTelegram, telegram: TelegramPlatform, spy: CoreSpy
) -> None:
    [answer] = await say(fake, "/import", user=WANGWU)
    assert spy.last.text == "import" and spy.last.attachments == ()
    assert "Received no file" in answer["text"]


async def test_real_ledger_is_previewed_by_the_core(fake: FakeTelegram, telegram: TelegramPlatform) -> None:
    data = (Path(__file__).resolve().parents[2] / "fixtures" / "ledgers" / "合同台账_示例.xlsx").read_bytes()
    ledger = fake.host_document("合同台账_示例.xlsx", data, mime_type=XLSX_MIME)
    mark = fake.mark()
    fake.push_update(document_update(ledger, "导入", chat=private_chat(LIWEI)))
    preview = (await fake.wait("sendMessage", since=mark))[0].params["text"]
    assert "合同台账_示例.xlsx" in preview and "新增 7 份" in preview  # the core read the bytes we fetched


# -- documents out: exports ------------------------------------------------------------------------------------


TITLE = "台账导出 <HT-2026-002> & 其他"


async def test_reply_sends_the_text_then_the_document(
    fake: FakeTelegram, telegram: TelegramPlatform, core: Core, monkeypatch: pytest.MonkeyPatch
) -> None:
    spy_on_core(monkeypatch, core, lambda msg: [
        Reply(title="Export ready", images=[chart()], documents=[ledger_document(title=TITLE),
                                                                  ledger_document("due.ics", "Due dates", b"BEGIN")])])
    mark = fake.mark()
    fake.push_update(message_update("/contract export"))
    documents = await fake.wait("sendDocument", 2, since=mark)
    [text] = fake.requests("sendMessage", since=mark)
    [photo] = fake.requests("sendPhoto", since=mark)
    assert fake.calls.index(text) < fake.calls.index(photo) < fake.calls.index(documents[0])
    first = documents[0].params
    assert first["chat_id"] == GROUP_ID
    assert isinstance(first["document"], Upload)
    assert (first["document"].filename, first["document"].data) == ("ledger-2027-03-15.xlsx", LEDGER)
    assert first["caption"] == "台账导出 &lt;HT-2026-002&gt; &amp; 其他" and first["parse_mode"] == "HTML"
    assert (documents[1].params["document"].filename, documents[1].params["document"].data) == ("due.ics", b"BEGIN")


async def test_a_refused_document_does_not_lose_the_text(
    fake: FakeTelegram,
    telegram: TelegramPlatform,
    core: Core,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    spy_on_core(monkeypatch, core, lambda msg: [Reply(title="Export ready", documents=[ledger_document()])])
    fake.fail("sendDocument", 400, "Bad Request: file must be non-empty")
    mark = fake.mark()
    with caplog.at_level(logging.WARNING, logger="bot.telegram"):
        fake.push_update(document_update(fake.host_document("l.csv", CSV), "导入", chat=private_chat(LIWEI)))
        await fake.wait("sendDocument", since=mark)
        [text] = await fake.wait("sendMessage", since=mark)
        for _ in range(500):  # the refusal is logged once the handler has read Telegram's answer
            if any("could not send file ledger-2027-03-15.xlsx" in r.getMessage() for r in caplog.records):
                break
            await asyncio.sleep(0.01)
    assert "Export ready" in text.params["text"]
    assert any("could not send file ledger-2027-03-15.xlsx" in r.getMessage() for r in caplog.records)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


@pytest.fixture
def notifier(settings: Settings) -> Iterator[TelegramNotifier]:
    n = make_telegram_notifier(settings, rate_limiter=fast_limiter())
    yield n
    n.close()


def test_notifier_sends_the_text_then_the_document(fake: FakeTelegram, notifier: TelegramNotifier) -> None:
    reply = Reply(title="月度台账", documents=[ledger_document()])
    ref = notifier.send(Outgoing(Target("telegram", str(GROUP_ID), chat_id=str(GROUP_ID)), reply))
    [text] = fake.requests("sendMessage", chat_id=GROUP_ID)
    [document] = fake.documents(GROUP_ID)
    assert "月度台账" in text.params["text"] and document["document"].data == LEDGER
    # the reference is the text message: that is what a later edit rewrites
    [(chat, message_id)] = [key for key, message in fake.messages.items() if "document" not in message]
    assert ref == f"{chat}:{message_id}"


def test_notifier_document_failure_keeps_the_reference(fake: FakeTelegram, notifier: TelegramNotifier) -> None:
    fake.fail("sendDocument", 400, "Bad Request: wrong file identifier")
    ref = notifier.send(Outgoing(Target("telegram", str(GROUP_ID), chat_id=str(GROUP_ID)),
                                 Reply(title="月度台账", documents=[ledger_document()])))
    [(chat, message_id)] = fake.messages  # the text is the only message that exists (the document was refused)
    assert ref == f"{chat}:{message_id}"
