"""The volunteer rota's pure rules: sign-up and cancel notice in real hours (also across the DST
change nights), the weekly maximum, ISO weeks, and the gaps a day's shifts leave in the opening
hours."""

from __future__ import annotations

import datetime as dt

import pytest

from services.booking.rota.rules import (
    RotaRules,
    cancel_problem,
    signup_problem,
    uncovered,
    week_of,
)
from services.booking.seeding import read_seed
from services.booking.staff.model import Helper, Shift

RULES = RotaRules(signup_notice=dt.timedelta(hours=24), cancel_notice=dt.timedelta(hours=48), max_per_week=3)
TEN = dt.time(10)


def utc(*parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=dt.UTC)


def test_sign_up_closes_exactly_the_notice_before_the_start() -> None:
    day = dt.date(2026, 6, 10)  # 10:00 Brussels = 08:00 UTC in summer
    assert signup_problem(RULES, day, TEN, utc(2026, 6, 9, 8, 0), 0) is None
    closed = signup_problem(RULES, day, TEN, utc(2026, 6, 9, 8, 1), 0)
    assert closed and closed.title == "Sign-ups closed" and "close 24 hours before" in closed.detail
    started = signup_problem(RULES, day, TEN, utc(2026, 6, 10, 8, 0), 0)
    assert started and started.title == "Shift started"
    week = signup_problem(RULES, day, TEN, utc(2026, 6, 1), 3)
    assert week and week.title == "Weekly maximum reached" and "the most is 3" in week.detail
    assert signup_problem(RULES, day, TEN, utc(2026, 6, 1), 2) is None


@pytest.mark.parametrize(("day", "last_moment"), [
    # Spring forward on 29 March 2026: 10:00 on the 30th is 08:00 UTC, 48 real hours before is 08:00 UTC on
    # the 28th (09:00 local, not 10:00: the night was an hour short).
    (dt.date(2026, 3, 30), utc(2026, 3, 28, 8, 0)),
    # Fall back on 25 October 2026: 10:00 on the 26th is 09:00 UTC, 48 real hours before is 09:00 UTC
    # on the 24th (11:00 local: the night was an hour long).
    (dt.date(2026, 10, 26), utc(2026, 10, 24, 9, 0)),
])
def test_cancel_notice_counts_real_hours_across_the_dst_change(day: dt.date, last_moment: dt.datetime) -> None:
    assert cancel_problem(RULES, day, TEN, last_moment) is None
    assert cancel_problem(RULES, day, TEN, last_moment + dt.timedelta(minutes=1)) is not None


def test_a_week_runs_monday_to_sunday() -> None:
    assert week_of(dt.date(2026, 12, 6)) == (dt.date(2026, 11, 30), dt.date(2026, 12, 6))  # a Sunday
    assert week_of(dt.date(2026, 12, 7)) == (dt.date(2026, 12, 7), dt.date(2026, 12, 13))


def _shift(point: str, day: dt.date, starts: str, ends: str) -> Shift:
    return Shift(shift_id=f"s-{starts[:2]}", helper_id="h", point_id=point, on_date=day,
                 starts=dt.time.fromisoformat(starts), ends=dt.time.fromisoformat(ends))


def test_gaps_are_the_open_hours_no_shift_covers() -> None:
    point = next(p for p in read_seed().points if p.point_id == "mechelen-digibank-predikheren")
    assert point.opening_hours["tue"] == ["13:00-17:00"]
    day = dt.date(2026, 12, 8)  # a Tuesday
    assert uncovered(point, day, []) == [(dt.time(13), dt.time(17))]
    early = _shift(point.point_id, day, "12:00", "14:00")
    late = _shift(point.point_id, day, "15:00", "17:00")
    assert uncovered(point, day, [early, late]) == [(dt.time(14), dt.time(15))]
    elsewhere = _shift("mechelen-stadhuis", day, "14:00", "15:00")
    assert uncovered(point, day, [early, late, elsewhere]) == [(dt.time(14), dt.time(15))]
    overlapping = _shift(point.point_id, day, "13:30", "16:00")
    assert uncovered(point, day, [late, early, overlapping]) == []
    assert uncovered(point, day, [late]) == [(dt.time(13), dt.time(15))]
    assert "sun" not in point.opening_hours and uncovered(point, day + dt.timedelta(days=5), []) == []  # closed


def test_a_certificate_counts_from_its_date_until_it_expires() -> None:
    helper = Helper(helper_id="h", name="H", kind="staff", languages=["nl"], services=["ebox_activation"],
                    connectoo_certified_on=dt.date(2025, 1, 10), connectoo_expires_on=dt.date(2028, 1, 10))
    assert not helper.certified_on(dt.date(2025, 1, 9))
    assert helper.certified_on(dt.date(2025, 1, 10)) and helper.certified_on(dt.date(2028, 1, 9))
    assert not helper.certified_on(dt.date(2028, 1, 10))
    undated = helper.model_copy(update={"connectoo_certified_on": None, "connectoo_expires_on": None,
                                        "connectoo_certified": True})
    assert undated.certified_on(dt.date(2030, 1, 1))  # the seed's flag without a date
    with pytest.raises(ValueError, match="expire after"):
        Helper(helper_id="h", name="H", kind="staff", languages=["nl"], services=["ebox_activation"],
               connectoo_certified_on=dt.date(2025, 1, 10), connectoo_expires_on=dt.date(2025, 1, 1))
