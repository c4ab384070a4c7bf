"""The envelope every event shares (docs/architecture.md, "Events").

Metadata lives on the envelope and the domain facts in `payload`, so infrastructure (outbox,
inbox, DLQ, tracing) can handle any event without knowing its type, and a consumer never has
to guess which fields are bookkeeping.
"""

from __future__ import annotations

from typing import Any, ClassVar
from uuid import UUID

from pydantic import ConfigDict, Field

from loket.contracts.event_ids import new_event_id
from loket.contracts.values import UtcDatetime, ValueObject, utc_now

# Defaults exist for producers building events in Python. On the wire these must be explicit:
# a default event_id made up by the consumer would defeat de-duplication (every redelivery
# would look new) and a default occurred_at would record the consumer's clock.
# `decode_event` checks them after validation, in the event's `model_fields_set` (a validator
# asking for them ran Python code on every event decoded and built: 1 to 2 µs each).
WIRE_REQUIRED = ("event_id", "event_type", "schema_version", "occurred_at")


def _require_on_the_wire(schema: dict[str, Any]) -> None:
    # Publish the wire rule in the JSON schema / AsyncAPI document too.
    schema["required"] = [*WIRE_REQUIRED, *schema.get("required", [])]


class Payload(ValueObject):
    """Base of every event's typed payload."""


class Event(ValueObject):
    """Common envelope. Subclasses narrow `event_type`/`schema_version` to literals, type the
    `payload`, set the `topic` ClassVar and implement `partition_key`."""

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        hide_input_in_errors=True,
        json_schema_extra=_require_on_the_wire,
    )

    # Where the event is published; a ClassVar so it never appears in the payload or schema.
    topic: ClassVar[str]

    event_id: UUID = Field(
        default_factory=new_event_id,
        description="Set once by the producer; consumers de-duplicate on it (inbox, Nats-Msg-Id).",
    )
    event_type: str
    schema_version: int
    occurred_at: UtcDatetime = Field(
        default_factory=utc_now, description="When the fact happened, in UTC."
    )
    producer: str = Field(
        min_length=1, max_length=64, description="Name of the publishing service or system."
    )
    correlation_id: UUID | None = Field(
        default=None, description="event_id of the first event of the causal chain."
    )
    causation_id: UUID | None = Field(
        default=None, description="event_id of the event that directly caused this one."
    )
    payload: Payload

    def partition_key(self) -> str:
        """Id of the aggregate this event belongs to, used as the Kafka key so that the events
        of one letter/appointment/loan/... stay in order."""
        raise NotImplementedError(f"{type(self).__name__} does not define a partition key")

    @staticmethod
    def caused_by(other: Event) -> dict[str, UUID]:
        """Envelope kwargs for an event caused by `other`.

        Usage: `LetterDeliveredToEbox(**Event.caused_by(issued), producer=..., payload=...)`.
        The correlation id is inherited so a whole chain (LetterIssued → LetterQueuedForPrint →
        LetterPosted → NotificationSent) can be traced from its first event.
        """
        return {
            "correlation_id": other.correlation_id or other.event_id,
            "causation_id": other.event_id,
        }

    def to_bytes(self) -> bytes:
        """The wire format: compact UTF-8 JSON, the exact input of `decode_event`."""
        # The same bytes as model_dump_json().encode(): the serializer writes UTF-8 itself, without
        # model_dump_json's argument handling and the str copy (2.6 → 1.8 µs for a 1 KB event).
        return self.__pydantic_serializer__.to_json(self)
