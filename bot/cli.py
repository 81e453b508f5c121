"""The `contractbot` command: run, console, dispatch, migrate."""

from __future__ import annotations

import argparse
import getpass
import logging
import sys

from bot.config import Settings, load_settings


def _user_default() -> str:
    try:
        return getpass.getuser() or "me"
    except Exception:  # no login name in some containers
        return "me"


def build_parser() -> argparse.ArgumentParser:
    """The command-line grammar."""
    parser = argparse.ArgumentParser(prog="contractbot", description="ContractBot: contract milestones in chat.")
    sub = parser.add_subparsers(dest="cmd")

    run = sub.add_parser("run", help="start every platform whose settings are present (console when none)")
    run.add_argument("--db", help="database URL (default: DATABASE_URL or sqlite:///contractbot.db)")

    console = sub.add_parser("console", help="chat with the bot in this terminal")
    console.add_argument("--db")
    console.add_argument("--user", default=None, help="your name in the team (default: your login name)")
    console.add_argument("--chat", default="console", help="the team / chat name (default: console)")
    console.add_argument("--tz", default=None, help="your IANA time zone, e.g. Asia/Shanghai")
    console.add_argument("--lang", choices=("zh", "en"), default=None, help="reply language for neutral input")

    dispatch = sub.add_parser("dispatch", help="run one reminder dispatch pass and exit")
    dispatch.add_argument("--db")
    dispatch.add_argument("--now", default=None, help="pretend it is this ISO datetime (UTC if no offset)")
    dispatch.add_argument("--dry-run", action="store_true", help="show what would go out, send nothing")

    migrate = sub.add_parser("migrate", help="upgrade the database schema and exit")
    migrate.add_argument("--db")
    return parser


def prepare(settings: Settings):  # type: ignore[no-untyped-def]
    """Open the database, upgrade its schema and warm the date parser; return the engine."""
    from handlers.dates import warm_up
    from storage.db import make_engine, upgrade

    engine = make_engine(settings.database_url)
    upgrade(engine)
    warm_up()
    return engine


def make_core(settings: Settings, engine):  # type: ignore[no-untyped-def]
    """The core with this deployment's defaults."""
    from handlers.core import Core

    return Core(engine, default_timezone=settings.default_timezone, default_currency=settings.default_currency,
                default_language=settings.default_language)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script."""
    args = build_parser().parse_args(argv)
    settings = load_settings(database_url=getattr(args, "db", None))
    logging.basicConfig(level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    cmd = args.cmd or "run"
    engine = prepare(settings)
    if cmd == "migrate":
        print(f"schema up to date: {engine.url.render_as_string(hide_password=True)}")
        return 0
    if cmd == "dispatch":
        from bot.dispatch_cli import dispatch_once

        return dispatch_once(settings, engine, now=args.now, dry_run=args.dry_run)
    core = make_core(settings, engine)
    if cmd == "console" or not (settings.slack_enabled or settings.telegram_enabled):
        from bot.console.app import run_console

        if sys.stdin.isatty():
            # a person is chatting: show their reminders as they fall due, like Slack or Telegram would
            from bot.console.background import start_reminders

            start_reminders(engine, interval=settings.dispatch_interval_seconds)
        return run_console(core, user=getattr(args, "user", None) or _user_default(),
                           chat=getattr(args, "chat", "console"), lang=getattr(args, "lang", None),
                           tz=getattr(args, "tz", None))
    from bot.runner import run_platforms

    return run_platforms(settings, engine, core)


if __name__ == "__main__":
    sys.exit(main())
