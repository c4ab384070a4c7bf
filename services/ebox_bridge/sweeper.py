"""The sweeper: nothing stays silently stuck.

Every round it counts letters in non-terminal states by age (a gauge operations can alert on),
reports letters older than the threshold in a state the bridge itself should have moved on
from, and re-drives what it can: eBox work without a due time is made due now.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

import asyncpg

from loket.infra.rounds import run_rounds
from services.ebox_bridge.metrics import BridgeMetrics

log = logging.getLogger(__name__)

# Waiting on the citizen (reading) or the print house is expected; these are not. Paper
# waits for the daily cut-off, so it counts as stuck only a day later than eBox work.
BRIDGE_OWNED = {("ebox", "pending"), ("ebox", "publishing"), ("paper", "queued_for_print")}
AGE_BUCKETS = "CASE WHEN age < interval '1 hour' THEN '<1h' WHEN age < interval '1 day' THEN '1h-1d' " \
              "WHEN age < interval '7 days' THEN '1d-7d' ELSE '>7d' END"


class Sweeper:
    def __init__(
        self, pool: asyncpg.Pool, schema: str, metrics: BridgeMetrics, *, interval_s: float,
        stuck_after_s: float, clock: Callable[[], dt.datetime],
    ) -> None:
        self.pool, self.schema, self.metrics, self.clock = pool, schema, metrics, clock
        self.interval_s, self.stuck_after = interval_s, dt.timedelta(seconds=stuck_after_s)

    async def run(self) -> None:
        async def round_() -> bool:
            await self.sweep_once()
            return False  # a sweep looks at everything; the next one is due after the interval

        await run_rounds(round_, self.interval_s, "sweep")

    async def sweep_once(self) -> dict[tuple[str, str], int]:
        """Returns the stuck counts per (channel, state), also exported as a gauge."""
        now = self.clock()
        async with self.pool.acquire() as conn:
            redriven = await conn.execute(
                f"UPDATE {self.schema}.letters SET ebox_due_at = $1 "
                "WHERE ebox_state IN ('pending', 'publishing') AND ebox_due_at IS NULL", now,
            )
            if redriven != "UPDATE 0":
                log.warning("sweeper re-drove eBox letters without a due time: %s", redriven)
            rows = await conn.fetch(
                f"""SELECT channel, state, {AGE_BUCKETS} AS bucket, count(*) AS n,
                           count(*) FILTER (WHERE age > $2 + CASE WHEN channel = 'paper' THEN interval '1 day' ELSE interval '0' END) AS stuck
                    FROM (SELECT 'ebox' AS channel, ebox_state AS state, $1::timestamptz - received_at AS age
                            FROM {self.schema}.letters
                           WHERE ebox_state IN ('pending', 'publishing', 'delivered_to_ebox')
                          UNION ALL
                          SELECT 'paper', paper_state, $1::timestamptz - received_at
                            FROM {self.schema}.letters
                           WHERE paper_state IN ('queued_for_print', 'in_batch', 'printed')) AS open
                    GROUP BY 1, 2, 3""",
                now, self.stuck_after,
            )
            examples = await conn.fetch(
                f"""SELECT letter_id, ebox_state, paper_state FROM {self.schema}.letters
                    WHERE (ebox_state IN ('pending', 'publishing') AND received_at < $1::timestamptz - $2::interval)
                       OR (paper_state = 'queued_for_print' AND received_at < $1::timestamptz - $2::interval - interval '1 day')
                    ORDER BY received_at LIMIT 10""",
                now, self.stuck_after,
            )
        self.metrics.nonterminal.clear()
        stuck: dict[tuple[str, str], int] = {}
        for r in rows:
            self.metrics.nonterminal.labels(r["channel"], r["state"], r["bucket"]).set(r["n"])
            if (r["channel"], r["state"]) in BRIDGE_OWNED:
                stuck[(r["channel"], r["state"])] = stuck.get((r["channel"], r["state"]), 0) + r["stuck"]
        self.metrics.stuck.clear()
        for (channel, state), n in stuck.items():
            self.metrics.stuck.labels(channel, state).set(n)
        if any(stuck.values()):
            # Letter ids only: they identify the case for an operator without personal data.
            log.warning(
                "letters older than %s still in progress: %s; e.g. %s", self.stuck_after,
                {f"{c}:{s}": n for (c, s), n in stuck.items() if n},
                ", ".join(str(r["letter_id"]) for r in examples),
            )
        return stuck
