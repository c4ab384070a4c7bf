"""The bridge's retention: a settled letter loses its PDF after `letter_pdf_days` and its
recipient (national number, address, contact) after `postal_address_days`, per municipality;
a letter still in flight keeps everything; eBox status look-ups go after their lifetime."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from pathlib import Path

import asyncpg

from loket.contracts.values import utc_now
from loket.infra.db.schema import migrate_service_schema
from loket.infra.retention.policy import RetentionDays
from services.ebox_bridge.repository import ebox_status_cache, letters
from services.ebox_bridge.retention import bridge_purges
from tests.support.letters import national_number

NOW = utc_now()
MIGRATIONS = Path(__file__).resolve().parents[2] / "services" / "ebox_bridge" / "migrations"
ADDRESS = {"name": "A. Citizen", "street": "Grote Markt", "number": "1", "postcode": "2800",
           "municipality": "Mechelen", "country": "BE"}


async def letter(conn: asyncpg.Connection, schema: str, *, municipality: str, ebox: str | None, paper: str | None,
                 days_ago: float, read_poll: bool = False, ssin: str | None = None) -> uuid.UUID:
    letter_id = uuid.uuid4()
    await conn.execute(
        f"""INSERT INTO {schema}.letters (letter_id, content_sha256, issued_event_id, correlation_id, issued_at,
                municipality, department, document_type, language, ssin, subject, pdf, pdf_sha256, pages,
                postal_address, registered, important, routing, message_type_id, state, ebox_state, paper_state,
                contact, next_read_poll_at, updated_at, postage_class)
            VALUES ($1, 'x', $1, $1, $2, $3, 'finance', 'invoice', 'nl', $4, 'Factuur', '%PDF-1.7 ...'::bytea, 'y', 1,
                    $5, false, false, 'ebox_first', 'invoice', 'routed', $6, $7, $8, $9, $2, 'non_prior')""",
        letter_id, NOW - dt.timedelta(days=days_ago), municipality, ssin or national_number(7), json.dumps(ADDRESS),
        ebox, paper, json.dumps({"phone": "+32470123456", "language": "nl"}), NOW if read_poll else None)
    return letter_id


async def test_settled_letters_lose_their_pdf_then_their_recipient(pool, schema) -> None:  # type: ignore[no-untyped-def]
    async with pool.acquire() as conn:
        await migrate_service_schema(conn, schema, MIGRATIONS)
        posted = await letter(conn, schema, municipality="12025", ebox="not_digital", paper="posted", days_ago=100)
        read = await letter(conn, schema, municipality="21005", ebox="read", paper=None, days_ago=100)
        polled = await letter(conn, schema, municipality="21005", ebox="delivered_to_ebox", paper=None, days_ago=100,
                              read_poll=True)  # the read poller still asks about it
        in_batch = await letter(conn, schema, municipality="12025", ebox="not_digital", paper="in_batch", days_ago=100)
        recent = await letter(conn, schema, municipality="12025", ebox="read", paper=None, days_ago=10)

        # Mechelen keeps PDFs 120 days, everyone else the default 90.
        assert await letters.erase_settled_pdfs(conn, schema, NOW, RetentionDays(90, {"12025": 120})) == 1
        assert await letters.erase_settled_pdfs(conn, schema, NOW, RetentionDays(90)) == 1
        assert await letters.erase_settled_recipients(conn, schema, NOW, RetentionDays(90)) == 2
        rows = {r["letter_id"]: r for r in await conn.fetch(
            f"SELECT letter_id, octet_length(pdf) AS pdf, ssin, postal_address, contact FROM {schema}.letters")}
    for gone in (posted, read):
        assert (rows[gone]["pdf"], rows[gone]["ssin"], rows[gone]["postal_address"], rows[gone]["contact"]) == (
            0, "", None, None)
    for kept in (polled, in_batch, recent):
        assert rows[kept]["pdf"] > 0 and rows[kept]["ssin"] == national_number(7) and rows[kept]["postal_address"]


async def test_the_bridge_job_also_forgets_stale_ebox_look_ups(pool, schema) -> None:  # type: ignore[no-untyped-def]
    async with pool.acquire() as conn:
        await migrate_service_schema(conn, schema, MIGRATIONS)
        await ebox_status_cache.store(conn, schema, {national_number(1): (True, False)}, NOW - dt.timedelta(hours=7))
        await ebox_status_cache.store(conn, schema, {national_number(2): (False, False)}, NOW)
        purges = {p.data_class: p for p in bridge_purges(schema, status_cache_ttl_s=6 * 3600,
                                                          spool_dir=lambda: Path("/nonexistent"))}
        assert set(purges) == {"letter_pdf", "letter_recipient", "print_spool", "webhook_delivery_body",
                               "idempotency_key", "ebox_status_cache", "insert_recipient_key"}
        purge = purges["ebox_status_cache"]
        assert await purge.run(conn, NOW, purge.days({})) == 1
        assert await conn.fetchval(f"SELECT ssin FROM {schema}.ebox_status_cache") == national_number(2)
