"""Configuration changes reach every process's caches at commit, not at the end of their TTL:
a revoked API key, a re-imported tenant entry, an edited point. Each cache here trusts what it
read for an hour, so only the change signal can make it see the change; the same caches without
signals keep serving the old value, which shows the test can fail. A listener whose connection
is cut reconnects and forgets everything it may have missed."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import asyncpg

from loket.contracts.values import utc_now
from loket.infra.db.change_signals import ChangeSignals
from loket.infra.identity import api_keys, repository
from loket.infra.identity.key_verifier import KeyVerifier, Refusal
from loket.infra.identity.principal import Principal
from loket.infra.identity.schema import migrate_identity
from loket.infra.identity.tenant_directory import TenantDirectory
from loket.infra.identity.tenant_store import import_tenants
from loket.infra.identity.tenants import SHIPPED_TENANTS_FILE, read_tenant_file

HOUR = 3600.0


@contextlib.asynccontextmanager
async def listening(pool: asyncpg.Pool) -> AsyncIterator[ChangeSignals]:
    changes = ChangeSignals()
    task = asyncio.create_task(changes.listen(lambda: pool))
    try:
        await asyncio.wait_for(changes.connected.wait(), 10)
        yield changes
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def eventually(check: Callable[[], Awaitable[Any]], timeout: float = 10) -> Any:
    deadline = asyncio.get_running_loop().time() + timeout
    while not (value := await check()):
        assert asyncio.get_running_loop().time() < deadline, "the change was not seen"
        await asyncio.sleep(0.05)
    return value


async def stored_key(pool: asyncpg.Pool) -> api_keys.NewKey:
    async with pool.acquire() as conn:
        await migrate_identity(conn)
        key = api_keys.new_key()
        await repository.insert_key(conn, key.prefix, key.secret_sha256, "signals test", "12025", "backoffice", [],
                                    "test", None)
    return key


async def test_a_revoked_key_is_refused_at_once_by_every_process(pool) -> None:  # type: ignore[no-untyped-def]
    key = await stored_key(pool)
    async with listening(pool) as changes:
        heard, deaf = KeyVerifier(lambda: pool, utc_now, changes, HOUR), KeyVerifier(lambda: pool, utc_now, None, HOUR)
        for verifier in (heard, deaf):  # both have the key cached now
            assert isinstance(await verifier.authenticate(key.token), Principal)
        async with pool.acquire() as conn, conn.transaction():
            assert await repository.revoke_key(conn, key.prefix, utc_now())

        async def refused() -> bool:
            outcome = await heard.authenticate(key.token)
            return isinstance(outcome, Refusal) and outcome.title == "API key revoked"

        await eventually(refused)
        assert isinstance(await deaf.authenticate(key.token), Principal)  # an hour of TTL: still trusted


async def test_a_rolled_back_change_is_not_announced(pool) -> None:  # type: ignore[no-untyped-def]
    key = await stored_key(pool)
    async with listening(pool) as changes:
        heard: list[str] = []
        changes.on(repository.API_KEYS, heard.append)
        async with pool.acquire() as conn:
            tx = conn.transaction()
            await tx.start()
            await repository.revoke_key(conn, key.prefix, utc_now())
            await tx.rollback()
            async with conn.transaction():
                await repository.revoke_key(conn, key.prefix, utc_now())  # this one commits
        await eventually(lambda: asyncio.sleep(0, heard))
        assert heard == [key.prefix]  # once: the rolled-back revocation said nothing


async def test_a_tenant_change_counts_at_once_and_a_reconnect_forgets_everything(pool) -> None:  # type: ignore[no-untyped-def]
    shipped = read_tenant_file(SHIPPED_TENANTS_FILE)
    async with pool.acquire() as conn:
        await migrate_identity(conn)
        await import_tenants(conn, shipped)
    try:
        async with listening(pool) as changes:
            heard = TenantDirectory(None, HOUR, changes=changes)
            async with pool.acquire() as conn:
                assert (await heard.current(conn))["12025"].sms_sender == "Mechelen"
                await import_tenants(conn, [t.model_copy(update={"sms_sender": "Mechelen2"})
                                            if t.municipality == "12025" else t for t in shipped])

                async def renamed() -> bool:
                    return (await heard.current(conn))["12025"].sms_sender == "Mechelen2"

                await eventually(renamed)

                # Cut the listener's connection: it comes back and forgets what it may have missed.
                forgotten: list[str] = []
                changes.on("tenants", forgotten.append)
                changes.connected.clear()
                await conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                   "WHERE query LIKE 'LISTEN%loket_config_changed%' AND pid <> pg_backend_pid()")
                await asyncio.wait_for(changes.connected.wait(), 10)
                assert "" in forgotten
    finally:
        async with pool.acquire() as conn:
            await import_tenants(conn, shipped)
