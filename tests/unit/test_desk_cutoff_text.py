"""The letter desk shows a print batch's cut-off in Brussels time, the day as people write it in the
page's language: to the minute when it was the scheduled one, to the second when a clerk or a test
closed the batch by hand."""

from __future__ import annotations

import datetime as dt

from services.ebox_bridge.desk.rendering import cutoff_text


def test_the_scheduled_cut_off_reads_to_the_minute_in_brussels_time() -> None:
    assert cutoff_text(dt.datetime(2026, 12, 4, 16, 30, tzinfo=dt.UTC), "en") == "4 Dec 2026 17:30"


def test_two_batches_closed_by_hand_within_a_minute_read_apart() -> None:
    first = cutoff_text(dt.datetime(2026, 12, 4, 13, 3, 27, tzinfo=dt.UTC), "nl")
    second = cutoff_text(dt.datetime(2026, 12, 4, 13, 3, 41, tzinfo=dt.UTC), "nl")
    assert (first, second) == ("4 dec 2026 14:03:27", "4 dec 2026 14:03:41")


def test_summer_time_moves_the_clock_not_the_rule() -> None:
    assert cutoff_text(dt.datetime(2026, 7, 1, 15, 30, tzinfo=dt.UTC), "fr") == "1 juil. 2026 17:30"
    assert cutoff_text(dt.datetime(2026, 7, 1, 15, 30, 0, 500_000, tzinfo=dt.UTC), "de") == "1. Juli 2026 17:30:00"


def test_the_day_is_written_in_the_pages_language_not_as_an_iso_date() -> None:
    cutoff = dt.datetime(2026, 12, 4, 16, 30, tzinfo=dt.UTC)
    assert [cutoff_text(cutoff, lang) for lang in ("nl", "fr", "de", "en")] == [
        "4 dec 2026 17:30", "4 déc. 2026 17:30", "4. Dez. 2026 17:30", "4 Dec 2026 17:30"]
