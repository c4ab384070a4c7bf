"""The machine's speed probes as the benchmark runs them: a real process, pinned to each core in turn,
and its partner on another core for the wake-ups."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time

import pytest

from loket.bench.cpu_usage import CpuMeter
from loket.bench.host_speed import KERNEL, MEMORY, WAKE_UP, HostSpeedProbe, core, start_echo_partner

pytestmark = pytest.mark.skipif(not HostSpeedProbe.available(), reason="needs Linux core affinity")


async def test_every_core_is_probed_and_gets_a_speed_for_a_window() -> None:
    probe = HostSpeedProbe()
    await probe.start()
    try:
        began = time.monotonic()
        cores = os.sched_getaffinity(0)
        expected = {core(c) for c in cores} | {MEMORY, KERNEL} | ({WAKE_UP} if len(cores) > 1 else set())
        deadline = began + 30  # the memory probe builds its 64 MiB cycle first, a few seconds
        # Three of each at least: the probes take turns, ten a second.
        while {s.probe for s in probe.samples} != expected or len(probe.samples) < 3 * len(expected):
            assert time.monotonic() < deadline, f"probes so far: {probe.samples}"
            await asyncio.sleep(0.1)
        ended = time.monotonic()
    finally:
        await probe.stop()
    assert probe._process is not None and probe._process.returncode is not None  # stopped
    assert all(1_000 < s.ns < 1_000_000_000 for s in probe.samples)  # about a millisecond's work, in ns
    window = probe.speeds(began, ended)
    assert set(window) == expected
    assert all(0.05 < share < 2.0 for share in window.values()), window
    assert probe.speeds(ended + 100, ended + 200) == {}


def test_the_probe_stops_when_nobody_reads_it() -> None:
    # A benchmark killed outright leaves no probe behind: its next line finds the pipe closed, and
    # its wake-up partner reads the end of its pipe when the probe is gone.
    process = subprocess.Popen([sys.executable, "-m", "loket.bench.host_speed", "20"], stdout=subprocess.PIPE)
    try:
        assert process.stdout is not None
        assert process.stdout.readline().split()[1] in (b"core", b"wake-up", b"memory", b"kernel")
        process.stdout.close()
        assert process.wait(timeout=20) is not None
        deadline = time.monotonic() + 20
        while _probe_processes():
            assert time.monotonic() < deadline, f"left behind: {_probe_processes()}"
            time.sleep(0.1)
    finally:
        if process.poll() is None:
            process.kill()


def _probe_processes() -> list[str]:
    """Processes still running the probe module (the partner is a fork: same command line)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as f:
                    cmdline = f.read()
            except OSError:
                continue
            if b"loket.bench.host_speed" in cmdline:
                found.append(entry)
    return found


def test_the_cpu_meter_counts_the_machines_context_switches() -> None:
    # 200 round trips to another process: each blocking read gives up the core at least once.
    partner = start_echo_partner(None)
    try:
        meter = CpuMeter().start()
        for _ in range(200):
            os.write(partner.to_partner, b"x")
            os.read(partner.from_partner, 1)
        used = meter.stop()
    finally:
        os.close(partner.to_partner)
        os.waitpid(partner.pid, 0)
        os.close(partner.from_partner)
    assert used.context_switches is not None and used.context_switches >= 200
    assert used.interrupts is not None and used.interrupts >= 0
