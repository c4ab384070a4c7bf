"""`loket bench notify` on a small load: every confirmation reaches the simulator in the burst
and in the paced run, and the report carries the figures (a smoke test: no speed asserted)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.bench_cli import run_bench

pytestmark = pytest.mark.slow


def test_bench_notify_runs_end_to_end(tmp_path: Path) -> None:
    report = run_bench("notify", tmp_path, "--count", "200", "--paced-rate", "50", "--paced-seconds", "2")
    assert (report["burst"]["messages"], report["burst"]["missing"]) == (200, 0)
    assert (report["paced"]["messages"], report["paced"]["missing"]) == (100, 0)
    assert report["raw"]["messages"] == 200 and report["ratio_burst_to_raw"] > 0
    assert 0 < report["paced"]["within_10s"] <= 1
