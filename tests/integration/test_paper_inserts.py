"""The eBox campaign's insert page in real print batches: the right nearest points per town and
language, a QR code that decodes (with a decoder, from the rendered page) to a link carrying no
personal data, one insert per recipient per quarter, the holdout respected, and nothing for
companies or letters routed outside the campaign."""

from __future__ import annotations

import datetime as dt
import io
import json
import uuid
from pathlib import Path
from typing import Any

import asyncpg
import pypdfium2 as pdfium
import pytest
import zxingcpp
from prometheus_client import CollectorRegistry
from pypdf import PdfReader

from loket.infra.db.schema import migrate_service_schema
from loket.infra.identity.tenants import PaperInsert
from services.booking.points.cards import card_of
from services.booking.points.seed import DEFAULT_SEED, load_points
from services.ebox_bridge.campaign import repository as campaign
from services.ebox_bridge.campaign.insert_rules import arm_for, campaign_ref, quarter_of
from services.ebox_bridge.metrics import BridgeMetrics
from services.ebox_bridge.paper_senders import PaperSenders
from services.ebox_bridge.print_batcher import PrintBatcher
from services.ebox_bridge.settings import EboxBridgeSettings
from tests.support.fake_letters import FixedTenants
from tests.support.letters import letter_pdf, national_number

MIGRATIONS = Path(__file__).resolve().parents[2] / "services" / "ebox_bridge" / "migrations"
NOW = dt.datetime(2026, 11, 20, 17, 0, tzinfo=dt.UTC)
QUARTER = quarter_of(NOW.date())
BOOKING = "https://loket.example.be"
TOWNS = {  # municipality → (postcode, town, letter language, the nearest points offering eBox activation)
    "12025": ("2800", "Mechelen", "nl", ["mechelen-stadhuis", "mechelen-digibank-predikheren", "mechelen-bpost-centrum"]),
    "21005": ("1040", "Etterbeek", "fr", ["etterbeek-hotel-communal", "etterbeek-epn", "etterbeek-population"]),
    "63023": ("4700", "Eupen", "de", ["eupen-rathaus", "eupen-digibank"]),  # the next is 97 km away
    "53044": ("7050", "Jurbise", "fr", ["jurbise-bpost", "jurbise-administration"]),
}


class NoPolicy:
    """Every municipality here is a tenant, so no policy sender block is ever asked for."""

    async def current(self, conn: Any) -> Any:
        return self


async def paper_letter(conn: asyncpg.Connection, schema: str, municipality: str, ssin: str, *,
                       routing: str = "ebox_first", recipient_kind: str = "citizen",
                       language: str | None = None, paper_reason: str | None = None) -> uuid.UUID:
    postcode, town, default_language, _ = TOWNS[municipality]
    address = {"name": "Jan Peeters", "street": "Kerkstraat", "number": "7", "postcode": postcode,
               "municipality": town, "country": "BE"}
    letter_id = uuid.uuid4()
    await conn.execute(
        f"""INSERT INTO {schema}.letters (letter_id, content_sha256, issued_event_id, correlation_id, issued_at,
                municipality, department, document_type, language, ssin, subject, pdf, pdf_sha256, pages,
                postal_address, registered, important, routing, message_type_id, state, ebox_state, paper_state,
                paper_queued_at, postage_class, recipient_kind, paper_reason)
            VALUES ($1, 'x', $1, $1, $2, $3, 'housing', 'permit', $4, $5, 'Vergunning', $6, 'y', 2, $7, false, false,
                    $8, 'permit', 'routed', 'not_digital', 'queued_for_print', $2, 'non_prior', $9, $10)""",
        letter_id, NOW - dt.timedelta(hours=2), municipality, language or default_language, ssin, letter_pdf(2),
        json.dumps(address), routing, recipient_kind, paper_reason)
    return letter_id


@pytest.fixture
async def bridge_schema(pool, schema):  # type: ignore[no-untyped-def]
    async with pool.acquire() as conn:
        await migrate_service_schema(conn, schema, MIGRATIONS)
        for point in load_points(DEFAULT_SEED):  # what booking publishes on points.v1
            await campaign.store_card(conn, schema, card_of(point, NOW - dt.timedelta(days=1)))
    return schema


def batcher(pool: asyncpg.Pool, schema: str, spool: Path, tenants: FixedTenants | None = None) -> PrintBatcher:
    settings = EboxBridgeSettings(print_spool_dir=spool, insert_booking_url=BOOKING)
    return PrintBatcher(lambda: pool, schema, settings, BridgeMetrics(CollectorRegistry()),
                        PaperSenders(tenants or FixedTenants(), NoPolicy()), lambda: NOW)


def letter_pages(batch_dir: Path) -> dict[uuid.UUID, tuple[int, int]]:
    """letter id → (first page, pages) in the batch PDF."""
    manifest = json.loads((batch_dir / "manifest.json").read_text())
    return {uuid.UUID(e["letter_id"]): (e["first_page"], e["pages"]) for e in manifest["letters"]}


def decoded_qr(batch_pdf: bytes, page_number: int) -> list[str]:
    page = pdfium.PdfDocument(batch_pdf)[page_number - 1]
    return [code.text for code in zxingcpp.read_barcodes(page.render(scale=3).to_pil())
            if code.format == zxingcpp.BarcodeFormat.QRCode]


async def test_each_town_gets_its_nearest_points_in_its_language_and_a_qr_code_without_personal_data(  # type: ignore[no-untyped-def]
        pool, bridge_schema, tmp_path) -> None:
    schema = bridge_schema
    async with pool.acquire() as conn:
        ids = {m: await paper_letter(conn, schema, m, national_number(500 + i)) for i, m in enumerate(TOWNS)}
        dutch_in_etterbeek = await paper_letter(conn, schema, "21005", national_number(520), language="nl")
    # Holdout off: every recipient here gets the insert (the holdout has its own test).
    tenants = FixedTenants()
    tenants.tenants = {m: t.model_copy(update={"paper_insert": PaperInsert(enabled=True, holdout_share=0.0)})
                       for m, t in tenants.tenants.items()}
    batch = await batcher(pool, schema, tmp_path, tenants).close(NOW - dt.timedelta(minutes=30))
    assert batch is not None
    batch_dir = tmp_path / batch.batch_id
    pdf = (batch_dir / "batch.pdf").read_bytes()
    reader = PdfReader(io.BytesIO(pdf))
    pages = letter_pages(batch_dir)
    assert batch.page_count == len(reader.pages) == sum(n for _, n in pages.values())

    for municipality, (postcode, _, language, nearest) in TOWNS.items():
        letter_id = ids[municipality]
        first, count = pages[letter_id]
        assert count == 1 + 2 + 1, "cover, the letter's two pages, the insert"
        insert_page = first + count - 1
        text = reader.pages[insert_page - 1].extract_text()
        for point_id in nearest:
            point = next(p for p in load_points(DEFAULT_SEED) if p.point_id == point_id)
            name = point.name.get(language) or next(iter(point.name.values()))
            assert name[:25] in text, (municipality, point_id, text[:400])
            assert point.phone and point.phone in text
        link = f"{BOOKING}/b/{campaign_ref(municipality, QUARTER)}/{nearest[0]}?lang={language}"
        assert decoded_qr(pdf, insert_page) == [link]
        # Nothing of the recipient in the link: not the number, the name, the street or the postcode.
        assert not any(part in link for part in (national_number(500 + list(TOWNS).index(municipality)),
                                                 "Peeters", "Kerkstraat", postcode))
        # The letter's own pages are untouched: no QR code on them.
        assert decoded_qr(pdf, first + 1) == []

    first, count = pages[dutch_in_etterbeek]
    assert decoded_qr(pdf, first + count - 1) == [
        f"{BOOKING}/b/{campaign_ref('21005', QUARTER)}/etterbeek-hotel-communal?lang=nl"]
    texts = {lang: reader.pages[pages[ids[m]][0] + pages[ids[m]][1] - 2].extract_text().lower()
             for m, (_, _, lang, _) in TOWNS.items()}
    assert "gratis" in texts["nl"] and "gratuit" in texts["fr"] and "kostenlos" in texts["de"]


async def test_one_insert_per_recipient_per_quarter_and_none_for_companies_or_other_routings(  # type: ignore[no-untyped-def]
        pool, bridge_schema, tmp_path) -> None:
    schema = bridge_schema
    tenants = FixedTenants()
    tenants.tenants["12025"] = tenants.tenants["12025"].model_copy(
        update={"paper_insert": PaperInsert(enabled=True, holdout_share=0.0)})
    same = national_number(600)
    async with pool.acquire() as conn:
        first = await paper_letter(conn, schema, "12025", same)
        second = await paper_letter(conn, schema, "12025", same)  # same batch, same person
        company = await paper_letter(conn, schema, "12025", national_number(601), recipient_kind="enterprise")
        paper_only = await paper_letter(conn, schema, "12025", national_number(602), routing="paper_only")
    one = await batcher(pool, schema, tmp_path, tenants).close(NOW - dt.timedelta(minutes=30))
    assert one is not None
    pages = letter_pages(tmp_path / one.batch_id)
    with_insert = {letter_id for letter_id, (_, n) in pages.items() if n == 4}
    assert len(with_insert & {first, second}) == 1, "one of the person's two letters carries it"
    assert company not in with_insert and paper_only not in with_insert
    # A later batch in the same quarter: the person gets no second insert.
    async with pool.acquire() as conn:
        later = await paper_letter(conn, schema, "12025", same)
        await conn.execute(f"UPDATE {schema}.letters SET paper_queued_at = $2 WHERE letter_id = $1", later,
                           NOW - dt.timedelta(minutes=20))
    two = await batcher(pool, schema, tmp_path, tenants).close(NOW - dt.timedelta(minutes=10))
    assert two is not None
    assert letter_pages(tmp_path / two.batch_id)[later][1] == 3
    assert await pool.fetchval(f"SELECT count(*) FROM {schema}.paper_inserts") == 1


async def test_the_holdout_gets_no_insert_and_the_arms_follow_the_recipients_draw(  # type: ignore[no-untyped-def]
        pool, bridge_schema, tmp_path) -> None:
    schema = bridge_schema
    tenants = FixedTenants()
    tenants.tenants["12025"] = tenants.tenants["12025"].model_copy(
        update={"paper_insert": PaperInsert(enabled=True, holdout_share=0.3)})
    people = {national_number(700 + i): None for i in range(60)}
    async with pool.acquire() as conn:
        letters = {await paper_letter(conn, schema, "12025", ssin): ssin for ssin in people}
    batch = await batcher(pool, schema, tmp_path, tenants).close(NOW - dt.timedelta(minutes=30))
    assert batch is not None
    pages = letter_pages(tmp_path / batch.batch_id)
    async with pool.acquire() as conn:
        keyer = await campaign.recipient_keyer(conn, schema, QUARTER)
        stored = {r["letter_id"]: (r["arm"], r["recipient_key"]) for r in
                  await conn.fetch(f"SELECT letter_id, arm, recipient_key FROM {schema}.paper_inserts")}
    campaign_id = campaign_ref("12025", QUARTER)
    expected = {letter_id: arm_for(keyer(ssin), campaign_id, 0.3) for letter_id, ssin in letters.items()}
    assert {letter_id: arm for letter_id, (arm, _) in stored.items()} == expected
    holdout = {letter_id for letter_id, arm in expected.items() if arm == "holdout"}
    assert 0 < len(holdout) < 60, "a 30 % share of 60 people draws some of each"
    for letter_id, (_, count) in pages.items():
        assert count == (3 if letter_id in holdout else 4)
    # Only keyed digests are stored, never the number.
    assert not {ssin for ssin in people} & {key for _, key in stored.values()}
    # Reporting learns each decision (the arm, the campaign), never whose it is.
    published = await pool.fetch(f"SELECT key, payload FROM {schema}.outbox WHERE event_type = 'LetterInsertDecided'")
    decided = {uuid.UUID(r["key"]): json.loads(bytes(r["payload"]))["payload"] for r in published}
    assert {letter_id: p["arm"] for letter_id, p in decided.items()} == expected
    assert {p["campaign"] for p in decided.values()} == {campaign_id}
    assert not any(ssin in bytes(r["payload"]).decode() for r in published for ssin in people)


async def test_without_any_point_card_no_insert_is_made(pool, schema, tmp_path) -> None:  # type: ignore[no-untyped-def]
    async with pool.acquire() as conn:
        await migrate_service_schema(conn, schema, MIGRATIONS)
        letter_id = await paper_letter(conn, schema, "12025", national_number(800))
    batch = await batcher(pool, schema, tmp_path).close(NOW - dt.timedelta(minutes=30))
    assert batch is not None
    assert letter_pages(tmp_path / batch.batch_id)[letter_id][1] == 3


async def test_erasure_and_retention_unlink_the_decisions_from_their_recipients(  # type: ignore[no-untyped-def]
        pool, bridge_schema, tmp_path) -> None:
    schema = bridge_schema
    erased, kept = national_number(900), national_number(901)
    async with pool.acquire() as conn:
        erased_letter = await paper_letter(conn, schema, "12025", erased)
        kept_letter = await paper_letter(conn, schema, "12025", kept)
    assert await batcher(pool, schema, tmp_path).close(NOW - dt.timedelta(minutes=30)) is not None
    async with pool.acquire() as conn:
        assert await campaign.forget_recipient(conn, schema, erased) == 1
        keys = {r["letter_id"]: r["recipient_key"] for r in
                await conn.fetch(f"SELECT letter_id, recipient_key FROM {schema}.paper_inserts")}
        assert keys[erased_letter] is None and keys[kept_letter] is not None
        # A year after the quarter ends its key goes, and with it every link to a person.
        assert await campaign.forget_quarters_ended_before(conn, schema, campaign.quarter_end(QUARTER)) == 0
        after = campaign.quarter_end(QUARTER) + dt.timedelta(days=1)
        assert await campaign.forget_quarters_ended_before(conn, schema, after) == 1
        assert await conn.fetchval(f"SELECT count(*) FROM {schema}.insert_quarter_keys") == 0
        assert await conn.fetchval(f"SELECT count(recipient_key) FROM {schema}.paper_inserts") == 0
        assert await conn.fetchval(f"SELECT count(*) FROM {schema}.paper_inserts") == 2, "the counts stay"


async def test_the_paper_copy_of_an_unread_ebox_letter_offers_help_reading_it(pool, bridge_schema, tmp_path) -> None:  # type: ignore[no-untyped-def]
    schema = bridge_schema
    async with pool.acquire() as conn:
        unread = await paper_letter(conn, schema, "12025", national_number(950), paper_reason="unread_escalation")
        other = await paper_letter(conn, schema, "21005", national_number(951), paper_reason="no_digital_user")
    batch = await batcher(pool, schema, tmp_path).close(NOW - dt.timedelta(minutes=30))
    assert batch is not None
    reader = PdfReader(tmp_path / batch.batch_id / "batch.pdf")
    pages = letter_pages(tmp_path / batch.batch_id)
    cover = " ".join(reader.pages[pages[unread][0] - 1].extract_text().split())
    assert "Hulp nodig bij het lezen van deze brief? Die is gratis." in cover
    assert f"{BOOKING}/public/find?lang=nl" in cover
    assert "lezen" not in reader.pages[pages[other][0] - 1].extract_text() and "lire" not in reader.pages[
        pages[other][0] - 1].extract_text()
