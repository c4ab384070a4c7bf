"""Batch files: sorted by postcode, one entry per letter, checksums, atomic and idempotent."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import uuid
from pathlib import Path

from pypdf import PdfReader

from services.contracts.values import PostalAddress
from services.ebox_bridge.paper import BatchLetter, compose_print_pdf, write_batch
from services.ebox_bridge.sender_block import SenderBlock
from tests.support.letters import letter_pdf

CUTOFF = dt.datetime(2026, 3, 29, 15, 30, tzinfo=dt.UTC)
SENDER = SenderBlock("Stad Mechelen", ("Grote Markt 21", "2800 Mechelen"))


def letter(postcode: str, pages: int = 1) -> BatchLetter:
    address = PostalAddress(name="A", street="Straat", number="1", postcode=postcode, municipality="Gemeente")
    letter_id = uuid.uuid4()
    pdf, total = compose_print_pdf(letter_id, str(letter_id), address, SENDER, letter_pdf(pages), "nl")
    return BatchLetter(letter_id, address, "non_prior", pdf, total)


def test_batch_is_sorted_by_postcode_and_complete(tmp_path: Path) -> None:
    letters = [letter("9000"), letter("1000", pages=2), letter("2800")]
    files = write_batch(tmp_path, "PB-20260329-1730", CUTOFF, letters)
    manifest = json.loads((files.directory / "manifest.json").read_text())
    assert [e["postcode"] for e in manifest["letters"]] == ["1000", "2800", "9000"]
    assert manifest["letter_count"] == 3 and manifest["page_count"] == 3 + 2 + 2
    assert [e["first_page"] for e in manifest["letters"]] == [1, 4, 6]
    by_id = {str(b.letter_id): b for b in letters}
    for entry in manifest["letters"]:
        assert entry["sha256"] == hashlib.sha256(by_id[entry["letter_id"]].print_pdf).hexdigest()
    rows = list(csv.DictReader(io.StringIO((files.directory / "manifest.csv").read_text())))
    assert [r["letter_id"] for r in rows] == [e["letter_id"] for e in manifest["letters"]]
    assert len(PdfReader(files.directory / "batch.pdf").pages) == 7
    assert files.manifest_sha256 == hashlib.sha256((files.directory / "manifest.json").read_bytes()).hexdigest()


def test_rerun_returns_the_existing_batch_and_cleans_a_crash_leftover(tmp_path: Path) -> None:
    leftover = tmp_path / ".PB-1.partial"
    leftover.mkdir(parents=True)
    (leftover / "batch.pdf").write_bytes(b"half written")
    first = write_batch(tmp_path, "PB-1", CUTOFF, [letter("1000")])
    assert not leftover.exists()
    again = write_batch(tmp_path, "PB-1", CUTOFF, [letter("2000"), letter("3000")])
    assert again == first  # the files of a closed batch never change
    assert sorted(p.name for p in tmp_path.iterdir()) == ["PB-1"]
