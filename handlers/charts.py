"""Report charts as PNG pictures (money due vs received, ageing, on-time rate, a contract's timeline).

Platform-neutral: each chart function returns a ``handlers.replies.Image`` that a front door uploads, sends
or saves. Drawing uses matplotlib's object-oriented API (``Figure`` + ``FigureCanvasAgg``) and never pyplot,
so no figure is registered in a global manager and nothing leaks between charts.

Chinese labels need a font with CJK glyphs, or matplotlib draws boxes ("tofu"). We register one font file
once (the ``mplfonts`` package ships Noto Sans CJK SC; else a system CJK font) and put it in the font family
list while drawing. Without any CJK font a "zh" chart is labelled in English instead.

matplotlib's rcParams are process-global; a chart sets its fonts with ``rc_context`` and tick labels read
them at draw time, so building and drawing one chart happen under one lock.
"""

from __future__ import annotations

import functools
import importlib.util
import io
import math
import re
import threading
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import matplotlib
import matplotlib.dates as mdates
from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.legend import Legend
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.text import Text
from matplotlib.ticker import FuncFormatter, MaxNLocator

from handlers.replies import Image

__all__ = ["ageing_chart", "cjk_font", "font_warning", "money_chart", "ontime_chart", "timeline_chart"]

WIDTH_IN, HEIGHT_IN, DPI = 8.0, 4.5, 110
TITLE_WIDTH = 24  # timeline row labels: about 24 Latin characters (a CJK character counts as two)
MAX_TIMELINE_ROWS = 30
MAX_AGEING_CURRENCIES = 4

# --- labels ------------------------------------------------------------------------------------------------

LABELS: dict[str, dict[str, str]] = {
    "en": {
        "no_data": "No data",
        "money": "Money due vs received",
        "money_alt": "Money due vs received, {first} to {last} ({currency})",
        "due": "Due",
        "received": "Received",
        "plan": "Future months (plan)",
        "amount": "Amount ({currency})",
        "currency_note": "Amounts in {currency}; {others} in the text",
        "ageing": "Receivables ageing",
        "ageing_alt": "Receivables ageing by days overdue ({currencies})",
        "ontime": "On-time rate by milestone kind",
        "ontime_alt": "On-time rate by milestone kind: {summary}",
        "ontime_axis": "Completed on time (%)",
        "none_done": "none completed",
        "timeline": "Timeline of {number}",
        "timeline_alt": "Timeline of {number}: {late} late, {open_late} open and overdue, of {total} milestones",
        "planned": "Planned due date",
        "on_time": "Done on time / early",
        "late": "Done late",
        "open_late": "Open, overdue",
        "open": "Open",
        "today": "Today",
        "days_late": "+{n}d",
        "more": "{n} more not shown",
        "bucket_0": "Not yet due",
        "bucket_1": "1–30 days",
        "bucket_2": "31–60 days",
        "bucket_3": "61–90 days",
        "bucket_4": ">90 days",
        "kind_payment": "Payment",
        "kind_delivery": "Delivery",
        "kind_acceptance": "Acceptance",
        "kind_warranty": "Warranty",
        "kind_renewal": "Renewal",
        "kind_other": "Other",
    },
    "zh": {
        "no_data": "暂无数据",
        "money": "应收与实收",
        "money_alt": "{first} 至 {last} 应收与实收（{currency}）",
        "due": "应收",
        "received": "实收",
        "plan": "未来月份（计划）",
        "amount": "金额（{currency}）",
        "currency_note": "金额单位：{currency}；{others} 见正文",
        "ageing": "应收账款账龄",
        "ageing_alt": "应收账款按逾期天数分布（{currencies}）",
        "ontime": "各类节点按时完成率",
        "ontime_alt": "各类节点按时完成率：{summary}",
        "ontime_axis": "按时完成（%）",
        "none_done": "尚无完成",
        "timeline": "合同 {number} 时间线",
        "timeline_alt": "合同 {number} 时间线：共 {total} 个节点，{late} 个延期完成，{open_late} 个逾期未完成",
        "planned": "计划日期",
        "on_time": "按时/提前完成",
        "late": "延期完成",
        "open_late": "未完成（已逾期）",
        "open": "未完成",
        "today": "今天",
        "days_late": "+{n}天",
        "more": "另有 {n} 项未显示",
        "bucket_0": "未到期",
        "bucket_1": "1–30天",
        "bucket_2": "31–60天",
        "bucket_3": "61–90天",
        "bucket_4": "90天以上",
        "kind_payment": "付款",
        "kind_delivery": "交付",
        "kind_acceptance": "验收",
        "kind_warranty": "质保",
        "kind_renewal": "续约",
        "kind_other": "其他",
    },
}

BUCKET_COLOURS = ("#2e7d32", "#9ccc65", "#fdd835", "#fb8c00", "#c62828")  # green -> red
DUE_COLOUR, RECEIVED_COLOUR = "#1f77b4", "#2ca02c"
LATE_COLOUR, ON_TIME_COLOUR, PLAN_COLOUR, TODAY_COLOUR = "#c62828", "#2e7d32", "#546e7a", "#6a1b9a"
MUTED = "#555555"


def _t(lang: str, key: str, **values: object) -> str:
    """Look a label up in the chart's language and fill it in."""
    return LABELS[lang][key].format(**values)


def _kind_label(kind: str, lang: str) -> str:
    """Translate a milestone kind; an unknown kind shows as given."""
    return LABELS[lang].get(f"kind_{kind.strip().lower()}", kind)


# --- the CJK font ------------------------------------------------------------------------------------------

PREFERRED_FILES = ("NotoSansCJKsc-Regular.otf", "SimHei.ttf", "SourceHanSansSC-Regular.otf")
SYSTEM_FAMILIES = (
    "Noto Sans CJK SC",
    "Noto Sans CJK JP",
    "Noto Sans CJK TC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "SimHei",
    "Microsoft YaHei",
    "PingFang SC",
    "Hiragino Sans GB",
    "Heiti SC",
    "Droid Sans Fallback",
    "AR PL UMing CN",
)
FONT_SUFFIXES = (".otf", ".ttf", ".ttc")


def _mplfonts_dir() -> Path | None:
    """The folder of font files shipped by the ``mplfonts`` package, if installed."""
    try:
        spec = importlib.util.find_spec("mplfonts")
    except (ImportError, ValueError):
        return None
    if spec is None:
        return None
    for location in spec.submodule_search_locations or ():
        folder = Path(location) / "fonts"
        if folder.is_dir():
            return folder
    return None


def _rank_font_file(path: Path) -> tuple[int, str]:
    """Sort key: the preferred files first, then sans before serif and mono."""
    name = path.name
    if name in PREFERRED_FILES:
        return (PREFERRED_FILES.index(name), name)
    lower = name.lower()
    penalty = 10 + ("serif" in lower) + ("mono" in lower)
    return (penalty, name)


def find_cjk_font_file() -> Path | None:
    """Find a font file with Chinese glyphs: mplfonts' Noto Sans CJK SC first, then any CJK system font."""
    folder = _mplfonts_dir()
    if folder is not None:
        files = sorted((p for p in folder.iterdir() if p.suffix.lower() in FONT_SUFFIXES), key=_rank_font_file)
        if files:
            return files[0]
    by_family = {entry.name: entry.fname for entry in font_manager.fontManager.ttflist}
    for family in SYSTEM_FAMILIES:
        if family in by_family:
            return Path(by_family[family])
    return None


# Tests replace this to simulate a machine without a CJK font (then call ``_forget_font()``).
font_lookup: Callable[[], Path | None] = find_cjk_font_file

_FONT_LOCK = threading.Lock()
_font_state: dict[str, str | None] = {}


def _register(path: Path) -> str | None:
    """Add the font file to matplotlib's font manager (once) and return its family name."""
    try:
        family = font_manager.FontProperties(fname=str(path)).get_name()
        known = {entry.fname for entry in font_manager.fontManager.ttflist}
        if str(path) not in known:
            font_manager.fontManager.addfont(str(path))
    except (OSError, RuntimeError, ValueError):
        return None
    return family


def cjk_font() -> str | None:
    """Return the font family used for Chinese text, or None when no CJK font can be found."""
    with _FONT_LOCK:
        if "family" not in _font_state:
            path = font_lookup()
            _font_state["family"] = _register(path) if path is not None else None
        return _font_state["family"]


def _forget_font() -> None:
    """Drop the cached font choice so the next chart looks it up again (for tests)."""
    with _FONT_LOCK:
        _font_state.clear()


def font_warning() -> str | None:
    """Return one start-up log line when no CJK font was found, else None."""
    if cjk_font() is not None:
        return None
    return (
        "charts: no CJK font found (install the mplfonts package or a Noto Sans CJK / WenQuanYi font); "
        "Chinese charts will be labelled in English"
    )


def _chart_lang(lang: str) -> str:
    """The language a chart is labelled in: Chinese only when a CJK font can draw it."""
    if lang == "zh" and cjk_font() is not None:
        return "zh"
    return "en"


_DEJAVU_CHARS: set[int] | None = None


def _drawable(text: str) -> bool:
    """Whether the fonts in use can draw every character of user text (without a CJK font, Chinese can't)."""
    global _DEJAVU_CHARS
    if cjk_font() is not None:
        return True
    if _DEJAVU_CHARS is None:
        path = font_manager.findfont(font_manager.FontProperties(family="DejaVu Sans"))
        _DEJAVU_CHARS = set(font_manager.get_font(path).get_charmap())
    return all(ord(c) in _DEJAVU_CHARS or c.isspace() for c in text)


# re-entrant: a chart function holds it while it builds (styled) and renders the figure
_RENDER_LOCK = threading.RLock()


@contextmanager
def _style(lang: str) -> Iterator[None]:
    """Hold the drawing lock with the fonts and sizes of one chart in force."""
    family = cjk_font()
    # a family list gives per-glyph fallback: Latin from DejaVu in English, CJK from the CJK font
    # (user text such as a Chinese milestone title may appear in an English chart too)
    families = ["DejaVu Sans"] + ([family] if family else [])
    if lang == "zh" and family:
        families = [family, "DejaVu Sans"]
    with _RENDER_LOCK, matplotlib.rc_context({
        "font.family": families,
        "font.size": 9,
        "axes.titlesize": 10,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.unicode_minus": True,
        "legend.fontsize": 8,
        "legend.frameon": False,
    }):
        yield


Builder = Callable[..., tuple[Figure, str]]


def _styled(build: Builder) -> Builder:
    """Build a figure with its language's fonts in force (``lang`` is the builder's last argument).

    Text takes its font when it is created, so building outside the style would draw Chinese in DejaVu Sans.
    """

    @functools.wraps(build)
    def styled(*args: object) -> tuple[Figure, str]:
        with _style(_chart_lang(str(args[-1]))):
            return build(*args)

    return styled


def _new_figure(height: float = HEIGHT_IN, *, constrained: bool = True) -> Figure:
    """A figure that belongs to no pyplot manager: it is freed as soon as nothing refers to it.

    ``constrained=False`` leaves the layout to the builder (``_fit_margins``): the constrained layout engine
    lays out every text twice more, which is most of a small chart's drawing time.
    """
    fig = Figure(figsize=(WIDTH_IN, height), dpi=DPI, layout="constrained" if constrained else None)
    FigureCanvasAgg(fig)
    return fig


def _png(fig: Figure) -> bytes:
    """Render a figure to PNG bytes and clear it."""
    buffer = io.BytesIO()
    try:
        # zlib level 1: a chart is flat colour, so it is barely larger, and encoding takes a fifth of the time
        fig.savefig(buffer, format="png", dpi=DPI, facecolor="white", pil_kwargs={"compress_level": 1})
    finally:
        fig.clear()
    return buffer.getvalue()


def _title(fig: Figure, text: str) -> None:
    """Put the chart title on top."""
    # no bold: the CJK font ships one weight, and asking it for bold (even as a fallback) logs a warning
    fig.suptitle(text, fontsize=13)


def _no_data(fig: Figure, lang: str) -> None:
    """Write "no data" in the middle of an empty figure."""
    ax = fig.add_subplot()
    ax.set_axis_off()
    ax.text(0.5, 0.5, _t(lang, "no_data"), ha="center", va="center", fontsize=14, color=MUTED, transform=ax.transAxes)


# --- numbers and dates --------------------------------------------------------------------------------------


def _trim(x: float, digits: int) -> str:
    text = f"{x:,.{digits}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def short_amount(value: float, lang: str, floor: float = 0.0) -> str:
    """Write an amount short: 1.2K, 3.5M, 2B in English; 5,000, 120万, 1.2亿 in Chinese.

    ``floor`` makes smaller amounts use the unit of that size too (an axis reading 0.8万, 1.6万, not 8,000, 1.6万).
    """
    sign = "−" if value < 0 else ""
    x = abs(value)
    steps: tuple[tuple[float, str], ...]
    if lang == "zh":
        steps = ((1e8, "亿"), (1e4, "万"))
    else:
        steps = ((1e9, "B"), (1e6, "M"), (1e3, "K"))
    for size, suffix in steps:
        if x >= size or (x and floor >= size):
            return f"{sign}{_trim(x / size, 2 if x / size < 10 else 1)}{suffix}"
    return f"{sign}{_trim(x, 0 if x >= 100 else 2)}"


def _amount_axis(lang: str, top: float) -> FuncFormatter:
    """Tick labels for an amount axis that runs up to ``top``."""
    # Chinese axes keep one unit from 万 up (0.8万 next to 1.6万); K next to M is the English habit
    floor = min(top, 1e4) if lang == "zh" else 0.0
    return FuncFormatter(lambda v, _pos: short_amount(v, lang, floor))


def _month_label(month: date, first: bool, lang: str) -> str:
    """Jan (with the year on the first bar and on January), 1月 (2027年)."""
    show_year = first or month.month == 1
    if lang == "zh":
        return f"{month.month}月" + (f"\n{month.year}年" if show_year else "")
    return month.strftime("%b") + (f"\n{month.year}" if show_year else "")


def _as_floats(values: Sequence[Decimal | None] | None, n: int) -> list[float]:
    """Decimals to floats for plotting, cut or padded with zeros to n values."""
    floats = [float(v) if v is not None else 0.0 for v in (values or [])][:n]
    return floats + [0.0] * (n - len(floats))


def _text_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def shorten(text: str, width: int = TITLE_WIDTH) -> str:
    """Cut user text to about ``width`` Latin characters (a CJK character counts as two), ending in …."""
    text = " ".join(text.split())
    if _text_width(text) <= width:
        return text
    out, used = "", 0
    for c in text:
        w = _text_width(c)
        if used + w > width - 1:
            break
        out, used = out + c, used + w
    return out.rstrip() + "…"


def _safe_filename(text: str, default: str) -> str:
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-.")
    return name or default


# --- 1. money due vs received --------------------------------------------------------------------------------


def _main_currency(due: dict[str, list[Decimal]], received: dict[str, list[Decimal]]) -> tuple[str | None, list[str]]:
    """The currency with the largest total and the other currencies that have any money."""
    totals: dict[str, Decimal] = {}
    for table in (due, received):
        for currency, values in table.items():
            totals[currency] = totals.get(currency, Decimal(0)) + sum((abs(v) for v in values if v), Decimal(0))
    used = sorted((c for c, total in totals.items() if total), key=lambda c: (-totals[c], c))
    if not used:
        return None, []
    return used[0], used[1:]


@_styled
def _money_figure(
    months: list[date], due: dict[str, list[Decimal]], received: dict[str, list[Decimal]], today: date, lang: str
) -> tuple[Figure, str]:
    lang = _chart_lang(lang)
    currency, others = _main_currency(due, received)
    fig = _new_figure(constrained=not months or currency is None)
    _title(fig, _t(lang, "money"))
    if not months or currency is None:
        _no_data(fig, lang)
        return fig, _t(lang, "money") + " — " + _t(lang, "no_data")

    n = len(months)
    due_values = _as_floats(due.get(currency), n)
    received_values = _as_floats(received.get(currency), n)
    this_month = (today.year, today.month)
    future = [(m.year, m.month) > this_month for m in months]

    ax = fig.add_subplot()
    width = 0.38
    for offset, values, colour, key in (
        (-width / 2, due_values, DUE_COLOUR, "due"),
        (width / 2, received_values, RECEIVED_COLOUR, "received"),
    ):
        bars = ax.bar([i + offset for i in range(n)], values, width, color=colour, label=_t(lang, key))
        for bar, later in zip(bars, future):
            if later:  # the plan: lighter and hatched
                bar.set_alpha(0.35)
                bar.set_hatch("///")
                bar.set_edgecolor(colour)
    if any(future) and not all(future):
        split = future.index(True) - 0.5
        ax.axvline(split, color=MUTED, linestyle=":", linewidth=1)

    ax.set_xticks(range(n), [_month_label(m, i == 0, lang) for i, m in enumerate(months)])
    ax.set_xlim(-0.6, n - 0.4)
    top = max(max(due_values + received_values), 1.0) * 1.18  # room for the legend
    ax.set_ylim(min(min(due_values + received_values) * 1.1, 0.0), top)  # a refund can make a month negative
    ax.yaxis.set_major_formatter(_amount_axis(lang, top))
    ax.yaxis.set_major_locator(MaxNLocator(nbins=6))
    ax.set_ylabel(_t(lang, "amount", currency=currency))
    ax.grid(axis="y", alpha=0.3)
    ax.set_axisbelow(True)

    handles, labels = ax.get_legend_handles_labels()
    if any(future):
        handles.append(Patch(facecolor="white", edgecolor=MUTED, hatch="///"))
        labels.append(_t(lang, "plan"))
    ax.legend(handles, labels, loc="upper left", ncols=3)
    if others:
        ax.set_title(_t(lang, "currency_note", currency=currency, others=", ".join(others)), fontsize=9, color=MUTED)
    _fit_margins(fig, ax, subtitle=bool(others))

    span = (months[0], months[-1])
    alt = _t(lang, "money_alt", first=f"{span[0]:%Y-%m}", last=f"{span[1]:%Y-%m}", currency=currency)
    return fig, alt


def money_chart(
    months: list[date], due: dict[str, list[Decimal]], received: dict[str, list[Decimal]], today: date, lang: str,
    *, scope: str = "",
) -> Image:
    """Draw money due vs received per month (future months lighter and hatched, as the plan); ``scope`` names a
    filter the figures are under (an owner, a counterparty), after the title."""
    with _style(_chart_lang(lang)):
        fig, alt = _money_figure(months, due, received, today, lang)
        alt = _scoped(fig, alt, scope)
        data = _png(fig)
    return Image(data=data, filename=f"money-{today:%Y-%m}.png", title=alt)


def _scoped(fig: Figure, alt: str, scope: str) -> str:
    """Put a filter after the chart's title (and its alt text): a chart sent on must not pass for the whole team's."""
    if not scope or not fig.texts:
        return alt
    title = fig.texts[0].get_text()
    shown = scope if _drawable(scope) else ""
    if shown:
        fig.suptitle(f"{title} · {shown}", fontsize=13)
    return f"{alt} · {scope}"


# --- 2. receivables ageing -----------------------------------------------------------------------------------


@_styled
def _ageing_figure(buckets: dict[str, list[Decimal]], lang: str) -> tuple[Figure, str]:
    lang = _chart_lang(lang)
    rows = {c: _as_floats(v, 5) for c, v in buckets.items()}
    rows = {c: v for c, v in rows.items() if any(v)}
    ordered = sorted(rows, key=lambda c: (-sum(rows[c]), c))
    shown, hidden = ordered[:MAX_AGEING_CURRENCIES], ordered[MAX_AGEING_CURRENCIES:]
    fig = _new_figure(constrained=not shown)
    _title(fig, _t(lang, "ageing"))
    if not shown:
        _no_data(fig, lang)
        return fig, _t(lang, "ageing") + " — " + _t(lang, "no_data")

    names = [_t(lang, f"bucket_{i}") for i in range(5)]
    # one row per currency, each with its own amount axis: amounts in different currencies don't add up
    axes = fig.subplots(len(shown), 1, squeeze=False)[:, 0]
    for ax, currency in zip(axes, shown):
        values = rows[currency]
        total = sum(values)
        left = 0.0
        for i, value in enumerate(values):
            if value <= 0:
                continue
            ax.barh(0, value, left=left, height=0.5, color=BUCKET_COLOURS[i], edgecolor="white")
            if value / total >= 0.06:  # label the segment when it is wide enough to hold it
                colour = "white" if i in (0, 4) else "black"
                ax.text(left + value / 2, 0, short_amount(value, lang), ha="center", va="center", color=colour)
            left += value
        ax.set_xlim(0, total * 1.02)
        ax.set_ylim(-0.55, 0.55)
        ax.set_yticks([0], [f"{currency}\n{short_amount(total, lang)}"])
        ax.tick_params(axis="y", length=0, labelsize=10)
        ax.xaxis.set_major_formatter(_amount_axis(lang, total))
        ax.xaxis.set_major_locator(MaxNLocator(nbins=6))
        ax.spines["left"].set_visible(False)
        ax.grid(axis="x", alpha=0.3)
        ax.set_axisbelow(True)
    legend = [Patch(facecolor=BUCKET_COLOURS[i], label=names[i]) for i in range(5)]
    key = fig.legend(handles=legend, loc="lower center", ncols=5, fontsize=9, bbox_to_anchor=(0.5, 0.0))
    if hidden:
        axes[-1].set_xlabel(_t(lang, "currency_note", currency=", ".join(shown), others=", ".join(hidden)))
    _fit_margins(fig, list(axes), key)

    return fig, _t(lang, "ageing_alt", currencies=", ".join(shown))


def ageing_chart(buckets: dict[str, list[Decimal]], lang: str, *, scope: str = "") -> Image:
    """Draw receivables ageing: one stacked bar per currency, from not yet due (green) to over 90 days (red)."""
    with _style(_chart_lang(lang)):
        fig, alt = _ageing_figure(buckets, lang)
        alt = _scoped(fig, alt, scope)
        data = _png(fig)
    return Image(data=data, filename="ageing.png", title=alt)


# --- 3. on-time rate per kind --------------------------------------------------------------------------------


def _rate_colour(rate: float) -> str:
    if rate >= 0.9:
        return ON_TIME_COLOUR
    if rate >= 0.7:
        return "#f9a825"
    return LATE_COLOUR


@_styled
def _ontime_figure(rows: list[tuple[str, int, int]], lang: str) -> tuple[Figure, str]:
    lang = _chart_lang(lang)
    fig = _new_figure(constrained=not rows)
    _title(fig, _t(lang, "ontime"))
    if not rows:
        _no_data(fig, lang)
        return fig, _t(lang, "ontime") + " — " + _t(lang, "no_data")

    ax = fig.add_subplot()
    summary = []
    for y, (kind, on_time, completed) in enumerate(rows):
        label = _kind_label(kind, lang)
        if completed <= 0:
            ax.text(1, y, f"{_t(lang, 'none_done')} (0/0)", va="center", color=MUTED)
            summary.append(f"{label} —")
            continue
        rate = on_time / completed
        ax.barh(y, rate * 100, height=0.6, color=_rate_colour(rate))
        ax.text(rate * 100 + 1, y, f"{rate:.0%}  ({on_time}/{completed})", va="center")
        summary.append(f"{label} {rate:.0%}")
    ax.set_yticks(range(len(rows)), [_kind_label(kind, lang) for kind, _, _ in rows])
    ax.set_ylim(max(len(rows), 3) - 0.5, -0.5)  # the first row on top; one or two rows stay bar-sized
    ax.set_xlim(0, 118)  # room for the "83% (5/6)" label right of a full bar
    ax.set_xticks(range(0, 101, 20))
    ax.set_xlabel(_t(lang, "ontime_axis"))
    ax.tick_params(axis="y", length=0, labelsize=10)
    ax.grid(axis="x", alpha=0.3)
    ax.set_axisbelow(True)
    _fit_margins(fig, ax)
    return fig, _t(lang, "ontime_alt", summary=", ".join(summary))


def ontime_chart(rows: list[tuple[str, int, int]], lang: str, *, scope: str = "") -> Image:
    """Draw the on-time rate per milestone kind from (kind, on_time_count, completed_count) rows."""
    with _style(_chart_lang(lang)):
        fig, alt = _ontime_figure(rows, lang)
        alt = _scoped(fig, alt, scope)
        data = _png(fig)
    return Image(data=data, filename="ontime.png", title=alt)


# --- 4. one contract's timeline ------------------------------------------------------------------------------


class _ChineseDateFormatter(mdates.ConciseDateFormatter):
    """Concise dates in Chinese: 2027年, 3月, 15日 (strftime has no portable way to drop the leading zero)."""

    def format_ticks(self, values: Sequence[float]) -> list[str]:
        return [_drop_leading_zeros(label) for label in super().format_ticks(values)]

    def get_offset(self) -> str:
        return _drop_leading_zeros(super().get_offset())


def _drop_leading_zeros(label: str) -> str:
    """02月 -> 2月, 2027年02月05日 -> 2027年2月5日."""
    return re.sub(r"(?<!\d)0(\d)", r"\1", label)


def _date_formatter(locator: mdates.AutoDateLocator, lang: str) -> mdates.ConciseDateFormatter:
    if lang == "zh":
        return _ChineseDateFormatter(
            locator,
            formats=["%Y年", "%m月", "%d日", "%H:%M", "%H:%M", "%S"],
            zero_formats=["", "%Y年", "%m月", "%m-%d", "%H:%M", "%H:%M"],
            offset_formats=["", "%Y年", "%Y年%m月", "%Y-%m-%d", "%Y-%m-%d", "%Y-%m-%d %H:%M"],
        )
    return mdates.ConciseDateFormatter(locator)


def _days_late(ax: Axes, at: date, y: int, days: int, lang: str) -> None:
    """Write how many days late an item is, just right of its end marker."""
    label = _t(lang, "days_late", n=days)
    ax.annotate(
        label,
        (mdates.date2num(at), y),
        xytext=(7, 0),
        textcoords="offset points",
        va="center",
        fontsize=8,
        color=LATE_COLOUR,
    )


def _fit_margins(fig: Figure, axes: Axes | Sequence[Axes], legend: Legend | None = None, *,
                 subtitle: bool = False) -> None:
    """Place a chart's axes (stacked in one column) between what surrounds them, measured, not laid out by the
    layout engine.

    Measured with the figure's own renderer, so the text layouts are reused when the figure is drawn: the y tick
    labels and the y label on the left, the x tick labels, the x axis offset ("2027"), the x label and a figure
    legend below (and between stacked axes, their x tick labels), the title and the first axes' subtitle above.
    The constrained layout engine would measure every artist twice more, which is most of a chart's drawing time.
    """
    stack = [axes] if isinstance(axes, Axes) else list(axes)
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    width, height = fig.bbox.width, fig.bbox.height
    points = fig.dpi / 72
    pad = 6 * points

    def size(texts: Sequence[Text], along: str) -> float:
        sizes = [getattr(t.get_window_extent(renderer), along) for t in texts if t.get_visible() and t.get_text()]
        return max(sizes, default=0.0)

    def below(ax: Axes) -> float:
        # the x labels are not measured but counted: their lines (the formatter's own text, without making the
        # tick artists) and the offset ("2027") a line below them, each a line of the tick label size
        xaxis = ax.xaxis
        labels = xaxis.get_major_formatter().format_ticks(list(xaxis.get_major_locator()()))
        lines = max((str(t).count("\n") + 1 for t in labels), default=1)
        lines += 1 if xaxis.get_major_formatter().get_offset() else 0
        line = FontProperties(size=matplotlib.rcParams["xtick.labelsize"]).get_size_in_points() * 1.3 * points
        out = lines * line + (xaxis.get_tick_padding() + 2) * points
        if ax.get_xlabel():
            out += size([ax.xaxis.label], "height") + ax.xaxis.labelpad * points
        return out

    left = 0.0
    for ax in stack:
        side = size(ax.get_yticklabels(), "width") + (ax.yaxis.get_tick_padding() + 2) * points
        if ax.get_ylabel():
            side += size([ax.yaxis.label], "width") + ax.yaxis.labelpad * points
        left = max(left, side + pad)
    bottom = below(stack[-1]) + pad + (legend.get_window_extent(renderer).height if legend is not None else 0.0)
    top = pad + size(fig.texts, "height") * 1.3  # the title is the figure's one text
    if subtitle:
        top += size([stack[0].title], "height") + 8 * points
    bottom, top = min(0.45, bottom / height), 1 - min(0.3, top / height)
    gaps = [below(ax) + pad for ax in stack[:-1]]
    gap = max(gaps, default=0.0) / height  # between stacked axes, as a share of the figure
    each = (top - bottom - gap * len(gaps)) / len(stack)
    fig.subplots_adjust(left=min(0.45, left / width), right=1 - 2 * pad / width, bottom=bottom, top=top,
                        hspace=gap / each if each > 0 else 0.2)


def _row_label(title: str, index: int) -> str:
    """A milestone title for a row; without a CJK font, Chinese titles become their row number."""
    return shorten(title) if _drawable(title) else f"#{index + 1}"


@_styled
def _timeline_figure(
    number: str, items: list[tuple[str, date, date | None, bool]], today: date, lang: str
) -> tuple[Figure, str]:
    lang = _chart_lang(lang)
    shown_number = number if _drawable(number) else _safe_filename(number, "?")
    hidden = max(0, len(items) - MAX_TIMELINE_ROWS)
    rows = items[:MAX_TIMELINE_ROWS]
    fig = _new_figure(max(HEIGHT_IN, min(12.0, 1.8 + 0.3 * len(rows))), constrained=bool(not rows))
    _title(fig, _t(lang, "timeline", number=shown_number))
    if not rows:
        _no_data(fig, lang)
        return fig, _t(lang, "timeline", number=shown_number) + " — " + _t(lang, "no_data")

    ax = fig.add_subplot()
    late = open_late = 0
    days: list[date] = [today]
    num = mdates.date2num
    # one line per style (segments split by NaN) rather than three per row: a chart's cost is its artists
    segments: dict[str, tuple[list[float], list[float]]] = {k: ([], []) for k in ("on_time", "late", "open_late")}
    ends: dict[str, tuple[list[float], list[float]]] = {k: ([], []) for k in ("on_time", "late", "open_late")}
    plan_x: list[float] = []
    for y, (_name, planned, done, is_open) in enumerate(rows):
        days.append(planned)
        plan_x.append(num(planned))
        if done is not None and not is_open:  # completed
            days.append(done)
            style = "late" if done > planned else "on_time"
            late += style == "late"
            end = done
        elif is_open and today > planned:  # still open and overdue: runs on to today
            open_late += 1
            style, end = "open_late", today
        else:
            continue
        segments[style][0].extend((num(planned), num(end), math.nan))
        segments[style][1].extend((y, y, math.nan))
        ends[style][0].append(num(end))
        ends[style][1].append(y)
        if style != "on_time":
            _days_late(ax, end, y, (end - planned).days, lang)
    looks = {"on_time": (ON_TIME_COLOUR, "-", 2.5, "o"), "late": (LATE_COLOUR, "-", 2.5, "o"),
             "open_late": (LATE_COLOUR, "--", 2.0, ">")}
    for style, (colour, dash, width, marker) in looks.items():
        if ends[style][0]:
            ax.plot(*segments[style], color=colour, linewidth=width, linestyle=dash, solid_capstyle="round", zorder=2)
            # on top of the planned diamond: a milestone done on its due day shows its green dot, not just the plan
            ax.plot(*ends[style], marker, color=colour, markersize=7, zorder=6)
    ax.plot(plan_x, range(len(rows)), "D", markerfacecolor="white", markeredgecolor=PLAN_COLOUR, markersize=7,
            zorder=5)

    ax.axvline(num(today), color=TODAY_COLOUR, linewidth=1.2, zorder=1)
    ax.text(num(today), -0.75, " " + _t(lang, "today"), color=TODAY_COLOUR, va="bottom", ha="left", fontsize=8)
    first, last = min(days), max(days)
    span = last - first
    # the right margin holds the "+51d" label of an item that ends on the last day
    ax.set_xlim(num(first - max(timedelta(days=5), span * 0.05)), num(last + max(timedelta(days=12), span * 0.12)))
    # first row on top, a band above it for the "today" label; a few rows keep their size
    ax.set_ylim(max(len(rows), 4) - 0.4, -1.0)
    ax.set_yticks(range(len(rows)), [_row_label(title, i) for i, (title, *_rest) in enumerate(rows)])
    ax.tick_params(axis="y", length=0)
    locator = mdates.AutoDateLocator(minticks=4, maxticks=9)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(_date_formatter(locator, lang))
    ax.grid(axis="x", alpha=0.3)
    ax.set_axisbelow(True)

    legend = [
        Line2D([], [], marker="D", linestyle="", markerfacecolor="white", markeredgecolor=PLAN_COLOUR),
        Line2D([], [], marker="o", color=ON_TIME_COLOUR, linewidth=2.5),
        Line2D([], [], marker="o", color=LATE_COLOUR, linewidth=2.5),
        Line2D([], [], marker=">", color=LATE_COLOUR, linewidth=2, linestyle="--"),
        Line2D([], [], color=TODAY_COLOUR, linewidth=1.2),
    ]
    names = [_t(lang, k) for k in ("planned", "on_time", "late", "open_late", "today")]
    key = fig.legend(legend, names, loc="lower center", ncols=5, bbox_to_anchor=(0.5, 0.0))
    if hidden:
        ax.set_title(_t(lang, "more", n=hidden), fontsize=9, color=MUTED)
    _fit_margins(fig, ax, key, subtitle=bool(hidden))
    alt = _t(lang, "timeline_alt", number=number, total=len(items), late=late, open_late=open_late)
    return fig, alt


def timeline_chart(number: str, items: list[tuple[str, date, date | None, bool]], today: date, lang: str) -> Image:
    """Draw a contract's milestones: planned vs actual dates, late in red, open overdue ones up to today."""
    with _style(_chart_lang(lang)):
        fig, alt = _timeline_figure(number, items, today, lang)
        data = _png(fig)
    filename = f"timeline-{_safe_filename(number, 'contract')}.png"
    return Image(data=data, filename=filename, title=alt)
