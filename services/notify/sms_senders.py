"""The SMS sender name citizens see: their municipality's own (its tenant entry, e.g. "Mechelen"),
else the configured default. A missing tenant never holds a message back: the default is used."""

from __future__ import annotations

from collections.abc import Mapping

import asyncpg

from loket.infra.errors import InfrastructureUnavailable
from loket.infra.identity.tenant_directory import TenantDirectory


class SmsSenders:
    def __init__(self, tenants: TenantDirectory) -> None:
        self.tenants = tenants

    async def by_municipality(self, conn: asyncpg.Connection) -> Mapping[str, str]:
        try:
            tenants = await self.tenants.current(conn)
        except InfrastructureUnavailable:
            return {}
        return {code: tenant.sms_sender for code, tenant in tenants.items()}
