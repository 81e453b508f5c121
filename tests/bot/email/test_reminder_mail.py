"""Reminders by e-mail through a real SMTP exchange (aiosmtpd on localhost): headers, both parts, routing, the outbox.

The team is a console chat; @cfo owns a milestone and never writes in it, so the chat cannot reach them.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.config import Settings
from bot.email.smtp import SmtpNotifier
from handlers.reminders import ReminderComposer
from handlers.replies import reply_text
from scheduler.dispatch import Dispatcher
from storage.models import AuditEvent, Person, Reminder, SentMessage
from tests.bot.email.conftest import PUBLIC, SEVEN_AHEAD, Recorder, make_pass
from tests.chat import Chat
from tests.scheduler.test_dispatch import FakeNotifier

LINK = re.compile(re.escape(PUBLIC) + r"/mail/[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+")


def parts(smtp: Recorder, i: int = -1) -> tuple[str, str]:
    """The plain-text and HTML bodies of a received message, decoded."""
    msg = smtp.received[i].message
    text = msg.get_body(preferencelist=("plain",))
    page = msg.get_body(preferencelist=("html",))
    assert text is not None and page is not None
    return text.get_content(), page.get_content()


def test_an_owner_the_chat_cannot_reach_gets_the_reminder_by_mail(engine: Engine, chat: Chat, settings: Settings,
                                                                  smtp: Recorder) -> None:
    assert "cfo@example.com" in chat.say("email @cfo cfo@example.com")
    run = make_pass(engine, settings)
    assert run.dispatcher.run_pass(SEVEN_AHEAD).sent == 1
    # the team's chat still gets its reminder, and @cfo an e-mail
    [posted] = run.chat.sent
    assert posted.target.chat_id == "team-a" and "due in 7 days" in reply_text(posted.message)
    [got] = smtp.received
    msg = got.message
    assert got.recipients == ["cfo@example.com"] and got.sender == "bot@example.com"
    assert msg["From"] == "ContractBot <bot@example.com>" and msg["To"] == "cfo@example.com"
    assert "first payment of HT-1 is due in 7 days (Thu 2026-12-10)" in msg["Subject"]
    assert re.fullmatch(r"<[^@>]+@example\.com>", msg["Message-ID"])
    assert msg.get_content_type() == "multipart/alternative" and msg["Auto-Submitted"] == "auto-generated"
    assert [p.get_content_type() for p in msg.iter_parts()] == ["text/plain", "text/html"]
    assert all(p.get_content_charset() == "utf-8" for p in msg.iter_parts())
    text, page = parts(smtp)
    for body in (text, page):  # what the chat reminder carries
        assert "HT-1 · Pump order" in body and "Acme" in body and "Thu 2026-12-10" in body
        assert "owes 30,000.00 of 30,000.00 CNY (30%)" in body and "@cfo" in body
        assert "done HT-1 first payment" in body and "snooze HT-1 first payment 3d" in body
        assert "Each link works once, within 14 days." in body
    # one link to mark it done and one to snooze it 3 days, the same in both parts
    links = LINK.findall(text)
    assert len(links) == 2 and LINK.findall(page) == links
    assert f"Done: {links[0]}" in text and f"Snooze 3 days: {links[1]}" in text
    # the Message-ID is the reminder's reference; only the chat message is kept for editing later
    with Session(engine) as s:
        reminder = s.exec(select(Reminder).where(Reminder.status == "sent")).one()
        assert reminder.message_ref == "team-a:1"
        assert [m.ref for m in s.exec(select(SentMessage)).all()] == ["team-a:1"]


def test_chinese_mail_is_in_the_persons_language_and_utf8(engine: Engine, settings: Settings,
                                                          smtp: Recorder) -> None:
    c = Chat.on_clock(engine, datetime(2026, 12, 1, 2, 0, tzinfo=UTC))
    c.say("新建 HT-9 华为云采购 华为 120万")
    c.say("节点 HT-9 首付款 30% 2026-12-10 负责人 @王五")
    assert "wang@example.com" in c.say("邮箱 @王五 wang@example.com")
    make_pass(engine, settings).dispatcher.run_pass(SEVEN_AHEAD)
    [got] = smtp.received
    msg = got.message
    assert msg["Subject"].startswith("⏰") and "首付款" in msg["Subject"] and "2026-12-10 周四" in msg["Subject"]
    assert msg["Content-Language"] == "zh-CN"
    assert all(p.get_content_charset() == "utf-8" for p in msg.iter_parts())
    raw = msg.as_bytes()
    assert b"=?utf-8?" in raw  # the subject is encoded, not raw 8-bit
    text, page = parts(smtp)
    for body in (text, page):
        assert "华为云采购" in body and "欠 360,000.00" in body and "完成 HT-9 首付款" in body and "延后3天" in body
    assert '<html lang="zh-CN">' in page


def test_what_users_typed_is_escaped_in_the_html(engine: Engine, settings: Settings, smtp: Recorder) -> None:
    c = Chat.on_clock(engine, datetime(2026, 12, 1, 2, 0, tzinfo=UTC))
    c.say('new HT-2 "<script>alert(1)</script>" "A&B <i>Corp</i>" 1000')
    c.say("milestone HT-2 first payment 50% due 2026-12-10 owner @cfo")
    c.say("email @cfo cfo@example.com")
    make_pass(engine, settings).dispatcher.run_pass(SEVEN_AHEAD)
    text, page = parts(smtp)
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "A&amp;B &lt;i&gt;Corp&lt;/i&gt;" in page and "<i>" not in page
    assert "<script>alert(1)</script>" in text  # plain text shows it as typed


def test_a_second_pass_sends_nothing_and_a_4xx_is_sent_once_later(engine: Engine, chat: Chat, settings: Settings,
                                                                 smtp: Recorder) -> None:
    chat.say("settings routing email")  # the e-mail is the reminder itself
    chat.say("email @cfo cfo@example.com")
    run = make_pass(engine, settings)
    smtp.refuse_rcpt.append("451 4.7.1 Greylisted, try again later")
    first = run.dispatcher.run_pass(SEVEN_AHEAD)
    assert (first.sent, first.retried, first.failed) == (0, 1, 0) and smtp.received == []
    assert run.dispatcher.run_pass(SEVEN_AHEAD + timedelta(minutes=1)).sent == 0  # waits its turn (5 minutes)
    later = run.dispatcher.run_pass(SEVEN_AHEAD + timedelta(minutes=6))
    assert later.sent == 1 and len(smtp.received) == 1
    for minutes in (7, 30, 60 * 24):
        assert run.dispatcher.run_pass(SEVEN_AHEAD + timedelta(minutes=minutes)).sent == 0
    assert len(smtp.received) == 1 and run.chat.sent == []  # e-mail only: nothing in the chat for @cfo


def test_a_mail_server_that_is_down_keeps_the_reminder_for_later(engine: Engine, chat: Chat, settings: Settings,
                                                                 smtp: Recorder) -> None:
    chat.say("settings routing email")
    chat.say("email @cfo cfo@example.com")
    down = Settings(_env_file=None, smtp_url="smtp://127.0.0.1:1", mail_from="bot@example.com",  # type: ignore[call-arg]
                    public_url=PUBLIC)
    assert make_pass(engine, down).dispatcher.run_pass(SEVEN_AHEAD).retried == 1
    # the next pass, with the server back, sends it once; the stage is not skipped as stale
    assert make_pass(engine, settings).dispatcher.run_pass(SEVEN_AHEAD + timedelta(minutes=2)).sent == 1
    assert len(smtp.received) == 1


def test_a_5xx_on_the_recipient_fails_the_reminder_and_tells_the_contract_owner(
        engine: Engine, chat: Chat, settings: Settings, smtp: Recorder) -> None:
    chat.say("settings routing email")
    chat.say("email @cfo nobody@example.com")
    chat.say("email alice@example.com")
    run = make_pass(engine, settings)
    smtp.refuse_rcpt.append("550 5.1.1 No such user here")
    result = run.dispatcher.run_pass(SEVEN_AHEAD)
    assert (result.sent, result.failed) == (0, 1)
    with Session(engine) as s:
        failed = s.exec(select(Reminder).where(Reminder.status == "failed")).one()
    assert "550" in (failed.last_error or "") and "nobody@example.com" in (failed.last_error or "")
    # alice owns the contract; a console cannot DM her, and the team reaches people by e-mail: she gets a notice
    [notice] = smtp.received
    assert notice.recipients == ["alice@example.com"] and "HT-1" in notice.message["Subject"]
    assert "550" in notice.message["Subject"] and LINK.search(parts(smtp)[0]) is None
    assert run.chat.sent == []


def test_routing_email_reaches_everyone_with_an_address_and_the_chat_for_the_others(
        engine: Engine, chat: Chat, settings: Settings, smtp: Recorder) -> None:
    chat.say("milestone HT-1 delivery 2026-12-10 owner @dora")
    chat.say("email @cfo cfo@example.com")
    chat.say("settings routing email")
    run = make_pass(engine, settings)
    assert run.dispatcher.run_pass(SEVEN_AHEAD).sent == 2
    assert [r.recipients for r in smtp.received] == [["cfo@example.com"]]
    [posted] = run.chat.sent  # @dora has no address: the contract's channel, as before
    assert "delivery" in reply_text(posted.message)


def test_both_plus_email_mails_people_the_chat_reaches_too(engine: Engine, chat: Chat, settings: Settings,
                                                           smtp: Recorder) -> None:
    chat.say("milestone HT-1 delivery 2026-12-10 owner @alice")
    chat.say("email alice@example.com")
    assert make_pass(engine, settings).dispatcher.run_pass(SEVEN_AHEAD).sent == 2
    assert smtp.received == []  # alice is in the chat and the team did not ask for e-mail
    chat.say("settings routing channel+email")
    with Session(engine) as s:  # plan the same stage again
        for r in s.exec(select(Reminder)).all():
            r.status = "pending"
            s.add(r)
        s.commit()
    assert make_pass(engine, settings).dispatcher.run_pass(SEVEN_AHEAD).sent == 2
    assert [r.recipients for r in smtp.received] == [["alice@example.com"]]


def test_email_off_stops_the_mails_and_on_starts_them_again(engine: Engine, chat: Chat, settings: Settings,
                                                            smtp: Recorder) -> None:
    chat.say("email @cfo cfo@example.com")
    assert "No more reminder e-mails for @cfo" in chat.say("email @cfo off")
    run = make_pass(engine, settings)
    assert run.dispatcher.run_pass(SEVEN_AHEAD).sent == 1
    assert smtp.received == [] and len(run.chat.sent) == 1  # the chat still has it
    chat.say("email @cfo on")
    assert run.dispatcher.run_pass(datetime(2026, 12, 7, 1, 0, tzinfo=UTC)).sent == 1  # 3 days ahead
    assert len(smtp.received) == 1


def test_escalation_reaches_a_finance_director_by_mail_without_links(engine: Engine, chat: Chat, settings: Settings,
                                                                     smtp: Recorder) -> None:
    chat.say("settings escalation 7 @fd")
    chat.say("email @fd fd@example.com")
    run = make_pass(engine, settings)
    # 7 days overdue (the due day was Thu 2026-12-10): the owner and the escalation target are told
    with Session(engine) as s:
        for r in s.exec(select(Reminder)).all():
            r.status = "skipped"
            s.add(r)
        s.commit()
    chat.clock.now = datetime(2026, 12, 17, 2, 0, tzinfo=UTC)  # type: ignore[union-attr]
    chat.say("remind HT-1 first payment 7")  # re-plans from now: the overdue stages are planned again
    result = run.dispatcher.run_pass(datetime(2026, 12, 20, 1, 0, tzinfo=UTC))
    assert result.sent == 1
    [got] = [r for r in smtp.received if r.recipients == ["fd@example.com"]]
    assert got.message["Subject"].startswith("🔺 Escalated:")
    text = got.message.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    assert "days late" in got.message["Subject"] and LINK.search(text) is None  # a member may not act on it


def test_without_an_e_mail_notifier_everyone_is_reached_in_the_chat(engine: Engine, chat: Chat) -> None:
    chat.say("email @cfo cfo@example.com")
    chat.say("settings routing email")
    fake = FakeNotifier()
    # no SMTP_URL: the pass has no e-mail notifier, and the reminder goes to the channel instead of failing
    Dispatcher(engine, notifiers={"console": fake}, composer=ReminderComposer(reachable={"console"})
               ).run_pass(SEVEN_AHEAD)
    [posted] = fake.sent
    assert posted.target.chat_id == "team-a"


def test_setting_an_address_is_audited(engine: Engine, chat: Chat) -> None:
    chat.say("email @cfo CFO@Example.com")
    chat.say("email @cfo off")
    with Session(engine) as s:
        cfo = s.exec(select(Person).where(Person.handle == "cfo")).one()
        events = s.exec(select(AuditEvent).where(AuditEvent.action == "person.email")
                        .order_by(AuditEvent.id)).all()  # type: ignore[arg-type]
    assert cfo.email == "cfo@example.com" and cfo.email_off and cfo.platform_user_id is None
    assert [e.after for e in events] == ['{"email": "cfo@example.com", "email_off": false}',
                                         '{"email": "cfo@example.com", "email_off": true}']
    assert all(e.actor_id is not None for e in events)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_notifier_maps_smtp_answers(engine: Engine, settings: Settings, smtp: Recorder, lang: str) -> None:
    from bot.email.smtp import make_mail_notifier
    from handlers.replies import Reply
    from scheduler.notify import Outgoing, PermanentFailure, RateLimited, Target

    notifier = make_mail_notifier(settings, engine)
    assert isinstance(notifier, SmtpNotifier)
    out = Outgoing(Target("email", "t", user_id="x@example.com", dm=True), Reply(title="hi", lang=lang))
    smtp.refuse_data.append("554 5.7.1 Message rejected as spam")
    with pytest.raises(PermanentFailure, match="554"):
        notifier.send(out)
    smtp.refuse_data.append("452 4.3.1 Insufficient system storage")
    with pytest.raises(RateLimited):
        notifier.send(out)
    assert notifier.send(out).startswith("<") and len(smtp.received) == 1


def test_a_mail_that_follows_the_chat_copy_is_retried_without_repeating_the_chat(
        engine: Engine, chat: Chat, settings: Settings, smtp: Recorder) -> None:
    chat.say("email @cfo cfo@example.com")  # @cfo never uses the chat: the team's channel gets a copy, @cfo a mail
    run = make_pass(engine, settings)
    smtp.refuse_rcpt.append("451 4.7.1 Greylisted, try again later")
    first = run.dispatcher.run_pass(SEVEN_AHEAD)
    assert (first.sent, first.retried, first.failed) == (0, 1, 0)
    assert len(run.chat.sent) == 1 and smtp.received == []  # the channel's copy went out, the mail waits
    later = run.dispatcher.run_pass(SEVEN_AHEAD + timedelta(minutes=6))
    assert later.sent == 1 and [r.recipients for r in smtp.received] == [["cfo@example.com"]]
    assert len(run.chat.sent) == 1  # not posted again
    for minutes in (7, 60, 60 * 24):
        assert run.dispatcher.run_pass(SEVEN_AHEAD + timedelta(minutes=minutes)).sent == 0
    assert len(smtp.received) == 1 and len(run.chat.sent) == 1
    with Session(engine) as s:  # the chat copy is the one a later "done" edits, recorded once
        assert len(s.exec(select(SentMessage)).all()) == 1
