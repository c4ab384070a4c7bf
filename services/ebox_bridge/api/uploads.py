"""A PDF uploaded with a letter: inline in the `LetterIssued` event when it is small enough,
otherwise written under `<document_root>/uploads/<municipality>/<letter_id>.pdf` (folders 0700,
file 0600) and named by a file:// `document_ref`, which intake reads under the same root."""

from __future__ import annotations

import base64
import hashlib
import os
from pathlib import Path
from typing import Any
from uuid import UUID

from loket.contracts.letters import MAX_INLINE_PDF_BYTES
from services.ebox_bridge.api.problems import ApiProblem
from services.ebox_bridge.documents import MAX_REFERENCED_PDF_BYTES


def with_document(letter: dict[str, Any], pdf: bytes, letter_id: UUID, municipality: str,
                  root: Path | None) -> tuple[dict[str, Any], Path | None]:
    """The letter with its document field set, and the file written for it (if one was)."""
    digest = hashlib.sha256(pdf).hexdigest()
    if len(pdf) <= MAX_INLINE_PDF_BYTES:
        return {**letter, "pdf_base64": base64.b64encode(pdf).decode(), "sha256": digest}, None
    if len(pdf) > MAX_REFERENCED_PDF_BYTES:
        raise ApiProblem(413, "Document too large", f"the PDF may be at most {MAX_REFERENCED_PDF_BYTES} bytes")
    if root is None:
        raise ApiProblem(413, "Document too large",
                         f"this bridge takes PDFs of at most {MAX_INLINE_PDF_BYTES} bytes (it has no document store)")
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    folder = root
    for part in ("uploads", municipality):  # each level 0700 (`parents=True` would use the umask's mode)
        folder = folder / part
        folder.mkdir(mode=0o700, exist_ok=True)
    path = folder / f"{letter_id}.pdf"
    try:
        # O_EXCL: never overwrite the document of a letter already taken.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        if hashlib.sha256(path.read_bytes()).hexdigest() != digest:
            raise ApiProblem(409, "Letter id already used",
                             f"letter_id {letter_id} was already sent with another document") from None
        return {**letter, "letter_id": str(letter_id), "document_ref": path.as_uri(), "sha256": digest}, None
    with os.fdopen(fd, "wb") as out:
        out.write(pdf)
        out.flush()
        os.fsync(out.fileno())
    return {**letter, "letter_id": str(letter_id), "document_ref": path.as_uri(), "sha256": digest}, path
