"""`print_batches`: one row per daily cut-off (unique), when its files were written and when
retention removed them from the spool. The only module that writes the table."""

from __future__ import annotations

import datetime as dt

import asyncpg

from loket.infra.retention.policy import DAYS_FOR, RetentionDays
from services.ebox_bridge.domain import states


async def lock_closing(conn: asyncpg.Connection, schema: str) -> None:
    """Serialises concurrent closers (two replicas) until the caller's transaction ends."""
    await conn.execute("SELECT pg_advisory_xact_lock(hashtext($1))", f"{schema}:print")


async def try_lock_writing(conn: asyncpg.Connection, schema: str, batch_id: str) -> bool:
    """One writer per batch's files (replicas, the `loket print close` command): a session lock
    the caller holds on this connection while it writes; False when another writer holds it."""
    return bool(await conn.fetchval("SELECT pg_try_advisory_lock(hashtext($1))", f"{schema}:print-files:{batch_id}"))


async def lock_writing(conn: asyncpg.Connection, schema: str, batch_id: str, *, timeout_s: float) -> None:
    """The same lock, waiting up to `timeout_s` for the other writer to finish (its own bound, not
    the pool's per-statement timeout: writing a large batch takes longer than a statement may)."""
    await conn.execute("SELECT pg_advisory_lock(hashtext($1))", f"{schema}:print-files:{batch_id}", timeout=timeout_s)


async def unlock_writing(conn: asyncpg.Connection, schema: str, batch_id: str) -> None:
    await conn.execute("SELECT pg_advisory_unlock(hashtext($1))", f"{schema}:print-files:{batch_id}")


async def files_written(conn: asyncpg.Connection, schema: str, batch_id: str) -> bool:
    return bool(await conn.fetchval(
        f"SELECT files_written_at IS NOT NULL FROM {schema}.print_batches WHERE batch_id = $1", batch_id))


async def exists(conn: asyncpg.Connection, schema: str, cutoff_at: dt.datetime, batch_id: str) -> bool:
    """The same cut-off, or a manual close within the same second (same batch id)."""
    return bool(await conn.fetchval(
        f"SELECT 1 FROM {schema}.print_batches WHERE cutoff_at = $1 OR batch_id = $2", cutoff_at, batch_id,
    ))


async def insert(
    conn: asyncpg.Connection, schema: str, batch_id: str, cutoff_at: dt.datetime, letter_count: int, page_count: int
) -> None:
    await conn.execute(
        f"INSERT INTO {schema}.print_batches (batch_id, cutoff_at, letter_count, page_count) "
        "VALUES ($1, $2, $3, $4)",
        batch_id, cutoff_at, letter_count, page_count,
    )


async def remove_letters(conn: asyncpg.Connection, schema: str, batch_id: str, letters: int, pages: int) -> None:
    """Letters quarantined from the batch no longer count towards it."""
    await conn.execute(
        f"UPDATE {schema}.print_batches SET letter_count = letter_count - $2, page_count = page_count - $3 "
        "WHERE batch_id = $1",
        batch_id, letters, pages,
    )


async def without_files(conn: asyncpg.Connection, schema: str) -> list[str]:
    rows = await conn.fetch(
        f"SELECT batch_id FROM {schema}.print_batches WHERE files_written_at IS NULL ORDER BY cutoff_at"
    )
    return [r["batch_id"] for r in rows]


async def cutoff_of(conn: asyncpg.Connection, schema: str, batch_id: str) -> dt.datetime:
    return await conn.fetchval(f"SELECT cutoff_at FROM {schema}.print_batches WHERE batch_id = $1", batch_id)


async def mark_files_written(conn: asyncpg.Connection, schema: str, batch_id: str, manifest_sha256: str) -> None:
    await conn.execute(
        f"UPDATE {schema}.print_batches SET files_written_at = clock_timestamp(), "
        "manifest_sha256 = $2 WHERE batch_id = $1",
        batch_id, manifest_sha256,
    )


async def latest_with_progress(conn: asyncpg.Connection, schema: str, limit: int) -> list[asyncpg.Record]:
    """The latest batches with how many of their letters the print house reported at each step."""
    return await conn.fetch(
        f"""SELECT b.*, count(*) FILTER (WHERE l.paper_state = '{states.PRINTED}') AS printed,
                   count(*) FILTER (WHERE l.paper_state = '{states.POSTED}') AS posted,
                   count(*) FILTER (WHERE l.paper_state = '{states.RETURNED}') AS returned
            FROM {schema}.print_batches b LEFT JOIN {schema}.letters l ON l.batch_id = b.batch_id
            GROUP BY b.batch_id ORDER BY b.cutoff_at DESC LIMIT $1""",
        limit,
    )


async def visible_batches(
    conn: asyncpg.Connection, schema: str, municipality: str | None, *, batch_id: str | None = None, limit: int = 50,
) -> list[asyncpg.Record]:
    """The latest batches (or the one `batch_id`) with their progress, of which every letter is
    `municipality`'s (None: every batch). A batch takes every municipality's letters queued by its
    cut-off, so a municipality's print house sees only the batches that are wholly its own (a
    batch with no letter left is no one's)."""
    return await conn.fetch(
        f"""SELECT b.*, count(l.letter_id) FILTER (WHERE l.paper_state = '{states.IN_BATCH}') AS in_batch,
                   count(l.letter_id) FILTER (WHERE l.paper_state = '{states.PRINTED}') AS printed,
                   count(l.letter_id) FILTER (WHERE l.paper_state = '{states.POSTED}') AS posted,
                   count(l.letter_id) FILTER (WHERE l.paper_state = '{states.RETURNED}') AS returned,
                   count(l.letter_id) FILTER (WHERE l.paper_state = '{states.FAILED}') AS failed
            FROM {schema}.print_batches b LEFT JOIN {schema}.letters l ON l.batch_id = b.batch_id
            WHERE $2::text IS NULL OR b.batch_id = $2
            GROUP BY b.batch_id
            HAVING $1::text IS NULL OR (count(l.letter_id) > 0 AND bool_and(l.municipality = $1))
            ORDER BY b.cutoff_at DESC LIMIT $3""",
        municipality, batch_id, limit,
    )


async def files_expired(conn: asyncpg.Connection, schema: str, now: dt.datetime, days: RetentionDays) -> list[str]:
    """Batches whose spool folder may go: files written and not yet purged, every letter in the
    batch settled on paper (posted, returned, failed: nothing left for the print house to do), and
    the batch closed more than `days` ago, where a batch mixing municipalities waits for the
    longest of their periods. A batch without any letter row is left alone (nothing says whose)."""
    codes, per_code, default = days.sql_args()
    rows = await conn.fetch(
        f"""SELECT b.batch_id
              FROM {schema}.print_batches b
             CROSS JOIN LATERAL (
                   SELECT count(*) AS letters,
                          count(*) FILTER (WHERE NOT coalesce(l.paper_state = ANY($5::text[]), false)) AS unsettled,
                          max({DAYS_FOR.format(municipality="l.municipality")}) AS days
                     FROM {schema}.letters l WHERE l.batch_id = b.batch_id) s
             WHERE b.files_written_at IS NOT NULL AND b.files_purged_at IS NULL
               AND s.letters > 0 AND s.unsettled = 0
               AND b.closed_at < $1::timestamptz - make_interval(days => s.days)
             ORDER BY b.closed_at""",
        now, codes, per_code, default, sorted(states.PAPER_TERMINAL),
    )
    return [r["batch_id"] for r in rows]


async def mark_files_purged(conn: asyncpg.Connection, schema: str, batch_ids: list[str], at: dt.datetime) -> int:
    """Record that these batches' folders are gone, so the desk and the print-house API answer
    "removed after retention" rather than "not found"; a batch marked before keeps its date."""
    if not batch_ids:
        return 0
    status = await conn.execute(
        f"UPDATE {schema}.print_batches SET files_purged_at = $2 "
        "WHERE batch_id = ANY($1::text[]) AND files_purged_at IS NULL",
        batch_ids, at,
    )
    return int(status.split()[-1])
