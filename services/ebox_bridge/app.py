"""Composition root of the ebox_bridge service: municipal letters to the citizen's eBox, with
paper fallback. `create_app(settings)` is the only place the service's objects are built."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from pathlib import Path

from prometheus_client import CollectorRegistry
from starlette.applications import Starlette

from loket.contracts import topics
from loket.contracts.citizens import EboxActivationAssisted
from loket.contracts.letters import LetterIssued
from loket.contracts.values import utc_now
from loket.infra.runtime import Runtime
from loket.infra.service_app import ServiceSpec, Subscription, build_runtime, build_service_app
from services.ebox_bridge.dispatcher import EboxDispatcher
from services.ebox_bridge.ebox_calls import EboxCalls
from services.ebox_bridge.ebox_client import EboxClient
from services.ebox_bridge.handlers.activation import ActivationHandler
from services.ebox_bridge.handlers.intake import LetterIntake
from services.ebox_bridge.metrics import BridgeMetrics
from services.ebox_bridge.policy_holder import PolicyHolder
from services.ebox_bridge.print_batcher import PrintBatcher
from services.ebox_bridge.read_poller import ReadPoller
from services.ebox_bridge.settings import EboxBridgeSettings
from services.ebox_bridge.sweeper import Sweeper

NAME = "ebox_bridge"
log = logging.getLogger(__name__)


def service_spec(
    settings: EboxBridgeSettings | None = None, metrics: BridgeMetrics | None = None
) -> ServiceSpec:
    """The service's shape. Without settings/metrics (migrate, asyncapi) only the wiring that
    documents it is built; the handlers need both."""
    spec = ServiceSpec(
        name=NAME,
        migrations=Path(__file__).parent / "migrations",
        publishes=(topics.LETTERS_STATUS,),
    )
    if settings is None or metrics is None:
        spec.subscriptions = [
            Subscription(topics.LETTERS_ISSUED, f"{NAME}.intake", {}),
            Subscription(topics.CITIZENS, f"{NAME}.activations", {}),
        ]
        return spec
    policies = PolicyHolder(NAME, settings.policy_file, settings.policy_refresh_s)
    spec.subscriptions = [
        Subscription(topics.LETTERS_ISSUED, f"{NAME}.intake",
                     {LetterIssued: LetterIntake(NAME, policies, settings, metrics, utc_now)}),
        Subscription(topics.CITIZENS, f"{NAME}.activations",
                     {EboxActivationAssisted: ActivationHandler(NAME)}),
    ]
    spec.background = [
        _ebox_worker(settings, metrics), _sweeper(settings, metrics),
        _print_batcher(settings, metrics, policies),
    ]
    return spec


def _ebox_worker(settings: EboxBridgeSettings, metrics: BridgeMetrics):  # type: ignore[no-untyped-def]
    async def ebox_worker(runtime: Runtime) -> None:
        async with contextlib.AsyncExitStack() as stack:
            client = None
            if settings.ebox_url:
                client = await stack.enter_async_context(EboxClient(settings.ebox_client_config()))
            else:
                log.error("LOKET_EBOX_URL is not set: letters wait for the eBox and fall back to paper")
            calls = EboxCalls(client, metrics)
            dispatcher = EboxDispatcher(runtime.db(), NAME, calls, settings, metrics, utc_now)
            poller = ReadPoller(runtime.db(), NAME, calls, settings, metrics, utc_now)
            await asyncio.gather(dispatcher.run(), poller.run())

    return ebox_worker


def _sweeper(settings: EboxBridgeSettings, metrics: BridgeMetrics):  # type: ignore[no-untyped-def]
    async def sweeper(runtime: Runtime) -> None:
        await Sweeper(
            runtime.db(), NAME, metrics, interval_s=settings.sweep_interval_s,
            stuck_after_s=settings.stuck_after_s, clock=utc_now,
        ).run()

    return sweeper


def _print_batcher(settings: EboxBridgeSettings, metrics: BridgeMetrics, policies: PolicyHolder):  # type: ignore[no-untyped-def]
    async def print_batcher(runtime: Runtime) -> None:
        await PrintBatcher(runtime.db(), NAME, settings, metrics, policies, utc_now).run()

    return print_batcher


def create_app(settings: EboxBridgeSettings | None = None) -> Starlette:
    settings = settings or EboxBridgeSettings()
    registry = CollectorRegistry()
    metrics = BridgeMetrics(registry)
    runtime = build_runtime(NAME, settings, registry)
    return build_service_app(service_spec(settings, metrics), runtime)
