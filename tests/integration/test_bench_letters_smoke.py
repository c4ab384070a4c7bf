"""`loket bench letters` on a small load: every letter settles, the outcome splits add up on
both sides, and the report carries the ratio (a smoke test: no speed is asserted)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path


def test_bench_letters_runs_end_to_end(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "services.cli", "bench", "letters", "--count", "300", "--out", str(tmp_path)],
        capture_output=True, text=True, timeout=240,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    report = json.loads((tmp_path / "letters.json").read_text())
    loket, raw = report["loket"], report["raw"]
    assert (loket["letters"], loket["missing"]) == (300, 0)
    assert sum(loket["outcomes"].values()) == 300
    assert set(loket["outcomes"]) <= {"delivered", "paper", "failed"} and loket["outcomes"].get("delivered")
    assert raw["events"] == 300 and sum(raw["outcomes"].values()) == 300
    assert report["ratio"] == loket["letters_per_s"] / raw["events_per_s"]
    assert 0 < loket["p50_ms"] <= loket["p99_ms"]
    assert "ratio Loket / raw" in result.stdout
