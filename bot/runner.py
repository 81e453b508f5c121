"""`contractbot run`: every configured platform, the dispatch pass and the digests in one asyncio loop."""

from __future__ import annotations

import asyncio
import logging
import signal
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy.engine import Engine

from bot.config import Settings
from bot.console.notifier import ConsoleNotifier
from bot.http import HttpServer
from bot.platform import Platform
from handlers.core import Core
from handlers.digest import DigestComposer
from handlers.reminders import ReminderComposer
from handlers.usecases.renewals import advance_contracts
from scheduler.digests import run_digests
from scheduler.dispatch import Dispatcher
from scheduler.notify import Notifier
from scheduler.throttle import Throttle

log = logging.getLogger(__name__)


def create_platforms(settings: Settings, core: Core) -> list[Platform]:
    """The platforms whose settings are present."""
    platforms: list[Platform] = []
    if settings.slack_enabled:
        from bot.slack.platform import create as create_slack

        platforms.append(create_slack(settings, core))
    if settings.telegram_enabled:
        from bot.telegram.platform import create as create_telegram

        platforms.append(create_telegram(settings, core))
    return platforms


def build_scheduler(engine: Engine, notifiers: dict[str, Notifier], settings: Settings) -> AsyncIOScheduler:
    """APScheduler only triggers work: the dispatch pass on an interval, digests on a cron.

    Nothing is stored inside APScheduler (its job store is memory); the reminders live in the database.
    """
    dispatcher = Dispatcher(engine, notifiers=notifiers, composer=ReminderComposer(), throttle=Throttle())
    digests = DigestComposer()

    async def dispatch_tick() -> None:
        result = await asyncio.to_thread(dispatcher.run_pass, datetime.now(UTC))
        if result.sent or result.failed or result.retried:
            log.info("dispatch: sent %d failed %d retried %d", result.sent, result.failed, result.retried)

    async def digest_tick() -> None:
        await asyncio.to_thread(run_digests, engine, notifiers, digests, datetime.now(UTC))

    def lifecycle() -> None:
        for out in advance_contracts(engine, datetime.now(UTC)):
            notifier = notifiers.get(out.target.platform)
            if notifier is not None:
                try:
                    notifier.send(out)
                except Exception:  # an announcement is best effort; the renewal itself is already saved
                    log.exception("could not announce an automatic renewal")

    async def lifecycle_tick() -> None:
        await asyncio.to_thread(lifecycle)

    sched = AsyncIOScheduler(timezone="UTC")
    sched.add_job(dispatch_tick, "interval", seconds=settings.dispatch_interval_seconds, id="dispatch",
                  max_instances=1, coalesce=True, next_run_time=datetime.now(UTC))
    sched.add_job(digest_tick, "cron", minute="*/5", id="digests", max_instances=1, coalesce=True)
    sched.add_job(lifecycle_tick, "cron", minute=7, id="lifecycle", max_instances=1, coalesce=True,
                  next_run_time=datetime.now(UTC))
    return sched


async def serve(settings: Settings, engine: Engine, core: Core, stop: asyncio.Event | None = None) -> None:
    """Start everything, run until stopped, then shut down in reverse order."""
    platforms = create_platforms(settings, core)
    notifiers: dict[str, Notifier] = {"console": ConsoleNotifier(reports_dir=settings.reports_dir)}
    notifiers.update({p.name: p.notifier for p in platforms})
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stop.set)
        except (NotImplementedError, RuntimeError):  # not in the main thread (tests)
            pass
    started: list[Platform] = []
    sched = build_scheduler(engine, notifiers, settings)
    http: HttpServer | None = None
    try:
        for p in platforms:
            await p.start()
            started.append(p)
            print(f"{p.name}: running")
        http = await start_http(settings, engine)
        sched.start()
        await stop.wait()
    finally:
        if sched.running:
            sched.shutdown(wait=False)
        if http is not None:
            await http.stop()
        for p in reversed(started):
            await p.stop()


async def start_http(settings: Settings, engine: Engine) -> HttpServer | None:
    """The calendar-feed web server when a port is set; a taken port is logged and the bot runs without it."""
    if not settings.http_enabled:
        return None
    server = HttpServer(engine, host=settings.http_host, port=settings.http_port or 0)
    try:
        await server.start()
    except OSError as exc:  # the chat platforms matter more than the feeds: keep running, say why loudly
        log.error("calendar feeds are off: cannot listen on %s:%s (%s); set CONTRACTBOT_HTTP_PORT",
                  settings.http_host, settings.http_port, exc)
        return None
    print(f"calendar feeds: {settings.public_url.rstrip('/')}/calendar/<token>.ics (listening on port {server.port})")
    return server


def run_platforms(settings: Settings, engine: Engine, core: Core) -> int:
    """Blocking entry for `contractbot run`."""
    asyncio.run(serve(settings, engine, core))
    return 0
