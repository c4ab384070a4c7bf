"""Everything a running service holds: settings, pool, bus, metrics, background tasks."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field

import asyncpg
from prometheus_client import CollectorRegistry

from loket.infra.bus.bus import Bus
from loket.infra.db.change_signals import ChangeSignals
from loket.infra.db.outbox import Outbox
from loket.infra.metrics import PlatformMetrics
from loket.infra.settings import ServiceSettings

log = logging.getLogger(__name__)


@dataclass
class Runtime:
    name: str
    settings: ServiceSettings
    registry: CollectorRegistry
    metrics: PlatformMetrics
    bus: Bus
    outbox: Outbox
    pool: asyncpg.Pool | None = None
    # What the process caches hears of configuration changes made by any process (change_signals.py).
    changes: ChangeSignals = field(default_factory=ChangeSignals)
    started: bool = False
    tasks: list[asyncio.Task[None]] = field(default_factory=list)

    @property
    def schema(self) -> str:
        return self.name

    def db(self) -> asyncpg.Pool:
        if self.pool is None:
            raise RuntimeError("the database pool is not open yet")
        return self.pool

    async def database_ok(self) -> bool:
        if self.pool is None:
            return False
        try:
            async with asyncio.timeout(2):
                return await self.pool.fetchval("SELECT 1") == 1
        except Exception:
            return False

    async def bus_ok(self) -> bool:
        try:
            return await self.bus.ping(timeout=2)
        except Exception:
            return False

    def spawn(self, coro, name: str) -> None:  # type: ignore[no-untyped-def]
        task = asyncio.create_task(coro, name=f"{self.name}:{name}")
        task.add_done_callback(_report_crash)
        self.tasks.append(task)


def _report_crash(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("background task %s died", task.get_name(), exc_info=task.exception())
