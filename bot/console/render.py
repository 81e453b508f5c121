"""Plain-text rendering of replies for the console."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from bot.console.files import save_documents, save_images
from handlers.i18n import t
from handlers.replies import Reply, reply_text

CHART_LABEL = {"en": "Chart: ", "zh": "图表："}
FILE_LABEL = {"en": "File: ", "zh": "文件："}


def render(reply: Reply) -> str:
    """A reply as console text; buttons become the commands that do the same."""
    text = reply_text(reply)
    if reply.actions:
        lines = [f"  · {a.command or a.label}" for a in reply.actions]
        text += "\n" + t("console.actions", reply.lang) + "\n" + "\n".join(lines)
    return text


def chart_lines(paths: Sequence[Path], lang: str, labels: dict[str, str] = CHART_LABEL) -> str:
    """One line per saved file: ``Chart: reports/money-2027-01.png`` (``图表：…`` in Chinese)."""
    label = labels.get(lang, labels["en"])
    return "\n".join(f"{label}{path}" for path in paths)


def render_saving(reply: Reply, reports_dir: Path | str) -> str:
    """A reply as console text, its pictures and documents saved into ``reports_dir``, their paths after the text.

    ``File: reports/ledger-2027-03-15.xlsx`` (``文件：…`` in Chinese); a file that cannot be written is logged
    and left out, and the text is printed anyway.
    """
    text = render(reply)
    saved = []
    if reply.images:
        saved.append(chart_lines(save_images(reply.images, reports_dir), reply.lang))
    if reply.documents:
        saved.append(chart_lines(save_documents(reply.documents, reports_dir), reply.lang, FILE_LABEL))
    for lines in saved:
        if lines:
            text += "\n" + lines
    return text
