"""Every sentence exists in English and Chinese, with the same placeholders in both."""

from __future__ import annotations

import string

import pytest

from handlers.i18n import LANGS, MESSAGES


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("key", sorted(MESSAGES))
def test_every_key_has_both_languages_with_the_same_placeholders(key: str) -> None:
    texts = MESSAGES[key]
    assert set(texts) >= set(LANGS), f"{key} lacks {set(LANGS) - set(texts)}"
    assert all(texts[lang].strip() for lang in LANGS), key
    assert _fields(texts["en"]) == _fields(texts["zh"]), key
