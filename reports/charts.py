"""Charts as inline SVG text (matplotlib, no display needed): points by branch and clause, the
spread of pay, and a year's month-over-month trend. Text stays text in the SVG (``svg.fonttype``
none), so Chinese names are drawn by the browser's fonts and can be selected and searched."""

from __future__ import annotations

import io
import warnings
from collections.abc import Sequence
from decimal import Decimal

import matplotlib

matplotlib.use("Agg")  # files only: no display on a server

import matplotlib.pyplot as plt
from matplotlib import font_manager

from kamkit.explain import CNY, POINTS

from .view import PeriodView

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


def _svg(fig) -> str:
    out = io.StringIO()
    with warnings.catch_warnings():  # no CJK font here is fine: the browser draws the text
        warnings.filterwarnings("ignore", message="Glyph .* missing from font")
        fig.savefig(out, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)
    text = out.getvalue()
    return text[text.index("<svg") :]  # inline: no XML prolog or doctype


def points_by_branch(view: PeriodView) -> str | None:
    """Stacked bars: points docked per branch, one colour per clause."""
    branches: dict[str, dict[str, Decimal]] = {}
    for p in view.people:
        for clause, points in p.by_clause.items():
            per = branches.setdefault(p.branch or "—", {})
            per[clause] = per.get(clause, Decimal(0)) + points
    if not branches:
        return None
    names = sorted(branches)
    with plt.rc_context(_STYLE):
        fig, ax = plt.subplots(figsize=(7, 3.2))
        bottom = [0.0] * len(names)
        for clause in view.clauses:
            heights = [float(branches[b].get(clause, 0)) for b in names]
            ax.bar(names, heights, bottom=bottom, label=clause)
            bottom = [a + b for a, b in zip(bottom, heights)]
        ax.set_ylabel("points 扣分")
        ax.set_title(f"Points by branch and clause — {view.period}")
        ax.legend(fontsize=7, frameon=False, bbox_to_anchor=(1.01, 1), loc="upper left")
        return _svg(fig)


def top_people(view: PeriodView, unit: str = POINTS, count: int = 10) -> str | None:
    """Horizontal bars: who lost the most points (or was paid the most), by name."""
    ranked = sorted((p for p in view.people if p.totals.get(unit)), key=lambda p: (-p.totals[unit], p.name))[
        :count
    ]
    if not ranked:
        return None
    with plt.rc_context(_STYLE):
        fig, ax = plt.subplots(figsize=(7, 0.6 + 0.28 * len(ranked)))
        ax.barh(
            [f"{p.name} ({p.branch})" if p.branch else p.name for p in reversed(ranked)],
            [float(p.totals[unit]) for p in reversed(ranked)],
            color="#c44e52" if unit == POINTS else "#55a868",
        )
        ax.set_xlabel("points 扣分" if unit == POINTS else "CNY 元")
        ax.set_title(("Most points docked" if unit == POINTS else "Highest pay") + f" — {view.period}")
        return _svg(fig)


def pay_distribution(view: PeriodView) -> str | None:
    """Histogram of each person's pay for the period."""
    pay = [float(p.totals[CNY]) for p in view.people if CNY in p.totals]
    if not pay:
        return None
    with plt.rc_context(_STYLE):
        fig, ax = plt.subplots(figsize=(7, 3.2))
        ax.hist(pay, bins=min(20, max(5, len(pay) // 3)), color="#4c72b0", edgecolor="white")
        ax.set_xlabel("pay for the period, CNY 元")
        ax.set_ylabel("people 人数")
        ax.set_title(f"How pay is spread — {view.period} ({len(pay)} people)")
        return _svg(fig)


def trend(views: Sequence[PeriodView], unit: str = POINTS) -> str | None:
    """The line's total per period over a year (months or quarters), from oldest to newest."""
    points = [(v.period, float(v.totals.get(unit, 0))) for v in views]
    if len(points) < 2:
        return None
    with plt.rc_context(_STYLE):
        fig, ax = plt.subplots(figsize=(7, 2.8))
        ax.plot([p for p, _ in points], [t for _, t in points], marker="o", color="#c44e52")
        ax.set_ylabel("points 扣分" if unit == POINTS else "CNY 元")
        ax.set_title("Period over period — " + ("points docked" if unit == POINTS else "pay"))
        ax.tick_params(axis="x", labelrotation=45)
        ax.set_ylim(bottom=0)
        return _svg(fig)
