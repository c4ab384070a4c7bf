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


FUNNEL = ("period", "campaign", "inserts_sent", "link_visits", "bookings")
STAGES = {"inserts_sent": "Inserts sent", "link_visits": "Visits through the QR code", "bookings": "Appointments"}


def test_a_funnel_draws_every_stage_in_its_order_named_in_words_per_campaign():
    rows = [["January 2026", "Spring", 120, 30, 9], ["February 2026", "Spring", 80, None, 6]]
    svg = chart_svg("Campaign", FUNNEL, rows, stages=STAGES)
    legend = re.findall(r'class="legend reactive[^"]*"><rect[^>]*/><text[^>]*>([^<]*)</text>', svg)
    assert legend == ["Spring / Inserts sent", "Spring / Visits through the QR code", "Spring / Appointments"]
    assert "inserts_sent" not in svg and "link_visits" not in svg


def test_a_funnel_with_one_stage_left_to_show_is_still_a_chart():
    hidden_but_bookings = [["January 2026", "Spring", None, "x", 7]]
    assert chart_svg("Campaign", FUNNEL, hidden_but_bookings, stages=STAGES).startswith("<svg")
    assert chart_svg("Campaign", FUNNEL, [["January 2026", "Spring", None, "x", None]], stages=STAGES) == ""


def test_legend_labels_too_long_for_two_columns_stand_in_one():
    french = {"inserts_sent": "Encarts envoyés", "link_visits": "Visites via le code QR",
              "bookings": "Rendez-vous via le code QR"}
    svg = chart_svg("Campagne", FUNNEL, [["octobre 2026", "Mechelen 2026 Q4", 40, 0, 0]], stages=french)
    squares = re.findall(r'class="legend reactive[^"]*"><rect x="([0-9.]+)"', svg)
    assert len(squares) == 3 and set(squares) == {"0.0"}  # one column: every colour square at the left edge


def test_a_trend_keeps_the_months_without_a_figure_on_its_axis_and_breaks_its_line_there():
    columns = ("period", "department", "ebox_share", "letters")
    rows = [["December 2025", "Finance", 0.3, 10], ["January 2026", "Finance", 0.5, 10],
            ["May 2026", "Finance", 0.7, 25]]
    axis = ["December 2025", "January 2026", "February 2026", "March 2026", "April 2026", "May 2026"]
    svg = chart_svg("eBox share", columns, rows, plotted="ebox_share", kind="line", percent=True, axis=axis)
    drawn = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    assert [label for label in axis if label in drawn] == axis  # every month named, in order
    # The line joins December and January only; May, after three months without a figure, is a dot
    # of its own (with no axis of its own, all three would have been joined, evenly spaced).
    lines = re.findall(r'<path d="([^"]*)" class="line reactive nofill"', svg)
    points = [len(re.findall(r"-?\d+(?:\.\d+)?", line)) // 2 for line in lines]
    assert points == [2], lines
    assert len(re.findall(r'<circle[^>]*class="dot reactive', svg)) == 3
