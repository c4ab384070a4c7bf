"""`ebox_status_cache`: whether a citizen has an activated eBox, from the batched preference
look-ups, so a citizen with many letters is looked up once per TTL. An assisted activation
forgets the citizen's row, so their next letter asks the eBox again."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import asyncpg


async def cached(
    conn: asyncpg.Connection, schema: str, ssins: list[str], ttl_s: float, now: dt.datetime
) -> dict[str, bool]:
    """ssin → digital, for the citizens checked within the TTL."""
    rows = await conn.fetch(
        f"SELECT ssin, digital FROM {schema}.ebox_status_cache "
        "WHERE ssin = ANY($1::text[]) AND checked_at > $2",
        ssins, now - dt.timedelta(seconds=ttl_s),
    )
    return {r["ssin"]: r["digital"] for r in rows}


async def store(
    conn: asyncpg.Connection, schema: str, status: Mapping[str, tuple[bool, bool]], now: dt.datetime
) -> None:
    """ssin → (digital, exclusively_ebox)."""
    if not status:
        return
    await conn.execute(
        f"""INSERT INTO {schema}.ebox_status_cache (ssin, digital, exclusively_ebox, checked_at)
            SELECT s, d, x, $4 FROM unnest($1::text[], $2::bool[], $3::bool[]) AS t(s, d, x)
            ON CONFLICT (ssin) DO UPDATE
               SET digital = excluded.digital, exclusively_ebox = excluded.exclusively_ebox,
                   checked_at = excluded.checked_at""",
        list(status), [v[0] for v in status.values()], [v[1] for v in status.values()], now,
    )


async def forget(conn: asyncpg.Connection, schema: str, ssin: str) -> None:
    await conn.execute(f"DELETE FROM {schema}.ebox_status_cache WHERE ssin = $1", ssin)


async def forget_older_than(conn: asyncpg.Connection, schema: str, before: dt.datetime) -> int:
    """Rows past their TTL are never read again; they only keep a national number."""
    status = await conn.execute(f"DELETE FROM {schema}.ebox_status_cache WHERE checked_at < $1", before)
    return int(status.split()[-1])


async def of_citizen(conn: asyncpg.Connection, schema: str, ssin: str) -> dict[str, object] | None:
    row = await conn.fetchrow(
        f"SELECT digital, exclusively_ebox, checked_at FROM {schema}.ebox_status_cache WHERE ssin = $1", ssin)
    return dict(row) if row else None
