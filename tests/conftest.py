"""Shared fixtures: real PostgreSQL and NATS from the wheels, one per test session."""

from __future__ import annotations

import os
import secrets
import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest

from loket.infra.db.pool import create_pool
from loket.infra.db.schema import migrate_service_schema
from tests.fixtures_embedded import *  # noqa: F403


def pytest_configure(config: pytest.Config) -> None:
    # Rich tables and messages of the CLI wrap at the terminal's width; the tests read their
    # content, whatever the width of wherever they run (an xdist worker has no terminal).
    os.environ.setdefault("COLUMNS", "200")
    # notify and booking refuse to start without the secret that keys stored contact hashes;
    # the services the tests build (in process or as children) get one made for this run.
    os.environ.setdefault("LOKET_CONTACT_KEY_SECRET", secrets.token_urlsafe(32))
    # The session's NATS and Kafka are test buses: the benchmarks the tests run may publish there
    # beside the services' consumers (loket/bench/shared_bus.py; its own test unsets this).
    os.environ.setdefault("LOKET_BENCH_ON_SHARED_BUS", "yes")


def pytest_xdist_make_scheduler(config: pytest.Config, log):  # type: ignore[no-untyped-def]
    from tests.support.worker_schedule import SerialUnitScheduling

    config.option.loadscopereorder = False  # the order `pytest_collection_modifyitems` gave
    return SerialUnitScheduling(config, log)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The serial tests first, then the longest units (see tests/support/worker_schedule.py).
    A `kafka`-marked test the scheduler would not recognise as serial fails, saying why."""
    from tests.support.worker_schedule import is_serial, run_order

    for item in items:
        if item.get_closest_marker("kafka") and not is_serial(item.nodeid):
            item.fixturenames.insert(0, "_named_as_serial")  # type: ignore[attr-defined]
    items.sort(key=lambda i: run_order(i.nodeid))


@pytest.fixture
def _named_as_serial(request: pytest.FixtureRequest) -> None:
    pytest.fail(f"{request.node.nodeid} uses the shared Kafka cluster, but the worker scheduler would run it "
                "beside other Kafka tests: put 'kafka' in its file name (tests/support/worker_schedule.py)")


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
