"""`letters.issued.v1`: outgoing municipal letters, published by back-office systems.

This is the contract external integrators code against (through the AsyncAPI document), so
its validation is deliberately thorough: a letter rejected here goes to the DLQ with a clear
reason instead of failing half-way through the eBox/paper pipeline.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from datetime import date
from typing import Annotated, ClassVar, Literal
from uuid import UUID

from pydantic import Field, StringConstraints, field_validator, model_validator

from loket.contracts import topics
from loket.contracts.envelope import Event, Payload
from loket.contracts.national_number import NationalNumber
from loket.contracts.values import (
    ContactDetails,
    LetterLanguage,
    PostalAddress,
    RefnisCode,
    Sha256Hex,
    Slug,
)

# Larger documents must be passed by reference: brokers cap message sizes (Kafka's default is
# 1 MiB, so production topics raise it) and every consumer of the topic pays for the bytes.
MAX_INLINE_PDF_BYTES = 5 * 1024 * 1024
MAX_INLINE_BASE64_CHARS = 4 * ((MAX_INLINE_PDF_BYTES + 2) // 3)

DocumentRef = Annotated[
    str,
    Field(
        pattern=r"^[A-Za-z][A-Za-z0-9+.-]*://\S+$",
        max_length=2048,
        description="URI where the bridge fetches the PDF (e.g. https://, s3://).",
    ),
]


class LetterIssuedPayload(Payload):
    """A letter a municipal department wants delivered to a citizen (eBox first, paper if
    needed). Exactly one of `pdf_base64` and `document_ref` carries the document."""

    letter_id: UUID = Field(description="Chosen by the back-office; idempotency key downstream.")
    municipality: RefnisCode
    department: Slug = Field(examples=["finance"])
    document_type: Slug = Field(examples=["tax_assessment"])
    recipient_national_number: NationalNumber
    language: LetterLanguage
    subject: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=400)]
    postal_address: PostalAddress | None = Field(
        default=None, description="Required by the bridge whenever paper may be needed."
    )
    pdf_base64: str | None = Field(
        default=None,
        # Checked in _decode_pdf instead of max_length so the error can say what to do.
        json_schema_extra={"maxLength": MAX_INLINE_BASE64_CHARS},
        description=f"The PDF, standard base64, at most {MAX_INLINE_PDF_BYTES} bytes decoded.",
    )
    document_ref: DocumentRef | None = None
    sha256: Sha256Hex | None = Field(default=None, description="SHA-256 of the PDF bytes.")
    registered: bool = False
    legal_deadline: date | None = None
    important: bool = False
    contact: ContactDetails | None = Field(
        default=None,
        description="How to tell the citizen about an important letter (SMS / e-mail naming the "
                    "sender); optional, passed on by the bridge to notify.")
    sender_reference: str | None = Field(
        default=None, min_length=1, max_length=128, description="The back-office's own reference."
    )

    @field_validator("pdf_base64")
    @classmethod
    def _decodes_to_pdf(cls, value: str | None) -> str | None:
        if value is not None:
            _decode_pdf(value)
        return value

    @model_validator(mode="after")
    def _one_document(self) -> LetterIssuedPayload:
        if (self.pdf_base64 is None) == (self.document_ref is None):
            got = "both" if self.pdf_base64 is not None else "neither"
            raise ValueError(f"exactly one of pdf_base64 or document_ref must be set (got {got})")
        # With the bytes at hand a digest mismatch is detectable now, before the eBox rejects
        # the message with DIGEST_DO_NOT_MATCH; by-reference documents are checked on fetch.
        if self.pdf_base64 is not None and self.sha256 is not None:
            if hashlib.sha256(_decode_pdf(self.pdf_base64)).hexdigest() != self.sha256:
                raise ValueError("sha256 does not match the decoded pdf_base64 content")
        return self

    def pdf_bytes(self) -> bytes | None:
        """The inline PDF decoded, or None when the document is passed by reference."""
        return None if self.pdf_base64 is None else _decode_pdf(self.pdf_base64)


def _decode_pdf(value: str) -> bytes:
    # Checked before decoding so an oversized message costs no decoding work.
    if len(value) > MAX_INLINE_BASE64_CHARS:
        raise _too_large()
    try:
        data = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("pdf_base64 is not valid base64 (standard alphabet, padded)") from None
    if len(data) > MAX_INLINE_PDF_BYTES:
        raise _too_large()
    # PDFs are the format the eBox and the print house reliably handle (docs/architecture.md, "Domain facts").
    if not data.startswith(b"%PDF-"):
        raise ValueError("pdf_base64 does not decode to a PDF (missing %PDF- header)")
    return data


def _too_large() -> ValueError:
    return ValueError(
        f"inline PDF is larger than {MAX_INLINE_PDF_BYTES} bytes; use document_ref instead"
    )


class LetterIssued(Event):
    """A back-office system asks Loket to deliver a letter."""

    topic: ClassVar[str] = topics.LETTERS_ISSUED
    event_type: Literal["LetterIssued"] = "LetterIssued"
    schema_version: Literal[1] = 1
    payload: LetterIssuedPayload

    def partition_key(self) -> str:
        return str(self.payload.letter_id)


LETTER_ISSUED_EVENTS: tuple[type[Event], ...] = (LetterIssued,)
