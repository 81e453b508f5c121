"""Start-up says in one line when Chinese charts cannot be drawn in Chinese, and stays quiet when they can."""

from __future__ import annotations

import logging

import pytest

from bot.cli import _check_chart_font
from handlers import charts


def test_no_warning_when_the_packaged_cjk_font_is_there(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        _check_chart_font()
    assert charts.cjk_font() is not None
    assert not [r for r in caplog.records if "CJK" in r.getMessage()]


def test_one_line_when_no_cjk_font(monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setattr(charts, "font_lookup", lambda: None)
    charts._forget_font()
    try:
        with caplog.at_level(logging.WARNING):
            _check_chart_font()
        lines = [r.getMessage() for r in caplog.records if "CJK" in r.getMessage()]
        assert len(lines) == 1 and "\n" not in lines[0] and "English" in lines[0]
    finally:
        monkeypatch.undo()
        charts._forget_font()
