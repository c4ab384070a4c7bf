"""The dashboard's sections in a person's language: each KPI's title, its chart and its table,
with column headers and dimension values in words and rates as percentages."""

from __future__ import annotations

from typing import Any

from loket.infra.number_words import decimal_words, figure_words, integer_words, percent_words
from services.reporting.charts import chart_svg, plotted_number
from services.reporting.kpi_model import Kpi
from services.reporting.labels import column_label, kpi_title
from services.reporting.period_axis import every_period
from services.reporting.period_labels import period_label
from services.reporting.value_labels import value_label

RATES = frozenset({"no_show_rate", "ebox_share", "unread_rate", "digital_share", "with_insert_share", "holdout_share"})
# What a council asks first comes first; the operational figures follow in their own order.
COUNCIL_FIRST = ("ebox_share_by_department", "cost_avoided_by_department", "visits_by_topic", "visits_by_point_kind",
                 "adoption_funnel", "campaign_funnel", "insert_campaign", "no_show_by_reminder")


def in_council_order(kpis: tuple[Kpi, ...]) -> list[Kpi]:
    first = [k for name in COUNCIL_FIRST for k in kpis if k.name == name]
    return first + [k for k in kpis if k.name not in COUNCIL_FIRST]


def section(kpi: Kpi, rows: list[list[Any]], lang: str, texts: dict[str, str], period: str = "month",
            span: tuple[str, str] | None = None) -> dict[str, Any]:
    """`rows`: the public (suppressed) figures, still in codes; `period`: what each row's period
    column covers (day, week, month), to word it; `span`: the first and last period a trend's axis
    shows whether they have figures or not (the monthly report's twelve months)."""
    title = kpi_title(kpi.name, lang)
    worded = [[period_label(value, period, lang) if column == "period" else value_label(column, value, lang)
               for column, value in zip(kpi.columns, row, strict=True)]
              for row in rows]
    headers = [column_label(c, lang) for c in kpi.columns]
    plotted = kpi.plotted_columns
    dimensions = _dimension_columns(kpi, rows)
    series = [h for c, h in zip(kpi.columns[1:], headers[1:], strict=True) if c in dimensions]
    figure = ", ".join(column_label(c, lang).lower() for c in plotted)
    description = texts["chart_desc"].format(figure=figure, series=", ".join(s.lower() for s in series)
                                             or texts["all_rows"])
    svg = chart_svg(title, kpi.columns, worded, plotted=plotted[0], kind=kpi.chart,
                    dimensions=tuple(i for i, c in enumerate(kpi.columns) if c in dimensions),
                    chart_id=f"chart-{kpi.name}", description=description, percent=plotted[0] in RATES,
                    stages={c: column_label(c, lang) for c in kpi.stages} or None, axis=_time_axis(kpi, rows, period, lang, span))
    return {"name": kpi.name, "title": title, "headers": headers, "svg": svg,
            "rows": [[_cell(c, v, lang) for c, v in zip(kpi.columns, row, strict=True)] for row in worded]}


def _time_axis(kpi: Kpi, rows: list[list[Any]], period: str, lang: str,
               span: tuple[str, str] | None) -> list[str] | None:
    """A trend line's x axis with the periods that have no figure on it too, so that its slopes
    are true to time; bars keep the periods that have figures."""
    if kpi.chart != "line" or not kpi.columns or kpi.columns[0] != "period":
        return None
    days = [*(r[0] for r in rows), *(span or ())]
    return [str(period_label(day, period, lang)) for day in every_period(days, period)]


def _dimension_columns(kpi: Kpi, rows: list[list[Any]]) -> set[str]:
    """The columns that say what a row is about (text or yes/no), besides the period."""
    return {c for i, c in enumerate(kpi.columns[1:], start=1)
            if rows and all(isinstance(r[i], str | bool) or r[i] is None for r in rows) and c not in kpi.plotted_columns
            and not all(r[i] in (None, "x") for r in rows)}


def _cell(column: str, value: Any, lang: str) -> str:
    """A table cell in the page's language: `30,0 %`, `1.234,50`, `1 234` (words stay words)."""
    if value is None:
        return "<5"
    number = plotted_number(value)
    if number is None:
        return str(value)
    if column in RATES:
        return percent_words(number, lang)
    if column == "eur":
        return decimal_words(number, lang, 2)
    return integer_words(value, lang) if isinstance(value, int) else figure_words(number, lang)
