"""Run `loket bench NAME … --json` as a user would and return its report, checking what every
benchmark promises: exit 0, the report file written, and stdout carrying that report only."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any


def run_bench(name: str, out: Path, *args: str, report: str | None = None) -> dict[str, Any]:
    """`report`: the file's name when it is not the benchmark's (a Kafka run's `NAME-kafka`)."""
    result = subprocess.run([sys.executable, "-m", "loket.cli", "bench", name, *args, "--out", str(out), "--json"],
                            capture_output=True, text=True, timeout=240)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    written = json.loads((out / f"{report or name}.json").read_text())
    assert json.loads(result.stdout) == written  # --json: stdout is the report and nothing else
    return written
