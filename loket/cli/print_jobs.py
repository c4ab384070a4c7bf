"""What `loket print` does in the eBox bridge's schema (migrated first, as the service would):
close a batch, record the print house's answer, read the latest batches. Apart from the command
line so that `loket print --help` need not import the bridge (1.9 s)."""

from __future__ import annotations

import datetime as dt

import asyncpg
from prometheus_client import CollectorRegistry

from loket.contracts.values import utc_now
from loket.infra.db.outbox import Outbox
from loket.infra.db.pool import create_pool
from loket.infra.db.schema import migrate_service_schema
from loket.infra.identity.tenant_directory import TenantDirectory
from services.ebox_bridge.app import NAME, service_spec
from services.ebox_bridge.metrics import BridgeMetrics
from services.ebox_bridge.paper import PrintConfirmation
from services.ebox_bridge.paper_senders import PaperSenders
from services.ebox_bridge.policy_holder import PolicyHolder
from services.ebox_bridge.print_batcher import BatchProgress, ClosedBatch, PrintBatcher, no_progress
from services.ebox_bridge.print_confirmations import ConfirmResult, apply_confirmations
from services.ebox_bridge.repository import print_batches
from services.ebox_bridge.settings import EboxBridgeSettings


async def close_print_batch(url: str, cutoff: dt.datetime,
                            progress: BatchProgress = no_progress) -> ClosedBatch | None:
    settings = EboxBridgeSettings(database_url=url)
    pool = await create_pool(url, min_size=1, max_size=2)
    try:
        async with pool.acquire() as conn:
            await migrate_service_schema(conn, NAME, service_spec().migrations)
        policies = PolicyHolder(NAME, settings.policy_file, settings.policy_refresh_s)
        senders = PaperSenders(TenantDirectory(settings.tenants_file, settings.policy_refresh_s), policies)
        batcher = PrintBatcher(lambda: pool, NAME, settings, BridgeMetrics(CollectorRegistry()), senders, utc_now)
        return await batcher.close(cutoff, wait_for_files=True, progress=progress)
    finally:
        await pool.close()


async def confirm_all(url: str, confirmations: list[PrintConfirmation]) -> ConfirmResult:
    conn = await asyncpg.connect(url)
    try:
        await migrate_service_schema(conn, NAME, service_spec().migrations)
        tx = conn.transaction()
        await tx.start()
        result = await apply_confirmations(conn, NAME, Outbox(NAME), confirmations, utc_now())
        await (tx.rollback() if result.problems else tx.commit())
        return result
    finally:
        await conn.close()


async def latest_batches(url: str, limit: int) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(url)
    try:
        await migrate_service_schema(conn, NAME, service_spec().migrations)
        return await print_batches.latest_with_progress(conn, NAME, limit)
    finally:
        await conn.close()
