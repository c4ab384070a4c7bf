"""`loket bench counter` on a small load: every display shows every call on both sides, nobody
is called twice, every clerk's action is answered, and the report carries the percentiles (a
smoke test: no speed is asserted)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.bench_cli import run_bench

pytestmark = pytest.mark.slow


def test_bench_counter_runs_end_to_end(tmp_path: Path) -> None:
    report = run_bench("counter", tmp_path, "--displays", "6", "--counters", "3", "--calls", "12", "--rate", "6")
    assert report["loket"]["calls"] == 12 and report["raw"]["calls"] == 12
    assert report["loket"]["deliveries"] == 6 * 12 and report["raw"]["deliveries"] == 6 * 12
    assert all(report["checks"].values()), report["checks"]
    assert report["loket"]["call_to_display_p95_ms"] > 0 and report["loket"]["page_p95_ms"] > 0
    assert report["raw"]["call_to_display_p95_ms"] > 0
