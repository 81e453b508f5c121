"""Plain-text rendering of replies for the console."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from bot.console.files import save_images
from handlers.i18n import t
from handlers.replies import Reply, reply_text

CHART_LABEL = {"en": "Chart: ", "zh": "图表："}


def render(reply: Reply) -> str:
    """A reply as console text; buttons become the commands that do the same."""
    text = reply_text(reply)
    if reply.actions:
        lines = [f"  · {a.command or a.label}" for a in reply.actions]
        text += "\n" + t("console.actions", reply.lang) + "\n" + "\n".join(lines)
    return text


def chart_lines(paths: Sequence[Path], lang: str) -> str:
    """One line per saved picture: ``Chart: reports/money-2027-01.png`` (``图表：…`` in Chinese)."""
    label = CHART_LABEL.get(lang, CHART_LABEL["en"])
    return "\n".join(f"{label}{path}" for path in paths)


def render_saving(reply: Reply, reports_dir: Path | str) -> str:
    """A reply as console text, its pictures saved into ``reports_dir`` and their paths listed after the text."""
    text = render(reply)
    if reply.images:
        saved = chart_lines(save_images(reply.images, reports_dir), reply.lang)
        if saved:
            text += "\n" + saved
    return text
