"""`devices.v1`: laptops, tablets and smartphones lent to citizens, published by booking."""

from __future__ import annotations

from typing import ClassVar, Literal
from uuid import UUID

from pydantic import Field

from loket.contracts import topics
from loket.contracts.envelope import Event, Payload
from loket.contracts.values import ContactDetails, Language, Ref, RefnisCode, UtcDatetime

DeviceKind = Literal["laptop", "tablet", "smartphone"]
DeviceCondition = Literal["good", "damaged", "lost"]


class LoanRef(Payload):
    loan_id: UUID
    device_id: Ref
    point_id: Ref
    municipality: RefnisCode


class DeviceLentPayload(LoanRef):
    device_kind: DeviceKind
    due_at: UtcDatetime
    # Optional: a citizen may decline reminders; notify then simply has nobody to remind.
    contact: ContactDetails | None = None
    language: Language


class DeviceReturnedPayload(LoanRef):
    returned_at: UtcDatetime
    condition: DeviceCondition
    notes: str | None = Field(default=None, min_length=1, max_length=500)


class DeviceLoanOverduePayload(LoanRef):
    due_at: UtcDatetime
    days_overdue: int = Field(ge=1)
    contact: ContactDetails | None = None
    language: Language


class DeviceEvent(Event):
    """Base of the events on devices.v1, keyed by loan id."""

    topic: ClassVar[str] = topics.DEVICES
    payload: LoanRef

    def partition_key(self) -> str:
        return str(self.payload.loan_id)


class DeviceLent(DeviceEvent):
    """A device was lent to a citizen until `due_at`."""

    event_type: Literal["DeviceLent"] = "DeviceLent"
    schema_version: Literal[1] = 1
    payload: DeviceLentPayload


class DeviceReturned(DeviceEvent):
    """A lent device came back (or was declared lost)."""

    event_type: Literal["DeviceReturned"] = "DeviceReturned"
    schema_version: Literal[1] = 1
    payload: DeviceReturnedPayload


class DeviceLoanOverdue(DeviceEvent):
    """A loan passed its due date without a return."""

    event_type: Literal["DeviceLoanOverdue"] = "DeviceLoanOverdue"
    schema_version: Literal[1] = 1
    payload: DeviceLoanOverduePayload


DEVICE_EVENTS: tuple[type[Event], ...] = (DeviceLent, DeviceReturned, DeviceLoanOverdue)
