"""Every CSV Loket writes escapes text cells a spreadsheet would run as a formula."""

from __future__ import annotations

import csv
import io

import pytest

from loket.infra.csv_cells import SafeCsvWriter, spreadsheet_safe


@pytest.mark.parametrize("cell", ["=HYPERLINK(\"http://x\")", "+32 470", "-1+1", "@SUM(A1)", "\tx", "\rx"])
def test_formula_triggers_become_text(cell: str) -> None:
    assert spreadsheet_safe(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["Grote Markt 21", "2800 Mechelen", "", 'a "quoted" = b', -3, 4.5, None])
def test_ordinary_text_and_numbers_are_left_alone(cell: object) -> None:
    assert spreadsheet_safe(cell) == cell


def test_the_writer_escapes_every_cell_of_every_row() -> None:
    out = io.StringIO()
    SafeCsvWriter(out, lineterminator="\n").writerows([["name", "address"], ["=cmd|' /C calc'!A0", "@x"], [-2, "ok"]])
    assert list(csv.reader(io.StringIO(out.getvalue()))) == [
        ["name", "address"], ["'=cmd|' /C calc'!A0", "'@x"], ["-2", "ok"]]
