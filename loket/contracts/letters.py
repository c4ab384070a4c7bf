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
from typing import Annotated, Any, ClassVar, Literal
from uuid import UUID

from pydantic import (
    Field,
    SerializerFunctionWrapHandler,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_serializer,
    model_validator,
)

from loket.contracts import topics
from loket.contracts.enterprise_number import normalise_enterprise_number
from loket.contracts.envelope import Event, Payload
from loket.contracts.national_number import NationalNumber, normalise_national_number
from loket.contracts.values import (
    ContactDetails,
    LetterLanguage,
    PostalAddress,
    RefnisCode,
    Sha256Hex,
    Slug,
    ValueObject,
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


RecipientKind = Literal["citizen", "enterprise"]


class Recipient(ValueObject):
    """Who a letter is for. A citizen by national register or BIS number (personal data, never
    logged); an enterprise by its KBO/BCE number, addressed in its eBox Enterprise (companies
    have had to use the eBox since 1 January 2025) and on paper at its registered address."""

    kind: RecipientKind
    identifier: str = Field(
        # One model rather than a union per kind, so an error points at recipient/identifier.
        json_schema_extra={"pattern": "^([0-9]{11}|[01][0-9]{9})$"},
        description="citizen: national register or BIS number, 11 digits; enterprise: KBO/BCE "
                    "number, 10 digits starting with 0 or 1. Without separators.",
    )

    @field_validator("identifier")
    @classmethod
    def _valid_for_its_kind(cls, value: str, info: ValidationInfo) -> str:
        kind = info.data.get("kind")
        if kind == "citizen":
            return normalise_national_number(value)
        if kind == "enterprise":
            return normalise_enterprise_number(value)
        return value  # `kind` itself was refused: that error is the one to report


class LetterIssuedPayload(Payload):
    """A letter a municipal department wants delivered to a citizen or an enterprise (eBox
    first, paper if needed). Exactly one of `pdf_base64` and `document_ref` carries the
    document, and exactly one of `recipient` and the deprecated `recipient_national_number`
    names the recipient."""

    letter_id: UUID = Field(description="Chosen by the back-office; idempotency key downstream.")
    municipality: RefnisCode
    department: Slug = Field(examples=["finance"])
    document_type: Slug = Field(examples=["tax_assessment"])
    # Exactly one of the two names the recipient. The old field is still accepted for this
    # contract version and read as a citizen recipient (see _one_recipient and _wire_form).
    recipient_national_number: NationalNumber | None = Field(
        default=None,
        description="Deprecated: send `recipient` {kind: citizen, identifier} instead. Still "
                    "accepted in this version; exactly one of the two must be set.",
        json_schema_extra={"deprecated": True},
    )
    recipient: Recipient | None = Field(default=None, description="Who the letter is for.")
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

    @model_validator(mode="after")
    def _one_recipient(self) -> LetterIssuedPayload:
        # A validated citizen payload has both fields filled (below), and after-validators run
        # again when a payload instance is put into an event: so count only the fields the
        # producer set (the filled-in one is not in model_fields_set).
        given = [name for name in ("recipient", "recipient_national_number")
                 if name in self.model_fields_set and getattr(self, name) is not None]
        if len(given) != 1:
            got = "both" if given else "neither"
            raise ValueError(
                f"exactly one of recipient or recipient_national_number must be set (got {got}); "
                "send recipient {kind: citizen|enterprise, identifier}"
            )
        # Consumers read `recipient`; `recipient_national_number` stays filled for citizens so
        # code written against the old field keeps working during this contract version. The
        # model is frozen, hence object.__setattr__ (this runs inside validation).
        if self.recipient is None:
            assert self.recipient_national_number is not None
            citizen = Recipient(kind="citizen", identifier=self.recipient_national_number)
            object.__setattr__(self, "recipient", citizen)
        elif self.recipient.kind == "citizen":
            object.__setattr__(self, "recipient_national_number", self.recipient.identifier)
        return self

    @model_serializer(mode="wrap")
    def _wire_form(self, handler: SerializerFunctionWrapHandler) -> Any:
        data = handler(self)
        if isinstance(data, dict):
            # The recipient goes on the wire once, so a dump validates again. For this contract
            # version a citizen keeps the old field: consumers still reading it, and fingerprints
            # taken before `recipient` existed (intake's content_sha256), see no change.
            if self.addressee.kind == "citizen":
                data.pop("recipient", None)
            else:
                data.pop("recipient_national_number", None)
        return data

    @property
    def addressee(self) -> Recipient:
        """The recipient, whichever field named it (always set once validated)."""
        assert self.recipient is not None
        return self.recipient

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
