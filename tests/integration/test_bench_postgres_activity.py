"""What PostgreSQL wrote during a benchmark run, read from the test session's real server: the
WAL bytes a write produced, and a checkpoint that began in between."""

from __future__ import annotations

import asyncpg

from loket.bench import postgres_activity
from tests.support.waiting import eventually


async def test_wal_written_and_a_checkpoint_begun_are_counted(database_url: str) -> None:
    conn = await asyncpg.connect(database_url)
    try:
        before = await postgres_activity.mark(conn)
        await conn.execute("CREATE TABLE IF NOT EXISTS public.activity_probe_logged (body text)")
        await conn.execute("INSERT INTO public.activity_probe_logged SELECT repeat('y', 1000) "
                           "FROM generate_series(1, 2000)")
        written = await postgres_activity.since(conn, before)
        await conn.execute("CHECKPOINT")  # the test role may run it: pg_checkpoint or superuser
        # The checkpointer reports its counters when it is done, just after it lets CHECKPOINT
        # return: wait for them.

        async def counted() -> postgres_activity.PostgresActivity | None:
            activity = await postgres_activity.since(conn, before)
            return activity if activity.checkpoints else None

        after = await eventually(counted, timeout=10, what="the checkpoint to be counted")
    finally:
        await conn.execute("DROP TABLE IF EXISTS public.activity_probe_logged")
        await conn.close()
    # 2 000 rows of 1 KB in a logged table: at least their bytes in WAL.
    assert written.wal_bytes >= 2000 * 1000 and after.wal_bytes > written.wal_bytes
    assert after.checkpoints >= 1
    assert after.as_dict() == {"wal_bytes": after.wal_bytes, "checkpoints": after.checkpoints}
