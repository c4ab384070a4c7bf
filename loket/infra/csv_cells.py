"""CSV that a spreadsheet opens as data, never as formulas.

A cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return is run as a formula by Excel
and LibreOffice (OWASP "CSV injection"): an address line such as `=HYPERLINK(...)` in a print
manifest would become a link on the print house's screen. Such text cells get a leading
apostrophe, which the spreadsheet shows as text and hides. Numbers are written as numbers: a
negative count stays a number, it is not text someone typed.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import IO, Any

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(cell: Any) -> Any:
    if isinstance(cell, str) and cell.startswith(FORMULA_TRIGGERS):
        return "'" + cell
    return cell


class SafeCsvWriter:
    """`csv.writer` with every text cell made spreadsheet-safe."""

    def __init__(self, out: IO[str], **options: Any) -> None:
        self._writer = csv.writer(out, **options)

    def writerow(self, row: Iterable[Any]) -> None:
        self._writer.writerow([spreadsheet_safe(cell) for cell in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)
