"""How fast the machine ran during each measured run: probes beside the benchmark.

Why: on a shared 2-core virtual machine the same pipeline run cost 90 to 187 µs of CPU per event
from one minute to the next, in every process alike (docs/performance.md, runs 29 to 35). A run's
events/s then measures the host as much as Loket. The probes tell such a minute from a slower Loket.

How: a small process (`python -m loket.bench.host_speed`) times fixed pieces of work, PROBES_PER_S
a second in turn, each by its own thread CPU time (waiting for a busy core does not count, the
same work taking longer does):

- `core N`: interpreted Python and a copy of 2 MiB (caches and memory), pinned to core N;
- `wake-up`: WAKE_ROUND_TRIPS one-byte round trips through two pipes to a partner process pinned
  to another core: the system calls and cross-core wake-ups that a pipeline of a dozen processes
  talking over loopback lives on. On a virtual machine waking another core goes through the
  hypervisor, and its time is charged to the process that woke it.
- `memory`: MEMORY_STEPS steps of a chase through a 64 MiB cycle of slots far apart, each step
  waiting for the last: what a miss in the core's own cache costs. The core probe's work fits in
  that cache (2 MiB of a 4 MiB L2 here) and cannot see another tenant of the host crowding the
  shared last-level cache or the memory bus, which slows every large program alike (the
  interpreters, PostgreSQL, the brokers' JVMs) and which the core probes missed in runs 35 to 37.
- `kernel`: the kernel's side of a database or a broker: KERNEL_WRITES writes of 64 KiB into a
  file that is then emptied (the page cache takes new pages each time), and as many fresh pages
  of memory touched once (a page fault each; on a virtual machine a fault can also be the host's).
  In runs 37 and 38 PostgreSQL's own statements measured alone cost 37 to 38 µs per event against
  22 in a fast hour, while the memory probe barely moved.

Each probe is about a millisecond, so together they take about 1 % of one core from what they
watch, the same in every run.

A run's speed on a probe is its median in the run's window as a share of that probe's fastest over
the whole benchmark, warm-up included (its REFERENCE_QUANTILE): 100 % is as fast as this machine
ran that day, 60 % the same work taking two thirds longer. The benchmark's own processes slow the
probes too (they share the cores and their caches), so shares compare runs of one kind (pipeline
with pipeline), not a loaded run with an idle machine. Linux only (core affinity); elsewhere there
are no samples and no speeds.
"""

from __future__ import annotations

import array
import asyncio
import contextlib
import mmap
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass

PROBES_PER_S = 10.0
REFERENCE_QUANTILE = 0.05
WAKE_ROUND_TRIPS = 100
WAKE_UP = "wake-up"
MEMORY = "memory"
KERNEL = "kernel"
KERNEL_WRITES = 4
_KERNEL_BLOCK = 64 * 1024
MEMORY_STEPS = 6_000
_MEMORY_SLOTS = 8 * 1024 * 1024  # of 8 bytes: 64 MiB, a power of two
_LOOP = 4_000
_COPY_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True)
class Sample:
    at: float  # time.monotonic() when the probe ended: one clock for every process on Linux
    probe: str  # "core 0", "core 1", …, or WAKE_UP
    ns: int  # thread CPU time the probe's fixed work took


def core(number: int) -> str:
    return f"core {number}"


def compute_once(source: bytes, target: bytearray) -> int:
    """Thread CPU nanoseconds of the fixed work, on whatever core this thread is pinned to."""
    began = time.thread_time_ns()
    total = 0
    for i in range(_LOOP):
        total += i * i % 7
    target[:] = source  # read and write every byte, into pages mapped once (no page faults timed)
    return time.thread_time_ns() - began


def wake_up_once(to_partner: int, from_partner: int) -> int:
    """Thread CPU nanoseconds of WAKE_ROUND_TRIPS round trips to the partner on another core."""
    began = time.thread_time_ns()
    for _ in range(WAKE_ROUND_TRIPS):
        os.write(to_partner, b"x")
        os.read(from_partner, 1)
    return time.thread_time_ns() - began


class MemoryChase:
    """A single cycle through every slot of a 64 MiB array, consecutive slots of the cycle far
    apart (an odd multiplier modulo a power of two is a permutation). Each probe goes on from where
    the last stopped, so it never walks memory it walked recently."""

    def __init__(self, slots: int = _MEMORY_SLOTS) -> None:
        multiplier = 0x9E3779B1 % slots | 1
        self.next = array.array("q", bytes(8 * slots))
        previous = 0
        for k in range(1, slots):  # a few seconds, once, before the first probe
            current = (k * multiplier) & (slots - 1)
            self.next[previous] = current
            previous = current
        self.next[previous] = 0
        self.at = 0

    def once(self, steps: int = MEMORY_STEPS) -> int:
        """Thread CPU nanoseconds of `steps` dependent loads."""
        following, at = self.next, self.at
        began = time.thread_time_ns()
        for _ in range(steps):
            at = following[at]
        took = time.thread_time_ns() - began
        self.at = at
        return took


class KernelWork:
    """Writes into a file of its own that is emptied after each probe, and fresh anonymous pages."""

    def __init__(self) -> None:
        descriptor, path = tempfile.mkstemp(prefix="loket-host-speed-")
        os.unlink(path)  # gone with the process, whatever ends it
        self.file, self.block = descriptor, b"\x01" * _KERNEL_BLOCK

    def once(self) -> int:
        """Thread CPU nanoseconds of KERNEL_WRITES writes and as many blocks of fresh pages."""
        size = KERNEL_WRITES * _KERNEL_BLOCK
        began = time.thread_time_ns()
        for _ in range(KERNEL_WRITES):
            os.write(self.file, self.block)
        os.ftruncate(self.file, 0)
        os.lseek(self.file, 0, os.SEEK_SET)
        pages = mmap.mmap(-1, size, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
        for offset in range(0, size, mmap.PAGESIZE):
            pages[offset] = 1
        pages.close()
        return time.thread_time_ns() - began


def reference(samples: Iterable[Sample]) -> dict[str, float]:
    """Each probe's fastest (its REFERENCE_QUANTILE, not the single fastest: one lucky probe
    would make every run look slow)."""
    by_probe: dict[str, list[int]] = {}
    for s in samples:
        by_probe.setdefault(s.probe, []).append(s.ns)
    return {probe: sorted(ns)[int(REFERENCE_QUANTILE * (len(ns) - 1))] for probe, ns in sorted(by_probe.items())}


def speeds(samples: Iterable[Sample], began: float, ended: float, best: dict[str, float]) -> dict[str, float]:
    """Per probe, the share of its best speed it ran at between `began` and `ended` (monotonic
    seconds); probes that did not run in that window are left out."""
    by_probe: dict[str, list[int]] = {}
    for s in samples:
        if began <= s.at <= ended:
            by_probe.setdefault(s.probe, []).append(s.ns)
    return {probe: best[probe] / statistics.median(ns) for probe, ns in sorted(by_probe.items()) if probe in best}


def speeds_summary(shares: dict[str, float]) -> str:
    """"cores at 98 % and 64 %, wake-ups at 71 %, memory at 55 % of their best"."""
    def pct(share: float) -> str:
        return f"{share * 100:.0f} %"

    cores = [pct(share) for name, share in sorted(shares.items()) if name.startswith("core ")]
    parts = []
    if cores:
        listed = cores[0] if len(cores) == 1 else f"{', '.join(cores[:-1])} and {cores[-1]}"
        parts.append(f"{'core' if len(cores) == 1 else 'cores'} at {listed}")
    if WAKE_UP in shares:
        parts.append(f"wake-ups at {pct(shares[WAKE_UP])}")
    if MEMORY in shares:
        parts.append(f"memory at {pct(shares[MEMORY])}")
    if KERNEL in shares:
        parts.append(f"kernel work at {pct(shares[KERNEL])}")
    if not parts:
        return ""
    one_core_only = len(parts) == 1 and len(cores) == 1
    return f"{', '.join(parts)} of {'its' if one_core_only else 'their'} best"


class HostSpeedProbe:
    """The probe process and what it reported, for the benchmark's own process."""

    def __init__(self) -> None:
        self.samples: list[Sample] = []
        self._process: asyncio.subprocess.Process | None = None
        self._reader: asyncio.Task[None] | None = None

    @staticmethod
    def available() -> bool:
        return hasattr(os, "sched_setaffinity") and hasattr(os, "fork") and len(os.sched_getaffinity(0)) > 0

    async def start(self) -> None:
        if not self.available():
            return
        self._process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "loket.bench.host_speed", str(PROBES_PER_S), stdout=asyncio.subprocess.PIPE)
        self._reader = asyncio.create_task(self._read(self._process.stdout))  # type: ignore[arg-type]

    async def _read(self, lines: asyncio.StreamReader) -> None:
        async for line in lines:  # "37286.5291 core 0 1298039", "37286.6308 wake-up 512345"
            at, rest = line.decode().split(" ", 1)
            probe, ns = rest.rsplit(" ", 1)
            self.samples.append(Sample(float(at), probe, int(ns)))

    def reference(self) -> dict[str, float]:
        return reference(self.samples)

    def speeds(self, began: float, ended: float) -> dict[str, float]:
        return speeds(self.samples, began, ended, reference(self.samples))

    async def stop(self) -> None:
        if self._process is not None and self._process.returncode is None:
            self._process.terminate()
            await self._process.wait()
        if self._reader is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader


@dataclass(frozen=True)
class EchoPartner:
    pid: int
    to_partner: int  # write a byte here …
    from_partner: int  # … and read it back here


def start_echo_partner(cpu: int | None) -> EchoPartner:
    """A forked process (on `cpu`, if given) that echoes every byte; it ends when the writing end
    closes, also when this process ends without closing it."""
    to_r, to_w = os.pipe()
    from_r, from_w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the partner: closes its copies of our ends, or it would never read the end
        os.close(to_w)
        os.close(from_r)
        if cpu is not None:
            os.sched_setaffinity(0, {cpu})
        while byte := os.read(to_r, 1):
            os.write(from_w, byte)
        os._exit(0)
    os.close(to_r)
    os.close(from_w)
    return EchoPartner(pid, to_w, from_r)


def main(argv: list[str]) -> None:
    """Probe every core this process may run on, wake-ups across two of them, memory and the
    kernel's work, in turn, forever: one line per probe, `<monotonic s> <probe> <ns>`."""
    per_s = float(argv[0]) if argv else PROBES_PER_S
    cores = sorted(os.sched_getaffinity(0))
    pause = 1.0 / per_s
    source, target = b"\x01" * _COPY_BYTES, bytearray(_COPY_BYTES)
    partner = start_echo_partner(cores[-1]) if len(cores) > 1 else None
    chase, kernel = MemoryChase(), KernelWork()
    while True:
        for cpu in cores:
            os.sched_setaffinity(0, {cpu})
            _report(core(cpu), compute_once(source, target), pause)
        if partner is not None:
            os.sched_setaffinity(0, {cores[0]})
            _report(WAKE_UP, wake_up_once(partner.to_partner, partner.from_partner), pause)
        os.sched_setaffinity(0, {cores[0]})
        _report(MEMORY, chase.once(), pause)
        _report(KERNEL, kernel.once(), pause)


def _report(probe: str, ns: int, pause: float) -> None:
    """One probe's line, as HostSpeedProbe reads it, then the pause before the next probe."""
    print(f"{time.monotonic():.4f} {probe} {ns}", flush=True)
    time.sleep(pause)


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt, BrokenPipeError):
        main(sys.argv[1:])
