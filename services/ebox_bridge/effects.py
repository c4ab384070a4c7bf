"""Commit what the eBox attempts produced: state, history, status events and metrics, together.

Only letters still under this worker's lease are written: if a lease ran out and another worker
took a letter over, its outcome is that worker's to record (no duplicate events).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any
from uuid import UUID

import asyncpg

from loket.contracts import Event
from loket.infra.db.outbox import Outbox
from services.ebox_bridge.domain import states
from services.ebox_bridge.domain.delivery import EboxChange
from services.ebox_bridge.metrics import BridgeMetrics
from services.ebox_bridge.repository import ebox_work, history
from services.ebox_bridge.repository.history import Transition
from services.ebox_bridge.status_events import LetterFacts

_OUTCOME = {
    states.DELIVERED: "delivered",
    states.NOT_DIGITAL: "not_digital",
    states.UNAVAILABLE: "unavailable",
    states.FAILED: "failed",
    states.PENDING: "retry",
}


async def record_ebox_changes(
    conn: asyncpg.Connection, schema: str, outbox: Outbox, metrics: BridgeMetrics,
    changes: list[EboxChange], rows: Mapping[UUID, Any], *, lease_until: dt.datetime,
) -> set[UUID]:
    ours = await ebox_work.apply_changes(conn, schema, changes, lease_until)
    kept = [c for c in changes if c.letter_id in ours]
    transitions: list[Transition] = []
    events: list[Event] = []
    for change in kept:
        row = rows[change.letter_id]
        facts = LetterFacts.from_row(row)
        transitions.append(Transition(change.letter_id, "ebox", states.PUBLISHING, change.ebox_state, change.reason))
        if change.ebox_state == states.DELIVERED:
            assert change.message_id and change.delivered_at
            events.append(facts.delivered(change.message_id, change.delivered_at))
        if change.failure is not None:
            events.append(facts.failed("ebox", *change.failure))
        # Queued only if the letter had no paper yet (the UPDATE checks the same condition).
        if change.paper_reason is not None and row["paper_state"] is None:
            transitions.append(Transition(change.letter_id, "paper", None, states.QUEUED_FOR_PRINT, change.paper_reason))
            events.append(facts.queued_for_print(change.paper_reason))
            metrics.fallbacks.labels(change.paper_reason).inc()
            metrics.letters.labels("paper", "queued", change.paper_reason).inc()
        metrics.letters.labels("ebox", _OUTCOME.get(change.ebox_state, change.ebox_state),
                               change.failure[0] if change.failure else "").inc()
    await history.record(conn, schema, transitions)
    await outbox.append(conn, *events)
    return ours
