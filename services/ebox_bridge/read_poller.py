"""Polls the read status of delivered letters: `LetterRead`, or escalation to paper when an
important letter stays unread longer than its policy allows (`escalate_unread_after_days`)."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from uuid import UUID

import asyncpg

from loket.contracts import Event
from loket.infra.db.outbox import Outbox
from loket.infra.rounds import run_rounds
from services.ebox_bridge.domain import states
from services.ebox_bridge.ebox_calls import EboxCalls
from services.ebox_bridge.metrics import BridgeMetrics
from services.ebox_bridge.repository import history
from services.ebox_bridge.repository.history import Transition
from services.ebox_bridge.settings import EboxBridgeSettings
from services.ebox_bridge.status_events import FACT_COLUMNS, LetterFacts

log = logging.getLogger(__name__)
# The citizen's eBox itself reminds them after 15 days; past this window without an
# escalation rule there is nothing left for the bridge to do with the answer.
POLL_WINDOW = dt.timedelta(days=60)


class ReadPoller:
    def __init__(
        self, pool: asyncpg.Pool, schema: str, calls: EboxCalls, settings: EboxBridgeSettings,
        metrics: BridgeMetrics, clock: Callable[[], dt.datetime],
    ) -> None:
        self.pool, self.schema, self.calls, self.settings, self.metrics, self.clock = (
            pool, schema, calls, settings, metrics, clock,
        )
        self.outbox = Outbox(schema)
        self.interval = dt.timedelta(seconds=settings.read_poll_interval_s)

    async def run(self) -> None:
        async def round_() -> bool:
            return await self.poll_once() >= self.settings.read_poll_batch

        await run_rounds(round_, min(self.settings.read_poll_interval_s, 30.0), "read-status")

    async def poll_once(self) -> int:
        now = self.clock()
        async with self.pool.acquire() as conn, conn.transaction():
            rows = await conn.fetch(
                f"""SELECT {FACT_COLUMNS}, ebox_message_id, ssin, delivered_at, escalate_at, paper_state
                    FROM {self.schema}.letters
                    WHERE ebox_state = 'delivered_to_ebox' AND next_read_poll_at <= $1
                    ORDER BY next_read_poll_at LIMIT $2 FOR UPDATE SKIP LOCKED""",
                now, self.settings.read_poll_batch,
            )
            if not rows:
                return 0
            try:
                status = await self.calls.read_status(
                    [r["ebox_message_id"] for r in rows], {r["ebox_message_id"]: r["ssin"] for r in rows}
                )
            except Exception as exc:
                log.warning("read status unavailable (%s); polling again later", exc)
                await self._postpone(conn, [r["letter_id"] for r in rows], now + self.interval)
                return len(rows)
            await self._record(conn, rows, status, now)
        return len(rows)

    async def _record(self, conn: asyncpg.Connection, rows: list[asyncpg.Record], status: dict[str, str], now: dt.datetime) -> None:
        transitions: list[Transition] = []
        events: list[Event] = []
        # Unread letters get the same next poll (or none, past the window): one UPDATE each.
        again: list[UUID] = []
        done_polling: list[UUID] = []
        for row in rows:
            facts = LetterFacts.from_row(row)
            if status.get(row["ebox_message_id"]) == "read":
                await conn.execute(
                    f"UPDATE {self.schema}.letters SET ebox_state = 'read', read_at = $2, "
                    "next_read_poll_at = NULL, updated_at = clock_timestamp() WHERE letter_id = $1",
                    row["letter_id"], now,
                )
                transitions.append(Transition(row["letter_id"], "ebox", states.DELIVERED, states.READ))
                events.append(facts.read(now))
                self.metrics.letters.labels("ebox", "read", "").inc()
            elif row["escalate_at"] is not None and now >= row["escalate_at"]:
                events += await self._escalate(conn, row, facts, now, transitions)
            else:
                expired = row["escalate_at"] is None and now - row["delivered_at"] > POLL_WINDOW
                (done_polling if expired else again).append(row["letter_id"])
        if again:
            await self._postpone(conn, again, now + self.interval)
        if done_polling:
            await self._postpone(conn, done_polling, None)
        await history.record(conn, self.schema, transitions)
        await self.outbox.append(conn, *events)

    async def _escalate(
        self, conn: asyncpg.Connection, row: asyncpg.Record, facts: LetterFacts, now: dt.datetime,
        transitions: list[Transition],
    ) -> list[Event]:
        days = (now - row["delivered_at"]).days
        paper = row["paper_state"] is None  # `both` letters are already on paper
        await conn.execute(
            f"""UPDATE {self.schema}.letters SET ebox_state = 'unread_escalated', next_read_poll_at = NULL,
                    paper_state = CASE WHEN $2 THEN 'queued_for_print' ELSE paper_state END,
                    paper_reason = CASE WHEN $2 THEN 'unread_escalation' ELSE paper_reason END,
                    paper_queued_at = CASE WHEN $2 THEN clock_timestamp() ELSE paper_queued_at END,
                    updated_at = clock_timestamp()
                WHERE letter_id = $1""",
            row["letter_id"], paper,
        )
        transitions.append(Transition(row["letter_id"], "ebox", states.DELIVERED, states.UNREAD_ESCALATED, f"unread after {days} days"))
        events: list[Event] = [facts.unread_escalated(days)]
        self.metrics.letters.labels("ebox", "unread_escalated", "").inc()
        if paper:
            transitions.append(Transition(row["letter_id"], "paper", None, states.QUEUED_FOR_PRINT, "unread_escalation"))
            events.append(facts.queued_for_print("unread_escalation"))
            self.metrics.fallbacks.labels("unread_escalation").inc()
            self.metrics.letters.labels("paper", "queued", "unread_escalation").inc()
        return events

    async def _postpone(self, conn: asyncpg.Connection, letter_ids: list[UUID], when: dt.datetime | None) -> None:
        await conn.execute(
            f"UPDATE {self.schema}.letters SET next_read_poll_at = $2 WHERE letter_id = ANY($1::uuid[])",
            letter_ids, when,
        )
