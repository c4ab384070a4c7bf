"""Composition root of the booking service: Assistance points, walk-in queue, appointments and device loans.

`create_app(settings)` is the only place the service's objects are built.
"""

from __future__ import annotations

from pathlib import Path

from starlette.applications import Starlette

from services.booking.points.routes import point_routes
from services.contracts import topics
from services.infra.service_app import ServiceSpec, build_service_app

from .settings import BookingSettings

NAME = "booking"


def service_spec() -> ServiceSpec:
    return ServiceSpec(
        name=NAME,
        migrations=Path(__file__).parent / "migrations",
        publishes=(topics.VISITS, topics.APPOINTMENTS, topics.DEVICES, topics.CITIZENS),
        routes=point_routes,
        # Citizens find points without an account; everything else needs a token.
        open_path_prefixes=("/public/",),
    )


def create_app(settings: BookingSettings | None = None) -> Starlette:
    return build_service_app(service_spec(), settings or BookingSettings())
