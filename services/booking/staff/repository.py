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


async def save_helper(conn: asyncpg.Connection, schema: str, helper: Helper) -> None:
    """A helper's profile edited in the app (certificate, languages, services); their shifts stay."""
    status = await conn.execute(
        f"UPDATE {schema}.helpers SET document = $2, updated_at = now() WHERE helper_id = $1",
        helper.helper_id, helper.model_dump_json())
    if status.endswith(" 1"):
        await announce(conn, POINTS, EVERYTHING)  # the helper may work at several points


async def staff_of_point(conn: asyncpg.Connection, schema: str, point_id: str) -> tuple[list[Helper], list[Shift]]:
    """The point's rota: the seeded shifts and the volunteers' approved sign-ups (migration 0012),
    each a one-off shift on its date."""
    rows = await conn.fetch(
        f"""SELECT s.document AS shift, h.document AS helper FROM {schema}.shifts s
            JOIN {schema}.helpers h USING (helper_id) WHERE s.point_id = $1""", point_id)
    signed_up = await conn.fetch(
        f"""SELECT s.signup_id, s.helper_id, o.on_date, o.starts, o.ends, h.document AS helper
            FROM {schema}.shift_signups s JOIN {schema}.open_shifts o USING (open_shift_id)
            JOIN {schema}.helpers h USING (helper_id)
            WHERE o.point_id = $1 AND s.status = 'approved' AND o.withdrawn_at IS NULL""", point_id)
    documents = {r["helper"] for r in rows} | {r["helper"] for r in signed_up}
    helpers = {h.helper_id: h for h in (Helper.model_validate_json(doc) for doc in documents)}
    shifts = [Shift.model_validate_json(r["shift"]) for r in rows]
    shifts += [Shift(shift_id=f"signup-{r['signup_id'].hex}", helper_id=r["helper_id"], point_id=point_id,
                     on_date=r["on_date"], starts=r["starts"], ends=r["ends"]) for r in signed_up]
    return [helpers[k] for k in sorted(helpers)], shifts
