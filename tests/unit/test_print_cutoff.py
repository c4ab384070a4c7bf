"""The daily print cut-off on ordinary days and both DST change days (Europe/Brussels), and a
cut-off inside the spring-forward gap or the autumn fold."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from services.ebox_bridge.paper import batch_id_for, cutoff_on, latest_cutoff, next_cutoff

TZ = "Europe/Brussels"
HALF_FIVE = dt.time(17, 30)
HALF_TWO = dt.time(2, 30)  # in the gap on 29 March 2026, twice on 25 October 2026


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (dt.date(2026, 3, 28), utc(2026, 3, 28, 16, 30)),  # CET, the day before spring forward
        (dt.date(2026, 3, 29), utc(2026, 3, 29, 15, 30)),  # spring forward: already CEST at 17:30
        (dt.date(2026, 3, 30), utc(2026, 3, 30, 15, 30)),  # CEST, the day after
        (dt.date(2026, 10, 24), utc(2026, 10, 24, 15, 30)),  # CEST, the day before fall back
        (dt.date(2026, 10, 25), utc(2026, 10, 25, 16, 30)),  # fall back: CET again at 17:30
        (dt.date(2026, 10, 26), utc(2026, 10, 26, 16, 30)),  # CET, the day after
    ],
)
def test_cutoff_stays_at_half_past_five_local(day: dt.date, expected: dt.datetime) -> None:
    assert cutoff_on(day, HALF_FIVE, TZ) == expected
    assert batch_id_for(expected, TZ) == f"PB-{day:%Y%m%d}-1730"


def test_a_cutoff_in_the_spring_gap_moves_forward_with_the_clocks() -> None:
    # 02:30 does not exist on 29 March 2026: it reads as 03:30 CEST (01:30 UTC).
    gap = cutoff_on(dt.date(2026, 3, 29), HALF_TWO, TZ)
    assert gap == utc(2026, 3, 29, 1, 30)
    assert batch_id_for(gap, TZ) == "PB-20260329-0330"
    assert next_cutoff(utc(2026, 3, 29, 0, 59), HALF_TWO, TZ) == gap
    assert latest_cutoff(utc(2026, 3, 29, 1, 29), HALF_TWO, TZ) == utc(2026, 3, 28, 1, 30)


def test_a_cutoff_in_the_autumn_fold_happens_once_at_its_first_occurrence() -> None:
    first = utc(2026, 10, 25, 0, 30)  # 02:30 CEST; 02:30 CET would be 01:30 UTC
    assert cutoff_on(dt.date(2026, 10, 25), HALF_TWO, TZ) == first
    # A time marked as the second occurrence is still read as the first.
    assert cutoff_on(dt.date(2026, 10, 25), HALF_TWO.replace(fold=1), TZ) == first
    assert latest_cutoff(utc(2026, 10, 25, 1, 45), HALF_TWO, TZ) == first
    assert next_cutoff(first, HALF_TWO, TZ) == utc(2026, 10, 26, 1, 30)


def test_latest_and_next_around_the_spring_change() -> None:
    just_before = utc(2026, 3, 29, 15, 29, 59)
    assert latest_cutoff(just_before, HALF_FIVE, TZ) == utc(2026, 3, 28, 16, 30)
    assert next_cutoff(just_before, HALF_FIVE, TZ) == utc(2026, 3, 29, 15, 30)
    at = utc(2026, 3, 29, 15, 30)
    assert latest_cutoff(at, HALF_FIVE, TZ) == at
    assert next_cutoff(at, HALF_FIVE, TZ) == utc(2026, 3, 30, 15, 30)


def test_latest_and_next_around_the_autumn_change() -> None:
    # 16:00 UTC on 25 Oct is 17:00 CET: before the cut-off, although 17:30 CEST passed at 15:30.
    assert latest_cutoff(utc(2026, 10, 25, 16, 0), HALF_FIVE, TZ) == utc(2026, 10, 24, 15, 30)
    assert next_cutoff(utc(2026, 10, 25, 16, 0), HALF_FIVE, TZ) == utc(2026, 10, 25, 16, 30)
    # 00:10 local on 26 Oct (CET) = 23:10 UTC on the 25th: the last cut-off was the 25th.
    assert latest_cutoff(utc(2026, 10, 25, 23, 10), HALF_FIVE, TZ) == utc(2026, 10, 25, 16, 30)


@pytest.mark.parametrize("start", [utc(2026, 3, 26), utc(2026, 10, 22)])
def test_every_hour_around_a_change_sits_between_two_local_half_past_fives(start: dt.datetime) -> None:
    brussels = ZoneInfo(TZ)
    for hour in range(24 * 7):
        now = start + dt.timedelta(hours=hour, minutes=7)
        latest, following = latest_cutoff(now, HALF_FIVE, TZ), next_cutoff(now, HALF_FIVE, TZ)
        assert latest <= now < following and latest.tzinfo == dt.UTC == following.tzinfo
        for instant in (latest, following):
            assert instant.astimezone(brussels).time() == HALF_FIVE
        # One day apart in local time: 23, 24 or 25 hours.
        assert following - latest in {dt.timedelta(hours=h) for h in (23, 24, 25)}
        assert following.astimezone(brussels).date() - latest.astimezone(brussels).date() == dt.timedelta(days=1)


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        latest_cutoff(dt.datetime(2026, 3, 29, 15, 30), HALF_FIVE, TZ)
    with pytest.raises(ValueError, match="aware"):
        next_cutoff(dt.datetime(2026, 3, 29, 15, 30), HALF_FIVE, TZ)


def test_batch_ids_use_the_local_date_and_time() -> None:
    assert batch_id_for(utc(2026, 3, 29, 15, 30), TZ) == "PB-20260329-1730"
    # Just after local midnight the local date, not the UTC one, names the batch.
    assert batch_id_for(utc(2026, 3, 29, 22, 30), TZ) == "PB-20260330-0030"
    # A manual close at an odd second keeps the seconds, so it cannot clash with the 17:30 batch.
    assert batch_id_for(utc(2026, 3, 28, 16, 30, 12), TZ) == "PB-20260328-173012"
