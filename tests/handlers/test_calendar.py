"""calendar / 日历 in conversation: a private feed URL, the .ics it serves, team feeds, resets and scope."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from icalendar import Calendar
from sqlmodel import Session, select

from handlers.core import Core
from handlers.ledger import calendar as feeds
from handlers.messages import IncomingMessage, Sender
from storage.models import AuditEvent, CalendarToken, Milestone
from tests.chat import Chat
from tests.conftest import Clock

URL_RE = re.compile(r"(https?://\S+/calendar/([A-Za-z0-9_-]+)\.ics)")


@pytest.fixture(autouse=True)
def base_url() -> Iterator[None]:
    feeds.set_base_url("https://bot.example.com/")
    yield
    feeds.set_base_url(None)


@pytest.fixture
def chat(engine) -> Chat:  # type: ignore[no-untyped-def]
    c = Chat.on_clock(engine, datetime(2027, 1, 2, 2, 0, tzinfo=UTC))
    clock = c.clock
    assert clock is not None
    c.say('new HT-1 "Cloud platform" Acme 1000000 ends 2027-12-31 owner @alice')
    c.say("milestone HT-1 first payment 30% due 2027-01-10 owner @alice")
    c.say("milestone HT-1 second payment 40% due 2027-02-10 owner @alice")
    c.say("milestone HT-1 delivery 2027-02-15 owner @carol")
    c.say('new HT-2 "Data migration" "Beta Corp" 500000 ends 2027-06-30 owner @bob')
    c.say("milestone HT-2 first payment 500000 due 2027-01-20 owner @bob")
    c.say("paid HT-1 300000 on 2027-01-02")  # settles the first payment
    c.say("paid HT-1 100000 on 2027-01-02")  # part of the second: 300,000 still owed on it
    return c


def _url(out: str) -> tuple[str, str]:
    m = URL_RE.search(out)
    assert m, out
    return m.group(1), m.group(2)


def _feed(chat: Chat) -> Calendar:
    [reply] = [r for r in chat.last if r.documents]
    [doc] = reply.documents
    assert doc.filename.endswith(".ics") and doc.mime.startswith("text/calendar")
    return Calendar.from_ical(doc.data)


def _events(cal: Calendar) -> dict[str, object]:
    return {str(e["summary"]): e for e in cal.walk("VEVENT")}


def _id_of(chat: Chat, title: str, number: str = "HT-1") -> int:
    contract = next(c for c in chat.contracts() if c.number == number)
    return next(m.id for m in chat.milestones(renewals=True) if m.title == title and m.contract_id == contract.id)


def test_calendar_gives_a_private_url_and_the_feed_of_my_open_milestones(chat: Chat) -> None:
    out = chat.say("calendar")
    url, token = _url(out)
    assert url.startswith("https://bot.example.com/calendar/") and "Your calendar feed (2 open milestones)" in out
    assert len(token) >= 43  # secrets.token_urlsafe(32): 256 random bits
    assert "calendar reset" in out
    cal = _feed(chat)
    assert str(cal["x-wr-calname"]) == "team-a · milestones of alice"
    events = _events(cal)
    # alice's open milestones: the part-paid second payment and the contract's renewal notice
    assert set(events) == {"HT-1 second payment · Acme · 300,000.00 CNY owed", "HT-1 renewal notice · Acme"}
    second = events["HT-1 second payment · Acme · 300,000.00 CNY owed"]
    assert second["dtstart"].dt == date(2027, 2, 10) and second["dtend"].dt == date(2027, 2, 11)
    assert second["dtstart"].params["VALUE"] == "DATE"
    assert str(second["uid"]) == f"milestone-{_id_of(chat, 'second payment')}@contractbot"
    description = str(second["description"])
    assert "Contract: HT-1 Cloud platform" in description and "Counterparty: Acme" in description
    assert "Still owed: 300,000.00 CNY (of 400,000.00 CNY)" in description
    assert "paid HT-1 300,000.00 for second payment" in description
    assert second["last-modified"].dt.tzinfo is not None and int(second["sequence"]) > 0
    # the command the event suggests works as typed
    assert "second payment paid in full" in chat.say("paid HT-1 300,000.00 for second payment")
    chat.say("calendar")
    assert set(_events(_feed(chat))) == {"HT-1 renewal notice · Acme"}


def test_the_same_url_until_reset_and_reset_is_audited_without_the_secret(chat: Chat) -> None:
    first, token = _url(chat.say("calendar"))
    assert _url(chat.say("calendar"))[0] == first  # still valid: the same link
    out = chat.say("calendar reset")
    assert "New calendar link" in out and "the old link no longer works" in out
    second, new_token = _url(out)
    assert second != first
    with Session(chat.engine) as s:
        now = datetime(2027, 1, 2, 2, 0, tzinfo=UTC)
        assert feeds.feed_for_token(s, token=token, now=now) is None
        assert feeds.feed_for_token(s, token=new_token, now=now) is not None
        old = s.exec(select(CalendarToken).where(CalendarToken.token == token)).one()
        assert old.revoked_at is not None
        events = s.exec(select(AuditEvent).where(AuditEvent.entity == "calendar_token")
                        .order_by(AuditEvent.id)).all()
    assert [e.action for e in events] == ["calendar.created", "calendar.reset"]
    for e in events:
        assert token not in (e.before or "") + (e.after or "") and new_token not in (e.before or "") + (e.after or "")
    assert json.loads(events[1].before or "{}")["revoked"] == [old.id]
    assert _url(chat.say("calendar"))[0] == second


def test_team_feed_is_for_admins_and_carries_every_open_milestone(chat: Chat) -> None:
    out = chat.say("calendar team", user="bob")
    assert "Only team admins can get the team's calendar feed" in out
    out = chat.say("calendar team")  # alice created the team: its admin
    assert "The team's calendar feed (5 open milestones)" in out
    team_url, _ = _url(out)
    assert team_url != _url(chat.say("calendar"))[0]  # the team's feed has its own link
    chat.say("calendar team")
    cal = _feed(chat)
    assert str(cal["x-wr-calname"]) == "team-a · contract milestones"
    events = _events(cal)
    assert "HT-2 first payment · Beta Corp · 500,000.00 CNY owed" in events
    assert "Owner: @carol" in str(events["HT-1 delivery · Acme"]["description"])
    assert "done HT-1 delivery" in str(events["HT-1 delivery · Acme"]["description"])
    assert "HT-1 first payment" not in " ".join(events)  # paid: no longer open
    # bob's own feed has only his milestones
    out = chat.say("calendar", user="bob")
    assert "(2 open milestones)" in out
    assert {str(e["summary"]).split(" · ")[0] for e in _feed(chat).walk("VEVENT")} == {
        "HT-2 first payment", "HT-2 renewal notice"}


def test_chinese_feed_speaks_chinese(engine) -> None:  # type: ignore[no-untyped-def]
    c = Chat(Core(engine, clock=Clock(datetime(2027, 1, 2, 2, 0, tzinfo=UTC))), team="team-zh", user="zhangsan")
    c.say("新建 HT-9 智慧园区管理平台 杭州滨江智谷园区运营有限公司 120万 到期 2027年12月31日 负责人 @zhangsan")
    c.say("节点 HT-9 首付款 30% 2027年1月10日 @zhangsan")
    c.say("节点 HT-9 交付验收 2027年3月1日 @zhangsan")
    out = c.say("日历")
    assert "你的节点日历（3 个未完成节点）" in out and "日历 重置" in out
    events = _events(_feed(c))
    first = events["HT-9 首付款 · 杭州滨江智谷园区运营有限公司 · 待收 360,000.00 CNY"]
    assert first["dtstart"].dt == date(2027, 1, 10)
    assert "回款 HT-9 360,000.00 首付款" in str(first["description"])
    assert "完成 HT-9 交付验收" in str(events["HT-9 交付验收 · 杭州滨江智谷园区运营有限公司"]["description"])
    assert str(_feed(c)["x-wr-calname"]) == "team-zh · zhangsan 的节点"
    assert "只有团队管理员" in c.say("日历 团队", user="lisi")
    assert "团队节点日历" in c.say("日历 团队")
    assert "已生成新的日历链接" in c.say("日历 重置")


def test_feed_is_valid_rfc5545_text(chat: Chat) -> None:
    chat.say('new HT-3 "一个名字很长很长的合同用来检查折行不会把汉字切成两半" "杭州滨江智谷园区运营有限公司" 100000 '
             "ends 2027-12-31 owner @alice")
    chat.say("milestone HT-3 首付款（含税按合同约定的比例和时间支付） 100000 due 2027-03-01 owner @alice")
    chat.say("calendar")
    [doc] = [d for r in chat.last for d in r.documents]
    data = doc.data
    assert data.startswith(b"BEGIN:VCALENDAR\r\n") and data.endswith(b"END:VCALENDAR\r\n")
    assert b"\n" not in data.replace(b"\r\n", b"")  # CRLF line endings only
    lines = data.split(b"\r\n")[:-1]
    assert all(len(line) <= 75 for line in lines)  # folded at 75 octets
    assert any(line.startswith(b" ") for line in lines)  # long lines were folded
    for line in lines:
        line.decode("utf-8")  # a fold never cuts a Chinese character in two
    unfolded = data.replace(b"\r\n ", b"").decode("utf-8").split("\r\n")
    assert "VERSION:2.0" in unfolded and any(x.startswith("PRODID:") for x in unfolded)
    assert unfolded.count("BEGIN:VEVENT") == unfolded.count("END:VEVENT") == 4
    for key in ("UID:", "DTSTAMP:", "DTSTART;VALUE=DATE:", "DTEND;VALUE=DATE:", "SUMMARY:"):
        assert sum(x.startswith(key) for x in unfolded) == 4, key
    assert any("一个名字很长很长的合同用来检查折行不会把汉字切成两半" in x for x in unfolded)


def test_a_token_only_ever_shows_its_own_team(chat: Chat) -> None:
    chat.say('new HT-1 "Secret deal" Zeta 999 ends 2027-12-31 owner @alice', team="team-b")
    chat.say("milestone HT-1 hidden payment 50% due 2027-01-05 owner @alice", team="team-b")
    _, token_a = _url(chat.say("calendar"))
    _, team_a = _url(chat.say("calendar team"))
    _, token_b = _url(chat.say("calendar", team="team-b"))
    now = datetime(2027, 1, 2, 2, 0, tzinfo=UTC)
    with Session(chat.engine) as s:
        for token in (token_a, team_a):
            text = (feeds.feed_for_token(s, token=token, now=now) or b"").decode()
            assert "Secret deal" not in text and "hidden payment" not in text and "Zeta" not in text
        text_b = (feeds.feed_for_token(s, token=token_b, now=now) or b"").decode()
        assert "hidden payment" in text_b and "Cloud platform" not in text_b
        hidden = s.exec(select(Milestone).where(Milestone.title == "hidden payment")).one()
        assert f"milestone-{hidden.id}@contractbot" in text_b
        for bad in ("", "nope", "x" * 43, token_a + "x", "../" + token_a):
            assert feeds.feed_for_token(s, token=bad, now=now) is None


def test_viewers_get_their_own_feed(chat: Chat) -> None:
    chat.say("role @carol viewer")
    out = chat.say("calendar", user="carol")
    assert "Your calendar feed" in out and _url(out)
    assert "Only team admins" in chat.say("calendar team", user="carol")


def test_in_a_group_chat_the_link_goes_to_a_private_message(engine) -> None:  # type: ignore[no-untyped-def]
    core = Core(engine, clock=Clock(datetime(2027, 1, 2, 2, 0, tzinfo=UTC)))

    def say(platform: str, text: str, *, chat_type: str = "group", can_dm: bool = False):  # type: ignore[no-untyped-def]
        return core.handle(IncomingMessage(platform=platform, tenant_key="T1", text=text, chat_id="C1",
                                           chat_type=chat_type, sender=Sender(user_id="U1", handle="amy",
                                                                               can_dm=can_dm)))

    # Slack: the bot can always write to a user id (it opens the DM)
    note, private = say("slack", "calendar")
    assert note.ephemeral and "private message" in (note.title or "")
    assert private.channel == "U1" and URL_RE.search(private.lines[0][0]) and private.documents
    # Telegram: never in the group; until the person has started the bot, tell them how
    [refusal] = say("telegram", "calendar")
    assert refusal.ephemeral and "open a private chat with me first" in (refusal.title or "")
    assert not refusal.documents and not any("calendar/" in str(line) for line in refusal.lines)
    [direct] = say("telegram", "calendar", chat_type="private")
    assert direct.channel is None and direct.documents


def test_the_feed_is_read_in_chunks_without_losing_or_repeating_events(chat: Chat,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    for i in range(5):
        chat.say(f"milestone HT-1 step {i} 2027-03-0{1 + i % 2} owner @carol")  # several on one day
    chat.say("calendar team")
    whole = [str(e["uid"]) for e in _feed(chat).walk("VEVENT")]
    monkeypatch.setattr(feeds, "_CHUNK", 2)
    chat.say("calendar team")
    assert [str(e["uid"]) for e in _feed(chat).walk("VEVENT")] == whole and len(set(whole)) == len(whole) == 10


@pytest.mark.parametrize(("platform", "tenant_key", "chat_id", "link"), [
    ("slack", "T0123ABCD", "C0456EFGH", "https://app.slack.com/client/T0123ABCD/C0456EFGH"),
    ("telegram", "-1001234567890", "-1001234567890", "https://t.me/c/1234567890"),
    ("feishu", "oc_5ad11d72b830411d72b836c20", "oc_5ad11d72b830411d72b836c20",
     "https://applink.feishu.cn/client/chat/open?openChatId=oc_5ad11d72b830411d72b836c20"),
    ("telegram", "-4567", "-4567", None),  # a basic group has no address
])
def test_each_event_links_back_to_the_chat_where_the_platform_has_a_link(engine, platform: str, tenant_key: str,  # type: ignore[no-untyped-def]
                                                                         chat_id: str, link: str | None) -> None:
    core = Core(engine, clock=Clock(datetime(2027, 1, 2, 2, 0, tzinfo=UTC)))

    def say(text: str, chat_type: str = "group"):  # type: ignore[no-untyped-def]
        return core.handle(IncomingMessage(platform=platform, tenant_key=tenant_key, text=text, chat_id=chat_id,
                                           chat_type=chat_type, sender=Sender(user_id="U1", handle="amy",
                                                                               can_dm=True)))

    say('new HT-1 "Cloud platform" Acme 1000000 ends 2027-12-31')
    say("milestone HT-1 delivery 2027-02-15 owner @amy")
    with Session(engine) as s:
        from storage.models import Tenant

        tenant = s.exec(select(Tenant).where(Tenant.platform == platform, Tenant.external_id == tenant_key)).one()
        cal = Calendar.from_ical(feeds.build_feed(s, tenant=tenant, person=None, now=datetime(2027, 1, 2, tzinfo=UTC)))
    for event in cal.walk("VEVENT"):
        if link is None:
            assert "url" not in event
        else:
            assert str(event["url"]) == link and link in str(event["description"])
