"""The cores' speed probe as the benchmark runs it: a real process, pinned to each core in turn."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time

import pytest

from loket.bench.host_speed import HostSpeedProbe

pytestmark = pytest.mark.skipif(not HostSpeedProbe.available(), reason="needs Linux core affinity")


async def test_every_core_is_probed_and_gets_a_speed_for_a_window() -> None:
    probe = HostSpeedProbe()
    await probe.start()
    try:
        began = time.monotonic()
        cores = os.sched_getaffinity(0)
        deadline = began + 20
        # Three probes per core at least: the probe alternates cores, ten probes a second.
        while {s.cpu for s in probe.samples} != cores or len(probe.samples) < 3 * len(cores):
            assert time.monotonic() < deadline, f"probes so far: {probe.samples}"
            await asyncio.sleep(0.1)
        ended = time.monotonic()
    finally:
        await probe.stop()
    assert probe._process is not None and probe._process.returncode is not None  # stopped
    assert all(1_000 < s.ns < 1_000_000_000 for s in probe.samples)  # a millisecond's work, in ns
    window = probe.speeds(began, ended)
    assert set(window) == cores
    assert all(0.05 < share < 2.0 for share in window.values()), window
    assert probe.speeds(ended + 100, ended + 200) == {}


def test_the_probe_stops_when_nobody_reads_it() -> None:
    # A benchmark killed outright leaves no probe behind: its next line finds the pipe closed.
    process = subprocess.Popen([sys.executable, "-m", "loket.bench.host_speed", "20"], stdout=subprocess.PIPE)
    try:
        assert process.stdout is not None
        assert process.stdout.readline().split()[1].isdigit()
        process.stdout.close()
        assert process.wait(timeout=20) is not None
    finally:
        if process.poll() is None:
            process.kill()
