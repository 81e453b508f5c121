"""Replies -> Feishu interactive cards (card JSON 1.0): header, fields, lines, notes, buttons and pickers.

User text never reaches the card as markup. Titles, notes, button labels and placeholders are ``plain_text``,
which Feishu shows as typed. Fields and lines are ``lark_md`` (they carry real mentions, ``<at id=ou_…></at>``),
and every character of user text that card markdown reads (``< > * ~ _ [ ] ( ) # : + - ! ` $ \\ / " ' & |``) is
written as an HTML character reference (``&#60;``), the escaping Feishu documents for its markdown. So a
contract named ``<at id=all></at>`` or ``**urgent**`` is shown as typed and pings nobody; a mention is made
only from a person the core knows by open_id.

Every card says ``update_multi``: it is one card for everyone, so an edit after a press shows to all.
A card is at most 30 KB; a longer reply keeps what fits and says how many lines it left out. A reply's charts
and files are not in the card: they follow it as messages of their own (bot.feishu.uploads), and the card names
the charts.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from bot.feishu.uploads import file_notes
from handlers.replies import Action, Line, PersonRef, Reply

CARD_LIMIT = 28_000  # bytes of card JSON (Feishu refuses a card message over 30 KB)
LINES_PER_BLOCK = 40
_OPEN_ID = re.compile(r"^ou_[A-Za-z0-9]+$")
_MARKDOWN = str.maketrans({c: f"&#{ord(c)};" for c in "&<>*~_[]()#:+-!`$\\/\"'|{}"})

MORE_HINT = {"en": "… {n} more line(s) not shown; ask for less (a single contract, or a filter).",
             "zh": "…… 还有 {n} 行未显示，请缩小范围（查看单个合同或加筛选）。"}
ENTER_HINT = {"en": "{label} (type, then Enter)", "zh": "{label}（输入后按回车）"}


def md(text: str) -> str:
    """User text as lark_md that shows exactly as typed (markdown and tags become character references)."""
    return text.translate(_MARKDOWN)


def plain(text: str) -> dict[str, str]:
    """A plain_text element (never parsed)."""
    return {"tag": "plain_text", "content": text}


def mention(person: PersonRef) -> str:
    """A real mention for someone known by open_id (they are notified); else their name, escaped."""
    uid = person.platform_user_id or ""
    if _OPEN_ID.match(uid):
        return f"<at id={uid}></at>"
    return md("@" + person.name if "@" not in person.name else person.name)


def line_md(line: Line) -> str:
    """One line of spans as lark_md."""
    return "".join(md(span) if isinstance(span, str) else mention(span) for span in line)


def _hint(table: dict[str, str], lang: str, **params: object) -> str:
    return table.get(lang, table["en"]).format(**params)


def _template(reply: Reply) -> str:
    if reply.error:
        return "red"
    title = reply.title or ""
    if title.startswith("✅"):
        return "green"
    if title.startswith(("⏰", "⚠")):
        return "orange"
    return "blue"


def _note(texts: Sequence[str]) -> dict[str, Any]:
    # one text, a line each: the elements of a note are laid out side by side
    return {"tag": "note", "elements": [plain("\n".join(texts))]}


def action_elements(actions: Sequence[Action], lang: str, *, private: bool = False) -> list[dict[str, Any]]:
    """Buttons, the date and person pickers, and inputs for a note and a payment; each carries its opaque key.

    In a private chat the person picker would only offer the chat's two members, so "Reassign" is a button
    there: the core then offers the team's members as buttons.
    """
    controls: list[dict[str, Any]] = []
    inputs: list[dict[str, Any]] = []
    for action in actions:
        value: dict[str, Any] = {"k": action.key}
        if private:
            value["dm"] = 1
        # the key rides in "value" (which every client reads) and in a callback behaviour (the newer form)
        callback = [{"type": "callback", "value": value}]
        if action.kind == "snooze_date":
            controls.append({"tag": "date_picker", "placeholder": plain(action.label), "value": value,
                             "behaviors": callback})
        elif action.kind == "reassign" and not private:
            # no options: Feishu offers the members of the chat the card is in
            controls.append({"tag": "select_person", "placeholder": plain(action.label), "value": value,
                             "behaviors": callback})
        elif action.kind in ("note", "pay"):
            field: dict[str, Any] = {"tag": "input", "width": "fill", "value": value,
                                     "placeholder": plain(_hint(ENTER_HINT, lang, label=action.label)[:100])}
            if action.command:  # clients before Feishu 6.8 show this instead: the same thing as a typed command
                field["fallback"] = {"tag": "fallback_text", "text": plain(action.command)}
            inputs.append(field)
        else:
            button: dict[str, Any] = {"tag": "button", "text": plain(action.label), "value": value,
                                      "behaviors": callback,
                                      "type": action.style if action.style in ("primary", "danger") else "default"}
            controls.append(button)
    elements: list[dict[str, Any]] = []
    if controls:
        elements.append({"tag": "action", "actions": controls})
    # an input outside a form lives in an action module of its own (Feishu refuses a bare one at the root);
    # Enter sends what was typed, with the input's value (our key)
    return elements + [{"tag": "action", "actions": [field]} for field in inputs]


def _card(reply: Reply, lines: list[Line], hidden: int, *, private: bool) -> dict[str, Any]:
    elements: list[dict[str, Any]] = []
    if reply.preface:
        elements.append(_note([reply.preface]))
    if reply.fields:
        elements.append({"tag": "div", "fields": [
            {"is_short": True, "text": {"tag": "lark_md", "content": f"**{md(f.label)}**\n{line_md(f.value)}"}}
            for f in reply.fields]})
    for i in range(0, len(lines), LINES_PER_BLOCK):
        content = "\n".join(line_md(line) for line in lines[i : i + LINES_PER_BLOCK])
        elements.append({"tag": "div", "text": {"tag": "lark_md", "content": content or " "}})
    context = list(reply.context)
    if hidden:
        context.append(_hint(MORE_HINT, reply.lang, n=hidden))
    context += file_notes(reply)  # the charts that follow the card (bot.feishu.uploads), files not sent
    if context:
        elements.append(_note(context))
    elements += action_elements(reply.actions, reply.lang, private=private)
    if not elements:
        elements.append({"tag": "div", "text": plain("…" if not reply.title else " ")})
    card: dict[str, Any] = {"config": {"wide_screen_mode": True, "update_multi": True}, "elements": elements}
    if reply.title:
        card["header"] = {"title": plain(reply.title), "template": _template(reply)}
    return card


def size(card: dict[str, Any]) -> int:
    """A card's size as Feishu counts it: bytes of its JSON."""
    return len(json.dumps(card, ensure_ascii=False).encode("utf-8"))


def card(reply: Reply, *, private: bool = False, limit: int = CARD_LIMIT) -> dict[str, Any]:
    """A reply as one card; lines that do not fit in ``limit`` bytes are left out, and the card says so."""
    lines = list(reply.lines)
    whole = _card(reply, lines, 0, private=private)
    if size(whole) <= limit or not lines:
        return whole
    low, high = 0, len(lines)  # the most lines that fit, with the hint
    while low < high:
        mid = (low + high + 1) // 2
        if size(_card(reply, lines[:mid], len(lines) - mid, private=private)) <= limit:
            low = mid
        else:
            high = mid - 1
    return _card(reply, lines[:low], len(lines) - low, private=private)
