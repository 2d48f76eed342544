"""Participation charts for the report: SVG for HTML and PDF, PNG for Word.

Drawn with matplotlib's object API (`Figure` and the Agg canvas), never `pyplot`, so
no global figure list and no GUI backend is involved, whatever MPLBACKEND says.
matplotlib keeps process-wide state (rcParams, the font cache) and the web renders
reports on worker threads, so drawing holds one lock.

SVG text stays text (`svg.fonttype: none`): it is smaller, searchable, and the leak
check reads it like every other word of the file. `svg.hashsalt` and an empty date
make the same figures give the same bytes, so an export is reproducible.
"""

from __future__ import annotations

import io
import re
import threading
import warnings
from dataclasses import dataclass
from typing import Any

from matplotlib import rc_context
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator
from matplotlib.typing import RcKeyType

from pollinate.core.report import Count, Participation

_LOCK = threading.Lock()
_STYLE: dict[RcKeyType, Any] = {
    "svg.fonttype": "none",
    "svg.hashsalt": "pollinate-report",
    "font.family": ["DejaVu Sans"],  # ships with matplotlib: the same look everywhere
    "font.size": 9,
    "text.parse_math": False,  # a "$" in a roster's region is a dollar, not mathtext
}
_BAR = "#2f6f8f"
PNG_DPI = 200  # sharp on paper at 15 cm wide, a few tens of kilobytes per chart


@dataclass(frozen=True, slots=True)
class Chart:
    """One bar chart: a title and its bars, largest first as the report lists them."""

    title: str
    bars: tuple[Count, ...]


def participation_charts(participation: Participation) -> tuple[Chart, ...]:
    """The three charts of the participation section (empty breakdowns are left out)."""
    charts = (
        Chart(
            "Onsite and online",
            (Count("onsite", participation.onsite), Count("online", participation.online)),
        ),
        Chart("By stakeholder group", participation.by_stakeholder_group),
        Chart("By region", participation.by_region),
    )
    return tuple(chart for chart in charts if chart.bars and participation.total)


def _figure(chart: Chart) -> Figure:
    height = 0.9 + 0.32 * len(chart.bars)  # inches: room for each bar and the title
    figure = Figure(figsize=(6.0, height), layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    labels = [count.label for count in chart.bars][::-1]  # barh draws bottom-up
    values = [count.count for count in chart.bars][::-1]
    bars = axes.barh(labels, values, color=_BAR)
    axes.bar_label(bars, padding=3)
    axes.set_title(chart.title, loc="left", fontweight="bold")
    axes.set_xlabel("People")
    axes.spines[["top", "right"]].set_visible(False)
    axes.set_xlim(0, max(values) * 1.15 + 0.5)
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))  # people come whole
    return figure


def _save(chart: Chart, image_format: str) -> bytes:
    buffer = io.BytesIO()
    with _LOCK, rc_context(_STYLE), warnings.catch_warnings():
        # A label in a script DejaVu Sans lacks (a region typed in Chinese) draws as boxes
        # in the PNG and warns; the SVG keeps the text, and the table beside it is exact.
        warnings.filterwarnings("ignore", message="Glyph .* missing from", category=UserWarning)
        figure = _figure(chart)
        figure.savefig(buffer, format=image_format, dpi=PNG_DPI, metadata=_metadata(image_format))
    return buffer.getvalue()


def _metadata(image_format: str) -> dict[str, str | None]:
    # Without a date the same chart gives the same bytes; PNG has no date by default.
    return {"Date": None} if image_format == "svg" else {}


def chart_svg(chart: Chart, *, id_prefix: str = "") -> str:
    """The chart as an inline `<svg>` element (no XML declaration or DOCTYPE).

    matplotlib numbers the ids inside each drawing from 1 ("patch_1", and a clip path
    named by a hash), so two charts on one page would share ids, and a chart could clip
    to another's path. Several charts on one page each get their own `id_prefix`.
    """
    text = _save(chart, "svg").decode("utf-8")
    return (
        _prefixed(text[text.index("<svg") :], id_prefix)
        if id_prefix
        else text[text.index("<svg") :]
    )


_ID = re.compile(r'\bid="([^"]+)"')
_REFERENCE = re.compile(r'(url\(#|href="#)([^)"]+)')


def _prefixed(svg: str, prefix: str) -> str:
    # Only references to ids the drawing defines change: url(#…) and (xlink:)href="#…".
    ids = set(_ID.findall(svg))
    svg = _ID.sub(lambda m: f'id="{prefix}{m.group(1)}"', svg)
    return _REFERENCE.sub(
        lambda m: m.group(1) + (prefix if m.group(2) in ids else "") + m.group(2), svg
    )


def chart_png(chart: Chart) -> bytes:
    """The chart as a PNG image, for Word documents."""
    return _save(chart, "png")
