"""The audit trail of personal data: every read or change by a principal of an object that holds
personal data is appended here (the table's one writer). Rows name objects by id only, so the
trail itself holds no national number, contact detail or address, and may be kept longer.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import asyncpg

from loket.infra.identity.principal import Principal
from loket.infra.identity.repository import SCHEMA
from loket.infra.retention.policy import RetentionDays, past_retention, purged_rows


@dataclass(frozen=True)
class Access:
    action: str  # e.g. "book for a citizen", "record an eBox activation"
    object_type: str  # e.g. "appointment", "visit", "loan", "letter"
    object_id: str


async def record(conn: asyncpg.Connection, principal: Principal, access: Access, client_address: str | None,
                 service: str) -> None:
    await conn.execute(
        f"""INSERT INTO {SCHEMA}.audit_log (principal, principal_kind, role, municipality, key_prefix, action,
                                            object_type, object_id, client_address, service)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)""",
        principal.name, principal.kind, principal.role.value, principal.municipality, principal.key_prefix,
        access.action, access.object_type, access.object_id, client_address, service,
    )


async def search(conn: asyncpg.Connection, since: dt.datetime, who: str | None, municipality: str | None,
                 object_id: str | None, limit: int) -> list[asyncpg.Record]:
    return await conn.fetch(
        f"""SELECT at, principal, principal_kind, role, municipality, key_prefix, action, object_type, object_id,
                   client_address, service
            FROM {SCHEMA}.audit_log
            WHERE at >= $1 AND ($2::text IS NULL OR principal = $2) AND ($3::text IS NULL OR municipality = $3)
              AND ($4::text IS NULL OR object_id = $4)
            ORDER BY at DESC, id DESC LIMIT $5""",
        since, who, municipality, object_id, limit,
    )


async def purge(conn: asyncpg.Connection, now: dt.datetime, days: RetentionDays) -> int:
    """Remove audit rows older than their municipality's `audit_days` (the operator's rows, with
    no municipality, after the platform default)."""
    return await purged_rows(
        conn,
        f"""DELETE FROM {SCHEMA}.audit_log
            WHERE {past_retention("at", "audit_log.municipality")}""",
        now, days)
