"""The monthly report's month picker: three years of months, newest first, named in words."""

from __future__ import annotations

import datetime as dt

from services.reporting.month_choices import (
    OFFERED_MONTHS,
    month_choices,
    months_before,
    this_month,
)


def test_the_picker_offers_this_month_and_the_35_before_it_newest_first() -> None:
    choices = month_choices(dt.date(2026, 12, 6), dt.date(2026, 12, 1), "nl")
    values = [value for value, _ in choices]
    assert len(values) == OFFERED_MONTHS == 36
    assert values[0] == "2026-12" and values[-1] == "2024-01"
    assert values == sorted(values, reverse=True) and len(set(values)) == len(values)


def test_months_are_named_in_the_readers_language() -> None:
    named = {lang: dict(month_choices(dt.date(2026, 3, 15), dt.date(2026, 3, 1), lang))["2026-02"]
             for lang in ("nl", "fr", "de", "en")}
    assert named == {"nl": "februari 2026", "fr": "février 2026", "de": "Februar 2026", "en": "February 2026"}


def test_a_month_asked_for_outside_the_window_is_still_among_the_choices() -> None:
    older = month_choices(dt.date(2026, 12, 6), dt.date(2019, 5, 1), "en")
    assert older[-1] == ("2019-05", "May 2019") and len(older) == OFFERED_MONTHS + 1
    later = month_choices(dt.date(2026, 12, 6), dt.date(2027, 2, 1), "en")
    assert later[0] == ("2027-02", "February 2027")


def test_months_before_crosses_years_both_ways() -> None:
    assert months_before(dt.date(2026, 1, 1), 1) == dt.date(2025, 12, 1)
    assert months_before(dt.date(2026, 1, 1), 13) == dt.date(2024, 12, 1)
    assert months_before(dt.date(2025, 12, 1), -1) == dt.date(2026, 1, 1)


def test_this_month_is_the_month_in_brussels_not_in_utc() -> None:
    # 23:30 UTC on New Year's Eve is 00:30 on 1 January in Brussels (UTC+1 in winter).
    assert this_month(dt.datetime(2025, 12, 31, 23, 30, tzinfo=dt.UTC)) == dt.date(2026, 1, 1)
    assert this_month(dt.datetime(2025, 12, 31, 22, 59, tzinfo=dt.UTC)) == dt.date(2025, 12, 1)
    # Summer time: UTC+2.
    assert this_month(dt.datetime(2026, 6, 30, 22, 0, tzinfo=dt.UTC)) == dt.date(2026, 7, 1)
    assert this_month(dt.datetime(2026, 6, 30, 21, 59, tzinfo=dt.UTC)) == dt.date(2026, 6, 1)
