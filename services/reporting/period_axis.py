"""A trend's time axis with every period in it: a line drawn through "December, January,
February, May, October" as five evenly spaced points shows a change over five months as steep as
one over a month. The periods without a figure stay on the axis, empty, and the line breaks there.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from services.reporting.month_choices import months_before
from services.reporting.period_labels import period_start

# A day-by-day axis over years would be thousands of empty slots: past this many, the axis keeps
# only the periods that have figures, as before.
MAX_PERIODS = 400


def every_period(first_days: Iterable[object], period: str, limit: int = MAX_PERIODS) -> list[str]:
    """Every period (`YYYY-MM-DD`, its first day) from the earliest of `first_days` to the latest,
    in order, those without a figure included; values that are not such dates are left out. More
    than `limit` periods: only the given ones, in order."""
    days = sorted({day for value in first_days if (day := period_start(value)) is not None})
    if not days:
        return []
    filled, day = [], days[0]
    while day <= days[-1] and len(filled) <= limit:
        filled.append(day)
        day = _next(day, period)
    chosen = filled if len(filled) <= limit else days
    return [day.isoformat() for day in chosen]


def _next(day: dt.date, period: str) -> dt.date:
    if period == "month":
        return months_before(day, -1)
    return day + dt.timedelta(days=7 if period == "week" else 1)
