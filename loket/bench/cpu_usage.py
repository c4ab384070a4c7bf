"""Where the CPU went during a measurement: this Python process, PostgreSQL, NATS, Kafka's brokers,
the rest.

On a 2-core machine the database, the broker and Python compete for the same cores, so a
throughput figure means little without knowing who was busy. Read from /proc (Linux); on
other systems only this process's own CPU time is reported. Processes are grouped by name,
so a PostgreSQL or NATS started by someone else on the machine counts under that name too;
the `other` share shows how much unrelated work disturbed the run.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TypeVar

_PROC = Path("/proc")
_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
# The embedded Kafka brokers are JVMs (`java`). The consumer replicas are Python processes like any
# other on the machine: CpuMeter counts them by the process ids it is given (`consumers_s`).
_GROUPS = {"postgres": "postgres", "nats-server": "nats", "java": "kafka"}
K = TypeVar("K")  # a pid, or a (pid, tid)


@dataclass(frozen=True)
class CpuUsage:
    wall_s: float
    python_s: float  # this process, all threads
    postgres_s: float | None
    nats_s: float | None
    machine_busy_s: float | None  # every core, every process, kernel included
    cores: int
    kafka_s: float | None = None  # Java processes: the embedded Kafka brokers
    # Of kafka_s, their JIT compiler threads: large while the brokers are new, about nothing once
    # warm (a production broker's steady state), so it tells whether a run measured a warm cluster.
    kafka_jit_s: float | None = None
    # Of kafka_s, the threads that read, handle and answer requests (produce, fetch, offset
    # commits), and the followers' threads copying the leaders' new records: per request work,
    # which the pipeline's many small rounds pay and a raw client's few large batches do not.
    kafka_requests_s: float | None = None
    kafka_replication_s: float | None = None
    # The whole machine's context switches and interrupts (/proc/stat): a pipeline of a dozen
    # processes lives on waking one another, a raw client on few large requests; on a virtual
    # machine each cross-core wake-up goes through the hypervisor (host_speed.py).
    context_switches: int | None = None
    interrupts: int | None = None
    # The consumer replica processes the benchmark started for this run (`--consumers N`), by
    # their process ids: they are Python too, and in `other` they passed for unrelated work
    # (docs/performance.md, "Where the "other" CPU went"). None where the run started none.
    consumers_s: float | None = None

    @property
    def other_s(self) -> float | None:
        if self.machine_busy_s is None or self.postgres_s is None or self.nats_s is None:
            return None
        return max(0.0, self.machine_busy_s - self.python_s - self.postgres_s - self.nats_s - (self.kafka_s or 0.0)
                   - (self.consumers_s or 0.0))

    def as_dict(self) -> dict[str, float | int | None]:
        return {**asdict(self), "other_s": self.other_s}


@dataclass(frozen=True)
class _MachineCounters:
    busy_ticks: int
    context_switches: int
    interrupts: int

    def since(self, earlier: _MachineCounters) -> _MachineCounters:
        return _MachineCounters(self.busy_ticks - earlier.busy_ticks, self.context_switches - earlier.context_switches,
                                self.interrupts - earlier.interrupts)


def _machine_counters() -> _MachineCounters | None:
    try:
        lines = (_PROC / "stat").read_text().splitlines()
    except OSError:
        return None
    values = [int(v) for v in lines[0].split()[1:9]]  # user nice system idle iowait irq softirq steal
    named = {line.split(" ", 1)[0]: line.split() for line in lines[1:] if line.startswith(("ctxt ", "intr "))}
    return _MachineCounters(busy_ticks=sum(values) - values[3] - values[4],
                            context_switches=int(named["ctxt"][1]), interrupts=int(named["intr"][1]))


def _ticks_by_process(consumers: frozenset[int] = frozenset()) -> dict[int, tuple[str, int]] | None:
    """pid → (group, CPU ticks) of every process in one of _GROUPS, and of the `consumers` pids as
    "consumer" (Linux), None elsewhere."""
    if not (_PROC / "self").exists():
        return None
    found: dict[int, tuple[str, int]] = {}
    for entry in _PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:  # the process ended while we looked
            continue
        comm, ticks = _comm_and_ticks(stat)
        group = "consumer" if int(entry.name) in consumers else _GROUPS.get(comm)
        if group:
            found[int(entry.name)] = (group, ticks)
    return found


def _ticks_used(after: dict[K, tuple[str, int]], before: dict[K, tuple[str, int]], kind: str) -> int:
    """Ticks the processes (or threads) of `kind` used between two readings, each against its own
    earlier reading: one that started in between (or a reused id of another kind) counts from
    zero, one that ended in between is left out (what it used is unknown). Sums of the totals
    instead went negative when a process ended (another cluster stopped during a run: the brokers
    "used -4.1 CPU s", which the warm-up took for settled) and counted a new process's whole life."""
    return sum(ticks - (before[key][1] if before.get(key, ("", 0))[0] == kind else 0)
               for key, (name, ticks) in after.items() if name == kind)


def _comm_and_ticks(stat: str) -> tuple[str, int]:
    """A process's or thread's name and CPU ticks (utime + stime) from its `/proc/…/stat` line:
    the name is in parentheses and may contain spaces; the fields after it are fixed."""
    rest = stat[stat.rindex(")") + 2 :].split()
    return stat[stat.index("(") + 1 : stat.rindex(")")], int(rest[11]) + int(rest[12])


# Broker threads by what they do, from their names as /proc shows them (cut to 15 characters):
# HotSpot's compiler threads ("C2 CompilerThread0", …), Kafka's request handlers and network
# threads ("data-plane-kafka-request-handler-0", "data-plane-kafka-network-thread-1-…"), and a
# follower's fetchers ("ReplicaFetcherThread-0-2").
_BROKER_THREADS = {
    "jit": ("C1 CompilerThre", "C2 CompilerThre"),
    "requests": ("data-plane-kafk",),
    "replication": ("ReplicaFetcherT",),
}


def _java_thread_ticks(processes: dict[int, tuple[str, int]]) -> dict[tuple[int, int], tuple[str, int]] | None:
    """(pid, tid) → (kind, CPU ticks) of the threads of a kind in _BROKER_THREADS of the `java`
    processes in `processes` (a `_ticks_by_process` reading); None when there are none. HotSpot
    starts and stops compiler threads as it needs them, so threads come and go during a run."""
    brokers = [pid for pid, (group, _) in processes.items() if group == "kafka"]
    if not brokers:
        return None
    found: dict[tuple[int, int], tuple[str, int]] = {}
    for pid in brokers:
        try:
            threads = list((_PROC / str(pid) / "task").iterdir())
        except OSError:  # the process ended since
            continue
        for thread in threads:
            try:
                name, ticks = _comm_and_ticks((thread / "stat").read_text())
            except OSError:  # the thread ended while we looked
                continue
            kind = next((kind for kind, prefixes in _BROKER_THREADS.items() if name.startswith(prefixes)), None)
            if kind is not None:
                found[(pid, int(thread.name))] = (kind, ticks)
    return found


class CpuMeter:
    """`start()` then `stop()` → the CPU seconds each party used in between; `consumers`: the
    process ids of the run's consumer replicas, counted apart (`consumers_s`)."""

    def __init__(self, consumers: Iterable[int] = ()) -> None:
        self._consumer_pids = frozenset(consumers)

    def start(self) -> CpuMeter:
        self._wall, self._python = time.perf_counter(), time.process_time()
        self._machine, self._processes = _machine_counters(), _ticks_by_process(self._consumer_pids)
        self._threads = _java_thread_ticks(self._processes) if self._processes is not None else None
        return self

    def stop(self) -> CpuUsage:
        machine, processes = _machine_counters(), _ticks_by_process(self._consumer_pids)
        threads = _java_thread_ticks(processes) if self._threads is not None and processes is not None else None

        def group_s(group: str) -> float | None:
            if processes is None or self._processes is None:
                return None
            return _ticks_used(processes, self._processes, group) / _TICK

        def threads_s(kind: str) -> float | None:
            if threads is None or self._threads is None:
                return None
            return _ticks_used(threads, self._threads, kind) / _TICK

        counted = None if machine is None or self._machine is None else machine.since(self._machine)
        return CpuUsage(
            wall_s=time.perf_counter() - self._wall,
            python_s=time.process_time() - self._python,
            postgres_s=group_s("postgres"),
            nats_s=group_s("nats"),
            machine_busy_s=counted.busy_ticks / _TICK if counted else None,
            cores=os.cpu_count() or 1,
            kafka_s=group_s("kafka"),
            kafka_jit_s=threads_s("jit"),
            kafka_requests_s=threads_s("requests"),
            kafka_replication_s=threads_s("replication"),
            context_switches=counted.context_switches if counted else None,
            interrupts=counted.interrupts if counted else None,
            consumers_s=group_s("consumer") if self._consumer_pids else None,
        )
