"""Dates as people read them, in each language and in Brussels time."""

from __future__ import annotations

import datetime as dt

import pytest

from loket.infra.date_words import date_in_year_words, moment_in_year_words, weekday_words

UTC = dt.UTC


@pytest.mark.parametrize(("language", "expected"), [
    ("nl", "7 dec 2026 10:44"), ("fr", "7 déc. 2026 10:44"), ("de", "7. Dez. 2026 10:44"), ("en", "7 Dec 2026 10:44"),
])
def test_a_moment_in_a_history_has_its_year_and_brussels_winter_time(language: str, expected: str) -> None:
    assert moment_in_year_words(dt.datetime(2026, 12, 7, 9, 44, tzinfo=UTC), language) == expected


def test_a_moment_in_summer_is_two_hours_ahead_of_utc_and_can_fall_on_the_next_day() -> None:
    assert moment_in_year_words(dt.datetime(2026, 6, 30, 22, 15, tzinfo=UTC), "en") == "1 Jul 2026 00:15"


def test_a_day_in_words_with_and_without_its_weekday() -> None:
    day = dt.date(2027, 1, 12)
    assert weekday_words(day, "nl") == "dinsdag 12 januari"
    assert weekday_words(day, "de") == "Dienstag, 12. Januar"
    assert date_in_year_words(day, "fr") == "12 janv. 2027"
