"""`loket serve SERVICE`: run one service process (what `loket up` supervises)."""

from __future__ import annotations

import logging
from typing import NoReturn

import typer
import uvicorn
from pydantic import ValidationError

from loket.devstack.catalog import SERVICE_NAMES, service_module, service_settings
from loket.infra.configuration_error import EXIT_STATUS, ConfigurationError, explain_settings_error
from loket.infra.logging_setup import configure_logging
from loket.infra.service_process import settle_heap

log = logging.getLogger("loket.serve")


def serve(
    service: str = typer.Argument(..., help=f"one of: {', '.join(SERVICE_NAMES)}"),
    port: int = typer.Option(None, help="HTTP port (default: the service's LOKET_PORT)"),
) -> None:
    """Run one Loket service: its bus consumers, outbox relay and HTTP endpoints.

    A setting that keeps it from starting ends it with status 2 and one line naming the setting."""
    if service not in SERVICE_NAMES:
        raise typer.BadParameter(f"unknown service {service!r}; choose one of {', '.join(SERVICE_NAMES)}")
    try:
        settings = service_settings(service, **({"port": port} if port else {}))
    except ValidationError as exc:
        configure_logging(service=service)  # the defaults: the settings saying otherwise did not parse
        _refuse(service, explain_settings_error(exc))
    configure_logging(settings.log_level, settings.log_format, service)
    try:
        app = service_module(service).create_app(settings)
    except ConfigurationError as exc:
        _refuse(service, str(exc))
    settle_heap()
    # uvicorn's loop="auto" runs uvloop where it is installed (see service_process).
    # proxy_headers off: X-Forwarded-For is honoured only from LOKET_TRUSTED_PROXIES (service_app).
    uvicorn.run(app, host=settings.host, port=settings.port, log_config=None, access_log=False, proxy_headers=False)


def _refuse(service: str, problem: str) -> NoReturn:
    log.error("%s cannot start: %s", service, problem)
    raise typer.Exit(EXIT_STATUS)
