"""The sweeper: nothing stays silently stuck.

Every round it counts letters in non-terminal states by age (a gauge operations can alert on),
reports letters older than the threshold in a state the bridge itself should have moved on
from, and re-drives what it can: eBox work without a due time is made due now. Letters in a
print batch whose files are still not written that long after it closed are stuck too (the
batcher retries them every round; something keeps failing).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

import asyncpg

from loket.infra.rounds import run_rounds
from services.ebox_bridge.domain import states
from services.ebox_bridge.metrics import BridgeMetrics
from services.ebox_bridge.repository import letters

log = logging.getLogger(__name__)

# Waiting on the citizen (reading) or the print house is expected; these are not. Paper
# waits for the daily cut-off, so it counts as stuck only a day later than eBox work.
BRIDGE_OWNED = {("ebox", states.PENDING), ("ebox", states.PUBLISHING), ("paper", states.QUEUED_FOR_PRINT)}


class Sweeper:
    def __init__(
        self, db: Callable[[], asyncpg.Pool], schema: str, metrics: BridgeMetrics, *, interval_s: float,
        stuck_after_s: float, clock: Callable[[], dt.datetime],
    ) -> None:
        # `db` resolves on use: the service's pool opens after its objects are built.
        self.db, self.schema, self.metrics, self.clock = db, schema, metrics, clock
        self.interval_s, self.stuck_after = interval_s, dt.timedelta(seconds=stuck_after_s)

    async def run(self) -> None:
        async def round_() -> bool:
            await self.sweep_once()
            return False  # a sweep looks at everything; the next one is due after the interval

        await run_rounds(round_, self.interval_s, "sweep")

    async def sweep_once(self) -> dict[tuple[str, str], int]:
        """Returns the stuck counts per (channel, state), also exported as a gauge."""
        now = self.clock()
        async with self.db().acquire() as conn:
            redriven = await letters.redrive_ebox_work_without_due_time(conn, self.schema, now)
            if redriven:
                log.warning("sweeper re-drove %d eBox letters without a due time", redriven)
            rows = await letters.open_letters_by_age(conn, self.schema, now, self.stuck_after)
            examples = await letters.stuck_examples(conn, self.schema, now, self.stuck_after)
            in_batch, batches = await letters.stuck_in_batches_without_files(conn, self.schema, now, self.stuck_after)
        self.metrics.nonterminal.clear()
        stuck: dict[tuple[str, str], int] = {}
        for r in rows:
            self.metrics.nonterminal.labels(r["channel"], r["state"], r["bucket"]).set(r["n"])
            if (r["channel"], r["state"]) in BRIDGE_OWNED:
                stuck[(r["channel"], r["state"])] = stuck.get((r["channel"], r["state"]), 0) + r["stuck"]
        stuck[("paper", states.IN_BATCH)] = in_batch
        self.metrics.stuck.clear()
        for (channel, state), n in stuck.items():
            self.metrics.stuck.labels(channel, state).set(n)
        if any(stuck.values()):
            # Letter ids only: they identify the case for an operator without personal data.
            log.warning(
                "letters older than %s still in progress: %s; e.g. %s", self.stuck_after,
                {f"{c}:{s}": n for (c, s), n in stuck.items() if n},
                ", ".join(str(letter_id) for letter_id in examples),
            )
        if in_batch:
            # Batch ids only: an operator finds the letters from there, no personal data logged.
            log.warning("%d letters are in print batches whose files are still not written %s after "
                        "closing: %s", in_batch, self.stuck_after, ", ".join(batches))
        return stuck
