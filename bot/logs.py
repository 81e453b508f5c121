"""Logging for operators: one JSON object per line by default (LOG_FORMAT=text for humans), to stderr.

What goes out at INFO, and only this: one line per command (``handlers.metrics``: tenant id, verb, outcome,
latency_ms, platform) and one per dispatch pass (``scheduler.dispatch``). Never the text
people typed or an amount: those only appear with a traceback at ERROR, or at DEBUG.

Levels: LOG_LEVEL when it is set; otherwise INFO for ``run``, ``dispatch`` and ``migrate``, and WARNING for the
console, whose stdout is the chat and whose stderr shares the terminal. Libraries stay at WARNING unless
LOG_LEVEL=DEBUG: httpx logs every request URL at INFO, and Telegram's URLs carry the bot token.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# Other people's loggers that are chatty at INFO (request lines, job runs, "Running upgrade ...")
QUIET = ("httpx", "httpcore", "apscheduler", "aiohttp.access", "alembic", "slack_bolt", "slack_sdk", "telegram",
         "urllib3", "matplotlib", "PIL")

# Every attribute a plain LogRecord has: what is left on a record beyond these came in through ``extra=``
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime", "taskName"}


class LogSettings(BaseSettings):
    """LOG_FORMAT and LOG_LEVEL (None: the default of the mode, see the module docstring).

    Read apart from bot.config.Settings so that "not set" can be told from "set to WARNING".
    """

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore", env_ignore_empty=True)

    log_format: Literal["json", "text"] | None = None
    log_level: str | None = None

    @field_validator("log_format", "log_level", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        """LOG_LEVEL= (empty, as .env.example has it) means the mode's default."""
        if isinstance(value, str):
            value = value.strip().lower()
            return value or None
        return value


def fields_of(record: logging.LogRecord) -> dict[str, Any]:
    """The structured fields a record was logged with (``extra=``)."""
    return {k: v for k, v in vars(record).items() if k not in _STANDARD and not k.startswith("_")}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ts, level, logger, msg, the record's extra fields, and exc when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key, value in fields_of(record).items():
            line.setdefault(key, value)
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        elif record.exc_text:
            line["exc"] = record.exc_text
        if record.stack_info:
            line["stack"] = self.formatStack(record.stack_info)
        return json.dumps(line, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """``time LEVEL logger: message key=value ...`` for people reading a terminal."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def formatMessage(self, record: logging.LogRecord) -> str:  # noqa: N802 (logging's name)
        text = super().formatMessage(record)
        extra = fields_of(record)
        if extra:
            text += " " + " ".join(f"{k}={v}" for k, v in extra.items())
        return text


class _Stderr(logging.StreamHandler):  # type: ignore[type-arg]
    """A handler that writes to whatever sys.stderr is at the time (pytest's capture swaps it)."""

    def __init__(self) -> None:
        super().__init__()

    @property  # type: ignore[override]
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, _value: Any) -> None:
        pass


def resolve(mode: str, settings: LogSettings | None = None) -> tuple[int, str]:
    """The (level, format) for a command: LOG_LEVEL / LOG_FORMAT when set, else the mode's defaults."""
    settings = settings or LogSettings()
    console = mode == "console"
    name = (settings.log_level or ("warning" if console else "info")).upper()
    level = logging.getLevelName(name)
    if not isinstance(level, int):
        raise ValueError(f"LOG_LEVEL={settings.log_level!r} is not one of DEBUG, INFO, WARNING, ERROR, CRITICAL")
    return level, settings.log_format or ("text" if console else "json")


@contextmanager
def configured(mode: str, settings: LogSettings | None = None) -> Iterator[int]:
    """Send log records to stderr as ``mode`` wants them, for the duration of the block; yield the level.

    The root logger gets one handler of ours (earlier ones of ours are replaced) and the level; both are put
    back afterwards, so running the CLI inside a test leaves logging as it found it.
    """
    level, fmt = resolve(mode, settings)
    root = logging.getLogger()
    old_level = root.level
    old_quiet = {name: logging.getLogger(name).level for name in QUIET}
    handler = install(level, fmt)
    try:
        yield level
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
        for name, value in old_quiet.items():
            logging.getLogger(name).setLevel(value)


def install(level: int, fmt: str) -> logging.Handler:
    """Put our stderr handler on the root logger at ``level`` in ``fmt`` (json | text); return it."""
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "_contractbot", False)]:
        root.removeHandler(old)
    handler = _Stderr()
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    handler._contractbot = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)
    for name in QUIET:
        logging.getLogger(name).setLevel(level if level <= logging.DEBUG else max(level, logging.WARNING))
    return handler
