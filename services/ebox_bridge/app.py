"""Composition root of the ebox_bridge service: Municipal letters to the citizen's eBox, with paper fallback.

`create_app(settings)` is the only place the service's objects are built.
"""

from __future__ import annotations

from pathlib import Path

from starlette.applications import Starlette

from services.contracts import topics
from services.infra.service_app import ServiceSpec, build_service_app

from .settings import EboxBridgeSettings

NAME = "ebox_bridge"


def service_spec() -> ServiceSpec:
    return ServiceSpec(
        name=NAME,
        migrations=Path(__file__).parent / "migrations",
        publishes=(topics.LETTERS_STATUS,),
    )


def create_app(settings: EboxBridgeSettings | None = None) -> Starlette:
    return build_service_app(service_spec(), settings or EboxBridgeSettings())
