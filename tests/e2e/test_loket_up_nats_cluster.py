"""`loket up --nats-nodes 3` (here `LOKET_NATS_NODES=3`): a three-node JetStream cluster on
loopback, every stream declared by the services in three copies, and the system keeps taking
letters with one node SIGKILLed; SIGTERM stops every node with the services."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import urllib.request
from pathlib import Path

import asyncpg
import nats
import psutil
import pytest

from loket.cli.demo_letters import demo_letters
from loket.contracts import topics
from loket.devstack.runtime_file import runtime_bus_url, runtime_database_url
from loket.infra.bus.address import parse_bus_url
from tests.e2e.test_loket_up import start_up, stop_up, wait
from tests.support.bridge_harness import publish

pytestmark = pytest.mark.slow


async def stream_copies(bus_url: str) -> dict[str, int]:
    nc = await nats.connect(list(parse_bus_url(bus_url).servers))
    try:
        return {s.config.name: s.config.num_replicas for s in await nc.jetstream().streams_info()}
    finally:
        await nc.close()


async def admitted(database_url: str, letter_ids: list[str]) -> int:
    conn = await asyncpg.connect(database_url)
    try:
        return int(await conn.fetchval("SELECT count(*) FROM ebox_bridge.letters WHERE letter_id::text = ANY($1)",
                                       letter_ids))
    finally:
        await conn.close()


def meta_leader(cluster_dir: Path) -> int:
    """Which node (1-3) leads the JetStream meta group, as node 1's monitor reports it."""
    monitor = int((cluster_dir / "node-1" / "loket-monitor-port").read_text().strip())
    no_proxy = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with no_proxy.open(f"http://127.0.0.1:{monitor}/jsz", timeout=5) as answer:
        leader = json.load(answer)["meta_cluster"]["leader"]
    return int(leader.removeprefix("loket-"))


def test_up_on_a_three_node_cluster_keeps_taking_letters_with_a_node_down(tmp_path: Path) -> None:
    proc, runtime = start_up(tmp_path, LOKET_NATS_NODES="3")
    try:
        bus_url, database_url = runtime_bus_url(runtime), runtime_database_url(runtime)
        assert len(parse_bus_url(bus_url).servers) == 3
        copies = asyncio.run(stream_copies(bus_url))
        assert set(topics.NATS_STREAMS) <= set(copies) and set(copies.values()) == {3}, copies

        # The node that crashes is the JetStream meta leader, the worst one to lose: until the
        # other two elect a new one, every JetStream request (a starting publisher's stream
        # declaration included) is answered "temporarily unavailable".
        node = tmp_path / "nats-cluster" / f"node-{meta_leader(tmp_path / 'nats-cluster')}"
        os.kill(int((node / "nats.pid").read_text().strip()), signal.SIGKILL)
        letters = demo_letters(20, seed=3)
        asyncio.run(publish(bus_url, letters))
        ids = [str(e.payload.letter_id) for e in letters]
        wait(lambda: asyncio.run(admitted(database_url, ids)) == len(ids), 90, "the letters admitted with a node down")
    finally:
        family = stop_up(proc)
    assert not [p for p in family if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
