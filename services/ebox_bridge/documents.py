"""The letter's PDF: inline bytes, or a `file://` reference the back-office placed for us.

Other schemes (https, s3) are valid in the contract but not fetched yet; such letters are
refused with that reason rather than half-processed.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from urllib.parse import unquote, urlparse

from loket.contracts.letters import MAX_INLINE_PDF_BYTES, LetterIssuedPayload
from services.ebox_bridge.domain.intake import IntakeRejected
from services.ebox_bridge.paper import UnreadablePdf, count_pages

# A referenced document may be larger than an inline one, but not unboundedly so: the eBox
# and the print house both have limits, and the row is kept in PostgreSQL.
MAX_REFERENCED_PDF_BYTES = 4 * MAX_INLINE_PDF_BYTES


def letter_pdf(payload: LetterIssuedPayload) -> tuple[bytes, int]:
    """The PDF bytes and their page count; raises IntakeRejected when unusable."""
    pdf = payload.pdf_bytes()
    if pdf is None:
        pdf = _referenced(payload)
    try:
        return pdf, count_pages(pdf)
    except UnreadablePdf as exc:
        raise IntakeRejected(f"the letter is not a readable PDF: {exc}") from None


def _referenced(payload: LetterIssuedPayload) -> bytes:
    assert payload.document_ref is not None
    url = urlparse(payload.document_ref)
    if url.scheme != "file":
        raise IntakeRejected(
            f"document_ref scheme {url.scheme!r} is not supported yet; send pdf_base64 or a file:// URI"
        )
    path = Path(unquote(url.path))
    try:
        size = path.stat().st_size
        if size > MAX_REFERENCED_PDF_BYTES:
            raise IntakeRejected(
                f"referenced PDF is {size} bytes, more than the limit of {MAX_REFERENCED_PDF_BYTES}"
            )
        data = path.read_bytes()
    except FileNotFoundError:
        raise IntakeRejected("document_ref points to a file that does not exist") from None
    except PermissionError:
        raise IntakeRejected("document_ref points to a file the bridge may not read") from None
    if not data.startswith(b"%PDF-"):
        raise IntakeRejected("document_ref does not point to a PDF (missing %PDF- header)")
    if payload.sha256 is not None and hashlib.sha256(data).hexdigest() != payload.sha256:
        raise IntakeRejected("sha256 does not match the referenced document")
    return data
