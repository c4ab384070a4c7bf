"""The supervisor adopts a child that is already running instead of starting it again: the demo's
`--keep-running` hands its running services to it, and a restart would make the simulated eBox
forget every letter it was given (and the bridge then polls read statuses it no longer knows)."""

from __future__ import annotations

import signal
import sys
from pathlib import Path

import pytest

from loket.devstack import supervisor
from loket.devstack.supervisor import Child, Supervisor

SLEEPER = [sys.executable, "-c", "import time; time.sleep(60)"]


def test_a_running_child_keeps_its_process_and_a_stopped_one_is_started(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    running = Child("ebox_sim", SLEEPER, {}, tmp_path / "ebox_sim.log")
    stopped = Child("notify", SLEEPER, {}, tmp_path / "notify.log")
    running.start()
    adopted = running.process
    assert adopted is not None
    watcher = Supervisor([running, stopped])
    seen: list[tuple[object, bool]] = []

    def one_tick_then_stop(_: float) -> None:  # time.sleep is also Popen.wait's: note the first call only
        if not seen:
            seen.append((running.process, stopped.is_running()))
        watcher.request_stop()

    monkeypatch.setattr(supervisor.time, "sleep", one_tick_then_stop)
    handlers = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)
    try:
        watcher.run()
    finally:
        signal.signal(signal.SIGINT, handlers[0])
        signal.signal(signal.SIGTERM, handlers[1])
        adopted.kill()  # only needed when it was not adopted (then nobody stops it)
        adopted.wait()
    assert seen == [(adopted, True)], "the running child was started again, or the stopped one was not started"
    assert stopped.process is not None and stopped.process.poll() is not None  # stopped at the end
