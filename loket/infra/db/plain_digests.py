"""Finding and replacing contact digests stored before they were keyed with a secret.

Before `loket.infra.contact_keys`, notify and booking stored a contact's plain SHA-256 (64 hex
characters); a keyed value carries `KEYED_PREFIX` and never matches. Each table's owning
repository calls these on its own table at start-up, in its transaction, so what a plain digest
looks like and how one is swapped for its keyed form is written once.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

import asyncpg

from loket.infra.contact_keys import ContactKeys
from loket.infra.runtime import Runtime

log = logging.getLogger(__name__)

# One table owner's keying: it keys its rows in the caller's transaction and returns how many changed.
Keyer = Callable[[asyncpg.Connection], Awaitable[int]]


def is_plain_digest(column: str) -> str:
    """SQL condition: `column` holds a plain SHA-256 hex digest."""
    return f"{column} ~ '^[0-9a-f]{{64}}$'"


async def plain_digests(conn: asyncpg.Connection, table: str, column: str) -> list[str]:
    """The distinct plain digests in `table`.`column` (table schema-qualified)."""
    return [r[column] for r in await conn.fetch(
        f"SELECT DISTINCT {column} FROM {table} WHERE {is_plain_digest(column)}")]


async def replace_digests(conn: asyncpg.Connection, table: str, column: str, plain: list[str],
                          keyed: list[str]) -> int:
    """Set `column` from each plain digest to its keyed form (`keyed[i]` for `plain[i]`); return
    the rows changed."""
    if not plain:
        return 0
    status = await conn.execute(
        f"UPDATE {table} AS t SET {column} = k.keyed FROM unnest($1::text[], $2::text[]) AS k(plain, keyed) "
        f"WHERE t.{column} = k.plain", plain, keyed)
    return int(status.split()[-1])


async def key_plain_digests(conn: asyncpg.Connection, table: str, column: str, keys: ContactKeys) -> int:
    """Key every plain digest of `table`.`column`; return the rows changed."""
    plain = await plain_digests(conn, table, column)
    return await replace_digests(conn, table, column, plain, [keys.keyed_from_digest(p) for p in plain])


def keying_at_start(service: str, *keyers: Keyer) -> Callable[[Runtime], Awaitable[None]]:
    """The service's start step (`ServiceSpec.on_start`) that runs its tables' keyers in one
    transaction, so an advisory lock a keyer takes lets one replica at a time through until all
    are done, and logs how many rows were keyed."""

    async def key_plain_contact_digests(runtime: Runtime) -> None:
        async with runtime.db().acquire() as conn, conn.transaction():
            keyed = 0
            for keyer in keyers:
                keyed += await keyer(conn)
        if keyed:
            log.info("%s: %d stored contact hashes keyed with the contact key secret", service, keyed)

    return key_plain_contact_digests
