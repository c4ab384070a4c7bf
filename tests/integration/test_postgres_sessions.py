"""A stalled benchmark says what PostgreSQL's sessions were doing (postgres_sessions.py): here a
relay-like `FOR UPDATE` waits on a transaction that deleted the row and went quiet."""

from __future__ import annotations

import asyncio
import uuid

import asyncpg

from loket.bench.postgres_sessions import busy_sessions, describe_sessions
from loket.infra.db.pool import create_pool


async def test_a_waiting_statement_names_the_session_that_blocks_it(database_url: str) -> None:
    table = f"stall_{uuid.uuid4().hex[:8]}"
    pool = await create_pool(database_url, min_size=1, max_size=2)
    holder, waiter = await asyncpg.connect(database_url), await asyncpg.connect(database_url)
    try:
        await holder.execute(f"CREATE TABLE {table} (id int PRIMARY KEY); INSERT INTO {table} VALUES (1), (2)")
        holding = holder.transaction()
        await holding.start()
        await holder.execute(f"DELETE FROM {table} WHERE id = 1")  # then nothing: idle in transaction
        blocked = asyncio.create_task(waiter.fetch(f"SELECT id FROM {table} ORDER BY id LIMIT 1 FOR UPDATE"))
        holder_pid, waiter_pid = holder.get_server_pid(), waiter.get_server_pid()
        for _ in range(100):  # until the server shows the wait
            sessions = {s.pid: s for s in await busy_sessions(pool)}
            if waiter_pid in sessions and sessions[waiter_pid].blocked_by:
                break
            await asyncio.sleep(0.05)
        assert sessions[waiter_pid].blocked_by == (holder_pid,)
        assert sessions[waiter_pid].waits_on == "Lock/transactionid"
        assert sessions[holder_pid].state == "idle in transaction"
        text = await describe_sessions(pool)
        assert f"pid {waiter_pid} (client backend, active; transaction" in text
        assert f"waiting on Lock/transactionid, blocked by {holder_pid}): SELECT id FROM {table} ORDER BY id" in text
        await holding.rollback()
        assert [r["id"] for r in await asyncio.wait_for(blocked, 10)] == [1]
    finally:
        await holder.execute(f"DROP TABLE IF EXISTS {table}")
        for conn in (holder, waiter):
            await conn.close()
        await pool.close()


async def test_a_server_that_does_not_answer_still_lets_the_stall_be_reported() -> None:
    class Unreachable:
        async def fetch(self, *_: object) -> list[object]:
            raise ConnectionRefusedError("database gone")

    text = await describe_sessions(Unreachable())  # type: ignore[arg-type]
    assert text == "PostgreSQL's sessions could not be read (ConnectionRefusedError: database gone)"
