"""`loket bench notify` on a small load: every confirmation reaches the simulator in the burst
and in the paced run, and the report carries the figures (a smoke test: no speed asserted)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


def test_bench_notify_runs_end_to_end(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "services.cli", "bench", "notify", "--count", "200", "--paced-rate", "50",
         "--paced-seconds", "2", "--out", str(tmp_path), "--json"],
        capture_output=True, text=True, timeout=240)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    report = json.loads((tmp_path / "notify.json").read_text())
    assert json.loads(result.stdout) == report
    assert (report["burst"]["messages"], report["burst"]["missing"]) == (200, 0)
    assert (report["paced"]["messages"], report["paced"]["missing"]) == (100, 0)
    assert report["raw"]["messages"] == 200 and report["ratio_burst_to_raw"] > 0
    assert 0 < report["paced"]["within_10s"] <= 1
