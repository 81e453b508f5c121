"""What may come in at /feishu/events: Feishu's own requests only (signature, Encrypt Key, Verification Token),
the URL check answered, an event stored before the 200 and applied once however often it comes."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, select

from bot.feishu import security
from bot.feishu.security import Refused, open_request
from handlers.core import Core
from storage.models import Contract, InboxItem
from tests.bot.feishu.conftest import (
    ENCRYPT_KEY,
    GROUP,
    VERIFICATION_TOKEN,
    Feishu,
    feishu_settings,
    message_event,
    running,
)
from tests.fakes.feishu_api import FakeFeishu, encrypt, event_request, fixture, sign


def contracts(core: Core) -> list[str]:
    with Session(core.engine) as s:
        return sorted(c.number for c in s.exec(select(Contract)).all())


def inbox(core: Core) -> list[InboxItem]:
    with Session(core.engine) as s:
        return list(s.exec(select(InboxItem).order_by(InboxItem.id)).all())  # type: ignore[arg-type]


def url_check() -> dict[str, Any]:
    return {**fixture("url_verification.json"), "token": VERIFICATION_TOKEN}


def test_decryption_matches_the_documented_example() -> None:
    vector = json.loads((__import__("pathlib").Path(__file__).parents[2] / "fixtures" / "feishu"
                         / "encrypted_test_vector.json").read_text(encoding="utf-8"))
    assert security.decrypt(vector["_encrypt_key"], vector["encrypt"]) == vector["_plaintext"]
    # and what the fake (written from the same page) encrypts, the bot reads back
    assert security.decrypt("k", encrypt("k", '{"a": "合同"}')) == '{"a": "合同"}'
    with pytest.raises(Refused) as bad:
        security.decrypt("another key", vector["encrypt"])
    assert bad.value.status == 400


def test_the_signature_covers_timestamp_nonce_key_and_the_raw_body() -> None:
    body = b'{"encrypt":"abc"}'
    headers = {"X-Lark-Request-Timestamp": "1700000000", "X-Lark-Request-Nonce": "n0nce",
               "X-Lark-Signature": sign("key", body, "1700000000", "n0nce")}
    security.check_signature("key", body, headers)
    for changed in ({**headers, "X-Lark-Request-Nonce": "other"}, {**headers, "X-Lark-Signature": "0" * 64},
                    {k: v for k, v in headers.items() if k != "X-Lark-Signature"}):
        with pytest.raises(Refused) as refused:
            security.check_signature("key", body, changed)
        assert refused.value.status == 401
    with pytest.raises(Refused):
        security.check_signature("key", body + b" ", headers)
    with pytest.raises(Refused):
        security.check_signature("other key", body, headers)


def test_an_event_with_another_verification_token_is_refused_even_when_signed() -> None:
    event = message_event("列表")
    event["header"]["token"] = "someone-elses-token"
    body, headers = event_request(event, encrypt_key=ENCRYPT_KEY)
    with pytest.raises(Refused) as refused:
        open_request(body, headers, verification_token=VERIFICATION_TOKEN, encrypt_key=ENCRYPT_KEY)
    assert refused.value.status == 401


async def test_the_url_check_is_answered_plain_and_encrypted(feishu: Feishu) -> None:
    # with an Encrypt Key, Feishu sends the check encrypted and unsigned
    assert await feishu.post(url_check(), signed=False) == (200, {"challenge": "ajls384kdjxxxx"})
    assert await feishu.post(url_check()) == (200, {"challenge": "ajls384kdjxxxx"})
    # someone else's token is not answered
    status, _ = await feishu.post({**url_check(), "token": "guess"}, signed=False)
    assert status == 401


async def test_requests_that_fail_verification_get_401_or_400_never_500(
    feishu: Feishu, core: Core, caplog: pytest.LogCaptureFixture
) -> None:
    event = message_event('新建 HT-1 "Deal" Acme 1000 CNY')
    body, headers = event_request(event, encrypt_key=ENCRYPT_KEY)
    cases: list[tuple[bytes, dict[str, str], int]] = [
        (body, {**headers, "X-Lark-Signature": sign(ENCRYPT_KEY, body + b"x", "1", "2")}, 401),  # wrong signature
        (body, {k: v for k, v in headers.items() if not k.startswith("X-Lark")}, 401),  # unsigned
        (body, {**headers, "X-Lark-Signature": sign("a guessed key", body,
                                                    headers["X-Lark-Request-Timestamp"],
                                                    headers["X-Lark-Request-Nonce"])}, 401),
        (json.dumps(event).encode(), {}, 401),  # plaintext, unsigned, while the app encrypts
    ]
    wrong_app = message_event('新建 HT-2 "Deal" Acme 1000 CNY')
    wrong_app["header"]["app_id"] = "cli_someone_else"
    cases.append((*event_request(wrong_app, encrypt_key=ENCRYPT_KEY), 401))
    for junk in (b"not json", b"[1, 2]", b'"hello"', b"\xff\xfe", b'{"encrypt": 42}',
                 b'{"encrypt": "bm90IGEgY2lwaGVydGV4dA=="}', json.dumps({"encrypt": encrypt(ENCRYPT_KEY, "[1]")}).encode(),
                 json.dumps({"encrypt": encrypt(ENCRYPT_KEY, "no json")}).encode()):
        cases.append((*event_request_raw(junk), 400))
    no_ids = message_event("列表")
    del no_ids["event"]["message"]["message_id"]
    cases.append((*event_request(no_ids, encrypt_key=ENCRYPT_KEY), 400))
    with caplog.at_level(logging.INFO):
        for body_, headers_, expected in cases:
            status, _ = await feishu.post_raw(body_, headers_)
            assert status == expected, (body_[:60], headers_)
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []
    assert inbox(core) == [] and contracts(core) == []


def event_request_raw(body: bytes) -> tuple[bytes, dict[str, str]]:
    """A body signed as Feishu would sign it (so only its content can be wrong)."""
    headers = {"X-Lark-Request-Timestamp": "1700000000", "X-Lark-Request-Nonce": "n",
               "X-Lark-Signature": sign(ENCRYPT_KEY, body, "1700000000", "n")}
    return body, headers


async def test_an_event_is_stored_before_200_and_a_retry_is_applied_once(
    fake: FakeFeishu, core: Core
) -> None:
    settings = feishu_settings(fake, inbox_concurrency=0)  # this process only stores
    bot = await running(settings, core, fake)
    event = message_event('新建 HT-001 "Deal" Acme 1000 CNY', message_id="om_once")
    again = {**event, "header": {**event["header"], "event_id": "another-event-id"}}  # Feishu's duplicate push
    try:
        for e in (event, event, again):
            assert await bot.post(e) == (200, {})
        [stored] = inbox(core)
        assert (stored.status, stored.update_key, stored.chat_key) == ("pending", "message:om_once", GROUP)
        assert contracts(core) == []
    finally:
        await bot.service.stop()
    mark = fake.mark()
    bot = await running(feishu_settings(fake), core, fake)  # a process with workers applies what was stored
    try:
        await bot.platform.idle()
        [reply] = fake.requests("send", since=mark)
        assert "HT-001" in json.dumps(reply.card, ensure_ascii=False)
        assert contracts(core) == ["HT-001"] and [r.status for r in inbox(core)] == ["applied"]
    finally:
        await bot.service.stop()


async def test_without_an_encrypt_key_the_verification_token_decides(fake: FakeFeishu, core: Core) -> None:
    bot = await running(feishu_settings(fake, encrypt_key=None), core, fake)
    try:
        assert await bot.post(url_check()) == (200, {"challenge": "ajls384kdjxxxx"})
        forged = message_event('新建 HT-9 "Deal" Acme 1000 CNY')
        forged["header"]["token"] = "guess"
        assert (await bot.post(forged))[0] == 401
        encrypted = message_event('新建 HT-9 "Deal" Acme 1000 CNY')
        assert (await bot.post(encrypted, encrypt_key="some key"))[0] == 400  # we cannot read it
        calls = await bot.say('新建 HT-001 "Deal" Acme 1000 CNY')
        assert len(calls) == 1 and contracts(core) == ["HT-001"]
    finally:
        await bot.service.stop()


async def test_other_events_are_acknowledged_and_dropped(feishu: Feishu, core: Core) -> None:
    event = message_event("列表")
    event["header"]["event_type"] = "im.chat.member.bot.added_v1"
    assert await feishu.post(event) == (200, {})
    assert inbox(core) == []


async def test_a_database_that_cannot_store_gets_a_retry_and_the_token_stays_out_of_the_log(
    feishu: Feishu, core: Core, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    event = message_event('新建 HT-1 "Deal" Acme 1000 CNY')
    header = event["header"]  # in the order of Feishu's documentation: the token right after the event id
    event["header"] = {"event_id": header.pop("event_id"), "token": header.pop("token"), **header}

    def refused(*args: object) -> list[bool]:  # the INSERT fails; SQLAlchemy's message carries its parameters
        raise OperationalError("INSERT INTO inbox (payload) VALUES (?)", (json.dumps(event),),
                               Exception("database is locked"))

    monkeypatch.setattr("bot.feishu.intake.record", refused)
    with caplog.at_level(logging.DEBUG):
        status, _ = await feishu.post(event)
    assert status == 503 and "database is locked" in caplog.text
    assert VERIFICATION_TOKEN not in caplog.text  # without an Encrypt Key it is what proves a request is Feishu's
