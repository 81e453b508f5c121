"""Files on Feishu: charts and exports follow their card as image and file messages (uploaded first); a ledger
sent to the bot is downloaded and previewed, then imported on confirmation; the text never waits for a file."""

from __future__ import annotations

import io
import logging
from pathlib import Path

import openpyxl
import pytest
from sqlmodel import Session, select

from bot.config import Settings
from bot.feishu import downloads, uploads
from bot.feishu.notifier import make_feishu_notifier
from handlers.core import Core
from handlers.replies import Document, Image, Reply
from scheduler.notify import Outgoing, Target
from storage.models import Contract, InboxItem
from tests.bot.charts import PNG, PNG_SIGNATURE, chart
from tests.bot.feishu.conftest import (
    GROUP,
    LIWEI,
    ZHANGSAN,
    Feishu,
    card_text,
    control,
    file_event,
    message_event,
    press_event,
    reply_event,
)
from tests.fakes.core_spy import LEDGER, ledger_document, spy_on_core
from tests.fakes.feishu_api import Call, FakeFeishu

MB = 1024 * 1024
SAMPLE = (Path(__file__).resolve().parents[2] / "fixtures" / "ledgers" / "合同台账_示例.xlsx").read_bytes()


def contracts(core: Core) -> list[str]:
    with Session(core.engine) as s:
        return sorted(c.number for c in s.exec(select(Contract)).all())


async def ledger_with_money(feishu: Feishu) -> None:
    await feishu.say("新建 HT-2026-002 华为云采购 华为 120万 到期 2027年12月31日")
    await feishu.say("节点 HT-2026-002 首付款 30% 下周五 @张三")
    await feishu.say("节点 HT-2026-002 尾款 70% 2027年3月31日 @李伟")


# -- out: charts and files ---------------------------------------------------------------------------------------


async def test_a_report_sends_its_card_then_each_chart_as_an_image(feishu: Feishu, fake: FakeFeishu) -> None:
    await ledger_with_money(feishu)
    mark = fake.mark()
    await feishu.say("报表")
    sent = fake.delivered(GROUP)
    report = [i for i, (kind, _, item) in enumerate(sent) if kind == "interactive" and "报表" in card_text(item)]
    assert report, "no report card"
    after = sent[report[-1] + 1 :]
    assert after and all(kind == "image" for kind, _, _ in after)  # the charts come after the text, as images
    for _, _, data in after:
        assert isinstance(data, bytes) and data.startswith(PNG_SIGNATURE) and len(data) > 1000
    uploads_made = fake.requests("image_upload", since=mark)
    assert len(uploads_made) == len(after)
    assert all(c.body["image_type"] == "message" for c in uploads_made)
    card = sent[report[-1]][2]
    assert isinstance(card, dict) and "图表见下方" in card_text(card)  # the titles stand in for alt text
    assert "暂不支持" not in card_text(card)


async def test_an_export_sends_the_xlsx_as_a_file_message(feishu: Feishu, fake: FakeFeishu) -> None:
    await ledger_with_money(feishu)
    mark = fake.mark()
    await feishu.say("导出")
    [upload] = fake.requests("file_upload", since=mark)
    assert upload.body["file_type"] == "xls" and upload.body["file_name"].endswith(".xlsx")
    kind, name, data = fake.delivered(GROUP)[-1]
    assert kind == "file" and name == upload.body["file_name"] and isinstance(data, bytes)
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert "合同" in book.sheetnames and book["合同"]["A2"].value == "HT-2026-002"
    card_kind, _, card = fake.delivered(GROUP)[-2]
    assert card_kind == "interactive" and name in card_text(card)  # the card names the file that follows


async def test_a_calendar_asked_in_a_group_goes_with_its_file_to_the_private_chat(
    feishu: Feishu, fake: FakeFeishu
) -> None:
    await ledger_with_money(feishu)
    calls = await feishu.say("日历", user=ZHANGSAN)
    [note] = [c for c in calls if c.kind == "ephemeral"]  # the group's lane and the private chat's run apart
    assert note.body["chat_id"] == GROUP and note.body["open_id"] == ZHANGSAN
    private = [c for c in calls if c.kind == "send"]
    assert [(c.body["receive_id"], c.body["msg_type"]) for c in private] == [(ZHANGSAN, "interactive"),
                                                                             (ZHANGSAN, "file")]
    kind, name, data = fake.delivered(fake.p2p_chat(ZHANGSAN))[-1]
    assert kind == "file" and name.endswith(".ics") and isinstance(data, bytes)
    assert data.startswith(b"BEGIN:VCALENDAR")
    [upload] = fake.requests("file_upload")
    assert upload.body["file_type"] == "stream"
    assert all(k != "file" for k, _, _ in fake.delivered(GROUP))  # a private link never goes to the group


async def test_a_refused_upload_keeps_the_text_and_says_what_was_not_sent(
    feishu: Feishu, fake: FakeFeishu, core: Core, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    spy_on_core(monkeypatch, core, lambda msg: [Reply(title="导出完成", lang="zh", images=[chart()],
                                                      documents=[ledger_document()])])
    fake.fail("image_upload", 99991672, "Access denied. One of the following scopes is required: [im:resource]")
    fake.fail("file_upload", 234006, "The file size exceed the max value.")
    with caplog.at_level(logging.INFO, logger="bot.feishu"):
        calls = await feishu.say("导出")
    kinds = [(c.kind, c.body.get("msg_type")) for c in calls]
    assert kinds == [("send", "interactive"), ("send", "interactive"), ("send", "interactive")]
    first, *notes = [card_text(c.card) for c in calls]
    assert "导出完成" in first
    assert "无法在飞书发送 money-2027-01.png" in notes[0] and "im:resource" in notes[0]
    assert "ledger-2027-03-15.xlsx" in notes[1] and "exceed" in notes[1]
    warned = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("could not send chart money-2027-01.png" in m for m in warned)
    assert any("could not send file ledger-2027-03-15.xlsx" in m for m in warned)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_a_frequency_limit_on_a_picture_reschedules_it_and_uploads_once(
    feishu: Feishu, fake: FakeFeishu, core: Core, monkeypatch: pytest.MonkeyPatch
) -> None:
    spy_on_core(monkeypatch, core, lambda msg: [Reply(title="报表", lang="zh", images=[chart(), chart("b.png")])])
    fake.rate_limit(1, kind="image_upload")  # the first upload
    fake.rate_limit(1, receive_id=GROUP, msg_type="image")  # and the first picture's message
    mark = fake.mark()
    await feishu.post(message_event("报表"))
    sends = await fake.wait("send", 4, since=mark, timeout=10)
    await feishu.platform.idle()
    assert [c.body["msg_type"] for c in sends] == ["interactive", "image", "image", "image"]
    assert sends[1].body["uuid"] == sends[2].body["uuid"]  # the refused message again, not a new one
    assert sends[2].at - sends[1].at >= 0.9  # waited out x-ogw-ratelimit-reset
    assert len(fake.requests("image_upload", since=mark)) == 3  # refused, then once per picture
    assert [data for kind, _, data in fake.delivered(GROUP) if kind == "image"] == [PNG, PNG]


def test_what_goes_as_a_picture_a_file_or_not_at_all() -> None:
    big_picture = Image(PNG + b"\0" * (10 * MB), "huge.png", "Huge")
    reply = Reply(lang="en", images=[chart(), big_picture],
                  documents=[Document(b"", "empty.csv", "Empty"), Document(b"x" * (30 * MB + 1), "big.zip", "Big"),
                             ledger_document(), Document(b"BEGIN:VCALENDAR", "me.ics", "Calendar")])
    sendable, notes = uploads.outgoing(reply)
    assert [(o.kind, o.filename, o.file_type) for o in sendable] == [
        ("image", "money-2027-01.png", ""), ("file", "huge.png", "stream"),
        ("file", "ledger-2027-03-15.xlsx", "xls"), ("file", "me.ics", "stream")]
    assert notes == ["📎 empty.csv was not sent: it is empty.",
                     "📎 big.zip was not sent: Feishu takes files up to 30 MB."]
    assert uploads.file_notes(reply)[0] == "📊 Charts below: Money due vs received, 2026-12 to 2027-05 (CNY)"
    assert uploads.file_type("合同.PDF") == "pdf" and uploads.file_type("noext") == "stream"


def test_the_notifier_sends_the_card_then_the_files_and_never_fails_on_them(
    fake: FakeFeishu, settings: Settings
) -> None:
    notifier = make_feishu_notifier(settings)
    reply = Reply(title="📊 周报", lang="zh", images=[chart()], documents=[ledger_document()])
    ref = notifier.send(Outgoing(Target("feishu", GROUP, chat_id=GROUP), reply))
    kinds = [(kind, data) for kind, _, data in fake.delivered(GROUP)]
    assert [k for k, _ in kinds] == ["interactive", "image", "file"]
    assert kinds[1][1] == PNG and kinds[2][1] == LEDGER
    assert ref.removeprefix("p2p:") in fake.messages and fake.messages[ref]["msg_type"] == "interactive"
    fake.fail("image_upload", 234011, "Can't regonnize the image format.")
    fake.rate_limit(5, kind="file_upload")
    again = notifier.send(Outgoing(Target("feishu", GROUP, chat_id=GROUP), reply))  # the card is out: no raise
    assert again != ref and fake.messages[again]["msg_type"] == "interactive"


# -- in: a ledger to import --------------------------------------------------------------------------------------


async def test_a_ledger_sent_in_a_private_chat_is_previewed_then_imported(
    feishu: Feishu, fake: FakeFeishu, core: Core
) -> None:
    event = file_event(fake, "合同台账_示例.xlsx", SAMPLE)
    message_id = event["event"]["message"]["message_id"]
    calls = await feishu.deliver(event)
    [download] = fake.requests("resource")
    assert download.path.startswith(f"/open-apis/im/v1/messages/{message_id}/resources/file_")
    assert download.query == {"type": "file"}
    preview, ask = calls
    assert "合同台账_示例.xlsx" in card_text(preview.card) and "新增 7 份" in card_text(preview.card)
    assert contracts(core) == []  # nothing is written before the confirmation
    assert "导入 确认" in card_text(ask.card)
    button = control(ask.card, "1. 导入")
    [*_, done] = await feishu.press(press_event(button["value"], message_id=ask_id(fake, ask),
                                                chat=fake.p2p_chat(LIWEI), user=LIWEI))
    assert "已导入" in card_text(done.card)
    assert len(contracts(core)) == 7


def ask_id(fake: FakeFeishu, call: Call) -> str:
    """The message id of a card the bot sent (the fake's answer to that send)."""
    [found] = [mid for mid, m in fake.messages.items() if m.get("card") == call.card]
    return found


async def test_in_a_group_import_replying_to_a_file_imports_that_file(
    feishu: Feishu, fake: FakeFeishu, core: Core
) -> None:
    group_file = file_event(fake, "销售台账.xlsx", SAMPLE, p2p=False, user=LIWEI)
    assert await feishu.deliver(group_file) == []  # a file in a group is not a command (it mentions no one)
    assert fake.requests("resource") == []
    parent = group_file["event"]["message"]["message_id"]
    [preview, _ask] = await feishu.deliver(reply_event("导入", parent, user=ZHANGSAN))
    assert preview.body["receive_id"] == GROUP and "销售台账.xlsx" in card_text(preview.card)
    assert fake.requests("message") == []  # the file message was in the inbox already
    # a file the bot never saw (sent before it had im:message.group_msg): read by id
    message_id, _ = fake.send_file(GROUP, LIWEI, "旧台账.xlsx", SAMPLE)
    [preview, _ask] = await feishu.deliver(reply_event("导入", message_id, user=ZHANGSAN))
    assert "旧台账.xlsx" in card_text(preview.card)
    [read] = fake.requests("message")
    assert read.path == f"/open-apis/im/v1/messages/{message_id}"


async def test_in_a_group_import_takes_the_speakers_own_recent_file(feishu: Feishu, fake: FakeFeishu) -> None:
    await feishu.deliver(file_event(fake, "台账.xlsx", SAMPLE, p2p=False, user=LIWEI))
    [hint] = await feishu.say("导入", user=ZHANGSAN)  # someone else's file is not theirs to import by default
    assert hint.kind == "ephemeral" and hint.body["open_id"] == ZHANGSAN
    assert "请先发送台账文件" in card_text(hint.card) and fake.requests("resource") == []
    [preview, _ask] = await feishu.say("导入", user=LIWEI)
    assert "台账.xlsx" in card_text(preview.card) and "新增 7 份" in card_text(preview.card)


async def test_a_file_older_than_ten_minutes_is_not_taken(feishu: Feishu, fake: FakeFeishu) -> None:
    said_at = int(message_event("导入")["event"]["message"]["create_time"])
    await feishu.deliver(file_event(fake, "旧.xlsx", SAMPLE, p2p=False, sent_ms=said_at - 11 * 60 * 1000))
    [hint] = await feishu.say("导入")
    assert "请先发送台账文件" in card_text(hint.card) and fake.requests("resource") == []


async def test_import_confirm_or_cancel_looks_for_no_file(
    feishu: Feishu, fake: FakeFeishu, core: Core, monkeypatch: pytest.MonkeyPatch
) -> None:
    await feishu.deliver(file_event(fake, "台账.xlsx", SAMPLE, p2p=False))
    spy = spy_on_core(monkeypatch, core)
    await feishu.say("导入 取消")
    assert spy.last.text == "导入 取消" and spy.last.attachments == ()
    assert fake.requests("resource") == []


async def test_a_file_over_20_mb_is_refused_without_reaching_the_core(
    feishu: Feishu, fake: FakeFeishu, core: Core, monkeypatch: pytest.MonkeyPatch
) -> None:
    spy = spy_on_core(monkeypatch, core)
    [refusal] = await feishu.deliver(file_event(fake, "大台账.xlsx", LEDGER + b"\0" * (21 * MB)))
    assert "大台账.xlsx 超过 20 MB" in card_text(refusal.card)
    fake.chunked_downloads = True  # no Content-Length: the bot stops reading at the limit
    [refusal] = await feishu.deliver(file_event(fake, "large.xlsx", LEDGER + b"\0" * (21 * MB), locale="en_US"))
    assert "large.xlsx is larger than 20 MB" in card_text(refusal.card)
    assert spy.seen == []


async def test_a_download_feishu_refuses_is_explained_to_the_sender(
    feishu: Feishu, fake: FakeFeishu, caplog: pytest.LogCaptureFixture
) -> None:
    fake.fail("resource", 99991672, "Access denied. One of the following scopes is required: [im:message:readonly]")
    with caplog.at_level(logging.WARNING, logger="bot.feishu"):
        [refusal] = await feishu.deliver(file_event(fake, "台账.xlsx", SAMPLE))
    text = card_text(refusal.card)
    assert "无法从飞书下载 台账.xlsx" in text and "im:message:readonly" in text
    assert any("could not download feishu file" in r.getMessage() for r in caplog.records)


async def test_a_frequency_limit_on_a_download_applies_the_event_again(feishu: Feishu, fake: FakeFeishu) -> None:
    fake.rate_limit(1, kind="resource")
    mark = fake.mark()
    await feishu.post(file_event(fake, "台账.xlsx", SAMPLE))
    [preview, _ask] = await fake.wait("send", 2, since=mark, timeout=10)
    downloads_made = fake.requests("resource", since=mark)
    assert len(downloads_made) == 2 and downloads_made[1].at - downloads_made[0].at >= 0.9
    assert "新增 7 份" in card_text(preview.card)


async def test_pictures_and_other_apps_files_are_not_imports(feishu: Feishu, fake: FakeFeishu) -> None:
    picture = file_event(fake, "x.png", PNG)
    picture["event"]["message"].update(message_type="image", content='{"image_key": "img_v3_x"}')
    from_a_bot = file_event(fake, "台账.xlsx", SAMPLE)
    from_a_bot["event"]["sender"]["sender_type"] = "app"
    assert await feishu.deliver(picture) == [] and await feishu.deliver(from_a_bot) == []
    assert fake.requests("resource") == []


async def test_group_chatter_is_not_kept_but_a_group_file_is(feishu: Feishu, fake: FakeFeishu, core: Core) -> None:
    assert await feishu.deliver(message_event("明天下午开会", to_bot=False)) == []
    assert await feishu.deliver(message_event("@张三 看下合同", to_bot=False)) == []  # mentions someone else
    shared = file_event(fake, "台账.xlsx", SAMPLE, p2p=False)
    await feishu.deliver(shared)
    with Session(core.engine) as s:
        kept = [row.update_key for row in s.exec(select(InboxItem)).all()]
    assert kept == [f"message:{shared['event']['message']['message_id']}"]


def test_a_file_message_reads_as_documented() -> None:
    from tests.fakes.feishu_api import fixture

    shared = downloads.file_message(fixture("message_file.json"))
    assert shared == downloads.SharedFile("om_dc13264520392913993dd051dba21dcf",
                                          "file_456a92d6-c6ea-4de4-ac3f-7afcf44ac78g", "合同台账.xlsx",
                                          "ou_84aad35d084aa403a838cf73ee18467", 1609073153345)
    assert downloads.file_of_item(fixture("message_get.json")["data"]["items"][0]) == downloads.SharedFile(
        "om_dc13264520392913993dd051dba21dcf", "file_456a92d6-c6ea-4de4-ac3f-7afcf44ac78g", "合同台账.xlsx",
        "ou_84aad35d084aa403a838cf73ee18467", 1615380573411)
    assert downloads.reply_to(fixture("message_reply.json")) == "om_dc13264520392913993dd051dba21dcf"
    assert [downloads.wants_file(t) for t in ("导入", "import", "导入台账", "导入 确认 #3", "import cancel", "导出")] == [
        True, True, True, False, False, False]
