"""The bus fault of the NATS fault suite: SIGKILL the node of the three-node JetStream cluster
that leads the letters stream, mid-flow, and start it again. Has `name`, `kill()` and `start()`
like an embedded server, for `Chaos.restart` (as the Kafka suite's broker fault does)."""

from __future__ import annotations

import asyncio

import nats

from loket.contracts import topics
from loket.infra.bus.nats_users import OPERATOR
from loket.infra.embedded.nats_cluster import EmbeddedNatsCluster

LETTERS = topics.stream_for(topics.LETTERS_ISSUED)


async def stream_leader(servers: list[str], stream: str) -> str:
    nc = await nats.connect(servers)
    try:
        info = await nc.jetstream().stream_info(stream)
    finally:
        await nc.close()
    assert info.cluster is not None and info.cluster.leader, f"{stream} has no leader"
    return str(info.cluster.leader)


class LeaderOfTheLetters:
    name = f"NATS node leading the {LETTERS} stream"

    def __init__(self, cluster: EmbeddedNatsCluster) -> None:
        self.cluster = cluster
        self.killed: int | None = None

    def kill(self) -> None:
        leader = asyncio.run(stream_leader(self.cluster.servers_for(OPERATOR), LETTERS))
        self.killed = int(leader.rsplit("-", 1)[1]) - 1  # "loket-2" → node index 1
        self.cluster.kill_node(self.killed)
        self.name = f"NATS node {leader} (leading the {LETTERS} stream of three copies)"

    def start(self) -> None:
        assert self.killed is not None
        self.cluster.start_node(self.killed)
        self.cluster.wait_until_ready()
