"""What a KPI is: a named query returning rows of (dimensions…, figures…), and how it is shown."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class Kpi:
    """Titles and column headers for people are in `labels` (NL/FR/DE/EN), keyed by name."""

    name: str
    columns: tuple[str, ...]
    sql: str
    counts_people: bool = True  # suppress small cells of the last column in public outputs
    chart: Literal["bar", "line"] = "bar"  # line: a trend over periods, one line per dimension
    plotted: str | None = None  # the column the chart draws; default the last one
    # A funnel: the chart draws each of these columns as a series of its own, side by side per
    # period, in this order (the steps people go through); `plotted` is then ignored.
    stages: tuple[str, ...] = ()
    uses_tariffs: bool = False  # the query takes the postage tariffs ($3–$5) and the handling cost ($6)

    @property
    def plotted_column(self) -> str:
        return self.plotted or self.columns[-1]

    @property
    def plotted_columns(self) -> tuple[str, ...]:
        return self.stages or (self.plotted_column,)


def bucket(column: str) -> str:
    """The period (day, week or month: `$2`) a timestamp falls in, in Brussels time."""
    return f"to_char(date_trunc($2, {column} AT TIME ZONE 'Europe/Brussels'), 'YYYY-MM-DD')"
