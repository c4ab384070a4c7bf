"""Letters sent as multipart (a JSON part and a PDF part) over real HTTP: a small PDF travels
inline in LetterIssued, a large one is stored under the document root and referenced."""

from __future__ import annotations

import hashlib
import json
import os
import stat
import uuid
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import aiohttp
import asyncpg
import pytest
from fpdf import FPDF
from PIL import Image

from loket.contracts.letters import MAX_INLINE_PDF_BYTES
from tests.support.bridge_harness import bridge_settings
from tests.support.letters import Population, letter_pdf
from tests.support.letters_api import MECHELEN, Api, eventually, letter, letters_api

PEOPLE = Population(start=9000)


@pytest.fixture(scope="module")
def large_pdf(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """A one-page A4 PDF over the inline limit: a photo of noise does not compress."""
    folder = tmp_path_factory.mktemp("large-pdf")
    Image.frombytes("RGB", (1400, 1400), os.urandom(1400 * 1400 * 3)).save(folder / "noise.png")
    pdf = FPDF(format="A4")
    pdf.add_page()
    pdf.image(str(folder / "noise.png"), x=10, y=10, w=100)
    data = bytes(pdf.output())
    assert MAX_INLINE_PDF_BYTES < len(data) < 4 * MAX_INLINE_PDF_BYTES
    return data


def form(fields: dict[str, Any], pdf: bytes | None) -> aiohttp.FormData:
    data = aiohttp.FormData()
    data.add_field("letter", json.dumps(fields), content_type="application/json")
    if pdf is not None:
        data.add_field("pdf", pdf, content_type="application/pdf", filename="letter.pdf")
    return data


def without_document(fields: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in fields.items() if k not in ("pdf_base64",)}


async def upload(api: Api, fields: dict[str, Any], pdf: bytes | None, **headers: str) -> tuple[int, Any]:
    async with api.http.post(f"{api.base}/v1/letters", data=form(fields, pdf),
                             headers=api.headers(MECHELEN, **headers)) as r:
        return r.status, await r.json(content_type=None)


async def test_uploads_small_inline_large_by_reference(database_url: str, bus_url: str, sim: Any, keys: SimpleNamespace,
                                                       pool: asyncpg.Pool, tmp_path: Path, large_pdf: bytes) -> None:
    root = tmp_path / "documents"
    settings = bridge_settings(database_url, bus_url, sim, keys.key, keys.cert, tmp_path / "spool", document_root=root)
    async with letters_api(pool, settings) as api:
        status, small = await upload(api, without_document(letter(PEOPLE.take(True))), letter_pdf())
        assert status == 202, small
        key = {"Idempotency-Key": f"up-{uuid.uuid4()}"}
        fields = without_document(letter(PEOPLE.take(True)))
        status, large = await upload(api, fields, large_pdf, **key)
        assert status == 202, large
        again = await upload(api, fields, large_pdf, **key)
        assert again == (202, large)
        other = await upload(api, fields, letter_pdf(), **key)
        assert other[0] == 409

        stored = root / "uploads" / MECHELEN / f"{large['letter_id']}.pdf"
        assert stored.read_bytes() == large_pdf
        assert stat.S_IMODE(stored.stat().st_mode) == 0o600
        assert stat.S_IMODE(stored.parent.stat().st_mode) == 0o700
        assert stat.S_IMODE(stored.parent.parent.stat().st_mode) == 0o700
        payloads = {json.loads(bytes(r["payload"]))["payload"]["letter_id"]: json.loads(bytes(r["payload"]))["payload"]
                    for r in await pool.fetch("SELECT payload FROM ebox_bridge.outbox WHERE key = ANY($1::text[]) "
                                              "AND event_type = 'LetterIssued'",
                                              [small["letter_id"], large["letter_id"]])}
        assert payloads[small["letter_id"]]["pdf_base64"] and payloads[small["letter_id"]].get("document_ref") is None
        assert payloads[large["letter_id"]]["document_ref"] == stored.as_uri()
        assert payloads[large["letter_id"]]["sha256"] == hashlib.sha256(large_pdf).hexdigest()

        for letter_id in (small["letter_id"], large["letter_id"]):
            async def delivered(letter_id: str = letter_id) -> bool:
                status, view = await api.call("GET", f"/v1/letters/{letter_id}")
                return status == 200 and view["status"] == "delivered_to_ebox"
            await eventually(delivered, what=f"uploaded letter {letter_id} in the eBox")


async def test_upload_refusals(database_url: str, bus_url: str, sim: Any, keys: SimpleNamespace,
                               pool: asyncpg.Pool, tmp_path: Path, large_pdf: bytes) -> None:
    settings = bridge_settings(database_url, bus_url, sim, keys.key, keys.cert, tmp_path / "spool")
    async with letters_api(pool, settings) as api:
        fields = without_document(letter(PEOPLE.take(True)))
        status, body = await upload(api, fields, None)
        assert status == 422 and body["errors"][0]["pointer"] == "/pdf"
        status, body = await upload(api, fields, b"%PDF-1.4 not really")
        assert status == 422 and body["errors"][0]["pointer"] == "/pdf", body
        status, body = await upload(api, {**fields, "language": "xx"}, letter_pdf())
        assert status == 422 and body["errors"][0]["pointer"] == "/language"
        status, body = await upload(api, letter(PEOPLE.take(True)), letter_pdf())
        assert status == 422 and body["errors"][0]["pointer"] == "/pdf_base64"
        status, body = await upload(api, {**fields, "subject": "Uw factuur\u0000"}, letter_pdf())
        assert status == 422 and body["errors"][0]["pointer"] == "/subject", body
        # No document store configured: a PDF over the inline limit cannot be taken.
        status, body = await upload(api, fields, large_pdf)
        assert status == 413, body
