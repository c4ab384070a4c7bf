"""Pages word a row's period (period_labels.py); the figures keep its first day."""

import pytest

from services.reporting.period_labels import period_label


@pytest.mark.parametrize(("lang", "words"), [("nl", "maart 2026"), ("fr", "mars 2026"), ("de", "März 2026"),
                                              ("en", "March 2026")])
def test_a_month_reads_as_its_name_and_year(lang, words):
    assert period_label("2026-03-01", "month", lang) == words


def test_a_week_reads_from_its_first_day():
    assert period_label("2026-03-02", "week", "nl") == "week van 2 mrt 2026"
    assert period_label("2026-03-02", "week", "de") == "Woche ab 2. März 2026"


def test_a_day_reads_with_its_year():
    assert period_label("2025-12-31", "day", "fr") == "31 déc. 2025"


@pytest.mark.parametrize("value", ["Total", None, 7, "2026-13-01"])
def test_what_is_not_a_period_stays_as_it_came(value):
    assert period_label(value, "month", "en") == value
