"""The letter's PDF: inline bytes, or a `document_ref` to one of the configured document stores.

Order matters: the reference passes the policy before any byte is read; reading happens off the
event loop (a thread for files, async HTTP for https); the bytes must then match the digest and
parse in full as a printable PDF (a refusal now beats a broken print batch at the cut-off).
"""

from __future__ import annotations

import asyncio
import hashlib

from loket.contracts.letters import LetterIssuedPayload
from services.ebox_bridge.documents.file_store import read_local
from services.ebox_bridge.documents.https_fetch import fetch_remote
from services.ebox_bridge.documents.policy import DocumentPolicy, LocalDocument
from services.ebox_bridge.domain.intake import IntakeRejected
from services.ebox_bridge.paper import (
    UnreadablePdf,
    known_printable_page_count,
    printable_page_count,
)


async def letter_pdf(payload: LetterIssuedPayload, policy: DocumentPolicy) -> tuple[bytes, int]:
    """The PDF bytes and their page count; raises IntakeRejected when unusable (and the https
    store's DocumentUnavailable when its host is down for now)."""
    pdf = payload.pdf_bytes()
    if pdf is None:
        assert payload.document_ref is not None  # the contract requires exactly one of the two
        pdf = await referenced_pdf(payload.document_ref, payload.sha256, policy)
    known = known_printable_page_count(pdf)  # the same form letter again: no parsing at all
    if known is not None:
        return pdf, known
    try:
        # Parsing is CPU work: in a thread, so the event loop keeps serving while it runs.
        return pdf, await asyncio.to_thread(printable_page_count, pdf)
    except UnreadablePdf as exc:
        raise IntakeRejected(f"the letter is not a readable PDF: {exc}") from None


async def referenced_pdf(ref: str, sha256: str | None, policy: DocumentPolicy) -> bytes:
    document = policy.locate(ref)
    if isinstance(document, LocalDocument):
        data = await asyncio.to_thread(read_local, document, policy.max_bytes)
    else:
        data = await fetch_remote(document.url, policy.max_bytes, policy.timeout_s)
    if not data.startswith(b"%PDF-"):
        raise IntakeRejected("document_ref does not point to a PDF (missing %PDF- header)")
    if sha256 is not None and hashlib.sha256(data).hexdigest() != sha256:
        raise IntakeRejected("sha256 does not match the referenced document")
    return data
