"""Payload-specific rules: the document of a letter, consent, contact details, time slots."""

from __future__ import annotations

import base64
import hashlib
from datetime import timedelta

import pytest
from pydantic import ValidationError

from loket.contracts import (
    MAX_INLINE_PDF_BYTES,
    AppointmentBookedPayload,
    ContactDetails,
    EboxActivationAssistedPayload,
    LetterIssuedPayload,
    PostalAddress,
)
from tests.contracts.examples import (
    ADDRESS,
    BIS_NUMBER,
    PDF_BYTES,
    PDF_SHA256,
    T0,
    example,
    payload_dict,
)

REF = "https://docs.mechelen.be/letters/FIN-2025-000123.pdf"


def letter(**overrides) -> LetterIssuedPayload:
    return LetterIssuedPayload(**payload_dict("LetterIssued", **overrides))


def test_document_inline_or_by_reference() -> None:
    assert letter().pdf_bytes() == PDF_BYTES
    by_ref = letter(pdf_base64=None, sha256=None, document_ref=REF)
    assert by_ref.document_ref == REF and by_ref.pdf_bytes() is None


@pytest.mark.parametrize(
    ("overrides", "got"),
    [({"document_ref": REF}, "got both"), ({"pdf_base64": None}, "got neither")],
)
def test_exactly_one_document(overrides: dict, got: str) -> None:
    with pytest.raises(ValidationError) as info:
        letter(**overrides)
    assert "exactly one of pdf_base64 or document_ref must be set" in str(info.value)
    assert got in str(info.value)


@pytest.mark.parametrize(
    ("pdf_base64", "message"),
    [
        ("not base64!", "not valid base64"),
        ("JVBERi0xLjQ", "not valid base64"),  # missing padding
        (base64.b64encode(b"<html>not a pdf</html>").decode(), "missing %PDF- header"),
        (
            base64.b64encode(b"%PDF-" + b"0" * MAX_INLINE_PDF_BYTES).decode(),
            "use document_ref instead",
        ),
    ],
)
def test_inline_pdf_must_be_a_small_base64_pdf(pdf_base64: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        letter(pdf_base64=pdf_base64, sha256=None)


def test_inline_pdf_at_the_limit_is_accepted() -> None:
    data = b"%PDF-" + b"0" * (MAX_INLINE_PDF_BYTES - 5)
    assert len(letter(pdf_base64=base64.b64encode(data).decode(), sha256=None).pdf_bytes()) == (
        5 * 1024 * 1024
    )


def test_digest_of_inline_pdf_is_checked() -> None:
    assert letter().sha256 == hashlib.sha256(PDF_BYTES).hexdigest() == PDF_SHA256
    with pytest.raises(ValidationError, match="sha256 does not match"):
        letter(sha256=hashlib.sha256(b"other").hexdigest())
    with pytest.raises(ValidationError, match="sha256"):
        letter(sha256=PDF_SHA256.upper())


@pytest.mark.parametrize(
    "overrides",
    [
        {"municipality": "2800"},
        {"department": "Finance"},
        {"language": "en"},
        {"subject": "   "},
        {"subject": "x" * 401},
        {"document_ref": "docs/letter.pdf", "pdf_base64": None},
    ],
)
def test_letter_fields_are_constrained(overrides: dict) -> None:
    with pytest.raises(ValidationError):
        letter(**overrides)


def test_letter_accepts_bis_number_and_formatted_number() -> None:
    assert letter(recipient_national_number=BIS_NUMBER).recipient_national_number == BIS_NUMBER
    formatted = letter(recipient_national_number="85.07.30-033.28")
    assert formatted.recipient_national_number == "85073003328"


def test_postal_address_rules() -> None:
    assert PostalAddress(**ADDRESS).country == "BE"
    with pytest.raises(ValidationError, match="Belgian postcode"):
        PostalAddress(**{**ADDRESS, "postcode": "280"})
    with pytest.raises(ValidationError, match="Belgian postcode"):
        PostalAddress(**{**ADDRESS, "postcode": "0800"})
    abroad = PostalAddress(**{**ADDRESS, "postcode": "75001", "country": "FR"})
    assert abroad.postcode == "75001"
    with pytest.raises(ValidationError):
        PostalAddress(**{**ADDRESS, "country": "be"})


def test_contact_details_rules() -> None:
    with pytest.raises(ValidationError, match="'sms' needs a phone number"):
        ContactDetails(language="fr", email="a@b.be", preferred_channels=["sms"])
    with pytest.raises(ValidationError, match="'email' needs an e-mail address"):
        ContactDetails(language="fr", phone="+32470123456", preferred_channels=["email"])
    with pytest.raises(ValidationError):
        ContactDetails(language="fr", phone="0470123456")  # not E.164
    with pytest.raises(ValidationError):
        ContactDetails(language="fr", preferred_channels=["fax"])
    walk_in = ContactDetails(language="de")
    assert walk_in.preferred_channels == ()


def test_national_number_in_activation_needs_consent() -> None:
    fields = payload_dict("EboxActivationAssisted")
    with pytest.raises(ValidationError, match="only be sent when consent_given is true"):
        EboxActivationAssistedPayload(**{**fields, "consent_given": False})
    without = EboxActivationAssistedPayload(
        **{**fields, "national_number": None, "consent_given": False}
    )
    assert without.national_number is None


def test_appointment_slot_must_end_after_it_starts() -> None:
    fields = payload_dict("AppointmentBooked")
    with pytest.raises(ValidationError, match="ends_at must be after starts_at"):
        AppointmentBookedPayload(**{**fields, "ends_at": fields["starts_at"]})
    with pytest.raises(ValidationError, match="ends_at must be after starts_at"):
        example("AppointmentRescheduled", ends_at=T0 + timedelta(days=3))


def test_counts_are_not_negative() -> None:
    with pytest.raises(ValidationError):
        example("VisitStarted", waited_seconds=-1)
    with pytest.raises(ValidationError):
        example("LetterQueuedForPrint", pages=0)
    with pytest.raises(ValidationError):
        example("DeviceLoanOverdue", days_overdue=0)
