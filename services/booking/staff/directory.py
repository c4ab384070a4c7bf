"""Points with their helpers and shifts, cached for a few seconds per process.

Every booking needs them and they change rarely (seeding, rota edits); reading and
validating them on every request was the booking path's largest cost. An edit counts within
`ttl_s` at the latest, at once in every replica through the change signal `points` (sent by
every write of points, helpers and shifts); a booking that slips through on stale shifts is
still refused by the database if it collides with another booking.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import asyncpg

from loket.infra.db.change_signals import EVERYTHING, ChangeSignals
from services.booking.points.model import AssistancePoint
from services.booking.points.repository import POINTS, point_by_id
from services.booking.staff.model import Helper, Shift
from services.booking.staff.repository import staff_of_point


@dataclass(frozen=True)
class Staffed:
    point: AssistancePoint
    helpers: list[Helper]
    shifts: list[Shift]


class PointDirectory:
    def __init__(self, schema: str, ttl_s: float = 10.0, changes: ChangeSignals | None = None) -> None:
        self.schema, self.ttl_s = schema, ttl_s
        self._cache: dict[str, tuple[float, Staffed | None]] = {}
        if changes is not None:
            changes.on(POINTS, self.forget)

    async def get(self, conn: asyncpg.Connection, point_id: str) -> Staffed | None:
        now = time.monotonic()
        cached = self._cache.get(point_id)
        if cached is not None and now - cached[0] < self.ttl_s:
            return cached[1]
        point = await point_by_id(conn, self.schema, point_id)
        staffed = None
        if point is not None:
            helpers, shifts = await staff_of_point(conn, self.schema, point_id)
            staffed = Staffed(point, helpers, shifts)
        if len(self._cache) > 10_000:  # unknown ids from the internet must not grow it forever
            self._cache.clear()
        self._cache[point_id] = (now, staffed)
        return staffed

    def forget(self, point_id: str) -> None:
        """After an edit (here or in another replica): the next request reads the point again."""
        if point_id == EVERYTHING:
            self._cache.clear()
        else:
            self._cache.pop(point_id, None)
