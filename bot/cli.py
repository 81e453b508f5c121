"""The `contractbot` command: run, console, dispatch, migrate."""

from __future__ import annotations

import argparse
import getpass
import logging
import sys
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

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
    console.add_argument("--now", default=None, metavar="ISO",
                         help="run the console as of this fixed moment, e.g. 2027-01-13T10:00: dates you type are "
                              "read against it and it is 'today' for lists; without a UTC offset it is read in "
                              "--tz (else the deployment's default time zone); a date alone means 12:00 noon "
                              "local; no background reminders are printed.")

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
    _check_chart_font()
    return engine


def _check_chart_font() -> None:
    """Say in one line at start-up when Chinese charts cannot be drawn in Chinese (they fall back to English)."""
    from handlers.charts import font_warning

    warning = font_warning()
    if warning:
        logging.getLogger("contractbot").warning(warning)


def parse_console_now(text: str, tz: str) -> datetime:
    """The console's fixed moment in UTC: an ISO date-time (in `tz` when it has no offset) or a date (noon in `tz`).

    Raises ValueError with a one-line reason for text that is neither, or an unknown time zone.
    """
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        try:
            value = datetime.fromisoformat(text.strip())
        except ValueError:
            raise ValueError(f"--now {text!r} is not an ISO date-time such as 2027-01-13T10:00") from None
    else:
        value = datetime.combine(day, time(12, 0))
    if value.tzinfo is None:
        try:
            value = value.replace(tzinfo=ZoneInfo(tz))
        except (ValueError, LookupError):  # ZoneInfoNotFoundError is a KeyError
            raise ValueError(f"--now {text!r} has no UTC offset and {tz!r} is not a known time zone") from None
    return value.astimezone(UTC)


def _share_public_url(settings: Settings) -> None:
    """Tell the core where calendar feeds are served (the core never imports bot/, so it is handed over)."""
    from handlers.ledger.calendar import set_base_url

    set_base_url(settings.public_url)


def make_core(settings: Settings, engine, now: datetime | None = None):  # type: ignore[no-untyped-def]
    """The core with this deployment's defaults; with `now`, a core whose clock is stopped at that instant."""
    from handlers.core import Core

    defaults = {"default_timezone": settings.default_timezone, "default_currency": settings.default_currency,
                "default_language": settings.default_language}
    if now is None:
        return Core(engine, **defaults)
    fixed: datetime = now
    return Core(engine, clock=lambda: fixed, **defaults)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    settings = load_settings(database_url=getattr(args, "db", None))
    fixed_now = None
    if args.cmd == "console" and args.now is not None:
        try:
            fixed_now = parse_console_now(args.now, args.tz or settings.default_timezone)
        except ValueError as err:
            parser.exit(2, f"contractbot console: error: {err}\n")
    logging.basicConfig(level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    cmd = args.cmd or "run"
    _share_public_url(settings)
    engine = prepare(settings)
    if cmd == "migrate":
        print(f"schema up to date: {engine.url.render_as_string(hide_password=True)}")
        return 0
    if cmd == "dispatch":
        from bot.dispatch_cli import dispatch_once

        return dispatch_once(settings, engine, now=args.now, dry_run=args.dry_run)
    core = make_core(settings, engine, now=fixed_now)
    if cmd == "console" or not (settings.slack_enabled or settings.telegram_enabled):
        from bot.console.app import run_console

        if sys.stdin.isatty() and fixed_now is None:
            # a person is chatting: show their reminders as they fall due, like Slack or Telegram would
            from bot.console.background import start_reminders

            start_reminders(engine, interval=settings.dispatch_interval_seconds, reports_dir=settings.reports_dir)
        return run_console(core, user=getattr(args, "user", None) or _user_default(),
                           chat=getattr(args, "chat", "console"), lang=getattr(args, "lang", None),
                           tz=getattr(args, "tz", None), reports_dir=settings.reports_dir)
    from bot.runner import run_platforms

    return run_platforms(settings, engine, core)


if __name__ == "__main__":
    sys.exit(main())
