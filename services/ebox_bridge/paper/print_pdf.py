"""Print-ready PDF of one letter: the address cover page followed by the back-office's pages."""

from __future__ import annotations

import io
from uuid import UUID

from pypdf import PdfReader, PdfWriter
from pypdf.errors import PdfReadError

from services.contracts.values import PostalAddress
from services.ebox_bridge.paper.cover_page import cover_page
from services.ebox_bridge.sender_block import SenderBlock


class UnreadablePdf(ValueError):
    """The bytes start like a PDF but cannot be read as one."""


def count_pages(pdf: bytes) -> int:
    try:
        pages = len(PdfReader(io.BytesIO(pdf)).pages)
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError) as exc:
        raise UnreadablePdf(f"{type(exc).__name__}: {exc}"[:300]) from None
    if pages < 1:
        raise UnreadablePdf("the document has no pages")
    return pages


def compose_print_pdf(
    letter_id: UUID, reference: str, address: PostalAddress, sender: SenderBlock,
    original_pdf: bytes, language: str,
) -> tuple[bytes, int]:
    """The print-ready PDF and its page count (cover page included)."""
    original = PdfReader(io.BytesIO(original_pdf))
    total = len(original.pages) + 1
    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(cover_page(reference, address, sender, total, language))))
    writer.append(original)
    writer.add_metadata({"/Title": f"Loket letter {letter_id}"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue(), total
