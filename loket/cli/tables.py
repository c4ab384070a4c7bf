"""One way to print a list as a table for the operator commands, with a hint when it is empty."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from rich.console import Console
from rich.table import Table


def print_table(console: Console, title: str, columns: Sequence[str], rows: Iterable[Sequence[str]],
                when_empty: str) -> None:
    table = Table(title=title)
    for column in columns:
        table.add_column(column)
    for row in rows:
        table.add_row(*row)
    console.print(table if table.row_count else when_empty)
