"""`loket serve` refuses a configuration it cannot start with: status 2 and one log line naming
the setting and the problem, no traceback, no secret."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest


def serve(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("LOKET_") and k != "COLUMNS"}
    return subprocess.run([sys.executable, "-m", "loket.cli", "serve", "notify"], env={**clean, **env},
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize(("env", "named"), [
    ({}, "LOKET_BUS_URL and LOKET_DATABASE_URL must be set"),
    ({"LOKET_CONSUMER_BATCH_SIZE": "0"}, "LOKET_CONSUMER_BATCH_SIZE: Input should be greater than or equal to 1"),
    ({"LOKET_DATABASE_URL": "postgresql://loket:pw@127.0.0.1:1/loket", "LOKET_BUS_URL": "nats://127.0.0.1:2"},
     "set LOKET_CONTACT_KEY_SECRET_FILE to a file (mode 0600)"),
])
def test_serve_refuses_with_one_line_and_status_2(env: dict[str, str], named: str) -> None:
    done = serve(env)
    assert done.returncode == 2, done.stderr[-2000:]
    lines = [line for line in (done.stdout + done.stderr).splitlines() if line.strip()]
    refusal = json.loads(lines[-1])
    assert refusal["level"] == "ERROR" and refusal["msg"].startswith("notify cannot start: ")
    assert named in refusal["msg"]
    assert "Traceback" not in done.stderr and "pw@" not in done.stderr
