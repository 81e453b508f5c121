"""manifest.yml asks Slack for what the app listens to (read as text: no YAML parser is installed)."""

from __future__ import annotations

import re
from pathlib import Path

from bot.slack.app import COMMAND

MANIFEST = (Path(__file__).resolve().parents[3] / "manifest.yml").read_text(encoding="utf-8")
SCOPES = ("commands", "chat:write", "files:write", "files:read", "app_mentions:read", "im:history", "im:write", "im:read", "users:read",
          "channels:read", "groups:read")
EVENTS = ("app_mention", "message.im", "app_home_opened")


def listed(item: str) -> bool:
    return re.search(rf"^\s+- {re.escape(item)}\s*$", MANIFEST, re.MULTILINE) is not None


def test_manifest_matches_the_app() -> None:
    assert re.search(rf"^\s+- command: {re.escape(COMMAND)}$", MANIFEST, re.MULTILINE)
    assert "should_escape: true" in MANIFEST  # mentions arrive as <@U…|name>
    assert all(listed(scope) for scope in SCOPES)
    assert all(listed(event) for event in EVENTS)
    for setting in ("home_tab_enabled: true", "socket_mode_enabled: true"):
        assert setting in MANIFEST
    assert re.search(r"interactivity:\n\s+is_enabled: true", MANIFEST)
    assert "\t" not in MANIFEST  # YAML forbids tabs for indentation
