"""Small-cell suppression of public figures: primary (< 5 people) and complementary (a lone
hidden row of a breakdown must not be recomputable from the total published elsewhere)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from services.reporting.kpis import BY_NAME, CONCEALED, suppress

OUTCOMES = BY_NAME["appointments_by_outcome"]  # (period, outcome, appointments)
LOANS = BY_NAME["device_loans"]  # (period, lent, returned, overdue, renewed, offered_from_waitlist): no breakdown


def test_a_lone_small_cell_takes_the_smallest_other_row_of_its_period_with_it() -> None:
    rows = [["2026-11-01", "attended", 40], ["2026-11-01", "cancelled", 9], ["2026-11-01", "no_show", 3],
            ["2026-12-01", "attended", 12], ["2026-12-01", "no_show", 6]]
    assert suppress(OUTCOMES, rows, 5) == [
        ["2026-11-01", "attended", 40], ["2026-11-01", "cancelled", CONCEALED], ["2026-11-01", "no_show", None],
        ["2026-12-01", "attended", 12], ["2026-12-01", "no_show", 6]]


def test_two_small_cells_in_a_group_need_nothing_more() -> None:
    rows = [["2026-11-01", "attended", 40], ["2026-11-01", "cancelled", 2], ["2026-11-01", "no_show", 3]]
    assert suppress(OUTCOMES, rows, 5) == [["2026-11-01", "attended", 40], ["2026-11-01", "cancelled", None],
                                           ["2026-11-01", "no_show", None]]


def test_a_row_without_breakdown_hides_only_its_small_counts() -> None:
    assert suppress(LOANS, [["2026-11-01", 10, 3, 0]], 5) == [["2026-11-01", 10, None, None]]
    assert suppress(LOANS, [["2026-11-01", 10, 7, 5]], 5) == [["2026-11-01", 10, 7, 5]]


@given(st.lists(st.tuples(st.sampled_from(["2026-10-01", "2026-11-01"]),
                          st.sampled_from(["attended", "cancelled", "no_show", "booked"]),
                          st.integers(min_value=1, max_value=30)),
                unique_by=lambda r: r[:2], max_size=8))
def test_no_hidden_count_can_be_recomputed_from_a_period_total(cells) -> None:  # type: ignore[no-untyped-def]
    rows = [list(c) for c in sorted(cells)]
    public = suppress(OUTCOMES, rows, 5)
    for period in {r[0] for r in rows}:
        shown = [r[2] for r in public if r[0] == period]
        hidden = [v for v in shown if not isinstance(v, int)]
        if len(shown) > 1:  # a lone row is its period's total, itself suppressed wherever it is small
            assert len(hidden) != 1, (rows, public)  # the total minus the others would give it away
    for raw, out in zip(rows, public, strict=True):
        if raw[2] < 5:
            assert out[2] is None
