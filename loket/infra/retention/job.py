"""The daily retention job of a service: each purge removes or blanks one data class's personal
data once its retention period has passed, in its own transaction, and reports a count.

Invariants:
- A purge only touches rows that are settled (an appointment that took place, a message that
  is finished): nothing a running process still needs is removed. Each purge states its rule.
- Purges are idempotent (a blanked contact is not blanked again), so two replicas racing, or a
  crash half-way, cost nothing; a session advisory lock still keeps replicas from doing the work
  twice at the same time.
- One purge failing does not hold the others back: each data class has its own period and its
  own statement, and a refused statement in one (the audit trail's, once) must not keep, say, the
  dead letters' bodies past theirs. The failure is logged and counted per data class
  (`loket_retention_failures_total`), and the round is retried within the hour, not the next day.
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

from loket.infra.errors import InfrastructureUnavailable, described
from loket.infra.identity.tenants import Tenant
from loket.infra.retention.policy import RetentionDays, days_of
from loket.infra.rounds import run_rounds

log = logging.getLogger(__name__)

# A round that could not purge everything is tried again this long after (a daily job that
# waited a whole day would keep the data a day past its period for one failed statement).
RETRY_AFTER_FAILURE_S = 3600.0
# Before any municipality is onboarded (a new installation before `loket tenants import`, or the
# bridge still importing the shipped tenant file while the others start) no purge knows the
# municipalities' periods: the round waits for them, looking this often (the tenant directory
# reads the table at most every LOKET_TENANTS_REFRESH_S, 30 s by default, anyway).
WAIT_FOR_TENANTS_S = 30.0


class RetentionIncomplete(Exception):
    """Some data classes could not be purged this round (each is logged with its cause)."""

    def __init__(self, failed: Sequence[str]) -> None:
        super().__init__(f"retention could not purge {', '.join(failed)}; the others were purged")
        self.failed = tuple(failed)

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
                 count: Callable[[str, int], None], clock: Callable[[], dt.datetime],
                 count_failure: Callable[[str], None] = lambda data_class: None) -> None:
        self.lock_key = zlib.crc32(f"retention:{lock_name}".encode())
        self.db, self.tenants, self.purges, self.count, self.clock = db, tenants, tuple(purges), count, clock
        self.count_failure = count_failure

    async def run_once(self) -> dict[str, int] | None:
        """Counts per data class; None when another replica holds the job right now. Raises
        RetentionIncomplete, after trying every purge, when some failed."""
        done: dict[str, int] = {}
        failed: list[str] = []
        async with self.db().acquire() as conn:
            if not await conn.fetchval("SELECT pg_try_advisory_lock($1)", self.lock_key):
                return None
            try:
                tenants = await self.tenants.current(conn)
                for purge in self.purges:
                    try:
                        async with conn.transaction():
                            n = await purge.run(conn, self.clock(), purge.days(tenants))
                    except Exception as exc:  # noqa: BLE001 - any data class's failure, not just the database's
                        # Its transaction rolled back; the connection is still good for the next
                        # purge (a lost one fails those too, and the round is retried). A purge of
                        # a bus's dead letters fails with the bus's errors, not PostgreSQL's.
                        failed.append(purge.data_class)
                        self.count_failure(purge.data_class)
                        log.error("retention: purging %s failed: %s", purge.data_class, described(exc))
                        continue
                    done[purge.data_class] = n
                    self.count(purge.data_class, n)
            finally:
                await conn.execute("SELECT pg_advisory_unlock($1)", self.lock_key)
        log.info("retention: %s", ", ".join(f"{n} {name}" for name, n in done.items()) or "nothing configured")
        if failed:
            raise RetentionIncomplete(failed)
        return done

    async def loop(self, interval_s: float, first_after_s: float = 60.0) -> None:
        """Once shortly after start (a restart does not postpone it by a day), then every interval."""
        await asyncio.sleep(first_after_s)
        said_waiting = False

        async def round_() -> bool:
            nonlocal said_waiting
            try:
                await self.run_once()
            except InfrastructureUnavailable as exc:  # nobody onboarded yet: expected, not a failure
                if not said_waiting:
                    log.warning("retention waits: %s; looking again every %.0f s", exc, WAIT_FOR_TENANTS_S)
                    said_waiting = True
                await asyncio.sleep(WAIT_FOR_TENANTS_S)
                return True  # the round is still due: try it again now that the wait is over
            return False

        await run_rounds(round_, interval_s, "retention", retry_s=min(interval_s, RETRY_AFTER_FAILURE_S))
