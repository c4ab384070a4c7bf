"""Per municipality, how its SMS go out: the sender name citizens see (its tenant entry, e.g.
"Mechelen", else the configured default) and the countries its SMS may reach. A missing tenant
never holds a message back: the defaults are used."""

from __future__ import annotations

from collections.abc import Mapping

import asyncpg

from loket.infra.identity.tenant_directory import TenantDirectory


class SmsSenders:
    def __init__(self, tenants: TenantDirectory) -> None:
        self.tenants = tenants

    async def by_municipality(self, conn: asyncpg.Connection) -> Mapping[str, str]:
        return {code: tenant.sms_sender for code, tenant in (await self.tenants.known(conn)).items()}

    async def countries_by_municipality(self, conn: asyncpg.Connection) -> Mapping[str, tuple[str, ...]]:
        return {code: tenant.sms_countries for code, tenant in (await self.tenants.known(conn)).items()}
