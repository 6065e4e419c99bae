"""The figures' charts: tickets per day with the on-time line, resolution time per category,
and room use against the 80 % target. Each is a 1200 × 900 PNG with large type, so it stays
readable in a phone's chat; every text is drawn in the CJK font of ``fonts``."""

from __future__ import annotations

import asyncio
import io
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

import matplotlib as mpl
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from bot.charts.fonts import cjk_font
from bot.i18n import Translator
from bot.rules.figures import UTILISATION_TARGET, Figures
from bot.texts.figures import Names, category_name, period_text

SIZE = (8.0, 6.0)  # inches, at DPI: 1200 x 900 pixels
DPI = 150
BLUE, GREEN, ORANGE, GREY = "#2b6cb0", "#38a169", "#dd6b20", "#a0aec0"


@dataclass(frozen=True)
class Chart:
    name: str  # "tickets", "categories", "rooms"
    png: bytes


@contextmanager
def _style() -> Iterator[None]:
    font = cjk_font()
    with mpl.rc_context(
        {
            "font.family": [font.family],
            "font.size": 13,
            "axes.titlesize": 17,
            "axes.labelsize": 14,
            "legend.fontsize": 12,
            "axes.spines.top": False,
            "axes.unicode_minus": False,
        }
    ):
        yield


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    FigureCanvasAgg(figure).print_png(buffer)
    return buffer.getvalue()


def _figure() -> tuple[Figure, Axes]:
    figure = Figure(figsize=SIZE, dpi=DPI, layout="constrained")
    return figure, figure.subplots()


def tickets_per_day(tr: Translator, f: Figures) -> Chart:
    """Bars of tickets opened and resolved per day; the line is the share resolved on time."""
    with _style():
        figure, ax = _figure()
        days = f.tickets.per_day
        dates = [f.period.first + timedelta(days=i) for i in range(len(days))]
        labels = [str(d.day) for d in dates]
        x = list(range(len(days)))
        width = 0.4
        ax.bar([i - width / 2 for i in x], [d.opened for d in days], width, color=BLUE,
               label=tr._("opened"))  # fmt: skip
        ax.bar([i + width / 2 for i in x], [d.resolved for d in days], width, color=GREEN,
               label=tr._("resolved"))  # fmt: skip
        ax.set_xticks(x, labels, fontsize=10 if len(x) > 14 else 13)
        ax.set_ylabel(tr._("tickets"))
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_title(tr._("Tickets per day, {period}", period=period_text(tr, f.period)))
        share = ax.twinx()
        points = [(i, 100 * d.resolved_on_time / d.resolved) for i, d in zip(x, days, strict=True)
                  if d.resolved]  # fmt: skip
        share.plot([p[0] for p in points], [p[1] for p in points], color=ORANGE, marker="o",
                   linewidth=2.5, label=tr._("resolved on time (%)"))  # fmt: skip
        share.set_ylim(0, 105)
        share.set_ylabel(tr._("on time (%)"))
        handles = ax.get_legend_handles_labels()
        extra = share.get_legend_handles_labels()
        ax.legend(handles[0] + extra[0], handles[1] + extra[1], loc="upper right", framealpha=0.9)
        ax.set_ylim(0, max([d.opened for d in days] + [d.resolved for d in days] + [1]) * 1.3)
        return Chart("tickets", _png(figure))


def resolution_by_category(tr: Translator, f: Figures, names: Names) -> Chart | None:
    """Median (bar) and 90th percentile (mark) of resolution hours per category; None when
    nothing was resolved."""
    rows = [(category_name(tr, code, names), g.resolution)
            for code, g in f.tickets.by_category.items() if g.resolution.count]  # fmt: skip
    if not rows:
        return None
    with _style():
        figure, ax = _figure()
        rows.sort(key=lambda r: r[1].median or 0)
        y = list(range(len(rows)))
        ax.barh(y, [(d.median or 0) / 3600 for _, d in rows], color=BLUE, label=tr._("median"))
        ax.plot([(d.p90 or 0) / 3600 for _, d in rows], y, "D", color=ORANGE, markersize=9,
                label=tr._("90% within"))  # fmt: skip
        ax.set_yticks(y, [name for name, _ in rows])
        ax.set_xlabel(tr._("hours (service hours)"))
        ax.set_title(tr._("Resolution time per category"))
        ax.legend(loc="lower right")
        return Chart("categories", _png(figure))


def room_use(tr: Translator, f: Figures) -> Chart | None:
    """Each room's booked share of its open time, against the 80 % target; None without
    rooms."""
    if not f.rooms:
        return None
    with _style():
        figure, ax = _figure()
        y = list(range(len(f.rooms)))
        values = [float(r.use) * 100 for r in f.rooms]
        colors = [GREEN if r.meets_target else GREY for r in f.rooms]
        ax.barh(y, values, color=colors)
        target = float(UTILISATION_TARGET) * 100
        ax.axvline(target, color=ORANGE, linewidth=2.5, linestyle="--",
                   label=tr._("target {share}%", share=round(target)))  # fmt: skip
        for i, value in zip(y, values, strict=True):
            ax.text(min(value, 95) + 1, i, f"{value:.0f}%", va="center")
        ax.set_yticks(y, [tr.name(r.names) for r in f.rooms])
        ax.set_xlim(0, 105)
        ax.set_xlabel(tr._("booked share of open hours (%)"))
        ax.set_title(tr._("Room use, {period}", period=period_text(tr, f.period)))
        ax.legend(loc="lower right")
        return Chart("rooms", _png(figure))


#: matplotlib's settings (rcParams) are one per process: one drawing at a time.
_DRAWING = threading.Lock()


def charts(tr: Translator, f: Figures, names: Names) -> list[Chart]:
    """Every chart that has something to show (raises ``MissingFontError`` without a font)."""
    with _DRAWING:
        found = [tickets_per_day(tr, f), resolution_by_category(tr, f, names), room_use(tr, f)]
    return [c for c in found if c is not None]


async def draw(tr: Translator, f: Figures, names: Names) -> list[Chart]:
    """``charts`` in a worker thread, so the bot keeps answering others while it draws."""
    return await asyncio.to_thread(charts, tr, f, names)
