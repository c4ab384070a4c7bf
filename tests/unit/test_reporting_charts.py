"""Charts are drawn only where there is a figure to draw (services/reporting/charts.py)."""

import re

from services.reporting.charts import chart_svg

COLUMNS = ("period", "point_kind", "visits")


def test_a_figure_with_numbers_is_a_chart_named_for_assistive_technology():
    svg = chart_svg("Visits", COLUMNS, [["January 2026", "Digibank", 7], ["January 2026", "Post office", None]],
                    chart_id="chart-visits", description="Chart of visits per period.")
    assert svg.startswith("<svg") and 'role="img"' in svg and 'aria-labelledby="chart-visits-title"' in svg
    drawn = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    assert "Digibank" in drawn and "Post office" in drawn and "January 2026" in drawn
    assert "No data" not in drawn


def test_every_count_hidden_draws_no_chart_instead_of_an_english_no_data():
    hidden = [["January 2026", "Digibank", None], ["January 2026", "Post office", "x"],
              ["February 2026", "Digibank", None]]
    assert chart_svg("Visits", COLUMNS, hidden) == ""
    assert chart_svg("Visits", COLUMNS, []) == ""
