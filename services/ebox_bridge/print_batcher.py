"""Print batches: at each daily cut-off the letters queued before it move into one batch (one
transaction, so each letter is in exactly one batch); the batch's files are composed after the
commit and written atomically to the spool. A crash between the two leaves a batch without
files, which the next round writes (the files are a pure function of the batch's letters)."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

import asyncpg

from loket.contracts.values import PostalAddress
from loket.infra.rounds import run_rounds
from services.ebox_bridge.domain import states
from services.ebox_bridge.metrics import BridgeMetrics
from services.ebox_bridge.paper import (
    BatchLetter,
    batch_id_for,
    compose_print_pdf,
    latest_cutoff,
    write_batch,
)
from services.ebox_bridge.policy_holder import PolicyHolder
from services.ebox_bridge.repository import history
from services.ebox_bridge.repository.history import Transition
from services.ebox_bridge.settings import EboxBridgeSettings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ClosedBatch:
    batch_id: str
    cutoff_at: dt.datetime
    letter_count: int
    page_count: int


class PrintBatcher:
    def __init__(
        self, pool: asyncpg.Pool, schema: str, settings: EboxBridgeSettings, metrics: BridgeMetrics,
        policies: PolicyHolder, clock: Callable[[], dt.datetime],
    ) -> None:
        self.pool, self.schema, self.settings, self.metrics, self.policies, self.clock = (
            pool, schema, settings, metrics, policies, clock,
        )

    async def run(self) -> None:
        async def round_() -> bool:
            if self.settings.print_auto_close:
                await self.close_due()
            await self.write_missing_files()
            return False

        await run_rounds(round_, self.settings.print_check_interval_s, "print batching")

    async def close_due(self) -> ClosedBatch | None:
        cutoff = latest_cutoff(self.clock(), self.settings.print_cutoff, self.settings.print_timezone)
        return await self.close(cutoff)

    async def close(self, cutoff_at: dt.datetime) -> ClosedBatch | None:
        """Close the batch of `cutoff_at` (letters queued up to then); None if there is nothing
        to print or the batch exists already. Files are written afterwards."""
        batch = await self._assign(cutoff_at)
        if batch is not None:
            self.metrics.print_batch_letters.observe(batch.letter_count)
            log.info("print batch %s closed: %d letters, %d pages", batch.batch_id, batch.letter_count, batch.page_count)
            await self.write_files(batch.batch_id)
        return batch

    async def _assign(self, cutoff_at: dt.datetime) -> ClosedBatch | None:
        batch_id = batch_id_for(cutoff_at, self.settings.print_timezone)
        async with self.pool.acquire() as conn, conn.transaction():
            # Serialises concurrent closers (two replicas) on the same cut-off.
            await conn.execute("SELECT pg_advisory_xact_lock(hashtext($1))", f"{self.schema}:print")
            # The same cut-off, or a manual close within the same second (same batch id).
            if await conn.fetchval(
                f"SELECT 1 FROM {self.schema}.print_batches WHERE cutoff_at = $1 OR batch_id = $2",
                cutoff_at, batch_id,
            ):
                return None
            rows = await conn.fetch(
                f"""UPDATE {self.schema}.letters SET paper_state = 'in_batch', batch_id = $1,
                           updated_at = clock_timestamp()
                    WHERE paper_state = 'queued_for_print' AND paper_queued_at <= $2
                    RETURNING letter_id, pages""",
                batch_id, cutoff_at,
            )
            if not rows:
                return None
            pages = sum(r["pages"] + 1 for r in rows)
            await conn.execute(
                f"INSERT INTO {self.schema}.print_batches (batch_id, cutoff_at, letter_count, page_count) "
                "VALUES ($1, $2, $3, $4)",
                batch_id, cutoff_at, len(rows), pages,
            )
            await history.record(conn, self.schema, [
                Transition(r["letter_id"], "paper", states.QUEUED_FOR_PRINT, states.IN_BATCH, batch_id) for r in rows
            ])
        return ClosedBatch(batch_id, cutoff_at, len(rows), pages)

    async def write_missing_files(self) -> None:
        rows = await self.pool.fetch(
            f"SELECT batch_id FROM {self.schema}.print_batches WHERE files_written_at IS NULL ORDER BY cutoff_at"
        )
        for row in rows:
            await self.write_files(row["batch_id"])

    async def write_files(self, batch_id: str) -> None:
        started = time.perf_counter()
        async with self.pool.acquire() as conn:
            policy = await self.policies.current(conn)
            batch = await conn.fetchrow(f"SELECT cutoff_at FROM {self.schema}.print_batches WHERE batch_id = $1", batch_id)
            letters = await conn.fetch(
                f"""SELECT letter_id, municipality, language, postal_address, postage_class, pdf
                    FROM {self.schema}.letters WHERE batch_id = $1""",
                batch_id,
            )
        # Composing is CPU work: in a thread, so the event loop keeps serving health checks.
        files = await asyncio.to_thread(self._compose_and_write, batch_id, batch["cutoff_at"], letters, policy)
        async with self.pool.acquire() as conn:
            await conn.execute(
                f"UPDATE {self.schema}.print_batches SET files_written_at = clock_timestamp(), "
                "manifest_sha256 = $2 WHERE batch_id = $1",
                batch_id, files.manifest_sha256,
            )
        self.metrics.print_batch_seconds.observe(time.perf_counter() - started)

    def _compose_and_write(self, batch_id: str, cutoff_at: dt.datetime, letters: list, policy):  # type: ignore[no-untyped-def]
        prepared = []
        for row in letters:
            raw = row["postal_address"]  # decoded by the pool's JSON codec; text on a bare connection
            address = PostalAddress.model_validate(json.loads(raw) if isinstance(raw, str) else raw)
            pdf, pages = compose_print_pdf(
                row["letter_id"], reference=str(row["letter_id"]), address=address,
                sender=policy.sender(row["municipality"]), original_pdf=row["pdf"], language=row["language"],
            )
            prepared.append(BatchLetter(row["letter_id"], address, row["postage_class"], pdf, pages))
        return write_batch(self.settings.spool_dir(), batch_id, cutoff_at, prepared)
