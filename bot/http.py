"""The bot's small web server: calendar feeds at ``/calendar/<token>.ics`` and a health check at ``/healthz``.

A feed URL is a bearer secret, so:
- a wrong, malformed or revoked token gets the same 404 (same body, same headers): nothing tells them apart;
- the access log is off (it would write every token into the logs);
- responses say no-referrer and noindex, and may be cached privately for a few minutes only.
The database is read in a worker thread (asyncio.to_thread) with a plain, read-only session.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime

from aiohttp import web
from sqlalchemy.engine import Engine
from sqlmodel import Session

from handlers.ledger.calendar import MIME, TOKEN_RE, feed_for_token

log = logging.getLogger(__name__)

NOT_FOUND = "Not found\n"
_PRIVATE = {"Referrer-Policy": "no-referrer", "X-Robots-Tag": "noindex, nofollow", "X-Content-Type-Options": "nosniff"}
ENGINE: web.AppKey[Engine] = web.AppKey("engine", Engine)
CLOCK: web.AppKey[Callable[[], datetime]] = web.AppKey("clock", Callable[[], datetime])  # type: ignore[arg-type]


def _now() -> datetime:
    return datetime.now(UTC)


def create_app(engine: Engine, *, clock: Callable[[], datetime] = _now) -> web.Application:
    """The web application: its routes only (the server around it is ``HttpServer``)."""
    app = web.Application()
    app[ENGINE] = engine
    app[CLOCK] = clock
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/calendar/{token}.ics", calendar_feed)
    return app


async def healthz(request: web.Request) -> web.Response:
    """200 "ok" while the process serves requests."""
    return web.Response(text="ok\n")


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


class HttpServer:
    """The web application on a TCP port, started and stopped with the rest of `contractbot run`."""

    def __init__(self, engine: Engine, *, host: str = "0.0.0.0", port: int = 8080,
                 clock: Callable[[], datetime] = _now) -> None:
        self.app = create_app(engine, clock=clock)
        self.host, self.port = host, port
        self.runner: web.AppRunner | None = None

    async def start(self) -> None:
        """Listen; raises OSError when the port is taken."""
        runner = web.AppRunner(self.app, access_log=None)  # the path is a secret: never log it
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
        """Stop listening and finish the requests in flight."""
        if self.runner is not None:
            await self.runner.cleanup()
            self.runner = None
