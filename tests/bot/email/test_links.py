"""The one-time links of reminder e-mails on the bot's web server: GET shows, POST acts once, as the mailed person."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.config import Settings
from bot.email.platform import MailPlatform
from bot.http import create_app
from storage.models import AuditEvent, MailLink, Milestone, Payment, Person
from tests.bot.email.conftest import PUBLIC, SEVEN_AHEAD, Recorder, make_pass
from tests.chat import Chat

LINK = re.compile(re.escape(PUBLIC) + r"(/mail/[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+)")


def mailed_links(engine: Engine, chat: Chat, settings: Settings, smtp: Recorder,
                 title: str = "delivery") -> tuple[str, str]:
    """Send @cfo the 7-days-ahead reminders; the paths of the Done and Snooze 3 days links of one milestone."""
    chat.say("milestone HT-1 delivery 2026-12-10 owner @cfo")  # no money on it
    chat.say("email @cfo cfo@example.com")
    make_pass(engine, settings).dispatcher.run_pass(SEVEN_AHEAD)
    [mail] = [r.message for r in smtp.received if f"{title} of HT-1" in r.message["Subject"]]
    body = mail.get_body(preferencelist=("plain",))
    assert body is not None
    done, snooze = LINK.findall(body.get_content())
    return done, snooze


@pytest.fixture
async def client(engine: Engine, chat: Chat, settings: Settings) -> AsyncIterator[TestClient]:
    app = create_app(engine)
    platform = MailPlatform(settings, chat.core)
    platform.add_routes(app)  # as `contractbot run` mounts every platform's routes
    assert platform.routes == ["/mail/<link>"] and platform.notifier is platform.smtp
    c = TestClient(TestServer(app))
    await c.start_server()
    yield c
    await c.close()


def milestone(engine: Engine, title: str = "delivery") -> Milestone:
    with Session(engine) as s:
        return s.exec(select(Milestone).where(Milestone.title == title)).one()


async def test_get_shows_a_page_and_post_marks_done_once(engine: Engine, chat: Chat, settings: Settings,
                                                         smtp: Recorder, client: TestClient) -> None:
    done, _snooze = mailed_links(engine, chat, settings, smtp)
    chat.clock.now = datetime(2026, 12, 3, 2, 0, tzinfo=UTC)  # type: ignore[union-attr]
    # a mail scanner fetches the link: nothing happens, a page asks
    for _ in range(2):
        resp = await client.get(done)
        page = await resp.text()
        assert resp.status == 200 and resp.headers["Cache-Control"] == "no-store"
        assert resp.headers["Referrer-Policy"] == "no-referrer" and "noindex" in resp.headers["X-Robots-Tag"]
        assert "Mark delivery of HT-1 done?" in page and '<form method="post">' in page
        assert "Mark done</button>" in page and "You act as @cfo." in page and "Thu 2026-12-10" in page
    assert milestone(engine).status == "open"
    # the button: done, as @cfo, who has never written in the chat
    resp = await client.post(done)
    page = await resp.text()
    assert resp.status == 200 and "delivery" in page and "HT-1" in page
    m = milestone(engine)
    with Session(engine) as s:
        cfo = s.exec(select(Person).where(Person.handle == "cfo")).one()
        events = s.exec(select(AuditEvent).where(AuditEvent.entity_id == m.id)).all()
        link = s.exec(select(MailLink).where(MailLink.used_at.is_not(None))).one()  # type: ignore[union-attr]
    assert m.status == "done" and m.done_by_id == cfo.id and cfo.platform_user_id is None
    assert link.person_id == cfo.id
    assert {e.action for e in events if e.actor_id == cfo.id} >= {"mail.link_used"}
    assert any(e.actor_id == cfo.id and e.action.startswith("milestone.") for e in events)
    # the second use is refused, and so is a look at it afterwards
    again = await client.post(done)
    assert again.status == 409 and "This link was already used (2026-12-03 10:00)." in await again.text()
    look = await client.get(done)
    assert look.status == 200 and "already used" in await look.text() and "<form" not in await look.text()


async def test_snooze_three_days(engine: Engine, chat: Chat, settings: Settings, smtp: Recorder,
                                 client: TestClient) -> None:
    _done, snooze = mailed_links(engine, chat, settings, smtp)
    chat.clock.now = datetime(2026, 12, 3, 2, 0, tzinfo=UTC)  # type: ignore[union-attr]
    page = await (await client.get(snooze)).text()
    assert "Hold the reminders of delivery (HT-1) for 3 days, until Sun 2026-12-06?" in page
    resp = await client.post(snooze)
    assert resp.status == 200 and "2026-12-06" in await resp.text()
    assert milestone(engine).snoozed_until == date(2026, 12, 6)


async def test_an_expired_link_does_nothing(engine: Engine, chat: Chat, settings: Settings, smtp: Recorder,
                                            client: TestClient) -> None:
    done, _snooze = mailed_links(engine, chat, settings, smtp)
    chat.clock.now = SEVEN_AHEAD + timedelta(days=14, minutes=1)  # type: ignore[union-attr]
    look = await client.get(done)
    assert look.status == 410 and "This link has expired" in await look.text()
    assert "done HT-1 delivery" in await look.text()  # what to type instead
    resp = await client.post(done)
    assert resp.status == 410 and milestone(engine).status == "open"


async def test_forged_and_unknown_links_get_the_same_404(engine: Engine, chat: Chat, settings: Settings,
                                                         smtp: Recorder, client: TestClient) -> None:
    done, _snooze = mailed_links(engine, chat, settings, smtp)
    token, sig = done.removeprefix("/mail/").split(".")
    forged_sig = sig[:-1] + ("A" if sig[-1] != "A" else "B")
    signer = MailPlatform(settings, chat.core).smtp.links
    unknown = signer.sign("x" * 22)  # correctly signed, but no such link is stored
    answers = set()
    for path in (f"/mail/{token}.{forged_sig}", f"/mail/{token}", f"/mail/{'y' * 22}.{sig}", f"/mail/{unknown}",
                 "/mail/..%2F..%2Fetc"):
        for method in (client.get, client.post):
            resp = await method(path)
            answers.add((resp.status, await resp.text()))
    assert answers == {(404, "Not found\n")}
    assert milestone(engine).status == "open"


async def test_the_same_permission_rules_as_a_button(engine: Engine, chat: Chat, settings: Settings,
                                                     smtp: Recorder, client: TestClient) -> None:
    done, _snooze = mailed_links(engine, chat, settings, smtp)
    chat.say("reassign HT-1 delivery @dora")  # @cfo no longer owns it (nor the contract, nor is an admin)
    resp = await client.post(done)
    assert resp.status == 403 and "@cfo" not in await resp.text()
    assert "not allowed" in (await resp.text()).lower() or "only" in (await resp.text()).lower()
    assert milestone(engine).status == "open"
    with Session(engine) as s:
        assert s.exec(select(MailLink).where(MailLink.used_at.is_not(None))).all() == []  # type: ignore[union-attr]


async def test_done_on_money_still_owed_records_the_rest_as_the_page_says(
        engine: Engine, chat: Chat, settings: Settings, smtp: Recorder, client: TestClient) -> None:
    done, _snooze = mailed_links(engine, chat, settings, smtp, "first payment")
    chat.say("paid HT-1 10,000 for first payment")  # 20,000 still owed
    page = await (await client.get(done)).text()
    assert "first payment of HT-1 still owes 20,000.00 CNY. Record it as received today, which closes it?" in page
    assert "Record 20,000.00 CNY received</button>" in page
    assert "To close it without the money, type in the chat: waive HT-1 first payment reason TEXT" in page
    resp = await client.post(done)
    assert resp.status == 200 and "20,000.00" in await resp.text()
    m = milestone(engine, "first payment")
    with Session(engine) as s:
        cfo = s.exec(select(Person).where(Person.handle == "cfo")).one()
        payments = s.exec(select(Payment).order_by(Payment.id)).all()  # type: ignore[arg-type]
    assert m.status == "done" and [p.amount for p in payments] == [Decimal("10000.00"), Decimal("20000.00")]
    assert payments[-1].recorded_by_id == cfo.id and payments[-1].received_on == date(2026, 12, 1)


async def test_a_link_action_is_shown_on_the_chat_copies_of_the_reminder(engine: Engine, chat: Chat,
                                                                           settings: Settings, smtp: Recorder) -> None:
    chat.say("milestone HT-1 delivery 2026-12-10 owner @cfo")
    chat.say("email @cfo cfo@example.com")
    run = make_pass(engine, settings)
    run.dispatcher.run_pass(SEVEN_AHEAD)
    [chat_copy] = [o for o in run.chat.sent if "delivery" in (o.message.title or "")]  # the team's chat got one too
    [mail] = [r.message for r in smtp.received if "delivery of HT-1" in r.message["Subject"]]
    body = mail.get_body(preferencelist=("plain",))
    assert body is not None
    done, _snooze = LINK.findall(body.get_content())
    app = create_app(engine)
    platform = MailPlatform(settings, chat.core)
    platform.add_routes(app)
    platform.use_notifiers({"console": run.chat, "email": platform.notifier})  # as `contractbot run` does
    async with TestClient(TestServer(app)) as c:
        assert (await c.post(done)).status == 200
    [(ref, edited)] = run.chat.updated
    assert ref.startswith(chat_copy.target.chat_id or "?")
    assert edited.replaces == () and not edited.actions  # the buttons are gone: the milestone is done
    assert any("@cfo" in line for line in edited.context)


@pytest.mark.parametrize("change", ["email @cfo cfo.new@example.com", "email @cfo remove"])
async def test_a_new_address_voids_the_links_mailed_to_the_old_one(engine: Engine, chat: Chat, settings: Settings,
                                                                   smtp: Recorder, client: TestClient,
                                                                   change: str) -> None:
    # the links act as @cfo: once the admin says cfo@example.com is not (or no longer) theirs, whoever reads that
    # mailbox must not act as @cfo with them
    done, snooze = mailed_links(engine, chat, settings, smtp)
    chat.say("email @cfo cfo@example.com")  # said again, unchanged: the links stay good
    assert "<form" in await (await client.get(done)).text()
    chat.say(change)
    for link in (done, snooze):
        look = await client.get(link)
        assert look.status == 410 and "<form" not in await look.text()
        assert (await client.post(link)).status == 410
    m = milestone(engine)
    assert m.status == "open" and m.snoozed_until is None


async def test_email_off_keeps_the_links_already_mailed(engine: Engine, chat: Chat, settings: Settings,
                                                        smtp: Recorder, client: TestClient) -> None:
    done, _snooze = mailed_links(engine, chat, settings, smtp)
    chat.say("email @cfo off")  # no more mail; the address is still theirs
    assert (await client.post(done)).status == 200 and milestone(engine).status == "done"
