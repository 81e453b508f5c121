"""The bot's one web server, on PORT: platform routes, calendar feeds, ``/healthz`` and ``/metrics``.

Platforms mount their own routes on it before it starts (``add_routes``): Slack's ``/slack/events`` in HTTP
mode, the Telegram webhook in webhook mode. This module serves the rest:

- ``GET /calendar/<token>.ics``: a feed URL is a bearer secret, so a wrong, malformed or revoked token gets
  the same 404 (same body, same headers); the access log is off (it would write every token into the logs);
  responses say no-referrer and noindex and may be cached privately for a few minutes only;
- ``GET /healthz``: 200 when the database answers ``SELECT 1``, else 503; JSON with the package version and
  the schema revision (the database's against the newest migration shipped);
- ``GET /metrics``: Prometheus text format of the default registry (bot.metrics adds the backlog gauges).

The database is read in worker threads (asyncio.to_thread) with plain, read-only connections.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from importlib import metadata
from typing import Any

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot import metrics
from handlers.ledger.calendar import MIME, TOKEN_RE, feed_for_token

log = logging.getLogger(__name__)

NOT_FOUND = "Not found\n"
_PRIVATE = {"Referrer-Policy": "no-referrer", "X-Robots-Tag": "noindex, nofollow", "X-Content-Type-Options": "nosniff"}
ENGINE: web.AppKey[Engine] = web.AppKey("engine", Engine)
CLOCK: web.AppKey[Callable[[], datetime]] = web.AppKey("clock", Callable[[], datetime])  # type: ignore[arg-type]
HEALTH_TIMEOUT = 3.0  # seconds the database gets to answer a health check
SHUTDOWN_TIMEOUT = 1.0  # seconds requests in flight get when the server stops (storing an update takes ms)


def _now() -> datetime:
    return datetime.now(UTC)


def create_app(engine: Engine, *, clock: Callable[[], datetime] = _now) -> web.Application:
    """The web application with the bot's own routes (platforms add theirs before it starts)."""
    app = web.Application()
    app[ENGINE] = engine
    app[CLOCK] = clock
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", prometheus)
    app.router.add_get("/calendar/{token}.ics", calendar_feed)
    metrics.watch(engine)
    return app


# -- health -------------------------------------------------------------------------------------------------


@functools.cache
def version() -> str:
    """The installed package's version (``unknown`` when running from a source tree that is not installed)."""
    try:
        return metadata.version("contractbot")
    except metadata.PackageNotFoundError:
        return "unknown"


@functools.cache
def migration_head() -> str:
    """The newest schema revision this code ships (Alembic's script head)."""
    from alembic.script import ScriptDirectory

    from storage.db import MIGRATIONS

    return ",".join(sorted(ScriptDirectory(str(MIGRATIONS)).get_heads()))


def probe(engine: Engine) -> str:
    """``SELECT 1`` and the database's schema revision(s); raises when the database does not answer."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))
        return ",".join(sorted(MigrationContext.configure(conn).get_current_heads()))


async def healthz(request: web.Request) -> web.Response:
    """200 when the database answers, 503 when it does not; the version and the migration state either way."""
    engine = request.app[ENGINE]
    head = await asyncio.to_thread(migration_head)
    body: dict[str, Any] = {"version": version()}
    try:
        current = await asyncio.wait_for(asyncio.to_thread(probe, engine), HEALTH_TIMEOUT)
    except Exception as exc:  # refused, timed out, no such file: the process is up but cannot work
        log.warning("health check: the database does not answer: %s", exc)
        body.update(status="unavailable", database="unreachable", migration={"current": None, "head": head})
        return web.json_response(body, status=503, headers={"Cache-Control": "no-store"})
    body.update(status="ok", database="ok",
                migration={"current": current or None, "head": head, "up_to_date": current == head})
    return web.json_response(body, headers={"Cache-Control": "no-store"})


async def prometheus(request: web.Request) -> web.Response:
    """Every metric of the default registry in Prometheus text format (the backlog gauges read the database)."""
    body = await asyncio.to_thread(generate_latest, REGISTRY)
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST, "Cache-Control": "no-store"})


# -- calendar feeds -----------------------------------------------------------------------------------------


def not_found() -> web.Response:
    """The one 404 of a feed: identical for an unknown and a revoked token."""
    return web.Response(status=404, text=NOT_FOUND, headers=_PRIVATE)


def _read_feed(engine: Engine, token: str, now: datetime) -> bytes | None:
    with Session(engine) as session:  # deferred BEGIN: a reader never holds SQLite's write lock
        return feed_for_token(session, token=token, now=now)


async def calendar_feed(request: web.Request) -> web.Response:
    """The iCalendar feed a token opens."""
    token = request.match_info.get("token", "")
    if not TOKEN_RE.fullmatch(token):
        return not_found()
    body = await asyncio.to_thread(_read_feed, request.app[ENGINE], token, request.app[CLOCK]())
    if body is None:
        return not_found()
    return web.Response(body=body, content_type=MIME, charset="utf-8",
                        headers={**_PRIVATE, "Cache-Control": "private, max-age=300",
                                 "Content-Disposition": 'inline; filename="contractbot.ics"'})


# -- the server ---------------------------------------------------------------------------------------------


class HttpServer:
    """The web application on a TCP port, started and stopped with the rest of `contractbot run`."""

    def __init__(self, engine: Engine, *, host: str = "0.0.0.0", port: int = 3000,
                 clock: Callable[[], datetime] = _now) -> None:
        self.app = create_app(engine, clock=clock)
        self.host, self.port = host, port
        self.runner: web.AppRunner | None = None

    async def start(self) -> None:
        """Listen; raises OSError when the port is taken. Routes can no longer be added after this."""
        runner = web.AppRunner(self.app, access_log=None, shutdown_timeout=SHUTDOWN_TIMEOUT)  # never log paths
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port)
        try:
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self.runner = runner
        if self.port == 0:  # an ephemeral port (tests): remember which one we got
            self.port = int(runner.addresses[0][1])

    async def stop(self) -> None:
        """Stop listening and give the requests in flight a moment to finish."""
        if self.runner is not None:
            await self.runner.cleanup()
            self.runner = None
