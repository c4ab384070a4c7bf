"""A real service process shape: health, readiness through a PostgreSQL outage, auth, metrics."""

from __future__ import annotations

import asyncio
import time

import aiohttp
import pytest

from loket.infra.embedded import EmbeddedPostgres
from services.reporting.app import create_app
from services.reporting.settings import ReportingSettings
from tests.support.served_app import served

TOKEN = "test-admin-token-not-a-secret"
SECRET = "service-shell-test-pseudonym-secret"


@pytest.fixture
def private_postgres(tmp_path):  # type: ignore[no-untyped-def]
    """Its own PostgreSQL, so stopping it does not disturb the other tests."""
    server = EmbeddedPostgres(tmp_path / "pg", fsync=False)
    server.start()
    yield server
    server.stop()


async def status_of(http: aiohttp.ClientSession, url: str) -> int:
    async with http.get(url) as response:
        return response.status


async def wait_for_status(http: aiohttp.ClientSession, url: str, expected: int, timeout: float = 30) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if await status_of(http, url) == expected:
            return time.monotonic() - started
        await asyncio.sleep(0.2)
    raise AssertionError(f"{url} did not answer {expected} within {timeout} s")


async def test_readiness_follows_postgres_down_and_back(private_postgres, bus_url, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("LOKET_ADMIN_TOKEN", TOKEN)
    settings = ReportingSettings(database_url=private_postgres.url, bus_url=bus_url, reporting_pseudonym_secret=SECRET)
    async with served(create_app(settings)) as base, aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as http:
        assert await status_of(http, f"{base}/health/ready") == 200
        private_postgres.stop()
        await wait_for_status(http, f"{base}/health/ready", 503)
        assert await status_of(http, f"{base}/health/live") == 200  # alive, just not ready
        async with http.get(f"{base}/health/ready") as response:
            body = await response.json()
        assert body["checks"] == {"database": False, "bus": True, "started": True}
        private_postgres.start()
        await wait_for_status(http, f"{base}/health/ready", 200)


async def test_endpoints_other_than_health_and_metrics_need_a_token(database_url, bus_url, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("LOKET_ADMIN_TOKEN", TOKEN)
    settings = ReportingSettings(database_url=database_url, bus_url=bus_url, reporting_pseudonym_secret=SECRET)
    async with served(create_app(settings)) as base, aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as http:
        async with http.get(f"{base}/metrics") as response:
            assert response.status == 200
            text = await response.text()
        assert "loket_outbox_backlog" in text and "loket_ready" in text
        async with http.get(f"{base}/docs/asyncapi") as response:
            assert response.status == 401
            assert response.headers["content-type"] == "application/problem+json"
            assert response.headers["www-authenticate"] == "Bearer"
        async with http.get(f"{base}/docs/asyncapi", headers={"Authorization": "Bearer wrong"}) as response:
            assert response.status == 401
            assert "not valid" in (await response.json())["detail"]
        async with http.get(f"{base}/docs/asyncapi", headers={"Authorization": f"Bearer {TOKEN}"}) as response:
            assert response.status == 200
            document = await response.json()
        assert document["asyncapi"] == "3.0.0"


async def test_readiness_follows_the_bus_down_and_back(database_url, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from loket.infra.embedded import EmbeddedNats

    monkeypatch.setenv("LOKET_ADMIN_TOKEN", TOKEN)
    nats_server = EmbeddedNats(tmp_path / "nats")
    nats_server.start()
    try:
        settings = ReportingSettings(database_url=database_url, bus_url=nats_server.url, reporting_pseudonym_secret=SECRET)
        timeout = aiohttp.ClientTimeout(total=5)
        async with served(create_app(settings)) as base, aiohttp.ClientSession(timeout=timeout) as http:
            assert await status_of(http, f"{base}/health/ready") == 200
            nats_server.stop()
            await wait_for_status(http, f"{base}/health/ready", 503)
            async with http.get(f"{base}/health/ready") as response:
                assert (await response.json())["checks"]["bus"] is False
            nats_server.start()  # same port and data: the client reconnects by itself
            await wait_for_status(http, f"{base}/health/ready", 200)
    finally:
        nats_server.stop()


async def test_every_service_refuses_an_oversized_body_before_reading_it(database_url, bus_url, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("LOKET_ADMIN_TOKEN", TOKEN)
    settings = ReportingSettings(database_url=database_url, bus_url=bus_url, reporting_pseudonym_secret=SECRET)
    async with served(create_app(settings)) as base, aiohttp.ClientSession() as http, \
            http.post(f"{base}/kpis", data=b"{" * 1_000_000, headers={"Authorization": f"Bearer {TOKEN}"}) as r:
        assert r.status == 413
        assert "larger than the limit" in (await r.json(content_type=None))["detail"]
