"""What PostgreSQL wrote during a measurement: WAL bytes, and the checkpoints that began in it.

The pipeline's statements write about 2 KB of WAL per event. After a
checkpoint begins, the first change to every page writes the whole page into the WAL once more
(full-page images), so a run that a checkpoint falls into writes more and costs PostgreSQL more
CPU for the same work. With the default `max_wal_size` (1 GB) a benchmark that writes some
100 MB per run meets one every few runs; this says which runs those were.

WAL bytes come from the WAL position (exact); checkpoints from the checkpointer's counters, which
PostgreSQL 17 and later keep in `pg_stat_checkpointer` and older versions in `pg_stat_bgwriter`.
The checkpointer counts a checkpoint when it begins but reports its counters while it writes and
when it is done, so one that begins in a run's last moments may be counted in the next run.
"""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg

_CHECKPOINTS = {
    True: "SELECT num_timed + num_requested FROM pg_stat_checkpointer",
    False: "SELECT checkpoints_timed + checkpoints_req FROM pg_stat_bgwriter",
}


@dataclass(frozen=True)
class PostgresMark:
    wal_position: int  # bytes since the start of the WAL
    checkpoints: int


@dataclass(frozen=True)
class PostgresActivity:
    wal_bytes: int
    checkpoints: int  # begun between the two marks

    def as_dict(self) -> dict[str, int]:
        return {"wal_bytes": self.wal_bytes, "checkpoints": self.checkpoints}


async def mark(conn: asyncpg.Connection | asyncpg.Pool) -> PostgresMark:
    version = int(await conn.fetchval("SHOW server_version_num"))
    position = int(await conn.fetchval("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint"))
    return PostgresMark(position, int(await conn.fetchval(_CHECKPOINTS[version >= 170000])))


async def since(conn: asyncpg.Connection | asyncpg.Pool, before: PostgresMark) -> PostgresActivity:
    after = await mark(conn)
    return PostgresActivity(after.wal_position - before.wal_position, after.checkpoints - before.checkpoints)


def activity_summary(activity: dict[str, int] | None, events: int) -> str:
    """"WAL 112 MB (2.2 KB per event), no checkpoint began" (empty for reports without it)."""
    if not activity:
        return ""
    wal, checkpoints = activity["wal_bytes"], activity["checkpoints"]
    began = ("no checkpoint began" if checkpoints == 0
             else f"{checkpoints} checkpoint{'s' if checkpoints > 1 else ''} began (full-page images follow)")
    per_event = f" ({wal / events / 1024:.1f} KB per event)" if events else ""
    return f"WAL {wal / 1e6:,.0f} MB{per_event}, {began}"
