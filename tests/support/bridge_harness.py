"""The ebox_bridge on the real embedded PostgreSQL and NATS, against the eBox simulator over
HTTP, in the test's event loop (the SIGKILL test runs it as a separate process instead)."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import time
from collections.abc import AsyncIterator, Iterable
from pathlib import Path
from typing import Any
from uuid import UUID

import aiohttp
import asyncpg
from prometheus_client import CollectorRegistry

from loket.contracts import Event, topics
from loket.contracts.values import utc_now
from loket.infra.bus.bus import Bus
from loket.infra.db.schema import migrate_service_schema
from loket.infra.metrics import PlatformMetrics
from loket.simulators.ebox import EboxSimSettings
from loket.simulators.ebox import create_app as sim_app
from services.ebox_bridge.app import NAME, create_app, service_spec
from services.ebox_bridge.domain import states
from services.ebox_bridge.policy.loader import parse_policy_yaml
from services.ebox_bridge.policy.repository import import_document
from services.ebox_bridge.settings import EboxBridgeSettings
from tests.support.outbox_copies import WITNESS_KEEP_S
from tests.support.served_app import served
from tests.support.stream_reader import read_subject

POLICY = Path(__file__).parent / "test_policy.yaml"
SIM_ADMIN = "sim-admin-secret"


class Simulator:
    def __init__(self, base: str, http: aiohttp.ClientSession) -> None:
        self.base, self.http = base, http

    async def admin(self, method: str, path: str, body: Any = None) -> Any:
        async with self.http.request(
            method, f"{self.base}{path}", json=body, headers={"Authorization": f"Bearer {SIM_ADMIN}"}
        ) as response:
            assert response.status == 200, await response.text()
            return await response.json()

    async def faults(self, **faults: Any) -> None:
        await self.admin("POST", "/admin/faults", faults)

    async def accepted_by_key(self) -> dict[str, int]:
        return (await self.admin("GET", "/admin/received"))["acceptedByIdempotencyKey"]


@contextlib.asynccontextmanager
async def simulator(cert: Path, **settings: Any) -> AsyncIterator[Simulator]:
    sim_settings = EboxSimSettings(
        admin_token=SIM_ADMIN, client_public_key_pem=cert.read_text(), **settings
    )
    async with served(sim_app(sim_settings)) as base, aiohttp.ClientSession() as http:
        yield Simulator(base, http)


def bridge_settings(
    database_url: str, bus_url: str, sim: Simulator, key: Path, cert: Path, spool: Path, **overrides: Any
) -> EboxBridgeSettings:
    values: dict[str, Any] = {
        "database_url": database_url, "bus_url": bus_url, "ebox_url": sim.base,
        "ebox_private_key_file": key, "ebox_certificate_file": cert, "policy_file": POLICY,
        "print_spool_dir": spool, "dispatch_idle_s": 0.05, "policy_refresh_s": 0.5,
        "retry_base_s": 0.2, "retry_max_s": 1.0, "ebox_breaker_cooldown_s": 0.5,
        # Batches close when a test says so, not when the wall clock passes 17:30 in Brussels.
        "print_auto_close": False,
        # Tests read what the bridge appended from its outbox after the relay published it: an
        # audit copy is kept (by default the relay deletes published rows).
        "outbox_keep_published_s": WITNESS_KEEP_S,
    }
    return EboxBridgeSettings(**(values | overrides))


async def next_print_cutoff(pool: asyncpg.Pool) -> dt.datetime:
    """A cut-off after every letter queued so far and after every batch's: tests share the
    bridge's schema, and batch ids name the second (one cut-off, one batch)."""
    latest = await pool.fetchval(f"SELECT max(cutoff_at) FROM {NAME}.print_batches")
    cutoff = utc_now().replace(microsecond=0) + dt.timedelta(seconds=1)
    return max(cutoff, latest + dt.timedelta(seconds=1)) if latest else cutoff


async def install_test_policy(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as conn:
        await migrate_service_schema(conn, NAME, service_spec().migrations)
        doc = parse_policy_yaml(POLICY.read_text(), str(POLICY))
        await import_document(conn, NAME, doc, "tests")


@contextlib.asynccontextmanager
async def running_bridge(settings: EboxBridgeSettings) -> AsyncIterator[str]:
    async with served(create_app(settings)) as base:
        yield base


@contextlib.asynccontextmanager
async def publisher(bus_url: str) -> AsyncIterator[Bus]:
    registry = CollectorRegistry()
    bus = Bus(bus_url, "test-backoffice", registry, PlatformMetrics(registry))
    await bus.start()
    try:
        yield bus
    finally:
        await bus.stop()


async def publish(bus_url: str, events: Iterable[Event]) -> None:
    async with publisher(bus_url) as bus:
        for event in events:
            await bus.publish(event)


async def letter_rows(pool: asyncpg.Pool, ids: Iterable[UUID]) -> dict[UUID, asyncpg.Record]:
    rows = await pool.fetch(
        f"SELECT letter_id, routing, ebox_state, paper_state, paper_reason, batch_id, ebox_message_id, "
        f"ebox_attempts, ebox_last_error FROM {NAME}.letters WHERE letter_id = ANY($1::uuid[])",
        list(ids),
    )
    return {r["letter_id"]: r for r in rows}


async def wait_for_letters(
    pool: asyncpg.Pool, ids: Iterable[UUID], done: Any, timeout: float = 60
) -> dict[UUID, asyncpg.Record]:
    """Poll until `done(row)` holds for every letter; fail with the stragglers' states."""
    wanted = set(ids)
    deadline = time.monotonic() + timeout
    while True:
        rows = await letter_rows(pool, wanted)
        pending = [i for i in wanted if i not in rows or not done(rows[i])]
        if not pending:
            return rows
        if time.monotonic() > deadline:
            sample = {str(i): dict(rows[i]) if i in rows else None for i in pending[:5]}
            raise AssertionError(f"{len(pending)} letters not done after {timeout}s, e.g. {sample}")
        await asyncio.sleep(0.1)


def settled(row: asyncpg.Record) -> bool:
    """The bridge's own work is done: the eBox answered for good (paper, if any, is queued)."""
    return row["ebox_state"] is None or row["ebox_state"] in states.EBOX_SETTLED


async def status_events(bus_url: str, ids: set[UUID], expected: int, timeout: float = 20) -> dict[UUID, list[dict]]:
    """The bridge's events on letters.status.v1 for these letters (decoded JSON, in stream
    order), once at least `expected` of them are there; fails with the count otherwise."""
    deadline = time.monotonic() + timeout
    while True:
        found: dict[UUID, list[dict]] = {i: [] for i in ids}
        for body, _headers in await read_subject(bus_url, topics.LETTERS_STATUS):
            event = json.loads(body)
            letter_id = UUID(event["payload"]["letter_id"])
            if letter_id in found:
                found[letter_id].append(event)
        total = sum(len(v) for v in found.values())
        if total >= expected or time.monotonic() > deadline:
            assert total >= expected, f"{total} status events, expected {expected}"
            return found
        await asyncio.sleep(0.2)
