"""Shared fixtures: real PostgreSQL and NATS from the wheels, one per test session."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest

from loket.infra.db.pool import create_pool
from loket.infra.db.schema import migrate_service_schema
from tests.fixtures_embedded import *  # noqa: F403


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


# The run uses two pytest-xdist workers (`-n 2 --dist loadgroup` in pyproject.toml). Tests that
# start a whole system, a broker cluster, an OpenID provider or a benchmark go to one worker, one
# after the other, as they ran before: they share the Kafka cluster of `loket kafka up`, and two
# of them at once would fight over the two cores their timeouts were sized for. Every other test
# (its own schema, its own in-process service) runs on the other worker meanwhile.
SYSTEM_TEST_MARKERS = ("slow", "chaos", "kafka")
SYSTEM_TEST_FILES = ("tests/e2e/", "tests/integration/test_oidc", "tests/integration/test_bench_")


def _is_system_test(item: pytest.Item) -> bool:
    path = item.nodeid.split("::", 1)[0]
    return (any(item.get_closest_marker(m) for m in SYSTEM_TEST_MARKERS)
            or any(part in path for part in SYSTEM_TEST_FILES))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if _is_system_test(item):
            item.add_marker(pytest.mark.xdist_group("system"))
