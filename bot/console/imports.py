"""``import PATH`` / ``导入 PATH`` in the console: the file is read here and handed to the core as an attachment.

On Slack and Telegram the ledger comes with the message; in a terminal the person names it. The path may be
quoted ("…", '…', “…”, 「…」), contain spaces or Chinese, and start with ``~``. Without quotes, the longest
run of words that names an existing file is the path (``import my ledger.xlsx confirm`` finds
``my ledger.xlsx``). Words that do not look like a path at all (``import confirm``) go to the core unchanged,
as does a bare ``import``: the core explains what it needs.
"""

from __future__ import annotations

import mimetypes
import re
from dataclasses import dataclass
from pathlib import Path

from handlers.messages import Attachment

MAX_BYTES = 20 * 1024 * 1024  # the same limit as on Slack and Telegram

_VERB = re.compile(r"^(?:import(?=\s|$)|导入)", re.IGNORECASE)
_QUOTES = {'"': '"', "'": "'", "“": "”", "‘": "’", "「": "」", "『": "』"}
_WORD_END = re.compile(r"\S+")
_EXTENSION = re.compile(r"\.[A-Za-z0-9]{1,5}$")

EXAMPLE = {"en": 'import "~/Documents/ledger 2027.xlsx"', "zh": "导入 “~/文档/合同台账 2027.xlsx”"}
REASONS = {
    "missing": {"en": "Can't import: there is no file {path}.", "zh": "无法导入：找不到文件 {path}。"},
    "folder": {"en": "Can't import: {path} is a folder, not a file.", "zh": "无法导入：{path} 是文件夹，不是文件。"},
    "denied": {"en": "Can't import: no permission to read {path}.", "zh": "无法导入：没有读取 {path} 的权限。"},
    "unreadable": {"en": "Can't import: {path} could not be read ({reason}).",
                   "zh": "无法导入：读取 {path} 失败（{reason}）。"},
    "too_big": {"en": "Can't import: {path} is {size}; files up to 20 MB can be imported.",
                "zh": "无法导入：{path} 有 {size}，超过 20 MB 的上限。"},
}
EXAMPLE_LABEL = {"en": " Example: ", "zh": "例如："}


@dataclass(frozen=True)
class ConsoleLine:
    """What to send to the core for a typed line, or why nothing is sent (``error``, one line)."""

    text: str
    attachments: tuple[Attachment, ...] = ()
    error: str | None = None


def read_line(line: str) -> ConsoleLine:
    """A typed line, with the file of an ``import PATH`` read and the path taken out of the text."""
    verb = _VERB.match(line)
    rest = line[verb.end():].strip() if verb else ""
    if verb is None or not rest:
        return ConsoleLine(line)
    lang = "zh" if verb.group().startswith("导入") else "en"
    found = split_path(rest)
    if found is None:
        return ConsoleLine(line)  # not a path: words for the core (``import confirm``)
    typed, extra = found
    path = Path(typed).expanduser()
    try:
        size = path.stat().st_size
        if path.is_dir():
            return ConsoleLine(line, error=refusal("folder", lang, path=typed))
        if size > MAX_BYTES:
            return ConsoleLine(line, error=refusal("too_big", lang, path=typed, size=f"{size / (1024 * 1024):.1f} MB"))
        data = path.read_bytes()
    except FileNotFoundError:
        return ConsoleLine(line, error=refusal("missing", lang, path=typed))
    except PermissionError:
        return ConsoleLine(line, error=refusal("denied", lang, path=typed))
    except OSError as exc:  # a broken link, a name that is too long, an I/O error
        return ConsoleLine(line, error=refusal("unreadable", lang, path=typed, reason=exc.strerror or str(exc)))
    attachment = Attachment(filename=path.name, data=data, mime=mimetypes.guess_type(path.name)[0])
    return ConsoleLine(f"{verb.group()} {extra}".strip(), (attachment,))


def split_path(rest: str) -> tuple[str, str] | None:
    """(path as typed, the words after it) from what follows the verb; None when no word looks like a path."""
    close = _QUOTES.get(rest[0])
    if close is not None:
        end = rest.find(close, 1)
        if end == -1:  # an unclosed quote: the rest of the line is the path
            return rest[1:].strip(), ""
        return rest[1:end], rest[end + 1:].strip()
    prefixes = [rest[: m.end()] for m in _WORD_END.finditer(rest)]
    for prefix in reversed(prefixes):  # the longest run of words naming a file: a name with spaces
        if Path(prefix).expanduser().exists():
            return prefix, rest[len(prefix):].strip()
    for prefix in prefixes:  # nothing there: the shortest run that looks like a path, to say it is missing
        if looks_like_path(prefix):
            return prefix, rest[len(prefix):].strip()
    return None


def looks_like_path(text: str) -> bool:
    """``~/x``, ``./x``, ``a/b``, ``C:\\x``, ``ledger.xlsx``: a word meant as a file, not as a command word."""
    return text.startswith(("~", ".", "/")) or "/" in text or "\\" in text or _EXTENSION.search(text) is not None


def refusal(kind: str, lang: str, **values: str) -> str:
    """One line: the reason, then an example that works."""
    reason = REASONS[kind].get(lang, REASONS[kind]["en"]).format(**values)
    return f"{reason}{EXAMPLE_LABEL.get(lang, EXAMPLE_LABEL['en'])}{EXAMPLE.get(lang, EXAMPLE['en'])}"
