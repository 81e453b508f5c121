"""Views other than messages: the one-field modal (note, payment) and the Home tab."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from bot.slack import render
from bot.slack.translate import unescape
from handlers.replies import Reply

VALUE_MODAL = "contract:value"
MAX_HOME_BLOCKS = 100


def value_modal(*, kind: str, label: str, key: str, ref: str | None, channel: str | None,
                headline: str | None = None) -> dict[str, Any]:
    """A modal asking for one text (the note, the amount paid); the click's key rides in private_metadata.

    private_metadata never leaves Slack's servers, and the core re-checks the key against the team anyway.
    """
    blocks: list[dict[str, Any]] = []
    if headline:
        blocks.append({"type": "context", "elements": [render.plain_text(headline, limit=1000)]})
    blocks.append({
        "type": "input", "block_id": "value", "label": render.plain_text(label, limit=2000),
        "element": {"type": "plain_text_input", "action_id": "value", "multiline": kind == "note",
                    "max_length": 2000},
    })
    return {
        "type": "modal", "callback_id": VALUE_MODAL,
        "title": render.plain_text(label, limit=24), "submit": render.plain_text(label, limit=24),
        "private_metadata": json.dumps({"key": key, "ref": ref, "channel": channel}),
        "blocks": blocks,
    }


def home_view(replies: Sequence[Reply], notices: Sequence[Reply] = ()) -> dict[str, Any]:
    """The Home tab: the latest click's outcome on top, then the user's milestones."""
    blocks: list[dict[str, Any]] = []
    for notice in notices:
        blocks.extend(render.blocks(notice))
    if notices:
        blocks.append({"type": "divider"})
    for reply in replies:
        blocks.extend(render.blocks(reply))
    if len(blocks) > MAX_HOME_BLOCKS:
        blocks = blocks[: MAX_HOME_BLOCKS - 1] + [{"type": "context", "elements": [render.mrkdwn("…")]}]
    return {"type": "home", "blocks": blocks}


def headline_of(message: dict[str, Any] | None) -> str | None:
    """The header of the message a button sat on, as the user saw it (Slack hands it back escaped)."""
    for block in (message or {}).get("blocks") or []:
        if block.get("type") == "header":
            return unescape(block.get("text", {}).get("text", ""))
    return None
