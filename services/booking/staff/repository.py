"""Helpers and shifts in PostgreSQL (schema `booking`)."""

from __future__ import annotations

import asyncpg

from loket.infra.db.change_signals import EVERYTHING, announce
from services.booking.points.repository import POINTS
from services.booking.staff.model import Helper, Shift


async def upsert_staff(conn: asyncpg.Connection, schema: str, helpers: list[Helper], shifts: list[Shift]) -> int:
    """Insert or update helpers and replace the shifts of the helpers given; returns how many
    helper rows changed."""
    status = await conn.execute(
        f"""INSERT INTO {schema}.helpers (helper_id, document)
            SELECT * FROM unnest($1::text[], $2::text[])
            ON CONFLICT (helper_id) DO UPDATE SET document = excluded.document, updated_at = now()
            WHERE helpers.document IS DISTINCT FROM excluded.document""",
        [h.helper_id for h in helpers], [h.model_dump_json() for h in helpers])
    await conn.execute(f"DELETE FROM {schema}.shifts WHERE helper_id = ANY($1::text[])", [h.helper_id for h in helpers])
    await conn.execute(
        f"""INSERT INTO {schema}.shifts (shift_id, helper_id, point_id, document)
            SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])""",
        [s.shift_id for s in shifts], [s.helper_id for s in shifts], [s.point_id for s in shifts],
        [s.model_dump_json() for s in shifts])
    await announce(conn, POINTS, EVERYTHING)  # shifts were replaced: every point's rota may differ
    return int(status.split()[-1])


async def staff_of_point(conn: asyncpg.Connection, schema: str, point_id: str) -> tuple[list[Helper], list[Shift]]:
    rows = await conn.fetch(
        f"""SELECT s.document AS shift, h.document AS helper FROM {schema}.shifts s
            JOIN {schema}.helpers h USING (helper_id) WHERE s.point_id = $1""", point_id)
    helpers = {h.helper_id: h for h in (Helper.model_validate_json(doc) for doc in {r["helper"] for r in rows})}
    return [helpers[k] for k in sorted(helpers)], [Shift.model_validate_json(r["shift"]) for r in rows]
