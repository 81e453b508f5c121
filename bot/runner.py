"""`contractbot run`: every configured platform, the web server, the dispatch pass and the digests in one loop.

Start-up: the web server first (one aiohttp server on PORT with every route: Slack's events, the Telegram
webhook, calendar feeds, /healthz, /metrics), then the platforms (their inbox workers, then polling, Socket
Mode or the webhook registration), then the scheduler.

Shutdown (SIGTERM, SIGINT): the scheduler stops triggering passes, the web server stops accepting (requests
in flight get a second to store their update), then every platform drains at once: the inbox rows in hand
finish, replies that can go without waiting go, and everything else stays in the database for the next
start; the whole of it within SHUTDOWN_GRACE_SECONDS (10 s by default).
"""

from __future__ import annotations

import asyncio
import logging
import signal
import weakref
from collections.abc import Sequence
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy.engine import Engine

from bot.config import Settings
from bot.http import HttpServer
from bot.platform import Platform, UsesNotifiers
from bot.registry import create_platforms
from bot.registry import notifiers as notifiers_for_run
from handlers.core import Core
from handlers.digest import DigestComposer
from handlers.reminders import ReminderComposer
from handlers.usecases.renewals import advance_contracts
from scheduler.digests import run_digests
from scheduler.dispatch import Dispatcher
from scheduler.notify import Notifier
from scheduler.throttle import Throttle
from storage.db import refresh_statistics

log = logging.getLogger(__name__)

HTTP_MARGIN = 1.5  # seconds of the shutdown grace kept for the web server and closing down


def build_scheduler(engine: Engine, notifiers: dict[str, Notifier], settings: Settings) -> AsyncIOScheduler:
    """APScheduler only triggers work: the dispatch pass on an interval, digests on a cron.

    Nothing is stored inside APScheduler (its job store is memory); the reminders live in the database.
    """
    dispatcher = Dispatcher(engine, notifiers=notifiers, composer=ReminderComposer(reachable=notifiers),
                            throttle=Throttle())
    digests = DigestComposer()

    async def dispatch_tick() -> None:
        running.add(asyncio.current_task())  # type: ignore[arg-type]
        result = await asyncio.to_thread(dispatcher.run_pass, datetime.now(UTC))
        if result.sent or result.failed or result.retried:
            log.info("dispatch: sent %d failed %d retried %d", result.sent, result.failed, result.retried)

    async def digest_tick() -> None:
        running.add(asyncio.current_task())  # type: ignore[arg-type]
        await asyncio.to_thread(run_digests, engine, notifiers, digests, datetime.now(UTC))

    def lifecycle() -> None:
        refresh_statistics(engine)
        for out in advance_contracts(engine, datetime.now(UTC)):
            notifier = notifiers.get(out.target.platform)
            if notifier is not None:
                try:
                    notifier.send(out)
                except Exception:  # an announcement is best effort; the renewal itself is already saved
                    log.exception("could not announce an automatic renewal")

    async def lifecycle_tick() -> None:
        running.add(asyncio.current_task())  # type: ignore[arg-type]
        await asyncio.to_thread(lifecycle)

    # the ticks in progress, so a shutdown lets them finish (a pass cut off at exit would log into a closing process)
    running: weakref.WeakSet[asyncio.Task[None]] = weakref.WeakSet()
    sched = AsyncIOScheduler(timezone="UTC")
    sched.add_job(dispatch_tick, "interval", seconds=settings.dispatch_interval_seconds, id="dispatch",
                  max_instances=1, coalesce=True, next_run_time=datetime.now(UTC))
    sched.add_job(digest_tick, "cron", minute="*/5", id="digests", max_instances=1, coalesce=True)
    sched.add_job(lifecycle_tick, "cron", minute=7, id="lifecycle", max_instances=1, coalesce=True,
                  next_run_time=datetime.now(UTC))
    sched.running_ticks = running  # type: ignore[attr-defined]
    return sched


async def stop_scheduler(sched: AsyncIOScheduler, timeout: float) -> None:
    """No new ticks; the ones in progress (a dispatch pass, digests) finish within ``timeout`` seconds."""
    if sched.running:
        sched.shutdown(wait=False)
    ticks = [t for t in getattr(sched, "running_ticks", ()) if not t.done()]
    if ticks:
        await asyncio.wait(ticks, timeout=timeout)


class Service:
    """The web server and the platforms, started and stopped together (``serve`` adds signals and the scheduler)."""

    def __init__(self, settings: Settings, engine: Engine, platforms: Sequence[Platform]) -> None:
        self.settings = settings
        self.platforms = list(platforms)
        self.http: HttpServer | None = HttpServer(engine, host=settings.http_host, port=settings.port)
        for p in self.platforms:
            p.add_routes(self.http.app)
        self.started: list[Platform] = []

    @property
    def port(self) -> int:
        """The port the web server listens on (the one it got, when PORT is 0)."""
        return self.http.port if self.http is not None else 0

    async def start(self) -> None:
        """Listen, then start each platform; a failure stops what already started and is raised."""
        try:
            await self._start_http()
            for p in self.platforms:
                await p.start()
                self.started.append(p)
                print(f"{p.name}: running", flush=True)
        except BaseException:
            await self.stop()
            raise

    async def _start_http(self) -> None:
        assert self.http is not None
        needed = [p.name for p in self.platforms if p.needs_http]
        try:
            await self.http.start()
        except OSError as exc:
            if needed:  # Slack's HTTP mode or the Telegram webhook cannot work without it
                raise
            # polling and Socket Mode work without it: keep running, say why loudly
            log.error("web server is off (calendar feeds, /healthz, /metrics): cannot listen on %s:%s (%s); "
                      "set PORT", self.settings.http_host, self.settings.port, exc)
            self.http = None
            return
        routes = ", ".join([r for p in self.platforms for r in p.routes]
                           + ["/calendar/<token>.ics", "/healthz", "/metrics"])
        print(f"web server: port {self.http.port} ({routes}); calendar feeds at "
              f"{self.settings.public_url.rstrip('/')}/calendar/<token>.ics", flush=True)

    async def stop(self, grace: float | None = None) -> None:
        """Stop accepting, then drain every started platform at once within ``grace`` seconds."""
        loop = asyncio.get_running_loop()
        grace = self.settings.shutdown_grace_seconds if grace is None else grace
        deadline = loop.time() + grace
        if self.http is not None:
            await self.http.stop()  # no new requests; the ones in flight had a second to store their update
            self.http = None
        started, self.started = self.started, []
        budget = max(0.5, deadline - loop.time() - HTTP_MARGIN)
        results = await asyncio.gather(*(p.stop(budget) for p in reversed(started)), return_exceptions=True)
        for p, result in zip(reversed(started), results, strict=True):
            if isinstance(result, BaseException):
                log.error("%s: did not stop cleanly", p.name, exc_info=result)

    async def idle(self, timeout: float = 10.0) -> None:
        """Wait until every platform has applied what it stored and sent what it can (tests)."""
        for p in self.started:
            await p.idle(timeout)


async def serve(settings: Settings, engine: Engine, core: Core, stop: asyncio.Event | None = None) -> None:
    """Start everything, run until stopped, then shut down in reverse order."""
    platforms = create_platforms(settings, core)
    notifiers = notifiers_for_run(settings, engine, platforms)
    for p in platforms:
        if isinstance(p, UsesNotifiers):
            p.use_notifiers(notifiers)
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stop.set)
        except (NotImplementedError, RuntimeError):  # not in the main thread (tests)
            pass
    service = Service(settings, engine, platforms)
    sched = build_scheduler(engine, notifiers, settings)
    try:
        await service.start()
        sched.start()
        await stop.wait()
    finally:
        # the platforms drain at the same time as the last ticks finish, all within the shutdown grace
        await asyncio.gather(stop_scheduler(sched, max(0.5, settings.shutdown_grace_seconds - HTTP_MARGIN)),
                             service.stop())


def run_platforms(settings: Settings, engine: Engine, core: Core) -> int:
    """Blocking entry for `contractbot run`."""
    asyncio.run(serve(settings, engine, core))
    return 0
