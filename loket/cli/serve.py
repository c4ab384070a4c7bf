"""`loket serve SERVICE`: run one service process (what `loket up` supervises)."""

from __future__ import annotations

import typer
import uvicorn

from loket.devstack.catalog import SERVICE_NAMES, service_module, service_settings
from loket.infra.logging_setup import configure_logging
from loket.infra.service_process import settle_heap


def serve(
    service: str = typer.Argument(..., help=f"one of: {', '.join(SERVICE_NAMES)}"),
    port: int = typer.Option(None, help="HTTP port (default: the service's LOKET_PORT)"),
) -> None:
    """Run one Loket service: its bus consumers, outbox relay and HTTP endpoints."""
    if service not in SERVICE_NAMES:
        raise typer.BadParameter(f"unknown service {service!r}; choose one of {', '.join(SERVICE_NAMES)}")
    settings = service_settings(service, **({"port": port} if port else {}))
    configure_logging(settings.log_level, settings.log_format, service)
    app = service_module(service).create_app(settings)
    settle_heap()
    # uvicorn's loop="auto" runs uvloop where it is installed (see service_process).
    # proxy_headers off: X-Forwarded-For is honoured only from LOKET_TRUSTED_PROXIES (service_app).
    uvicorn.run(app, host=settings.host, port=settings.port, log_config=None, access_log=False, proxy_headers=False)
