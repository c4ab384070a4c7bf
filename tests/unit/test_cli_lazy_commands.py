"""A `loket` command imports what it uses, not every other command's module: an operator's
`loket kafka status` or `loket dlq list` started 2 s late while the services, the benchmarks and
fpdf were imported for nothing."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ["services.ebox_bridge.app", "services.booking.app", "loket.bench.pipeline", "fpdf"]


def _modules_after_loading(command: str) -> set[str]:
    # A fresh interpreter: this test process has imported much of Loket already.
    code = ("import json, sys; from loket.cli.app import load_command; "
            f"load_command({command!r}); print(json.dumps(sorted(sys.modules)))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    return set(json.loads(result.stdout))


@pytest.mark.parametrize("command", ["kafka", "dlq", "accounts", "up"])
def test_an_operator_command_does_not_import_the_others(command: str) -> None:
    loaded = _modules_after_loading(command)
    assert not loaded & set(HEAVY), f"`loket {command}` imported {sorted(loaded & set(HEAVY))}"


def test_a_command_that_drives_a_service_still_loads_it() -> None:
    assert "services.ebox_bridge.app" in _modules_after_loading("print")  # the test can see an import
