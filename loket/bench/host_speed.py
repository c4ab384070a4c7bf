"""How fast the machine's cores ran during each measured run: a probe beside the benchmark.

Why: on a shared 2-core virtual machine the same pipeline run cost 90 to 187 µs of CPU per event
from one minute to the next, in every process alike (docs/performance.md, runs 29 to 34). At such
times the cores themselves execute slower (another tenant of the host on the same physical core,
its caches, its clock), and a run's events/s measures the host as much as Loket. The probe tells
such a minute from a slower Loket.

How: a small process (`python -m loket.bench.host_speed`) times one fixed piece of work on each
core in turn, PROBES_PER_S times a second, by its own thread CPU time: waiting for a busy core
does not count, a core that executes the same instructions slower does. The work is interpreted
Python and a copy of 2 MiB (caches and memory), about a millisecond, so the probe takes about
1 % of one core from what it watches, the same in every run.

A run's speed on a core is that core's median probe in the run's window, as a share of the
core's fastest probes over the whole benchmark, warm-up included (their REFERENCE_QUANTILE): 100 %
is as fast as this machine ran that day, 60 % a core that took two thirds longer for the same
work. The benchmark's own processes slow the probe too (they share the cores' caches): with both
cores busy it ran at about 75 to 85 % of its idle best in a NATS run, so shares compare runs of one
kind (pipeline with pipeline), not a loaded run with an idle machine. Linux only (core affinity);
elsewhere there are no samples and no speeds.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import statistics
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass

PROBES_PER_S = 10.0
REFERENCE_QUANTILE = 0.05
_LOOP = 4_000
_COPY_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True)
class Sample:
    at: float  # time.monotonic() when the probe ended: one clock for every process on Linux
    cpu: int
    ns: int  # thread CPU time the fixed work took on that core


def probe_once(source: bytes, target: bytearray) -> int:
    """Thread CPU nanoseconds of the fixed work, on whatever core this thread is pinned to."""
    began = time.thread_time_ns()
    total = 0
    for i in range(_LOOP):
        total += i * i % 7
    target[:] = source  # read and write every byte, into pages mapped once (no page faults timed)
    return time.thread_time_ns() - began


def reference(samples: Iterable[Sample]) -> dict[int, float]:
    """Each core's fastest probes (their REFERENCE_QUANTILE, not the single fastest: one lucky
    probe would make every run look slow)."""
    by_cpu: dict[int, list[int]] = {}
    for s in samples:
        by_cpu.setdefault(s.cpu, []).append(s.ns)
    return {cpu: sorted(ns)[int(REFERENCE_QUANTILE * (len(ns) - 1))] for cpu, ns in sorted(by_cpu.items())}


def speeds(samples: Iterable[Sample], began: float, ended: float, best: dict[int, float]) -> dict[int, float]:
    """Per core, the share of its best speed it ran at between `began` and `ended` (monotonic
    seconds); cores without a probe in that window are left out."""
    by_cpu: dict[int, list[int]] = {}
    for s in samples:
        if began <= s.at <= ended:
            by_cpu.setdefault(s.cpu, []).append(s.ns)
    return {cpu: best[cpu] / statistics.median(ns) for cpu, ns in sorted(by_cpu.items()) if cpu in best}


def speeds_summary(shares: dict[int, float] | dict[str, float]) -> str:
    """"cores at 98 % and 64 % of their best" (JSON turns the core numbers into strings)."""
    if not shares:
        return ""
    values = [f"{share:.0%}".replace("%", " %") for _, share in sorted(shares.items(), key=lambda kv: int(kv[0]))]
    if len(values) == 1:
        return f"core at {values[0]} of its best"
    return f"cores at {', '.join(values[:-1])} and {values[-1]} of their best"


class HostSpeedProbe:
    """The probe process and what it reported, for the benchmark's own process."""

    def __init__(self) -> None:
        self.samples: list[Sample] = []
        self._process: asyncio.subprocess.Process | None = None
        self._reader: asyncio.Task[None] | None = None

    @staticmethod
    def available() -> bool:
        return hasattr(os, "sched_setaffinity") and len(os.sched_getaffinity(0)) > 0

    async def start(self) -> None:
        if not self.available():
            return
        self._process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "loket.bench.host_speed", str(PROBES_PER_S), stdout=asyncio.subprocess.PIPE)
        self._reader = asyncio.create_task(self._read(self._process.stdout))  # type: ignore[arg-type]

    async def _read(self, lines: asyncio.StreamReader) -> None:
        async for line in lines:
            at, cpu, ns = line.split()
            self.samples.append(Sample(float(at), int(cpu), int(ns)))

    def reference(self) -> dict[int, float]:
        return reference(self.samples)

    def speeds(self, began: float, ended: float) -> dict[int, float]:
        return speeds(self.samples, began, ended, reference(self.samples))

    async def stop(self) -> None:
        if self._process is not None and self._process.returncode is None:
            self._process.terminate()
            await self._process.wait()
        if self._reader is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader


def main(argv: list[str]) -> None:
    """Probe every core this process may run on, in turn, forever: one line per probe."""
    per_s = float(argv[0]) if argv else PROBES_PER_S
    cores = sorted(os.sched_getaffinity(0))
    pause = 1.0 / per_s
    source, target = b"\x01" * _COPY_BYTES, bytearray(_COPY_BYTES)
    while True:
        for cpu in cores:
            os.sched_setaffinity(0, {cpu})
            ns = probe_once(source, target)
            print(f"{time.monotonic():.4f} {cpu} {ns}", flush=True)
            time.sleep(pause)


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt, BrokenPipeError):
        main(sys.argv[1:])
