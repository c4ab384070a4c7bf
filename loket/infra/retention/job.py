"""The daily retention job of a service: each purge removes or blanks one data class's personal
data once its retention period has passed, in its own transaction, and reports a count.

Invariants:
- A purge only touches rows that are settled (an appointment that took place, a message that
  is finished): nothing a running process still needs is removed. Each purge states its rule.
- Purges are idempotent (a blanked contact is not blanked again), so two replicas racing, or a
  crash half-way, cost nothing; a session advisory lock still keeps replicas from doing the work
  twice at the same time.
- The log says what was done in counts per data class, never whose data it was.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import zlib
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

import asyncpg

from loket.infra.identity.tenants import Tenant
from loket.infra.retention.policy import RetentionDays, days_of
from loket.infra.rounds import run_rounds

log = logging.getLogger(__name__)

PurgeRun = Callable[[asyncpg.Connection, dt.datetime, RetentionDays], Awaitable[int]]


DaysOf = Callable[[Mapping[str, Tenant]], RetentionDays]


@dataclass(frozen=True)
class Purge:
    data_class: str  # a metric label and log word, e.g. "appointment_contact"
    days: DaysOf  # `tenant_setting("appointment_contact_days")` or `fixed_days(n)`
    run: PurgeRun


def tenant_setting(field: str) -> DaysOf:
    """Days from each municipality's `retention.<field>` (the platform default elsewhere)."""
    return lambda tenants: days_of(tenants, field)


def fixed_days(days: int) -> DaysOf:
    """The same days for every municipality (data that is not a municipality's, e.g. the inbox)."""
    return lambda _: RetentionDays(days)


class Tenants(Protocol):
    """What the job needs of the tenant directory."""

    async def current(self, conn: asyncpg.Connection) -> Mapping[str, Tenant]: ...


class RetentionJob:
    def __init__(self, lock_name: str, db: Callable[[], asyncpg.Pool], tenants: Tenants, purges: Sequence[Purge],
                 count: Callable[[str, int], None], clock: Callable[[], dt.datetime]) -> None:
        self.lock_key = zlib.crc32(f"retention:{lock_name}".encode())
        self.db, self.tenants, self.purges, self.count, self.clock = db, tenants, tuple(purges), count, clock

    async def run_once(self) -> dict[str, int] | None:
        """Counts per data class; None when another replica holds the job right now."""
        async with self.db().acquire() as conn:
            if not await conn.fetchval("SELECT pg_try_advisory_lock($1)", self.lock_key):
                return None
            try:
                tenants = await self.tenants.current(conn)
                done: dict[str, int] = {}
                for purge in self.purges:
                    async with conn.transaction():
                        n = await purge.run(conn, self.clock(), purge.days(tenants))
                    done[purge.data_class] = n
                    self.count(purge.data_class, n)
            finally:
                await conn.execute("SELECT pg_advisory_unlock($1)", self.lock_key)
        log.info("retention: %s", ", ".join(f"{n} {name}" for name, n in done.items()) or "nothing configured")
        return done

    async def loop(self, interval_s: float, first_after_s: float = 60.0) -> None:
        """Once shortly after start (a restart does not postpone it by a day), then every interval."""
        await asyncio.sleep(first_after_s)

        async def round_() -> bool:
            await self.run_once()
            return False

        await run_rounds(round_, interval_s, "retention")
