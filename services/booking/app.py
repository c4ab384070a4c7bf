"""Composition root of the booking service: assistance points, walk-in queue, appointments,
device loans, seat bookings and workshops. `create_app(settings)` is the only place the service's objects are built."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from prometheus_client import CollectorRegistry
from starlette.applications import Starlette
from starlette.routing import BaseRoute

from loket.contracts import topics
from loket.contracts.values import utc_now
from loket.infra.db.plain_digests import keying_at_start
from loket.infra.http.key_admin.routes import KEYS_PAGE, key_admin_routes
from loket.infra.http.openapi_document import openapi_route
from loket.infra.runtime import Runtime
from loket.infra.service_app import ServiceSpec, build_runtime, build_service_app
from services.booking.appointments.routes import appointment_endpoints
from services.booking.campaign.short_link_routes import short_link_routes
from services.booking.closures.routes import closure_endpoints
from services.booking.finder.routes import FINDER, finder_routes
from services.booking.http.endpoint import Endpoint, to_route
from services.booking.http.openapi import openapi_document
from services.booking.loans.routes import loan_endpoints
from services.booking.metrics import BookingMetrics
from services.booking.no_show import no_show_sweeper
from services.booking.page.claim_routes import claim_page_routes
from services.booking.page.routes import page_routes
from services.booking.points.cards import point_cards_round
from services.booking.points.routes import point_endpoints
from services.booking.printing.routes import print_endpoints
from services.booking.queue.routes import queue_endpoints
from services.booking.retention import booking_purges
from services.booking.seats.page_routes import seat_page_routes
from services.booking.seats.routes import seat_endpoints
from services.booking.use_cases import NAME, Booking, build_booking
from services.booking.waitlist.routes import waitlist_endpoints
from services.booking.workshops.page_routes import workshop_page_routes
from services.booking.workshops.routes import workshop_endpoints
from services.booking.workspace import routes as workspace

from .settings import BookingSettings

Clock = Callable[[], dt.datetime]


def endpoints(runtime: Runtime, b: Booking) -> list[Endpoint]:
    return [*point_endpoints(runtime),
            *appointment_endpoints(runtime, b.appointments, b.phone_checks, b.cancellation, b.metrics, b.clock),
            *waitlist_endpoints(runtime, b.waitlist, b.metrics, b.clock),
            *closure_endpoints(runtime, b.appointments, b.cancellation, b.metrics, b.clock),
            *queue_endpoints(runtime, b.queue, b.clock), *loan_endpoints(runtime, b.loans, b.clock),
            *seat_endpoints(runtime, b.seats, b.clock), *workshop_endpoints(runtime, b.workshops, b.clock),
            *print_endpoints(runtime, b.printing, b.clock)]


def service_spec(settings: BookingSettings | None = None, metrics: BookingMetrics | None = None,
                 clock: Clock = utc_now, runtime: Runtime | None = None) -> ServiceSpec:
    """Without settings/metrics/runtime (migrate, asyncapi) only the wiring that documents it is
    built; the use cases need all three."""
    spec = ServiceSpec(
        name=NAME,
        migrations=Path(__file__).parent / "migrations",
        publishes=(topics.VISITS, topics.APPOINTMENTS, topics.DEVICES, topics.CITIZENS, topics.POINTS),
        # Citizens find points and book without an account; the waiting-room displays and kiosks
        # check their own device key (workspace/device_access.py); everything else needs a token.
        open_path_prefixes=("/public/", "/b/", *workspace.DEVICE_PREFIXES),
        # Administrators manage their municipality's API keys in the browser, signed in.
        person_pages=(KEYS_PAGE, *workspace.PERSON_PAGES),
        person_page_paths=workspace.FRONT_DOOR,
        start_pages=(("/", FINDER), ("/staff", "/staff")),
    )
    if settings is None or metrics is None or runtime is None:
        return spec
    booking = build_booking(settings, metrics, clock, runtime.outbox, runtime.db, runtime.changes)
    declared = spec.endpoints = endpoints(runtime, booking)

    def routes(runtime: Runtime) -> list[BaseRoute]:
        document = openapi_document(declared, "Loket booking API", "1")
        return [*(to_route(e, booking.locator, runtime.db, booking.limiter, metrics.http_errors.inc) for e in declared),
                openapi_route(document),
                *page_routes(runtime, booking.appointments, booking.phone_checks, booking.cancellation, metrics,
                            booking.limiter, clock),
                *claim_page_routes(runtime, booking.waitlist, metrics, booking.limiter, clock),
                *workshop_page_routes(runtime, booking.workshops, booking.limiter, clock),
                *seat_page_routes(runtime, booking.seats, booking.limiter, clock),
                *finder_routes(runtime, booking.limiter, clock), *short_link_routes(runtime, metrics.campaign_visits, booking.limiter, clock),
                *key_admin_routes(runtime.db, clock), *workspace.workspace_routes(runtime, booking)]

    spec.routes = routes
    spec.background = [no_show_sweeper(booking), workspace.turn_near_round(booking),
                       point_cards_round(runtime.outbox, clock, settings.booking_sweep_interval_s)]
    spec.retention = booking_purges(NAME, booking.loans, booking.phone_checks, booking.seats,
                                     booking.workshops)

    # One transaction: the loans' advisory lock lets one replica at a time through.
    spec.on_start = [keying_at_start(NAME, booking.loans.key_plain_borrower_digests,
                                     booking.phone_checks.key_plain_phone_digests)]
    return spec


def create_app(settings: BookingSettings | None = None, clock: Clock = utc_now) -> Starlette:
    settings = settings or BookingSettings()
    registry = CollectorRegistry()
    metrics = BookingMetrics(registry)
    runtime = build_runtime(NAME, settings, registry)
    return build_service_app(service_spec(settings, metrics, clock, runtime), runtime)
