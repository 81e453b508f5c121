"""The reminder engine with a controllable clock and a fake notifier: nothing lost, nothing doubled."""

from __future__ import annotations

import multiprocessing
import os
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlmodel import Session, select

from handlers.core import Core
from handlers.messages import IncomingAction, IncomingMessage, Sender
from handlers.reminders import ReminderComposer
from handlers.replies import reply_text
from scheduler.dispatch import Dispatcher
from scheduler.notify import CannotDM, Outgoing, PermanentFailure, RateLimited
from storage.models import Milestone, Reminder, SentMessage, Tenant
from tests.chat import Chat
from tests.conftest import PG_URL


class FakeNotifier:
    """Records what would be sent; can be told to fail."""

    def __init__(self) -> None:
        self.sent: list[Outgoing] = []
        self.updated: list[tuple[str, Any]] = []
        self.fail_with: list[Exception] = []
        self.cannot_dm: set[str] = set()

    def send(self, out: Outgoing) -> str:
        if self.fail_with:
            raise self.fail_with.pop(0)
        if out.target.dm and out.target.user_id in self.cannot_dm:
            raise CannotDM("bot can't initiate conversation")
        self.sent.append(out)
        return f"{out.target.chat_id or out.target.user_id}:{len(self.sent)}"

    def update(self, ref: str, message: Any, *, tenant_key: str | None = None) -> None:
        self.updated.append((ref, message))

    def texts(self) -> list[str]:
        return [reply_text(o.message) for o in self.sent]


@pytest.fixture
def setup(engine, clock):  # type: ignore[no-untyped-def]
    core = Core(engine, clock=clock)
    chat = Chat(core)
    fake = FakeNotifier()
    dispatcher = Dispatcher(engine, notifiers={"console": fake, "slack": fake}, composer=ReminderComposer())
    return chat, fake, dispatcher, clock


def at(y: int, m: int, d: int, hh: int = 1, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=UTC)


def pending(engine) -> list[Reminder]:  # type: ignore[no-untyped-def]
    with Session(engine) as s:
        return list(s.exec(select(Reminder).where(Reminder.status == "pending").order_by(Reminder.fire_at)).all())


def test_stages_fire_at_local_nine_and_not_before(setup) -> None:  # type: ignore[no-untyped-def]
    chat, fake, dispatcher, clock = setup
    chat.say("new HT-1 Acme Corp 100,000")
    chat.say("milestone HT-1 first payment 30% due 2026-12-20 owner @alice")
    # 7 days ahead = 2026-12-13 09:00 Shanghai = 01:00 UTC
    assert dispatcher.run_pass(at(2026, 12, 13, 0, 59)).sent == 0
    assert dispatcher.run_pass(at(2026, 12, 13, 1, 0)).sent == 1
    assert "due in 7 days" in fake.texts()[0]
    assert dispatcher.run_pass(at(2026, 12, 13, 1, 5)).sent == 0  # not twice
    assert dispatcher.run_pass(at(2026, 12, 17, 1, 0)).sent == 1
    assert dispatcher.run_pass(at(2026, 12, 20, 1, 0)).sent == 1
    assert "Due today" in fake.texts()[-1]
    assert dispatcher.run_pass(at(2026, 12, 21, 1, 0)).sent == 1
    assert "1 days late" in fake.texts()[-1]
    # overdue: every 3 days by default
    assert dispatcher.run_pass(at(2026, 12, 23, 1, 0)).sent == 0
    assert dispatcher.run_pass(at(2026, 12, 24, 1, 0)).sent == 1
    assert "4 days late" in fake.texts()[-1]


def test_reminder_carries_actions(setup) -> None:  # type: ignore[no-untyped-def]
    chat, fake, dispatcher, _ = setup
    chat.say("new HT-1 Acme Corp 100,000")
    chat.say("milestone HT-1 first payment 30% due 2026-12-20 owner @alice")
    dispatcher.run_pass(at(2026, 12, 13, 2))
    kinds = [a.kind for a in fake.sent[0].message.actions]
    assert kinds == ["done", "snooze", "snooze", "snooze_date", "reassign", "note", "pay"]
    assert all(len(a.key.encode()) <= 64 for a in fake.sent[0].message.actions)


def test_stages_follow_dst_in_new_york(setup) -> None:  # type: ignore[no-untyped-def]
    chat, fake, dispatcher, clock = setup
    chat.say("new HT-1 Acme Corp 100,000")
    chat.say("settings timezone America/New_York")
    chat.say("milestone HT-1 delivery due 2027-03-16 owner @alice")
    fires = {r.stage: r.fire_at for r in pending(chat.engine)}
    # 2027-03-09 is before the switch (EST, UTC-5); 2027-03-16 after it (EDT, UTC-4)
    assert fires["d-7"] == datetime(2027, 3, 9, 14, 0, tzinfo=UTC)
    assert fires["d-3"] == datetime(2027, 3, 13, 14, 0, tzinfo=UTC)
    assert fires["d0"] == datetime(2027, 3, 16, 13, 0, tzinfo=UTC)


def test_owner_zone_wins_over_team_zone(setup, engine) -> None:  # type: ignore[no-untyped-def]
    chat, fake, dispatcher, clock = setup
    core = chat.core
    msg = IncomingMessage(platform="console", tenant_key="team-a", text="help",
                          sender=Sender(user_id="ny", handle="ny", timezone="America/New_York"))
    core.handle(msg)
    chat.say("new HT-1 Acme Corp 100,000")
    chat.say("milestone HT-1 delivery due 2027-01-20 owner @ny")
    fires = {r.stage: r.fire_at for r in pending(engine)}
    assert fires["d0"] == datetime(2027, 1, 20, 14, 0, tzinfo=UTC)  # 09:00 EST


def test_done_cancels_and_updates_sent_messages(setup) -> None:  # type: ignore[no-untyped-def]
    chat, fake, dispatcher, clock = setup
    chat.say("new HT-1 Acme Corp 100,000")
    chat.say("milestone HT-1 first payment 30% due 2026-12-20 owner @alice")
    dispatcher.run_pass(at(2026, 12, 13, 2))
    clock.now = at(2026, 12, 14, 2)
    chat.say("done HT-1 first payment")
    chat.say("yes")  # money still owed: record the rest
    assert pending(chat.engine) == []
    edits = [r for r in chat.last if r.replaces]
    assert edits and edits[0].replaces == ("console-team-a:1",) or edits[0].replaces[0].endswith(":1")
    assert "Payment recorded by @alice" in reply_text(edits[0])
    assert edits[0].actions == []
    assert dispatcher.run_pass(at(2026, 12, 20, 2)).sent == 0


def test_snooze_and_reassign_replan(setup) -> None:  # type: ignore[no-untyped-def]
    chat, fake, dispatcher, clock = setup
    chat.say("new HT-1 Acme Corp 100,000")
    chat.say("milestone HT-1 first payment 30% due 2026-12-20 owner @alice")
    clock.now = at(2026, 12, 14, 2)
    out = chat.say("snooze HT-1 first payment 3d")
    assert "snoozed until Thu 2026-12-17" in out
    assert [(r.stage, r.day) for r in pending(chat.engine)][0] == ("snz", date(2026, 12, 17))
    out = chat.say("延后 HT-1 first payment 5天")
    assert "2026-12-19" in out
    assert dispatcher.run_pass(at(2026, 12, 17, 2)).sent == 0
    assert dispatcher.run_pass(at(2026, 12, 19, 2)).sent == 1
    out = chat.say("reassign HT-1 first payment @bob")
    assert "reassigned" in out and "@bob" in out
    with Session(chat.engine) as s:
        m = s.exec(select(Milestone)).one()
        assert m.owner_id is not None
    # bob now acts; alice is admin so still can; carol cannot
    chat.say("help", user="carol")
    assert "only the owner" in chat.say("snooze HT-1 first payment 1d", user="carol").lower()
    assert "snoozed" in chat.say("snooze HT-1 first payment 1d", user="bob")


def test_restart_after_ten_days_down_sends_one_catch_up_per_milestone(setup) -> None:  # type: ignore[no-untyped-def]
    chat, fake, dispatcher, clock = setup
    chat.say("new HT-1 Acme Corp 100,000")
    chat.say("milestone HT-1 first payment 30% due 2026-12-06 owner @alice")
    chat.say("milestone HT-1 delivery due 2026-12-08 owner @alice")
    chat.say("milestone HT-1 far away due 2027-03-01 owner @alice")
    # the bot was down from now (Nov 27) until Dec 7 10:00 Shanghai
    result = dispatcher.run_pass(at(2026, 12, 7, 2))
    assert result.sent == 2  # one per due milestone, the latest stage only
    texts = fake.texts()
    assert any("first payment" in x and "1 days late" in x for x in texts)
    assert any("delivery" in x and "due in 1 days" in x for x in texts)
    assert result.skipped >= 3
    assert dispatcher.run_pass(at(2026, 12, 7, 3)).sent == 0
    # nothing lost: the future stages are still pending
    stages = {(r.stage, r.day) for r in pending(chat.engine)}
    assert ("d0", date(2026, 12, 8)) in stages and ("d-7", date(2027, 2, 22)) in stages


def test_killed_between_claim_and_send_still_goes_out_once(setup, engine) -> None:  # type: ignore[no-untyped-def]
    chat, fake, dispatcher, clock = setup
    chat.say("new HT-1 Acme Corp 100,000")
    chat.say("milestone HT-1 first payment 30% due 2026-12-20 owner @alice")
    now = at(2026, 12, 13, 2)
    claimed = dispatcher.claim(now)  # ... and then the process dies
    assert len(claimed) == 1
    other = Dispatcher(engine, notifiers={"console": fake}, composer=ReminderComposer())
    assert other.run_pass(now + timedelta(minutes=1)).sent == 0  # leased: not sent twice
    assert other.run_pass(now + timedelta(minutes=6)).sent == 1  # lease expired: sent
    assert other.run_pass(now + timedelta(minutes=20)).sent == 0
    assert len(fake.sent) == 1


def test_rate_limited_is_sent_later_not_lost(setup) -> None:  # type: ignore[no-untyped-def]
    chat, fake, dispatcher, clock = setup
    chat.say("new HT-1 Acme Corp 100,000")
    chat.say("milestone HT-1 first payment 30% due 2026-12-20 owner @alice")
    now = at(2026, 12, 13, 2)
    fake.fail_with = [RateLimited(30)]
    r = dispatcher.run_pass(now)
    assert (r.sent, r.retried) == (0, 1)
    assert dispatcher.run_pass(now + timedelta(seconds=10)).sent == 0
    assert dispatcher.run_pass(now + timedelta(seconds=31)).sent == 1


def test_permanent_failure_marks_failed_and_tells_the_owner(setup, engine) -> None:  # type: ignore[no-untyped-def]
    chat, fake, dispatcher, clock = setup
    core = chat.core
    boss = Sender(user_id="U1", handle="boss", display_name="boss")
    core.handle(IncomingMessage(platform="slack", tenant_key="-:T1", chat_id="C1", text="new HT-1 Acme Corp 100,000",
                                sender=boss))
    core.handle(IncomingMessage(platform="slack", tenant_key="-:T1", chat_id="C1",
                                text="milestone HT-1 delivery due 2026-12-20 owner <@U2|bob>", sender=boss))
    fake.fail_with = [PermanentFailure("not_in_channel")]
    r = dispatcher.run_pass(at(2026, 12, 13, 2))
    assert r.failed == 1
    with Session(engine) as s:
        failed = s.exec(select(Reminder).where(Reminder.status == "failed")).one()
    assert failed.last_error == "not_in_channel"
    notice = fake.sent[-1]
    assert notice.target.dm and notice.target.user_id == "U1"
    assert "could not be delivered" in reply_text(notice.message)


def test_routing_dm_and_escalation(setup, engine) -> None:  # type: ignore[no-untyped-def]
    chat, fake, dispatcher, clock = setup
    core = chat.core
    boss = Sender(user_id="U1", handle="boss", display_name="boss")

    def say(text: str) -> str:
        return "\n".join(reply_text(r) for r in core.handle(
            IncomingMessage(platform="slack", tenant_key="-:T1", chat_id="C1", text=text, sender=boss)))

    say("new HT-1 Acme Corp 100,000")
    say("settings routing both")
    assert "escalation" in say("settings escalation 5 <@U9|manager>").lower()
    say("milestone HT-1 delivery due 2026-12-20 owner <@U2|bob>")
    dispatcher.run_pass(at(2026, 12, 13, 2))
    targets = [(o.target.chat_id, o.target.user_id, o.target.dm) for o in fake.sent]
    assert targets == [("C1", None, False), (None, "U2", True)]
    fake.sent.clear()
    # 5 days overdue: the contract owner and the manager get it too
    dispatcher.run_pass(at(2026, 12, 25, 2))
    users = {o.target.user_id for o in fake.sent if o.target.dm}
    assert users == {"U2", "U1", "U9"}
    assert any("Escalated" in reply_text(o.message) for o in fake.sent)


def test_dm_impossible_falls_back_to_the_group(setup) -> None:  # type: ignore[no-untyped-def]
    chat, fake, dispatcher, clock = setup
    core = chat.core
    boss = Sender(user_id="U1", handle="boss", display_name="boss")
    for text in ("new HT-1 Acme Corp 100,000", "settings routing dm",
                 "milestone HT-1 delivery due 2026-12-20 owner <@U2|bob>"):
        core.handle(IncomingMessage(platform="slack", tenant_key="-:T1", chat_id="C1", text=text, sender=boss))
    fake.cannot_dm = {"U2"}
    assert dispatcher.run_pass(at(2026, 12, 13, 2)).sent == 1
    assert fake.sent[0].target.chat_id == "C1"


def test_button_press_completes_and_edits(setup, engine) -> None:  # type: ignore[no-untyped-def]
    chat, fake, dispatcher, clock = setup
    chat.say("new HT-1 Acme Corp 100,000")
    chat.say("milestone HT-1 first payment due 2026-12-20 owner @bob")  # no amount: Done closes at once
    dispatcher.run_pass(at(2026, 12, 13, 2))
    done = fake.sent[0].message.actions[0]
    ref = "team-a:1"
    # a stranger from another team is refused, nothing changes
    out = chat.core.act(IncomingAction(platform="console", tenant_key="team-b", key=done.key,
                                       sender=Sender(user_id="mallory"), message_ref=ref))
    assert out[0].error and "not valid" in reply_text(out[0])
    forged = chat.core.act(IncomingAction(platform="console", tenant_key="team-a", key="forged-key",
                                          sender=Sender(user_id="bob", handle="bob"), message_ref=ref))
    assert forged[0].error
    with Session(engine) as s:
        assert s.exec(select(Milestone)).one().status == "open"
    out = chat.core.act(IncomingAction(platform="console", tenant_key="team-a", key=done.key,
                                       sender=Sender(user_id="bob", handle="bob"), message_ref=ref))
    assert "is done" in reply_text(out[0])
    edits = [r for r in out if r.replaces]
    assert edits and ref in edits[0].replaces and "Done by @bob" in reply_text(edits[0])
    again = chat.core.act(IncomingAction(platform="console", tenant_key="team-a", key=done.key,
                                         sender=Sender(user_id="bob", handle="bob"), message_ref=ref))
    assert again[0].error and "already done" in reply_text(again[0])


def test_dry_run_sends_nothing(setup, engine) -> None:  # type: ignore[no-untyped-def]
    chat, fake, dispatcher, clock = setup
    chat.say("new HT-1 Acme Corp 100,000")
    chat.say("milestone HT-1 first payment 30% due 2026-12-20 owner @alice")
    result = dispatcher.preview(at(2026, 12, 13, 2))
    assert len(result.previews) == 1 and fake.sent == []
    assert len(pending(engine)) == 4
    with Session(engine) as s:
        assert s.exec(select(SentMessage)).all() == []


def _worker(url: str, now_iso: str, out_path: str) -> None:
    from storage.db import make_engine

    class FileNotifier:
        def send(self, out: Outgoing) -> str:
            with open(out_path, "a") as f:
                f.write(f"{os.getpid()} {out.message.milestone_id}\n")
            return f"x:{out.message.milestone_id}"

        def update(self, ref: str, message: Any, *, tenant_key: str | None = None) -> None:
            pass

    engine = make_engine(url)
    d = Dispatcher(engine, notifiers={"console": FileNotifier()}, composer=ReminderComposer(), batch=7)
    d.run_pass(datetime.fromisoformat(now_iso))


@pytest.mark.skipif(not PG_URL, reason="needs CONTRACTBOT_TEST_DATABASE_URL (PostgreSQL)")
def test_three_processes_on_postgresql_send_each_reminder_once(engine, clock, tmp_path) -> None:  # type: ignore[no-untyped-def]
    if engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only")
    chat = Chat(Core(engine, clock=clock))
    chat.say("new HT-1 Acme Corp 100,000,000")
    for i in range(60):
        chat.say(f"milestone HT-1 step {i + 100} due 2026-12-{10 + i % 7} owner @alice")
    out = tmp_path / "sent.txt"
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_worker, args=(PG_URL, at(2026, 12, 9, 2).isoformat(), str(out))) for _ in range(3)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    lines = out.read_text().splitlines()
    ids = [line.split()[1] for line in lines]
    assert len(ids) == 60 and len(set(ids)) == 60
    with Session(engine) as s:
        tenant = s.exec(select(Tenant)).first()
        assert tenant is not None
        sent = s.exec(select(Reminder).where(Reminder.status == "sent")).all()
    assert len(sent) == 60


def test_holiday_shift_moves_reminders_to_the_previous_working_day(setup, engine) -> None:  # type: ignore[no-untyped-def]
    chat, fake, dispatcher, clock = setup
    clock.now = datetime(2027, 9, 1, 2, tzinfo=UTC)
    chat.say("new HT-1 Acme Corp 100,000")
    assert "on" in chat.say("settings holidays on")
    # due Fri 2027-10-08: 7 days ahead is Fri 2027-10-01, National Day; 3 days ahead is Tue 10-05, still a holiday
    chat.say("milestone HT-1 delivery due 2027-10-08 owner @alice")
    days = {r.stage: r.day for r in pending(engine)}
    # both land on Thu 09-30, the last working day before the holiday: one reminder, not two
    assert days["d-3"] == date(2027, 9, 30) and "d-7" not in days
    assert days["d0"] == date(2027, 10, 8)
