"""notify's OpenAPI document: valid OpenAPI 3.1 naming every route the service serves, and
schemathesis, fuzzing the receipts and opt-outs from it, finds no server error and no answer
outside it (status codes, content types, schemas)."""

from __future__ import annotations

from pathlib import Path

import asyncpg
import pytest

from services.notify.app import create_app
from services.notify.openapi import PAGES
from tests.support.notify_harness import RECEIPTS_TOKEN, notify_settings, running_notify
from tests.support.openapi_checks import checked_document, operations_tested, run_schemathesis

ADMIN = "notify-openapi-admin-token"


async def test_the_document_is_openapi_3_1_and_names_every_route() -> None:
    # Built, never started: nothing here connects to PostgreSQL, NATS or the SMS provider.
    app = create_app(notify_settings("postgresql://loket@127.0.0.1:1/loket", "nats://127.0.0.1:1",
                                     "http://127.0.0.1:1", 1))
    document = await checked_document(app, PAGES)  # every route in services/notify/openapi.py (or PAGES)
    receipt = document["paths"]["/receipts/sms"]["post"]
    assert receipt["security"] == [{"receiptToken": []}]
    assert document["components"]["securitySchemes"]["receiptToken"]["name"] == "X-Receipt-Token"


async def test_schemathesis_finds_no_server_errors(database_url: str, bus_url: str, pool: asyncpg.Pool,
                                                    tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOKET_ADMIN_TOKEN", ADMIN)  # the operator: may record opt-outs
    monkeypatch.delenv("LOKET_API_TOKENS_FILE", raising=False)
    try:
        async with running_notify(database_url, bus_url, tmp_path) as notify:
            code, text = await run_schemathesis(
                f"{notify.base}/docs/openapi.json",
                {"Authorization": f"Bearer {ADMIN}", "X-Receipt-Token": RECEIPTS_TOKEN}, 20261215, tmp_path)
        # It really exercised the API: opt-outs recorded, receipts (for no known message) held.
        recorded = await pool.fetchrow("SELECT (SELECT count(*) FROM notify.opt_outs) AS opt_outs, "
                                       "(SELECT count(*) FROM notify.early_receipts) AS held")
    finally:
        # The fuzzer's opt-outs and held receipts are not for the next test.
        await pool.execute("DELETE FROM notify.opt_outs; DELETE FROM notify.early_receipts")
    assert code == 0, text[-8000:]
    assert operations_tested(text) == 2, text[-3000:]  # /receipts/sms and /opt-outs
    assert recorded["opt_outs"] > 0 and recorded["held"] > 0, dict(recorded)
