"""Charts as inline SVG text (matplotlib, no display needed): points by branch and clause, the
spread of pay, the trend of the line's months (or quarters) up to this one, and each indicator
of the period against its standard. Text stays text
in the SVG (``svg.fonttype`` none), so Chinese names are drawn by the browser's fonts and can be
selected and searched.

Nothing is cut off: long names are wrapped, each figure is laid out so that every label lies
inside it (constrained layout; an indicator's chart, of which a page has many, is placed once by
``_fit`` and drawn once), and the saved SVG keeps room for the browser drawing Chinese wider than
matplotlib measured it (see ``_browser_pad``). Each chart has a ``*_figure`` function giving the
matplotlib figure itself (tests measure it), and one giving its SVG."""

from __future__ import annotations

import io
import re
import warnings
from collections.abc import Iterable, Sequence
from decimal import Decimal

import matplotlib

matplotlib.use("Agg")  # files only: no display on a server

import matplotlib.pyplot as plt
from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.text import Text
from matplotlib.ticker import FuncFormatter, MaxNLocator
from matplotlib.transforms import offset_copy

from kamkit.explain import CNY, POINTS

from .view import IndicatorRow, PeriodTotals, PeriodView, change, comparable, display_width, indicator_text

# Chinese fonts, where installed, only to measure labels (the SVG keeps text as text); matplotlib
# falls back along the list glyph by glyph
_STYLE = {
    "svg.fonttype": "none",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "font.family": [
        f
        for f in ("DejaVu Sans", "WenQuanYi Zen Hei", "Noto Sans CJK SC", "Microsoft YaHei")
        if f in {font.name for font in font_manager.fontManager.ttflist}
    ]
    + ["sans-serif"],
    "svg.hashsalt": "kam",
}  # a fixed salt: the same period draws the same file
LABEL_COLUMNS = 24  # a label's line at most this wide (a Chinese character counts two)
_PAD = 0.1  # inches around the saved drawing (matplotlib's default)


def _svg(fig: Figure | None, *, tight: bool = True) -> str | None:
    """The figure as inline SVG text (and closed); None for no figure. ``tight``: cropped to what
    is drawn (laid out by its layout engine); off for a figure already placed inside its edges
    (``_fit``), which is then drawn once."""
    if fig is None:
        return None
    out = io.StringIO()
    with plt.rc_context(_STYLE), warnings.catch_warnings():
        # no CJK font here is fine: the browser draws the text, and _browser_pad leaves it room
        warnings.filterwarnings("ignore", message="Glyph .* missing from font")
        crop = {"bbox_inches": "tight", "pad_inches": _PAD} if tight else {}
        fig.savefig(out, format="svg", metadata={"Date": None}, **crop)
        room = _browser_pad(fig) * 72  # points: the SVG's unit (measures the texts, draws nothing)
    plt.close(fig)
    text = out.getvalue()
    return _widen(text[text.index("<svg") :], room)  # inline: no XML prolog or doctype


def _widen(svg: str, room: float) -> str:
    """The SVG with ``room`` points more on its left and right (Chinese drawn wider than measured
    grows sideways: right-aligned labels to the left, legends to the right, titles both ways)."""
    if room <= 0:
        return svg
    head = svg[: svg.index(">")]
    x, y, w, h = (float(v) for v in re.search(r'viewBox="([^"]+)"', head).group(1).split())
    width = float(re.search(r'width="([\d.]+)pt"', head).group(1))
    new = re.sub(r'viewBox="[^"]+"', f'viewBox="{x - room:f} {y:f} {w + 2 * room:f} {h:f}"', head, count=1)
    new = re.sub(r'width="[\d.]+pt"', f'width="{width + 2 * room:f}pt"', new, count=1)
    return new + svg[len(head) :]


def _browser_pad(fig: Figure) -> float:
    """Inches the browser may draw a text beyond where matplotlib measured it. Without a Chinese
    font installed (a server seldom has one), matplotlib measures a Chinese character as a narrow
    missing-glyph box; the clerk's browser draws it a full em wide. The widest such shortfall of
    any line of any text, kept on both sides of the drawing, keeps every text inside the SVG
    (0 where a Chinese font measured it)."""
    renderer = fig.canvas.get_renderer()
    widest = 0.0
    for text in fig.findobj(Text):
        if not text.get_visible() or not text.get_text():
            continue
        props = text.get_fontproperties()
        em = props.get_size_in_points() * fig.dpi / 72
        for line in text.get_text().split("\n"):
            short = sum(max(0.0, em - _width(renderer, ch, props)) for ch in line if display_width(ch) == 2)
            widest = max(widest, short)
    return widest / fig.dpi


_WIDTHS: dict[tuple[str, int, float], float] = {}  # (line, font (as FontProperties compares), dpi)


def _width(renderer, line: str, props: font_manager.FontProperties) -> float:
    """How wide matplotlib draws one line of text, in pixels. Kept: a page's charts name the same
    people, each page the same again, and a measurement costs 0.1-0.4 ms."""
    key = (line, hash(props), renderer.dpi)
    if key not in _WIDTHS:
        if len(_WIDTHS) >= 20_000:
            _WIDTHS.clear()
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="Glyph .* missing from font")  # as in _svg
            _WIDTHS[key] = renderer.get_text_width_height_descent(line, props, ismath=False)[0]
    return _WIDTHS[key]


def wrap(text: str, columns: int = LABEL_COLUMNS) -> str:
    """``text`` on lines at most ``columns`` wide: broken at spaces, between Chinese characters
    (which have no spaces between them), and inside a word longer than a line."""
    lines = [""]
    for piece in _pieces(text, columns):
        if piece == " ":
            lines[-1] += " " if lines[-1] else ""
            continue
        if lines[-1].strip() and display_width(lines[-1] + piece) > columns:
            lines.append("")
        lines[-1] += piece
    return "\n".join(line.strip() for line in lines)


def _pieces(text: str, columns: int) -> Iterable[str]:
    """Words, single spaces and single wide characters; a word wider than a line in chunks."""
    word = ""
    for ch in text + " ":
        if ch.isspace() or display_width(ch) == 2:
            while word:
                yield word[:columns]
                word = word[columns:]
            yield " " if ch.isspace() else ch
        else:
            word += ch


def _lines(labels: Sequence[str]) -> int:
    return sum(label.count("\n") + 1 for label in labels)


def points_by_branch_figure(view: PeriodView) -> Figure | None:
    """Stacked horizontal bars: points docked per branch, one colour per clause (horizontal, so a
    long branch name has the width of the page rather than the width of its bar)."""
    branches: dict[str, dict[str, Decimal]] = {}
    for p in view.people:
        for clause, points in p.by_clause.items():
            per = branches.setdefault(p.branch or "—", {})
            per[clause] = per.get(clause, Decimal(0)) + points
    if not branches:
        return None
    names = sorted(branches, reverse=True)  # top to bottom in name order
    labels = [wrap(b) for b in names]
    with plt.rc_context(_STYLE):
        fig, ax = plt.subplots(
            figsize=(7, 1.3 + 0.2 * _lines(labels) + 0.1 * len(names)), layout="constrained"
        )
        left = [0.0] * len(names)
        for clause in view.clauses:
            widths = [float(branches[b].get(clause, 0)) for b in names]
            ax.barh(labels, widths, left=left, label=wrap(clause, 16))
            left = [a + b for a, b in zip(left, widths)]
        ax.set_xlabel("points 扣分")
        ax.set_title(f"Points by branch and clause — {view.period}")
        ax.legend(fontsize=7, frameon=False, bbox_to_anchor=(1.01, 1), loc="upper left")
        return fig


def points_by_branch(view: PeriodView) -> str | None:
    return _svg(points_by_branch_figure(view))


def top_people_figure(view: PeriodView, unit: str = POINTS, count: int = 10) -> Figure | None:
    """Horizontal bars: who lost the most points (or was paid the most), by name."""
    ranked = sorted((p for p in view.people if p.totals.get(unit)), key=lambda p: (-p.totals[unit], p.name))[
        :count
    ]
    if not ranked:
        return None
    labels = [wrap(f"{p.name} ({p.branch})" if p.branch else p.name) for p in reversed(ranked)]
    with plt.rc_context(_STYLE):
        fig, ax = plt.subplots(
            figsize=(7, 1.0 + 0.2 * _lines(labels) + 0.08 * len(ranked)), layout="constrained"
        )
        ax.barh(
            labels,
            [float(p.totals[unit]) for p in reversed(ranked)],
            color="#c44e52" if unit == POINTS else "#55a868",
        )
        ax.set_xlabel("points 扣分" if unit == POINTS else "CNY 元")
        ax.set_title(("Most points docked" if unit == POINTS else "Highest pay") + f" — {view.period}")
        return fig


def top_people(view: PeriodView, unit: str = POINTS, count: int = 10) -> str | None:
    return _svg(top_people_figure(view, unit, count))


def pay_distribution_figure(view: PeriodView) -> Figure | None:
    """Histogram of each person's pay for the period."""
    pay = [float(p.totals[CNY]) for p in view.people if CNY in p.totals]
    if not pay:
        return None
    with plt.rc_context(_STYLE):
        fig, ax = plt.subplots(figsize=(7, 3.2), layout="constrained")
        ax.hist(pay, bins=min(20, max(5, len(pay) // 3)), color="#4c72b0", edgecolor="white")
        ax.set_xlabel("pay for the period, CNY 元")
        ax.set_ylabel("people 人数")
        ax.set_title(f"How pay is spread — {view.period} ({len(pay)} people)")
        return fig


def pay_distribution(view: PeriodView) -> str | None:
    return _svg(pay_distribution_figure(view))


def trend_figure(
    history: Sequence[PeriodView | PeriodTotals], unit: str = POINTS, *, current: str | None = None
) -> Figure | None:
    """The line's total per period up to ``current`` (default: the last given), oldest first:
    months only for a month, quarters only for a quarter (``view.comparable``); the title names
    the period and the one it is compared with."""
    current = current if current is not None else (history[-1].period if history else "")
    series = comparable(history, current)
    moved = change(series, unit)
    if moved is None:
        return None
    each = "Quarter over quarter" if "Q" in current else "Month over month"
    what = "points docked" if unit == POINTS else "pay"
    with plt.rc_context(_STYLE):
        fig, ax = plt.subplots(figsize=(7, 3.0), layout="constrained")
        ax.plot(
            [s.period for s in series],
            [float(s.totals.get(unit, 0)) for s in series],
            marker="o",
            color="#c44e52",
        )
        ax.set_ylabel("points 扣分" if unit == POINTS else "CNY 元")
        ax.set_title(f"{each} — {what}\n{moved.text()}")
        ax.tick_params(axis="x", labelrotation=45)
        ax.set_ylim(bottom=min(0, *(float(s.totals.get(unit, 0)) for s in series)))
        return fig


def trend(
    history: Sequence[PeriodView | PeriodTotals], unit: str = POINTS, *, current: str | None = None
) -> str | None:
    return _svg(trend_figure(history, unit, current=current))


DRAWN_MEASURES = ("ratio", "count", "hours")  # a flag (yes or no) is read from the table
MET_COLOURS = {True: "#55a868", False: "#c44e52", None: "#8c9bab"}  # met, not met, not judged


GAP = 3.0  # points between a name and the axis, and between a bar's end and its value


def indicator_figure(rows: Sequence[IndicatorRow]) -> Figure | None:
    """One indicator for one period: a horizontal bar a person with a value (the department
    first, hatched and in bold), green where the standard is met and red where not, its value
    written at its end, the standard a dashed vertical line. Ratios in percent. People for whom
    it is not applicable are not drawn (they have no value; the page lists them): None when
    nobody has one, or for a flag.

    A page draws one of these an indicator, with a bar a person, so each person costs as few
    artists as show them: a rectangle, their name and their value as two texts (not a tick, five
    artists, nor barh's limits grown bar by bar, nor bar_label's annotations). There is no layout
    engine: ``_fit`` places the axes once from the measured texts, and the SVG is drawn once
    (``_svg(tight=False)``), where constrained layout and a tight crop measured every name again
    in each of the three drawings they took."""
    drawn = [r for r in rows if r.applicable]
    if not drawn or drawn[0].measure not in DRAWN_MEASURES:
        return None
    first = drawn[0]
    ratio = first.measure == "ratio"
    scale = 100.0 if ratio else 1.0
    drawn = sorted(drawn, key=lambda r: not r.department)[::-1]  # bottom-up: the department on top
    labels = [wrap(r.name) for r in drawn]
    values = [float(r.value) * scale for r in drawn]
    standard = None if first.standard is None else float(first.standard) * scale
    with plt.rc_context(_STYLE):
        fig = Figure(figsize=(4.8, 1.0 + 0.22 * _lines(labels) + 0.12 * len(drawn)))
        FigureCanvasAgg(fig)  # no pyplot: nothing to register, nothing to close
        ax = fig.add_subplot()
        name_at = offset_copy(ax.get_yaxis_transform(), fig=fig, x=-GAP, units="points")
        after = offset_copy(ax.transData, fig=fig, x=GAP, units="points")  # right of a bar's end
        before = offset_copy(ax.transData, fig=fig, x=-GAP, units="points")  # left of a negative one
        names, written = [], []
        for y, (row, label, value) in enumerate(zip(drawn, labels, values)):
            # add_artist: the limits are set below, not grown a bar at a time (add_patch)
            ax.add_artist(
                Rectangle(
                    (0, y - 0.4),
                    value,
                    0.8,
                    facecolor=MET_COLOURS[row.met],
                    hatch="///" if row.department else None,
                    edgecolor="#1d2733" if row.department else "none",
                )
            )
            weight = "bold" if row.department else "normal"
            names.append(ax.text(0, y, label, transform=name_at, ha="right", va="center", weight=weight))
            shown = indicator_text(row.value, row.measure)
            where = {"transform": after, "ha": "left"} if value >= 0 else {"transform": before, "ha": "right"}
            written.append(ax.text(value, y, shown, va="center", fontsize=7, **where))
        ax.set_yticks([])
        ax.set_ylim(-0.7, len(drawn) - 0.3)
        low = min(0.0, *values, *([standard] if standard is not None else []))
        high = max(0.0, *values, *([standard] if standard is not None else []))
        if high == low:  # every value 0, and so the standard: an axis of whole units (or 0-100%)
            high = low + (100.0 if ratio else 1.0)
        ax.set_xlim(low, high)  # widened by _fit for the values written at the bars' ends
        if standard is not None:
            ax.axvline(standard, color="#1d2733", linestyle="--", linewidth=1.2)
            sign = "≥" if first.better == "higher" else "≤"
            shown = indicator_text(first.standard, first.measure)
            ax.set_xlabel(f"虚线 标准 dashed: standard {sign} {shown}")
        else:
            ax.set_xlabel("无标准 no standard: shown, not judged")
        if ratio:
            ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x:g}%"))
        elif first.measure == "count":
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        # y given: placed once here, not moved clear of the axes' decorations at each drawing
        ax.set_title(wrap(f"{first.name_zh} {first.name_en} — {first.period}", 48), fontsize=9, y=1.0)
        _fit(fig, ax, names, written)
        return fig


def _fit(fig: Figure, ax: Axes, names: Sequence[Text], written: Sequence[Text]) -> None:
    """Place ``ax`` so that everything drawn around it lies inside ``fig``, ``_PAD`` from its
    edges, and widen its x axis so that each value written at a bar's end lies inside the axes:
    the widest name left of it, the x axis's tick labels and label below, the title above. Texts
    are measured line by line as text (each was laid out two or three times more by a layout
    engine). The title and the x label are centred on the axes: where one is wider than the
    axes, the axes gives up width on the right (then the left) until the text fits."""
    renderer = fig.canvas.get_renderer()
    width, height = fig.bbox.width, fig.bbox.height
    pad, gap = _PAD * fig.dpi, GAP * fig.dpi / 72

    def wide(text: Text) -> float:
        return max(_width(renderer, line, text.get_fontproperties()) for line in text.get_text().split("\n"))

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Glyph .* missing from font")  # as in _svg
        left = pad + max(wide(t) for t in names) + gap
        values = [(t.get_position()[0], wide(t) + gap) for t in written]
        # measured at a first guess of the place: what lies above and below does not depend on it
        ax.set_position([left / width, 0.5, 1 - (left + pad) / width, 0.4])
        box = ax.get_window_extent(renderer)
        below = ax.xaxis.get_tightbbox(renderer)  # a handful of tick labels, and the x label
        title = ax.title.get_window_extent(renderer)
        ticks = [t.get_window_extent(renderer).width for t in ax.xaxis.get_ticklabels() if t.get_text()]
        centred = max(ax.xaxis.label.get_window_extent(renderer).width, title.width)
    bottom = pad + box.y0 - below.y0
    top = pad + title.y1 - box.y1
    right = pad + max(ticks, default=0.0) / 2  # the last tick label may be centred on the edge
    x1 = min(width - right, 2 * width - 2 * pad - centred - left)
    x0 = max(left, 2 * pad + centred - x1)
    ax.set_position([x0 / width, bottom / height, (x1 - x0) / width, 1 - (bottom + top) / height])
    # the axis is as long as the longest bar and its value: a value v written w wide ends at
    # (v - low) / (high - low) * length + w, within the length when high is at least this
    length = x1 - x0
    low, high = ax.get_xlim()
    for value, room in values:
        if value >= 0:
            high = max(high, low + (value - low) * length / max(length - room, length / 2))
    for value, room in values:
        if value < 0:
            low = min(low, high - (high - value) * length / max(length - room, length / 2))
    ax.set_xlim(low, high)


def indicator_chart(rows: Sequence[IndicatorRow]) -> str | None:
    return _svg(indicator_figure(rows), tight=False)
