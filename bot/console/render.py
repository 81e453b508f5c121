"""Plain-text rendering of replies for the console."""

from __future__ import annotations

from handlers.i18n import t
from handlers.replies import Reply, reply_text


def render(reply: Reply) -> str:
    """A reply as console text; buttons become the commands that do the same."""
    text = reply_text(reply)
    if reply.actions:
        lines = [f"  · {a.command or a.label}" for a in reply.actions]
        text += "\n" + t("console.actions", reply.lang) + "\n" + "\n".join(lines)
    return text
