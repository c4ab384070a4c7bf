"""The eBox for `loket up` / `loket demo`: the operator's (LOKET_EBOX_URL set) or the simulator,
started as a supervised child with a client key pair made once in `<data dir>/ebox/`."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

from services.ebox_bridge.ebox_client.credentials import ensure_keypair
from services.infra.embedded.ports import free_port, port_is_free
from services.infra.supervisor import Child, child_env

SIM_DEFAULT_PORT = 8110
CLIENT_NAME = "loket-ebox-bridge"


@dataclass
class EboxWiring:
    # Extra environment of the ebox_bridge process.
    bridge_env: dict[str, str] = field(default_factory=dict)
    # The simulator's process, when we run one.
    children: list[Child] = field(default_factory=list)
    simulator_url: str | None = None


def ebox_wiring(data_dir: Path, admin_token: str, logs: Path) -> EboxWiring:
    paper = {"LOKET_PRINT_SPOOL_DIR": str(data_dir / "print-spool"), "LOKET_DATA_DIR": str(data_dir)}
    if os.environ.get("LOKET_EBOX_URL"):
        # A real eBox: its LOKET_EBOX_* settings reach the bridge through the inherited env.
        return EboxWiring(bridge_env=paper)
    key, cert = ensure_keypair(data_dir / "ebox", CLIENT_NAME)
    port = SIM_DEFAULT_PORT if port_is_free(SIM_DEFAULT_PORT) else free_port()
    url = f"http://127.0.0.1:{port}"
    simulator = Child(
        "ebox_sim",
        [sys.executable, "-m", "services.cli", "ebox-sim", "--port", str(port)],
        child_env({
            "LOKET_EBOX_SIM_CLIENT_PUBLIC_KEY_PEM": cert.read_text(),
            "LOKET_EBOX_SIM_ADMIN_TOKEN": admin_token,
            "LOKET_EBOX_SIM_CLIENT_IDS": f'["{CLIENT_NAME}"]',
        }),
        logs / "ebox_sim.log",
    )
    bridge_env = {
        **paper,
        "LOKET_EBOX_URL": url,
        "LOKET_EBOX_CLIENT_ID": CLIENT_NAME,
        "LOKET_EBOX_PRIVATE_KEY_FILE": str(key),
        "LOKET_EBOX_CERTIFICATE_FILE": str(cert),
    }
    return EboxWiring(bridge_env, [simulator], url)
