"""Print-ready PDF of one letter: the address cover page followed by the back-office's pages."""

from __future__ import annotations

import hashlib
import io
import re
import threading
from collections import OrderedDict
from uuid import UUID

from pypdf import PdfReader, PdfWriter
from pypdf.errors import DependencyError, PyPdfError

from loket.contracts.values import PostalAddress
from services.ebox_bridge.paper.cover_page import cover_page
from services.ebox_bridge.sender_block import SenderBlock


class UnreadablePdf(ValueError):
    """The bytes are not a readable, unencrypted PDF with pages; the message says why."""


# A page tree node's dictionary: `/Type /Pages … /Count N` (not `/Type /Page`).
_PAGES_NODE = re.compile(rb"/Type\s*/Pages(?![A-Za-z])")
_COUNT = re.compile(rb"/Count\s+(\d+)")
_PARENT = re.compile(rb"/Parent(?![A-Za-z])")
# pypdf raises these (and a few builtins) on broken or encrypted input.
_PARSE_ERRORS = (PyPdfError, DependencyError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError)


def count_pages(pdf: bytes) -> int:
    """Pages of a PDF; raises UnreadablePdf (the reason, never the content) when it is not one.

    Fast path: the root page tree node's /Count, read from the uncompressed objects (most
    back-office PDFs), costing microseconds instead of a full parse, which was a third of the
    bridge's CPU per letter. It only answers for a file saved once (one `startxref`: an
    incremental update may leave an older, larger page tree behind), not encrypted (it may be
    unopenable), with exactly one root node (a /Pages node without /Parent). Everything else is
    parsed with pypdf."""
    simple = pdf.count(b"startxref") == 1 and b"/Encrypt" not in pdf  # encrypted: pypdf decides
    if simple and pdf.rstrip().endswith(b"%%EOF"):
        roots = [
            chunk for chunk in pdf.split(b"endobj")
            if _PAGES_NODE.search(chunk) and not _PARENT.search(chunk)
        ]
        if len(roots) == 1 and (count := _COUNT.search(roots[0])) and int(count.group(1)) >= 1:
            return int(count.group(1))
    return parsed_page_count(pdf)


def printable_page_count(pdf: bytes) -> int:
    """Pages of a PDF the print batch can compose, found by doing what composing does: parse it
    in full and write its pages into a new document. Raises UnreadablePdf with the reason.

    `count_pages` alone accepts any bytes holding `/Type /Pages /Count N`; such a letter used to
    break its whole print batch at the cut-off. This check is what intake relies on instead.
    It costs about a millisecond per page-pair, so a result is remembered per content digest:
    back-offices send the same form letter many times over."""
    known = known_printable_page_count(pdf)
    if known is not None:
        return known
    reader = _read(pdf)
    try:
        writer = PdfWriter()
        writer.append(reader)
        writer.write(io.BytesIO())
    except _PARSE_ERRORS as exc:
        raise UnreadablePdf(_reason(exc)) from None
    pages = len(reader.pages)
    _PRINTABLE.put(hashlib.sha256(pdf).digest(), pages)
    return pages


def known_printable_page_count(pdf: bytes) -> int | None:
    """The page count if these very bytes passed `printable_page_count` before (a digest, no
    parsing: cheap enough for the event loop), else None."""
    return _PRINTABLE.get(hashlib.sha256(pdf).digest())


class _DigestCache:
    """A small LRU of digest → page count, shared by the intake threads."""

    def __init__(self, size: int) -> None:
        self._size, self._lock, self._items = size, threading.Lock(), OrderedDict[bytes, int]()

    def get(self, digest: bytes) -> int | None:
        with self._lock:
            pages = self._items.get(digest)
            if pages is not None:
                self._items.move_to_end(digest)
            return pages

    def put(self, digest: bytes, pages: int) -> None:
        with self._lock:
            self._items[digest] = pages
            self._items.move_to_end(digest)
            while len(self._items) > self._size:
                self._items.popitem(last=False)


_PRINTABLE = _DigestCache(4096)


def parsed_page_count(pdf: bytes) -> int:
    """Pages of a PDF as pypdf reads it; UnreadablePdf with the reason otherwise."""
    return len(_read(pdf).pages)


def _read(pdf: bytes) -> PdfReader:
    """A parsed PDF with at least one page; UnreadablePdf with the reason otherwise."""
    # The PDF spec lets a header follow up to 1 KiB of leading junk.
    if b"%PDF-" not in pdf[:1024]:
        raise UnreadablePdf("not a PDF (no %PDF- header)")
    try:
        reader = PdfReader(io.BytesIO(pdf))
        # Restrictions with an empty user password are common and still printable.
        if reader.is_encrypted and not reader.decrypt(""):
            raise UnreadablePdf("the PDF is password protected; the print house needs it open")
        pages = len(reader.pages)
    except UnreadablePdf:
        raise
    except _PARSE_ERRORS as exc:
        raise UnreadablePdf(_reason(exc)) from None
    if pages < 1:
        raise UnreadablePdf("the document has no pages")
    return reader


def compose_print_pdf(
    letter_id: UUID, reference: str, address: PostalAddress, sender: SenderBlock,
    original_pdf: bytes, language: str, insert: bytes | None = None, reading_help_link: str | None = None,
) -> tuple[bytes, int]:
    """The print-ready A4 PDF (cover page, then the original's pages unchanged, then the
    campaign's insert page if any) and its page count, cover page included. Raises
    UnreadablePdf when the original cannot be read."""
    original = _read(original_pdf)
    extra = PdfReader(io.BytesIO(insert)) if insert is not None else None
    total = len(original.pages) + 1 + (len(extra.pages) if extra is not None else 0)
    cover = cover_page(letter_id, reference, address, sender, total, language, reading_help_link)
    writer = PdfWriter()
    out = io.BytesIO()
    try:
        writer.append(PdfReader(io.BytesIO(cover)))
        writer.append(original)
        if extra is not None:
            writer.append(extra)
        writer.add_metadata({"/Title": f"Loket letter {letter_id}"})
        # Writing resolves every object the pages use: a broken file often fails only here.
        writer.write(out)
    except _PARSE_ERRORS as exc:
        raise UnreadablePdf(_reason(exc)) from None
    return out.getvalue(), total


def _reason(exc: BaseException) -> str:
    # pypdf's messages are about structure but may quote a few bytes of the file; quoted
    # fragments are dropped so a reason never carries a letter's content.
    message = _QUOTED.sub("…", str(exc))[:200]
    return f"pypdf cannot read it ({type(exc).__name__}: {message})"


_QUOTED = re.compile(r"b?'[^']*'|b?\"[^\"]*\"")
