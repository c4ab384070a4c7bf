"""The two sides of `loket bench booking`: Loket's HTTP booking API (a real `loket serve
booking` process) and a raw asyncpg INSERT against the same exclusion constraint, both driven
by the same targets with the same number of concurrent clients."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

import aiohttp
import asyncpg

from loket.bench.booking_setup import BUSY_POINT, SERVICE, Target
from loket.bench.timing import Timed
from services.booking.app import NAME
from services.booking.availability.slots import blocked_range
from services.booking.catalogue import CATALOGUE


@dataclass
class RunResult(Timed):
    counted = "requests"
    requests: int = 0
    seconds: float = 0.0
    latencies_s: list[float] = field(default_factory=list)
    statuses: dict[int | str, int] = field(default_factory=dict)


async def _drive(targets: list[Target], clients: int, one: Callable[[Target], object],
                 progress: Callable[[int], None]) -> RunResult:
    result, queue = RunResult(), list(reversed(targets))

    async def client() -> None:
        while queue:
            target = queue.pop()
            started = time.perf_counter()
            outcome = await one(target)  # type: ignore[misc]
            result.latencies_s.append(time.perf_counter() - started)
            result.statuses[outcome] = result.statuses.get(outcome, 0) + 1
            if len(result.latencies_s) % 200 == 0:
                progress(len(result.latencies_s))

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    result.seconds, result.requests = time.perf_counter() - started, len(targets)
    progress(len(targets))
    return result


async def run_loket(base: str, token: str, targets: list[Target], clients: int,
                    progress: Callable[[int], None]) -> RunResult:
    headers = {"Authorization": f"Bearer {token}"}
    connector = aiohttp.TCPConnector(limit=clients)
    async with aiohttp.ClientSession(base_url=base, headers=headers, connector=connector) as http:
        async def one(target: Target) -> int:
            body = {"point_id": BUSY_POINT, "service": SERVICE, "language": "nl", "helper_id": target.helper_id,
                    "starts_at": target.starts_at.isoformat(), "contact": {"phone": "+32470000000", "language": "nl"}}
            async with http.post("/staff/appointments", json=body) as response:
                await response.read()
                return response.status

        return await _drive(targets, clients, one, progress)


async def run_raw(database_url: str, targets: list[Target], clients: int, progress: Callable[[int], None]) -> RunResult:
    """The floor: one INSERT per request into the same table, nothing else (no slot check,
    no link, no event, no HTTP)."""
    service = CATALOGUE[SERVICE]
    pool = await asyncpg.create_pool(database_url, min_size=clients, max_size=clients)
    sql = (f"INSERT INTO {NAME}.appointments (appointment_id, point_id, helper_id, service, language, starts_at, "
           f"ends_at, blocked, status, contact, booked_via) VALUES ($1, $2, $3, $4, 'nl', $5, $6, "
           f"tstzrange($7, $8, '[)'), 'booked', '{{}}'::jsonb, 'staff')")
    try:
        async def one(target: Target) -> str:
            start, end = target.starts_at, target.starts_at + dt.timedelta(minutes=service.minutes)
            try:
                await pool.execute(sql, uuid.uuid4(), BUSY_POINT, target.helper_id, SERVICE, start, end,
                                   *blocked_range(service, start))
                return "inserted"
            except (asyncpg.ExclusionViolationError, asyncpg.DeadlockDetectedError):
                # Two inserts that collide can each wait for the other; PostgreSQL aborts one.
                return "refused"

        return await _drive(targets, clients, one, progress)
    finally:
        await pool.close()


async def winners_per_target(conn: asyncpg.Connection) -> dict[tuple[str, dt.datetime], int]:
    rows = await conn.fetch(f"""SELECT helper_id, starts_at, count(*) AS n FROM {NAME}.appointments
                                WHERE point_id = $1 AND status = 'booked' GROUP BY 1, 2""", BUSY_POINT)
    return {(r["helper_id"], r["starts_at"]): r["n"] for r in rows}
