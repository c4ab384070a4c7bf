"""Composition root of the ebox_bridge service: municipal letters to the citizen's eBox, with
paper fallback. `create_app(settings)` is the only place the service's objects are built: the
runtime first (its outbox, its pool once open), then everything else on it in `service_spec`."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from pathlib import Path

from prometheus_client import CollectorRegistry
from starlette.applications import Starlette

from loket.contracts import topics
from loket.contracts.citizens import CitizenErasureRequested, EboxActivationAssisted
from loket.contracts.letters import LetterIssued
from loket.contracts.points import AssistancePointPublished
from loket.contracts.values import utc_now
from loket.infra.db.work_queue import WorkQueue
from loket.infra.identity.tenant_directory import TenantDirectory
from loket.infra.runtime import Runtime
from loket.infra.service_app import ServiceSpec, Subscription, build_runtime, build_service_app
from services.ebox_bridge.api.cancelling import LetterCancelling
from services.ebox_bridge.api.letter_reading import LetterReading
from services.ebox_bridge.api.letter_routes import LetterRoutes
from services.ebox_bridge.api.print_house_batches import PrintBatchReading
from services.ebox_bridge.api.print_house_routes import PrintHouseRoutes
from services.ebox_bridge.api.routes import BODY_LIMITS, api_routes
from services.ebox_bridge.api.submission import LetterSubmission
from services.ebox_bridge.deferred_erasure import DeferredErasure
from services.ebox_bridge.desk.rendering import DESK
from services.ebox_bridge.desk.returned_routes import ReturnedLetters
from services.ebox_bridge.desk.routes import LetterDesk
from services.ebox_bridge.dispatcher import EboxDispatcher
from services.ebox_bridge.ebox_calls import EboxCalls
from services.ebox_bridge.ebox_client import EboxClient
from services.ebox_bridge.handlers.activation import ActivationHandler
from services.ebox_bridge.handlers.erasure import ErasureHandler
from services.ebox_bridge.handlers.intake import LetterIntake
from services.ebox_bridge.handlers.point_cards import PointCardHandler
from services.ebox_bridge.metrics import BridgeMetrics
from services.ebox_bridge.paper_senders import PaperSenders
from services.ebox_bridge.policy_holder import PolicyHolder
from services.ebox_bridge.print_batcher import PrintBatcher
from services.ebox_bridge.read_poller import ReadPoller
from services.ebox_bridge.repository.letter_store import LetterStore
from services.ebox_bridge.retention import bridge_purges
from services.ebox_bridge.settings import EboxBridgeSettings
from services.ebox_bridge.sweeper import Sweeper
from services.ebox_bridge.webhooks.delivery import WebhookDelivery
from services.ebox_bridge.webhooks.fan_out import WebhookFanOut
from services.ebox_bridge.webhooks.models import WEBHOOK_EVENTS
from services.ebox_bridge.webhooks.retry import RetryPolicy
from services.ebox_bridge.webhooks.routes import WebhookRoutes

NAME = "ebox_bridge"
log = logging.getLogger(__name__)


def service_spec(
    settings: EboxBridgeSettings | None = None, metrics: BridgeMetrics | None = None,
    runtime: Runtime | None = None,
) -> ServiceSpec:
    """The service's shape. Without settings, metrics and runtime (migrate, asyncapi) only the
    wiring that documents it is built; the handlers and background work need all three."""
    spec = ServiceSpec(
        name=NAME,
        migrations=Path(__file__).parent / "migrations",
        publishes=(topics.LETTERS_STATUS, topics.LETTERS_ISSUED),  # + the letters API's and desk's letters
        start_pages=(("/", DESK),),
    )
    if settings is None or metrics is None or runtime is None:
        spec.subscriptions = [
            Subscription(topics.LETTERS_ISSUED, f"{NAME}.intake", {}),
            Subscription(topics.CITIZENS, f"{NAME}.activations", {}),
            Subscription(topics.LETTERS_STATUS, f"{NAME}.webhooks", {}),
            Subscription(topics.POINTS, f"{NAME}.points", {}),
        ]
        return spec
    policies = PolicyHolder(NAME, settings.policy_file, settings.policy_refresh_s, changes=runtime.changes)
    tenants = TenantDirectory(settings.tenants_file, settings.policy_refresh_s, changes=runtime.changes)
    retry = RetryPolicy(settings.webhook_retry_base_s, settings.webhook_retry_max_s, settings.webhook_retry_window_s)
    intake = LetterIntake(LetterStore(NAME), policies, tenants, settings, metrics, utc_now)
    spec.subscriptions = [
        Subscription(topics.LETTERS_ISSUED, f"{NAME}.intake", {LetterIssued: intake}),
        Subscription(topics.CITIZENS, f"{NAME}.activations",
                     {EboxActivationAssisted: ActivationHandler(NAME), CitizenErasureRequested: ErasureHandler(NAME)}),
        Subscription(topics.LETTERS_STATUS, f"{NAME}.webhooks",
                     dict.fromkeys(WEBHOOK_EVENTS, WebhookFanOut(NAME, retry, utc_now))),
        Subscription(topics.POINTS, f"{NAME}.points", {AssistancePointPublished: PointCardHandler(NAME)}),
    ]
    client = EboxClient(settings.ebox_client_config()) if settings.ebox_url else None
    calls = EboxCalls(client, metrics)
    dispatch = WorkQueue(
        "eBox dispatch", runtime.db, runtime.outbox, EboxDispatcher(runtime.db, NAME, calls, settings, metrics, utc_now),
        batch_size=settings.dispatch_batch_size, lease_s=settings.dispatch_lease_s,
        idle_s=settings.dispatch_idle_s, clock=utc_now,
    )
    read_polls = WorkQueue(
        "read-status", runtime.db, runtime.outbox, ReadPoller(NAME, calls, settings, metrics),
        batch_size=settings.read_poll_batch, lease_s=settings.read_poll_lease_s,
        idle_s=min(settings.read_poll_interval_s, 30.0), clock=utc_now,
    )
    sweeper = Sweeper(
        runtime.db, NAME, metrics, interval_s=settings.sweep_interval_s,
        stuck_after_s=settings.stuck_after_s, clock=utc_now,
    )
    deferred_erasure = DeferredErasure(runtime.db, NAME, runtime.outbox,
                                       interval_s=settings.deferred_erasure_interval_s, batch_size=500, clock=utc_now)
    batcher = PrintBatcher(runtime.db, NAME, settings, metrics, PaperSenders(tenants, policies), utc_now)

    async def ebox_work(_: Runtime) -> None:
        async with contextlib.AsyncExitStack() as stack:
            if client is not None:
                await stack.enter_async_context(client)  # its HTTP session lives as long as the loop
            else:
                log.error("LOKET_EBOX_URL is not set: letters wait for the eBox and fall back to paper")
            await asyncio.gather(dispatch.run(), read_polls.run())

    async def sweep(_: Runtime) -> None:
        await asyncio.gather(sweeper.run(), deferred_erasure.run())

    async def print_batching(_: Runtime) -> None:
        await batcher.run()

    delivery = WebhookDelivery(NAME, retry, settings.webhook_timeout_s, utc_now)
    deliveries = WorkQueue(
        "webhook deliveries", runtime.db, runtime.outbox, delivery, batch_size=settings.webhook_batch_size,
        lease_s=settings.webhook_lease_s, idle_s=settings.webhook_idle_s, clock=utc_now,
    )

    async def webhook_deliveries(_: Runtime) -> None:
        async with delivery:  # its HTTP session lives as long as the loop
            await deliveries.run()

    spec.background = [ebox_work, sweep, print_batching, webhook_deliveries]
    spec.retention = bridge_purges(NAME, settings.preference_cache_ttl_s, settings.spool_dir)
    letter_api = LetterRoutes(
        LetterSubmission(NAME, runtime.db, runtime.outbox, intake, policies, tenants, utc_now),
        LetterReading(NAME, runtime.db), LetterCancelling(NAME, runtime.db, runtime.outbox),
        settings.document_root,
    )
    print_house = PrintHouseRoutes(NAME, runtime.db, runtime.outbox, settings.spool_dir, utc_now)
    spec.endpoints = (letter_api.endpoints() + WebhookRoutes(NAME, runtime.db, retry, utc_now).endpoints()
                      + print_house.endpoints())
    # The letter desk: pages for signed-in people (session cookie, CSRF), on the API's use cases.
    desk = LetterDesk(NAME, runtime.db, LetterReading(NAME, runtime.db),
                      PrintBatchReading(NAME, runtime.db, settings.spool_dir), settings.bus_url, retry, utc_now)
    returned = ReturnedLetters(NAME, runtime.db, utc_now)
    spec.routes = lambda _: api_routes(spec.endpoints) + desk.routes() + returned.routes()
    spec.person_pages = (DESK,)
    spec.body_limits = BODY_LIMITS
    return spec


def create_app(settings: EboxBridgeSettings | None = None) -> Starlette:
    settings = settings or EboxBridgeSettings()
    registry = CollectorRegistry()
    metrics = BridgeMetrics(registry)
    runtime = build_runtime(NAME, settings, registry)
    return build_service_app(service_spec(settings, metrics, runtime), runtime)
