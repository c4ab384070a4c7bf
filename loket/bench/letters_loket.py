"""The Loket side of `loket bench letters`: the ebox_bridge as its own process, letters
published to `letters.issued.v1` as a back-office would, and the time each letter settles
(its first LetterDeliveredToEbox / LetterQueuedForPrint / LetterFailed on the bus)."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import nats
import psutil

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


async def run_loket_letters(
    database_url: str, bus_url: str, sim: RunningSim, work_dir: Path, load: list[LoadItem],
    timeout_s: float, progress: Callable[[str, float], None],
) -> LoketResult:
    port = free_port()
    env = {
        **os.environ, "LOKET_DATABASE_URL": database_url, "LOKET_BUS_URL": bus_url, "LOKET_PORT": str(port),
        **bridge_ebox_env(sim.url, sim.key, sim.cert, work_dir),  # as `loket up` wires it
        "LOKET_PRINT_AUTO_CLOSE": "false", "LOKET_LOG_LEVEL": "WARNING",
    }
    bridge = subprocess.Popen(  # noqa: ASYNC220 (starting a server is instant; nothing waits on it here)
        service_argv("ebox_bridge"),
        env=env, stdout=(work_dir / "ebox_bridge.log").open("ab"), stderr=subprocess.STDOUT,
    )
    try:
        await wait_http(f"http://127.0.0.1:{port}/health/ready", bridge, "the ebox_bridge")
        return await _measure(bus_url, bridge.pid, sim.pid, load, timeout_s, progress)
    finally:
        bridge.terminate()
        bridge.wait(20)


async def _measure(
    bus_url: str, bridge_pid: int, sim_pid: int, load: list[LoadItem], timeout_s: float,
    progress: Callable[[str, float], None],
) -> LoketResult:
    published: dict[str, float] = {}
    settled: dict[str, float] = {}
    outcomes: dict[str, int] = {}
    wanted = {item.letter_id for item in load}
    nc = await nats.connect(bus_url)

    async def on_status(msg) -> None:  # type: ignore[no-untyped-def]
        # A cheap look at the bytes: this runs for every status event and shares the CPU.
        kind = next((k for k in SETTLING if k in msg.data[:120]), None)
        if kind is None:
            return
        letter_id = json.loads(msg.data)["payload"]["letter_id"]
        if letter_id in wanted and letter_id not in settled:
            settled[letter_id] = time.perf_counter()
            outcomes[SETTLING[kind]] = outcomes.get(SETTLING[kind], 0) + 1

    sub = await nc.subscribe(topics.LETTERS_STATUS, cb=on_status)
    js = nc.jetstream()
    bridge, sim = psutil.Process(bridge_pid), psutil.Process(sim_pid)
    cpu_before = (_cpu(bridge), _cpu(sim))
    started = time.perf_counter()
    try:
        def mark(item: LoadItem) -> None:
            published[item.letter_id] = time.perf_counter()
            if len(published) % 500 == 0:
                progress("settled", len(settled))

        await publish_load(js, topics.LETTERS_ISSUED, load, mark, progress)
        deadline = started + timeout_s
        while len(settled) < len(load) and time.perf_counter() < deadline:
            progress("settled", len(settled))
            await asyncio.sleep(0.2)
        progress("settled", len(settled))
        last = max(settled.values(), default=time.perf_counter())
        cpu_after = (_cpu(bridge), _cpu(sim))
    finally:
        await sub.unsubscribe()
        await nc.close()
    return LoketResult(
        letters=len(settled), seconds=last - started,
        latencies_s=[settled[i] - published[i] for i in settled],
        outcomes=outcomes, bridge_cpu_s=cpu_after[0] - cpu_before[0], sim_cpu_s=cpu_after[1] - cpu_before[1],
        missing=len(load) - len(settled),
    )


def _cpu(process: psutil.Process) -> float:
    times = process.cpu_times()
    return times.user + times.system
