"""Charts as inline SVG rendered on the server with pygal: no JavaScript and no CDN, so the
dashboard works offline and in any browser; every chart also has a table beside it.

Rows arrive already in words (labels applied): the legend and the axis never show a code. The
SVG is an image to assistive technology (role="img" with its own title and description); the
table beside it carries the figures."""

from __future__ import annotations

import re
from collections import defaultdict
from html import escape
from typing import Any

import pygal
from pygal.style import Style

# Colour-blind-safe palette (Okabe–Ito) on white, large text.
STYLE = Style(background="white", plot_background="white", foreground="#111", foreground_strong="#111",
              foreground_subtle="#555", colors=("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9"),
              font_family="system-ui, sans-serif", label_font_size=14, major_label_font_size=14,
              legend_font_size=14, title_font_size=16)
MAX_SERIES = 12
LEGEND_CHARS_IN_TWO_COLUMNS = 38
MAX_X_LABELS = 16  # rotated month names side by side in 800 px


def chart_svg(title: str, columns: tuple[str, ...], rows: list[list[Any]], *, plotted: str | None = None,
              kind: str = "bar", dimensions: tuple[int, ...] | None = None, chart_id: str = "chart",
              description: str = "", percent: bool = False, stages: dict[str, str] | None = None,
              axis: list[str] | None = None) -> str:
    """A bar chart (or, for trends, a line chart) of the `plotted` column per period (the first
    column), one series per combination of the `dimensions` columns (default: the text columns
    between the period and the plotted one). `stages` (column: its words), for a funnel: each of
    those columns is a series of its own, named in words, the dimensions before the name.
    `axis`: the periods along the x axis in order, those without a row included (default: the
    rows' own periods)."""
    # Each plotted column's index, with its name in the legend (None: the dimensions alone name it).
    names = {columns.index(c): name for c, name in (stages or {plotted or columns[-1]: None}).items()}
    if not any(plotted_number(row[at]) is not None for row in rows for at in names):
        # Nothing to plot (no rows, or every figure hidden as a small cell): no chart at all, rather
        # than pygal's own "No data" in English on a page in Dutch; the page says why instead.
        return ""
    if dimensions is None:
        dimensions = tuple(i for i in range(1, min(names)) if all(isinstance(r[i], str | bool) or r[i] is None
                                                                  for r in rows))
    series: dict[str, dict[str, float | None]] = defaultdict(dict)
    periods: list[str] = []
    for row in rows:
        period = str(row[0])
        if period not in periods:
            periods.append(period)
        for at, name in names.items():
            label = " / ".join([*(str(row[i]) for i in dimensions), *([name] if name else [])]) or columns[at]
            number = plotted_number(row[at])
            series[label][period] = number * 100 if percent and number is not None else number
    # Long labels ("Municipal counter / Needs an appointment") get fewer legend columns, so none overlaps:
    # a column of two holds about 38 characters at 14 px (CI's French funnel, "Mechelen 2026 Q4 /
    # Rendez-vous via le code QR", 45, ran into its neighbour's colour square when the limit was 48).
    longest = max((len(label) for label in series), default=0)
    legend_columns = 1 if longest > LEGEND_CHARS_IN_TWO_COLUMNS else 2 if longest > 24 else 3
    maker = pygal.Line if kind == "line" else pygal.Bar
    chart = maker(style=STYLE, width=800, height=360, show_legend=len(series) > 1, legend_at_bottom=True,
                  x_label_rotation=30, js=[], disable_xml_declaration=True, title=title, allow_interruptions=True,
                  truncate_legend=-1, legend_at_bottom_columns=legend_columns)
    if percent:  # shares on an honest 0–100 % axis
        chart.range, chart.y_title = (0, 100), "%"
    if axis:
        periods = axis
    chart.x_labels = periods
    if len(periods) > MAX_X_LABELS:  # a label for every few periods, the rest are ticks
        chart.x_labels_major_every, chart.show_minor_x_labels = -(-len(periods) // MAX_X_LABELS), False
    for label, values in list(series.items())[:MAX_SERIES]:
        chart.add(label, [values.get(p) for p in periods])
    return accessible(chart.render(is_unicode=True), chart_id, title, description)


def plotted_number(value: Any) -> float | None:
    """A figure to plot; None for a hidden cell (None or "x") and anything else not a number."""
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def accessible(svg: str, chart_id: str, title: str, description: str) -> str:
    """role="img" named by a title and described by a description of its own, as the first
    children of the <svg> (pygal's tooltip <title>/<desc> stay inside the plot, hidden)."""
    head = (f'<title id="{chart_id}-title">{escape(title)}</title>'
            f'<desc id="{chart_id}-desc">{escape(description)}</desc>')
    return re.sub(r"<svg([^>]*)>", lambda m: f'<svg{m.group(1)} role="img" aria-labelledby="{chart_id}-title" '
                                            f'aria-describedby="{chart_id}-desc">{head}', svg, count=1)
