"""decode_event: the reasons consumers put in DLQ headers."""

from __future__ import annotations

import json

import pytest

from loket.contracts import ContractViolation, LetterIssued, decode_event, topics
from loket.contracts.errors import MAX_REASON_LENGTH
from tests.contracts.examples import NATIONAL_NUMBER, example


def wire(event_type: str, **payload) -> dict:
    return json.loads(example(event_type, **payload).to_bytes())


def violation(topic: str, data: bytes) -> ContractViolation:
    with pytest.raises(ContractViolation) as info:
        decode_event(topic, data)
    assert len(info.value.reason) <= MAX_REASON_LENGTH
    assert str(info.value) == info.value.reason
    return info.value


def test_event_of_another_topic_is_rejected_precisely() -> None:
    data = example("AppointmentBooked").to_bytes()
    reason = violation(topics.LETTERS_STATUS, data).reason
    assert reason.startswith(
        "event_type 'AppointmentBooked' is not carried on topic 'letters.status.v1' "
        "(expected one of "
    )
    for name in ("LetterDeliveredToEbox", "LetterPosted", "LetterFailed"):
        assert name in reason


def test_unknown_event_type_on_single_event_topic() -> None:
    data = json.dumps({**wire("EboxActivationAssisted"), "event_type": "Nope"}).encode()
    reason = violation(topics.CITIZENS, data).reason
    assert reason == (
        "event_type 'Nope' is not carried on topic 'citizens.v1' "
        "(expected one of EboxActivationAssisted, CitizenErasureRequested)"
    )


def test_missing_event_type() -> None:
    body = wire("LetterRead")
    del body["event_type"]
    reason = violation(topics.LETTERS_STATUS, json.dumps(body).encode()).reason
    assert reason.startswith("event_type is missing (expected one of LetterDeliveredToEbox")


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "payload is not valid JSON: "),
        (b'{"event_type": ', "payload is not valid JSON: "),
        (b"\xff\xfe{}", "payload is not valid JSON: not UTF-8"),
        (b"[1, 2]", "payload is not valid JSON: expected an object"),
    ],
)
def test_bad_json(data: bytes, expected: str) -> None:
    reason = violation(topics.VISITS, data).reason
    assert reason.startswith(expected)
    assert len(reason) > len("payload is not valid JSON: ")


def test_schema_violation_lists_paths_without_the_national_number() -> None:
    body = wire("LetterIssued")
    body["payload"]["recipient_national_number"] = "85073003329"  # wrong check digits
    body["payload"]["language"] = "en"
    del body["payload"]["subject"]
    error = violation(topics.LETTERS_ISSUED, json.dumps(body).encode())
    assert error.event_type == "LetterIssued"
    assert error.reason.startswith("LetterIssued violates its schema: ")
    assert "payload.recipient_national_number: not a valid Belgian national register" in (
        error.reason
    )
    assert "payload.language: " in error.reason
    assert "payload.subject: Field required" in error.reason
    assert "85073003329" not in error.reason


def test_valid_national_number_in_the_wrong_place_is_not_leaked() -> None:
    # A producer puts the number where a pseudonym belongs, and as an unknown key.
    body = wire("AppointmentBooked")
    body["payload"]["citizen_ref"] = NATIONAL_NUMBER
    body["payload"][NATIONAL_NUMBER] = True
    error = violation(topics.APPOINTMENTS, json.dumps(body).encode())
    assert "payload.citizen_ref: citizen_ref must be a pseudonym" in error.reason
    assert "Extra inputs are not permitted" in error.reason
    assert NATIONAL_NUMBER not in error.reason


def test_envelope_fields_must_be_explicit_on_the_wire() -> None:
    # A consumer-made event_id would defeat de-duplication on every redelivery.
    body = wire("LetterRead")
    del body["event_id"], body["occurred_at"]
    reason = violation(topics.LETTERS_STATUS, json.dumps(body).encode()).reason
    assert "event_id" in reason and "occurred_at" in reason
    assert "schema_version" not in reason


def test_naive_time_on_the_wire_is_a_violation() -> None:
    body = wire("VisitEnded")
    body["payload"]["ended_at"] = "2025-03-30T02:30:00"
    reason = violation(topics.VISITS, json.dumps(body).encode()).reason
    assert "payload.ended_at: datetime must include a time zone offset" in reason


def test_reason_stays_short_for_many_errors() -> None:
    body = wire("LetterIssued")
    body["payload"] = {f"unexpected_field_{i:03d}": i for i in range(300)}
    reason = violation(topics.LETTERS_ISSUED, json.dumps(body).encode()).reason
    assert reason.startswith("LetterIssued violates its schema: payload.")
    assert len(reason) <= MAX_REASON_LENGTH


def test_unknown_topic_is_a_wiring_error() -> None:
    with pytest.raises(KeyError):
        decode_event("letters.issued.v9", example("LetterIssued").to_bytes())


def test_decoding_does_not_reuse_consumer_defaults() -> None:
    event = example("LetterIssued")
    decoded = decode_event(LetterIssued.topic, event.to_bytes())
    assert decoded.event_id == event.event_id
    assert decoded.occurred_at == event.occurred_at


def test_text_with_a_nul_character_is_a_violation_naming_its_field() -> None:
    # PostgreSQL refuses NUL in text: accepted here, the letter failed in intake's INSERT five
    # times and was dead-lettered as "exhausted", the partition held up by the retries meanwhile.
    body = wire("LetterIssued")
    body["payload"]["subject"] = "Uw factuur\x00"
    reason = violation(topics.LETTERS_ISSUED, json.dumps(body).encode()).reason
    assert reason == ("LetterIssued violates its schema: payload.subject: "
                      "text must not contain the NUL character (U+0000) or a lone surrogate")
    body["payload"]["subject"] = "Uw factuur \\u0000"  # a backslash and five characters: storable
    assert decode_event(topics.LETTERS_ISSUED, json.dumps(body).encode()).payload.subject == "Uw factuur \\u0000"
