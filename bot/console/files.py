"""Pictures of console replies, saved as PNG files in the reports folder (a terminal cannot show them)."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from pathlib import Path

from handlers.replies import Image

log = logging.getLogger(__name__)

_UNSAFE = re.compile(r"[^\w.-]+")  # \w keeps CJK letters: a contract number or title may be Chinese
MAX_SUFFIX = 10_000


def safe_name(filename: str) -> str:
    """A file name without folders or odd characters, ending in .png (the core's names are trusted less)."""
    stem = Path(filename.replace("\\", "/")).name
    stem = _UNSAFE.sub("-", stem.removesuffix(".png")).strip(".-") or "chart"
    return f"{stem[:100]}.png"


def save_image(image: Image, folder: Path) -> Path:
    """Write one picture into ``folder`` (created when missing); an existing file gets a -1, -2 … sibling."""
    folder.mkdir(parents=True, exist_ok=True)
    name = Path(safe_name(image.filename))
    for n in range(MAX_SUFFIX):
        path = folder / (name.name if n == 0 else f"{name.stem}-{n}{name.suffix}")
        try:
            # "x" creates or fails: never overwrites, even when the reminder thread saves at the same time
            with path.open("xb") as out:
                out.write(image.data)
        except FileExistsError:
            continue
        return path
    raise FileExistsError(f"{folder / name} and {MAX_SUFFIX} numbered copies exist")


def save_images(images: Sequence[Image], folder: Path | str) -> list[Path]:
    """Save each picture; one that cannot be written is logged and left out (the text is shown anyway)."""
    saved: list[Path] = []
    for image in images:
        try:
            saved.append(save_image(image, Path(folder)))
        except OSError as exc:
            log.warning("could not save chart %s in %s: %s", image.filename, folder, exc)
    return saved
