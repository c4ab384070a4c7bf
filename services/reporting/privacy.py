"""What reporting holds about one citizen: only rows keyed by their pseudonym (HMAC of the
national number with the reporting secret), counted per table; no row holds the number."""

from __future__ import annotations

import asyncpg

# The projection tables that carry a citizen pseudonym (`citizen` column).
CITIZEN_TABLES = ("letters", "activations")


async def rows_of_citizen(conn: asyncpg.Connection, schema: str, pseudonym: str) -> dict[str, int]:
    return {table: int(await conn.fetchval(f"SELECT count(*) FROM {schema}.{table} WHERE citizen = $1", pseudonym))
            for table in CITIZEN_TABLES}
