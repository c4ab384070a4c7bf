"""The Loket side of `loket bench letters`: the ebox_bridge as its own process, letters
published to `letters.issued.v1` as a back-office would, and the time each letter settles
(its first LetterDeliveredToEbox / LetterQueuedForPrint / LetterFailed on the bus)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import subprocess
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from loket.bench.letters_bus import bench_bus
from loket.bench.letters_load import LoadItem, publish_load
from loket.bench.letters_sim import RunningSim, wait_http
from loket.bench.timing import Timed
from loket.contracts import topics
from loket.devstack.ebox_wiring import bridge_ebox_env
from loket.devstack.supervisor import service_argv
from loket.infra.embedded.ports import free_port

SETTLING = {b"LetterDeliveredToEbox": "delivered", b"LetterQueuedForPrint": "paper", b"LetterFailed": "failed"}


@dataclass
class LoketResult(Timed):
    counted = "letters"
    letters: int
    seconds: float
    latencies_s: list[float]
    outcomes: dict[str, int]
    bridge_cpu_s: float
    sim_cpu_s: float
    missing: int = 0
    extra: dict[str, float] = field(default_factory=dict)
    # Letters handed over per second: JetStream publishes acknowledged (the bus path), or
    # letters answered 202 (the HTTP path). 0 when not measured.
    handed_over_per_s: float = 0.0


@dataclass(frozen=True)
class RunningBridge:
    url: str
    pid: int


@contextlib.asynccontextmanager
async def bridge_process(database_url: str, bus_url: str, sim: RunningSim, work_dir: Path,
                         http_only: bool = False) -> AsyncIterator[RunningBridge]:
    """The ebox_bridge wired to the simulator as `loket up` wires it, ready to take letters;
    `http_only`: a replica that serves the API and consumes nothing (LOKET_HTTP_ONLY)."""
    port = free_port()
    env = {
        **os.environ, "LOKET_DATABASE_URL": database_url, "LOKET_BUS_URL": bus_url, "LOKET_PORT": str(port),
        **bridge_ebox_env(sim.url, sim.key, sim.cert, work_dir),  # as `loket up` wires it
        "LOKET_PRINT_AUTO_CLOSE": "false", "LOKET_LOG_LEVEL": "WARNING",
        "LOKET_HTTP_ONLY": "true" if http_only else "false",
    }
    log = work_dir / ("ebox_bridge-http.log" if http_only else "ebox_bridge.log")
    bridge = subprocess.Popen(  # noqa: ASYNC220 (starting a server is instant; nothing waits on it here)
        service_argv("ebox_bridge"), env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT,
    )
    try:
        await wait_http(f"http://127.0.0.1:{port}/health/ready", bridge, "the ebox_bridge")
        yield RunningBridge(f"http://127.0.0.1:{port}", bridge.pid)
    finally:
        bridge.terminate()
        bridge.wait(20)


class SettleWatch:
    """The instant each wanted letter first settles, read off `letters.status.v1` (only what is
    published while it watches)."""

    def __init__(self, bus_url: str, wanted: set[str]) -> None:
        self.bus_url, self.wanted = bus_url, wanted
        self.settled: dict[str, float] = {}
        self.outcomes: dict[str, int] = {}

    def _on_status(self, data: bytes) -> None:
        # A cheap look at the bytes: this runs for every status event and shares the CPU.
        kind = next((k for k in SETTLING if k in data[:120]), None)
        if kind is None:
            return
        letter_id = json.loads(data)["payload"]["letter_id"]
        if letter_id in self.wanted and letter_id not in self.settled:
            self.settled[letter_id] = time.perf_counter()
            self.outcomes[SETTLING[kind]] = self.outcomes.get(SETTLING[kind], 0) + 1

    @contextlib.asynccontextmanager
    async def watching(self) -> AsyncIterator[SettleWatch]:
        async with bench_bus(self.bus_url) as bus, bus.watching(topics.LETTERS_STATUS, self._on_status):
            yield self

    async def wait_for_all(self, deadline: float, progress: Callable[[str, float], None]) -> None:
        while len(self.settled) < len(self.wanted) and time.perf_counter() < deadline:
            progress("settled", len(self.settled))
            await asyncio.sleep(0.2)
        progress("settled", len(self.settled))


async def run_loket_letters(
    database_url: str, bus_url: str, sim: RunningSim, work_dir: Path, load: list[LoadItem],
    timeout_s: float, progress: Callable[[str, float], None],
) -> LoketResult:
    async with bridge_process(database_url, bus_url, sim, work_dir) as bridge:
        return await _measure(bus_url, bridge.pid, sim.pid, load, timeout_s, progress)


async def _measure(
    bus_url: str, bridge_pid: int, sim_pid: int, load: list[LoadItem], timeout_s: float,
    progress: Callable[[str, float], None],
) -> LoketResult:
    published: dict[str, float] = {}
    watch = SettleWatch(bus_url, {item.letter_id for item in load})
    bridge, sim = psutil.Process(bridge_pid), psutil.Process(sim_pid)
    async with watch.watching(), bench_bus(bus_url) as bus:
        cpu_before = (cpu_seconds(bridge), cpu_seconds(sim))
        started = time.perf_counter()

        def mark(item: LoadItem) -> None:
            published[item.letter_id] = time.perf_counter()
            if len(published) % 500 == 0:
                progress("settled", len(watch.settled))

        await publish_load(bus, topics.LETTERS_ISSUED, load, mark, progress)
        handed_over = len(load) / (max(published.values()) - started)
        await watch.wait_for_all(started + timeout_s, progress)
        last = max(watch.settled.values(), default=time.perf_counter())
        cpu_after = (cpu_seconds(bridge), cpu_seconds(sim))
    return LoketResult(
        letters=len(watch.settled), seconds=last - started,
        latencies_s=[watch.settled[i] - published[i] for i in watch.settled],
        outcomes=watch.outcomes, bridge_cpu_s=cpu_after[0] - cpu_before[0], sim_cpu_s=cpu_after[1] - cpu_before[1],
        missing=len(load) - len(watch.settled), handed_over_per_s=handed_over,
    )


def cpu_seconds(process: psutil.Process) -> float:
    times = process.cpu_times()
    return times.user + times.system
