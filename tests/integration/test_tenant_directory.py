"""The tenant directory as services use it: concurrent first callers all see the municipalities,
also while the first load is importing the tenant file; a changed import is seen after the
refresh interval."""

from __future__ import annotations

import asyncio

from loket.infra.identity import tenant_store
from loket.infra.identity.schema import migrate_identity
from loket.infra.identity.tenant_directory import TenantDirectory
from loket.infra.identity.tenants import SHIPPED_TENANTS_FILE, read_tenant_file


async def test_concurrent_first_callers_all_see_the_onboarded_municipalities(pool) -> None:  # type: ignore[no-untyped-def]
    async with pool.acquire() as conn:
        await migrate_identity(conn)
        expected = {t.municipality for t in await tenant_store.all_tenants(conn)} or {
            t.municipality for t in read_tenant_file(SHIPPED_TENANTS_FILE)}
    directory = TenantDirectory(SHIPPED_TENANTS_FILE, refresh_s=30)

    async def ask() -> set[str]:
        async with pool.acquire() as conn:
            return set(await directory.current(conn))

    seen = await asyncio.gather(*(ask() for _ in range(8)))
    assert all(s == expected for s in seen) and expected
