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


class DeviceLoanRenewedPayload(LoanRef):
    device_kind: DeviceKind
    previous_due_at: UtcDatetime
    due_at: UtcDatetime
    renewals: int = Field(ge=1, description="renewals of this loan so far, this one included")
    contact: ContactDetails | None = None
    language: Language


class DeviceAvailablePayload(Payload):
    """A device of the kind someone waits for came back: offered to the first person waiting."""

    entry_id: UUID  # the waitlist entry the offer is for
    device_id: Ref
    device_kind: DeviceKind
    point_id: Ref
    point_name: str | None = Field(default=None, max_length=200, description="in the citizen's language")
    municipality: RefnisCode
    contact: ContactDetails
    language: Language
    held_until: UtcDatetime | None = Field(
        default=None, description="kept for this citizen until then (the end of a day, Brussels); absent: not held")


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


class DeviceLoanRenewed(DeviceEvent):
    """A loan was renewed: the device is now due back at `due_at`."""

    event_type: Literal["DeviceLoanRenewed"] = "DeviceLoanRenewed"
    schema_version: Literal[1] = 1
    payload: DeviceLoanRenewedPayload


class DeviceAvailable(Event):
    """A device of a kind someone waits for at a point came back; keyed by the waitlist entry."""

    topic: ClassVar[str] = topics.DEVICES
    event_type: Literal["DeviceAvailable"] = "DeviceAvailable"
    schema_version: Literal[1] = 1
    payload: DeviceAvailablePayload

    def partition_key(self) -> str:
        return str(self.payload.entry_id)


DEVICE_EVENTS: tuple[type[Event], ...] = (DeviceLent, DeviceReturned, DeviceLoanOverdue, DeviceLoanRenewed,
                                          DeviceAvailable)
