"""A trend's time axis keeps the periods without a figure (services/reporting/period_axis.py)."""

from services.reporting.period_axis import every_period


def test_months_without_a_figure_stay_on_the_axis_across_the_year_end():
    assert every_period(["2025-12-01", "2026-02-01", "2025-12-01", "2026-05-01"], "month") == [
        "2025-12-01", "2026-01-01", "2026-02-01", "2026-03-01", "2026-04-01", "2026-05-01"]


def test_weeks_and_days_step_by_their_length():
    assert every_period(["2026-03-16", "2026-03-02"], "week") == ["2026-03-02", "2026-03-09", "2026-03-16"]
    assert every_period(["2026-02-27", "2026-03-02"], "day") == ["2026-02-27", "2026-02-28", "2026-03-01",
                                                                 "2026-03-02"]


def test_what_is_not_a_period_is_left_out_and_nothing_gives_nothing():
    assert every_period(["total", None, 7, "2026-01-01"], "month") == ["2026-01-01"]
    assert every_period([], "month") == []


def test_past_the_limit_only_the_periods_with_figures_are_kept():
    assert every_period(["2020-01-01", "2026-01-01"], "day", limit=100) == ["2020-01-01", "2026-01-01"]
    assert len(every_period(["2026-01-01", "2026-04-10"], "day", limit=100)) == 100
