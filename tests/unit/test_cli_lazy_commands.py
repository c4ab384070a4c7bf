"""A `loket` command imports what it uses, not every other command's module: an operator's
`loket kafka status` or `loket dlq list` started 2 s late while the services, the benchmarks and
fpdf were imported for nothing. `loket --help` imports none of them (it took 2 s too), and says
of each command what the command itself says."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from loket.cli.app import COMMANDS, SUMMARIES, load_command
from loket.cli.bench_group import BENCH_COMMANDS, BENCH_SUMMARIES
from loket.cli.help_text import first_paragraph

HEAVY = ["services.ebox_bridge.app", "services.booking.app", "loket.bench.pipeline", "fpdf"]


def _modules_after_loading(command: str, *sub: str) -> set[str]:
    # A fresh interpreter: this test process has imported much of Loket already.
    looked_up = "".join(f".commands[{name!r}]" for name in sub)
    code = ("import json, sys; from loket.cli.app import load_command; "
            f"load_command({command!r}){looked_up}; print(json.dumps(sorted(sys.modules)))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    return set(json.loads(result.stdout))


# `demo`, `print` and `privacy` drive the services, and import them when they run, not for their help;
# `bench` lists its benchmarks without loading any.
@pytest.mark.parametrize("command", ["kafka", "dlq", "accounts", "up", "demo", "print", "privacy", "bench"])
def test_an_operator_command_does_not_import_the_others(command: str) -> None:
    loaded = _modules_after_loading(command)
    assert not loaded & set(HEAVY), f"`loket {command}` imported {sorted(loaded & set(HEAVY))}"


def test_a_benchmark_looked_up_loads_its_pipeline() -> None:
    assert "loket.bench.pipeline" in _modules_after_loading("bench", "bus")  # the test can see an import


def test_the_privacy_export_names_the_services_schemas() -> None:
    # Written out there so that the export need not import the apps for a constant.
    from loket.cli import privacy_export
    from services.ebox_bridge.app import NAME as BRIDGE
    from services.reporting.app import NAME as REPORTING

    assert (privacy_export.BRIDGE, privacy_export.REPORTING) == (BRIDGE, REPORTING)


def test_the_command_list_imports_no_command() -> None:
    code = ("import json, sys; from loket.cli.app import app\n"
            "try:\n    app(['--help'])\nexcept SystemExit:\n    pass\n"
            "print(json.dumps(sorted(sys.modules)))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True,
                            env={**os.environ, "COLUMNS": "2000"})
    listing, _, modules = result.stdout.rpartition("\n[")
    loaded = set(json.loads("[" + modules))
    assert not loaded & ({module for module, _ in COMMANDS.values()} | set(HEAVY)), \
        sorted(loaded & ({module for module, _ in COMMANDS.values()} | set(HEAVY)))
    assert all(SUMMARIES[name] in listing for name in COMMANDS), listing


@pytest.mark.parametrize("name", list(COMMANDS))
def test_each_listed_summary_is_the_command_s_own(name: str) -> None:
    command = load_command(name)
    assert SUMMARIES[name] == first_paragraph(command.short_help or command.help or "")


@pytest.mark.parametrize("name", list(BENCH_COMMANDS))
def test_each_listed_benchmark_summary_is_the_benchmark_s_own(name: str) -> None:
    command = load_command("bench").commands[name]
    assert BENCH_SUMMARIES[name] == first_paragraph(command.short_help or command.help or "")
