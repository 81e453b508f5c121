"""The command registry: every command has aliases in both languages, an example that reads, and a handler."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from handlers.commands import BY_VERB, REGISTRY, help_reply, parse, split_verb
from handlers.grammar import example_for
from handlers.replies import reply_text

NOW = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)


@pytest.mark.parametrize("spec", [s for s in REGISTRY if s.slots], ids=lambda s: s.verb)
def test_every_command_is_described_in_both_languages(spec) -> None:  # type: ignore[no-untyped-def]
    assert any(re.search(r"[A-Za-z]", a) for a in spec.aliases), spec.verb
    assert any(re.search(r"[\u4e00-\u9fff]", a) for a in spec.aliases), spec.verb
    assert set(spec.slots) == {"en", "zh"}


@pytest.mark.parametrize("spec", REGISTRY, ids=lambda s: s.verb)
def test_each_alias_reaches_its_command(spec) -> None:  # type: ignore[no-untyped-def]
    for alias in spec.aliases:
        assert split_verb(f"{alias} HT-1")[0] == spec.verb, alias


@pytest.mark.parametrize("verb", [s.verb for s in REGISTRY if s.slots and s.verb != "settings"])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_example_reads_as_its_command(verb: str, lang: str) -> None:
    parsed = parse(example_for(verb, lang), now=NOW, tz="Asia/Shanghai")
    spec = BY_VERB[verb]
    assert spec.command_type is None or isinstance(parsed.command, spec.command_type), (verb, parsed)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_help_is_built_from_the_registry(lang: str) -> None:
    text = reply_text(help_reply(lang))
    for spec in REGISTRY:
        if spec.slots:
            assert spec.slots[lang] in text
