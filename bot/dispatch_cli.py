"""`contractbot dispatch`: one reminder pass for cron-style deployments, or a dry run at a chosen moment."""

from __future__ import annotations

import sys
from datetime import UTC, datetime

from sqlalchemy.engine import Engine

from bot.config import Settings
from bot.console.render import render
from handlers.reminders import ReminderComposer
from scheduler.dispatch import Dispatcher
from scheduler.notify import Notifier
from scheduler.throttle import Throttle


def parse_now(text: str | None) -> datetime:
    """An ISO datetime (UTC when it has no offset), or the current instant."""
    if not text:
        return datetime.now(UTC)
    value = datetime.fromisoformat(text)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def notifiers_for(settings: Settings, engine: Engine) -> dict[str, Notifier]:
    """Sync notifiers for every platform configured (the console always), from the registry."""
    from bot.registry import notifiers

    return notifiers(settings, engine)


def dispatch_once(settings: Settings, engine: Engine, *, now: str | None, dry_run: bool) -> int:
    """Run one pass (or a preview) and print what happened."""
    at = parse_now(now)
    notifiers = notifiers_for(settings, engine)
    dispatcher = Dispatcher(engine, notifiers=notifiers, composer=ReminderComposer(reachable=notifiers),
                            throttle=Throttle())
    if dry_run:
        result = dispatcher.preview(at)
        for stage, outs in result.previews:
            for out in outs:
                where = out.target.chat_id or f"DM {out.target.user_id}"
                charts = "".join(f"\n(chart, not saved in a dry run: {image.filename})"
                                 for image in getattr(out.message, "images", None) or [])
                print(f"── would send [{stage}] to {out.target.platform}:{where} ──\n{render(out.message)}{charts}\n")
        print(f"dry run at {at.isoformat()}: {len(result.previews)} reminder(s) due", file=sys.stderr)
        return 0
    result = dispatcher.run_pass(at)
    print(f"dispatch at {at.isoformat()}: sent {result.sent}, skipped {result.skipped}, retried {result.retried}, "
          f"failed {result.failed}, cancelled {result.cancelled}", file=sys.stderr)
    return 0
