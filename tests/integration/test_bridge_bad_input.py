"""Bad input: every invalid letter ends in the DLQ with a precise reason; good letters keep
flowing; a re-issued letter is ignored, a conflicting one is refused."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import time
import uuid
from pathlib import Path
from typing import Any

import asyncpg

from loket.contracts import topics
from loket.contracts.topics import dlq_topic
from loket.infra.bus.headers import DLQ_REASON as REASON_HEADER
from services.ebox_bridge.app import NAME
from services.ebox_bridge.ebox_client.credentials import write_self_signed_keypair
from tests.support.bridge_harness import (
    bridge_settings,
    install_test_policy,
    publisher,
    running_bridge,
    settled,
    simulator,
    wait_for_letters,
)
from tests.support.letters import Population, letter_issued, letter_pdf
from tests.support.stream_reader import read_subject


def raw_letter(**payload: Any) -> dict[str, Any]:
    """A LetterIssued as JSON, so the test can send what the contract model would refuse."""
    event = json.loads(letter_issued(Population(start=20_000).take(True)).to_bytes())
    event["payload"].update(payload)
    return event


BAD_PDF = b"%PDF-1.4\nthis is no PDF structure at all\n"


def cases(tmp_path: Path) -> dict[str, tuple[dict[str, Any], str]]:
    """name → (event JSON, expected fragment of the DLQ reason)."""
    # Referenced documents come only from the bridge's document root (the test's tmp_path).
    big = tmp_path / "big.pdf"
    big.write_bytes(b"%PDF-1.4\n" + b"0" * (21 * 1024 * 1024))
    other_pdf = base64.b64encode(letter_pdf(1)).decode()
    return {
        "bad_nn": (raw_letter(recipient_national_number="12345678901"), "recipient_national_number"),
        "unknown_municipality": (raw_letter(municipality="99999"), "unknown municipality 99999"),
        "not_onboarded": (raw_letter(municipality="11001"), "not onboarded"),
        "unknown_department": (raw_letter(department="parking"), "unknown department 'parking'"),
        "unknown_document_type": (raw_letter(document_type="love_letter"), "unknown document type 'love_letter'"),
        "language": (raw_letter(language="fr"), "language 'fr' is not allowed for municipality 12025"),
        "empty_subject": (raw_letter(subject="  "), "subject"),
        "long_subject": (raw_letter(subject="x" * 401), "subject"),
        "not_pdf": (raw_letter(pdf_base64=base64.b64encode(b"GIF89a...").decode()), "does not decode to a PDF"),
        "unreadable_pdf": (raw_letter(pdf_base64=base64.b64encode(BAD_PDF).decode()), "not a readable PDF"),
        "too_large": (raw_letter(pdf_base64=None, document_ref=big.as_uri()), "more than the limit"),
        "digest": (raw_letter(pdf_base64=other_pdf, sha256=hashlib.sha256(b"x").hexdigest()), "sha256 does not match"),
        "no_address": (raw_letter(postal_address=None), "postal_address is required"),
        "not_json": ({"__raw__": "{not json"}, "JSON"),
    }


async def test_each_invalid_letter_is_dead_lettered_with_its_reason(database_url, bus_url, pool, tmp_path) -> None:  # type: ignore[no-untyped-def]
    key, cert = write_self_signed_keypair(tmp_path / "keys", "bridge", valid_days=1)
    await install_test_policy(pool)
    bad = cases(tmp_path)
    people = Population(start=21_000)
    good = [letter_issued(people.take(i % 2 == 0)) for i in range(6)]
    async with simulator(cert) as sim:
        settings = bridge_settings(database_url, bus_url, sim, key, cert, tmp_path / "spool", document_root=tmp_path)
        async with running_bridge(settings), publisher(bus_url) as bus:
            # Good and bad interleaved: the bad ones must not hold the good ones back.
            for i, (name, (event, _)) in enumerate(bad.items()):
                body = event["__raw__"].encode() if "__raw__" in event else json.dumps(event).encode()
                await bus.publish_raw(topics.LETTERS_ISSUED, name, str(uuid.uuid4()), body, {"x-test-case": name})
                if i < len(good):
                    await bus.publish(good[i])
            rows = await wait_for_letters(pool, [g.payload.letter_id for g in good], settled)
            reasons = await dead_letters_by_case(bus_url, set(bad), timeout=30)
    assert set(reasons) == set(bad), f"missing from the DLQ: {set(bad) - set(reasons)}"
    for name, (_, fragment) in bad.items():
        assert fragment in reasons[name], (name, reasons[name])
        assert "12345678901" not in reasons[name]  # national numbers never in a reason
    assert len(rows) == len(good)
    # None of the refused letters left a row behind.
    refused_ids = [uuid.UUID(e["payload"]["letter_id"]) for e, _ in bad.values() if "payload" in e]
    assert await pool.fetchval(f"SELECT count(*) FROM {NAME}.letters WHERE letter_id = ANY($1::uuid[])", refused_ids) == 0


async def dead_letters_by_case(bus_url: str, wanted: set[str], timeout: float) -> dict[str, str]:
    deadline = time.monotonic() + timeout
    while True:
        found = {}
        for _, headers in await read_subject(bus_url, dlq_topic(topics.LETTERS_ISSUED)):
            case = json.loads(headers.get("x-loket-original-headers", "{}")).get("x-test-case")
            if case in wanted:
                found[case] = headers.get(REASON_HEADER, "")
        if set(found) == wanted or time.monotonic() > deadline:
            return found
        await asyncio.sleep(0.2)


async def test_reissue_is_idempotent_and_a_conflict_is_refused(database_url, bus_url, pool: asyncpg.Pool, tmp_path) -> None:  # type: ignore[no-untyped-def]
    key, cert = write_self_signed_keypair(tmp_path / "keys", "bridge", valid_days=1)
    await install_test_policy(pool)
    original = letter_issued(Population(start=22_000).take(True))
    same_again = original.model_copy(update={"event_id": uuid.uuid4()})  # a back-office retry
    conflict = original.model_copy(update={
        "event_id": uuid.uuid4(), "payload": original.payload.model_copy(update={"subject": "Another letter"}),
    })
    async with simulator(cert) as sim:
        settings = bridge_settings(database_url, bus_url, sim, key, cert, tmp_path / "spool")
        async with running_bridge(settings), publisher(bus_url) as bus:
            await bus.publish(original)
            await wait_for_letters(pool, [original.payload.letter_id], settled)
            await bus.publish(same_again)
            await bus.publish_raw(topics.LETTERS_ISSUED, "c", str(conflict.event_id), conflict.to_bytes(), {"x-test-case": "conflict"})
            reasons = await dead_letters_by_case(bus_url, {"conflict"}, timeout=20)
            accepted = await sim.accepted_by_key()
    assert "already issued with different content" in reasons["conflict"]
    assert accepted[str(original.payload.letter_id)] == 1
    history = await pool.fetchval(
        f"SELECT count(*) FROM {NAME}.letter_history WHERE letter_id = $1 AND to_state = 'received'",
        original.payload.letter_id,
    )
    assert history == 1
