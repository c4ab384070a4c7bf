"""The `loket` typer app. Each sub-command lives in its own module beside this one and is imported
only when it runs, or when `loket --help` lists them all: importing every command's module (and
with them the services, the benchmarks and both bus clients) took 1.8 s before any command could
start; `loket dlq list` or `loket kafka status` now import what they use."""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from importlib import import_module
from typing import Any

import typer
from typer.core import TyperGroup

from loket.cli.help_text import one_line_summaries

# name → (module, attribute): a typer app (a group of commands) or a command's function. The
# order is the order of `loket --help`.
COMMANDS: dict[str, tuple[str, str]] = {
    "demo": ("loket.cli.demo", "demo"),
    "up": ("loket.devstack.up", "up"),
    "serve": ("loket.cli.serve", "serve"),
    "migrate": ("loket.cli.migrate", "migrate"),
    "seed": ("loket.cli.seed_cmd", "seed"),
    "ebox-sim": ("loket.cli.ebox_sim_cmd", "ebox_sim"),
    "ebox-keys": ("loket.cli.ebox_sim_cmd", "ebox_keys"),
    "sms-sim": ("loket.cli.sms_sim_cmd", "sms_sim"),
    "smtp-sink": ("loket.cli.sms_sim_cmd", "smtp_sink"),
    "asyncapi": ("loket.cli.asyncapi_cmd", "asyncapi"),
    "audit": ("loket.cli.audit_cmd", "audit_trail"),
    "contracts": ("loket.cli.contracts_cmd", "app"),
    "dlq": ("loket.cli.dlq", "app"),
    "bench": ("loket.cli.bench_cmd", "app"),
    "print": ("loket.cli.print_cmd", "app"),
    "privacy": ("loket.cli.privacy_cmd", "app"),
    "policy": ("loket.cli.policy_cmd", "app"),
    "reporting": ("loket.cli.reporting_cmd", "app"),
    "kafka": ("loket.cli.kafka_cmd", "app"),
    "tenants": ("loket.cli.tenants_cmd", "app"),
    "keys": ("loket.cli.keys_cmd", "app"),
    "accounts": ("loket.cli.accounts_cmd", "app"),
}


@functools.cache
def load_command(name: str) -> Any:
    """The click command (or group) `name` stands for, its module imported now."""
    module, attribute = COMMANDS[name]
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
    """The root group's commands: every name known at once (for `--help` and "Did you mean"),
    each command loaded when it is looked up."""

    def __getitem__(self, name: str) -> Any:
        if name not in COMMANDS:
            raise KeyError(name)
        return load_command(name)

    def __iter__(self) -> Iterator[str]:
        return iter(COMMANDS)

    def __len__(self) -> int:
        return len(COMMANDS)


class LazyCommands(TyperGroup):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.commands = _LoadedOnUse()  # type: ignore[assignment]

    def list_commands(self, ctx: Any) -> list[str]:
        return list(COMMANDS)


app = typer.Typer(
    name="loket",
    cls=LazyCommands,
    help="Loket: municipal digital inclusion on an event bus (booking, notify, ebox_bridge, reporting).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
)


@app.callback()
def _root() -> None:
    """Makes `loket` a group of commands (they are listed by LazyCommands, not registered here)."""
