"""The pages of reminder e-mails' links, on the bot's web server: ``GET`` shows, ``POST`` acts.

Mail scanners and link previews fetch every link in a message, so a GET never acts: it shows what the link would
do and a button; the button POSTs to the same address and that does it, once. A link with a wrong signature, or
one that names no stored link, gets the same 404 (same body, same headers).
"""

from __future__ import annotations

import asyncio
import html
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace

from aiohttp import web

from bot.email.links import PATH, LinkSigner
from handlers.core import Core
from handlers.i18n import t
from handlers.replies import Reply, plain
from handlers.usecases.links import LinkResult
from scheduler.notify import Notifier

log = logging.getLogger(__name__)

_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",  # the token must not leak to whatever the page links to
    "X-Robots-Tag": "noindex, nofollow",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
                               "frame-ancestors 'none'; base-uri 'none'",
}
# what following a link did -> the HTTP status of its page
_STATUS = {"done": 200, "asked": 200, "used": 409, "expired": 410, "refused": 403, "failed": 500}


def not_found() -> web.Response:
    """The one 404 of a link: identical for a forged signature and an unknown token."""
    return web.Response(status=404, text="Not found\n", headers=_HEADERS)


def page(lang: str, title: str, lines: Sequence[str] = (), button: str | None = None, *, status: int = 200,
         error: bool = False) -> web.Response:
    """A small self-contained HTML page: a heading, a few lines, and maybe the button that POSTs."""
    e = html.escape
    body = [f'<h1 style="font-size:20px;color:{"#b00020" if error else "#222"}">{e(title)}</h1>']
    body += [f"<p>{e(line)}</p>" for line in lines if line]
    if button:
        body.append('<form method="post"><button type="submit" style="font-size:16px;padding:10px 20px;'
                    f'border:0;border-radius:4px;background:#2e7d32;color:#fff;cursor:pointer">{e(button)}</button>'
                    "</form>")
    text = (f'<!DOCTYPE html><html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{e(t('mail.page.title', lang))}</title></head>"
            '<body style="font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;max-width:36em;'
            'margin:2em auto;padding:0 1em;color:#222">' + "".join(body) + "</body></html>\n")
    return web.Response(status=status, text=text, content_type="text/html", charset="utf-8", headers=_HEADERS)


def _reply_lines(reply: Reply) -> list[str]:
    return ([f"{f.label}: {plain(f.value)}" for f in reply.fields] + [plain(line) for line in reply.lines]
            + list(reply.context))


def edit_chat_copies(notifiers: Mapping[str, Notifier], result: LinkResult) -> int:
    """Have the team's chat platform rewrite its copies of the reminder (best effort; the action is saved).

    Runs in a worker thread, as notifiers block. Returns how many messages were edited.
    """
    notifier = notifiers.get(result.platform)
    if notifier is None:
        return 0
    edited = 0
    for reply in result.edits:
        for ref in reply.replaces:
            try:
                notifier.update(ref, replace(reply, replaces=()), tenant_key=result.tenant_key)
                edited += 1
            except Exception:  # an old message may be gone or no longer editable: the page still answers
                log.warning("could not edit the chat copy %s after an e-mail link", ref, exc_info=True)
    return edited


def routes(core: Core, signer: LinkSigner, platform: str,
           notifiers: Callable[[], Mapping[str, Notifier]] = dict) -> list[web.RouteDef]:
    """GET and POST of ``/mail/{link}``; the database work runs in worker threads."""

    async def show(request: web.Request) -> web.Response:
        token = signer.verify(request.match_info.get("link", ""))
        if token is None:
            return not_found()
        view = await asyncio.to_thread(core.link, token)
        if view is None:
            return not_found()
        return page(view.lang, view.title, view.lines, view.button, status=410 if view.status == "expired" else 200,
                    error=view.status != "ready")

    async def act(request: web.Request) -> web.Response:
        token = signer.verify(request.match_info.get("link", ""))
        if token is None:
            return not_found()
        result = await asyncio.to_thread(core.follow_link, token, platform=platform)
        if result is None:
            return not_found()
        if result.edits:
            await asyncio.to_thread(edit_chat_copies, notifiers(), result)
        first, *rest = result.replies or [Reply(title=t("mail.page.done", result.lang), lang=result.lang)]
        lines = _reply_lines(first) + [line for r in rest for line in [r.title or "", *_reply_lines(r)]]
        return page(result.lang, first.title or t("mail.page.done", result.lang), lines,
                    status=_STATUS.get(result.status, 200), error=result.status not in ("done", "asked"))

    return [web.get(PATH, show, allow_head=False), web.post(PATH, act)]
