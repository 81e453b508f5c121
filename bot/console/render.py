"""Plain-text rendering of replies for the console."""

from __future__ import annotations

from handlers.i18n import t
from handlers.replies import Reply, reply_text


def render(reply: Reply) -> str:
    """A reply as console text; buttons become a hint line."""
    text = reply_text(reply)
    if reply.actions:
        buttons = " ".join(f"[{a.label}]" for a in reply.actions)
        text += "\n" + t("console.actions", reply.lang, buttons=buttons)
    return text
