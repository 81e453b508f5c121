"""Setting e-mail up: the ``email`` command and routing in both languages, SMTP_URL / MAIL_FROM, the registry and
`contractbot dispatch`, and the migration."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, select

from bot import registry
from bot.cli import main
from bot.config import Settings
from bot.dispatch_cli import notifiers_for
from bot.email.smtp import SmtpNotifier, parse_sender, parse_smtp_url
from handlers.commands import help_reply
from handlers.replies import reply_text
from scheduler import platforms
from storage import repo
from storage.db import _alembic_config, make_engine, transaction, upgrade
from storage.models import Person, Tenant
from tests.bot.email.conftest import Recorder
from tests.chat import Chat

# -- the email command -----------------------------------------------------------------------------------------


def test_an_address_for_someone_who_never_used_the_chat(chat: Chat) -> None:
    out = chat.say("email @cfo CFO@Example.com")
    assert "The e-mail address of @cfo is now cfo@example.com." in out
    assert "e-mail to those the chat can't reach" in out  # the team's routing, as it applies to them
    assert "@fd" not in chat.say("members")
    chat.say("email @fd fd@example.com")  # a new name: added to the team, like any @name
    assert "@fd" in chat.say("members")
    assert "cfo@example.com" in chat.say("email @cfo") and "Reminder e-mails: on" in chat.say("email @cfo")


def test_chinese_form_and_replies(engine: Engine) -> None:
    c = Chat.on_clock(engine, datetime(2026, 12, 1, 2, 0, tzinfo=UTC))
    assert "@王五 的邮箱已设为 wang@example.com。" in c.say("邮箱 @王五 wang@example.com")
    assert "@王五 不再接收邮件提醒。" in c.say("邮箱 @王五 关闭")
    assert "@王五 的邮件提醒已重新开启。" in c.say("邮箱 @王五 开启")
    bad = c.say("邮箱 @王五 王五at公司")
    assert "“王五at公司”不是有效的邮箱地址" in bad and "例如：邮箱 @王五 wang@example.com" in bad
    assert "邮箱 [@某人] 地址 | 关闭 | 开启 | 删除" in reply_text(help_reply("zh"))
    assert "email [@name] ADDRESS | off | on | remove" in reply_text(help_reply("en"))


@pytest.mark.parametrize("typed", ["email @cfo cfo@@example.com", "email @cfo cfo@example", "email @cfo a b@x.io",
                                   "email @cfo cfo@exa_mple.com", "email @cfo <script>x@y.io"])
def test_a_bad_address_gets_one_line_and_an_example(chat: Chat, typed: str) -> None:
    out = chat.say(typed)
    assert "is not an e-mail address" in out and "Example: email @bob bob@example.com" in out
    assert len([line for line in out.splitlines() if line.strip()]) == 2


def test_only_an_admin_changes_someone_elses_address(engine: Engine, chat: Chat) -> None:
    chat.say("email @cfo cfo@example.com")
    chat.say("list", user="bob")  # bob joins as a member
    for typed in ("email @cfo evil@example.com", "email @cfo off", "email @cfo", "email @newbie n@example.com"):
        assert "Only a team admin" in chat.say(typed, user="bob")
    assert "Your" not in chat.say("email bob@example.com", user="bob")
    assert "No more reminder e-mails for @bob" in chat.say("email off", user="bob")
    assert "is already the e-mail address of @bob" in chat.say("email @cfo bob@example.com")
    with Session(engine) as s:
        people = {p.handle or p.platform_user_id: p for p in s.exec(select(Person)).all()}
    assert people["cfo"].email == "cfo@example.com" and not people["cfo"].email_off
    assert people["bob"].email == "bob@example.com" and people["bob"].email_off
    assert "newbie" not in people


def test_addresses_belong_to_one_team(chat: Chat) -> None:
    chat.say("email @cfo cfo@example.com")
    other = chat.say("email @cfo cfo@example.com", team="team-b", user="zoe")
    assert "is now cfo@example.com" in other  # another team: its own @cfo, no clash, nothing shown across


def test_routing_takes_email_in_both_languages(engine: Engine, chat: Chat) -> None:
    def routing() -> str:
        with Session(engine) as s:
            return s.exec(select(Tenant)).one().routing

    assert "and an e-mail to everyone with an address" in chat.say("settings routing both+email")
    assert routing() == "both+email"
    chat.say("settings routing email")
    assert routing() == "email"
    chat.say("设置 发送 频道+邮件")
    assert routing() == "channel+email"
    assert "聊天联系不到但有邮箱的人发邮件" in chat.say("设置 发送 私信")
    assert routing() == "dm"
    bad = chat.say("settings routing fax+email")
    assert "“fax+email” is not a valid value for routing" in bad and routing() == "dm"
    assert "routing channel|dm|both|email|both+email" in chat.say("settings")


# -- SMTP_URL and MAIL_FROM ------------------------------------------------------------------------------------


def test_smtp_url_forms() -> None:
    s = parse_smtp_url("smtp://user%40corp:p%3Ass@mail.example.com")
    assert (s.scheme, s.host, s.port, s.username, s.password) == ("smtp", "mail.example.com", 587, "user@corp", "p:ss")
    assert "p:ss" not in repr(s) and "p:ss" not in str(s)
    assert parse_smtp_url("smtps://u:p@mail.example.com").port == 465
    assert parse_smtp_url("smtp://relay.local:25").username is None
    for bad, reason in (("http://x", "scheme"), ("smtp://", "no host"), ("smtp://user@host", "without a password"),
                        ("smtp://h:99999", "not a URL")):
        with pytest.raises(ValueError, match=reason):
            parse_smtp_url(bad)
    assert parse_sender("ContractBot <bot@example.com>") == ("ContractBot <bot@example.com>", "example.com")
    for bad in (None, "", "bot", "bot@localhost"):
        with pytest.raises(ValueError, match="MAIL_FROM"):
            parse_sender(bad)


def test_a_login_is_never_sent_without_tls(engine: Engine, smtp: Recorder) -> None:
    from bot.email.links import LinkSigner
    from handlers.replies import Reply
    from scheduler.notify import Outgoing, RateLimited, Target

    # the test server offers no STARTTLS: with a user in SMTP_URL the bot refuses to log in, and keeps the reminder
    notifier = SmtpNotifier(parse_smtp_url(f"smtp://u:secret@127.0.0.1:{smtp.port}"), sender="bot@example.com",
                            links=LinkSigner(engine, "http://bot.test"))
    with pytest.raises(RateLimited):
        notifier.send(Outgoing(Target("email", "t", user_id="x@example.com", dm=True), Reply(title="hi")))
    assert smtp.received == []


# -- the registry, `contractbot run` and `contractbot dispatch` ----------------------------------------------------


def test_email_is_an_adapter_switched_on_by_smtp_url(engine: Engine, settings: Settings, tmp_path: Path) -> None:
    adapter = registry.adapter("email")
    assert adapter is not None and platforms.mailbox() is adapter.traits and adapter.traits.mailbox
    assert not adapter.traits.edits and adapter.traits.dm_first and adapter.traits.limits.per_chat_per_s == 1
    bare = Settings(_env_file=None, reports_dir=str(tmp_path))  # type: ignore[call-arg]
    assert "email" not in {a.name for a in registry.enabled(bare)}
    assert "email" not in notifiers_for(bare, engine)
    found = notifiers_for(settings, engine)
    assert set(found) == {"console", "email"} and isinstance(found["email"], SmtpNotifier)
    no_sender = Settings(_env_file=None, smtp_url="smtp://h:25", reports_dir=str(tmp_path))  # type: ignore[call-arg]
    with pytest.raises(ValueError, match="MAIL_FROM"):
        notifiers_for(no_sender, engine)
    lines = (Path(__file__).resolve().parents[3] / ".env.example").read_text(encoding="utf-8").splitlines()
    assert "SMTP_URL=" in lines and "MAIL_FROM=" in lines


def test_contractbot_dispatch_sends_mail_when_smtp_url_is_set(tmp_path: Path, smtp: Recorder,
                                                              monkeypatch: pytest.MonkeyPatch,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'cron.db'}"
    engine = make_engine(url)
    upgrade(engine)
    c = Chat.on_clock(engine, datetime(2026, 12, 1, 2, 0, tzinfo=UTC))
    c.say('new HT-1 "Pump order" Acme 100,000')
    c.say("milestone HT-1 first payment 30% due 2026-12-10 owner @cfo")
    c.say("email @cfo cfo@example.com")
    monkeypatch.chdir(tmp_path)  # no .env of the developer's
    monkeypatch.setenv("SMTP_URL", f"smtp://127.0.0.1:{smtp.port}")
    monkeypatch.setenv("MAIL_FROM", "ContractBot <bot@example.com>")
    monkeypatch.setenv("CONTRACTBOT_PUBLIC_URL", "https://bot.example.com")
    for var in ("SLACK_BOT_TOKEN", "TELEGRAM_BOT_TOKEN", "FEISHU_APP_ID", "SLACK_CLIENT_ID"):
        monkeypatch.delenv(var, raising=False)
    assert main(["dispatch", "--db", url, "--now", "2026-12-03T01:00:00+00:00"]) == 0
    assert "sent 1" in capsys.readouterr().err
    [got] = smtp.received
    assert got.recipients == ["cfo@example.com"]
    assert "https://bot.example.com/mail/" in got.message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert main(["dispatch", "--db", url, "--now", "2026-12-03T01:05:00+00:00"]) == 0
    assert len(smtp.received) == 1  # the next run sends nothing again
    engine.dispose()


# -- the migration -----------------------------------------------------------------------------------------------

MINE = {"mail_links", "signing_keys"}


def _touches_mine(diff: object) -> bool:
    flat = str(diff)
    return any(name in flat for name in MINE) or "email" in flat


def test_the_migration_makes_what_the_models_say(engine: Engine) -> None:
    assert MINE <= set(inspect(engine).get_table_names())
    assert {"email", "email_off"} <= {c["name"] for c in inspect(engine).get_columns("people")}
    with engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), SQLModel.metadata)
    assert [d for d in diffs if _touches_mine(d)] == []


def test_the_migration_goes_down_and_up_with_people_in_the_database(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'down.db'}")
    upgrade(engine)
    with transaction(engine) as s:
        t = repo.ensure_tenant(s, platform="console", external_id="team-a")
        s.add(Person(tenant_id=t.id or 0, handle="cfo", email="cfo@example.com"))
    cfg = _alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0009")
    assert not MINE & set(inspect(engine).get_table_names())
    assert "email" not in {c["name"] for c in inspect(engine).get_columns("people")}
    with engine.connect() as conn:  # the people are still there
        assert conn.execute(text("SELECT handle FROM people")).scalars().all() == ["cfo"]
    upgrade(engine)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT email, email_off FROM people")).one() == (None, 0)
    engine.dispose()


@pytest.mark.parametrize(("text", "handle", "address"), [
    ("给 @王五 设置邮箱 wang@example.com", "王五", "wang@example.com"),
    ("@carol 的邮箱是 carol@example.cn", "carol", "carol@example.cn"),
    ("set the email of @bob to bob@example.com", "bob", "bob@example.com"),
    ("my email is alice@example.com", "alice", "alice@example.com"),
])
def test_an_address_said_freely_is_read_as_the_email_command(chat: Chat, text: str, handle: str,
                                                             address: str) -> None:
    answer = chat.say(text)
    assert answer.startswith(("Read as: email", "理解为：邮箱"))
    with Session(chat.engine) as s:
        person = s.exec(select(Person).where(Person.handle == handle)).one()
    assert person.email == address
