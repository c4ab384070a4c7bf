"""`loket up` says why a service exited, from the last error it logged (a port another process
holds, a database it cannot reach), not just its exit code; an earlier run's errors are not
mistaken for this one's."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

import pytest

from loket.devstack.supervisor import Child, Supervisor


def _child(tmp_path: Path, lines: list[dict[str, str]], code: int) -> Child:
    script = "".join(f"print({json.dumps(json.dumps(line))})\n" for line in lines) + f"raise SystemExit({code})\n"
    return Child("notify", [sys.executable, "-c", script], {}, tmp_path / "notify.log")


def _exit(child: Child) -> int:
    child.start()
    assert child.process is not None
    return child.process.wait(timeout=30)


def test_the_last_error_this_run_logged_is_the_reason(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    bind = "[Errno 98] error while attempting to bind on address ('127.0.0.1', 52057): address already in use"
    child = _child(tmp_path, [{"level": "INFO", "msg": "notify started"}, {"level": "ERROR", "msg": bind},
                              {"level": "INFO", "msg": "Application shutdown complete."}], code=3)
    assert _exit(child) == 3
    restarted: list[tuple[str, int]] = []
    with caplog.at_level(logging.WARNING):
        Supervisor([child])._tick(lambda c, code: restarted.append((c.exit_reason or "", code)))
    assert restarted == [(bind, 3)]
    assert "notify exited" not in caplog.text  # the caller says it (loket up's console): one line, not two


def test_without_a_caller_the_reason_is_logged(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    child = _child(tmp_path, [{"level": "ERROR", "msg": "database role notify has no password"}], code=3)
    assert _exit(child) == 3
    with caplog.at_level(logging.WARNING):
        Supervisor([child])._tick(None)
    assert "notify exited with 3 (database role notify has no password); restarting in 1 s" in caplog.text


def test_an_earlier_runs_error_is_not_this_runs_reason(tmp_path: Path) -> None:
    (tmp_path / "notify.log").write_text(json.dumps({"level": "ERROR", "msg": "yesterday's failure"}) + "\n")
    child = _child(tmp_path, [{"level": "INFO", "msg": "Application shutdown complete."}], code=0)
    assert _exit(child) == 0
    assert child.last_error() is None


def test_a_failed_start_is_told_by_its_exception_not_by_uvicorns_last_words(tmp_path: Path) -> None:
    traceback = ("Traceback (most recent call last):\n  File \"starlette/routing.py\", line 661, in lifespan\n"
                 "    async with self.lifespan_context(app) as maybe_state:\n"
                 "loket.infra.bus.kafka_wiring.TopicsMissing: the Kafka cluster has no topic points.v1: create it\n")
    child = _child(tmp_path, [{"level": "ERROR", "msg": traceback},
                              {"level": "ERROR", "msg": "Application startup failed. Exiting."}], code=3)
    assert _exit(child) == 3
    assert child.last_error() == "TopicsMissing: the Kafka cluster has no topic points.v1: create it"


def test_uvicorns_last_words_are_still_better_than_nothing(tmp_path: Path) -> None:
    child = _child(tmp_path, [{"level": "ERROR", "msg": "Application startup failed. Exiting."}], code=3)
    assert _exit(child) == 3
    assert child.last_error() == "Application startup failed. Exiting."
