"""The services' pool on real PostgreSQL: a connection that held session state comes back clean,
and one that did not is given back without asyncpg's reset round trip. (Temporary tables and SQL
PREPAREs were never cleared: asyncpg's reset query has no DISCARD ALL, which would drop its own
statement cache. Nothing in Loket makes either outside a transaction.)"""

from __future__ import annotations

import asyncpg
import pytest

from loket.infra.db.pool import create_pool


async def _last_statement_of(observer: asyncpg.Connection, pid: int) -> str:
    return str(await observer.fetchval("SELECT query FROM pg_stat_activity WHERE pid = $1", pid))


@pytest.fixture
async def one_connection(database_url: str):  # type: ignore[no-untyped-def]
    pool = await create_pool(database_url, min_size=1, max_size=1)
    observer = await asyncpg.connect(database_url)
    try:
        yield pool, observer
    finally:
        await observer.close()
        await pool.close()


async def _leave_session_state(pool: asyncpg.Pool) -> int:
    """A lock, a listener and a setting left in the session; its backend's process id."""
    async with pool.acquire() as conn:
        pid = int(await conn.fetchval("SELECT pg_backend_pid()"))
        await conn.execute("SELECT pg_advisory_lock(424242)")
        await conn.add_listener("pool_reset_test", lambda *_: None)
        await conn.remove_listener("pool_reset_test", lambda *_: None)  # a different callback: still listening
        await conn.execute("SET application_name = 'left behind'")
    return pid


async def test_session_state_does_not_outlive_the_release(one_connection) -> None:  # type: ignore[no-untyped-def]
    pool, _ = one_connection
    # The listener is left on purpose; asyncpg says so when the connection goes back to the pool.
    with pytest.warns(asyncpg.InterfaceWarning, match="active notification listener"):
        pid = await _leave_session_state(pool)
    async with pool.acquire() as conn:
        assert await conn.fetchval("SELECT pg_backend_pid()") == pid  # the same session
        assert await conn.fetchval(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()") == 0
        assert await conn.fetchval("SELECT count(*) FROM pg_listening_channels()") == 0
        assert await conn.fetchval("SHOW application_name") != "left behind"


async def test_a_plain_transaction_is_given_back_without_the_reset(one_connection) -> None:  # type: ignore[no-untyped-def]
    pool, observer = one_connection
    async with pool.acquire() as conn, conn.transaction():
        pid = await conn.fetchval("SELECT pg_backend_pid()")
        await conn.execute("SELECT pg_advisory_xact_lock(424243)")  # transaction-scoped: gone at commit
    # The session's last statement is its COMMIT, not asyncpg's reset query.
    assert "COMMIT" in (await _last_statement_of(observer, pid)).upper()
    async with pool.acquire() as conn:
        await conn.execute("SELECT pg_advisory_lock(424244)")
    assert "pg_advisory_unlock_all" in await _last_statement_of(observer, pid)


async def test_a_transaction_left_open_is_rolled_back(one_connection) -> None:  # type: ignore[no-untyped-def]
    pool, _ = one_connection
    async with pool.acquire() as conn:
        await conn.execute("BEGIN")
        await conn.execute("CREATE TABLE pool_reset_left_open (id int)")
    async with pool.acquire() as conn:
        assert await conn.fetchval("SELECT to_regclass('pool_reset_left_open')") is None
