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
        # This probe and its partner (forked before the first line), not another test's: a
        # benchmark's smoke test on the other worker runs probes of its own meanwhile.
        ours = {process.pid, *_children(process.pid)}
        assert len(ours) == (2 if len(os.sched_getaffinity(0)) > 1 else 1)
        process.stdout.close()
        assert process.wait(timeout=20) is not None
        deadline = time.monotonic() + 20
        while left := _running(ours):
            assert time.monotonic() < deadline, f"left behind: {left}"
            time.sleep(0.1)
    finally:
        if process.poll() is None:
            process.kill()


def _state_and_parent(pid: int) -> tuple[str, int] | None:
    """A process's state letter and parent pid (/proc/<pid>/stat), None once it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            stat = f.read()
    except OSError:
        return None
    state, parent = stat[stat.rindex(")") + 2 :].split()[:2]
    return state, int(parent)


def _children(pid: int) -> set[int]:
    return {int(entry) for entry in os.listdir("/proc")
            if entry.isdigit() and (found := _state_and_parent(int(entry))) is not None and found[1] == pid}


def _running(pids: set[int]) -> list[int]:
    """Those of `pids` still running: gone or a zombie (ended, not yet reaped) is not."""
    return sorted(pid for pid in pids if (found := _state_and_parent(pid)) is not None and found[0] != "Z")


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
