"""Settings of the weekly digest: `settings digest friday 17:30`, `设置 周报 关闭`, ... admins only, audited."""

from __future__ import annotations

import json

import pytest
from sqlmodel import Session, col, select

from handlers.core import Core
from storage.models import AuditEvent, Person, Tenant
from tests.chat import Chat


@pytest.fixture
def chat(engine, clock) -> Chat:  # type: ignore[no-untyped-def]
    chat = Chat(Core(engine, clock=clock))
    chat.say("help")  # alice opens the team: its first person is its admin
    return chat


def schedule(chat: Chat) -> tuple[int | None, str]:
    with Session(chat.engine) as s:
        [team] = s.exec(select(Tenant)).all()
    return team.digest_day, team.digest_time


def test_a_new_team_gets_its_weekly_digest_on_monday_at_0900(chat: Chat) -> None:
    assert schedule(chat) == (0, "09:00")
    assert "Weekly digest: Monday at 09:00" in chat.say("settings")


@pytest.mark.parametrize(("line", "day", "at"), [
    ("settings digest monday 09:00", 0, "09:00"),
    ("settings digest mon 9:00", 0, "09:00"),
    ("settings digest friday 17:30", 4, "17:30"),
    ("settings digest Fri 5:30 pm", 4, "17:30"),
    ("settings digest every tuesday at 8am", 1, "08:00"),
    ("settings weekly-digest wed 10:15", 2, "10:15"),
    ("settings digest 20:00", 0, "20:00"),  # the latest time allowed; the day stays
    ("settings digest thursday", 3, "09:00"),  # the time stays
    ("settings digest sunday 07:00", 6, "07:00"),  # the earliest time allowed
    ("设置 周报 周一 09:00", 0, "09:00"),
    ("设置 周报 星期五 17:30", 4, "17:30"),
    ("设置 周报 每周五 下午5点半", 4, "17:30"),
    ("设置 周报 礼拜天 上午十点", 6, "10:00"),
    ("设置 摘要 周三 10:00", 2, "10:00"),
    ("设置 每周摘要 周四 8:00", 3, "08:00"),
    ("设置 周报周二9:30", 1, "09:30"),
])
def test_the_weekly_digest_moves(chat: Chat, line: str, day: int, at: str) -> None:
    out = chat.say(line)
    assert not out.startswith("⚠️"), out
    assert schedule(chat) == (day, at)


def test_moved_to_friday_1730_and_shown_in_settings(chat: Chat) -> None:
    out = chat.say("settings digest friday 17:30")
    assert out.startswith("Setting changed: weekly digest")
    assert "Weekly digest: Friday at 17:30" in out
    assert "Weekly digest: Friday at 17:30" in chat.say("settings")
    assert "周报: 周五 17:30" in chat.say("设置")
    chat.say("settings digest off")
    assert "周报: 关闭（每天发每日汇总）" in chat.say("设置")


def test_off_and_on_again_keeps_the_day_and_time(chat: Chat) -> None:
    chat.say("settings digest friday 17:30")
    assert "Weekly digest: off (a daily digest every day)" in chat.say("settings digest off")
    assert schedule(chat) == (None, "17:30")
    assert "Weekly digest: Friday at 17:30" in chat.say("settings digest on")
    assert schedule(chat) == (4, "17:30")
    chat.say("设置 周报 关闭")
    assert schedule(chat) == (None, "17:30")
    chat.say("设置 周报 开启")
    assert schedule(chat) == (4, "17:30")
    chat.say("settings digest on")  # already on: nothing moves
    assert schedule(chat) == (4, "17:30")


def test_on_for_a_team_that_never_chose_a_day_is_monday(chat: Chat) -> None:
    chat.say("settings digest off")
    chat.say("settings digest on")
    assert schedule(chat) == (0, "09:00")


def test_a_time_alone_turns_an_off_digest_back_on(chat: Chat) -> None:
    chat.say("settings digest wednesday 10:00")
    chat.say("settings digest off")
    chat.say("settings digest 16:00")
    assert schedule(chat) == (2, "16:00")


def test_only_an_admin_changes_it(chat: Chat) -> None:
    chat.say("help", user="bob")
    assert "only a team admin can change settings" in chat.say("settings digest off", user="bob")
    assert "只有团队管理员可以修改设置" in chat.say("设置 周报 关闭", user="bob")
    assert schedule(chat) == (0, "09:00")
    assert "Weekly digest: Monday at 09:00" in chat.say("settings", user="bob")  # everyone may look


@pytest.mark.parametrize(("line", "reason", "example"), [
    ("settings digest banana", "“banana” is not a valid value for the weekly digest: give a weekday and a time",
     "Example: settings digest monday 09:00"),
    ("settings digest funday 9:00", "not a valid value for the weekly digest", "Example: settings digest monday"),
    ("settings digest monday 25:00", "not a valid value for the weekly digest", "Example: settings digest monday"),
    ("settings digest monday friday", "not a valid value for the weekly digest", "Example: settings digest monday"),
    ("settings digest", "Give a value for weekly digest", "Example: settings digest monday 09:00"),
    ("settings digest friday 22:00", "“22:00” is outside day hours: the weekly digest is sent between 07:00 and "
     "20:00 team time (Asia/Shanghai), never at night.", "Example: settings digest monday 09:00"),
    ("settings digest monday 6:30", "“06:30” is outside day hours", "Example:"),
    ("settings digest monday 20:01", "between 07:00 and 20:00", "Example:"),
    ("settings digest sat 11pm", "“23:00” is outside day hours", "Example:"),
    ("设置 周报 周五 23:00", "“23:00”不在白天：周报只在团队时间（Asia/Shanghai）07:00 到 20:00 之间发送，夜间不发送。",
     "例如：设置 周报 周一 09:00"),
    ("设置 周报 香蕉", "“香蕉”不是周报的有效值：请写星期几和时间，或 关闭 / 开启。", "例如：设置 周报 周一 09:00"),
])
def test_bad_values_get_a_reason_and_an_example(chat: Chat, line: str, reason: str, example: str) -> None:
    out = chat.say(line)
    assert out.startswith("⚠️") and reason in out and example in out, out
    assert len(out.splitlines()) == 2  # one line of reason, one example
    assert schedule(chat) == (0, "09:00")


def test_the_change_is_audited_with_before_and_after(chat: Chat) -> None:
    chat.say("settings digest friday 17:30")
    chat.say("settings digest off")
    with Session(chat.engine) as s:
        alice = s.exec(select(Person).where(Person.handle == "alice")).one()
        events = s.exec(select(AuditEvent).where(AuditEvent.action == "tenant.settings")
                        .order_by(col(AuditEvent.id))).all()
    assert [e.actor_id for e in events] == [alice.id, alice.id]
    moved, off = ((json.loads(e.before or ""), json.loads(e.after or "")) for e in events)
    assert (moved[0]["digest_day"], moved[0]["digest_time"]) == (0, "09:00")
    assert (moved[1]["digest_day"], moved[1]["digest_time"]) == (4, "17:30")
    assert (off[0]["digest_day"], off[1]["digest_day"]) == (4, None)


def test_a_refused_change_writes_no_audit_row(chat: Chat) -> None:
    chat.say("settings digest friday 22:00")
    chat.say("settings digest off", user="bob")
    with Session(chat.engine) as s:
        assert s.exec(select(AuditEvent).where(AuditEvent.action == "tenant.settings")).all() == []


def test_a_reminder_time_at_night_warns_about_the_daily_digest(chat: Chat) -> None:
    out = chat.say("settings time 22:00")
    assert "Note: digests are never sent at night (21:00–07:00); with the reminder time at 22:00 the daily " \
           "digest will not be sent." in out
    assert "夜间（21:00–07:00）不发送汇总；每日汇总将在 07:00 发送" in chat.say("设置 时间 06:00")
    assert "Note:" not in chat.say("settings time 08:30")
