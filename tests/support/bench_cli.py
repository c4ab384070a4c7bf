"""Run `loket bench NAME … --json` as a user would and return its report, checking what every
benchmark promises: exit 0, the report file written, and stdout carrying that report only."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any


def run_bench(name: str, out: Path, *args: str) -> dict[str, Any]:
    result = subprocess.run([sys.executable, "-m", "loket.cli", "bench", name, *args, "--out", str(out), "--json"],
                            capture_output=True, text=True, timeout=240)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    report = json.loads((out / f"{name}.json").read_text())
    assert json.loads(result.stdout) == report  # --json: stdout is the report and nothing else
    return report
