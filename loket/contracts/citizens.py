"""`citizens.v1`: citizens helped to activate their eBox, published by booking.

ebox_bridge consumes it to refresh its eBox status cache, so letters to a freshly activated
citizen go digital instead of on paper.
"""

from __future__ import annotations

from typing import ClassVar, Literal
from uuid import UUID

from pydantic import Field, model_validator

from loket.contracts import topics
from loket.contracts.envelope import Event, Payload
from loket.contracts.national_number import NationalNumber
from loket.contracts.values import Ref, RefnisCode, UtcDatetime


class EboxActivationAssistedPayload(Payload):
    activation_id: UUID
    visit_id: UUID | None = None
    point_id: Ref
    municipality: RefnisCode
    national_number: NationalNumber | None = Field(
        default=None, description="Only with the citizen's explicit consent."
    )
    consent_given: bool
    activated_at: UtcDatetime

    @model_validator(mode="after")
    def _number_needs_consent(self) -> EboxActivationAssistedPayload:
        # Processing the number is only lawful with consent; refusing the event keeps a
        # careless producer from leaking it onto the bus.
        if self.national_number is not None and not self.consent_given:
            raise ValueError("national_number may only be sent when consent_given is true")
        return self


class EboxActivationAssisted(Event):
    """A helper assisted a citizen in activating their eBox."""

    topic: ClassVar[str] = topics.CITIZENS
    event_type: Literal["EboxActivationAssisted"] = "EboxActivationAssisted"
    schema_version: Literal[1] = 1
    payload: EboxActivationAssistedPayload

    def partition_key(self) -> str:
        return str(self.payload.activation_id)


CITIZEN_EVENTS: tuple[type[Event], ...] = (EboxActivationAssisted,)
