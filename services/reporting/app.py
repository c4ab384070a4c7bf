"""Composition root of the reporting service: Digital-inclusion KPIs: the read side of every event.

`create_app(settings)` is the only place the service's objects are built.
"""

from __future__ import annotations

from pathlib import Path

from starlette.applications import Starlette

from services.infra.service_app import ServiceSpec, build_service_app

from .settings import ReportingSettings

NAME = "reporting"


def service_spec() -> ServiceSpec:
    return ServiceSpec(
        name=NAME,
        migrations=Path(__file__).parent / "migrations",
        publishes=(),  # the read side publishes nothing
    )


def create_app(settings: ReportingSettings | None = None) -> Starlette:
    return build_service_app(service_spec(), settings or ReportingSettings())
