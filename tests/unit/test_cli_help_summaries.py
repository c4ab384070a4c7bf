"""`loket --help` and its groups list each command's summary as text the console wraps, not
with the line breaks of the docstring it comes from."""

from __future__ import annotations

from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from loket.cli.app import app
from loket.cli.help_text import first_paragraph


def _groups(group: Any, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Any]]:
    # Typer's own click types (it may carry its own copy of click): a group is what has commands.
    found = [(path, group)]
    for name, command in group.commands.items():
        if hasattr(command, "commands"):
            found += _groups(command, (*path, name))
    return found


GROUPS = _groups(typer.main.get_command(app))


def test_every_group_is_checked() -> None:
    assert {path for path, _ in GROUPS} >= {(), ("bench",), ("kafka",), ("dlq",)}


@pytest.mark.parametrize(("path", "group"), GROUPS, ids=[" ".join(("loket", *p)) for p, _ in GROUPS])
def test_each_command_summary_is_one_line_on_a_wide_console(path: tuple[str, ...], group: Any) -> None:
    # 2 000 columns: a summary with no line break of its own fits on one line.
    result = CliRunner().invoke(app, [*path, "--help"], env={"COLUMNS": "2000"})
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    for name, command in group.commands.items():
        summary = first_paragraph(command.short_help or command.help or "")
        assert summary, f"`loket {' '.join((*path, name))}` has no summary"
        assert any(summary in line for line in lines), \
            f"the summary of `loket {' '.join((*path, name))}` is broken over lines:\n{result.output}"
