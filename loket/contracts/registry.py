"""The event catalogue, and turning bytes from the bus back into events.

`decode_event` is the only way consumers should parse a message: it checks that the event is
one its topic carries, and reduces every failure to a `ContractViolation` whose reason is safe
to put in DLQ headers and logs (pydantic's own error texts would include the input values,
and with them national numbers).
"""

from __future__ import annotations

import json
from functools import cache
from typing import Annotated, Any, Union

from pydantic import ConfigDict, Field, TypeAdapter, ValidationError

from loket.contracts.appointments import APPOINTMENT_EVENTS
from loket.contracts.citizens import CITIZEN_EVENTS
from loket.contracts.devices import DEVICE_EVENTS
from loket.contracts.envelope import WIRE_REQUIRED, Event
from loket.contracts.errors import MAX_REASON_LENGTH, ContractViolation
from loket.contracts.letter_status import LETTER_STATUS_EVENTS
from loket.contracts.letters import LETTER_ISSUED_EVENTS
from loket.contracts.national_number import mask_national_numbers
from loket.contracts.notifications import NOTIFICATION_EVENTS
from loket.contracts.points import POINT_EVENTS
from loket.contracts.storable_text import UNSTORABLE_MESSAGE, first_unstorable
from loket.contracts.topics import ALL_TOPICS
from loket.contracts.visits import VISIT_EVENTS
from loket.contracts.workshops import WORKSHOP_EVENTS

ALL_EVENTS: tuple[type[Event], ...] = (
    *LETTER_ISSUED_EVENTS,
    *LETTER_STATUS_EVENTS,
    *VISIT_EVENTS,
    *APPOINTMENT_EVENTS,
    *WORKSHOP_EVENTS,
    *DEVICE_EVENTS,
    *CITIZEN_EVENTS,
    *NOTIFICATION_EVENTS,
    *POINT_EVENTS,
)


def event_type_of(cls: type[Event]) -> str:
    """The `event_type` literal a class is published with."""
    return cls.model_fields["event_type"].default


def schema_version_of(cls: type[Event]) -> int:
    return cls.model_fields["schema_version"].default


EVENT_TYPES: dict[str, type[Event]] = {event_type_of(cls): cls for cls in ALL_EVENTS}
TOPIC_EVENTS: dict[str, tuple[type[Event], ...]] = {
    topic: tuple(cls for cls in ALL_EVENTS if cls.topic == topic) for topic in ALL_TOPICS
}

_NUL_ESCAPE = b"\\u0000"
_WIRE_REQUIRED = frozenset(WIRE_REQUIRED)  # set by the producer, never by a default (envelope.py)
# Anything longer in a tag is not a real event type; cut it before it reaches a log line.
_MAX_TAG_IN_REASON = 64


@cache
def _adapter(topic: str) -> TypeAdapter[Any]:
    # Built on first use per topic: a tagged union dispatches on event_type in pydantic-core,
    # parsing the JSON once instead of json.loads + model_validate.
    classes = TOPIC_EVENTS[topic]
    union = Annotated[Union[classes], Field(discriminator="event_type")]  # type: ignore[valid-type]  # noqa: UP007
    if len(classes) == 1:
        # Union[(X,)] collapses to X, which carries its own config (and pydantic refuses a
        # second one); the discriminator still yields the same tag errors as a real union.
        return TypeAdapter(union)
    return TypeAdapter(union, config=ConfigDict(hide_input_in_errors=True))


def decode_event(topic: str, data: bytes) -> Event:
    """Parse a message received on `topic` into its event class.

    Raises ContractViolation for bytes that can never become a valid event of this topic, and
    KeyError for a topic that is not in the catalogue (a wiring bug, not bad data).
    """
    if topic not in TOPIC_EVENTS:
        raise KeyError(f"unknown topic {topic!r}; known topics: {', '.join(ALL_TOPICS)}")
    try:
        # The adapter's validator itself: TypeAdapter.validate_json's own checks cost 0.3 µs an event.
        event: Event = _adapter(topic).validator.validate_json(data)
    except ValidationError as exc:
        raise _violation(topic, data, exc) from None
    if not _WIRE_REQUIRED <= event.model_fields_set:
        missing = ", ".join(name for name in WIRE_REQUIRED if name not in event.model_fields_set)
        raise ContractViolation(
            f"{event.event_type} violates its schema: (event): missing envelope field(s) {missing}: "
            "the producer must set them", event_type=event.event_type,
        )
    # A NUL is the one unstorable character pydantic's JSON parser lets through (it refuses lone
    # surrogates). Only an escape can carry it, and most events hold no backslash at all: looking
    # for one first costs 0.25 µs on a 1 KB event, the escape itself 0.7 µs (decoding is ~7 µs).
    if b"\\" in data and _NUL_ESCAPE in data and (path := first_unstorable(json.loads(data))) is not None:
        where = mask_national_numbers(".".join(map(str, path)))[:_MAX_TAG_IN_REASON]
        raise ContractViolation(f"{event.event_type} violates its schema: {where}: {UNSTORABLE_MESSAGE}",
                                event_type=event.event_type)
    return event


def _violation(topic: str, data: bytes, exc: ValidationError) -> ContractViolation:
    errors = exc.errors(include_url=False, include_input=False, include_context=True)
    first = errors[0]
    expected = ", ".join(event_type_of(cls) for cls in TOPIC_EVENTS[topic])
    if first["type"] == "json_invalid":
        return ContractViolation(f"payload is not valid JSON: {_json_problem(data, first)}")
    if first["type"] == "dict_type" and not first["loc"]:
        return ContractViolation("payload is not valid JSON: expected an object at the top level")
    if first["type"] == "union_tag_not_found":
        return ContractViolation(f"event_type is missing (expected one of {expected})")
    if first["type"] == "union_tag_invalid":
        tag = mask_national_numbers(str(first["ctx"]["tag"]))[:_MAX_TAG_IN_REASON]
        return ContractViolation(
            f"event_type {tag!r} is not carried on topic {topic!r} (expected one of {expected})"
        )
    # Inside a tagged union the first loc element is the event_type tag itself.
    event_type = str(first["loc"][0]) if first["loc"] else None
    return ContractViolation(
        f"{event_type} violates its schema: {_summarise(errors)}", event_type=event_type
    )


def _json_problem(data: bytes, error: Any) -> str:
    # pydantic reports bad UTF-8 as a generic parse error; say what is actually wrong.
    if isinstance(data, bytes | bytearray):
        try:
            bytes(data).decode("utf-8")
        except UnicodeDecodeError as exc:
            return f"not UTF-8 (invalid byte at offset {exc.start})"
    return str(error.get("ctx", {}).get("error", error["msg"]))


def _summarise(errors: list[Any]) -> str:
    parts: list[str] = []
    for error in errors:
        path = ".".join(str(part) for part in error["loc"][1:]) or "(event)"
        message = error["msg"].removeprefix("Value error, ")
        parts.append(f"{path}: {message}")
    # Field names come from the input too (extra="forbid" reports unknown keys), so mask.
    text = mask_national_numbers("; ".join(parts))
    if len(text) > MAX_REASON_LENGTH - 100:
        text = text[: MAX_REASON_LENGTH - 120] + f"… ({len(errors)} errors)"
    return text
