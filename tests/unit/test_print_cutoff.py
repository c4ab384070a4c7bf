"""The daily print cut-off on ordinary days and both DST change days (Europe/Brussels)."""

from __future__ import annotations

import datetime as dt

import pytest

from services.ebox_bridge.paper import batch_id_for, cutoff_on, latest_cutoff, next_cutoff

TZ = "Europe/Brussels"
HALF_FIVE = dt.time(17, 30)


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (dt.date(2026, 3, 28), utc(2026, 3, 28, 16, 30)),  # CET, the day before spring forward
        (dt.date(2026, 3, 29), utc(2026, 3, 29, 15, 30)),  # spring forward: already CEST at 17:30
        (dt.date(2026, 10, 24), utc(2026, 10, 24, 15, 30)),  # CEST, the day before fall back
        (dt.date(2026, 10, 25), utc(2026, 10, 25, 16, 30)),  # fall back: CET again at 17:30
    ],
)
def test_cutoff_stays_at_half_past_five_local(day: dt.date, expected: dt.datetime) -> None:
    assert cutoff_on(day, HALF_FIVE, TZ) == expected


def test_spring_gap_and_autumn_fold() -> None:
    # 02:30 does not exist on 29 March 2026: it reads as 03:30 CEST (01:30 UTC).
    assert cutoff_on(dt.date(2026, 3, 29), dt.time(2, 30), TZ) == utc(2026, 3, 29, 1, 30)
    # 02:30 happens twice on 25 October 2026: the first occurrence (CEST) counts.
    assert cutoff_on(dt.date(2026, 10, 25), dt.time(2, 30), TZ) == utc(2026, 10, 25, 0, 30)


def test_latest_and_next_around_the_spring_change() -> None:
    just_before = utc(2026, 3, 29, 15, 29, 59)
    assert latest_cutoff(just_before, HALF_FIVE, TZ) == utc(2026, 3, 28, 16, 30)
    assert next_cutoff(just_before, HALF_FIVE, TZ) == utc(2026, 3, 29, 15, 30)
    at = utc(2026, 3, 29, 15, 30)
    assert latest_cutoff(at, HALF_FIVE, TZ) == at
    assert next_cutoff(at, HALF_FIVE, TZ) == utc(2026, 3, 30, 15, 30)


def test_latest_after_midnight_local_is_yesterdays() -> None:
    # 00:10 local on 26 Oct (CET) = 23:10 UTC on the 25th: the last cut-off was the 25th.
    assert latest_cutoff(utc(2026, 10, 25, 23, 10), HALF_FIVE, TZ) == utc(2026, 10, 25, 16, 30)


def test_batch_ids_use_the_local_date_and_time() -> None:
    assert batch_id_for(utc(2026, 3, 29, 15, 30), TZ) == "PB-20260329-1730"
    assert batch_id_for(utc(2026, 3, 28, 16, 30), TZ) == "PB-20260328-1730"
    assert batch_id_for(utc(2026, 3, 28, 16, 30, 12), TZ) == "PB-20260328-173012"
