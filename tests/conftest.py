"""Shared fixtures: real PostgreSQL and NATS from the wheels, one per test session."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest

from loket.infra.db.pool import create_pool
from loket.infra.db.schema import migrate_service_schema
from tests.fixtures_embedded import *  # noqa: F403


def pytest_xdist_make_scheduler(config: pytest.Config, log):  # type: ignore[no-untyped-def]
    from tests.support.worker_schedule import SerialUnitScheduling

    config.option.loadscopereorder = False  # the order `pytest_collection_modifyitems` gave
    return SerialUnitScheduling(config, log)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The serial tests first, then the longest units (see tests/support/worker_schedule.py)."""
    from tests.support.worker_schedule import is_serial, run_order

    misnamed = [i.nodeid for i in items
                if (i.get_closest_marker("kafka") or i.get_closest_marker("chaos")) and not is_serial(i.nodeid)]
    if misnamed:
        raise pytest.UsageError(f"kafka- or chaos-marked tests the worker scheduler would not keep apart "
                                f"(put 'kafka' in the file name, or the file under tests/chaos/): {misnamed}")
    items.sort(key=lambda i: run_order(i.nodeid))


@pytest.fixture(scope="session")
async def pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    pool = await create_pool(database_url, min_size=2, max_size=20)
    yield pool
    await pool.close()


@pytest.fixture
async def schema(pool: asyncpg.Pool) -> AsyncIterator[str]:
    """A fresh schema with the outbox and inbox tables, dropped after the test."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    async with pool.acquire() as conn:
        await migrate_service_schema(conn, name, None)
    yield name
    await pool.execute(f"DROP SCHEMA {name} CASCADE")
