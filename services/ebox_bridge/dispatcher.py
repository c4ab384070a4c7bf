"""Publishes due letters to the eBox, as the steps of a `WorkQueue`: claim a batch (leased) →
batched preference look-up and concurrent publishes, outside any transaction → one transaction
with every outcome, its history and its events.

Batching is what beats a per-event pipeline (docs/architecture.md, "Domain facts"): one claim, one
look-up per 1 000 citizens, and one commit for hundreds of letters.

Invariants:
- Only letters still under this claim's lease are recorded: if the lease ran out and another
  worker took a letter over, its outcome is that worker's to record (no duplicate events).
- A re-published letter carries the same Idempotency-Key (its id): the eBox answers 409, which
  is recorded as delivered, never published twice.
- A letter at its paper deadline whose publish failed without knowing whether it landed (a
  timeout, a lost connection, a 500/502/504) is published once more with the same key before
  paper is decided: a 409 means it is in the eBox (delivered), so no paper copy follows.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable, Sequence
from typing import Any

import asyncpg

from loket.contracts import Event
from loket.infra.db.work_queue import Lease
from loket.infra.errors import described
from services.ebox_bridge import status_events
from services.ebox_bridge.domain import delivery, states
from services.ebox_bridge.domain.delivery import ClaimedLetter, EboxChange
from services.ebox_bridge.domain.facts import LetterFacts
from services.ebox_bridge.domain.transitions import Transition
from services.ebox_bridge.ebox_calls import EboxCalls
from services.ebox_bridge.ebox_client import (
    AlreadyPublished,
    Delivered,
    EboxRejected,
    EboxUnavailable,
    NoDigitalUser,
)
from services.ebox_bridge.metrics import BridgeMetrics
from services.ebox_bridge.repository import ebox_status_cache, letters
from services.ebox_bridge.settings import EboxBridgeSettings

log = logging.getLogger(__name__)
Clock = Callable[[], dt.datetime]

# The outcome label of `loket_letters_total{channel="ebox"}` per resulting state.
_OUTCOME = {
    states.DELIVERED: "delivered",
    states.NOT_DIGITAL: "not_digital",
    states.UNAVAILABLE: "unavailable",
    states.FAILED: "failed",
    states.PENDING: "retry",
}


class EboxDispatcher:
    """`WorkSteps` of eBox publishing: items are the claimed `letters` rows."""

    def __init__(
        self, db: Callable[[], asyncpg.Pool], schema: str, calls: EboxCalls, settings: EboxBridgeSettings,
        metrics: BridgeMetrics, clock: Clock,
    ) -> None:
        # `db` resolves on use: the pool opens after the service's objects are built.
        self.db, self.schema, self.calls, self.settings, self.metrics, self.clock = (
            db, schema, calls, settings, metrics, clock,
        )

    async def claim(self, conn: asyncpg.Connection, limit: int, lease: Lease) -> list[asyncpg.Record]:
        rows = await letters.claim_for_publishing(conn, self.schema, limit, lease.now, lease.until)
        await letters.record_history(conn, self.schema, [
            Transition(r["letter_id"], "ebox", r["was"], states.PUBLISHING,
                       "lease expired, re-driven" if r["was"] == states.PUBLISHING else None)
            for r in rows
        ])
        return rows

    async def call(self, rows: Sequence[asyncpg.Record], lease: Lease) -> list[EboxChange]:
        claimed = {r["letter_id"]: _claimed(r) for r in rows}
        try:
            digital = await self._digital(rows)
        except Exception as exc:
            return [self._transient(claimed[r["letter_id"]], exc) for r in rows]
        changes = [delivery.not_digital(claimed[r["letter_id"]]) for r in rows if not digital[r["ssin"]]]
        to_publish = [r for r in rows if digital[r["ssin"]]]
        if to_publish:
            async with self.db().acquire() as conn:
                pdfs = await letters.pdfs(conn, self.schema, [r["letter_id"] for r in to_publish])
            results = await asyncio.gather(
                *(self.calls.publish(r, pdfs[r["letter_id"]]) for r in to_publish), return_exceptions=True
            )
            results = await self._confirm_lost_answers(to_publish, results, claimed, pdfs)
            for row, result in zip(to_publish, results, strict=True):
                changes.append(self._outcome(claimed[row["letter_id"]], result))
        return changes

    async def record(
        self, conn: asyncpg.Connection, rows: Sequence[asyncpg.Record], changes: list[EboxChange], lease: Lease
    ) -> list[Event]:
        ours = await letters.apply_ebox_changes(conn, self.schema, changes, lease.until)
        by_id = {r["letter_id"]: r for r in rows}
        transitions: list[Transition] = []
        events: list[Event] = []
        for change in (c for c in changes if c.letter_id in ours):
            row = by_id[change.letter_id]
            facts = LetterFacts.from_row(row)
            transitions.append(Transition(change.letter_id, "ebox", states.PUBLISHING, change.ebox_state, change.reason))
            if change.ebox_state == states.DELIVERED:
                assert change.message_id and change.delivered_at
                events.append(status_events.delivered(facts, change.message_id, change.delivered_at))
            if change.failure is not None:
                events.append(status_events.failed(facts, "ebox", *change.failure))
            # Queued only if the letter had no paper yet (the UPDATE checks the same condition).
            if change.paper_reason is not None and row["paper_state"] is None:
                transitions.append(Transition(change.letter_id, "paper", None, states.QUEUED_FOR_PRINT, change.paper_reason))
                events.append(status_events.queued_for_print(facts, change.paper_reason))
                self.metrics.fallbacks.labels(change.paper_reason).inc()
                self.metrics.letters.labels("paper", "queued", change.paper_reason).inc()
            self.metrics.letters.labels("ebox", _OUTCOME.get(change.ebox_state, change.ebox_state),
                                        change.failure[0] if change.failure else "").inc()
        await letters.record_history(conn, self.schema, transitions)
        return events

    async def _confirm_lost_answers(
        self, rows: list[asyncpg.Record], results: list[Any], claimed: dict[Any, ClaimedLetter],
        pdfs: dict[Any, bytes],
    ) -> list[Any]:
        """Publish again, with the same Idempotency-Key, the letters whose attempt may have landed
        and which would otherwise go to paper now; their second answer replaces the first."""
        now = self.clock()
        again = [
            i for i, (row, result) in enumerate(zip(rows, results, strict=True))
            if isinstance(result, EboxUnavailable) and result.ambiguous
            and delivery.at_paper_deadline(claimed[row["letter_id"]], now)
        ]
        if not again:
            return results
        for i in again:
            log.info("letter %s: its last eBox attempt may have landed (%s); asking again with the same "
                     "Idempotency-Key before paper", rows[i]["letter_id"], results[i].reason)
        second = await asyncio.gather(
            *(self.calls.publish(rows[i], pdfs[rows[i]["letter_id"]], confirm=True) for i in again),
            return_exceptions=True,
        )
        confirmed = list(results)
        for i, result in zip(again, second, strict=True):
            confirmed[i] = result
        return confirmed

    async def _digital(self, rows: Sequence[asyncpg.Record]) -> dict[str, bool]:
        """ssin → has an activated eBox, from the cache or one batched look-up per recipient
        kind (the federation takes one eboxType per call). `ssin` is an enterprise number for
        enterprise letters; the two formats never collide, so one cache serves both."""
        kinds = {r["ssin"]: r["recipient_kind"] for r in rows}
        ssins = list(kinds)
        now = self.clock()
        async with self.db().acquire() as conn:
            known = await ebox_status_cache.cached(conn, self.schema, ssins, self.settings.preference_cache_ttl_s, now)
        missing = [s for s in ssins if s not in known]
        if missing:
            found = {}
            for kind in sorted({kinds[s] for s in missing}):
                found.update(await self.calls.preferences([s for s in missing if kinds[s] == kind], kind))
            fresh = {s: (s in found, s in found and found[s].exclusively_ebox) for s in missing}
            async with self.db().acquire() as conn:
                await ebox_status_cache.store(conn, self.schema, fresh, now)
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
            log.error("eBox call failed for letter %s: %s", letter.letter_id, described(exc))
        return delivery.transient(
            letter, described(exc)[:500], self.clock(), retry_after=retry_after,
            base=self.settings.retry_base_s, cap=self.settings.retry_max_s,
        )


def _claimed(row: asyncpg.Record) -> ClaimedLetter:
    return ClaimedLetter(
        letter_id=row["letter_id"], routing=row["routing"], attempts=row["ebox_attempts"],
        fallback_at=row["ebox_fallback_at"], important=row["important"],
        escalate_after_days=row["escalate_after_days"], has_paper=row["paper_state"] is not None,
    )
