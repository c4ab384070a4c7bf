"""What PostgreSQL's sessions are doing, for a benchmark that stopped moving.

Two runs stalled in their warm-up (runs 39 and 42, docs/performance.md): the relay's statement
that takes a round's rows ran for 30 s, was cancelled by asyncpg's command timeout, and ran 30 s
again, while nothing else visibly happened. Whatever held it (a lock, a session, the server)
was gone with the run. The error now carries a snapshot of every other busy session of the
database: its state, what it waits on, which sessions block it (`pg_blocking_pids`), how long its
transaction and its statement have run, and the statement's first words; and of the server's own
processes (checkpointer, WAL writer, autovacuum), whose wait events show a disk that stopped.
Statements are SQL text with `$n` parameters (the benchmark's own), never values.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import asyncpg

from loket.infra.errors import described

SNAPSHOT_TIMEOUT_S = 5.0  # a stalled server may not answer either: the stall is still reported
_STATEMENT_WORDS = 90

_BUSY_SESSIONS = f"""
    SELECT pid, pg_blocking_pids(pid) AS blocked_by, state, wait_event_type, wait_event, backend_type,
           extract(epoch FROM clock_timestamp() - xact_start)::float8 AS transaction_s,
           extract(epoch FROM clock_timestamp() - query_start)::float8 AS statement_s,
           left(regexp_replace(query, '\\s+', ' ', 'g'), {_STATEMENT_WORDS}) AS statement
    FROM pg_stat_activity
    WHERE pid <> pg_backend_pid() AND (datname = current_database() OR datname IS NULL)
      AND (state IS DISTINCT FROM 'idle' OR wait_event_type = 'Lock')
    ORDER BY xact_start NULLS LAST, pid
"""


@dataclass(frozen=True)
class Session:
    pid: int
    blocked_by: tuple[int, ...]
    state: str | None
    waits_on: str | None  # "Lock/transactionid", "IO/WalSync", … or None when it runs
    kind: str
    transaction_s: float | None
    statement_s: float | None
    statement: str

    def line(self) -> str:
        held = f"transaction {self.transaction_s:.0f} s" if self.transaction_s is not None else "no transaction"
        running = f", statement {self.statement_s:.0f} s" if self.statement_s is not None else ""
        waits = f", waiting on {self.waits_on}" if self.waits_on else ""
        blocked = f", blocked by {', '.join(map(str, self.blocked_by))}" if self.blocked_by else ""
        what = f": {self.statement}" if self.statement else ""
        return f"pid {self.pid} ({self.kind}, {self.state or 'no state'}; {held}{running}{waits}{blocked}){what}"


async def busy_sessions(pool: asyncpg.Pool) -> list[Session]:
    rows = await asyncio.wait_for(pool.fetch(_BUSY_SESSIONS), SNAPSHOT_TIMEOUT_S)
    return [Session(pid=r["pid"], blocked_by=tuple(r["blocked_by"] or ()), state=r["state"],
                    waits_on=f"{r['wait_event_type']}/{r['wait_event']}" if r["wait_event_type"] else None,
                    kind=r["backend_type"] or "session", transaction_s=r["transaction_s"],
                    statement_s=r["statement_s"], statement=r["statement"] or "")
            for r in rows]


async def describe_sessions(pool: asyncpg.Pool) -> str:
    """The busy sessions, one per line, for an error message; says so when it cannot tell."""
    try:
        sessions = await busy_sessions(pool)
    except Exception as exc:  # the snapshot must not hide the stall it is about
        return f"PostgreSQL's sessions could not be read ({described(exc)})"
    if not sessions:
        return "PostgreSQL: no other session was busy"
    return "PostgreSQL's busy sessions:\n" + "\n".join(f"  {s.line()}" for s in sessions)
