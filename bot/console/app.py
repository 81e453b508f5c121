"""Read commands line by line from stdin and print the replies."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TextIO

from bot.console.imports import read_line
from bot.console.render import render_saving
from handlers.core import Core
from handlers.messages import Attachment, IncomingMessage, Sender


def console_message(text: str, *, user: str, chat: str, lang: str | None, tz: str | None,
                    attachments: tuple[Attachment, ...] = ()) -> IncomingMessage:
    """A console line as a neutral message: the chat is the team, the user name is the person."""
    return IncomingMessage(
        platform="console",
        tenant_key=chat,
        tenant_name=chat,
        text=text,
        sender=Sender(user_id=user, handle=user, display_name=user, language=lang, timezone=tz),
        chat_id=chat,
        chat_type="group",
        attachments=attachments,
    )


def run_console(
    core: Core,
    *,
    user: str,
    chat: str,
    lang: str | None = None,
    tz: str | None = None,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
    reports_dir: Path | str = "reports",
) -> int:
    """Serve one console chat until end of input; charts and exported files are saved in ``reports_dir``.

    ``import PATH`` reads the file and sends it along; a path that cannot be read is answered here.
    """
    inp = stdin or sys.stdin
    out = stdout or sys.stdout
    interactive = inp.isatty()
    if interactive:
        out.write(f"ContractBot console · team “{chat}” · you are @{user}. Type help / 帮助, Ctrl-D to quit.\n")
    while True:
        if interactive:
            out.write("> ")
            out.flush()
        line = inp.readline()
        if not line:
            break
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        if text.lower() in ("quit", "exit", "退出"):
            break
        typed = read_line(text)
        if typed.error is not None:
            out.write(typed.error + "\n\n")
            out.flush()
            continue
        incoming = console_message(typed.text, user=user, chat=chat, lang=lang, tz=tz,
                                   attachments=typed.attachments)
        for reply in core.handle(incoming):
            if reply.replaces:
                continue  # edits of earlier reminder messages: a terminal cannot edit what it printed
            out.write(render_saving(reply, reports_dir) + "\n\n")
        out.flush()
    return 0
