"""The print house over real HTTP (issue 18, part 5): it lists its batches, downloads each file and
checks its SHA-256, and answers printed / posted / returned as JSON or CSV with the rules of
`loket print confirm` (all or nothing, a re-sent answer harmless); a print-house key sees only
the batches wholly of its municipality, a back-office key none."""

from __future__ import annotations

import asyncio
import base64
import csv
import hashlib
import io
import json
import uuid
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from uuid import UUID

import asyncpg
import pytest
from prometheus_client import CollectorRegistry

from loket.contracts.values import utc_now
from services.ebox_bridge.app import NAME
from services.ebox_bridge.metrics import BridgeMetrics
from services.ebox_bridge.paper_senders import PaperSenders
from services.ebox_bridge.policy_holder import PolicyHolder
from services.ebox_bridge.print_batcher import PrintBatcher
from services.ebox_bridge.settings import EboxBridgeSettings
from tests.support.bridge_harness import POLICY, bridge_settings, letter_rows, next_print_cutoff
from tests.support.fake_letters import FixedTenants
from tests.support.letters import Population
from tests.support.letters_api import ETTERBEEK, MECHELEN, eventually, letter, letters_api, make_key
from tests.support.openapi_checks import run_schemathesis

PEOPLE = Population(start=80_000)
FILES = {"batch.pdf": "application/pdf", "manifest.json": "application/json", "manifest.csv": "text/csv"}


@pytest.fixture
async def house(database_url: str, bus_url: str, sim, keys, pool: asyncpg.Pool, tmp_path: Path):  # type: ignore[no-untyped-def]
    """The bridge over HTTP, with back-office keys (api.keys) and print-house keys of Mechelen and
    Etterbeek and an operator key (house.keys)."""
    spool = tmp_path / "spool"
    settings = bridge_settings(database_url, bus_url, sim, keys.key, keys.cert, spool)
    async with letters_api(pool, settings) as api:
        house_keys = {m: await make_key(pool, m, "print_house") for m in (MECHELEN, ETTERBEEK)}
        house_keys["operator"] = await make_key(pool, None, "operator")  # type: ignore[arg-type]
        yield SimpleNamespace(api=api, pool=pool, spool=spool, keys=house_keys)


async def call(house: SimpleNamespace, method: str, path: str, who: str = MECHELEN, *, key: str | None = None,
               **kwargs: Any) -> tuple[int, Any]:
    token = key or house.keys[who]
    async with house.api.http.request(method, f"{house.api.base}{path}",
                                      headers={"Authorization": f"Bearer {token}", **kwargs.pop("headers", {})},
                                      **kwargs) as r:
        return r.status, await r.json(content_type=None)


async def paper_letters(house: SimpleNamespace, count: int, municipality: str = MECHELEN) -> list[UUID]:
    """Letters on paper through the API, once queued for print."""
    ids = []
    for _ in range(count):
        if municipality == MECHELEN:  # housing permits are paper only in the test policy
            body = letter(PEOPLE.take(False), department="housing", document_type="permit")
        else:  # Etterbeek's invoices go to paper for a citizen without an eBox
            body = letter(PEOPLE.take(False), language="fr", subject="Votre facture")
        status, accepted = await house.api.call("POST", "/v1/letters", municipality, json=body)
        assert status == 202, accepted
        ids.append(UUID(accepted["letter_id"]))

    async def queued() -> bool:
        rows = await letter_rows(house.pool, ids)
        return len(rows) == count and all(r["paper_state"] == "queued_for_print" for r in rows.values())

    await eventually(queued, what="the letters queued for print")
    return ids


def batcher(house: SimpleNamespace) -> PrintBatcher:
    settings = EboxBridgeSettings(policy_file=POLICY, print_spool_dir=house.spool)
    senders = PaperSenders(FixedTenants(), PolicyHolder(NAME, POLICY, 60))
    return PrintBatcher(lambda: house.pool, NAME, settings, BridgeMetrics(CollectorRegistry()), senders, utc_now)


async def drain(house: SimpleNamespace) -> None:
    """Earlier tests of the session may have left letters queued for print: they go into a batch
    of their own, so the next batch holds this test's letters only. An earlier test's letter may
    also still be on its way (its event not yet consumed when this test's bridge started, as a CI
    run saw): batches are closed until a whole second passes with nothing left to close."""
    for _ in range(20):
        closed = await batcher(house).close(await next_print_cutoff(house.pool), write_files=False)
        if closed is None:
            await asyncio.sleep(1)
            if await batcher(house).close(await next_print_cutoff(house.pool), write_files=False) is None:
                return
    raise AssertionError("letters of earlier tests kept arriving for 20 rounds")


async def close_batch(house: SimpleNamespace, ids: list[UUID]) -> str:
    """A batch of the letters queued so far, its files written."""
    closed = await batcher(house).close(await next_print_cutoff(house.pool), wait_for_files=True)
    assert closed is not None
    rows = await letter_rows(house.pool, ids)
    assert {r["batch_id"] for r in rows.values()} == {closed.batch_id}
    assert closed.letter_count == len(ids), "a stray letter of another test is in the batch"
    return closed.batch_id


async def outbox_events(pool: asyncpg.Pool, ids: list[UUID], *types: str) -> list[tuple[str, UUID]]:
    rows = await pool.fetch(
        f"SELECT event_type, key FROM {NAME}.outbox WHERE key = ANY($1::text[]) AND event_type = ANY($2::text[]) "
        "ORDER BY id", [str(i) for i in ids], list(types))
    return [(r["event_type"], UUID(r["key"])) for r in rows]


async def test_a_print_house_downloads_its_batch_and_confirms_it_as_json_and_csv(house: SimpleNamespace) -> None:
    await drain(house)
    ids = await paper_letters(house, 3)
    batch_id = await close_batch(house, ids)

    status, listed = await call(house, "GET", "/v1/print-batches")
    assert status == 200, listed
    batch = next(b for b in listed["batches"] if b["batch_id"] == batch_id)
    assert batch["letter_count"] == 3 and batch["files_written"] and batch["confirmation_state"] == "awaiting"
    assert batch["progress"] == {"in_batch": 3, "printed": 0, "posted": 0, "returned": 0, "failed": 0}
    assert {f["name"] for f in batch["files"]} == set(FILES)

    # Each file, with its checksum: what the print house verifies before printing.
    for name, media in FILES.items():
        async with house.api.http.get(f"{house.api.base}/v1/print-batches/{batch_id}/files/{name}",
                                      headers={"Authorization": f"Bearer {house.keys[MECHELEN]}"}) as r:
            assert r.status == 200, await r.text()
            content = await r.read()
            assert r.content_type == media
            assert r.headers["Content-Disposition"] == f'attachment; filename="{name}"'
            digest = hashlib.sha256(content)
            assert r.headers["ETag"] == f'"{digest.hexdigest()}"'
            assert r.headers["Repr-Digest"] == f"sha-256=:{base64.b64encode(digest.digest()).decode()}:"
            assert content == (house.spool / batch_id / name).read_bytes()
        if name == "manifest.json":
            assert digest.hexdigest() == batch["manifest_sha256"]
            assert {UUID(e["letter_id"]) for e in json.loads(content)["letters"]} == set(ids)
        if name == "manifest.csv":
            assert {UUID(row["letter_id"]) for row in csv.DictReader(io.StringIO(content.decode()))} == set(ids)
        if name == "batch.pdf":
            assert content.startswith(b"%PDF")

    # JSON: one letter posted, one printed.
    answer = {"letters": [{"letter_id": str(ids[0]), "status": "posted", "at": "2026-11-24T08:00:00+01:00"},
                          {"letter_id": str(ids[1]), "status": "printed"}]}
    status, result = await call(house, "POST", f"/v1/print-batches/{batch_id}/confirmations", json=answer)
    assert status == 200, result
    assert result == {"batch_id": batch_id, "recorded": {"printed": 1, "posted": 1, "returned": 0}, "already_known": 0}
    # CSV, as a spreadsheet exports it (with a byte order mark): the printed one posted, one returned.
    answer_csv = ("\ufeffletter_id,status,at,reason\n"
                  f"{ids[1]},posted,2026-11-24T08:00:00+01:00,\n"
                  f"{ids[2]},returned,2026-11-27T10:00:00+01:00,addressee unknown\n").encode()
    csv_headers = {"Content-Type": "text/csv"}
    status, result = await call(house, "POST", f"/v1/print-batches/{batch_id}/confirmations", data=answer_csv,
                                headers=csv_headers)
    assert status == 200, result
    assert result["recorded"] == {"printed": 0, "posted": 1, "returned": 1} and result["already_known"] == 0
    # Both again: nothing new, no event twice.
    for body in ({"json": answer}, {"data": answer_csv, "headers": csv_headers}):
        status, result = await call(house, "POST", f"/v1/print-batches/{batch_id}/confirmations", **body)
        assert status == 200, result
        assert result["recorded"] == {"printed": 0, "posted": 0, "returned": 0} and result["already_known"] == 2

    rows = await letter_rows(house.pool, ids)
    assert [rows[i]["paper_state"] for i in ids] == ["posted", "posted", "returned"]
    assert await outbox_events(house.pool, ids, "LetterPrinted", "LetterPosted", "LetterReturned") == [
        ("LetterPosted", ids[0]), ("LetterPrinted", ids[1]), ("LetterPosted", ids[1]), ("LetterReturned", ids[2]),
    ]
    status, view = await call(house, "GET", f"/v1/print-batches/{batch_id}")
    assert status == 200 and view["confirmation_state"] == "complete", view
    assert view["progress"] == {"in_batch": 0, "printed": 0, "posted": 2, "returned": 1, "failed": 0}
    # The sender sees the outcome too.
    _, letter_view = await house.api.call("GET", f"/v1/letters/{ids[2]}")
    assert letter_view["status"] == "returned", letter_view


async def test_a_bad_answer_changes_nothing_and_names_each_bad_entry(house: SimpleNamespace) -> None:
    await drain(house)
    ids = await paper_letters(house, 2)
    batch_id = await close_batch(house, ids)
    path = f"/v1/print-batches/{batch_id}/confirmations"

    # Unreadable entries (CSV): the rows are named, RFC 7111 style.
    bad_csv = (f"letter_id,status,reason\n{ids[0]},posted,\n{ids[1]},lost,\nnot-a-uuid,posted,\n"
               f"{ids[1]},returned,\n").encode()
    status, problem = await call(house, "POST", path, data=bad_csv, headers={"Content-Type": "text/csv"})
    assert status == 422, problem
    assert [e["pointer"] for e in problem["errors"]] == ["row=3", "row=4", "row=5"]
    assert "status must be one of" in problem["errors"][0]["detail"]
    assert "needs a reason" in problem["errors"][2]["detail"]

    # Readable, but not possible (JSON): a letter of no batch of this house's, a bare list's index.
    stranger = uuid.uuid4()
    bad_json = [{"letter_id": str(ids[0]), "status": "posted"}, {"letter_id": str(stranger), "status": "posted"},
                {"letter_id": str(ids[1]), "status": "printed", "batch_id": "PB-19990101-1730"}]
    status, problem = await call(house, "POST", path, json=bad_json)
    assert status == 422, problem
    assert [e["pointer"] for e in problem["errors"]] == ["/1", "/2"]
    assert f"letter {stranger} is not in batch {batch_id}" in problem["errors"][0]["detail"]
    status, problem = await call(house, "POST", path, json={"letters": bad_json[1:2]})
    assert status == 422 and [e["pointer"] for e in problem["errors"]] == ["/letters/0"], problem
    status, problem = await call(house, "POST", path, json={"letters": []})
    assert status == 422 and problem["errors"][0]["pointer"] == "", problem
    # What the database or the csv module would choke on is a 422 too, never a 500.
    nul = [{"letter_id": str(ids[1]), "status": "returned", "reason": "moved\u0000"}]
    status, problem = await call(house, "POST", path, json=nul)
    assert status == 422 and problem["errors"][0]["pointer"] == "/0", problem
    huge_cell = f"letter_id,status,reason\n{ids[1]},returned,{'x' * 200_000}\n".encode()
    status, problem = await call(house, "POST", path, data=huge_cell, headers={"Content-Type": "text/csv"})
    assert status == 422 and problem["errors"][0]["pointer"] == "row=2", problem
    status, problem = await call(house, "POST", path, json=[{"letter_id": str(ids[1]), "status": "posted",
                                                            "at": "0001-01-01T00:00:00+05:00"}])
    assert status == 422 and "out of range" in problem["errors"][0]["detail"], problem

    # Nothing of it was recorded: the good first entry neither.
    rows = await letter_rows(house.pool, ids)
    assert {r["paper_state"] for r in rows.values()} == {"in_batch"}
    assert await outbox_events(house.pool, ids, "LetterPrinted", "LetterPosted", "LetterReturned") == []
    status, problem = await call(house, "POST", path, data=b"x", headers={"Content-Type": "text/plain"})
    assert status == 415, problem


async def test_a_batch_is_seen_only_by_the_print_house_of_every_letter_in_it(house: SimpleNamespace) -> None:
    await drain(house)
    ids = await paper_letters(house, 1)
    own = await close_batch(house, ids)
    mixed_ids = [*await paper_letters(house, 1), *await paper_letters(house, 1, ETTERBEEK)]
    mixed = await close_batch(house, mixed_ids)
    answer = {"letters": [{"letter_id": str(ids[0]), "status": "printed"}]}

    async def listed(who: str = MECHELEN, key: str | None = None) -> set[str]:
        status, body = await call(house, "GET", "/v1/print-batches?limit=200", who, key=key)
        assert status == 200, body
        return {b["batch_id"] for b in body["batches"]}

    assert own in await listed() and mixed not in await listed()
    assert {own, mixed} <= await listed("operator")
    assert own not in await listed(ETTERBEEK) and mixed not in await listed(ETTERBEEK)
    # Another municipality's print house: the batch is unknown to it, whatever it asks.
    for who, batch in ((ETTERBEEK, own), (MECHELEN, mixed), (ETTERBEEK, mixed)):
        for method, path, body in (("GET", f"/v1/print-batches/{batch}", None),
                                   ("GET", f"/v1/print-batches/{batch}/files/manifest.json", None),
                                   ("POST", f"/v1/print-batches/{batch}/confirmations", answer)):
            status, problem = await call(house, method, path, who, json=body)
            assert status == 404 and problem["title"] == "Unknown print batch", (who, batch, path, problem)
    assert (await call(house, "GET", f"/v1/print-batches/{own}/files/secrets.txt"))[0] == 404
    assert (await call(house, "GET", "/v1/print-batches/.hidden/files/batch.pdf"))[0] == 404
    # A back-office key is no print house.
    backoffice = house.api.keys[MECHELEN]
    for method, path in (("GET", "/v1/print-batches"), ("GET", f"/v1/print-batches/{own}/files/batch.pdf"),
                         ("POST", f"/v1/print-batches/{own}/confirmations")):
        status, problem = await call(house, method, path, key=backoffice, json=answer)
        assert status == 403, problem
    # The operator may confirm for any batch; nothing above changed the letter.
    assert (await letter_rows(house.pool, ids))[ids[0]]["paper_state"] == "in_batch"
    status, result = await call(house, "POST", f"/v1/print-batches/{own}/confirmations", "operator", json=answer)
    assert status == 200 and result["recorded"]["printed"] == 1, result


async def test_schemathesis_finds_no_server_error_with_a_print_house_key(house: SimpleNamespace,
                                                                         tmp_path: Path) -> None:
    """The whole-API fuzz test runs with a back-office key (403 here): this one gets past the role
    check, with a real batch the fuzzer may stumble on."""
    await drain(house)
    await close_batch(house, await paper_letters(house, 1))
    code, text = await run_schemathesis(f"{house.api.base}/docs/openapi.json",
                                        {"Authorization": f"Bearer {house.keys[MECHELEN]}"}, 20261202, tmp_path,
                                        max_examples=30, request_timeout_s=20, extra=("--include-tag", "print house"))
    assert code == 0, text[-8000:]
    assert "/v1/print-batches/{batch_id}/confirmations" in text  # it really exercised them
