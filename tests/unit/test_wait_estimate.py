"""The walk-in wait estimate: optimistic never above realistic, more helpers shorten it, recent
visits outweigh the catalogue once there are enough of them."""

from __future__ import annotations

import pytest

from services.booking.workspace.wait_estimate import MIN_SAMPLES, WaitEstimate, estimate_wait


def test_nobody_ahead_waits_for_half_a_visit_at_most() -> None:
    assert estimate_wait(0, [10.0] * 10, helpers_on_shift=2, planned_minutes=15) == WaitEstimate(0, 5)


def test_people_ahead_share_the_helpers() -> None:
    one = estimate_wait(6, [10.0] * 10, helpers_on_shift=1, planned_minutes=15)
    three = estimate_wait(6, [10.0] * 10, helpers_on_shift=3, planned_minutes=15)
    assert one == WaitEstimate(60, 65)
    assert three == WaitEstimate(20, 25)


def test_quick_visits_make_the_optimistic_figure_and_the_median_the_realistic_one() -> None:
    durations = [5, 5, 5, 10, 10, 10, 30, 30]
    estimate = estimate_wait(4, durations, helpers_on_shift=2, planned_minutes=15)
    assert estimate.optimistic_minutes == 10  # 4 × 5 min / 2
    assert estimate.realistic_minutes == 25  # (4 / 2 + ½) × 10 min
    assert estimate.optimistic_minutes <= estimate.realistic_minutes


def test_the_catalogue_fills_in_while_there_are_few_visits() -> None:
    no_history = estimate_wait(2, [], helpers_on_shift=1, planned_minutes=30)
    assert no_history == WaitEstimate(60, 75)
    one_quick_visit = estimate_wait(2, [2.0], helpers_on_shift=1, planned_minutes=30)
    assert one_quick_visit == no_history  # one sample among MIN_SAMPLES planned ones moves no quantile here
    plenty = estimate_wait(2, [2.0] * MIN_SAMPLES, helpers_on_shift=1, planned_minutes=30)
    assert plenty == WaitEstimate(4, 5)


def test_nobody_on_the_rota_still_counts_as_one_helper() -> None:
    assert estimate_wait(3, [10.0] * 5, 0, 15) == estimate_wait(3, [10.0] * 5, 1, 15)


def test_negative_input_is_refused() -> None:
    with pytest.raises(ValueError):
        estimate_wait(-1, [], 1, 15)
    with pytest.raises(ValueError):
        estimate_wait(1, [], 1, 0)


def test_the_turn_is_near_when_the_soonest_call_fits_in_the_lead_time() -> None:
    from services.booking.workspace.wait_estimate import turn_is_near

    assert turn_is_near(WaitEstimate(8, 20), lead_minutes=10)
    assert turn_is_near(WaitEstimate(10, 20), lead_minutes=10)
    assert not turn_is_near(WaitEstimate(11, 12), lead_minutes=10)


def test_a_kiosk_takes_mobile_numbers_only() -> None:
    from services.booking.workspace.mobile_number import mobile_e164

    assert mobile_e164("0470 12 34 56") == "+32470123456"
    assert mobile_e164("+31 6 12345678") == "+31612345678"
    assert mobile_e164("015 20 20 20") is None  # a landline gets no text message
    assert mobile_e164("not a number") is None
