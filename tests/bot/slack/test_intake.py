"""Intake hygiene: the signature is checked on the raw body first; junk gets 400/401 (never 500, never an ERROR
log); a signed command or click replayed within the 5-minute window is applied once; requests are stored in the
inbox before Slack gets its 200."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import time
from urllib.parse import urlencode

import pytest
from sqlmodel import Session, select

from bot.slack.intake import Refused, chat_key, parse, update_key, verify
from handlers.core import Core
from storage.models import AuditEvent, Contract, InboxItem
from tests.bot.slack.conftest import SECRET, SlackDriver, element, signature
from tests.bot.slack.test_interactivity import dispatch, milestone, setup_ledger
from tests.fakes.slack_api import RESPOND

FORM = "application/x-www-form-urlencoded"


async def raw_post(slack: SlackDriver, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
    async with slack.session.post(slack.url, data=body, headers=headers) as resp:
        return resp.status, await resp.text()


def signed(body: bytes, content_type: str) -> dict[str, str]:
    """Headers that sign these exact bytes (which need not be UTF-8), as Slack would."""
    stamp = int(time.time())
    digest = hmac.new(SECRET.encode(), f"v0:{stamp}:".encode() + body, hashlib.sha256).hexdigest()
    return {"Content-Type": content_type, "X-Slack-Request-Timestamp": str(stamp), "X-Slack-Signature": "v0=" + digest}


JUNK: list[tuple[str, bytes, dict[str, str], int]] = [
    ("unsigned junk", b"x", {"Content-Type": FORM}, 401),
    ("unsigned JSON", b'{"type": "event_callback"}', {"Content-Type": "application/json"}, 401),
    ("timestamp abc", b"text=list", {"Content-Type": FORM, "X-Slack-Request-Timestamp": "abc",
                                     "X-Slack-Signature": "v0=" + "0" * 64}, 401),
    ("timestamp without signature", b"text=list", {"Content-Type": FORM,
                                                   "X-Slack-Request-Timestamp": str(int(time.time()))}, 401),
    ("non-ascii signature", b"text=list", {"Content-Type": FORM, "X-Slack-Request-Timestamp": str(int(time.time())),
                                           "X-Slack-Signature": "v0=ü"}, 401),
]
SIGNED_JUNK: list[tuple[str, bytes, str]] = [
    ("payload= that is not JSON", b"payload=%7Bnot+json", FORM),
    ("payload= that is a JSON list", b"payload=%5B1%2C2%5D", FORM),
    ("a JSON list", b"[1, 2, 3]", "application/json"),
    ("a JSON string", b'"hello"', "application/json"),
    ("JSON that does not parse", b'{"type": ', "application/json"),
    ("not UTF-8", b"text=\xff\xfe", FORM),
    ("another content type", b"hello", "text/plain"),
    ("no content type", b"hello", ""),
]


@pytest.mark.parametrize(("name", "body", "headers", "status"), JUNK, ids=[j[0] for j in JUNK])
async def test_unsigned_or_badly_signed_requests_get_401_and_a_warning(
    slack: SlackDriver, core: Core, caplog: pytest.LogCaptureFixture, name: str, body: bytes,
    headers: dict[str, str], status: int,
) -> None:
    with caplog.at_level(logging.DEBUG):
        got, _ = await raw_post(slack, body, headers)
        await slack.platform.idle()
    assert got == status
    _no_errors_and_one_warning(caplog)
    _nothing_stored(core)


@pytest.mark.parametrize(("name", "body", "content_type"), SIGNED_JUNK, ids=[j[0] for j in SIGNED_JUNK])
async def test_signed_but_malformed_bodies_get_400_and_a_warning(
    slack: SlackDriver, core: Core, caplog: pytest.LogCaptureFixture, name: str, body: bytes, content_type: str,
) -> None:
    with caplog.at_level(logging.DEBUG):
        got, _ = await raw_post(slack, body, signed(body, content_type))
        await slack.platform.idle()
    assert got == 400
    _no_errors_and_one_warning(caplog)
    _nothing_stored(core)
    assert slack.api.calls == []


def _no_errors_and_one_warning(caplog: pytest.LogCaptureFixture) -> None:
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING and r.name == "bot.slack.intake"]
    assert len(warnings) == 1 and warnings[0].exc_info is None and "refused" in warnings[0].getMessage()


def _nothing_stored(core: Core) -> None:
    with Session(core.engine) as s:
        assert s.exec(select(InboxItem)).all() == []
        assert s.exec(select(Contract)).all() == []


async def test_a_replayed_slash_command_is_applied_once(slack: SlackDriver, core: Core) -> None:
    body = urlencode(slack.command_form('new HT-2026-001 "Acme annual license" Acme Corp 1,200,000 CNY'))
    headers = signed(body.encode(), FORM)
    for _ in range(3):  # the same signed request, replayed inside the 5-minute window
        status, _ = await raw_post(slack, body.encode(), headers)
        assert status == 200
    await slack.platform.idle()
    [reply] = slack.api.calls_to(RESPOND)
    assert "Contract HT-2026-001 created" in reply.params["text"]
    with Session(core.engine) as s:
        assert len(s.exec(select(Contract)).all()) == 1
        [stored] = s.exec(select(InboxItem)).all()
    assert stored.status == "applied" and stored.update_key.startswith("body:")


async def test_a_replayed_click_is_applied_once(slack: SlackDriver, core: Core) -> None:
    setup_ledger(core)
    posted = await asyncio.to_thread(dispatch, core, slack.api)
    snooze = element(posted.blocks, "snooze")
    payload = slack.click_payload({**snooze, "selected_option": snooze["options"][1]}, ts=posted.ts)
    body = urlencode({"payload": json.dumps(payload)}).encode()
    headers = signed(body, FORM)
    assert (await raw_post(slack, body, headers))[0] == 200
    await slack.platform.idle()
    with Session(core.engine) as s:
        audited = len(s.exec(select(AuditEvent)).all())
    calls = len(slack.api.calls)
    snoozed = milestone(core).snoozed_until
    assert snoozed is not None

    assert (await raw_post(slack, body, headers))[0] == 200  # replayed: acknowledged, not applied again
    await slack.platform.idle()
    with Session(core.engine) as s:
        assert len(s.exec(select(AuditEvent)).all()) == audited
    assert len(slack.api.calls) == calls
    assert milestone(core).snoozed_until == snoozed


async def test_a_request_is_stored_before_it_is_acknowledged(slack: SlackDriver, core: Core, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(slack.platform.inbox, "concurrency", 0)  # a process that only takes requests in
    await slack.platform.inbox.stop(0)
    assert await slack.send_command("list") == 200
    with Session(core.engine) as s:
        [stored] = s.exec(select(InboxItem)).all()
    assert (stored.platform, stored.status, stored.chat_key) == ("slack", "pending", "C0001")
    assert json.loads(stored.payload)["body"]["text"] == "list"
    assert slack.api.calls_to(RESPOND) == []


# -- the pieces ---------------------------------------------------------------------------------------------------


def test_verify_accepts_slacks_signature_and_nothing_else() -> None:
    now = 1_764_200_000
    body = b"token=x&text=list"
    good = signature(body.decode(), now)
    verify(SECRET, body, str(now), good, now=now + 299)
    for timestamp, sig, at in ((str(now), good, now + 301), (str(now), good[:-1] + "0", now),
                               ("abc", good, now), (None, good, now), (str(now), None, now), ("", "", now)):
        with pytest.raises(Refused) as refused:
            verify(SECRET, body, timestamp, sig, now=at)
        assert refused.value.status == 401


def test_parse_and_keys() -> None:
    event = {"type": "event_callback", "event_id": "Ev1", "event": {"type": "app_mention", "channel": "C9"}}
    assert parse(json.dumps(event).encode(), "application/json; charset=utf-8") == event
    assert update_key(event, b"whatever") == "event:Ev1" and chat_key(event) == "C9"
    form = parse(b"command=%2Fcontract&text=list&channel_id=C1&user_id=U1&trigger_id=t1", FORM)
    assert form["text"] == "list" and chat_key(form) == "C1"
    assert update_key(form, b"a") == update_key(form, b"a") != update_key(form, b"b")
    click = parse(b"payload=" + json.dumps({"type": "view_submission", "user": {"id": "U7"}}).encode(), FORM)
    assert chat_key(click) == "user:U7"


async def test_a_command_whose_work_was_done_is_not_done_again(slack: SlackDriver, core: Core) -> None:
    # as after a crash between the core's commit and the inbox row's "applied": the request comes round again
    # (here with a body that differs, so the inbox takes it); its trigger id makes it a no-op in the core
    form = slack.command_form('new HT-2026-001 "Acme annual license" Acme Corp 1,200,000 CNY')
    assert (await raw_post(slack, urlencode(form).encode(), signed(urlencode(form).encode(), FORM)))[0] == 200
    again = urlencode({**form, "token": "rotated"}).encode()
    assert (await raw_post(slack, again, signed(again, FORM)))[0] == 200
    await slack.platform.idle()
    assert len(slack.api.calls_to(RESPOND)) == 1
    with Session(core.engine) as s:
        assert len(s.exec(select(Contract)).all()) == 1
        assert [r.status for r in s.exec(select(InboxItem)).all()] == ["applied", "applied"]
