"""The period a row of figures covers, as people read it: `januari 2026` rather than
`2026-01-01`, which reads like a code (and was read as the first of January). The figures keep the
period's first day (`YYYY-MM-DD`, Brussels time) for sorting, CSV and the API; only pages word it."""

from __future__ import annotations

import datetime as dt

from loket.infra.date_words import date_in_year_words, month_words

WEEK_OF = {"nl": "week van {day}", "fr": "semaine du {day}", "de": "Woche ab {day}", "en": "week of {day}"}


def period_start(value: object) -> dt.date | None:
    """The first day a period column's `YYYY-MM-DD` names; None for anything else (a total's row)."""
    if not isinstance(value, str):
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def period_label(first_day: object, period: str, lang: str) -> object:
    """`first_day` as the month, week or day it starts; anything that is not such a date is
    returned as it came (a total's row has no period)."""
    day = period_start(first_day)
    if day is None:
        return first_day
    if period == "month":
        return month_words(day, lang)
    if period == "week":
        return WEEK_OF[lang].format(day=date_in_year_words(day, lang))
    return date_in_year_words(day, lang)
