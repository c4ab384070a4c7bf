"""A print batch's files in the spool: the merged PDF and its manifest (JSON and CSV), sorted by
postcode for bpost's sorting discount, written atomically.

Everything is written into a hidden temporary directory next to the final one, synced, then
renamed into place: the print house either sees a complete batch or none. Re-running for a
batch that is complete returns it unchanged (the files are a pure function of the batch).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import os
import shutil
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from uuid import UUID

from pypdf import PdfReader, PdfWriter

from services.contracts.values import PostalAddress
from services.ebox_bridge.paper.layout import address_lines

MANIFEST_FIELDS = ("letter_id", "postcode", "country", "pages", "first_page", "postage_class", "sha256", "address")


@dataclass(frozen=True)
class BatchLetter:
    letter_id: UUID
    address: PostalAddress
    postage_class: str
    print_pdf: bytes
    pages: int


@dataclass(frozen=True)
class BatchFiles:
    directory: Path
    manifest_sha256: str
    letter_count: int
    page_count: int


def write_batch(spool_dir: Path, batch_id: str, cutoff_at: dt.datetime, letters: Iterable[BatchLetter]) -> BatchFiles:
    final = spool_dir / batch_id
    if (final / "manifest.json").exists():
        return _existing(final)
    spool_dir.mkdir(parents=True, exist_ok=True)
    temp = spool_dir / f".{batch_id}.partial"
    shutil.rmtree(temp, ignore_errors=True)  # a crash's leftover
    temp.mkdir()
    ordered = sorted(letters, key=lambda b: (b.address.country != "BE", b.address.postcode, str(b.letter_id)))
    entries, merged = [], PdfWriter()
    page = 1
    for letter in ordered:
        merged.append(PdfReader(io.BytesIO(letter.print_pdf)))
        entries.append({
            "letter_id": str(letter.letter_id),
            "postcode": letter.address.postcode,
            "country": letter.address.country,
            "pages": letter.pages,
            "first_page": page,
            "postage_class": letter.postage_class,
            "sha256": hashlib.sha256(letter.print_pdf).hexdigest(),
            "address_lines": address_lines(letter.address),
        })
        page += letter.pages
    with (temp / "batch.pdf").open("wb") as out:
        merged.write(out)
    manifest = {
        "batch_id": batch_id,
        "cutoff_at": cutoff_at.astimezone(dt.UTC).isoformat(),
        "letter_count": len(entries),
        "page_count": page - 1,
        "postage": dict(sorted(Counter(e["postage_class"] for e in entries).items())),
        "letters": entries,
    }
    manifest_bytes = json.dumps(manifest, indent=2, ensure_ascii=False).encode()
    (temp / "manifest.json").write_bytes(manifest_bytes)
    (temp / "manifest.csv").write_text(_csv(entries), encoding="utf-8")
    _sync(temp)
    os.replace(temp, final)
    _fsync_dir(spool_dir)
    return BatchFiles(final, hashlib.sha256(manifest_bytes).hexdigest(), len(entries), page - 1)


def _csv(entries: list[dict]) -> str:  # type: ignore[type-arg]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(MANIFEST_FIELDS)
    for e in entries:
        writer.writerow([*(e[f] for f in MANIFEST_FIELDS[:-1]), " | ".join(e["address_lines"])])
    return out.getvalue()


def _existing(final: Path) -> BatchFiles:
    data = (final / "manifest.json").read_bytes()
    manifest = json.loads(data)
    return BatchFiles(final, hashlib.sha256(data).hexdigest(), manifest["letter_count"], manifest["page_count"])


def _sync(directory: Path) -> None:
    for path in directory.iterdir():
        with path.open("rb") as f:
            os.fsync(f.fileno())
    _fsync_dir(directory)


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
