"""Where a booking object belongs (municipality and point), for the scope check every staff
endpoint makes before it touches the object. Read-only: the tables' owners write them."""

from __future__ import annotations

import uuid

import asyncpg

from loket.infra.identity.principal import Location

# What a scope names → how to find its point. Points never change municipality and objects never
# change point, so a found point's municipality may be remembered for the process's life.
_POINT_OF = {
    "appointment": "SELECT point_id FROM {schema}.appointments WHERE appointment_id = $1",
    "loan": "SELECT point_id FROM {schema}.loans WHERE loan_id = $1",
    "visit": "SELECT point_id FROM {schema}.visits WHERE visit_id = $1",
    "device": "SELECT point_id FROM {schema}.devices WHERE device_id = $1",
    "seat booking": "SELECT point_id FROM {schema}.seat_bookings WHERE booking_id = $1",
    "workshop": "SELECT point_id FROM {schema}.workshops WHERE workshop_id = $1",
    "workshop registration": """SELECT w.point_id FROM {schema}.workshop_registrations r
                                JOIN {schema}.workshops w USING (workshop_id) WHERE r.registration_id = $1""",
}
_UUID_KEYED = {"appointment", "loan", "visit", "seat booking", "workshop", "workshop registration"}
KINDS = ("assistance point", *_POINT_OF)


class Locator:
    def __init__(self, schema: str) -> None:
        self.schema = schema
        self._point_of = {what: sql.format(schema=schema) for what, sql in _POINT_OF.items()}
        self._municipalities: dict[str, str] = {}

    def known(self, what: str, object_id: str) -> Location | None:
        """A point's location without a database round trip, once it has been looked up."""
        if what == "assistance point" and (municipality := self._municipalities.get(object_id)) is not None:
            return Location(municipality, object_id)
        return None

    async def locate(self, conn: asyncpg.Connection, what: str, object_id: str) -> Location | None:
        """None: no such object (or an id that cannot name one)."""
        if what == "assistance point":
            point_id: str | None = object_id
        else:
            key: object = object_id
            if what in _UUID_KEYED:
                try:
                    key = uuid.UUID(object_id)
                except ValueError:
                    return None
            point_id = await conn.fetchval(self._point_of[what], key)
            if point_id is None:
                return None
        municipality = await self._municipality(conn, point_id)
        return Location(municipality, point_id) if municipality else None

    async def _municipality(self, conn: asyncpg.Connection, point_id: str) -> str | None:
        if (known := self._municipalities.get(point_id)) is not None:
            return known
        found = await conn.fetchval(
            f"SELECT municipality FROM {self.schema}.assistance_points WHERE point_id = $1", point_id)
        if found is not None and len(self._municipalities) < 100_000:
            self._municipalities[point_id] = found
        return found
