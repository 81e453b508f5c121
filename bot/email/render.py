"""A reply as an e-mail: multipart/alternative, plain text and HTML, UTF-8, in the reply's language.

Everything users typed (contract titles, counterparties, notes, names) is escaped in the HTML part; header values
never carry a line break (no header injection through a milestone's name).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from datetime import datetime
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid

from handlers.i18n import t
from handlers.replies import Action, Reply, plain

_BREAKS = re.compile(r"[\r\n\t\x00-\x1f\x7f]+")
_SUBJECT_MAX = 200


def header_value(text: str) -> str:
    """One header line: control characters and line breaks become spaces."""
    return _BREAKS.sub(" ", text).strip()


def subject(reply: Reply) -> str:
    """The subject: the reply's title (its first line), cut to a readable length."""
    title = header_value((reply.title or "ContractBot").split("\n", 1)[0])
    return title if len(title) <= _SUBJECT_MAX else title[: _SUBJECT_MAX - 1] + "…"


def _linked(reply: Reply) -> list[Action]:
    return [a for a in reply.actions if a.key]


def text_part(reply: Reply, link: Callable[[str], str]) -> str:
    """The plain-text body: title, fields, lines, the links with their labels, what to type instead, the footer."""
    out: list[str] = [reply.title or "", ""]
    out += [f"  {f.label}: {plain(f.value)}" for f in reply.fields]
    out += [plain(line) for line in reply.lines]
    actions = _linked(reply)
    if actions:
        out.append("")
        out += [f"{a.label}: {link(a.key)}" for a in actions]
        typed = [a.command for a in actions if a.command]
        if typed:
            out += ["", t("mail.or_type", reply.lang)] + [f"  {command}" for command in typed]
    if reply.context:
        out += ["", "-- "] + reply.context
    return "\n".join(out).strip("\n") + "\n"


def html_part(reply: Reply, link: Callable[[str], str]) -> str:
    """The HTML body: the same content, every user-typed word escaped, no scripts, no remote images."""
    e = html.escape
    lang = "zh-CN" if reply.lang == "zh" else "en"
    rows = "".join(
        f'<tr><th align="left" style="padding:2px 12px 2px 0;color:#555;font-weight:normal">{e(f.label)}</th>'
        f'<td style="padding:2px 0">{e(plain(f.value))}</td></tr>' for f in reply.fields)
    body = [f'<h2 style="font-size:18px;margin:0 0 12px">{e(reply.title or "")}</h2>']
    if rows:
        body.append(f'<table role="presentation" style="border-collapse:collapse;margin-bottom:12px">{rows}</table>')
    body += [f"<p>{e(plain(line))}</p>" for line in reply.lines]
    actions = _linked(reply)
    if actions:
        buttons = " ".join(
            f'<a href="{e(link(a.key), quote=True)}" style="display:inline-block;padding:8px 16px;margin:4px 8px 4px 0;'
            f'border-radius:4px;text-decoration:none;color:#fff;background:{"#2e7d32" if a.style else "#555"}">'
            f"{e(a.label)}</a>" for a in actions)
        body.append(f"<p>{buttons}</p>")
        typed = [a.command for a in actions if a.command]
        if typed:
            codes = " · ".join(f"<code>{e(c)}</code>" for c in typed)
            body.append(f'<p style="color:#555">{e(t("mail.or_type", reply.lang))} {codes}</p>')
    if reply.context:
        foot = "<br>".join(e(line) for line in reply.context)
        body.append(f'<hr style="border:none;border-top:1px solid #ddd"><p style="color:#777;font-size:12px">{foot}</p>')
    return (f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>{e(subject(reply))}</title></head>'
            f'<body style="font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;font-size:14px;color:#222">'
            + "".join(body) + "</body></html>\n")


def build(reply: Reply, *, to: str, sender: str, link: Callable[[str], str], now: datetime,
          domain: str) -> EmailMessage:
    """The whole message, headers included; its Message-ID is what the dispatch pass records."""
    msg = EmailMessage(policy=SMTP)
    msg["Subject"] = subject(reply)
    msg["From"] = header_value(sender)
    msg["To"] = header_value(to)
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = make_msgid(domain=domain)
    msg["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies to a reminder
    msg.set_content(text_part(reply, link), charset="utf-8")
    msg.add_alternative(html_part(reply, link), subtype="html", charset="utf-8")
    msg["Content-Language"] = "zh-CN" if reply.lang == "zh" else "en"  # after set_content, which drops Content-*
    return msg
