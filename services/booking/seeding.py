"""Loading assistance points, helpers and shifts into booking's schema: one path for
`loket seed`, the demo, the booking benchmark and the tests."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import asyncpg

from loket.infra.db.schema import migrate_service_schema
from services.booking.app import NAME, service_spec
from services.booking.points.model import AssistancePoint
from services.booking.points.repository import upsert_points
from services.booking.points.seed import DEFAULT_SEED, load_points
from services.booking.staff.model import Helper, Shift
from services.booking.staff.repository import upsert_staff
from services.booking.staff.seed import DEFAULT_STAFF_SEED, load_staff


@dataclass(frozen=True)
class Seed:
    points: list[AssistancePoint]
    helpers: list[Helper]
    shifts: list[Shift]


def read_seed(points_file: Path = DEFAULT_SEED, staff_file: Path = DEFAULT_STAFF_SEED) -> Seed:
    """Validated seed files (SeedError lists every problem)."""
    points = load_points(points_file)
    helpers, shifts = load_staff(staff_file, {p.point_id for p in points})
    return Seed(points, helpers, shifts)


async def store_seed(conn: asyncpg.Connection, seed: Seed) -> tuple[int, int]:
    """Migrate, then upsert points and staff in one transaction; returns (points, helpers) changed."""
    await migrate_service_schema(conn, NAME, service_spec().migrations)
    async with conn.transaction():
        return (await upsert_points(conn, NAME, seed.points),
                await upsert_staff(conn, NAME, seed.helpers, seed.shifts))
