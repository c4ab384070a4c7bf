"""Every SQL statement on the identity schema's tables (its one writer)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import asyncpg

from loket.infra.db.change_signals import announce

SCHEMA = "identity"
API_KEYS = "api_keys"  # the change signal of `identity.api_keys`, keyed by prefix


@dataclass(frozen=True)
class StoredKey:
    prefix: str
    secret_sha256: str
    name: str
    municipality: str | None
    role: str
    points: tuple[str, ...]
    created_at: dt.datetime
    created_by: str
    expires_at: dt.datetime | None
    revoked_at: dt.datetime | None
    last_used_at: dt.datetime | None

    @classmethod
    def from_row(cls, row: asyncpg.Record) -> StoredKey:
        return cls(**{**dict(row), "points": tuple(row["points"])})


_KEY_COLUMNS = ("prefix, secret_sha256, name, municipality, role, points, created_at, created_by, "
                "expires_at, revoked_at, last_used_at")


async def insert_key(conn: asyncpg.Connection, prefix: str, secret_sha256: str, name: str,
                     municipality: str | None, role: str, points: list[str], created_by: str,
                     expires_at: dt.datetime | None) -> None:
    await conn.execute(
        f"""INSERT INTO {SCHEMA}.api_keys (prefix, secret_sha256, name, municipality, role, points,
                                           created_by, expires_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8)""",
        prefix, secret_sha256, name, municipality, role, points, created_by, expires_at,
    )
    await announce(conn, API_KEYS, prefix)  # a replica may have cached "no such key" for it


async def key_by_prefix(conn: asyncpg.Connection, prefix: str) -> StoredKey | None:
    row = await conn.fetchrow(f"SELECT {_KEY_COLUMNS} FROM {SCHEMA}.api_keys WHERE prefix = $1", prefix)
    return StoredKey.from_row(row) if row else None


async def list_keys(conn: asyncpg.Connection, municipality: str | None) -> list[StoredKey]:
    rows = await conn.fetch(
        f"""SELECT {_KEY_COLUMNS} FROM {SCHEMA}.api_keys
            WHERE $1::text IS NULL OR municipality = $1 ORDER BY municipality NULLS FIRST, created_at""",
        municipality,
    )
    return [StoredKey.from_row(r) for r in rows]


async def revoke_key(conn: asyncpg.Connection, prefix: str, at: dt.datetime) -> bool:
    status = await conn.execute(
        f"UPDATE {SCHEMA}.api_keys SET revoked_at = $2 WHERE prefix = $1 AND revoked_at IS NULL", prefix, at,
    )
    if status.endswith(" 1"):  # every replica stops accepting it at commit, not after its cache's seconds
        await announce(conn, API_KEYS, prefix)
        return True
    return False


async def touch_key(conn: asyncpg.Connection, prefix: str, at: dt.datetime, every: dt.timedelta) -> None:
    """Record use, at most once per `every`: a write per request would cost more than the request."""
    await conn.execute(
        f"""UPDATE {SCHEMA}.api_keys SET last_used_at = $2
            WHERE prefix = $1 AND (last_used_at IS NULL OR last_used_at < $2::timestamptz - $3::interval)""",
        prefix, at, every,
    )


async def upsert_tenants(conn: asyncpg.Connection, tenants: list[tuple[str, str, str]]) -> list[str]:
    """(municipality, name, document JSON) → the municipalities whose row changed."""
    rows = await conn.fetch(
        f"""INSERT INTO {SCHEMA}.tenants (municipality, name, document)
            SELECT m, n, d::jsonb FROM unnest($1::text[], $2::text[], $3::text[]) AS t(m, n, d)
            ON CONFLICT (municipality) DO UPDATE
               SET name = excluded.name, document = excluded.document, updated_at = clock_timestamp()
               WHERE {SCHEMA}.tenants.document IS DISTINCT FROM excluded.document
            RETURNING municipality""",
        [t[0] for t in tenants], [t[1] for t in tenants], [t[2] for t in tenants],
    )
    return [r["municipality"] for r in rows]


async def tenant_documents(conn: asyncpg.Connection) -> list[asyncpg.Record]:
    return await conn.fetch(f"SELECT municipality, name, document::text AS document, updated_at "
                            f"FROM {SCHEMA}.tenants ORDER BY municipality")


async def tenant_document(conn: asyncpg.Connection, municipality: str) -> str | None:
    return await conn.fetchval(f"SELECT document::text FROM {SCHEMA}.tenants WHERE municipality = $1",
                               municipality)


async def tenants_version(conn: asyncpg.Connection) -> tuple[int, object]:
    """Changes whenever a tenant is added or changed: (count, latest change)."""
    row = await conn.fetchrow(f"SELECT count(*) AS n, max(updated_at) AS at FROM {SCHEMA}.tenants")
    return (row["n"], row["at"])
