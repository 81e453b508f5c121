"""The layering holds: no platform library is imported outside bot/, and imports flow one way."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PLATFORM = ("slack_bolt", "slack_sdk", "telegram", "lark_oapi")
# package -> packages it must not import
FORBIDDEN = {"handlers": ("bot",), "storage": ("bot", "handlers", "scheduler"), "scheduler": ("bot", "handlers")}


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", ["handlers", "storage", "scheduler"])
def test_no_platform_or_upward_imports(package: str) -> None:
    files = list((ROOT / package).rglob("*.py"))
    assert files
    for f in files:
        bad = imports_of(f) & set(PLATFORM + FORBIDDEN[package])
        assert not bad, f"{f.relative_to(ROOT)} imports {sorted(bad)}"
