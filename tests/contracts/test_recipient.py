"""The recipient of a letter (issue 18): a citizen or an enterprise, named by `recipient`
{kind, identifier}; the old `recipient_national_number` is still accepted for this version."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from loket.contracts import (
    ContractViolation,
    LetterIssued,
    LetterIssuedPayload,
    decode_event,
    normalise_enterprise_number,
    topics,
)
from tests.contracts.examples import BIS_NUMBER, NATIONAL_NUMBER, example, payload_dict

ENTERPRISE = "0406798006"  # the reference specification's own example (e-Box swagger)


def letter(**overrides) -> LetterIssuedPayload:
    return LetterIssuedPayload(**payload_dict("LetterIssued", **overrides))


def new_form(kind: str, identifier: str, **overrides) -> LetterIssuedPayload:
    return letter(recipient_national_number=None, recipient={"kind": kind, "identifier": identifier}, **overrides)


def errors_of(info: pytest.ExceptionInfo[ValidationError]) -> dict[str, str]:
    return {".".join(map(str, e["loc"])): e["msg"] for e in info.value.errors()}


def test_the_old_field_is_read_as_a_citizen_recipient() -> None:
    payload = letter()  # the examples still use recipient_national_number
    assert (payload.addressee.kind, payload.addressee.identifier) == ("citizen", NATIONAL_NUMBER)
    assert payload.recipient_national_number == NATIONAL_NUMBER


def test_a_citizen_keeps_the_old_field_on_the_wire_for_this_version() -> None:
    # Additive: consumers still reading recipient_national_number see no change, whichever
    # field the producer used; the recipient goes on the wire once, so a dump validates again.
    for event in (example("LetterIssued"),
                  example("LetterIssued", recipient_national_number=None,
                          recipient={"kind": "citizen", "identifier": NATIONAL_NUMBER})):
        wire = json.loads(event.to_bytes())["payload"]
        assert wire["recipient_national_number"] == NATIONAL_NUMBER and "recipient" not in wire
        decoded = decode_event(topics.LETTERS_ISSUED, event.to_bytes())
        assert decoded == event and decoded.payload.addressee.kind == "citizen"


def test_an_old_producer_still_decodes_from_the_wire() -> None:
    wire = json.loads(example("LetterIssued").to_bytes())
    wire["payload"]["recipient_national_number"] = BIS_NUMBER
    decoded = decode_event(topics.LETTERS_ISSUED, json.dumps(wire).encode())
    assert isinstance(decoded, LetterIssued)
    assert (decoded.payload.addressee.kind, decoded.payload.addressee.identifier) == ("citizen", BIS_NUMBER)


def test_a_citizen_recipient_object_fills_the_old_field_for_old_readers() -> None:
    payload = new_form("citizen", "85.07.30-033.28")
    assert payload.addressee.identifier == NATIONAL_NUMBER
    assert payload.recipient_national_number == NATIONAL_NUMBER


@pytest.mark.parametrize("given", ["0406798006", "0406.798.006", "BE 0406 798 006", "BE0406798006", "406798006"])
def test_an_enterprise_recipient_is_normalised_to_ten_digits(given: str) -> None:
    payload = new_form("enterprise", given)
    assert (payload.addressee.kind, payload.addressee.identifier) == ("enterprise", ENTERPRISE)
    # An enterprise letter carries no national number at all.
    assert payload.recipient_national_number is None


def test_an_enterprise_letter_survives_the_wire() -> None:
    event = example("LetterIssued", recipient_national_number=None,
                    recipient={"kind": "enterprise", "identifier": "BE 0406.798.006"})
    wire = json.loads(event.to_bytes())["payload"]
    assert wire["recipient"] == {"kind": "enterprise", "identifier": ENTERPRISE}
    decoded = decode_event(topics.LETTERS_ISSUED, event.to_bytes())
    assert decoded == event and decoded.to_bytes() == event.to_bytes()


@pytest.mark.parametrize(
    ("overrides", "got"),
    [
        ({"recipient": {"kind": "citizen", "identifier": NATIONAL_NUMBER}}, "got both"),
        ({"recipient": {"kind": "enterprise", "identifier": ENTERPRISE}}, "got both"),
        ({"recipient_national_number": None}, "got neither"),
    ],
)
def test_exactly_one_recipient_field(overrides: dict, got: str) -> None:
    with pytest.raises(ValidationError) as info:
        letter(**overrides)
    message = str(info.value)
    assert "exactly one of recipient or recipient_national_number must be set" in message
    assert got in message


@pytest.mark.parametrize(
    ("identifier", "reason"),
    [
        ("0406798007", "check digits do not match"),
        ("2406798006", "it must start with 0 or 1"),
        ("04067980", "expected 10 digits, got 8"),
        ("0406-798-O06", "only digits"),
        ("0000000000", "the number is all zeros"),
    ],
)
def test_an_invalid_enterprise_number_is_refused_with_the_reason(identifier: str, reason: str) -> None:
    with pytest.raises(ValidationError) as info:
        new_form("enterprise", identifier)
    errors = errors_of(info)
    assert list(errors) == ["recipient.identifier"]
    assert "not a valid Belgian enterprise (KBO/BCE) number" in errors["recipient.identifier"]
    assert reason in errors["recipient.identifier"]
    with pytest.raises(ValueError, match=reason):
        normalise_enterprise_number(identifier)


def test_a_national_number_is_not_an_enterprise_number_nor_the_reverse() -> None:
    with pytest.raises(ValidationError, match="expected 10 digits, got 11"):
        new_form("enterprise", NATIONAL_NUMBER)
    with pytest.raises(ValidationError, match="expected 11 digits, got 10"):
        new_form("citizen", ENTERPRISE)


def test_an_unknown_kind_is_refused() -> None:
    with pytest.raises(ValidationError) as info:
        new_form("association", ENTERPRISE)
    assert list(errors_of(info)) == ["recipient.kind"]


def test_the_dlq_reason_names_the_field_and_never_the_citizens_number() -> None:
    wire = json.loads(example("LetterIssued").to_bytes())
    del wire["payload"]["recipient_national_number"]
    wire["payload"]["recipient"] = {"kind": "citizen", "identifier": "85073003329"}  # wrong check digits
    with pytest.raises(ContractViolation) as info:
        decode_event(topics.LETTERS_ISSUED, json.dumps(wire).encode())
    assert "payload.recipient.identifier: not a valid Belgian national register" in info.value.reason
    assert "85073003329" not in info.value.reason

    wire["payload"]["recipient"] = {"kind": "enterprise", "identifier": "0406798007"}
    with pytest.raises(ContractViolation) as info:
        decode_event(topics.LETTERS_ISSUED, json.dumps(wire).encode())
    assert ("payload.recipient.identifier: not a valid Belgian enterprise (KBO/BCE) number "
            "(check digits do not match)") in info.value.reason


def test_a_citizen_letter_dumps_as_before_recipient_existed() -> None:
    # Intake fingerprints the dump: either recipient field gives the same fingerprint, and it is
    # the dump the contract made before `recipient` existed (the old field in its old place).
    old, new = letter(), new_form("citizen", NATIONAL_NUMBER)
    assert old.model_dump_json() == new.model_dump_json()
    dumped = json.loads(old.model_dump_json())
    assert list(dumped)[4] == "recipient_national_number" and "recipient" not in dumped
    company = json.loads(new_form("enterprise", ENTERPRISE).model_dump_json())
    assert list(company)[4] == "recipient" and "recipient_national_number" not in company


@pytest.mark.parametrize("recipient", [{"recipient_national_number": NATIONAL_NUMBER},
                                       {"recipient": {"kind": "citizen", "identifier": NATIONAL_NUMBER}},
                                       {"recipient": {"kind": "enterprise", "identifier": ENTERPRISE}}])
def test_a_validated_payload_can_be_put_into_an_event(recipient: dict) -> None:
    # The letters API validates the payload first, then builds the event around the instance:
    # its validators run again and must not take the filled-in old field for a second one.
    fields = {k: v for k, v in payload_dict("LetterIssued").items() if k != "recipient_national_number"}
    payload = LetterIssuedPayload.model_validate(fields | recipient)
    event = LetterIssued(producer="test", payload=payload)
    assert event.payload.addressee == payload.addressee
    assert decode_event(topics.LETTERS_ISSUED, event.to_bytes()) == event
