"""Pictures for adapter tests: a tiny valid PNG and a core that attaches it to its replies."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable
from typing import Any

import pytest

from handlers.replies import Image, Reply

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def tiny_png(rgb: tuple[int, int, int] = (31, 58, 95)) -> bytes:
    """A valid 1×1 RGB PNG (signature, IHDR, IDAT, IEND with their CRCs)."""
    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)  # width, height, bit depth 8, colour type RGB
    pixels = zlib.compress(b"\x00" + bytes(rgb))  # one scanline: filter byte 0, then the pixel
    return PNG_SIGNATURE + _chunk(b"IHDR", header) + _chunk(b"IDAT", pixels) + _chunk(b"IEND", b"")


PNG = tiny_png()


def chart(filename: str = "money-2027-01.png", title: str = "Money due vs received, 2026-12 to 2027-05 (CNY)",
          data: bytes = PNG) -> Image:
    """An Image as a report would carry it."""
    return Image(data=data, filename=filename, title=title)


def with_charts(handle: Callable[..., list[Reply]], *images: Image,
                when: Callable[[Reply], bool] = lambda r: True) -> Callable[..., list[Reply]]:
    """Wrap a core method so that every reply it returns (matching ``when``) carries ``images``."""
    pictures = list(images) or [chart()]

    def wrapped(*args: Any, **kwargs: Any) -> list[Reply]:
        replies = handle(*args, **kwargs)
        for reply in replies:
            if when(reply):
                reply.images = list(pictures)
        return replies

    return wrapped


def attach_charts(monkeypatch: pytest.MonkeyPatch, core: Any, *images: Image,
                  when: Callable[[Reply], bool] = lambda r: True) -> None:
    """Make ``core.handle`` (the real command path) answer with pictures, as a report will."""
    monkeypatch.setattr(core, "handle", with_charts(core.handle, *images, when=when))
