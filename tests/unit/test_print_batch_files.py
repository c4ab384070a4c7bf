"""Batch files: sorted by postcode, one entry per letter, checksums, CSV = JSON, atomic and
idempotent, and no data the print house does not need."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import os
import time
import uuid
from pathlib import Path

import pytest
from pypdf import PdfReader

from loket.contracts.values import PostalAddress
from services.ebox_bridge.paper import BatchLetter, compose_print_pdf, write_batch
from services.ebox_bridge.paper.batch_files import BatchFiles
from services.ebox_bridge.sender_block import SenderBlock
from tests.support.letters import letter_pdf

CUTOFF = dt.datetime(2026, 3, 29, 15, 30, tzinfo=dt.UTC)
SENDER = SenderBlock("Stad Mechelen", ("Grote Markt 21", "2800 Mechelen"))


def letter(postcode: str, pages: int = 1, country: str = "BE", postage: str = "non_prior", letter_id: uuid.UUID | None = None) -> BatchLetter:
    address = PostalAddress(name=f"Bewoner {postcode}", street="Straat", number="1", box="2", postcode=postcode, municipality="Gemeente", country=country)
    letter_id = letter_id or uuid.uuid4()
    pdf, total = compose_print_pdf(letter_id, str(letter_id), address, SENDER, letter_pdf(pages), "nl")
    return BatchLetter(letter_id, address, postage, pdf, total)


def read(files_dir: Path) -> tuple[dict, list[dict[str, str]]]:  # type: ignore[type-arg]
    manifest = json.loads((files_dir / "manifest.json").read_text(encoding="utf-8"))
    rows = list(csv.DictReader(io.StringIO((files_dir / "manifest.csv").read_text(encoding="utf-8"))))
    return manifest, rows


def test_batch_is_sorted_by_postcode_with_letters_abroad_last(tmp_path: Path) -> None:
    low, high = sorted([uuid.uuid4(), uuid.uuid4()])
    letters = [
        letter("75001", country="FR"), letter("9000"), letter("1000", pages=2, letter_id=high),
        letter("2800", postage="prior"), letter("1000", letter_id=low), letter("1012", country="NL"),
    ]
    files = write_batch(tmp_path, "PB-20260329-1730", CUTOFF, letters)
    manifest, _ = read(files.directory)
    assert [(e["country"], e["postcode"]) for e in manifest["letters"]] == [
        ("BE", "1000"), ("BE", "1000"), ("BE", "2800"), ("BE", "9000"), ("FR", "75001"), ("NL", "1012"),
    ]
    # Same postcode: the letter id decides, so the files do not depend on the input order.
    assert [e["letter_id"] for e in manifest["letters"][:2]] == [str(low), str(high)]


def test_counts_first_pages_checksums_and_the_merged_pdf_agree(tmp_path: Path) -> None:
    letters = [letter("9000"), letter("1000", pages=2), letter("2800", postage="registered")]
    files = write_batch(tmp_path, "PB-20260329-1730", CUTOFF, letters)
    manifest, _ = read(files.directory)
    assert (files.letter_count, files.page_count) == (3, 3 + 2 + 2)
    assert (manifest["letter_count"], manifest["page_count"]) == (3, 7)
    assert manifest["postage"] == {"non_prior": {"letters": 2, "pages": 5}, "registered": {"letters": 1, "pages": 2}}
    assert manifest["batch_id"] == "PB-20260329-1730" and manifest["cutoff_at"] == "2026-03-29T15:30:00+00:00"
    assert dt.datetime.fromisoformat(manifest["created_at"]).tzinfo is not None
    assert [e["first_page"] for e in manifest["letters"]] == [1, 4, 6]
    by_id = {str(b.letter_id): b for b in letters}
    merged = PdfReader(files.directory / "batch.pdf")
    assert len(merged.pages) == 7
    for entry in manifest["letters"]:
        assert entry["sha256"] == hashlib.sha256(by_id[entry["letter_id"]].print_pdf).hexdigest()
        # Each letter's cover page sits at its first_page, with its own address on it.
        cover = merged.pages[entry["first_page"] - 1].extract_text()
        assert f"Bewoner {entry['postcode']}" in cover and entry["letter_id"].upper() in cover
    assert files.manifest_sha256 == hashlib.sha256((files.directory / "manifest.json").read_bytes()).hexdigest()


def test_csv_and_json_hold_the_same_rows(tmp_path: Path) -> None:
    files = write_batch(tmp_path, "PB-1", CUTOFF, [letter("9000"), letter("75001", country="FR", pages=3), letter("1000")])
    manifest, rows = read(files.directory)
    assert len(rows) == len(manifest["letters"]) == 3
    assert rows[2]["country"] == "FR" and rows[2]["address_line_4"] == "FRANCE" and rows[2]["address_line_5"] == ""
    for row, entry in zip(rows, manifest["letters"], strict=True):
        lines = [row.pop(f"address_line_{i}") for i in range(1, 7)]
        assert [line for line in lines if line] == entry.pop("address_lines")
        assert row == {key: str(value) for key, value in entry.items()}


def test_the_manifest_holds_only_what_printing_needs(tmp_path: Path) -> None:
    files = write_batch(tmp_path, "PB-1", CUTOFF, [letter("1000")])
    manifest, rows = read(files.directory)
    assert set(manifest) == {"batch_id", "cutoff_at", "created_at", "letter_count", "page_count", "postage", "letters"}
    assert set(manifest["letters"][0]) == {"letter_id", "address_lines", "postcode", "country", "pages", "first_page", "postage_class", "sha256"}
    assert set(rows[0]) == {"letter_id", "postcode", "country", "pages", "first_page", "postage_class", "sha256"} | {f"address_line_{i}" for i in range(1, 7)}


def test_rerun_returns_the_existing_batch_and_cleans_a_crash_leftover(tmp_path: Path) -> None:
    leftover = tmp_path / ".PB-1.partial"
    leftover.mkdir(parents=True)
    (leftover / "batch.pdf").write_bytes(b"half written")
    an_hour_ago = time.time() - 3600
    os.utime(leftover, (an_hour_ago, an_hour_ago))
    first = write_batch(tmp_path, "PB-1", CUTOFF, [letter("1000")])
    assert not leftover.exists()
    written = {p.name: p.read_bytes() for p in first.directory.iterdir()}
    assert set(written) == {"batch.pdf", "manifest.json", "manifest.csv"}
    # A crash after the rename but before the database noticed: the re-run changes nothing.
    again = write_batch(tmp_path, "PB-1", CUTOFF, [letter("2000"), letter("3000")])
    assert again == first
    assert {p.name: p.read_bytes() for p in again.directory.iterdir()} == written
    assert sorted(p.name for p in tmp_path.iterdir()) == ["PB-1"]


def test_a_crash_before_the_rename_leaves_no_batch_and_the_rerun_writes_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import services.ebox_bridge.paper.batch_files as batch_files

    def crash(*_args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(batch_files.os, "rename", crash)
    with pytest.raises(OSError, match="disk full"):
        write_batch(tmp_path, "PB-1", CUTOFF, [letter("1000")])
    assert not (tmp_path / "PB-1").exists()  # the print house sees nothing half-written
    monkeypatch.undo()
    files = write_batch(tmp_path, "PB-1", CUTOFF, [letter("1000")])
    assert files.letter_count == 1 and sorted(p.name for p in tmp_path.iterdir()) == ["PB-1"]


def test_inconsistent_input_is_refused(tmp_path: Path) -> None:
    one = letter("1000")
    with pytest.raises(ValueError, match="twice"):
        write_batch(tmp_path, "PB-1", CUTOFF, [one, one])
    lying = BatchLetter(one.letter_id, one.address, "non_prior", one.print_pdf, one.pages + 1)
    with pytest.raises(ValueError, match="pages"):
        write_batch(tmp_path, "PB-2", CUTOFF, [lying])
    for bad in ("../escape", "a/b", ".hidden", ""):
        with pytest.raises(ValueError, match="batch_id"):
            write_batch(tmp_path, bad, CUTOFF, [one])
    assert list(tmp_path.iterdir()) == []  # nothing half-written stays behind


def test_an_address_line_a_spreadsheet_would_run_stays_text_in_the_csv(tmp_path: Path) -> None:
    address = PostalAddress(name='=HYPERLINK("http://evil.example","click")', street="@SUM(A1)", number="1",
                            postcode="2800", municipality="Mechelen", country="BE")
    letter_id = uuid.uuid4()
    pdf, total = compose_print_pdf(letter_id, str(letter_id), address, SENDER, letter_pdf(1), "nl")
    files = write_batch(tmp_path, "PB-1", CUTOFF, [BatchLetter(letter_id, address, "non_prior", pdf, total)])
    manifest, rows = read(files.directory)
    cells = [v for v in rows[0].values() if v]
    assert "'=HYPERLINK(\"http://evil.example\",\"click\")" in cells
    assert not [c for c in cells if c.startswith(("=", "+", "-", "@"))]
    assert manifest["letters"][0]["address_lines"][0].startswith("=HYPERLINK")  # JSON keeps the data as it is


def test_another_writers_folder_at_work_is_left_alone(tmp_path: Path) -> None:
    at_work = tmp_path / ".PB-1.partial"  # young: a writer is at it (a crash's leftover is older)
    at_work.mkdir(parents=True)
    (at_work / "batch.pdf").write_bytes(b"being written right now")
    write_batch(tmp_path, "PB-1", CUTOFF, [letter("1000")])
    assert (at_work / "batch.pdf").read_bytes() == b"being written right now"


def test_two_writers_at_once_leave_the_first_ones_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The second writer composes while the first renames its folder into place: the second's
    rename finds the batch there, keeps it and drops its own folder."""
    import services.ebox_bridge.paper.batch_files as batch_files

    real_sync = batch_files._sync
    first: list[BatchFiles] = []

    def first_finishes_meanwhile(directory: Path) -> None:
        real_sync(directory)
        if not first:
            monkeypatch.setattr(batch_files, "_sync", real_sync)
            first.append(write_batch(tmp_path, "PB-1", CUTOFF, [letter("1000")], created_at=CUTOFF))

    monkeypatch.setattr(batch_files, "_sync", first_finishes_meanwhile)
    second = write_batch(tmp_path, "PB-1", CUTOFF, [letter("1000")], created_at=CUTOFF + dt.timedelta(seconds=1))
    assert second == first[0]
    assert json.loads((tmp_path / "PB-1" / "manifest.json").read_text())["created_at"] == CUTOFF.isoformat()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["PB-1"]
