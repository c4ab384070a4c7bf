"""Polls the read status of delivered letters, as the steps of a `WorkQueue`: `LetterRead`, or
escalation to paper when an important letter stays unread longer than its policy allows
(`escalate_unread_after_days`).

Invariants:
- The claim moves each letter's next poll to the lease's end; that timestamp is the lease. The
  eBox is asked outside any transaction, and only letters whose next poll still equals the
  lease are recorded: a poller that outlived its lease records nothing.
- When the eBox cannot answer, every claimed letter is polled again one interval later.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence

import asyncpg

from loket.contracts import Event
from loket.infra.db.work_queue import Lease
from services.ebox_bridge import status_events
from services.ebox_bridge.domain import reading, states
from services.ebox_bridge.domain.facts import LetterFacts
from services.ebox_bridge.domain.reading import PolledLetter, ReadChange
from services.ebox_bridge.domain.transitions import Transition
from services.ebox_bridge.ebox_calls import EboxCalls
from services.ebox_bridge.metrics import BridgeMetrics
from services.ebox_bridge.repository import letters
from services.ebox_bridge.settings import EboxBridgeSettings

log = logging.getLogger(__name__)

# The eBox's read status per message id ("read", "unread"), or None when it could not answer.
ReadStatus = dict[str, str] | None


class ReadPoller:
    """`WorkSteps` of read polling: items are the claimed `letters` rows."""

    def __init__(self, schema: str, calls: EboxCalls, settings: EboxBridgeSettings, metrics: BridgeMetrics) -> None:
        self.schema, self.calls, self.metrics = schema, calls, metrics
        self.interval = dt.timedelta(seconds=settings.read_poll_interval_s)

    async def claim(self, conn: asyncpg.Connection, limit: int, lease: Lease) -> list[asyncpg.Record]:
        return await letters.claim_for_read_poll(conn, self.schema, limit, lease.now, lease.until)

    async def call(self, rows: Sequence[asyncpg.Record], lease: Lease) -> ReadStatus:
        try:
            return await self.calls.read_status(
                [r["ebox_message_id"] for r in rows], {r["ebox_message_id"]: r["ssin"] for r in rows},
                frozenset(r["ebox_message_id"] for r in rows if r["recipient_kind"] == "enterprise"),
            )
        except Exception as exc:
            log.warning("read status unavailable (%s); polling again later", exc)
            return None

    async def record(
        self, conn: asyncpg.Connection, rows: Sequence[asyncpg.Record], status: ReadStatus, lease: Lease
    ) -> list[Event]:
        if status is None:
            changes = [reading.postponed(_polled(r), lease.now + self.interval) for r in rows]
        else:
            changes = [
                reading.after_poll(_polled(r), status.get(r["ebox_message_id"]) == "read", lease.now, self.interval)
                for r in rows
            ]
        ours = await letters.apply_read_changes(conn, self.schema, changes, lease.until)
        by_id = {r["letter_id"]: r for r in rows}
        transitions: list[Transition] = []
        events: list[Event] = []
        for change in (c for c in changes if c.letter_id in ours and c.ebox_state != states.DELIVERED):
            events += self._outcome(LetterFacts.from_row(by_id[change.letter_id]), change, lease.now, transitions)
        await letters.record_history(conn, self.schema, transitions)
        return events

    def _outcome(
        self, facts: LetterFacts, change: ReadChange, now: dt.datetime, transitions: list[Transition]
    ) -> list[Event]:
        if change.ebox_state == states.READ:
            transitions.append(Transition(facts.letter_id, "ebox", states.DELIVERED, states.READ))
            self.metrics.letters.labels("ebox", "read", "").inc()
            return [status_events.read(facts, now)]
        assert change.unread_days is not None
        transitions.append(Transition(facts.letter_id, "ebox", states.DELIVERED, states.UNREAD_ESCALATED,
                                      f"unread after {change.unread_days} days"))
        events: list[Event] = [status_events.unread_escalated(facts, change.unread_days)]
        self.metrics.letters.labels("ebox", "unread_escalated", "").inc()
        if change.paper_reason is not None:
            transitions.append(Transition(facts.letter_id, "paper", None, states.QUEUED_FOR_PRINT, change.paper_reason))
            events.append(status_events.queued_for_print(facts, change.paper_reason))
            self.metrics.fallbacks.labels(change.paper_reason).inc()
            self.metrics.letters.labels("paper", "queued", change.paper_reason).inc()
        return events


def _polled(row: asyncpg.Record) -> PolledLetter:
    return PolledLetter(row["letter_id"], row["delivered_at"], row["escalate_at"], has_paper=row["paper_state"] is not None)
