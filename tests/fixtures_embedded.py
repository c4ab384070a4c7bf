"""Session fixtures with real PostgreSQL and NATS JetStream servers for the whole test run.

Import them in tests/conftest.py with `from tests.fixtures_embedded import *`.
Set LOKET_TEST_DATABASE_URL / LOKET_TEST_BUS_URL to run against servers you started
yourself (e.g. docker compose in CI); then no embedded server is started.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from loket.infra.embedded import EmbeddedNats, EmbeddedPostgres

__all__ = ["bus_url", "database_url", "embedded_nats", "embedded_postgres"]


@pytest.fixture(scope="session")
def embedded_postgres(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedPostgres]:
    # fsync=False: test data is thrown away, and fsync only protects against losing the
    # machine (power cut), never against a killed server process, so crash tests stay valid
    # while every commit becomes much cheaper.
    server = EmbeddedPostgres(tmp_path_factory.mktemp("postgres"), fsync=False)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def embedded_nats(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedNats]:
    # sync_always=True as in production: the outbox's "sent after ack" contract is what the
    # tests check, and the cost is small at test volumes.
    server = EmbeddedNats(tmp_path_factory.mktemp("nats"), sync_always=True)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def database_url(request: pytest.FixtureRequest) -> str:
    # getfixturevalue, not a parameter: the embedded server starts only when it is needed.
    external = os.environ.get("LOKET_TEST_DATABASE_URL")
    if external:
        return external
    server: EmbeddedPostgres = request.getfixturevalue("embedded_postgres")
    return server.url


@pytest.fixture(scope="session")
def bus_url(request: pytest.FixtureRequest) -> str:
    external = os.environ.get("LOKET_TEST_BUS_URL")
    if external:
        return external
    server: EmbeddedNats = request.getfixturevalue("embedded_nats")
    return server.url
