"""Static SVG charts and their data tables, for the trends page.

Pure functions from numbers to markup, no Sphinx and no JavaScript.  Charts are
meant to be inlined in an HTML page: text uses ``currentColor`` and marks take
their colour from CSS classes (``roundup-chart-bar``...) that the site's
stylesheet maps to the theme's colour variables, so they follow light and dark
modes; the presentation attributes are fallbacks for an SVG shown on its own.

Every chart is ``role="img"`` with a ``<title>`` and ``<desc>`` it is labelled
by, and every mark has a ``<title>`` (a tooltip) with its exact value; a table
of the same numbers (:func:`data_table`) goes with each chart for screen
readers and for copying.  All text is escaped, so names such as ``<script>``
or ``AT&T`` are shown, never interpreted.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

SVG_NS = "http://www.w3.org/2000/svg"
FONT = 13
#: fallback colours, used only where the page's CSS does not apply
BAR_FILL = "#3575a1"
GRID_STROKE = "#9aa5b1"
# characters XML 1.0 cannot hold at all, even escaped
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def esc(text: object) -> str:
    """Text safe in SVG/HTML text and attribute values."""
    return escape(_NOT_XML.sub("", str(text)), quote=True)


def chart_id(text: str) -> str:
    """A valid, readable id fragment from any text."""
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug if slug[:1].isalpha() else f"c-{slug}"


def shorten(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters with an ellipsis."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def nice_step(maximum: float, ticks: int = 4) -> int:
    """A whole, round step (1, 2 or 5 × 10ⁿ) giving closest to ``ticks`` steps up to ``maximum``."""
    if maximum <= 0:
        return 1
    magnitude = 10 ** max(math.floor(math.log10(maximum / ticks)), 0)
    steps = [factor * magnitude for factor in (1, 2, 5, 10)]
    return int(min(steps, key=lambda step: (abs(maximum / step - ticks), step)))


def _svg(ident: str, title: str, desc: str, width: float, height: float, body: list[str]) -> str:
    return (
        f'<svg xmlns="{SVG_NS}" class="roundup-chart" id="{esc(ident)}" '
        f'viewBox="0 0 {width:g} {height:g}" width="{width:g}" height="{height:g}" '
        f'role="img" aria-labelledby="{esc(ident)}-title {esc(ident)}-desc" '
        f'font-size="{FONT}" font-family="inherit" fill="currentColor">'
        f'<title id="{esc(ident)}-title">{esc(title)}</title>'
        f'<desc id="{esc(ident)}-desc">{esc(desc)}</desc>' + "".join(body) + "</svg>"
    )


def _bar(x: float, y: float, w: float, h: float, tip: str) -> str:
    return (
        f'<rect class="roundup-chart-bar" x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" '
        f'height="{h:.1f}" fill="{BAR_FILL}"><title>{esc(tip)}</title></rect>'
    )


def _text(x: float, y: float, text: str, *, anchor: str = "start", cls: str = "") -> str:
    klass = f' class="{cls}"' if cls else ""
    return f'<text{klass} x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}">{esc(text)}</text>'


def _line(x1: float, y1: float, x2: float, y2: float, cls: str = "roundup-chart-grid") -> str:
    return (
        f'<line class="{cls}" x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
        f'stroke="{GRID_STROKE}" stroke-width="1"/>'
    )


def bar_chart(
    ident: str,
    title: str,
    desc: str,
    rows: Sequence[tuple[str, int]],
    *,
    unit: str = "entries",
    width: int = 720,
    label_width: int = 250,
    row_height: int = 24,
) -> str:
    """Horizontal bars, one per ``(label, value)`` row, in the order given.

    Long labels are shortened; the full label and the exact value are in each
    bar's tooltip and in the table that goes with the chart.
    """
    top, value_space = 8, 56
    height = top * 2 + row_height * max(len(rows), 1)
    biggest = max((value for _, value in rows), default=0) or 1
    span = width - label_width - value_space
    body: list[str] = []
    for index, (label, value) in enumerate(rows):
        y = top + index * row_height
        length = span * value / biggest
        middle = y + row_height / 2 + FONT * 0.35
        body.append(f"<g><title>{esc(label)}: {value} {esc(unit)}</title>")
        body.append(_text(label_width - 8, middle, shorten(label, 34), anchor="end"))
        body.append(_bar(label_width, y + 3, max(length, 1), row_height - 6, f"{label}: {value}"))
        body.append(_text(label_width + length + 6, middle, str(value), cls="roundup-chart-value"))
        body.append("</g>")
    if not rows:
        body.append(_text(width / 2, top + row_height / 2 + 4, "No data yet.", anchor="middle"))
    return _svg(ident, title, desc, width, height, body)


def column_chart(
    ident: str,
    title: str,
    desc: str,
    rows: Sequence[tuple[str, int]],
    *,
    unit: str = "issues",
    width: int = 720,
    height: int = 260,
) -> str:
    """Vertical columns, one per ``(label, value)`` row, with the value above each."""
    left, right, top, bottom = 40, 10, 20, 28
    plot_w, plot_h = width - left - right, height - top - bottom
    biggest = max((value for _, value in rows), default=0)
    step = nice_step(biggest)
    scale_max = max(step * math.ceil(biggest / step), step)
    body: list[str] = []
    for tick in range(0, scale_max + 1, step):
        y = top + plot_h - plot_h * tick / scale_max
        body.append(_line(left, y, width - right, y))
        body.append(_text(left - 6, y + 4, str(tick), anchor="end", cls="roundup-chart-axis"))
    slot = plot_w / max(len(rows), 1)
    bar_w = min(slot * 0.7, 60)
    for index, (label, value) in enumerate(rows):
        x = left + slot * index + (slot - bar_w) / 2
        h = plot_h * value / scale_max
        y = top + plot_h - h
        body.append(_bar(x, y, bar_w, h, f"{label}: {value} {unit}"))
        body.append(_text(x + bar_w / 2, y - 4, str(value), anchor="middle"))
        body.append(_text(x + bar_w / 2, height - 8, label, anchor="middle"))
    if not rows:
        body.append(_text(width / 2, height / 2, "No data yet.", anchor="middle"))
    return _svg(ident, title, desc, width, height, body)


@dataclass(frozen=True)
class Series:
    """One panel of a small-multiples chart: a name and a value per category."""

    name: str
    values: tuple[int, ...]


def small_multiples(
    ident: str,
    title: str,
    desc: str,
    categories: Sequence[str],
    series: Sequence[Series],
    *,
    unit: str = "entries",
    columns: int = 3,
    panel_width: int = 236,
    panel_height: int = 100,
) -> str:
    """One small column chart per series, all on the same scale so panels compare.

    Each panel is titled with the series name and total, marks its tallest
    column's value, and labels its categories under the axis (every one when
    they fit, else the first and last).
    """
    gap, head, foot, headroom = 18, 36, 18, 14
    rows = max(math.ceil(len(series) / columns), 1)
    width = columns * panel_width + (columns - 1) * gap
    height = rows * (panel_height + head + foot) + (rows - 1) * gap
    biggest = max((max(s.values, default=0) for s in series), default=0) or 1
    slot = (panel_width - 8) / max(len(categories), 1)
    # the panel title is bold: about 0.62 em per character
    title_chars = max(int(panel_width / (FONT * 0.62)), 8)
    every_label = slot >= 32
    body: list[str] = []
    for index, one in enumerate(series):
        px = (index % columns) * (panel_width + gap)
        py = (index // columns) * (panel_height + head + foot + gap)
        base = py + head + panel_height
        body.append(f"<g><title>{esc(one.name)}: {sum(one.values)} {esc(unit)}</title>")
        body.append(
            _text(px, py + 14, shorten(one.name, title_chars), cls="roundup-chart-panel-title")
            + _text(px, py + 29, f"{sum(one.values)} {unit}", cls="roundup-chart-axis")
        )
        body.append(_line(px, base, px + panel_width, base, "roundup-chart-baseline"))
        peak = max(range(len(one.values)), key=lambda i: one.values[i], default=None)
        for position, (category, value) in enumerate(zip(categories, one.values, strict=True)):
            h = (panel_height - headroom) * value / biggest
            x = px + 4 + slot * position + slot * 0.15
            middle = x + slot * 0.35
            if value:
                body.append(_bar(x, base - h, slot * 0.7, h, f"{one.name}, {category}: {value}"))
            if position == peak and value:
                body.append(
                    _text(
                        middle, base - h - 3, str(value), anchor="middle", cls="roundup-chart-value"
                    )
                )
            last = position == len(categories) - 1
            if every_label or position == 0 or last:
                body.append(
                    _text(middle, base + 14, category, anchor="middle", cls="roundup-chart-axis")
                )
        body.append("</g>")
    if not series:
        body.append(_text(width / 2, height / 2, "No data yet.", anchor="middle"))
    return _svg(ident, title, desc, width, height, body)


@dataclass(frozen=True)
class Cell:
    """A table cell: text, and a link when ``href`` is given."""

    text: str
    href: str | None = None

    def html(self) -> str:
        if self.href:
            return f'<a href="{esc(self.href)}">{esc(self.text)}</a>'
        return esc(self.text)


def data_table(
    caption: str,
    headers: Sequence[str],
    rows: Sequence[Sequence[str | int | Cell]],
    *,
    summary: str = "",
) -> str:
    """The numbers behind a chart as an HTML table, folded in a ``<details>``.

    Numeric cells (and their column headers) are right-aligned; the first
    column heads each row.  ``summary`` labels the fold (default: "Table: CAPTION").
    """
    summary = summary or f"Table: {caption}"
    numeric = (
        {i for i, value in enumerate(rows[0]) if i and isinstance(value, int)} if rows else set()
    )
    head = "".join(
        ('<th scope="col" class="roundup-num">' if i in numeric else '<th scope="col">')
        + f"{esc(h)}</th>"
        for i, h in enumerate(headers)
    )
    body = []
    for row in rows:
        cells = []
        for position, value in enumerate(row):
            text = value.html() if isinstance(value, Cell) else esc(value)
            if position == 0:
                cells.append(f'<th scope="row">{text}</th>')
            elif isinstance(value, int):
                cells.append(f'<td class="roundup-num">{text}</td>')
            else:
                cells.append(f"<td>{text}</td>")
        body.append(f"<tr>{''.join(cells)}</tr>")
    return (
        f'<details class="roundup-chart-data"><summary>{esc(summary)}</summary>'
        f'<div class="pst-scrollable-table-container">'
        f'<table class="table roundup-chart-table"><caption>{esc(caption)}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div></details>"
    )
