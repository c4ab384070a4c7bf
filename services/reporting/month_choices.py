"""The months the monthly report offers, named in the reader's language.

A list to pick from rather than a date field: `<input type="month">` names the months in the
browser's language rather than the page's, and browsers without a month picker (Firefox, Safari
on a desktop) show a bare text box that wants `2026-05` typed.
"""

from __future__ import annotations

import datetime as dt

from loket.infra.date_words import BRUSSELS, month_words

# Three years: this year against the two before it is what a council compares.
OFFERED_MONTHS = 36


def this_month(now: dt.datetime) -> dt.date:
    """The first day of the month it is in Brussels at `now`: the report's figures are counted by
    Brussels months (kpi_model.py), and an analyst opening it just after midnight on 1 January
    wants January, not the December UTC still shows for another hour."""
    return now.astimezone(BRUSSELS).date().replace(day=1)


def months_before(month: dt.date, n: int) -> dt.date:
    """The first day of the month `n` months before `month` (n may be negative: after it)."""
    index = month.year * 12 + month.month - 1 - n
    return dt.date(index // 12, index % 12 + 1, 1)


def month_choices(current: dt.date, shown: dt.date, language: str) -> list[tuple[str, str]]:
    """(`YYYY-MM`, month in words) for this month and the 35 before it, newest first; the month
    on show is among them even when a link asked for one outside that window."""
    months = {months_before(current.replace(day=1), n) for n in range(OFFERED_MONTHS)} | {shown.replace(day=1)}
    return [(m.strftime("%Y-%m"), month_words(m, language)) for m in sorted(months, reverse=True)]
