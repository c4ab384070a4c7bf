"""Cancelling a letter for its sender, while nothing of it has left Loket
(`domain.cancellation` decides; the letters repository writes)."""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

import asyncpg

from loket.infra.db.outbox import Outbox
from loket.infra.identity.principal import Location, Principal
from services.ebox_bridge import status_events
from services.ebox_bridge.api import repository as api_letters
from services.ebox_bridge.api.problems import ApiProblem, not_found
from services.ebox_bridge.domain.cancellation import NotCancellable, cancellation
from services.ebox_bridge.domain.facts import LetterFacts
from services.ebox_bridge.repository import letters

REASON = "cancelled by its sender"


class LetterCancelling:
    def __init__(self, schema: str, pool: Callable[[], asyncpg.Pool], outbox: Outbox) -> None:
        self.schema, self.pool, self.outbox = schema, pool, outbox

    async def cancel(self, principal: Principal, letter_id: UUID) -> None:
        async with self.pool().acquire() as conn, conn.transaction():
            row = await letters.lock_for_cancel(conn, self.schema, letter_id)
            if row is None:
                taken = (await api_letters.known_letters(conn, self.schema, [letter_id])).get(letter_id)
                if taken is None or not principal.reaches(Location(taken["municipality"])):
                    raise not_found("letter", letter_id)
                raise ApiProblem(409, "Not cancellable yet",
                                 "the letter was accepted and is being admitted; try again in a few seconds")
            if not principal.reaches(Location(row["municipality"])):
                raise not_found("letter", letter_id)
            try:
                steps = cancellation(letter_id, row["state"], row["ebox_state"], row["paper_state"], REASON)
            except NotCancellable as exc:
                raise ApiProblem(409, "Not cancellable", str(exc)) from None
            await letters.cancel(conn, self.schema, steps)
            channels = [s.channel for s in steps if s.channel != "letter"]
            await self.outbox.append(conn, status_events.cancelled(LetterFacts.from_row(row), channels, REASON))
