"""The weekly digest: when it goes out (team time, never at night) and what it says about last week's money.

The ledger below is small enough to check by hand. Team zone Asia/Shanghai (UTC+8), language English.

    HT-1 (CNY)  deposit         300,000  due Tue 12-01  @alice  paid 300,000 on 12-01 (on time: done)
                second payment  200,000  due Thu 12-03  @bob    paid  50,000 on 12-05 (late, 150,000 owed)
                old payment     100,000  due Wed 11-25  @bob    unpaid
                final payment   250,000  due Thu 12-10  @carol  unpaid
                far away             -   due 2027-06-01 @bob
    HT-2 (USD)  license          10,000  due Wed 12-02  @alice  unpaid

Weekly digest of Monday 2026-12-07, last week = Mon 11-30 .. Sun 12-06:
    CNY due 300,000 + 200,000 = 500,000; received 300,000 + 50,000 = 350,000; on time 300,000 -> 60%
    USD due 10,000; received 0; on time 0 -> 0%
    overdue on 12-07: old (100,000) + second (150,000) + license (10,000 USD) = 3 milestones
    overdue on 11-30: old (100,000)                                          = 1 milestone
    so: 3 (▲ 2); 250,000.00 CNY (▲ 150,000.00 CNY); 10,000.00 USD (▲ 10,000.00 USD)
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, select

from handlers.core import Core
from handlers.digest import DigestComposer
from handlers.replies import reply_text
from scheduler.digests import run_digests, send_window
from storage.db import transaction
from storage.models import Contract, Digest
from tests.chat import Chat
from tests.scheduler.test_dispatch import FakeNotifier


def local(y: int, m: int, d: int, hh: int, mm: int = 0, tz: str = "Asia/Shanghai") -> datetime:
    """A team-time wall clock reading, as the UTC instant the scheduler is handed."""
    return datetime(y, m, d, hh, mm, tzinfo=ZoneInfo(tz)).astimezone(UTC)


class Team:
    """A console team, a fake notifier and the digest pass, driven by one clock."""

    def __init__(self, engine, clock) -> None:  # type: ignore[no-untyped-def]
        self.engine, self.clock = engine, clock
        self.chat = Chat(Core(engine, clock=clock))
        self.fake = FakeNotifier()

    def say(self, text: str, **kw: str) -> str:
        return self.chat.say(text, **kw)

    def tick(self, at: datetime) -> int:
        """One digest pass at ``at`` (the cron calls it every 5 minutes)."""
        self.clock.now = at
        return run_digests(self.engine, {"console": self.fake}, DigestComposer(), at)

    def last_text(self) -> str:
        return reply_text(self.fake.sent[-1].message)


@pytest.fixture
def team(engine, clock) -> Team:  # type: ignore[no-untyped-def]
    return Team(engine, clock)


def build_ledger(team: Team) -> None:
    """The ledger of the module docstring (the clock starts on Friday 2026-11-27)."""
    team.say("new HT-1 Acme Corp 1,000,000")
    team.say("milestone HT-1 deposit 300,000 due 2026-12-01 owner @alice")
    team.say("milestone HT-1 second payment 200,000 due 2026-12-03 owner @bob")
    team.say("milestone HT-1 old payment 100,000 due 2026-11-25 owner @bob")
    team.say("milestone HT-1 final payment 250,000 due 2026-12-10 owner @carol")
    team.say("milestone HT-1 far away due 2027-06-01 owner @bob")
    team.say("new HT-2 Beta Ltd 10,000 USD")
    team.say("milestone HT-2 license 10,000 due 2026-12-02 owner @alice")
    team.clock.now = local(2026, 12, 1, 11)
    assert "paid in full" in team.say("paid HT-1 300,000 on 2026-12-01 for deposit")
    team.clock.now = local(2026, 12, 5, 11)
    assert "150,000.00 CNY still owed" in team.say("paid HT-1 50,000 on 2026-12-05 for second payment")


def test_weekly_digest_goes_out_monday_0900_team_time_once(team: Team) -> None:
    build_ledger(team)
    assert team.tick(local(2026, 12, 7, 8, 59)) == 0
    assert team.tick(local(2026, 12, 7, 9, 0)) == 1
    assert team.tick(local(2026, 12, 7, 9, 5)) == 0  # the next pass: already sent
    assert team.tick(local(2026, 12, 7, 11, 0)) == 0
    [out] = team.fake.sent
    text = reply_text(out.message)
    assert text.startswith("📋 Weekly summary · week of 2026-12-07")
    assert "💰 Last week (Mon 2026-11-30 – Sun 2026-12-06):" in text
    assert "received 350,000.00 CNY of 500,000.00 CNY due (60% on time)" in text
    assert "received 0.00 USD of 10,000.00 USD due (0% on time)" in text
    assert "⏰ Overdue now: 3 (▲ 2 vs a week ago)" in text
    assert "250,000.00 CNY owed (▲ 150,000.00 CNY vs a week ago)" in text
    assert "10,000.00 USD owed (▲ 10,000.00 USD vs a week ago)" in text
    assert "team-wide" not in text  # one channel: the team's figures are the channel's
    # the next 7 days (and what is overdue), grouped by owner
    assert text.index("@alice:") < text.index("license") < text.index("@bob:") < text.index("old payment")
    assert text.index("@carol:") < text.index("final payment · Thu 2026-12-10 (due in 3 d)")
    assert "far away" not in text and "deposit" not in text
    assert "1 completed in the last 7 days" in text
    with Session(team.engine) as s:
        assert [(d.kind, d.status) for d in s.exec(select(Digest)).all()] == [("weekly", "sent")]
    [image] = out.message.images
    assert image.data.startswith(b"\x89PNG\r\n\x1a\n") and image.filename.endswith(".png")
    assert "Money due vs received" in image.title


def test_the_week_after_shows_the_overdue_going_down(team: Team) -> None:
    build_ledger(team)
    team.clock.now = local(2026, 12, 9, 11)
    team.say("paid HT-1 150,000 on 2026-12-09 for second payment")
    team.say("paid HT-1 100,000 on 2026-12-09 for old payment")
    team.clock.now = local(2026, 12, 10, 11)
    team.say("paid HT-1 250,000 on 2026-12-10 for final payment")
    assert team.tick(local(2026, 12, 14, 9, 0)) == 1
    text = team.last_text()
    # last week 12-07..12-13: due the final payment (250,000, paid on its day); received 150k + 100k + 250k
    assert "received 500,000.00 CNY of 250,000.00 CNY due (100% on time)" in text
    assert "USD due" not in text  # nothing fell due or came in, in USD
    assert "⏰ Overdue now: 1 (▼ 2 vs a week ago)" in text
    assert "0.00 CNY owed (▼ 250,000.00 CNY vs a week ago)" in text
    assert "10,000.00 USD owed (unchanged vs a week ago)" in text


def test_the_weekly_digest_speaks_the_team_language(team: Team) -> None:
    build_ledger(team)
    team.say("settings language zh")
    assert team.tick(local(2026, 12, 7, 9, 0)) == 1
    text = team.last_text()
    assert "📋 每周汇总" in text and "💰 上周（2026-11-30 周一 – 2026-12-06 周日）：" in text
    assert "应收 500,000.00 CNY，实收 350,000.00 CNY（按时回款 60%）" in text
    assert "⏰ 当前逾期：3 项（较上周 ▲ 2）" in text
    assert "欠款 250,000.00 CNY（较上周 ▲ 150,000.00 CNY）" in text


def test_settings_move_the_weekly_digest_to_friday_1730(team: Team) -> None:
    build_ledger(team)
    team.say("settings digest friday 17:30")
    assert team.tick(local(2026, 12, 7, 9, 0)) == 1
    assert "Daily digest" in team.last_text()  # Monday is an ordinary day now
    assert team.tick(local(2026, 12, 11, 9, 0)) == 0  # Friday: no daily digest, the weekly one replaces it
    assert team.tick(local(2026, 12, 11, 17, 29)) == 0
    assert team.tick(local(2026, 12, 11, 17, 30)) == 1
    text = team.last_text()
    assert "Weekly summary · week of 2026-12-11" in text
    assert "Last week (Fri 2026-12-04 – Thu 2026-12-10)" in text
    # in 12-04..12-10: due the final payment (250,000), received 50,000 (12-05)
    assert "received 50,000.00 CNY of 250,000.00 CNY due (0% on time)" in text
    assert team.tick(local(2026, 12, 11, 17, 35)) == 0


def test_settings_digest_off_leaves_a_daily_digest_every_day(team: Team) -> None:
    build_ledger(team)
    team.say("settings digest off")
    assert team.tick(local(2026, 12, 7, 9, 0)) == 1
    text = team.last_text()
    assert "Daily digest" in text and "Weekly summary" not in text and "Last week" not in text
    assert team.fake.sent[-1].message.images == []
    team.say("settings digest on")
    assert team.tick(local(2026, 12, 14, 9, 0)) == 1
    assert "Weekly summary" in team.last_text()


def test_a_process_started_at_night_sends_nothing_until_the_next_window(team: Team) -> None:
    build_ledger(team)
    # Saturday: the console opened at 21:07 after a day off; its passes run every 5 minutes through the night
    for hh, mm in ((21, 7), (21, 12), (23, 55)):
        assert team.tick(local(2026, 12, 5, hh, mm)) == 0
    for hh, mm in ((0, 5), (3, 0), (7, 0), (7, 30), (8, 59)):
        assert team.tick(local(2026, 12, 6, hh, mm)) == 0
    assert team.tick(local(2026, 12, 6, 9, 0)) == 1  # Sunday's daily digest, on time
    with Session(team.engine) as s:
        assert [(str(d.day), d.kind) for d in s.exec(select(Digest)).all()] == [("2026-12-06", "daily")]


@pytest.mark.parametrize(("hh", "mm", "sent"), [(11, 59, 1), (12, 0, 0), (14, 0, 0), (21, 7, 0)])
def test_a_missed_window_is_skipped_not_sent_late(team: Team, hh: int, mm: int, sent: int) -> None:
    build_ledger(team)
    assert team.tick(local(2026, 12, 7, hh, mm)) == sent  # the first pass after the process was down all morning


def test_a_rate_limited_weekly_digest_is_retried_only_inside_its_window(team: Team) -> None:
    from scheduler.notify import RateLimited

    build_ledger(team)
    team.fake.fail_with = [RateLimited(5), RateLimited(5)]
    assert team.tick(local(2026, 12, 7, 11, 55)) == 0
    assert team.tick(local(2026, 12, 7, 12, 0)) == 0  # window closed: no late retry
    assert team.fake.sent == []


def test_the_night_rule_follows_the_team_zone(team: Team) -> None:
    build_ledger(team)
    team.say("settings timezone America/New_York")
    ny = "America/New_York"
    assert team.tick(local(2026, 12, 7, 9, 0)) == 0  # 09:00 in Shanghai is 20:00 Sunday in New York: not due
    assert team.tick(local(2026, 12, 7, 8, 59, tz=ny)) == 0
    assert team.tick(local(2026, 12, 7, 9, 0, tz=ny)) == 1
    assert "Weekly summary" in team.last_text()


def test_a_reminder_time_at_night_never_sends_the_daily_digest_and_an_early_one_waits(team: Team) -> None:
    build_ledger(team)
    assert "daily digest will not be sent" in team.say("settings time 22:00")
    for hh, mm in ((22, 0), (22, 5), (23, 59)):
        assert team.tick(local(2026, 12, 5, hh, mm)) == 0
    assert "daily digest will go out at 07:00" in team.say("settings time 05:00")
    assert team.tick(local(2026, 12, 6, 5, 0)) == 0
    assert team.tick(local(2026, 12, 6, 6, 59)) == 0
    assert team.tick(local(2026, 12, 6, 7, 0)) == 1


@pytest.mark.parametrize(("at", "window"), [
    (time(9, 0), (time(9, 0), time(12, 0))),
    (time(19, 30), (time(19, 30), time(21, 0))),
    (time(20, 0), (time(20, 0), time(21, 0))),
    (time(5, 0), (time(7, 0), time(8, 0))),
    (time(3, 0), None),
    (time(22, 0), None),
    (time(23, 30), None),
])
def test_send_windows(at: time, window: tuple[time, time] | None) -> None:
    assert send_window(at) == window


def test_channel_digests_in_a_team_with_several_channels_count_their_own_money(team: Team) -> None:
    build_ledger(team)
    with transaction(team.engine) as s:  # HT-2 lives in another room of the team
        ht2 = s.exec(select(Contract).where(Contract.number == "HT-2")).one()
        ht2.channel = "room-2"
        s.add(ht2)
    assert team.tick(local(2026, 12, 7, 9, 0)) == 2
    by_room = {o.target.chat_id: reply_text(o.message) for o in team.fake.sent}
    assert set(by_room) == {"team-a", "room-2"}
    assert "license" in by_room["room-2"] and "license" not in by_room["team-a"]
    assert "old payment" in by_room["team-a"] and "old payment" not in by_room["room-2"]
    overdue = {}
    for room, text in by_room.items():
        assert "team-wide" not in text
        m = re.search(r"⏰ Overdue now: (\d+)", text)
        assert m is not None
        overdue[room] = int(m.group(1))
    assert sum(overdue.values()) == 3 and all(overdue.values())  # the team's 3, split between the rooms


def test_a_chart_that_cannot_be_drawn_does_not_hold_back_the_digest(team: Team, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from handlers import charts

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("no fonts today")

    monkeypatch.setattr(charts, "money_chart", broken)
    build_ledger(team)
    assert team.tick(local(2026, 12, 7, 9, 0)) == 1
    assert "received 350,000.00 CNY" in team.last_text()
    assert team.fake.sent[-1].message.images == []
