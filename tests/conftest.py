"""Shared fixtures: real PostgreSQL and NATS from the wheels, one per test session."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest
from hypothesis import HealthCheck, settings

from loket.infra.db.pool import create_pool
from loket.infra.db.schema import migrate_service_schema
from tests.fixtures_embedded import *  # noqa: F403

# Property tests share the machine with the system tests on the other worker: a draw that waits
# for a core is not a slow strategy, and an example's run time is not what they check.
settings.register_profile("loket", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("loket")


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


# The run uses two pytest-xdist workers (`-n 2` in pyproject.toml). Tests that start a whole
# system, a broker cluster, an OpenID provider or a benchmark run on one worker, one after the
# other, as they ran before: they share the Kafka cluster of `loket kafka up`, and two of them at
# once would fight over the two cores their timeouts were sized for. Every other test (its own
# schema, its own in-process service) runs on the other worker meanwhile.
#
# The scheduler groups by path because the controller sees node ids only; xdist's own
# `--dist loadgroup` reads a marker through a node id suffix that pytest 9.2 no longer keeps
# (pytest-xdist issue 1386), so it silently spread these tests over both workers.
SYSTEM_TEST_PATHS = (
    "tests/chaos/", "tests/e2e/", "tests/integration/test_bench_", "tests/integration/test_oidc",
    "tests/integration/test_bridge_crash.py", "tests/integration/test_bridge_ebox_faults.py",
    "tests/integration/test_bridge_kafka.py", "tests/integration/test_bus_consumer.py",
    "tests/integration/test_embedded_runtime.py", "tests/integration/test_kafka_cluster.py",
    "tests/integration/test_least_privilege.py", "tests/integration/test_notify_crash.py",
    "tests/integration/test_reporting_kafka.py", "tests/integration/test_webhooks_sigkill.py",
)
SYSTEM_TEST_MARKERS = ("slow", "chaos", "kafka")


def is_system_test(nodeid: str) -> bool:
    return nodeid.startswith(SYSTEM_TEST_PATHS)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # A new slow, chaos or Kafka test must join the system tests' worker: fail the run at
    # collection rather than let it race the others.
    strays = [item.nodeid for item in items
              if any(item.get_closest_marker(m) for m in SYSTEM_TEST_MARKERS) and not is_system_test(item.nodeid)]
    if strays:
        raise pytest.UsageError("add these to SYSTEM_TEST_PATHS in tests/conftest.py: " + ", ".join(strays[:5]))


def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object:
    from xdist.scheduler import LoadScopeScheduling

    class SystemTestsTogether(LoadScopeScheduling):
        """One unit for all system tests; every other test is a unit of its own."""

        def _split_scope(self, nodeid: str) -> str:
            return "system tests" if is_system_test(nodeid) else nodeid

    return SystemTestsTogether(config, log)  # type: ignore[arg-type]
