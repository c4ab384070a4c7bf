"""`visits.v1`: in-person help at assistance points, published by booking."""

from __future__ import annotations

from typing import ClassVar, Literal
from uuid import UUID

from pydantic import Field

from loket.contracts import topics
from loket.contracts.envelope import Event, Payload
from loket.contracts.values import (
    ContactDetails,
    Language,
    PointKind,
    Ref,
    RefnisCode,
    Slug,
    UtcDatetime,
)

VisitOutcome = Literal["resolved", "referred", "needs_appointment"]


class VisitRef(Payload):
    visit_id: UUID
    point_id: Ref
    municipality: RefnisCode
    point_kind: PointKind


class VisitStartedPayload(VisitRef):
    helper_id: Ref
    ticket_id: Ref | None = Field(default=None, description="Queue ticket of a walk-in.")
    appointment_id: UUID | None = Field(default=None, description="Set when the visit was booked.")
    waited_seconds: int | None = Field(default=None, ge=0)
    language: Language
    started_at: UtcDatetime


class VisitEndedPayload(VisitRef):
    topic: Slug = Field(description="What the citizen needed help with.", examples=["ebox"])
    language: Language
    outcome: VisitOutcome
    duration_seconds: int = Field(ge=0)
    ended_at: UtcDatetime
    pages_printed: int | None = Field(
        default=None, ge=0,
        description="Pages the citizen printed during the visit; absent when none were recorded.")
    pages_over_quota: int | None = Field(
        default=None, ge=0,
        description="Of pages_printed, those beyond the point's free pages per visit.")


class VisitEvent(Event):
    """Base of the events on visits.v1, keyed by visit id."""

    topic: ClassVar[str] = topics.VISITS
    payload: VisitRef

    def partition_key(self) -> str:
        return str(self.payload.visit_id)


class VisitStarted(VisitEvent):
    """A helper started helping a citizen (walk-in or appointment)."""

    event_type: Literal["VisitStarted"] = "VisitStarted"
    schema_version: Literal[1] = 1
    payload: VisitStartedPayload


class VisitEnded(VisitEvent):
    """A visit ended; carries the outcome reporting counts."""

    event_type: Literal["VisitEnded"] = "VisitEnded"
    schema_version: Literal[1] = 1
    payload: VisitEndedPayload


class WalkInTurnNearPayload(Payload):
    ticket_id: UUID
    point_id: Ref
    municipality: RefnisCode
    point_name: str | None = Field(
        default=None, min_length=1, max_length=200,
        description="The point's name in the citizen's language, so the message can name it.")
    ticket_number: int = Field(ge=1, description="The number on the walk-in's ticket (numbers restart each day).")
    people_ahead: int = Field(ge=0)
    wait_minutes_optimistic: int = Field(ge=0)
    wait_minutes_realistic: int = Field(ge=0)
    language: Language
    contact: ContactDetails = Field(description="The mobile number the walk-in gave at the kiosk, only for this.")


class WalkInTurnNear(Event):
    """A walk-in who left a mobile number at the kiosk will be called soon (by the live wait
    estimate, not a fixed lead time): time to come back to the waiting room. Keyed by ticket id."""

    topic: ClassVar[str] = topics.VISITS
    event_type: Literal["WalkInTurnNear"] = "WalkInTurnNear"
    schema_version: Literal[1] = 1
    payload: WalkInTurnNearPayload

    def partition_key(self) -> str:
        return str(self.payload.ticket_id)


VISIT_EVENTS: tuple[type[Event], ...] = (VisitStarted, VisitEnded, WalkInTurnNear)
