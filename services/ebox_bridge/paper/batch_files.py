"""A print batch's files in the spool: the merged PDF and its manifest (JSON and CSV), sorted by
postcode for bpost's sorting discount, written atomically.

Everything is written into a hidden temporary directory next to the final one, synced, then
renamed into place: the print house either sees a complete batch or none. Re-running for a
batch whose directory exists returns it unchanged (a rename only ever produces complete
directories), so a crash between writing the files and recording them is harmless. The batcher
writes a batch under a database lock; should two writers still meet (one whose lock went with
its session), each composes in its own hidden folder and the first rename wins.

The manifest holds what the print house needs to print, post and reconcile: no national
register numbers (BatchLetter does not carry them) and no letter contents.
"""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import io
import json
import os
import re
import secrets
import shutil
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import UUID

from pypdf import PdfReader, PdfWriter

from loket.contracts.values import PostalAddress
from loket.infra.csv_cells import SafeCsvWriter
from services.ebox_bridge.paper.layout import MAX_LINES, address_lines

# JSON keys of a letter entry. The CSV has the same columns in this order, except that the
# list of address lines becomes one column per line (what a print house's mail merge expects).
MANIFEST_FIELDS = (
    "letter_id", "postcode", "country", "pages", "first_page", "postage_class", "sha256", "address_lines",
)
CSV_FIELDS = (*MANIFEST_FIELDS[:-1], *(f"address_line_{i}" for i in range(1, MAX_LINES + 1)))
_BATCH_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
# Each writer composes in a folder of its own, so two writers of one batch never touch each
# other's files (a writer whose database lock went with its session may still be at work when
# the next one starts): the first rename wins, the other's folder is dropped. A partial folder
# older than this is a crash's leftover (composing a batch takes seconds) and is removed.
STALE_PARTIAL_S = 600.0


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


def _nobody(done: int, total: int) -> None:
    pass


def write_batch(
    spool_dir: Path, batch_id: str, cutoff_at: dt.datetime, letters: Iterable[BatchLetter],
    *, created_at: dt.datetime | None = None, merged: Callable[[int, int], None] = _nobody,
) -> BatchFiles:
    """`merged(done, total)`: told as each letter is merged into batch.pdf (a day's batch takes a
    while; the command line shows it)."""
    if not _BATCH_ID.match(batch_id):
        # It becomes a directory name: no separators, no "..", no hidden names.
        raise ValueError("batch_id must be letters, digits, '.', '_' or '-' (not leading)")
    if cutoff_at.tzinfo is None:
        raise ValueError("cutoff_at must be an aware datetime")
    final = spool_dir / batch_id
    if final.is_dir():
        _remove_stale_partials(spool_dir, batch_id)
        return _existing(final)
    spool_dir.mkdir(parents=True, exist_ok=True)
    _remove_stale_partials(spool_dir, batch_id)
    temp = spool_dir / f".{batch_id}.{secrets.token_hex(6)}.partial"
    temp.mkdir()
    try:
        return _write(temp, final, batch_id, cutoff_at, letters, created_at, merged)
    except BaseException:
        # Refused input or a failed write: no half batch stays behind (a hard crash's leftover
        # is removed by the next run instead).
        shutil.rmtree(temp, ignore_errors=True)
        raise


def _write(
    temp: Path, final: Path, batch_id: str, cutoff_at: dt.datetime, letters: Iterable[BatchLetter],
    created_at: dt.datetime | None, merged: Callable[[int, int], None],
) -> BatchFiles:
    ordered = sorted(letters, key=sort_key)
    entries, page_count = _merge(ordered, temp / "batch.pdf", merged)
    manifest = {
        "batch_id": batch_id,
        "cutoff_at": cutoff_at.astimezone(dt.UTC).isoformat(),
        "created_at": (created_at or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).isoformat(),
        "letter_count": len(entries),
        "page_count": page_count,
        "postage": _totals(entries),
        "letters": entries,
    }
    manifest_bytes = json.dumps(manifest, indent=2, ensure_ascii=False).encode()
    (temp / "manifest.json").write_bytes(manifest_bytes)
    (temp / "manifest.csv").write_text(_csv(entries), encoding="utf-8", newline="")
    _sync(temp)
    try:
        os.rename(temp, final)
    except OSError as exc:
        if exc.errno not in (errno.ENOTEMPTY, errno.EEXIST):
            raise
        # Another writer finished this batch first: its files stand, and the same letters in
        # the same order make the same batch; ours go.
        shutil.rmtree(temp, ignore_errors=True)
        return _existing(final)
    _fsync_dir(final.parent)
    return BatchFiles(final, hashlib.sha256(manifest_bytes).hexdigest(), len(entries), page_count)


def sort_key(letter: BatchLetter) -> tuple[bool, str, str, str]:
    """Belgian letters by postcode (bpost's sorting order), then letters abroad by country and
    postcode; the letter id makes the order total, so a batch's files are reproducible."""
    address = letter.address
    return (address.country != "BE", address.country, address.postcode, str(letter.letter_id))


def _merge(ordered: list[BatchLetter], target: Path, merged: Callable[[int, int], None]) -> tuple[list[dict[str, Any]], int]:
    # PdfWriter.append adds pages to one page list: linear in the number of letters.
    writer, entries, seen, next_page = PdfWriter(), [], set(), 1
    for done, letter in enumerate(ordered):
        merged(done, len(ordered))
        if letter.letter_id in seen:
            raise ValueError(f"letter {letter.letter_id} appears twice in the batch")
        seen.add(letter.letter_id)
        reader = PdfReader(io.BytesIO(letter.print_pdf))
        # first_page of every later letter depends on this: refuse a wrong count outright.
        if len(reader.pages) != letter.pages:
            raise ValueError(
                f"letter {letter.letter_id}: says {letter.pages} pages, its PDF has {len(reader.pages)}"
            )
        writer.append(reader)
        entries.append({
            "letter_id": str(letter.letter_id),
            "postcode": letter.address.postcode,
            "country": letter.address.country,
            "pages": letter.pages,
            "first_page": next_page,
            "postage_class": letter.postage_class,
            "sha256": hashlib.sha256(letter.print_pdf).hexdigest(),
            "address_lines": address_lines(letter.address),
        })
        next_page += letter.pages
    with target.open("wb") as out:
        writer.write(out)
    merged(len(ordered), len(ordered))
    return entries, next_page - 1


def _totals(entries: list[dict[str, Any]]) -> dict[str, dict[str, int]]:
    # What the print house invoices and bpost charges: letters and sheets per postage class.
    totals: dict[str, dict[str, int]] = {}
    for e in entries:
        slot = totals.setdefault(e["postage_class"], {"letters": 0, "pages": 0})
        slot["letters"] += 1
        slot["pages"] += e["pages"]
    return dict(sorted(totals.items()))


def _csv(entries: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    # The print house opens this in a spreadsheet: an address line such as "=HYPERLINK(…)" must
    # stay text there.
    writer = SafeCsvWriter(out, lineterminator="\n")
    writer.writerow(CSV_FIELDS)
    for e in entries:
        lines = e["address_lines"] + [""] * (MAX_LINES - len(e["address_lines"]))
        writer.writerow([*(e[f] for f in MANIFEST_FIELDS[:-1]), *lines])
    return out.getvalue()


def _remove_stale_partials(spool_dir: Path, batch_id: str) -> None:
    """Crash leftovers of this batch (another writer's folder at work now is younger)."""
    for partial in spool_dir.glob(f".{batch_id}.*partial"):
        try:
            if time.time() - partial.stat().st_mtime > STALE_PARTIAL_S:
                shutil.rmtree(partial, ignore_errors=True)
        except FileNotFoundError:
            continue  # its writer renamed or removed it meanwhile


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
