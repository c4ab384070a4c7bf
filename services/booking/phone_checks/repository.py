"""`phone_checks`: the codes sent to confirm a phone number before a public booking. Only this
module writes the table."""

from __future__ import annotations

import datetime as dt
from uuid import UUID

import asyncpg

from loket.infra.contact_keys import ContactKeys
from loket.infra.db.plain_digests import key_plain_digests
from services.booking.phone_checks.codes import CONFIRMED_GOOD_FOR, StoredCheck


async def insert(conn: asyncpg.Connection, schema: str, check_id: UUID, municipality: str, phone_digest: str,
                 code_digest: str, now: dt.datetime, expires_at: dt.datetime) -> None:
    await conn.execute(
        f"INSERT INTO {schema}.phone_checks (check_id, municipality, phone_digest, code_digest, created_at, expires_at) "
        "VALUES ($1, $2, $3, $4, $5, $6)", check_id, municipality, phone_digest, code_digest, now, expires_at)


async def codes_since(conn: asyncpg.Connection, schema: str, phone_digest: str, since: dt.datetime) -> int:
    return int(await conn.fetchval(
        f"SELECT count(*) FROM {schema}.phone_checks WHERE phone_digest = $1 AND created_at > $2", phone_digest, since))


async def locked(conn: asyncpg.Connection, schema: str, check_id: UUID) -> StoredCheck | None:
    """The check, locked: two tries typed at once must both count."""
    row = await conn.fetchrow(
        f"SELECT check_id, phone_digest, code_digest, wrong_tries, expires_at, confirmed_at, used_at "
        f"FROM {schema}.phone_checks WHERE check_id = $1 FOR UPDATE", check_id)
    return StoredCheck(**dict(row)) if row else None


async def count_wrong_try(conn: asyncpg.Connection, schema: str, check_id: UUID) -> None:
    await conn.execute(f"UPDATE {schema}.phone_checks SET wrong_tries = wrong_tries + 1 WHERE check_id = $1", check_id)


async def confirm(conn: asyncpg.Connection, schema: str, check_id: UUID, now: dt.datetime) -> None:
    await conn.execute(f"UPDATE {schema}.phone_checks SET confirmed_at = $2 WHERE check_id = $1 "
                       "AND confirmed_at IS NULL", check_id, now)


async def use(conn: asyncpg.Connection, schema: str, check_id: UUID, phone_digest: str, now: dt.datetime) -> bool:
    """Spend a confirmed check on one booking; False when it is not confirmed, used or stale."""
    return await conn.fetchval(
        f"UPDATE {schema}.phone_checks SET used_at = $3 WHERE check_id = $1 AND phone_digest = $2 "
        "AND confirmed_at IS NOT NULL AND confirmed_at > $3::timestamptz - $4::interval AND used_at IS NULL "
        "RETURNING true",
        check_id, phone_digest, now, CONFIRMED_GOOD_FOR) is True


async def erase_older_than(conn: asyncpg.Connection, schema: str, before: dt.datetime) -> int:
    status = await conn.execute(f"DELETE FROM {schema}.phone_checks WHERE created_at < $1", before)
    return int(status.split()[-1])


async def key_plain_phone_digests(conn: asyncpg.Connection, schema: str, keys: ContactKeys) -> int:
    """Key the number digests stored before keys had a secret; return how many checks changed."""
    return await key_plain_digests(conn, f"{schema}.phone_checks", "phone_digest", keys)
