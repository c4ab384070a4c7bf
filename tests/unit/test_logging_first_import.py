"""A service process configures logging before it imports its broker (the `loket` commands load
their modules when they run): FastStream's lines must still come out as the process's JSON."""

from __future__ import annotations

import json
import subprocess
import sys


def test_faststream_imported_after_the_logging_setup_still_logs_json() -> None:
    code = ("import logging, sys; assert 'faststream' not in sys.modules; "
            "from loket.infra.logging_setup import configure_logging; configure_logging(service='notify'); "
            "from faststream.nats import NatsBroker; "
            "logging.getLogger('faststream').info('callback for Task-1 is being executed...')")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines, result
    entries = [json.loads(line) for line in lines]  # a coloured text line fails here
    assert [(e["logger"], e["service"], e["msg"]) for e in entries] == [
        ("faststream", "notify", "callback for Task-1 is being executed...")]
    assert result.stdout == ""
