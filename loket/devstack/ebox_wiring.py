"""The eBox for `loket up` / `loket demo` / `loket bench letters`: the operator's (LOKET_EBOX_URL
set) or the simulator, started as a separate process with a client key pair made once in
`<data dir>/ebox/`."""

from __future__ import annotations

import os
import sys
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

from loket.devstack.supervisor import Child, child_env
from loket.infra.embedded.ports import preferred_port
from services.ebox_bridge.ebox_client.credentials import ensure_keypair

SIM_DEFAULT_PORT = 8110
CLIENT_NAME = "loket-ebox-bridge"


@dataclass
class EboxWiring:
    # Extra environment of the ebox_bridge process.
    bridge_env: dict[str, str] = field(default_factory=dict)
    # The simulator's process, when we run one.
    children: list[Child] = field(default_factory=list)
    simulator_url: str | None = None


def paper_env(data_dir: Path) -> dict[str, str]:
    # Back-offices may drop letters by reference in <data dir>/documents; never the print spool,
    # whose batches hold other people's letters (the bridge refuses it even under the root).
    documents = data_dir / "documents"
    documents.mkdir(parents=True, exist_ok=True)
    return {"LOKET_PRINT_SPOOL_DIR": str(data_dir / "print-spool"), "LOKET_DATA_DIR": str(data_dir),
            "LOKET_DOCUMENT_ROOT": str(documents)}


def simulator_port(avoid: Collection[int] = (), well_known: bool = True) -> int:
    """8110 when it is free (and not handed to a service), else any free port."""
    return preferred_port(SIM_DEFAULT_PORT, avoid, well_known=well_known)


def simulator_argv(port: int) -> list[str]:
    return [sys.executable, "-m", "loket.cli", "ebox-sim", "--port", str(port)]


def simulator_env(cert: Path, admin_token: str) -> dict[str, str]:
    """The simulator checks assertion signatures against our certificate; its admin API takes
    the platform's admin token."""
    return {
        "LOKET_EBOX_SIM_CLIENT_PUBLIC_KEY_PEM": cert.read_text(),
        "LOKET_EBOX_SIM_ADMIN_TOKEN": admin_token,
        "LOKET_EBOX_SIM_CLIENT_IDS": f'["{CLIENT_NAME}"]',
    }


def bridge_ebox_env(url: str, key: Path, cert: Path, data_dir: Path) -> dict[str, str]:
    """What the ebox_bridge needs to talk to the simulator at `url` and to spool paper."""
    return {
        **paper_env(data_dir),
        "LOKET_EBOX_URL": url,
        "LOKET_EBOX_CLIENT_ID": CLIENT_NAME,
        "LOKET_EBOX_PRIVATE_KEY_FILE": str(key),
        "LOKET_EBOX_CERTIFICATE_FILE": str(cert),
    }


def ebox_wiring(data_dir: Path, admin_token: str, logs: Path, avoid_ports: Collection[int] = (),
                well_known_ports: bool = True) -> EboxWiring:
    if os.environ.get("LOKET_EBOX_URL"):
        # A real eBox: its LOKET_EBOX_* settings reach the bridge through the inherited env.
        return EboxWiring(bridge_env=paper_env(data_dir))
    key, cert = ensure_keypair(data_dir / "ebox", CLIENT_NAME)
    port = simulator_port(avoid_ports, well_known_ports)
    url = f"http://127.0.0.1:{port}"
    simulator = Child("ebox_sim", simulator_argv(port), child_env(simulator_env(cert, admin_token)),
                      logs / "ebox_sim.log")
    return EboxWiring(bridge_ebox_env(url, key, cert, data_dir), [simulator], url)
