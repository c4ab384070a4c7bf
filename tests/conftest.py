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
