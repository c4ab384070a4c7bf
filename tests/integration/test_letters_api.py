"""The letters API over real HTTP: the bridge served by uvicorn on the embedded PostgreSQL and
NATS, against the eBox simulator; letters go through the outbox, NATS and intake."""

from __future__ import annotations

import asyncio
import base64
import uuid
from pathlib import Path

import asyncpg
import pytest
from fpdf import FPDF
from prometheus_client import CollectorRegistry

from loket.contracts import topics
from loket.contracts.topics import dlq_topic
from loket.contracts.values import utc_now
from loket.infra.bus.headers import DLQ_REASON as REASON_HEADER
from services.ebox_bridge.app import NAME
from services.ebox_bridge.domain.letter_rules import MAX_PAGES
from services.ebox_bridge.metrics import BridgeMetrics
from services.ebox_bridge.paper_senders import PaperSenders
from services.ebox_bridge.policy_holder import PolicyHolder
from services.ebox_bridge.print_batcher import PrintBatcher
from services.ebox_bridge.settings import EboxBridgeSettings
from tests.support.bridge_harness import (
    POLICY,
    bridge_settings,
    next_print_cutoff,
    publish,
    status_events,
)
from tests.support.fake_letters import FixedTenants
from tests.support.letters import ADDRESS, Companies, Population, letter_issued, letter_pdf
from tests.support.letters_api import (
    ETTERBEEK,
    MECHELEN,
    Api,
    eventually,
    letter,
    letters_api,
    make_key,
)
from tests.support.stream_reader import read_subject

PEOPLE = Population(start=5000)


async def issued_events(pool: asyncpg.Pool, letter_id: str) -> int:
    """LetterIssued events the API wrote for the letter (its status events share the key)."""
    return await pool.fetchval("SELECT count(*) FROM ebox_bridge.outbox WHERE key = $1 AND event_type = 'LetterIssued'",
                               letter_id)


def us_letter_pdf() -> bytes:
    pdf = FPDF(format="Letter")
    pdf.add_page()
    return bytes(pdf.output())


@pytest.fixture
async def api(database_url: str, bus_url: str, sim, keys, pool: asyncpg.Pool, tmp_path: Path):  # type: ignore[no-untyped-def]
    settings = bridge_settings(database_url, bus_url, sim, keys.key, keys.cert, tmp_path / "spool")
    async with letters_api(pool, settings) as api:
        yield api


async def settled_status(api: Api, letter_id: str, wanted: set[str]) -> dict:
    async def probe() -> dict | None:
        status, body = await api.call("GET", f"/v1/letters/{letter_id}")
        assert status == 200, body
        return body if body["status"] in wanted else None
    return await eventually(probe, what=f"letter {letter_id} in {wanted}")


async def test_a_letter_is_accepted_then_reaches_the_ebox(api: Api) -> None:
    status, body = await api.call("POST", "/v1/letters",
                                  json=letter(PEOPLE.take(True), sender_reference="INV-1"))
    assert status == 202, body
    assert body["status"] == "accepted"
    assert body["status_url"] == f"{api.base}/v1/letters/{body['letter_id']}"
    view = await settled_status(api, body["letter_id"], {"delivered_to_ebox"})
    assert view["channels"]["ebox"]["message_id"] and view["ebox_message_id"] == view["channels"]["ebox"]["message_id"]
    assert view["sender_reference"] == "INV-1"
    # The sender's department and document type, as it sent them (tests/support/letters_api.py).
    assert (view["department"], view["document_type"]) == ("finance", "invoice")
    assert [(h["channel"], h["to_state"]) for h in view["history"]][:2] == [("letter", "received"), ("letter", "routed")]
    assert all(h["at"] for h in view["history"])


async def test_a_letter_not_digital_goes_to_paper(api: Api) -> None:
    status, body = await api.call("POST", "/v1/letters", json=letter(PEOPLE.take(False)))
    assert status == 202, body
    view = await settled_status(api, body["letter_id"], {"queued_for_print"})
    assert view["channels"]["ebox"]["state"] == "not_digital"
    assert view["channels"]["paper"] == {"state": "queued_for_print", "reason": "no_digital_user", "print_batch": None}


async def test_a_letter_to_a_company_is_accepted_then_reaches_its_ebox(api: Api, sim) -> None:  # type: ignore[no-untyped-def]
    number = Companies(start=52_000).take(True)
    request = {k: v for k, v in letter("", recipient={"kind": "enterprise", "identifier": number}).items()
               if k != "recipient_national_number"}
    status, body = await api.call("POST", "/v1/letters", json=request)
    assert status == 202, body
    await settled_status(api, body["letter_id"], {"delivered_to_ebox"})
    published = (await sim.admin("GET", "/admin/received"))["messages"]
    [message] = [m for m in published if m["idempotencyKey"] == body["letter_id"]]
    assert (message["recipientKind"], message["ssin"]) == ("enterprise", number)


async def test_same_key_same_body_same_answer_other_body_409(api: Api) -> None:
    key = {"Idempotency-Key": f"k-{uuid.uuid4()}"}
    request = letter(PEOPLE.take(True))
    first = await api.call("POST", "/v1/letters", json=request, headers=key)
    again = await api.call("POST", "/v1/letters", json=request, headers=key)
    assert first[0] == again[0] == 202 and first[1] == again[1]
    other = await api.call("POST", "/v1/letters", json={**request, "subject": "Iets anders"}, headers=key)
    assert other[0] == 409 and other[1]["title"] == "Idempotency-Key reused"
    # Keys are scoped per municipality: Etterbeek may use the same key string for its own letter.
    etterbeek = await api.call("POST", "/v1/letters", ETTERBEEK, headers=key,
                               json=letter(PEOPLE.take(True), language="fr", subject="Votre facture"))
    assert etterbeek[0] == 202 and etterbeek[1]["letter_id"] != first[1]["letter_id"]


async def test_concurrent_requests_under_one_key_make_one_letter(api: Api, pool: asyncpg.Pool) -> None:
    key = {"Idempotency-Key": f"k-{uuid.uuid4()}"}
    request = letter(PEOPLE.take(True))
    answers = await asyncio.gather(*(api.call("POST", "/v1/letters", json=request, headers=key) for _ in range(5)))
    assert {a[0] for a in answers} == {202}
    assert len({a[1]["letter_id"] for a in answers}) == 1
    assert await issued_events(pool, answers[0][1]["letter_id"]) == 1


@pytest.mark.parametrize(("change", "pointer"), [
    ({"recipient_national_number": "12345678901"}, "/recipient_national_number"),
    # letters to companies (issue 18): a KBO/BCE number with wrong check digits, and both fields
    ({"recipient_national_number": None, "recipient": {"kind": "enterprise", "identifier": "0406798007"}},
     "/recipient/identifier"),
    ({"recipient": {"kind": "enterprise", "identifier": "0406798006"}}, "/recipient"),
    ({"subject": ""}, "/subject"),
    ({"language": "xx"}, "/language"),
    ({"language": "de"}, "/language"),  # valid language, not in Mechelen's regime: intake's check
    ({"department": "parking"}, "/department"),  # not in the rollout policy
    ({"document_type": "unknown_type"}, "/document_type"),
    ({"postal_address": None}, "/postal_address"),  # ebox_first may need paper
    ({"pdf_base64": "bm90IGEgcGRm"}, "/pdf_base64"),  # "not a pdf"
    ({"pdf_base64": None}, "/pdf_base64"),  # neither document
    ({"sha256": "0" * 64}, "/sha256"),
    ({"municipality": ETTERBEEK}, "/municipality"),  # not the key's municipality
    ({"unexpected": 1}, "/unexpected"),
    # text PostgreSQL cannot store: a 500 (sender_reference), or a 202 for a letter that intake
    # then dead-lettered (subject), before the API refused it at the door
    ({"sender_reference": "INV\u00002026"}, "/sender_reference"),
    ({"subject": "Uw factuur\u0000"}, "/subject"),
    ({"postal_address": {**ADDRESS, "name": "Jan\u0000"}}, "/postal_address/name"),
    # the published letter rules
    ({"postal_address": {**ADDRESS, "postcode": "1999"}}, "/postal_address/postcode"),
    ({"postal_address": {**ADDRESS, "name": "=1+1"}}, "/postal_address/name"),
    ({"pdf_base64": base64.b64encode(letter_pdf(MAX_PAGES + 1)).decode()}, "/pdf_base64"),
    ({"pdf_base64": base64.b64encode(us_letter_pdf()).decode()}, "/pdf_base64"),
])
async def test_invalid_fields_are_named_by_json_pointers(api: Api, change: dict, pointer: str) -> None:
    request = {k: v for k, v in {**letter(PEOPLE.take(True)), **change}.items() if v is not None}
    status, body = await api.call("POST", "/v1/letters", json=request)
    assert status == 422, body
    assert body["status"] == 422 and body["detail"]
    assert pointer in [e["pointer"] for e in body["errors"]], body


async def test_a_body_nested_too_deeply_is_a_400_on_every_json_endpoint(api: Api) -> None:
    deep = b"[" * 20_000 + b"]" * 20_000  # Python's parser gives up with a RecursionError (it was a 500)
    for path in ("/v1/letters", "/v1/letters/batch", "/v1/webhooks"):
        status, body = await api.call("POST", path, data=deep, headers={"Content-Type": "application/json"})
        assert status == 400, (path, body)
        assert body["detail"] == "the body nests arrays or objects too deeply", body


async def test_a_pdf_that_does_not_parse_is_refused_synchronously(api: Api) -> None:
    broken = base64.b64encode(b"%PDF-1.7\n this is no pdf at all").decode()
    status, body = await api.call("POST", "/v1/letters", json=letter(PEOPLE.take(True), pdf_base64=broken))
    assert status == 422, body
    assert body["errors"][0]["pointer"] == "/pdf_base64"


async def test_another_municipality_cannot_read_or_cancel(api: Api) -> None:
    status, body = await api.call("POST", "/v1/letters", json=letter(PEOPLE.take(True)))
    assert status == 202
    path = f"/v1/letters/{body['letter_id']}"
    assert (await api.call("GET", path, ETTERBEEK))[0] == 404
    assert (await api.call("POST", f"{path}/cancel", ETTERBEEK))[0] == 404
    unknown = await api.call("GET", f"/v1/letters/{uuid.uuid4()}", ETTERBEEK)
    assert unknown[0] == 404 and unknown[1]["title"] == "Unknown letter"
    listed = await api.call("GET", "/v1/letters", ETTERBEEK)
    assert body["letter_id"] not in [v["letter_id"] for v in listed[1]["letters"]]


async def test_without_a_key_401_and_other_roles_403(api: Api, pool: asyncpg.Pool) -> None:
    async with api.http.post(f"{api.base}/v1/letters", json={}) as r:
        assert r.status == 401
    analyst = await make_key(pool, MECHELEN, role="analyst")
    for method, path in (("POST", "/v1/letters"), ("GET", "/v1/letters"), ("GET", "/v1/webhooks")):
        async with api.http.request(method, f"{api.base}{path}", json={},
                                    headers={"Authorization": f"Bearer {analyst}"}) as r:
            assert r.status == 403, (method, path)
            assert r.headers["content-type"] == "application/problem+json"


async def test_list_filters_and_pages(api: Api) -> None:
    reference = f"REF-{uuid.uuid4()}"
    ids = set()
    for _ in range(5):
        status, body = await api.call("POST", "/v1/letters", json=letter(PEOPLE.take(False), sender_reference=reference))
        assert status == 202
        ids.add(body["letter_id"])
    for letter_id in ids:
        await settled_status(api, letter_id, {"queued_for_print"})
    seen: list[str] = []
    cursor = None
    while True:
        query = f"?sender_reference={reference}&status=queued_for_print&limit=2" + (f"&cursor={cursor}" if cursor else "")
        status, page = await api.call("GET", f"/v1/letters{query}")
        assert status == 200, page
        seen += [v["letter_id"] for v in page["letters"]]
        assert len(page["letters"]) <= 2
        if not (cursor := page["next_cursor"]):
            break
    assert sorted(seen) == sorted(ids)
    status, none = await api.call("GET", f"/v1/letters?sender_reference={reference}&status=posted")
    assert status == 200 and none["letters"] == []
    status, bad = await api.call("GET", "/v1/letters?status=lost")
    assert status == 422 and bad["errors"][0]["pointer"] == "/query/status" and bad["title"] == "Invalid query"


async def test_cancel_before_the_cutoff_and_not_after_publishing(api: Api, bus_url: str) -> None:
    status, paper = await api.call("POST", "/v1/letters", json=letter(PEOPLE.take(True), department="housing",
                                                                      document_type="permit"))
    assert status == 202
    await settled_status(api, paper["letter_id"], {"queued_for_print"})
    status, view = await api.call("POST", f"/v1/letters/{paper['letter_id']}/cancel")
    assert status == 200, view
    assert view["status"] == "cancelled" and view["channels"]["paper"]["state"] == "cancelled"
    assert (await api.call("POST", f"/v1/letters/{paper['letter_id']}/cancel"))[0] == 409
    events = (await status_events(bus_url, {uuid.UUID(paper["letter_id"])}, expected=2))[uuid.UUID(paper["letter_id"])]
    cancelled = [e for e in events if e["event_type"] == "LetterCancelled"]
    assert len(cancelled) == 1 and cancelled[0]["payload"]["channels"] == ["paper"]

    status, digital = await api.call("POST", "/v1/letters", json=letter(PEOPLE.take(True)))
    await settled_status(api, digital["letter_id"], {"delivered_to_ebox"})
    status, refused = await api.call("POST", f"/v1/letters/{digital['letter_id']}/cancel")
    assert status == 409 and "published" in refused["detail"]


async def test_a_batch_is_answered_per_item(api: Api) -> None:
    good, bad = letter(PEOPLE.take(True)), letter(PEOPLE.take(True), language="xx")
    status, body = await api.call("POST", "/v1/letters/batch", json={"letters": [good, bad, good]})
    assert status == 200, body
    assert [r["status"] for r in body["results"]] == [202, 422, 202]
    assert body["accepted"] == 2 and body["refused"] == 1
    assert body["results"][1]["problem"]["errors"][0]["pointer"] == "/letters/1/language"
    for result in (body["results"][0], body["results"][2]):
        await settled_status(api, result["letter_id"], {"delivered_to_ebox"})


async def test_the_openapi_document_describes_the_api(api: Api) -> None:
    status, document = await api.call("GET", "/docs/openapi.json")
    assert status == 200
    assert document["openapi"] == "3.1.0"
    assert {"/v1/letters", "/v1/letters/batch", "/v1/letters/{letter_id}", "/v1/letters/{letter_id}/cancel"} <= set(
        document["paths"])


async def test_the_bus_refuses_what_the_rules_refuse(api: Api, bus_url: str, pool: asyncpg.Pool) -> None:
    """One pipeline: the rules the API applies are intake's, so a letter on the bus meets them too."""
    bad = letter_issued(PEOPLE.take(True), postal_address={**ADDRESS, "postcode": "1999"})
    await publish(bus_url, [bad])

    async def dead_lettered() -> str | None:
        for body, headers in await read_subject(bus_url, dlq_topic(topics.LETTERS_ISSUED)):
            if str(bad.payload.letter_id).encode() in body:
                return headers.get(REASON_HEADER, "")
        return None

    reason = await eventually(dead_lettered, what="the letter in the DLQ")
    assert "1999 is not a Belgian postcode" in reason
    assert await pool.fetchval("SELECT count(*) FROM ebox_bridge.letters WHERE letter_id = $1",
                               bad.payload.letter_id) == 0


async def test_a_batch_replays_under_its_key_and_holds_at_most_1000(api: Api) -> None:
    key = {"Idempotency-Key": f"batch-{uuid.uuid4()}"}
    batch = {"letters": [letter(PEOPLE.take(True)), letter(PEOPLE.take(True), subject="")]}
    first = await api.call("POST", "/v1/letters/batch", json=batch, headers=key)
    again = await api.call("POST", "/v1/letters/batch", json=batch, headers=key)
    assert first[0] == 200 and first == again
    assert [r["status"] for r in first[1]["results"]] == [202, 422]
    changed = await api.call("POST", "/v1/letters/batch", json={"letters": batch["letters"][:1]}, headers=key)
    assert changed[0] == 409
    status, body = await api.call("POST", "/v1/letters/batch", json={"letters": [{}] * 1001})
    assert status == 422 and body["errors"][0]["pointer"] == "/letters"
    status, body = await api.call("POST", "/v1/letters/batch", json={"letters": []})
    assert status == 422


async def test_no_cancel_once_the_cutoff_closed_its_print_batch(api: Api, pool: asyncpg.Pool, tmp_path: Path) -> None:
    status, body = await api.call("POST", "/v1/letters", json=letter(PEOPLE.take(True), department="housing",
                                                                     document_type="permit"))
    assert status == 202
    await settled_status(api, body["letter_id"], {"queued_for_print"})
    settings = EboxBridgeSettings(policy_file=POLICY, print_spool_dir=tmp_path / "spool-cutoff")
    batcher = PrintBatcher(lambda: pool, NAME, settings, BridgeMetrics(CollectorRegistry()),
                           PaperSenders(FixedTenants(), PolicyHolder(NAME, POLICY, 60)), utc_now)
    # After the letter was queued, and after every earlier test's batch (a batch with the same
    # second, the same batch id, would make this close a no-op).
    cutoff = await next_print_cutoff(pool)
    closed = await batcher.close(cutoff, write_files=False)
    row = await pool.fetchrow(f"SELECT paper_state, paper_queued_at, batch_id FROM {NAME}.letters WHERE letter_id = $1",
                              uuid.UUID(body["letter_id"]))
    assert closed is not None, f"nothing closed at {cutoff}; the letter: {dict(row) if row else None}"
    status, refused = await api.call("POST", f"/v1/letters/{body['letter_id']}/cancel")
    assert status == 409 and "print batch" in refused["detail"], refused
    _, view = await api.call("GET", f"/v1/letters/{body['letter_id']}")
    assert view["print_batch"] == closed.batch_id and view["channels"]["paper"]["state"] == "in_batch"


async def test_racing_requests_for_one_letter_id_make_one_letter(api: Api, pool: asyncpg.Pool) -> None:
    letter_id = str(uuid.uuid4())
    base = letter(PEOPLE.take(True), letter_id=letter_id)
    requests = [{**base, "subject": subject} for subject in ("Factuur A", "Factuur B") for _ in range(3)]
    answers = await asyncio.gather(*(api.call("POST", "/v1/letters", json=r) for r in requests))
    by_subject: dict[str, set[int]] = {r["subject"]: set() for r in requests}
    for request, (status, _) in zip(requests, answers, strict=True):
        by_subject[request["subject"]].add(status)
    assert sorted(map(sorted, by_subject.values())) == [[202], [409]], by_subject
    assert await issued_events(pool, letter_id) == 1
