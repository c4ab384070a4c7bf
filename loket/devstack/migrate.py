"""Every schema's migrations in one go, then the service roles and their grants (as the owner).

Each service also applies its own migrations at start unless it runs with its own role
(`LOKET_MIGRATE_ON_START=false`, as under `loket up`): a role that may not create tables
could not.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import asyncpg

from loket.devstack.catalog import SERVICE_NAMES, service_module
from loket.infra.db import roles
from loket.infra.db.schema import migrate_service_schema
from loket.infra.identity.schema import migrate_identity


@dataclass
class MigrationReport:
    applied: dict[str, list[str]] = field(default_factory=dict)  # schema -> migrations applied now
    roles: list[str] = field(default_factory=list)  # empty: the owner may not create roles


async def migrate_all(database_url: str, role_passwords: Mapping[str, str] | None = None) -> MigrationReport:
    """Migrate every schema, then create and grant the service roles when the owner may.

    `role_passwords` (service name -> password) sets the roles' passwords; roles without one
    keep theirs (an administrator may set them, or use certificates)."""
    conn = await asyncpg.connect(database_url)
    try:
        report = MigrationReport()
        for name in SERVICE_NAMES:
            spec = service_module(name).service_spec()
            report.applied[name] = await migrate_service_schema(conn, spec.name, spec.migrations)
        report.applied["identity"] = await migrate_identity(conn)
        if await roles.can_manage_roles(conn):
            report.roles = await roles.apply_service_roles(conn, SERVICE_NAMES, role_passwords)
        return report
    finally:
        await conn.close()
