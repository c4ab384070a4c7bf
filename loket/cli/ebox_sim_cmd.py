"""`loket ebox-sim`: run the eBox simulator (message registry, preferences, fault injection)."""

from __future__ import annotations

from pathlib import Path

import typer
import uvicorn

from loket.infra.logging_setup import configure_logging
from loket.simulators.ebox.app import create_app
from loket.simulators.ebox.settings import EboxSimSettings
from services.ebox_bridge.ebox_client.credentials import ensure_keypair

SHUTDOWN_GRACE_S = 2


def ebox_sim(
    port: int = typer.Option(None, help="HTTP port (default LOKET_EBOX_SIM_PORT or 8110)"),
    share_digital_percent: int = typer.Option(None, help="% of seeded citizens with an activated eBox (default 35)"),
) -> None:
    """Serve the eBox simulator on loopback; settings from LOKET_EBOX_SIM_* variables."""
    overrides: dict[str, object] = {}
    if port:
        overrides["port"] = port
    if share_digital_percent is not None:
        overrides["share_digital_percent"] = share_digital_percent
    settings = EboxSimSettings(**overrides)
    # Through Loket's log setup, not uvicorn's own: the access log quotes URLs such as
    # /admin/citizens/{ssin}/activate, and only Loket's filter masks national numbers.
    configure_logging(service="ebox-sim")
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_config=None,
                # A request the fault settings made hang (a server that never answers) must not keep a
                # stopping simulator alive: `loket up` waited 15 s for it, then killed it.
                timeout_graceful_shutdown=SHUTDOWN_GRACE_S)


def ebox_keys(
    directory: Path = typer.Argument(..., help="where to write <name>.key (0600) and <name>.crt"),
    name: str = typer.Option("loket-ebox-bridge", help="file names and certificate subject"),
) -> None:
    """Make a self-signed client key pair for the simulator (kept if it exists already).

    Production uses the key and certificate registered with the eBox federation instead."""
    key, cert = ensure_keypair(directory, name)
    typer.echo(f"key:         {key}\ncertificate: {cert}")
