"""Composition root of the notify service: Multilingual SMS and e-mail notifications and reminders.

`create_app(settings)` is the only place the service's objects are built.
"""

from __future__ import annotations

from pathlib import Path

from starlette.applications import Starlette

from services.contracts import topics
from services.infra.service_app import ServiceSpec, build_service_app

from .settings import NotifySettings

NAME = "notify"


def service_spec() -> ServiceSpec:
    return ServiceSpec(
        name=NAME,
        migrations=Path(__file__).parent / "migrations",
        publishes=(topics.NOTIFICATIONS,),
    )


def create_app(settings: NotifySettings | None = None) -> Starlette:
    return build_service_app(service_spec(), settings or NotifySettings())
