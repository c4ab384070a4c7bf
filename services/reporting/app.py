"""Composition root of the reporting service: digital-inclusion KPIs, the read side of every
event. `create_app(settings)` is the only place the service's objects are built."""

from __future__ import annotations

from pathlib import Path

from prometheus_client import CollectorRegistry
from starlette.applications import Starlette
from starlette.routing import BaseRoute

from loket.contracts import topics
from loket.contracts.registry import TOPIC_EVENTS
from loket.infra.http.openapi_document import openapi_route
from loket.infra.runtime import Runtime
from loket.infra.service_app import ServiceSpec, Subscription, build_runtime, build_service_app
from services.reporting.gauges import ReportingGauges
from services.reporting.handlers import ProjectEvents
from services.reporting.openapi import reporting_openapi
from services.reporting.projector import PROJECTED, ProjectionStore, SqlProjections
from services.reporting.pseudonyms import Pseudonymizer
from services.reporting.report_pages import MONTHLY, PERFORMANCE, report_page_routes
from services.reporting.routes import DASHBOARD, report_routes

from .settings import ReportingSettings

NAME = "reporting"
# Every topic; its own consumer group per topic, so a slow projection never holds up others.
TOPICS = (topics.VISITS, topics.APPOINTMENTS, topics.DEVICES, topics.CITIZENS, topics.LETTERS_ISSUED,
          topics.LETTERS_STATUS, topics.NOTIFICATIONS)


def subscriptions(store: ProjectionStore | None, pseudonymize: Pseudonymizer | None) -> list[Subscription]:
    subs = []
    for topic in TOPICS:
        handlers = {}
        if store is not None and pseudonymize is not None:
            # One handler instance per topic: the consumer hands it the whole broker batch at once.
            project = ProjectEvents(store, pseudonymize)
            handlers = {cls: project for cls in TOPIC_EVENTS[topic] if cls.__name__ in PROJECTED}
        group = f"{NAME}.{topic.rsplit('.', 1)[0].replace('.', '-')}"  # e.g. reporting.letters-status
        subs.append(Subscription(topic, group, handlers))  # type: ignore[arg-type]
    return subs


def service_spec(settings: ReportingSettings | None = None, gauges: ReportingGauges | None = None,
                 store: ProjectionStore | None = None) -> ServiceSpec:
    """Without settings (migrate, asyncapi) only the wiring that documents it is built. The
    projections go to `store` (default: the PostgreSQL read models in the service's schema)."""
    # The dashboard is a page for people (signed in with their account); the JSON and CSV stay on tokens.
    # The performance page is public (suppressed figures only).
    spec = ServiceSpec(name=NAME, migrations=Path(__file__).parent / "migrations", publishes=(),
                       person_pages=(DASHBOARD, MONTHLY), open_path_prefixes=("/public/",),
                       start_pages=(("/", DASHBOARD), ("/public/", PERFORMANCE)))
    if settings is None or gauges is None:
        spec.subscriptions = subscriptions(None, None)
        return spec
    pseudonymize = Pseudonymizer(settings.pseudonym_secret())
    spec.subscriptions = subscriptions(store or SqlProjections(NAME), pseudonymize)

    document = reporting_openapi()

    def routes(runtime: Runtime) -> list[BaseRoute]:
        return [*report_routes(runtime, settings), *report_page_routes(runtime, settings), openapi_route(document)]

    spec.routes = routes
    spec.background = [gauges.loop(settings.reporting_stamp_eur + settings.reporting_print_handling_eur,
                                   settings.reporting_gauge_interval_s)]
    return spec


def create_app(settings: ReportingSettings | None = None) -> Starlette:
    settings = settings or ReportingSettings()
    registry = CollectorRegistry()
    runtime = build_runtime(NAME, settings, registry)
    store = SqlProjections(runtime.schema)
    return build_service_app(service_spec(settings, ReportingGauges(registry), store), runtime)

