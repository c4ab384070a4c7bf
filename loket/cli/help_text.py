"""Command summaries on one line in `--help`.

Typer's command lists (rich mode) keep the line breaks of a command's docstring, so a summary
written over three lines of source came out as ragged lines in `loket --help`: "…(embedded
unless LOKET_DATABASE_URL / LOKET_BUS_URL are set)," with "set)," alone on the next line. Each
command's summary is its docstring's first paragraph as one line, which the console then wraps
at its own width. A command's own `--help` already joins its first paragraph."""

from __future__ import annotations

import inspect

import typer


def summary(command: typer.models.CommandInfo) -> str:
    return first_paragraph(command.help or inspect.getdoc(command.callback) or "")


def first_paragraph(text: str) -> str:
    """A help text's first paragraph on one line: what a command list shows of it."""
    return " ".join(text.split("\n\n")[0].split())


def one_line_summaries(app: typer.Typer) -> None:
    """Set every command's short help (where none is set), in `app` and the groups under it."""
    for command in app.registered_commands:
        if command.short_help is None:
            command.short_help = summary(command)
    for group in app.registered_groups:
        if group.typer_instance is not None:
            one_line_summaries(group.typer_instance)
