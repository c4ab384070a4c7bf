"""`citizens.v1`: citizens helped to activate their eBox, published by booking, and erasure
requests, published by an operator (`loket privacy erase`).

ebox_bridge consumes it to refresh its eBox status cache, so letters to a freshly activated
citizen go digital instead of on paper, and to erase what it holds about a citizen.
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


class CitizenErasureRequestedPayload(Payload):
    erasure_id: UUID = Field(description="The request's reference, for the operator's records and the logs.")
    national_number: NationalNumber = Field(description="Whose data to erase; the event is the only place it travels.")
    requested_at: UtcDatetime


class CitizenErasureRequested(Event):
    """An operator recorded a citizen's request to erase their data (GDPR art. 17). Each service
    erases what it holds under the national number; settled letters lose their PDF, number,
    address and contact, letters still in flight finish first (retention purges them later)."""

    topic: ClassVar[str] = topics.CITIZENS
    event_type: Literal["CitizenErasureRequested"] = "CitizenErasureRequested"
    schema_version: Literal[1] = 1
    payload: CitizenErasureRequestedPayload

    def partition_key(self) -> str:
        return str(self.payload.erasure_id)


CITIZEN_EVENTS: tuple[type[Event], ...] = (EboxActivationAssisted, CitizenErasureRequested)
