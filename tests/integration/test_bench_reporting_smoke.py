"""`loket bench reporting` on a small load: everything published is projected by the live
service, the rebuild replays all of it, and the report carries the figures (no speed asserted)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


def test_bench_reporting_runs_end_to_end(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "services.cli", "bench", "reporting", "--count", "600", "--out", str(tmp_path), "--json"],
        capture_output=True, text=True, timeout=240)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    report = json.loads((tmp_path / "reporting.json").read_text())
    assert json.loads(result.stdout) == report
    assert report["events"] == 600 and report["projected"]["missing"] == 0
    assert report["rebuild"]["events"] == 600
    assert report["raw"]["per_s"] > 0 and report["ratio_live_to_raw"] > 0
