"""Envelope rules shared by every event."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from loket.contracts import Event, LetterIssued, LetterRead, decode_event
from tests.contracts.examples import LETTER_ID, all_examples, example, payload_dict

BRUSSELS = ZoneInfo("Europe/Brussels")


def read(**envelope) -> LetterRead:
    return LetterRead(producer="ebox_bridge", payload=payload_dict("LetterRead"), **envelope)


def test_defaults_fill_id_and_time() -> None:
    before = datetime.now(UTC)
    event = read()
    assert isinstance(event.event_id, uuid.UUID)
    assert event.event_id != read().event_id
    assert event.event_type == "LetterRead" and event.schema_version == 1
    assert before <= event.occurred_at <= datetime.now(UTC)
    assert event.occurred_at.utcoffset() == timedelta(0)
    assert event.correlation_id is None and event.causation_id is None


def test_naive_datetime_is_rejected_with_a_clear_message() -> None:
    with pytest.raises(ValidationError) as info:
        read(occurred_at=datetime(2025, 3, 30, 2, 30))
    assert "time zone offset" in str(info.value)
    with pytest.raises(ValidationError, match="time zone offset"):
        LetterRead(
            producer="ebox_bridge",
            payload={"letter_id": LETTER_ID, "read_at": "2025-03-30T02:30:00"},
        )


@pytest.mark.parametrize(
    ("local", "utc"),
    [
        # Both DST change days in Brussels: 30 March and 26 October 2025.
        (datetime(2025, 3, 30, 3, 30, tzinfo=BRUSSELS), datetime(2025, 3, 30, 1, 30, tzinfo=UTC)),
        (datetime(2025, 3, 30, 1, 30, tzinfo=BRUSSELS), datetime(2025, 3, 30, 0, 30, tzinfo=UTC)),
        (
            datetime(2025, 10, 26, 2, 30, fold=1, tzinfo=BRUSSELS),
            datetime(2025, 10, 26, 1, 30, tzinfo=UTC),
        ),
        (
            datetime(2025, 7, 1, 12, 0, tzinfo=timezone(timedelta(hours=-5))),
            datetime(2025, 7, 1, 17, 0, tzinfo=UTC),
        ),
    ],
)
def test_aware_datetimes_are_converted_to_utc(local: datetime, utc: datetime) -> None:
    event = read(occurred_at=local)
    assert event.occurred_at == utc
    assert event.occurred_at.tzinfo is UTC
    assert (event.occurred_at.hour, event.occurred_at.minute) == (utc.hour, utc.minute)
    payload_time = LetterRead(
        producer="x", payload={"letter_id": LETTER_ID, "read_at": local}
    ).payload.read_at
    assert payload_time.tzinfo is UTC and payload_time == utc


def test_string_offsets_are_converted_to_utc() -> None:
    event = read(occurred_at="2025-03-30T04:00:00+02:00")
    assert event.occurred_at == datetime(2025, 3, 30, 2, 0, tzinfo=UTC)
    assert b'"occurred_at":"2025-03-30T02:00:00Z"' in event.to_bytes()


def test_events_are_frozen() -> None:
    event = example("LetterIssued")
    with pytest.raises(ValidationError):
        event.producer = "someone-else"
    with pytest.raises(ValidationError):
        event.payload.subject = "changed"
    with pytest.raises(ValidationError):
        event.payload.postal_address.street = "Elsewhere"


def test_extra_fields_are_rejected() -> None:
    with pytest.raises(ValidationError, match="extra_forbidden|Extra inputs"):
        read(priority="high")
    with pytest.raises(ValidationError, match="Extra inputs"):
        LetterRead(producer="x", payload={**payload_dict("LetterRead"), "ssin": "85073003328"})


def test_producer_must_not_be_empty() -> None:
    with pytest.raises(ValidationError, match="producer"):
        LetterRead(producer="", payload=payload_dict("LetterRead"))


def test_event_type_cannot_be_changed() -> None:
    with pytest.raises(ValidationError, match="event_type"):
        read(event_type="LetterPosted")
    with pytest.raises(ValidationError, match="schema_version"):
        read(schema_version=2)


def test_caused_by_starts_and_continues_a_chain() -> None:
    issued = example("LetterIssued")
    first = Event.caused_by(issued)
    assert first == {"correlation_id": issued.event_id, "causation_id": issued.event_id}

    queued = example("LetterQueuedForPrint", envelope=first)
    posted = example("LetterPosted", envelope=Event.caused_by(queued))
    assert posted.causation_id == queued.event_id
    assert posted.correlation_id == issued.event_id  # the chain keeps its first id
    assert posted.correlation_id != queued.event_id


def test_to_bytes_is_what_decode_reads() -> None:
    event = example("LetterIssued")
    assert decode_event(LetterIssued.topic, event.to_bytes()) == event
    assert event.to_bytes() == event.model_dump_json().encode()


def test_base_event_has_no_partition_key() -> None:
    class Bare(Event):
        """An event class that forgot to say what it is keyed by."""

    with pytest.raises(NotImplementedError):
        Bare(event_type="Bare", schema_version=1, producer="x", payload={}).partition_key()


@pytest.mark.parametrize("event", all_examples(), ids=lambda e: e.event_type)
def test_the_wire_bytes_are_the_models_json_in_utf_8(event: Event) -> None:
    # to_bytes asks the serializer directly; the bytes must stay those of model_dump_json.
    assert event.to_bytes() == event.model_dump_json().encode("utf-8")
    assert decode_event(event.topic, event.to_bytes()) == event


def test_the_wire_bytes_carry_text_as_utf_8_not_escapes() -> None:
    failed = example("LetterFailed", message="Rue de l'Église 5, 1000 Bruxelles: adresse inconnue — réessayé")
    data = failed.to_bytes()
    assert "l'Église 5, 1000 Bruxelles: adresse inconnue — réessayé".encode() in data
    assert data == failed.model_dump_json().encode("utf-8")
