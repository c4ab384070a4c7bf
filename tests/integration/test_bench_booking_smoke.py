"""`loket bench booking` on a small load: every contested slot has exactly one winner on both
sides, the answers add up, and the report carries the ratio and the slot timing (a smoke
test: no speed is asserted)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.bench_cli import run_bench

pytestmark = pytest.mark.slow


def test_bench_booking_runs_end_to_end(tmp_path: Path) -> None:
    report = run_bench("booking", tmp_path, "--requests", "120", "--clients", "8", "--contenders", "3")
    assert report["contested_targets"] == 40 and report["requests"] == 120
    assert report["checks"]["one_winner_per_target"] and report["checks"]["raw_one_winner"]
    assert report["loket"]["statuses"] == {"201": 40, "409": 80}
    assert report["raw"]["statuses"] == {"inserted": 40, "refused": 80}
    assert report["ratio_loket_to_raw"] > 0
    assert report["slots"]["points"] == 30 and report["slots"]["http_total_ms"] > 0
