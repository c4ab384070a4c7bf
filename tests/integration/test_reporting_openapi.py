"""reporting's OpenAPI document: valid OpenAPI 3.1 naming every route the service serves (its
HTML pages aside), and schemathesis, fuzzing the KPIs and the CSV exports from it over projected
figures, finds no server error and no answer outside it (status codes, content types, schemas)."""

from __future__ import annotations

from pathlib import Path

import aiohttp
import asyncpg
import pytest

from loket.contracts import topics
from services.reporting.app import NAME, create_app
from services.reporting.openapi import PAGES
from services.reporting.settings import ReportingSettings
from tests.support.bus_harness import purge_streams
from tests.support.openapi_checks import checked_document, operations_tested, run_schemathesis
from tests.support.reporting_stream import project, stream
from tests.support.served_app import served

SECRET, ADMIN = "a-test-secret-of-enough-length", "reporting-openapi-admin-token"


async def test_the_document_is_openapi_3_1_and_names_every_route() -> None:
    # Built, never started: nothing here connects to PostgreSQL or NATS.
    app = create_app(ReportingSettings(database_url="postgresql://loket@127.0.0.1:1/loket", bus_url="nats://127.0.0.1:1",
                                       reporting_pseudonym_secret=SECRET))
    document = await checked_document(app, PAGES)  # every route in services/reporting/openapi.py (or PAGES)
    assert set(document["paths"]["/exports/{name}.csv"]["get"]["responses"]["200"]["content"]) == {"text/csv"}


async def test_schemathesis_finds_no_server_errors(database_url: str, bus_url: str, pool: asyncpg.Pool,
                                                    tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOKET_ADMIN_TOKEN", ADMIN)  # the operator: every municipality's figures
    monkeypatch.delenv("LOKET_API_TOKENS_FILE", raising=False)
    await purge_streams(bus_url, tuple(topics.NATS_STREAMS))  # reporting reads every stream
    await pool.execute(f"DROP SCHEMA IF EXISTS {NAME} CASCADE")
    events, _ = stream()
    settings = ReportingSettings(database_url=database_url, bus_url=bus_url, reporting_pseudonym_secret=SECRET)
    async with served(create_app(settings)) as base:
        # Figures in every table, so the answers' rows (texts, counts, rates, yes/no) are checked too.
        await project(pool, bus_url, events)
        headers = {"Authorization": f"Bearer {ADMIN}"}
        async with aiohttp.ClientSession(headers=headers) as http, http.get(f"{base}/kpis") as r:
            assert r.status == 200 and (await r.json())["visits_by_outcome"]["rows"]  # the fuzzer's token works
        code, text = await run_schemathesis(f"{base}/docs/openapi.json", headers, 20261216, tmp_path)
    assert code == 0, text[-8000:]
    assert operations_tested(text) == 2, text[-3000:]  # /kpis and /exports/{name}.csv
