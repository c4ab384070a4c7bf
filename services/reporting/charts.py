"""Charts as inline SVG rendered on the server with pygal: no JavaScript and no CDN, so the
dashboard works offline and in any browser; every chart also has a table beside it."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pygal
from pygal.style import Style

# Colour-blind-safe palette (Okabe–Ito) on white, large text.
STYLE = Style(background="white", plot_background="white", foreground="#111", foreground_strong="#111",
              foreground_subtle="#555", colors=("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9"),
              font_family="system-ui, sans-serif", label_font_size=14, major_label_font_size=14,
              legend_font_size=14, title_font_size=16)


def chart_svg(title: str, columns: tuple[str, ...], rows: list[list[Any]]) -> str:
    """A bar chart of the last numeric column per period, one series per remaining dimension."""
    if not rows:
        return ""
    value_at = len(columns) - 1
    series: dict[str, dict[str, float]] = defaultdict(dict)
    periods: list[str] = []
    for row in rows:
        period = str(row[0])
        if period not in periods:
            periods.append(period)
        label = " / ".join(str(v) for v in row[1:value_at] if not isinstance(v, float)) or columns[value_at]
        value = row[value_at]
        series[label][period] = float(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0.0
    chart = pygal.Bar(style=STYLE, width=800, height=360, show_legend=len(series) > 1, legend_at_bottom=True,
                      x_label_rotation=30, js=[], disable_xml_declaration=True, title=title)
    chart.x_labels = periods
    for label, values in list(series.items())[:12]:
        chart.add(label, [values.get(p) for p in periods])
    return chart.render(is_unicode=True)
