"""The API's own tables: `api_letters` (letters taken over HTTP, with the sender's reference)
and `api_idempotency_keys` (the stored answer per municipality and Idempotency-Key). Every
statement on them is here."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from uuid import UUID

import asyncpg

_KEY_LOCK_SALT = 0x1D3  # keeps these advisory locks apart from the outbox's


async def lock_key(conn: asyncpg.Connection, municipality: str, key: str) -> None:
    """Serialise requests under one key until the caller's transaction ends: the second waits
    for the first's answer instead of doing the work again."""
    await conn.execute("SELECT pg_advisory_xact_lock(hashtextextended($1, $2))", f"{municipality}\n{key}",
                       _KEY_LOCK_SALT)


async def stored_answer(conn: asyncpg.Connection, schema: str, municipality: str,
                        key: str) -> tuple[str, int, Any] | None:
    """(request_sha256, status, body) stored for the key, if any."""
    row = await conn.fetchrow(
        f"SELECT request_sha256, status, response FROM {schema}.api_idempotency_keys "
        "WHERE municipality = $1 AND idempotency_key = $2", municipality, key,
    )
    return (row["request_sha256"], row["status"], json.loads(row["response"])) if row else None


async def store_answer(conn: asyncpg.Connection, schema: str, municipality: str, key: str,
                       request_sha256: str, status: int, body: Any) -> None:
    await conn.execute(
        f"INSERT INTO {schema}.api_idempotency_keys (municipality, idempotency_key, request_sha256, status, response) "
        "VALUES ($1, $2, $3, $4, $5::jsonb)", municipality, key, request_sha256, status, json.dumps(body),
    )


async def forget_answers_before(conn: asyncpg.Connection, schema: str, before: dt.datetime) -> int:
    """Retention: an Idempotency-Key protects a client's retries, which come within minutes, so
    its stored answer (which may name letters and their references) is kept a day, not forever.
    A key older than that counts as new."""
    status = await conn.execute(f"DELETE FROM {schema}.api_idempotency_keys WHERE created_at < $1", before)
    return int(status.split()[-1])


async def record_letters(conn: asyncpg.Connection, schema: str,
                         rows: list[tuple[UUID, str, str | None, str]]) -> set[UUID]:
    """(letter_id, municipality, sender_reference, content_sha256) of newly accepted letters;
    returns the ids this call inserted (another transaction may have taken one meanwhile)."""
    if not rows:
        return set()
    inserted = await conn.fetch(
        f"""INSERT INTO {schema}.api_letters (letter_id, municipality, sender_reference, content_sha256)
            SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[])
            ON CONFLICT (letter_id) DO NOTHING RETURNING letter_id""",
        *[list(column) for column in zip(*rows, strict=True)],
    )
    return {r["letter_id"] for r in inserted}


async def known_letters(conn: asyncpg.Connection, schema: str, letter_ids: list[UUID]) -> dict[UUID, asyncpg.Record]:
    rows = await conn.fetch(
        f"SELECT letter_id, municipality, sender_reference, content_sha256, accepted_at FROM {schema}.api_letters "
        "WHERE letter_id = ANY($1::uuid[])", letter_ids,
    )
    return {r["letter_id"]: r for r in rows}


async def letters_with_reference(conn: asyncpg.Connection, schema: str, municipality: str | None,
                                 sender_reference: str) -> list[UUID]:
    """The letters a sender gave this reference (`municipality` None: any municipality's)."""
    rows = await conn.fetch(
        f"SELECT letter_id FROM {schema}.api_letters WHERE ($1::text IS NULL OR municipality = $1) "
        "AND sender_reference = $2",
        municipality, sender_reference,
    )
    return [r["letter_id"] for r in rows]
