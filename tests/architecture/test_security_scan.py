"""bandit over the platform and the services: no high-severity finding. (Medium ones are mostly
B608 "SQL built from strings", where only schema names from code are interpolated and values are
always bind parameters; they are reviewed, not gated.)"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_bandit_finds_no_high_severity_issue() -> None:
    pytest.importorskip("bandit", reason="bandit is a dev dependency: pip install -e '.[dev]'")
    run = subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, "-m", "bandit", "-q", "-r", "loket", "services", "-f", "json", "--severity-level", "high"],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    report = json.loads(run.stdout)
    high = [f"{r['filename']}:{r['line_number']} {r['test_id']} {r['issue_text']}"
            for r in report["results"] if r["issue_severity"] == "HIGH"]
    assert not high, "\n".join(high)
    assert report["metrics"]["_totals"]["loc"] > 10_000  # it really scanned the code
