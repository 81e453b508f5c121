"""Sentences of paged lists, in English and Chinese (merged into handlers.i18n)."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
}
