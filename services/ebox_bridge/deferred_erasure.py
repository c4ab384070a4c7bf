"""Letters in flight at an erasure request are erased the moment they settle.

The erasure handler marks every letter of the citizen with the request; this round finds those
that have settled since (delivered and read-polled, posted, returned, failed, cancelled), blanks
their PDF, number, address and contact, and announces each with `LetterRecipientErased` (so
notify blanks the contact of its messages about it) in the same transaction. Rows are claimed
with SKIP LOCKED: with several replicas each letter is erased and announced once.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

import asyncpg

from loket.infra.db.outbox import Outbox
from loket.infra.rounds import run_rounds
from services.ebox_bridge import status_events
from services.ebox_bridge.repository import erasure_requests, letters

log = logging.getLogger(__name__)


class DeferredErasure:
    def __init__(self, db: Callable[[], asyncpg.Pool], schema: str, outbox: Outbox, *, interval_s: float,
                 batch_size: int, clock: Callable[[], dt.datetime]) -> None:
        # `db` resolves on use: the service's pool opens after its objects are built.
        self.db, self.schema, self.outbox, self.clock = db, schema, outbox, clock
        self.interval_s, self.batch_size = interval_s, batch_size

    async def run(self) -> None:
        async def round_() -> bool:
            return await self.erase_settled() == self.batch_size

        await run_rounds(round_, self.interval_s, "deferred erasure")

    async def erase_settled(self) -> int:
        """Erase one batch of settled letters awaiting their request; how many."""
        async with self.db().acquire() as conn, conn.transaction():
            erased = await letters.erase_settled_of_requests(conn, self.schema, self.batch_size)
            if not erased:
                return 0
            causes = await erasure_requests.causes(conn, self.schema, sorted({e for _, _, e in erased}))
            now = self.clock()
            await self.outbox.append(conn, *(
                status_events.recipient_erased(letter_id, municipality, erasure_id, causes[erasure_id], now)
                for letter_id, municipality, erasure_id in erased))
        # Letter ids and counts only: the number is gone, and the log never had it.
        log.info("erased %d letters that settled after their erasure request", len(erased))
        return len(erased)
