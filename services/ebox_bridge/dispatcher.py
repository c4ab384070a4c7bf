"""Publishes due letters to the eBox in batches: claim → batched preference look-up →
concurrent publishes → one transaction with every outcome, its history and its events.

Batching is what beats a per-event pipeline (DESIGN.md "Performance notes"): one claim, one
look-up per 1 000 citizens, and one commit for hundreds of letters.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

import asyncpg

from loket.contracts.values import utc_now
from loket.infra.db.outbox import Outbox
from loket.infra.rounds import run_rounds
from services.ebox_bridge.domain import delivery, states
from services.ebox_bridge.domain.delivery import ClaimedLetter, EboxChange
from services.ebox_bridge.ebox_calls import EboxCalls
from services.ebox_bridge.ebox_client import (
    AlreadyPublished,
    Delivered,
    EboxRejected,
    EboxUnavailable,
    NoDigitalUser,
)
from services.ebox_bridge.effects import record_ebox_changes
from services.ebox_bridge.metrics import BridgeMetrics
from services.ebox_bridge.repository import ebox_work, history
from services.ebox_bridge.repository.history import Transition
from services.ebox_bridge.settings import EboxBridgeSettings

log = logging.getLogger(__name__)
Clock = Callable[[], dt.datetime]


class EboxDispatcher:
    def __init__(
        self, pool: asyncpg.Pool, schema: str, calls: EboxCalls, settings: EboxBridgeSettings,
        metrics: BridgeMetrics, clock: Clock = utc_now,
    ) -> None:
        self.pool, self.schema, self.settings, self.metrics, self.clock = pool, schema, settings, metrics, clock
        self.calls = calls
        self.outbox = Outbox(schema)

    async def run(self) -> None:
        async def round_() -> bool:
            return await self.dispatch_once() >= self.settings.dispatch_batch_size

        await run_rounds(round_, self.settings.dispatch_idle_s, "eBox dispatch")

    async def dispatch_once(self) -> int:
        """One round; returns how many letters it claimed."""
        now = self.clock()
        lease = now + dt.timedelta(seconds=self.settings.dispatch_lease_s)
        async with self.pool.acquire() as conn, conn.transaction():
            rows = await ebox_work.claim_due(conn, self.schema, self.settings.dispatch_batch_size, now, lease)
            await history.record(conn, self.schema, [
                Transition(r["letter_id"], "ebox", r["was"], states.PUBLISHING,
                           "lease expired, re-driven" if r["was"] == states.PUBLISHING else None)
                for r in rows
            ])
        if not rows:
            return 0
        changes = await self._attempt(rows)
        async with self.pool.acquire() as conn, conn.transaction():
            await record_ebox_changes(
                conn, self.schema, self.outbox, self.metrics, changes, {r["letter_id"]: r for r in rows},
                lease_until=lease,
            )
        return len(rows)

    async def _attempt(self, rows: list[asyncpg.Record]) -> list[EboxChange]:
        letters = {r["letter_id"]: _claimed(r) for r in rows}
        try:
            digital = await self._digital(rows)
        except Exception as exc:
            return [self._transient(letters[r["letter_id"]], exc) for r in rows]
        changes = [delivery.not_digital(letters[r["letter_id"]]) for r in rows if not digital[r["ssin"]]]
        to_publish = [r for r in rows if digital[r["ssin"]]]
        if to_publish:
            async with self.pool.acquire() as conn:
                pdfs = await ebox_work.pdfs(conn, self.schema, [r["letter_id"] for r in to_publish])
            results = await asyncio.gather(
                *(self.calls.publish(r, pdfs[r["letter_id"]]) for r in to_publish), return_exceptions=True
            )
            for row, result in zip(to_publish, results, strict=True):
                changes.append(self._outcome(letters[row["letter_id"]], result))
        return changes

    async def _digital(self, rows: list[asyncpg.Record]) -> dict[str, bool]:
        """ssin → has an activated eBox, from the cache or one batched look-up."""
        ssins = list({r["ssin"] for r in rows})
        now = self.clock()
        async with self.pool.acquire() as conn:
            known = await ebox_work.cached_status(conn, self.schema, ssins, self.settings.preference_cache_ttl_s, now)
        missing = [s for s in ssins if s not in known]
        if missing:
            found = await self.calls.preferences(missing)
            fresh = {s: (s in found, s in found and found[s].exclusively_ebox) for s in missing}
            async with self.pool.acquire() as conn:
                await ebox_work.store_status(conn, self.schema, fresh, now)
            known.update({s: v[0] for s, v in fresh.items()})
        return known

    def _outcome(self, letter: ClaimedLetter, result: Any) -> EboxChange:
        now = self.clock()
        poll = dt.timedelta(seconds=self.settings.read_poll_interval_s)
        if isinstance(result, Delivered):
            return delivery.delivered(letter, result.message_id, now, poll)
        if isinstance(result, AlreadyPublished):
            # An earlier attempt got through but its answer was lost: record, never republish.
            # Without a messageId in the 409 the letter id (the idempotency key) identifies it.
            return delivery.delivered(letter, result.message_id or f"idempotency-key:{letter.letter_id}", now, poll)
        if isinstance(result, NoDigitalUser):
            return delivery.not_digital(letter)
        if isinstance(result, EboxRejected):
            return delivery.rejected(letter, result.code, result.message)
        return self._transient(letter, result)

    def _transient(self, letter: ClaimedLetter, exc: BaseException) -> EboxChange:
        retry_after = exc.retry_after if isinstance(exc, EboxUnavailable) else None
        if not isinstance(exc, EboxUnavailable):
            # Auth/scope problems and bugs: the letter waits (the deadline still protects it)
            # while someone is alerted by the log and the error metric.
            log.error("eBox call failed for letter %s: %s: %s", letter.letter_id, type(exc).__name__, exc)
        return delivery.transient(
            letter, f"{type(exc).__name__}: {exc}"[:500], self.clock(), retry_after=retry_after,
            base=self.settings.retry_base_s, cap=self.settings.retry_max_s,
        )


def _claimed(row: asyncpg.Record) -> ClaimedLetter:
    return ClaimedLetter(
        letter_id=row["letter_id"], routing=row["routing"], attempts=row["ebox_attempts"],
        fallback_at=row["ebox_fallback_at"], important=row["important"],
        escalate_after_days=row["escalate_after_days"], has_paper=row["paper_state"] is not None,
    )
