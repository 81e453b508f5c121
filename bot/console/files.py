"""Pictures and documents of console replies, saved as files in the reports folder (a terminal cannot show them)."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

from handlers.replies import Document, Image

T = TypeVar("T", Image, Document)

log = logging.getLogger(__name__)

_UNSAFE = re.compile(r"[^\w.-]+")  # \w keeps CJK letters: a contract number or title may be Chinese
_SUFFIX = re.compile(r"^\.[A-Za-z0-9]{1,10}$")
MAX_SUFFIX = 10_000


def safe_name(filename: str) -> str:
    """A file name without folders or odd characters, ending in .png (the core's names are trusted less)."""
    stem = Path(filename.replace("\\", "/")).name
    stem = _UNSAFE.sub("-", stem.removesuffix(".png")).strip(".-") or "chart"
    return f"{stem[:100]}.png"


def safe_document_name(filename: str) -> str:
    """The same for a document, keeping its own extension (``ledger 2027.xlsx`` -> ``ledger-2027.xlsx``)."""
    name = Path(filename.replace("\\", "/")).name
    suffix = Path(name).suffix
    if not _SUFFIX.match(suffix):
        suffix = ""
    stem = _UNSAFE.sub("-", name[: len(name) - len(suffix)]).strip(".-") or "file"
    return f"{stem[:100]}{suffix.lower()}"


def save_bytes(data: bytes, name: str, folder: Path) -> Path:
    """Write ``data`` as ``folder/name`` (folder created when missing); an existing file gets a -1, -2 … sibling."""
    folder.mkdir(parents=True, exist_ok=True)
    target = Path(name)
    for n in range(MAX_SUFFIX):
        path = folder / (target.name if n == 0 else f"{target.stem}-{n}{target.suffix}")
        try:
            # "x" creates or fails: never overwrites, even when the reminder thread saves at the same time
            with path.open("xb") as out:
                out.write(data)
        except FileExistsError:
            continue
        return path
    raise FileExistsError(f"{folder / target} and {MAX_SUFFIX} numbered copies exist")


def save_image(image: Image, folder: Path) -> Path:
    """Write one picture into ``folder`` as PNG, never over an existing file."""
    return save_bytes(image.data, safe_name(image.filename), folder)


def save_document(document: Document, folder: Path) -> Path:
    """Write one document into ``folder`` under its own (cleaned) name, never over an existing file."""
    return save_bytes(document.data, safe_document_name(document.filename), folder)


def save_images(images: Sequence[Image], folder: Path | str) -> list[Path]:
    """Save each picture; one that cannot be written is logged and left out (the text is shown anyway)."""
    return _save_each(images, folder, save_image, "chart")


def save_documents(documents: Sequence[Document], folder: Path | str) -> list[Path]:
    """Save each document; one that cannot be written is logged and left out (the text is shown anyway)."""
    return _save_each(documents, folder, save_document, "file")


def _save_each(items: Sequence[T], folder: Path | str, save: Callable[[T, Path], Path], what: str) -> list[Path]:
    saved: list[Path] = []
    for item in items:
        try:
            saved.append(save(item, Path(folder)))
        except OSError as exc:
            log.warning("could not save %s %s in %s: %s", what, getattr(item, "filename", "?"), folder, exc)
    return saved
