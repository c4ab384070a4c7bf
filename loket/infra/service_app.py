"""Build a service's ASGI app from its spec: the one shape all four services share.

Start-up order: database pool (waiting for PostgreSQL), migrations, the service's start-up
steps, subscribers, bus (streams declared before consumers start), outbox relay and the
service's background loops. Shutdown reverses it. Nothing happens at import time;
`create_app(settings)` in each service calls `build_service_app`.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import itertools
import logging
import math
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
from prometheus_client import CollectorRegistry
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import BaseRoute

from loket.contracts import Event
from loket.contracts.values import utc_now
from loket.infra.bus.bus import Bus
from loket.infra.bus.consumer import EventConsumer
from loket.infra.bus.dlq_store.body_retention import dlq_body_purge
from loket.infra.bus.handler_context import BatchHandler, Handler
from loket.infra.bus.nats_wiring import StreamLimits
from loket.infra.configuration_error import ConfigurationError
from loket.infra.db.inbox import purge_handled_before
from loket.infra.db.outbox import Outbox
from loket.infra.db.pool import create_pool
from loket.infra.db.relay import OutboxRelay
from loket.infra.db.roles import AUDIT_TRAIL_PURGER
from loket.infra.db.schema import migrate_service_schema
from loket.infra.http.asyncapi_route import asyncapi_routes
from loket.infra.http.auth import Authenticator, BearerAuthMiddleware, TokenStore
from loket.infra.http.body_limit import BodyLimitMiddleware
from loket.infra.http.client_address import ClientAddressMiddleware, parse_networks
from loket.infra.http.fallback_answers import FALLBACK_HANDLERS
from loket.infra.http.health import health_routes
from loket.infra.http.nul_refusal import NulRefusalMiddleware
from loket.infra.http.signin.cookies import CookiePolicy
from loket.infra.http.signin.person_pages import PersonPages
from loket.infra.http.signin.provider_routes import ProviderPages
from loket.infra.http.signin.routes import SigninPages
from loket.infra.http.unavailable import DatabaseUnavailableMiddleware
from loket.infra.identity import audit
from loket.infra.identity.key_verifier import KeyVerifier
from loket.infra.identity.oidc_client import ProviderClient
from loket.infra.identity.provider_sign_in import ProviderSignIn
from loket.infra.identity.schema import migrate_identity
from loket.infra.identity.session_store import SessionStore
from loket.infra.identity.sign_in import SignIn
from loket.infra.identity.tenant_directory import TenantDirectory
from loket.infra.metrics import PlatformMetrics
from loket.infra.retention.job import Purge, RetentionJob, fixed_days, tenant_setting
from loket.infra.retention.policy import RetentionDays
from loket.infra.runtime import Runtime
from loket.infra.settings import ServiceSettings

log = logging.getLogger(__name__)

BackgroundLoop = Callable[[Runtime], Awaitable[None]]
StartStep = Callable[[Runtime], Awaitable[None]]  # runs once and returns, before the service works


@dataclass
class Subscription:
    topic: str
    group: str
    handlers: dict[type[Event], Handler | BatchHandler]


@dataclass
class ServiceSpec:
    name: str
    migrations: Path | None
    subscriptions: list[Subscription] = field(default_factory=list)
    publishes: tuple[str, ...] = ()
    routes: Callable[[Runtime], list[BaseRoute]] | None = None
    background: list[BackgroundLoop] = field(default_factory=list)
    # Run once at every start, after the migrations and before any event or request is handled
    # (data a migration cannot change alone, such as keying stored hashes with a secret).
    on_start: list[StartStep] = field(default_factory=list)
    open_path_prefixes: tuple[str, ...] = ()
    # Pages for people: a signed-in session cookie admits them, an anonymous browser is sent to sign in.
    person_pages: tuple[str, ...] = ()
    # Single paths for people whose subtree is not (e.g. `/staff/` above the `/staff/…` JSON API).
    person_page_paths: tuple[str, ...] = ()
    # The service's declared API endpoints (its own type), kept for the authorisation matrix test.
    endpoints: list[Any] = field(default_factory=list)
    # Personal data this service holds, purged once its retention period has passed (the inbox
    # and the dead letters' bodies are added for every service, the audit trail for one:
    # retention_job).
    retention: list[Purge] = field(default_factory=list)
    # Request bodies are capped at DEFAULT_BODY_LIMIT; (path prefix, bytes) raises it where a
    # document travels in the body.
    body_limits: tuple[tuple[str, int], ...] = ()
    # (path prefix, page): where the 404 page sends a person on, by the address's longest prefix.
    start_pages: tuple[tuple[str, str], ...] = ()


def build_runtime(name: str, settings: ServiceSettings, registry: CollectorRegistry | None = None) -> Runtime:
    """What every object of a service shares: settings, bus, metrics, the one outbox, and the pool
    (opened later, in the lifespan). A service's `create_app` builds it first, then its own objects
    with it, then the app."""
    if not settings.bus_url or not settings.database_url:
        raise ConfigurationError(
            "LOKET_BUS_URL and LOKET_DATABASE_URL must be set for a service process "
            "(`loket up` sets them when it starts the embedded servers)"
        )
    registry = registry or CollectorRegistry()
    metrics = PlatformMetrics(registry)
    bus = Bus(settings.bus_url, name, registry, metrics, settings.bus_tls_ca_file,
              StreamLimits(settings.bus_stream_max_bytes, settings.bus_stream_max_age_days * 24 * 3600,
                           settings.bus_stream_replicas))
    return Runtime(name, settings, registry, metrics, bus, Outbox(name))


def attach_consumers(spec: ServiceSpec, runtime: Runtime) -> list[EventConsumer]:
    consumers = []
    for sub in spec.subscriptions:
        consumer = EventConsumer(
            bus=runtime.bus, pool=_LazyPool(runtime), schema=runtime.schema, group=sub.group,
            topic=sub.topic, handlers=sub.handlers, settings=runtime.settings.consumer, outbox=runtime.outbox,
        )
        consumer.attach()
        consumers.append(consumer)
    return consumers


class _LazyPool:
    """The pool opens in the lifespan, after subscribers are declared; resolve it on use."""

    def __init__(self, runtime: Runtime) -> None:
        self._runtime = runtime

    def acquire(self):  # type: ignore[no-untyped-def]
        return self._runtime.db().acquire()


async def _wait_for_database(settings: ServiceSettings, runtime: Runtime) -> None:
    assert settings.database_url
    for attempt in range(60):
        try:
            runtime.pool = await create_pool(
                settings.database_url, min_size=settings.db_pool_min, max_size=settings.db_pool_max
            )
            return
        except (OSError, ConnectionError) as exc:
            log.warning("database not reachable yet (%s), attempt %d", exc, attempt + 1)
            await asyncio.sleep(1)
    raise RuntimeError("PostgreSQL stayed unreachable for 60 s")


async def _metrics_loop(runtime: Runtime, relay: OutboxRelay, consumers: list[EventConsumer]) -> None:
    for tick in itertools.count():
        with contextlib.suppress(Exception):
            await relay.refresh_metrics()
            for c in consumers:
                lag = await runtime.bus.consumer_lag(c.topic, c.group)
                if lag is not None:
                    runtime.metrics.consumer_lag.labels(c.group, c.topic).set(lag)
            # Purging the rows kept after publishing (none by default) and reading stream sizes:
            # once a minute is plenty.
            if tick % 12 == 0:
                await relay.purge_sent()
                for stream, (stored, cap) in (await runtime.bus.wiring.stream_usage(runtime.bus.broker)).items():
                    runtime.metrics.stream_bytes.labels(stream).set(stored)
                    runtime.metrics.stream_max_bytes.labels(stream).set(cap)
        await asyncio.sleep(5)


def retention_job(spec: ServiceSpec, runtime: Runtime) -> RetentionJob:
    """The service's purges, then its inbox (kept as long as the bus can redeliver), the
    audit trail (in AUDIT_TRAIL_PURGER only: the other services' roles may only append to it) and
    the bodies of the dead letters its own consumer groups wrote (each service trims only its own:
    body_retention.py)."""
    settings = runtime.settings
    inbox_days = math.ceil(settings.bus_stream_max_age_days) + 1

    async def inbox(conn: asyncpg.Connection, now: dt.datetime, days: RetentionDays) -> int:
        return await purge_handled_before(conn, spec.name, now - dt.timedelta(days=days.default))

    dead_letters = dlq_body_purge(runtime.bus, [(s.topic, s.group) for s in spec.subscriptions],
                                  settings.dlq_body_days)
    audit_trail = [Purge("audit", tenant_setting("audit_days"), audit.purge)] if spec.name == AUDIT_TRAIL_PURGER else []
    purges = [*spec.retention, Purge("inbox", fixed_days(inbox_days), inbox), *audit_trail, dead_letters]
    tenants = TenantDirectory(None, settings.tenants_refresh_s, changes=runtime.changes)
    metrics = runtime.metrics
    return RetentionJob(spec.name, runtime.db, tenants, purges,
                        lambda data_class, n: metrics.retention_purged.labels(data_class).inc(n), utc_now,
                        lambda data_class: metrics.retention_failures.labels(data_class).inc())


def build_service_app(spec: ServiceSpec, runtime: Runtime) -> Starlette:
    """The ASGI app of a service whose objects were built on `runtime` (see `build_runtime`)."""
    if spec.name != runtime.name:
        raise ValueError(f"spec {spec.name!r} built on the runtime of {runtime.name!r}")
    settings = runtime.settings
    for topic in spec.publishes:
        runtime.bus.declare_publisher(topic)
    # An HTTP-only replica consumes nothing: the service's worker replicas do.
    consumers = [] if settings.http_only else attach_consumers(spec, runtime)

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        await _wait_for_database(settings, runtime)
        if settings.migrate_on_start:
            async with runtime.db().acquire() as conn:
                await migrate_service_schema(conn, spec.name, spec.migrations)
                await migrate_identity(conn)  # keys, tenants, accounts: every service authenticates with them
        for step in spec.on_start:
            await step(runtime)
        await runtime.bus.start()
        runtime.spawn(runtime.changes.listen(runtime.db), "change-signals")
        relay = OutboxRelay(
            runtime.db(), spec.name, runtime.bus.publish_raw, runtime.metrics,
            batch_size=settings.relay_batch_size, batch_bytes=settings.relay_batch_bytes,
            publish_in_order=runtime.bus.publish_in_order, linger_s=settings.relay_linger_s,
            keep_published_s=settings.outbox_keep_published_s,
        )
        runtime.spawn(relay.run(), "outbox-relay")
        runtime.spawn(_metrics_loop(runtime, relay, consumers), "metrics")
        if not settings.http_only:
            for loop in spec.background:
                runtime.spawn(loop(runtime), loop.__name__)
            runtime.spawn(retention_job(spec, runtime).loop(settings.retention_interval_s,
                                                            settings.retention_first_after_s), "retention")
        runtime.started = True
        log.info("%s started%s", spec.name, " (HTTP only)" if settings.http_only else "")
        try:
            yield
        finally:
            runtime.started = False
            await _shut_down(runtime)

    # Every service serves sign-in, so one cookie on one host signs a person in for all of them.
    sessions = SessionStore(runtime.db, utc_now)
    cookies = CookiePolicy(settings.cookie_secure)
    provider_pages = ProviderPages(ProviderSignIn(runtime.db, sessions, utc_now, runtime.name), ProviderClient(),
                                   cookies, runtime.db)
    signin_pages = SigninPages(SignIn(runtime.db, sessions, utc_now), sessions, cookies, runtime.db, utc_now,
                               provider_pages.choices)
    routes: list[BaseRoute] = [*health_routes(runtime), *asyncapi_routes(runtime), *signin_pages.routes(),
                               *provider_pages.routes()]
    if spec.routes is not None:
        routes += spec.routes(runtime)
    keys = KeyVerifier(runtime.db, utc_now, runtime.changes, settings.api_key_cache_s)
    app = Starlette(
        routes=routes,
        lifespan=lifespan,
        exception_handlers=FALLBACK_HANDLERS,  # what no route answers: problem+json or a page, not plain text
        middleware=[
            Middleware(DatabaseUnavailableMiddleware),  # outermost: the auth lookups reach the database too
            Middleware(ClientAddressMiddleware, trusted=parse_networks(settings.trusted_proxies)),
            Middleware(BodyLimitMiddleware, limits=spec.body_limits),
            Middleware(NulRefusalMiddleware),  # inside the limit: it reads a form's body whole
            Middleware(BearerAuthMiddleware,
                       authenticator=Authenticator(TokenStore.from_environment(), keys),
                       open_prefixes=spec.open_path_prefixes,
                       people=PersonPages(spec.person_pages, sessions, cookies, spec.person_page_paths))
        ],
    )
    app.state.runtime = runtime
    app.state.endpoints = spec.endpoints
    app.state.start_pages = spec.start_pages
    return app


# Each step of a shutdown gets this long; a step that overruns is logged and cut short, so a
# stop (SIGTERM from `loket up` or Kubernetes) always ends rather than hanging on one stuck
# handler or connection. Nothing is lost by cutting: unacked events are redelivered and
# uncommitted work rolls back.
SHUTDOWN_STEP_S = 10.0


async def _shut_down(runtime: Runtime) -> None:
    for task in runtime.tasks:
        task.cancel()
    if not await _within(asyncio.gather(*runtime.tasks, return_exceptions=True), "background tasks"):
        stuck = [t.get_name() for t in runtime.tasks if not t.done()]
        log.warning("%s: background tasks still running at shutdown: %s", runtime.name, ", ".join(stuck))
    await _within(runtime.bus.stop(), "the bus connection")
    pool = runtime.db()
    if not await _within(pool.close(), "the database pool"):
        pool.terminate()  # connections still held by a stuck handler: close them outright


async def _within(step: Awaitable[Any], what: str) -> bool:
    try:
        await asyncio.wait_for(step, SHUTDOWN_STEP_S)
    except TimeoutError:
        log.warning("shutdown: %s did not stop within %.0f s; cut short", what, SHUTDOWN_STEP_S)
        return False
    return True
