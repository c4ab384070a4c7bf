"""`loket bench reporting` on a small load: everything published is projected by the live
service, the rebuild replays all of it, and the report carries the figures (no speed asserted)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.bench_cli import run_bench

pytestmark = pytest.mark.slow


def test_bench_reporting_runs_end_to_end(tmp_path: Path) -> None:
    report = run_bench("reporting", tmp_path, "--count", "600")
    assert report["events"] == 600 and report["projected"]["missing"] == 0
    assert report["rebuild"]["events"] == 600
    assert report["raw"]["per_s"] > 0 and report["ratio_live_to_raw"] > 0
