"""Charts on Telegram: the HTML text as today, then each PNG as a photo (sendPhoto, multipart) in the same chat."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from bot.config import Settings
from bot.telegram.notifier import TelegramNotifier, make_telegram_notifier
from bot.telegram.platform import TelegramPlatform
from handlers.core import Core
from handlers.replies import Action, Reply
from scheduler.notify import Outgoing, Target
from tests.bot.charts import PNG, PNG_SIGNATURE, attach_charts, chart
from tests.bot.telegram.conftest import GROUP_ID, LIWEI, ZHANGSAN, buttons, fast_limiter, message_update, private_chat
from tests.fakes.telegram_api import FakeTelegram, Upload

NEW = "/contract@ContractBot 新建 HT-2026-002 华为云采购 华为 120万 到期 2027年12月31日"
TITLE = "应收账龄 <HT-2026-002> & 其他"


async def test_command_reply_sends_the_text_then_the_chart(
    fake: FakeTelegram, telegram: TelegramPlatform, core: Core, monkeypatch: pytest.MonkeyPatch
) -> None:
    attach_charts(monkeypatch, core, chart("ageing.png", TITLE))
    mark = fake.mark()
    fake.push_update(message_update(NEW))
    [photo] = await fake.wait("sendPhoto", since=mark)
    [text] = fake.requests("sendMessage", since=mark)
    # the summary, as before: HTML, quoting the command
    assert text.params["chat_id"] == GROUP_ID and text.params["parse_mode"] == "HTML"
    assert text.params["text"].startswith("<b>已创建合同 HT-2026-002</b>")
    # then the picture, in the same chat, the bytes that were drawn, captioned with its escaped title
    assert fake.calls.index(text) < fake.calls.index(photo)
    assert photo.params["chat_id"] == GROUP_ID
    upload = photo.params["photo"]
    assert isinstance(upload, Upload)
    assert upload.data == PNG and upload.data.startswith(PNG_SIGNATURE)
    assert upload.filename == "ageing.png"
    assert photo.params["caption"] == "应收账龄 &lt;HT-2026-002&gt; &amp; 其他"
    assert photo.params["parse_mode"] == "HTML"


async def test_private_chat_gets_every_chart(
    fake: FakeTelegram, telegram: TelegramPlatform, core: Core, monkeypatch: pytest.MonkeyPatch
) -> None:
    attach_charts(monkeypatch, core, chart(), chart("ontime.png", "On-time rate by milestone kind"))
    mark = fake.mark()
    fake.push_update(message_update("/contract help", chat=private_chat(LIWEI)))
    photos = await fake.wait("sendPhoto", 2, since=mark)
    assert [p.params["chat_id"] for p in photos] == [LIWEI["id"], LIWEI["id"]]
    assert [p.params["photo"].filename for p in photos] == ["money-2027-01.png", "ontime.png"]
    assert len(fake.requests("sendMessage", since=mark)) == 1


async def test_a_refused_photo_does_not_lose_the_text(
    fake: FakeTelegram,
    telegram: TelegramPlatform,
    core: Core,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    attach_charts(monkeypatch, core)
    fake.fail("sendPhoto", 400, "Bad Request: PHOTO_INVALID_DIMENSIONS")
    mark = fake.mark()
    with caplog.at_level(logging.WARNING, logger="bot.telegram"):
        fake.push_update(message_update(NEW))
        await fake.wait("sendPhoto", since=mark)
        [text] = await fake.wait("sendMessage", since=mark)
        assert "已创建合同 HT-2026-002" in text.params["text"]
        # the next command is answered with its chart: the failure was logged, not raised into the handler
        mark = fake.mark()
        fake.push_update(message_update("/list"))
        [photo] = await fake.wait("sendPhoto", since=mark)
    [after] = fake.requests("sendMessage", since=mark)
    assert "HT-2026-002" in after.params["text"] and photo.params["photo"].data == PNG
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("could not send chart money-2027-01.png" in w for w in warnings)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]  # on_error never saw it


# -- the dispatch pass: reminders and digests through TelegramNotifier -------------------------------------------


DIGEST = Reply(
    title="每周摘要：3 个节点到期",
    lines=[("HT-2026-002 首付款 · 2026-12-04 周五",)],
    actions=[Action(kind="done", label="完成", key="k" * 16)],
    images=[chart()],
)


@pytest.fixture
def notifier(settings: Settings) -> Iterator[TelegramNotifier]:
    """The notifier of `contractbot dispatch`: its own bot on a private loop, called synchronously."""
    n = make_telegram_notifier(settings, rate_limiter=fast_limiter())
    yield n
    n.close()


def test_notifier_sends_the_digest_then_its_chart(fake: FakeTelegram, notifier: TelegramNotifier) -> None:
    ref = notifier.send(Outgoing(Target("telegram", str(GROUP_ID), chat_id=str(GROUP_ID)), DIGEST))
    [text] = fake.requests("sendMessage", chat_id=GROUP_ID)
    [photo] = fake.requests("sendPhoto", chat_id=GROUP_ID)
    assert "每周摘要" in text.params["text"] and buttons(text.params) == [("完成", "k" * 16)]
    assert photo.params["photo"].data == PNG
    assert photo.params["caption"] == chart().title
    # the reference is the text message with the keyboard: that is what a later edit rewrites
    chat, message_id = ref.split(":")
    assert int(chat) == GROUP_ID and (GROUP_ID, int(message_id)) in fake.messages
    assert "photo" not in fake.messages[(GROUP_ID, int(message_id))]
    notifier.update(ref, Reply(title="✅ 完成"))
    [edit] = fake.requests("editMessageText")
    assert edit.params["message_id"] == int(message_id)


def test_notifier_sends_a_dm_chart_to_the_user(fake: FakeTelegram, notifier: TelegramNotifier) -> None:
    user = ZHANGSAN["id"]
    notifier.send(Outgoing(Target("telegram", str(GROUP_ID), user_id=str(user), dm=True), DIGEST,
                           fallback_chat_id=str(GROUP_ID)))
    [photo] = fake.photos(user)
    assert photo["photo"].data == PNG
    assert fake.photos(GROUP_ID) == []


def test_notifier_photo_failure_keeps_the_text_and_the_reference(
    fake: FakeTelegram, notifier: TelegramNotifier, caplog: pytest.LogCaptureFixture
) -> None:
    fake.fail("sendPhoto", 400, "Bad Request: PHOTO_INVALID_DIMENSIONS")
    with caplog.at_level(logging.WARNING, logger="bot.telegram"):
        ref = notifier.send(Outgoing(Target("telegram", str(GROUP_ID), chat_id=str(GROUP_ID)), DIGEST))
    # no exception: the dispatcher records the sent text rather than retrying (which would post it twice)
    [text] = fake.requests("sendMessage", chat_id=GROUP_ID)
    assert "每周摘要" in text.params["text"]
    [(chat, message_id)] = fake.messages  # the text is the only message that exists
    assert ref == f"{chat}:{message_id}"
    assert len(fake.requests("sendPhoto")) == 1
    assert any("photo_invalid_dimensions" in r.getMessage().lower() for r in caplog.records)
