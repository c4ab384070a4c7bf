"""What PostgreSQL wrote during a benchmark run, read from the test session's real server: the
WAL bytes a write produced, and a checkpoint that began in between."""

from __future__ import annotations

import asyncpg

from loket.bench import postgres_activity


async def test_wal_written_and_a_checkpoint_begun_are_counted(database_url: str) -> None:
    conn = await asyncpg.connect(database_url)
    try:
        await conn.execute("CREATE TEMP TABLE activity_probe (body text)")
        quiet = await postgres_activity.since(conn, await postgres_activity.mark(conn))
        before = await postgres_activity.mark(conn)
        await conn.execute("INSERT INTO activity_probe SELECT repeat('x', 1000) FROM generate_series(1, 2000)")
        await conn.execute("CREATE TABLE IF NOT EXISTS public.activity_probe_logged (body text)")
        await conn.execute("INSERT INTO public.activity_probe_logged SELECT repeat('y', 1000) "
                           "FROM generate_series(1, 2000)")
        await conn.execute("CHECKPOINT")  # the test role may run it: pg_checkpoint or superuser
        after = await postgres_activity.since(conn, before)
    finally:
        await conn.execute("DROP TABLE IF EXISTS public.activity_probe_logged")
        await conn.close()
    assert quiet.checkpoints == 0
    # 2 000 rows of 1 KB in a logged table: at least their bytes in WAL (temp tables write none).
    assert after.wal_bytes >= 2000 * 1000
    assert after.checkpoints >= 1
    assert after.as_dict() == {"wal_bytes": after.wal_bytes, "checkpoints": after.checkpoints}
