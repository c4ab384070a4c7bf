"""Command groups whose commands are imported when one runs or shows its own help, not when the
group lists them: `loket --help` and `loket bench --help` say what each command does from a
summary written beside the group (tests/unit/test_cli_lazy_commands.py checks each against the
command's own), where loading every command imported the services, the benchmarks and both bus
clients first (about 2 s each time)."""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from importlib import import_module
from typing import Any, ClassVar

import typer
from typer.core import TyperCommand, TyperGroup

from loket.cli.help_text import one_line_summaries

# name → (module, attribute): a typer app (a group of commands) or a command's function.
Commands = dict[str, tuple[str, str]]


@functools.cache
def load(module: str, attribute: str, name: str) -> Any:
    """The click command (or group) that `module.attribute` is, named `name`, its module imported now."""
    target = getattr(import_module(module), attribute)
    if isinstance(target, typer.Typer):
        one_line_summaries(target)
        group = typer.main.get_group(target)
        group.name = name
        return group
    single = typer.Typer()
    single.command(name)(target)
    one_line_summaries(single)
    return typer.main.get_command(single)


class _LoadedOnUse(Mapping[str, Any]):
    """A group's commands: every name known at once (for `--help` and "Did you mean"), each
    command loaded when it is looked up."""

    def __init__(self, commands: Commands) -> None:
        self._commands = commands

    def __getitem__(self, name: str) -> Any:
        if name not in self._commands:
            raise KeyError(name)
        return load(*self._commands[name], name)

    def __iter__(self) -> Iterator[str]:
        return iter(self._commands)

    def __len__(self) -> int:
        return len(self._commands)


class LazyCommands(TyperGroup):
    """Set `lazy_commands` and `summaries` in a subclass (`lazy_group`); the order of
    `lazy_commands` is the order of the group's `--help`."""

    lazy_commands: ClassVar[Commands] = {}
    summaries: ClassVar[dict[str, str]] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.commands = _LoadedOnUse(self.lazy_commands)  # type: ignore[assignment]
        self._listing = False

    def list_commands(self, ctx: Any) -> list[str]:
        return list(self.lazy_commands)

    def format_help(self, ctx: Any, formatter: Any) -> None:
        # While the group's --help lists its commands, each is its name and summary only.
        self._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if self._listing and cmd_name in self.summaries:
            return TyperCommand(cmd_name, short_help=self.summaries[cmd_name])
        return super().get_command(ctx, cmd_name)


def lazy_group(commands: Commands, summaries: dict[str, str]) -> type[LazyCommands]:
    """A group class (typer's `cls=`) for these commands and their summaries."""
    return type("LazyCommands", (LazyCommands,), {"lazy_commands": commands, "summaries": summaries})
