"""Finding 1 of issue 15, end to end: a running bridge reads `document_ref`s only from its
document root. `file:///dev/zero` and a predictable print-batch path are dead-lettered with
their reason (nothing read, no letter row), while a letter from the root is delivered and the
good letters around the bad ones keep flowing."""

from __future__ import annotations

import hashlib
import json
import uuid

from loket.contracts import topics
from services.ebox_bridge.app import NAME
from services.ebox_bridge.ebox_client.credentials import write_self_signed_keypair
from tests.integration.test_bridge_bad_input import dead_letters_by_case, raw_letter
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


async def test_document_refs_are_read_only_from_the_document_root(database_url, bus_url, pool, tmp_path) -> None:  # type: ignore[no-untyped-def]
    key, cert = write_self_signed_keypair(tmp_path / "keys", "bridge", valid_days=1)
    await install_test_policy(pool)
    data = tmp_path / "data"
    documents, spool = data / "documents", data / "print-spool"
    documents.mkdir(parents=True)
    # Another municipality's closed print batch, at the path anyone can guess.
    (spool / "PB-20260329-1730").mkdir(parents=True)
    (spool / "PB-20260329-1730" / "batch.pdf").write_bytes(letter_pdf(4))
    (documents / "escape.pdf").symlink_to(spool / "PB-20260329-1730" / "batch.pdf")
    pdf = letter_pdf(3)
    (documents / "tax-2026.pdf").write_bytes(pdf)
    people = Population(start=23_000)
    good = letter_issued(people.take(True), pdf_base64=None, document_ref=(documents / "tax-2026.pdf").as_uri(),
                         sha256=hashlib.sha256(pdf).hexdigest())
    inline = [letter_issued(people.take(i % 2 == 0)) for i in range(3)]
    bad = {
        "dev_zero": (raw_letter(pdf_base64=None, document_ref="file:///dev/zero"), "outside the bridge's document root"),
        "batch_path": (raw_letter(pdf_base64=None, document_ref=(spool / "PB-20260329-1730" / "batch.pdf").as_uri()),
                       "outside the bridge's document root"),
        "symlink": (raw_letter(pdf_base64=None, document_ref=(documents / "escape.pdf").as_uri()),
                    "outside the bridge's document root"),
        "dotdot": (raw_letter(pdf_base64=None, document_ref=f"file://{documents}/../print-spool/x.pdf"),
                   "outside the bridge's document root"),
        "https_elsewhere": (raw_letter(pdf_base64=None, document_ref="https://attacker.example/x.pdf"),
                            "not one of the bridge's document hosts"),
    }
    async with simulator(cert) as sim:
        settings = bridge_settings(database_url, bus_url, sim, key, cert, spool, document_root=documents,
                                   document_hosts=["docs.example.be"])
        async with running_bridge(settings), publisher(bus_url) as bus:
            for i, (name, (event, _)) in enumerate(bad.items()):
                await bus.publish_raw(topics.LETTERS_ISSUED, name, str(uuid.uuid4()), json.dumps(event).encode(),
                                      {"x-test-case": name})
                if i < len(inline):
                    await bus.publish(inline[i])
            await bus.publish(good)
            ids = [good.payload.letter_id, *(e.payload.letter_id for e in inline)]
            rows = await wait_for_letters(pool, ids, settled, timeout=90)
            reasons = await dead_letters_by_case(bus_url, set(bad), timeout=60)
            accepted = await sim.accepted_by_key()
    assert set(reasons) == set(bad), f"missing from the DLQ: {set(bad) - set(reasons)}"
    for name, (_, fragment) in bad.items():
        assert fragment in reasons[name], (name, reasons[name])
    assert rows[good.payload.letter_id]["ebox_state"] == "delivered_to_ebox"
    assert accepted[str(good.payload.letter_id)] == 1
    stored = await pool.fetchrow(f"SELECT pdf, pages FROM {NAME}.letters WHERE letter_id = $1", good.payload.letter_id)
    assert (bytes(stored["pdf"]), stored["pages"]) == (pdf, 3)
    refused = [uuid.UUID(e["payload"]["letter_id"]) for e, _ in bad.values()]
    assert await pool.fetchval(f"SELECT count(*) FROM {NAME}.letters WHERE letter_id = ANY($1::uuid[])", refused) == 0
