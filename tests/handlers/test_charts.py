"""Charts come back as readable PNG pictures, with Chinese glyphs (never boxes) or English labels instead."""

from __future__ import annotations

import gc
import logging
import struct
import warnings
import weakref
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from decimal import Decimal as D

import pytest
from matplotlib import _pylab_helpers, font_manager
from matplotlib.figure import Figure
from matplotlib.text import Text

from handlers import charts
from handlers.replies import Image

TODAY = date(2027, 1, 20)
MONTHS = [date(2026 + (1 + i) // 12, (1 + i) % 12 + 1, 1) for i in range(15)]  # 2026-02 .. 2027-04
DUE = {
    "CNY": [D(v) for v in (12, 8, 0, 36, 15, 9, 120, 30, 4, 50, 22, 88, 40, 15, 60)],
    "USD": [D("1000.50")] * 15,
}
DUE["CNY"] = [v * 10_000 for v in DUE["CNY"]]
RECEIVED = {"CNY": [v * D("0.8") for v in DUE["CNY"][:12]] + [D(0)] * 3, "USD": [D(800)] * 12 + [D(0)] * 3}
BUCKETS = {
    "CNY": [D(800_000), D(250_000), D(120_000), D(60_000), D(300_000)],
    "USD": [D(20_000), D(5_000), D(0), D(0), D(12_000)],
}
ROWS = [("payment", 5, 6), ("delivery", 3, 5), ("acceptance", 4, 4), ("warranty", 0, 0), ("renewal", 1, 2)]
ITEMS = [
    ("首付款 30%", date(2026, 10, 1), date(2026, 9, 28), False),
    ("Kickoff meeting with the customer's IT department", date(2026, 9, 15), date(2026, 9, 30), False),
    ("第一阶段交付：华为云采购平台部署与系统集成测试验收", date(2026, 11, 30), None, True),
    ("尾款 70%", date(2027, 3, 31), None, True),
]

CHARTS: dict[str, Callable[[str], Image]] = {
    "money": lambda lang: charts.money_chart(MONTHS, DUE, RECEIVED, TODAY, lang),
    "ageing": lambda lang: charts.ageing_chart(BUCKETS, lang),
    "ontime": lambda lang: charts.ontime_chart(ROWS, lang),
    "timeline": lambda lang: charts.timeline_chart("HT-2026-002", ITEMS, TODAY, lang),
}
EMPTY: dict[str, Callable[[str], Image]] = {
    "money": lambda lang: charts.money_chart([], {}, {}, TODAY, lang),
    "money-zero": lambda lang: charts.money_chart(MONTHS[:3], {"CNY": [D(0)] * 3}, {}, TODAY, lang),
    "ageing": lambda lang: charts.ageing_chart({}, lang),
    "ontime": lambda lang: charts.ontime_chart([], lang),
    "timeline": lambda lang: charts.timeline_chart("HT-1", [], TODAY, lang),
}
FIGURES: dict[str, Callable[[str], tuple[Figure, str]]] = {
    "money": lambda lang: charts._money_figure(MONTHS, DUE, RECEIVED, TODAY, lang),
    "ageing": lambda lang: charts._ageing_figure(BUCKETS, lang),
    "ontime": lambda lang: charts._ontime_figure(ROWS, lang),
    "timeline": lambda lang: charts._timeline_figure("HT-2026-002", ITEMS, TODAY, lang),
}


def has_cjk(text: str) -> bool:
    return any("\u3400" <= c <= "\u9fff" or "\uff00" <= c <= "\uffef" for c in text)


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from the PNG header."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


class GlyphProblems:
    """Missing-glyph warnings and font-manager complaints seen so far while rendering."""

    def __init__(self, caught: list[warnings.WarningMessage], caplog: pytest.LogCaptureFixture) -> None:
        self.caught = caught
        self.caplog = caplog

    @property
    def messages(self) -> list[str]:
        logged = [r.getMessage() for r in self.caplog.records if r.name.startswith("matplotlib")]
        return [str(w.message) for w in self.caught] + logged


@pytest.fixture
def glyph_problems(caplog: pytest.LogCaptureFixture) -> Iterator[GlyphProblems]:
    with warnings.catch_warnings(record=True) as caught, caplog.at_level(logging.WARNING, logger="matplotlib"):
        warnings.simplefilter("always")  # matplotlib's "Glyph ... missing from font(s)" is a UserWarning
        yield GlyphProblems(caught, caplog)


@pytest.fixture
def no_cjk_font(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A machine without any CJK font."""
    monkeypatch.setattr(charts, "font_lookup", lambda: None)
    charts._forget_font()
    yield
    monkeypatch.undo()
    charts._forget_font()


def drawn_texts(fig: Figure, lang: str) -> list[str]:
    """Every text of a figure once drawn (tick labels exist only after a draw)."""
    with charts._style(charts._chart_lang(lang)):
        fig.canvas.draw()
    return [t.get_text() for t in fig.findobj(Text) if t.get_visible() and t.get_text()]


# --- the font ------------------------------------------------------------------------------------------------


def test_a_cjk_font_is_found_and_registered() -> None:
    family = charts.cjk_font()
    assert family is not None
    assert charts.font_warning() is None
    path = font_manager.findfont(font_manager.FontProperties(family=family), fallback_to_default=False)
    charmap = font_manager.get_font(path).get_charmap()
    assert all(ord(c) in charmap for c in "应收实收付款交付验收质保续约其他未到期天以上今天")


def test_the_mplfonts_noto_sans_file_comes_first() -> None:
    path = charts.find_cjk_font_file()
    assert path is not None and path.name == "NotoSansCJKsc-Regular.otf"
    assert charts.cjk_font() == "Noto Sans CJK SC"


def test_the_glyph_check_catches_tofu(glyph_problems: GlyphProblems) -> None:
    """Control: Chinese drawn with a Latin-only font does warn, so the clean runs below mean something."""
    fig = charts._new_figure()
    fig.text(0.5, 0.5, "应收账款", family="DejaVu Sans")
    fig.canvas.draw()
    assert any("missing from font" in m for m in glyph_problems.messages)


# --- every chart, both languages -----------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("name", sorted(CHARTS))
def test_each_chart_is_a_png_in_the_users_language(name: str, lang: str, glyph_problems: GlyphProblems) -> None:
    image = CHARTS[name](lang)
    assert isinstance(image, Image)
    width, height = png_size(image.data)
    assert (width, height) == (880, 495)  # 8 x 4.5 inches at 110 dpi
    assert 10_000 < len(image.data) < 400_000
    assert image.filename.endswith(".png") and image.filename.startswith(name)
    assert image.title and "\n" not in image.title
    assert has_cjk(image.title) == (lang == "zh")
    assert glyph_problems.messages == []


@pytest.mark.parametrize("name", sorted(FIGURES))
def test_chinese_charts_draw_chinese_labels_with_the_cjk_font(name: str, glyph_problems: GlyphProblems) -> None:
    fig, _alt = FIGURES[name]("zh")
    texts = drawn_texts(fig, "zh")
    assert has_cjk(fig.get_suptitle())
    assert sum(has_cjk(t) for t in texts) >= 3
    assert glyph_problems.messages == []


def test_chinese_fonts_put_the_cjk_font_first_and_english_keeps_it_as_fallback() -> None:
    import matplotlib

    family = charts.cjk_font()
    with charts._style("zh"):
        assert matplotlib.rcParams["font.family"][0] == family
    with charts._style("en"):
        assert matplotlib.rcParams["font.family"] == ["DejaVu Sans", family]


def test_money_chart_names_its_currency_and_hatches_the_plan() -> None:
    fig, alt = charts._money_figure(MONTHS, DUE, RECEIVED, TODAY, "en")
    ax = fig.axes[0]
    future = sum(m > date(2027, 1, 31) for m in MONTHS)
    assert future == 3
    hatched = [p for p in ax.patches if p.get_hatch() == "///"]
    assert len(hatched) == 2 * future  # due and received bars of the 3 planned months
    assert "CNY" in ax.get_ylabel() and "CNY" in alt
    assert "USD" in ax.get_title()  # the other currency is named as being in the text
    assert ax.get_xticklabels()[0].get_text() == "Feb\n2026"
    texts = drawn_texts(fig, "en")
    assert "1M" in texts and "Due" in texts and "Received" in texts


def test_money_chart_in_chinese_uses_wan_and_month_labels() -> None:
    fig, alt = charts._money_figure(MONTHS, DUE, RECEIVED, TODAY, "zh")
    texts = drawn_texts(fig, "zh")
    assert "应收" in texts and "实收" in texts
    assert "100万" in texts
    assert "1月\n2027年" in texts
    assert alt == "2026-02 至 2027-04 应收与实收（CNY）"


def test_ageing_chart_stacks_five_buckets_green_to_red_per_currency() -> None:
    fig, _alt = charts._ageing_figure(BUCKETS, "zh")
    texts = drawn_texts(fig, "zh")
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend == ["未到期", "1–30天", "31–60天", "61–90天", "90天以上"]
    assert [ax.get_yticklabels()[0].get_text().split("\n")[0] for ax in fig.axes] == ["CNY", "USD"]
    cny = fig.axes[0]
    colours = [p.get_facecolor() for p in cny.patches]
    assert len(colours) == 5
    assert colours[0][1] > colours[0][0] and colours[-1][0] > colours[-1][1]  # green first, red last
    assert "80万" in texts


def test_ontime_chart_shows_rates_counts_and_translated_kinds() -> None:
    fig, alt = charts._ontime_figure(ROWS, "zh")
    texts = drawn_texts(fig, "zh")
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["付款", "交付", "验收", "质保", "续约"]
    assert "83%  (5/6)" in texts and "100%  (4/4)" in texts
    assert any("(0/0)" in t for t in texts)  # no completed warranty: a label, no bar, no division by zero
    assert "付款 83%" in alt
    widths = [round(p.get_width()) for p in fig.axes[0].patches]
    assert widths == [83, 60, 100, 50]


def test_timeline_marks_late_red_early_green_and_runs_open_items_to_today() -> None:
    fig, alt = charts._timeline_figure("HT-2026-002", ITEMS, TODAY, "en")
    ax = fig.axes[0]
    # segments: lines drawn with a line style, one per style, rows split by NaN
    by_row: dict[int, tuple[str, str]] = {}
    for line in ax.lines:
        if line.get_linestyle() in ("None", "") or line.get_color() == charts.TODAY_COLOUR:
            continue  # markers only, or the "today" rule
        ys = [y for y in line.get_ydata() if y == y]
        for y in ys:
            by_row[int(y)] = (line.get_color(), line.get_linestyle())
    assert by_row[0][0] == charts.ON_TIME_COLOUR  # paid 3 days early
    assert by_row[1][0] == charts.LATE_COLOUR  # kickoff 15 days late
    assert by_row[2] == (charts.LATE_COLOUR, "--")  # open and overdue: dashed up to today
    assert 3 not in by_row  # open, not due yet: only its planned marker
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[1] == "Kickoff meeting with th…"
    assert all(charts._text_width(label) <= charts.TITLE_WIDTH for label in labels)
    assert labels[2].startswith("第一阶段") and labels[2].endswith("…")
    texts = drawn_texts(fig, "en")
    assert "+15d" in texts and "+51d" in texts and " Today" in texts
    assert alt == "Timeline of HT-2026-002: 1 late, 1 open and overdue, of 4 milestones"


def test_long_timelines_keep_a_readable_size_and_say_what_is_left_out() -> None:
    items = [(f"Item {i}", date(2026, 6, 1 + i % 28), None, True) for i in range(45)]
    image = charts.timeline_chart("HT-9", items, TODAY, "en")
    width, height = png_size(image.data)
    assert width == 880 and 495 < height <= 12 * 110
    fig, _alt = charts._timeline_figure("HT-9", items, TODAY, "en")
    assert len(fig.axes[0].get_yticklabels()) == charts.MAX_TIMELINE_ROWS
    assert fig.axes[0].get_title() == "15 more not shown"


@pytest.mark.parametrize(
    ("value", "lang", "text"),
    [
        (1_200_000, "en", "1.2M"),
        (250_000, "en", "250K"),
        (950, "en", "950"),
        (1_200_000, "zh", "120万"),
        (120_000_000, "zh", "1.2亿"),
        (5_000, "zh", "5,000"),
        (-30_000, "zh", "−3万"),
    ],
)
def test_short_amounts(value: float, lang: str, text: str) -> None:
    assert charts.short_amount(value, lang) == text


def test_a_chinese_axis_keeps_wan_below_ten_thousand() -> None:
    formatter = charts._amount_axis("zh", 40_000)
    assert [formatter(v, 0) for v in (0, 8_000, 16_000)] == ["0", "0.8万", "1.6万"]


# --- empty inputs --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("name", sorted(EMPTY))
def test_empty_inputs_render_no_data(name: str, lang: str, glyph_problems: GlyphProblems) -> None:
    image = EMPTY[name](lang)
    assert png_size(image.data) == (880, 495)
    assert ("暂无数据" if lang == "zh" else "No data") in image.title
    assert glyph_problems.messages == []


# --- without a CJK font --------------------------------------------------------------------------------------


@pytest.mark.usefixtures("no_cjk_font")
def test_without_a_cjk_font_the_warning_says_so_in_one_line() -> None:
    assert charts.cjk_font() is None
    warning = charts.font_warning()
    assert warning is not None and "\n" not in warning
    assert "CJK" in warning and "English" in warning


@pytest.mark.usefixtures("no_cjk_font")
@pytest.mark.parametrize("name", sorted(FIGURES))
def test_without_a_cjk_font_chinese_charts_fall_back_to_english(name: str, glyph_problems: GlyphProblems) -> None:
    fig, alt = FIGURES[name]("zh")
    texts = drawn_texts(fig, "zh")
    assert not any(has_cjk(t) for t in texts), [t for t in texts if has_cjk(t)]
    assert not has_cjk(alt)
    assert fig.get_suptitle() == FIGURES[name]("en")[0].get_suptitle()
    image = CHARTS[name]("zh")
    assert image.data.startswith(b"\x89PNG") and not has_cjk(image.title)
    assert glyph_problems.messages == []


@pytest.mark.usefixtures("no_cjk_font")
def test_without_a_cjk_font_chinese_milestone_titles_become_row_numbers() -> None:
    fig, _alt = charts._timeline_figure("HT-2026-002", ITEMS, TODAY, "en")
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert labels == ["#1", "Kickoff meeting with th…", "#3", "#4"]


def test_the_font_lookup_is_cached_and_found_again_after_a_reset(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    real = charts.find_cjk_font_file

    def counting():  # type: ignore[no-untyped-def]
        calls.append(1)
        return real()

    monkeypatch.setattr(charts, "font_lookup", counting)
    charts._forget_font()
    try:
        assert charts.cjk_font() == charts.cjk_font() == "Noto Sans CJK SC"
        assert len(calls) == 1
    finally:
        monkeypatch.undo()
        charts._forget_font()


# --- memory and threads --------------------------------------------------------------------------------------


def test_figures_are_freed_and_never_reach_pyplot() -> None:
    managers = _pylab_helpers.Gcf.get_num_fig_managers()
    fig, _alt = charts._money_figure(MONTHS, DUE, RECEIVED, TODAY, "zh")
    ref = weakref.ref(fig)
    with charts._style("zh"):
        charts._png(fig)
    del fig
    gc.collect()
    assert ref() is None
    assert _pylab_helpers.Gcf.get_num_fig_managers() == managers


def test_memory_does_not_grow_over_many_charts() -> None:
    def live_figures() -> int:
        gc.collect()
        return sum(isinstance(o, Figure) for o in gc.get_objects())

    for make in CHARTS.values():  # warm caches (fonts, glyphs)
        make("zh")
    before = live_figures()
    sizes = [len(make(lang).data) for _ in range(5) for lang in ("en", "zh") for make in CHARTS.values()]
    assert live_figures() == before
    assert len(set(sizes)) == 2 * len(CHARTS)  # the same chart comes out the same each time: nothing piles up


def test_charts_drawn_in_threads_match_charts_drawn_one_by_one() -> None:
    jobs = [(name, lang) for name in sorted(CHARTS) for lang in ("en", "zh")] * 2
    alone = {(name, lang): CHARTS[name](lang).data for name, lang in jobs}
    with ThreadPoolExecutor(max_workers=6) as pool:
        together = list(pool.map(lambda job: CHARTS[job[0]](job[1]).data, jobs))
    assert together == [alone[job] for job in jobs]
