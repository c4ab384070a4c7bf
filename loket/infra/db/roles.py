"""Least privilege in PostgreSQL: one login role per service, allowed only its own schema and
exactly what it does on the platform's `identity` schema.

Applied by the owner (the role that runs migrations) after the migrations, on every `loket up`
and `loket migrate`: each statement is idempotent, and the identity grants are revoked and given
again in one transaction, so a grant removed here disappears from existing databases too.
Default privileges cover the tables and sequences that later migrations create.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import asyncpg

from loket.infra.db.migrations import MIGRATION_LOCK_KEY
from loket.infra.db.scram import scram_verifier

IDENTITY = "identity"
# The one service whose retention job trims the audit trail past each municipality's
# `audit_days`. The others may only append to it: an audit trail that every service could delete
# from would prove little. Booking, because it already serves the administrators' pages.
AUDIT_TRAIL_PURGER = "booking"


def service_role(service: str) -> str:
    return f"loket_{service}"


@dataclass(frozen=True)
class TableGrant:
    table: str
    privileges: tuple[str, ...]  # whole-table privileges
    update_columns: tuple[str, ...] = ()  # UPDATE allowed on these columns only
    insert_columns: tuple[str, ...] = ()  # INSERT allowed with these columns only
    select_columns: tuple[str, ...] = ()  # SELECT of these columns only (e.g. what a DELETE's WHERE reads)
    sequences: tuple[str, ...] = ()  # sequences its INSERT draws from (USAGE)


# What every service does in `identity` while it runs (the CLI, as the owner, does the rest):
IDENTITY_GRANTS: tuple[TableGrant, ...] = (
    # key_verifier.py: look a bearer key up, record its use (repository.touch_key).
    TableGrant("api_keys", ("SELECT",), update_columns=("last_used_at",)),
    # tenant_directory.py: the tenant files of the municipalities.
    TableGrant("tenants", ("SELECT",)),
    # sign_in.py (record_failure, record_success), password_change.py (set_password); an OpenID
    # Connect sign-in (provider_sign_in.py) makes the account of a new subject and refreshes
    # its name, role and points from the provider at every sign-in.
    TableGrant("accounts", ("SELECT",), update_columns=(
        "failed_attempts", "locked_until", "updated_at", "password_hash", "totp_last_step",
        "must_change_password", "display_name", "role", "points"),
        insert_columns=("username", "display_name", "municipality", "role", "points", "language",
                        "password_hash", "provider_issuer", "provider_subject")),
    # session_store.py: start, read, touch and end browser sessions.
    TableGrant("sessions", ("SELECT", "INSERT", "DELETE"), update_columns=("last_seen_at", "idle_expires_at")),
    # audit.py: a sign-in through a municipality's identity provider is audited by whichever
    # service served it; booking also audits its endpoints that touch personal data.
    TableGrant("audit_log", ("INSERT",), sequences=("audit_log_id_seq",)),
)
EXTRA_IDENTITY_GRANTS: dict[str, tuple[TableGrant, ...]] = {
    # Booking serves the administrators' key page (loket/infra/http/key_admin): make and revoke keys.
    # As AUDIT_TRAIL_PURGER it deletes audit rows past their retention (audit.purge reads `at` and
    # `municipality` to choose them, nothing else).
    AUDIT_TRAIL_PURGER: (TableGrant("api_keys", ("INSERT",), update_columns=("revoked_at",)),
                         TableGrant("audit_log", ("DELETE",), select_columns=("at", "municipality"))),
    # The bridge's tenant directory imports the shipped tenant file once when no municipality
    # is onboarded (tenant_store.import_tenants: an upsert).
    "ebox_bridge": (TableGrant("tenants", ("SELECT",), update_columns=("name", "document", "updated_at"),
                               insert_columns=("municipality", "name", "document")),),
}


async def can_manage_roles(conn: asyncpg.Connection) -> bool:
    """A managed database may give the migration role no CREATEROLE: then there are no service
    roles and every service connects as that role (the single-URL deployment)."""
    return bool(await conn.fetchval(
        "SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user"))


async def apply_service_roles(conn: asyncpg.Connection, services: Iterable[str],
                              passwords: Mapping[str, str] | None = None) -> list[str]:
    """Create each service's role (with its password, when given) and grant it its schema and
    its part of `identity`. Returns the role names. The schemas must exist (migrate first)."""
    passwords = passwords or {}
    names = []
    await conn.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK_KEY)  # GRANTs racing each other fail
    try:
        for service in services:
            role = service_role(service)
            async with conn.transaction():
                await _ensure_role(conn, role, passwords.get(service))
                await grant_own_schema(conn, service, role)
                await _grant_identity(conn, role, IDENTITY_GRANTS + EXTRA_IDENTITY_GRANTS.get(service, ()))
            names.append(role)
    finally:
        await conn.execute("SELECT pg_advisory_unlock($1)", MIGRATION_LOCK_KEY)
    return names


async def grant_schema_to_its_service(conn: asyncpg.Connection, schema: str) -> None:
    """After a schema was replaced (reporting's rebuild swaps one in), give it to its service's
    role again: grants and default privileges belong to the old schema object."""
    role = service_role(schema)
    if await conn.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", role):
        await grant_own_schema(conn, schema, role)


async def grant_own_schema(conn: asyncpg.Connection, schema: str, role: str) -> None:
    s, r = _ident(schema), _ident(role)
    await conn.execute(f"GRANT USAGE ON SCHEMA {s} TO {r}")
    await conn.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {s} TO {r}")
    await conn.execute(f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA {s} TO {r}")
    # Tables and sequences later migrations create (as the owner, the current user) follow.
    await conn.execute(f"ALTER DEFAULT PRIVILEGES IN SCHEMA {s} GRANT SELECT, INSERT, UPDATE, DELETE "
                       f"ON TABLES TO {r}")
    await conn.execute(f"ALTER DEFAULT PRIVILEGES IN SCHEMA {s} GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO {r}")
    # Which migrations ran is the owner's record: a service may read it, never rewrite it.
    if await conn.fetchval("SELECT to_regclass($1) IS NOT NULL", f"{schema}.schema_migrations"):
        await conn.execute(f"REVOKE INSERT, UPDATE, DELETE ON {s}.schema_migrations FROM {r}")


async def _ensure_role(conn: asyncpg.Connection, role: str, password: str | None) -> None:
    r = _ident(role)
    if not await conn.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", role):
        await conn.execute(f"CREATE ROLE {r} LOGIN")
    # NOINHERIT NOCREATEDB NOCREATEROLE: it can become nothing more than itself.
    await conn.execute(f"ALTER ROLE {r} LOGIN NOINHERIT NOCREATEDB NOCREATEROLE")
    if password is not None:
        # A verifier, not the password: a failed statement in the server log reveals nothing.
        await conn.execute(f"ALTER ROLE {r} PASSWORD '{scram_verifier(password)}'")
    database = await conn.fetchval("SELECT current_database()")
    await conn.execute(f"GRANT CONNECT ON DATABASE {_ident(database)} TO {r}")


async def _grant_identity(conn: asyncpg.Connection, role: str, grants: tuple[TableGrant, ...]) -> None:
    i, r = _ident(IDENTITY), _ident(role)
    await conn.execute(f"GRANT USAGE ON SCHEMA {i} TO {r}")
    await conn.execute(f"REVOKE ALL ON ALL TABLES IN SCHEMA {i} FROM {r}")
    await conn.execute(f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {i} FROM {r}")
    for grant in grants:
        table = f"{i}.{_ident(grant.table)}"
        if grant.privileges:
            await conn.execute(f"GRANT {', '.join(grant.privileges)} ON {table} TO {r}")
        existing = await _columns(conn, grant.table)
        for privilege, wanted in (("UPDATE", grant.update_columns), ("INSERT", grant.insert_columns),
                                  ("SELECT", grant.select_columns)):
            # A column a later migration adds is granted once it exists (on the next run).
            columns = ", ".join(_ident(c) for c in wanted if c in existing)
            if columns:
                await conn.execute(f"GRANT {privilege} ({columns}) ON {table} TO {r}")
        for sequence in grant.sequences:
            await conn.execute(f"GRANT USAGE ON SEQUENCE {i}.{_ident(sequence)} TO {r}")


async def _columns(conn: asyncpg.Connection, table: str) -> set[str]:
    rows = await conn.fetch("SELECT column_name FROM information_schema.columns "
                            "WHERE table_schema = $1 AND table_name = $2", IDENTITY, table)
    return {row["column_name"] for row in rows}


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
