"""`loket bench outbox` on a small load: both sides commit, every Loket append was relayed and
every raw row is in its table, and the report carries the ratio and each run (a smoke test: no
speed is asserted)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.bench_cli import run_bench

pytestmark = pytest.mark.slow


def test_bench_outbox_runs_end_to_end(tmp_path: Path) -> None:
    report = run_bench("outbox", tmp_path, "--processes", "2", "--writers", "3", "--seconds", "1", "--pairs", "1")
    assert [run["side"] for run in report["runs"]] == ["raw", "loket"]
    checks = report["checks"]
    assert checks["loket_commits"] == report["loket"]["commits"] > 0
    assert checks["relayed"] == checks["loket_commits"] and checks["all_relayed"]
    assert checks["raw_rows"] == checks["raw_commits"] == report["raw"]["commits"] > 0
    assert report["ratio"] == pytest.approx(report["loket"]["per_s"] / report["raw"]["per_s"])
    assert 0 < report["loket"]["p50_ms"] <= report["loket"]["p99_ms"]
    assert report["loket"]["cpu"]["postgres_s"] is not None
