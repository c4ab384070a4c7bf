"""Tenants in PostgreSQL: import a validated tenant file, read one tenant back."""

from __future__ import annotations

import asyncpg

from loket.infra.db.change_signals import announce
from loket.infra.identity import repository
from loket.infra.identity.tenants import Tenant

TENANTS = "tenants"  # the change signal of `identity.tenants`


async def import_tenants(conn: asyncpg.Connection, tenants: list[Tenant]) -> list[str]:
    """Store every tenant (unchanged ones untouched); returns the municipalities that changed.
    Every replica of every service hears of a change at commit (`TENANTS`)."""
    changed = await repository.upsert_tenants(
        conn, [(t.municipality, t.name, t.model_dump_json()) for t in tenants]
    )
    if changed:
        await announce(conn, TENANTS)
    return changed


async def all_tenants(conn: asyncpg.Connection) -> list[Tenant]:
    return [Tenant.model_validate_json(r["document"]) for r in await repository.tenant_documents(conn)]


async def tenant(conn: asyncpg.Connection, municipality: str) -> Tenant | None:
    document = await repository.tenant_document(conn, municipality)
    return Tenant.model_validate_json(document) if document else None
