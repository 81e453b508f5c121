"""The `contractbot` command: run, console, dispatch, migrate.

Exit codes: 0 done; 1 the bot could not start or stopped on an error (a network or database failure; one
line says why, LOG_LEVEL=DEBUG adds the traceback); 2 a usage or configuration problem (a bad option or
setting, the postgres extra missing); 3 the database schema is behind and migrating is switched off.
"""

from __future__ import annotations

import argparse
import getpass
import logging
import sys
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from pydantic import ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot import logs, registry
from bot.config import Settings, load_settings

log = logging.getLogger("contractbot")

EXIT_FAILED, EXIT_CONFIG, EXIT_BEHIND = 1, 2, 3


class StartSettings(BaseSettings):
    """CONTRACTBOT_NO_MIGRATE=1: `run` and `dispatch` check the schema instead of upgrading it."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore", env_ignore_empty=True)

    contractbot_no_migrate: bool = False


def _user_default() -> str:
    try:
        return getpass.getuser() or "me"
    except Exception:  # no login name in some containers
        return "me"


def build_parser() -> argparse.ArgumentParser:
    """The command-line grammar."""
    parser = argparse.ArgumentParser(prog="contractbot", description="ContractBot: contract milestones in chat.")
    sub = parser.add_subparsers(dest="cmd")

    no_migrate = ("do not upgrade the schema: refuse to start (exit 3) when it is behind; for deployments that "
                  "run `contractbot migrate` as their own step (also CONTRACTBOT_NO_MIGRATE=1)")
    run = sub.add_parser("run", help="start every platform whose settings are present (console when none)")
    run.add_argument("--db", help="database URL (default: DATABASE_URL or sqlite:///contractbot.db)")
    run.add_argument("--no-migrate", action="store_true", help=no_migrate)

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
    dispatch.add_argument("--no-migrate", action="store_true", help=no_migrate)

    migrate = sub.add_parser("migrate", help="upgrade the database schema and exit")
    migrate.add_argument("--db")
    return parser


def prepare(settings: Settings, *, migrate: bool = True):  # type: ignore[no-untyped-def]
    """Open the database, upgrade its schema (or check it is current) and warm the date parser; return the engine."""
    from handlers.dates import warm_up
    from storage.db import check_schema, make_engine, upgrade

    engine = make_engine(settings.database_url)
    if migrate:
        upgrade(engine)
    else:
        check_schema(engine)
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

    tz, currency, lang = settings.default_timezone, settings.default_currency, settings.default_language
    if now is None:
        return Core(engine, default_timezone=tz, default_currency=currency, default_language=lang)
    fixed: datetime = now
    return Core(engine, clock=lambda: fixed, default_timezone=tz, default_currency=currency, default_language=lang)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    cmd = args.cmd or "run"
    try:
        settings = load_settings(database_url=getattr(args, "db", None))
        log_settings = logs.LogSettings()
        migrate = not (getattr(args, "no_migrate", False) or StartSettings().contractbot_no_migrate)
        logs.resolve(cmd, log_settings)  # an unknown LOG_LEVEL is a configuration error, said here
    except (ValidationError, ValueError) as err:
        return fail(EXIT_CONFIG, settings_problem(err))
    fixed_now = None
    if args.cmd == "console" and args.now is not None:
        try:
            fixed_now = parse_console_now(args.now, args.tz or settings.default_timezone)
        except ValueError as err:
            parser.exit(2, f"contractbot console: error: {err}\n")
    chatting = cmd == "console" or (cmd == "run" and not registry.front_doors(settings))
    with logs.configured("console" if chatting else cmd, log_settings):
        return guarded(lambda: _command(cmd, args, settings, migrate=migrate, fixed_now=fixed_now),
                       database_url=settings.database_url, secrets=_secrets(settings))


def _secrets(settings: Settings) -> list[str]:
    """Values that must not reach the one line (Telegram's InvalidToken, for one, quotes the token)."""
    values = [settings.slack_bot_token, settings.slack_app_token, settings.slack_signing_secret,
              settings.slack_client_secret, settings.slack_state_secret,
              settings.feishu_app_secret, settings.feishu_verification_token, settings.feishu_encrypt_key,
              settings.telegram_bot_token, getattr(settings, "telegram_webhook_secret", None)]
    try:
        from sqlalchemy.engine import make_url

        values.append(make_url(settings.database_url).password)
    except Exception:  # not a URL: make_engine will say so
        pass
    if settings.smtp_url:
        from urllib.parse import unquote, urlsplit

        password = urlsplit(settings.smtp_url).password
        values += [password, unquote(password)] if password else []
    return [str(v) for v in values if v and len(str(v)) >= 4]


def guarded(start, *, database_url: str = "", secrets: list[str] | None = None) -> int:  # type: ignore[no-untyped-def]
    """Run the command; a failure becomes one line on stderr and an exit code (the traceback only at DEBUG)."""
    from storage.db import MissingDriver, SchemaBehind

    try:
        return int(start())
    except MissingDriver as err:
        return fail(EXIT_CONFIG, str(err))
    except SchemaBehind as err:
        return fail(EXIT_BEHIND, str(err))
    except KeyboardInterrupt:
        return 130
    except Exception as err:  # the process's error boundary: network down, database unreachable, token refused
        log.debug("the failure below, in full", exc_info=True)
        reason = describe(err, database_url=database_url)
        for secret in secrets or ():
            reason = reason.replace(secret, "***")
        return fail(EXIT_FAILED, reason + _traceback_hint())


def fail(code: int, reason: str) -> int:
    """Say why in one line on stderr; return the exit code."""
    print(f"contractbot: {reason}", file=sys.stderr, flush=True)
    return code


def _traceback_hint() -> str:
    return "" if log.isEnabledFor(logging.DEBUG) else " (LOG_LEVEL=DEBUG shows the traceback)"


# where an exception class comes from -> what to call it in the one line
_ORIGINS = {"sqlalchemy": "database", "psycopg": "database", "sqlite3": "database", "alembic": "database",
            **{lib: a.name for a in registry.ADAPTERS for lib in a.libraries}}


def describe(err: BaseException, *, database_url: str = "") -> str:
    """One line for an exception: where it came from and the first line of what it says.

    SQLAlchemy's messages carry the SQL and a link after the driver's own text: only the driver's first line
    is kept. A network error the platform library wrapped is named after the platform.
    """
    origin = _ORIGINS.get(type(err).__module__.split(".")[0])
    inner = getattr(err, "orig", None)
    shown = inner if isinstance(inner, BaseException) else err
    text = " ".join(str(shown).split("\n", 1)[0].split())
    if not text:  # e.g. TimeoutError(): the cause usually says more
        cause = err.__cause__ or err.__context__
        text = " ".join(str(cause).split("\n", 1)[0].split()) if cause is not None else ""
    text = text or type(shown).__name__
    if origin is None:
        origin = _origin_in_traceback(err) or type(err).__name__
    if origin == "database" and database_url:
        origin = f"database {_safe_url(database_url)}"
    return f"{origin}: {text}"


def _origin_in_traceback(err: BaseException) -> str | None:
    """The platform whose code raised a plain network error (aiohttp, httpx, OSError): the deepest frame tells."""
    found = None
    tb = err.__traceback__
    while tb is not None:
        module = str(tb.tb_frame.f_globals.get("__name__", ""))
        root = module.split(".")[0]
        parts = module.split(".")
        if parts[0] == "bot" and len(parts) > 1 and registry.adapter(parts[1]) is not None:
            root = parts[1]
        found = (root if registry.adapter(root) is not None else _ORIGINS.get(root)) or found
        tb = tb.tb_next
    return found


def _safe_url(url: str) -> str:
    """A database URL without its password."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # not a URL SQLAlchemy can read: say nothing more than the scheme
        return url.split(":", 1)[0]


def settings_problem(err: Exception) -> str:
    """One line for invalid settings: each bad variable and what is wrong with it."""
    if isinstance(err, ValidationError):
        parts = [f"{'.'.join(str(p) for p in e['loc']).upper() or 'settings'}: {e['msg']}" for e in err.errors()]
        return "invalid settings: " + "; ".join(parts)
    return str(err)


def _command(cmd: str, args: argparse.Namespace, settings: Settings, *, migrate: bool,
             fixed_now: datetime | None) -> int:
    if cmd == "migrate":
        return _migrate(settings)
    _share_public_url(settings)
    engine = prepare(settings, migrate=migrate or cmd == "console")
    if cmd == "dispatch":
        from bot.dispatch_cli import dispatch_once

        return dispatch_once(settings, engine, now=args.now, dry_run=args.dry_run)
    core = make_core(settings, engine, now=fixed_now)
    if cmd == "console" or not registry.front_doors(settings):
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


def _migrate(settings: Settings) -> int:
    """`contractbot migrate`: upgrade the schema (under the PostgreSQL advisory lock) and say what was done."""
    from storage.db import make_engine, upgrade

    _share_public_url(settings)
    engine = make_engine(settings.database_url)
    done = upgrade(engine)
    where = engine.url.render_as_string(hide_password=True)
    if done.changed:
        print(f"schema upgraded from {done.before or 'empty'} to {done.after}: {where}")
    else:
        print(f"schema up to date at {done.after}: {where}")
    engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
