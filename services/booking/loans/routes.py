"""Device and loan endpoints (staff lend, renew and take back, record data wipes, see the
inventory and a device's history, keep the device waitlist; back-office registers devices,
takes in donations and sets a point's loan rules)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator
from starlette.requests import Request

from loket.contracts.storable_text import UNSTORABLE
from loket.contracts.values import Language
from loket.infra.runtime import Runtime
from services.booking.appointments.contact import ContactIn
from services.booking.http.endpoint import Endpoint, uuid_path
from services.booking.http.scopes import COUNTER, MANAGERS, Audited, InBody, InPath
from services.booking.loans.device_waitlist import WaitingEntry
from services.booking.loans.rules import LoanRules
from services.booking.loans.service import DeviceState, Donation, HistoryEntry, Loans

POINT = {"point_id": {"type": "string", "minLength": 1, "examples": ["mechelen-digibank-predikheren"]}}
LOAN = {"loan_id": {"type": "string", "format": "uuid"}}
DEVICE = {"device_id": {"type": "string", "minLength": 1, "examples": ["mech-lap-01"]}}


def _storable(value: str | None) -> str | None:
    if value is not None and UNSTORABLE.search(value):
        raise ValueError("must be text without NUL or a lone surrogate")
    return value


class DeviceRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    device_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    kind: Literal["laptop", "tablet", "smartphone"]
    label: str = Field(min_length=1, max_length=120)

    _label_text = field_validator("label")(_storable)


class DonationRequest(DeviceRequest):
    donor: str | None = Field(default=None, min_length=1, max_length=120,
                              description="how the donor wishes to be named (kept contact_days)")

    _donor_text = field_validator("donor")(_storable)


class WipeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    method: Literal["factory_reset", "certified_erasure", "storage_replaced"]


class DeviceView(BaseModel):
    device_id: str
    kind: str
    label: str
    condition: str
    on_loan: bool
    donated: bool
    wipe_pending: bool  # donated and no data wipe recorded yet: not lendable
    state: Literal["available", "held", "on_loan", "overdue", "wipe_pending", "damaged", "lost"]
    loan_id: uuid.UUID | None = None  # the open loan, when on loan
    due_at: AwareDatetime | None = None
    renewals: int | None = None
    held_until: AwareDatetime | None = None  # held: kept for the person on the waitlist it was offered to

    @classmethod
    def of(cls, device: DeviceState, now: dt.datetime) -> DeviceView:
        state = device.state(now)
        return cls(device_id=device.device_id, kind=device.kind, label=device.label, condition=device.condition,
                   on_loan=device.on_loan, donated=device.donated, wipe_pending=device.wipe_pending,
                   state=state, loan_id=device.loan_id, due_at=device.due_at, renewals=device.renewals,
                   held_until=device.held_until if state == "held" else None)


class DeviceList(BaseModel):
    devices: list[DeviceView]


class HistoryView(BaseModel):
    at: AwareDatetime
    what: Literal["registered", "donated", "wiped", "lent", "renewed", "returned", "offered", "hold_lapsed",
                  "hold_released"]
    loan_id: uuid.UUID | None
    due_at: AwareDatetime | None  # lent or renewed: due then; offered: kept for the person waiting until then
    condition: str | None  # returned: in what condition
    detail: str | None  # the wipe method, or the notes taken at a return
    by_whom: str | None


class DeviceHistory(BaseModel):
    device: DeviceView
    history: list[HistoryView]


class LendRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    device_id: str = Field(min_length=1, max_length=64)
    due_at: AwareDatetime | None = Field(default=None, description="by default the end of the point's loan period")
    language: Language
    contact: ContactIn = Field(description="the borrower's phone number or e-mail address: who they are for the "
                                           "loan rules (kept as a hash) and, unless `reminders` is false, where "
                                           "reminders go")
    reminders: bool = True


class LoanView(BaseModel):
    loan_id: uuid.UUID


class RenewedView(BaseModel):
    loan_id: uuid.UUID
    due_at: AwareDatetime
    renewals: int


class WaitlistJoinRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Literal["laptop", "tablet", "smartphone"]
    contact: ContactIn


class WaitlistJoined(BaseModel):
    entry_id: uuid.UUID


class WaitlistLeaveRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    entry_id: uuid.UUID


class WaitlistEntryView(BaseModel):
    entry_id: uuid.UUID
    kind: str
    language: str
    joined_at: AwareDatetime
    offered_at: AwareDatetime | None  # a returned device was offered to them
    offered_device_id: str | None
    held_until: AwareDatetime | None = None  # the offered device is kept for them until then


class WaitlistView(BaseModel):
    entries: list[WaitlistEntryView]  # per kind, first come first


class ReturnRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    condition: Literal["good", "damaged", "lost"]
    notes: str | None = Field(default=None, min_length=1, max_length=500)

    _notes_text = field_validator("notes")(_storable)


class Registered(BaseModel):
    device_id: str


def loan_endpoints(runtime: Runtime, loans: Loans, clock: Callable[[], dt.datetime]) -> list[Endpoint]:
    db = runtime.db

    async def register_device(request: Request, body: DeviceRequest) -> BaseModel:
        async with db().acquire() as conn, conn.transaction():
            await loans.register(conn, request.path_params["point_id"], body.device_id, body.kind, body.label,
                                 request.state.principal.name, clock())
        return Registered(device_id=body.device_id)

    async def donate_device(request: Request, body: DonationRequest) -> BaseModel:
        async with db().acquire() as conn, conn.transaction():
            now = clock()
            await loans.register(conn, request.path_params["point_id"], body.device_id, body.kind, body.label,
                                 request.state.principal.name, now, Donation(now, body.donor))
        return Registered(device_id=body.device_id)

    async def record_wipe(request: Request, body: WipeRequest) -> BaseModel:
        principal = request.state.principal
        async with db().acquire() as conn, conn.transaction():
            await loans.record_wipe(conn, request.path_params["device_id"], body.method, principal.name, clock())
        return Registered(device_id=request.path_params["device_id"])

    async def list_devices(request: Request) -> BaseModel:
        async with db().acquire() as conn:
            devices = await loans.inventory(conn, request.path_params["point_id"])
        now = clock()
        return DeviceList(devices=[DeviceView.of(d, now) for d in devices])

    async def device_history(request: Request) -> BaseModel:
        async with db().acquire() as conn:
            device, history = await loans.device(conn, request.path_params["device_id"])
        return DeviceHistory(device=DeviceView.of(device, clock()), history=[_history(h) for h in history])

    async def lend_device(request: Request, body: LendRequest) -> BaseModel:
        async with db().acquire() as conn, conn.transaction():
            loan_id = await loans.lend(conn, body.device_id, body.due_at, body.language, body.contact.details(),
                                       body.reminders, request.state.principal.name, clock())
        return LoanView(loan_id=loan_id)

    async def renew_loan(request: Request) -> BaseModel:
        loan_id = uuid_path(request, "loan_id", "loan")
        async with db().acquire() as conn, conn.transaction():
            renewed = await loans.renew(conn, loan_id, request.state.principal.name, clock())
        return RenewedView(loan_id=loan_id, due_at=renewed.due_at, renewals=renewed.renewals)

    async def return_device(request: Request, body: ReturnRequest) -> BaseModel:
        loan_id = uuid_path(request, "loan_id", "loan")
        async with db().acquire() as conn, conn.transaction():
            await loans.give_back(conn, loan_id, body.condition, body.notes, request.state.principal.name, clock())
        return LoanView(loan_id=loan_id)

    async def loan_rules(request: Request) -> BaseModel:
        async with db().acquire() as conn:
            await loans.appointments.point(conn, request.path_params["point_id"])
            return await loans.rules(conn, request.path_params["point_id"])

    async def set_loan_rules(request: Request, body: LoanRules) -> BaseModel:
        async with db().acquire() as conn, conn.transaction():
            await loans.set_rules(conn, request.path_params["point_id"], body, request.state.principal.name, clock())
        return body

    async def join_device_waitlist(request: Request, body: WaitlistJoinRequest) -> BaseModel:
        point_id = request.path_params["point_id"]
        async with db().acquire() as conn, conn.transaction():
            entry_id = await loans.wait_for(conn, point_id, body.kind, body.contact.details(), clock())
        return WaitlistJoined(entry_id=entry_id)

    async def leave_device_waitlist(request: Request, body: WaitlistLeaveRequest) -> BaseModel:
        async with db().acquire() as conn, conn.transaction():
            await loans.leave_waitlist(conn, request.path_params["point_id"], body.entry_id, clock())
        return WaitlistJoined(entry_id=body.entry_id)

    async def release_hold(request: Request) -> BaseModel:
        async with db().acquire() as conn, conn.transaction():
            await loans.release_hold(conn, request.path_params["device_id"], request.state.principal.name, clock())
        return Registered(device_id=request.path_params["device_id"])

    async def device_waitlist(request: Request) -> BaseModel:
        async with db().acquire() as conn:
            await loans.appointments.point(conn, request.path_params["point_id"])
            entries = await loans.waitlist.entries(conn, request.path_params["point_id"])
        return WaitlistView(entries=[_entry(e) for e in entries])

    staff = COUNTER
    return [
        Endpoint("POST", "/backoffice/points/{point_id}/devices", register_device, "Register a lendable device",
                 MANAGERS, body=DeviceRequest, response=Registered, status=201, errors=(404, 409),
                 tag="loans", extra={"path": POINT}, scope=InPath("point_id", "assistance point")),
        Endpoint("POST", "/backoffice/points/{point_id}/donations", donate_device,
                 "Take in a donated device (lendable once its data wipe is recorded)", MANAGERS, body=DonationRequest,
                 response=Registered, status=201, errors=(404, 409, 422), tag="loans", extra={"path": POINT},
                 scope=InPath("point_id", "assistance point")),
        Endpoint("POST", "/staff/devices/{device_id}/wipe", record_wipe, "Record a device's data wipe", staff,
                 body=WipeRequest, response=Registered, errors=(404,), tag="loans", extra={"path": DEVICE},
                 scope=InPath("device_id", "device")),
        Endpoint("POST", "/staff/devices/{device_id}/release-hold", release_hold,
                 "Release a device kept for someone on the waitlist who does not want it: it is offered to the "
                 "next person waiting", staff, response=Registered, errors=(404, 409), tag="loans",
                 extra={"path": DEVICE}, scope=InPath("device_id", "device")),
        Endpoint("GET", "/staff/points/{point_id}/devices", list_devices, "A point's devices", staff,
                 response=DeviceList, errors=(404,), tag="loans", extra={"path": POINT}, scope=InPath("point_id", "assistance point")),
        Endpoint("POST", "/staff/loans", lend_device, "Lend a device", staff, body=LendRequest, response=LoanView,
                 status=201, errors=(404, 409), tag="loans",
                 audit=Audited("lend a device (contact details)", "loan", "loan_id"), scope=InBody("device_id", "device")),
        Endpoint("POST", "/staff/loans/{loan_id}/return", return_device, "Take a device back", staff,
                 body=ReturnRequest, response=LoanView, errors=(404, 409), tag="loans", extra={"path": LOAN}, scope=InPath("loan_id", "loan")),
        Endpoint("POST", "/staff/loans/{loan_id}/renew", renew_loan,
                 "Renew a loan (refused when renewals are used up, past the hard due date, or when someone waits "
                 "for the kind of device)", staff, response=RenewedView, errors=(404, 409), tag="loans",
                 extra={"path": LOAN}, scope=InPath("loan_id", "loan")),
        Endpoint("GET", "/staff/devices/{device_id}/history", device_history,
                 "A device's state and history (loans, renewals, returns with condition, wipes)", staff,
                 response=DeviceHistory, errors=(404,), tag="loans", extra={"path": DEVICE},
                 scope=InPath("device_id", "device")),
        Endpoint("GET", "/staff/points/{point_id}/loan-rules", loan_rules, "A point's loan rules", staff,
                 response=LoanRules, errors=(404,), tag="loans", extra={"path": POINT},
                 scope=InPath("point_id", "assistance point")),
        Endpoint("PUT", "/backoffice/points/{point_id}/loan-rules", set_loan_rules,
                 "Set a point's loan rules (new loans and renewals follow them)", MANAGERS, body=LoanRules,
                 response=LoanRules, errors=(404, 422), tag="loans", extra={"path": POINT},
                 scope=InPath("point_id", "assistance point")),
        Endpoint("POST", "/staff/points/{point_id}/device-waitlist", join_device_waitlist,
                 "Put a citizen on the waitlist for a kind of device", staff, body=WaitlistJoinRequest,
                 response=WaitlistJoined, status=201, errors=(404, 409, 422), tag="loans", extra={"path": POINT},
                 audit=Audited("join a device waitlist (contact details)", "device waitlist entry", "entry_id"),
                 scope=InPath("point_id", "assistance point")),
        Endpoint("POST", "/staff/points/{point_id}/device-waitlist/leave", leave_device_waitlist,
                 "Take a citizen off the device waitlist", staff, body=WaitlistLeaveRequest, response=WaitlistJoined,
                 errors=(404,), tag="loans", extra={"path": POINT}, scope=InPath("point_id", "assistance point")),
        Endpoint("GET", "/staff/points/{point_id}/device-waitlist", device_waitlist,
                 "Who waits for which kind of device (no contact details)", staff, response=WaitlistView,
                 errors=(404,), tag="loans", extra={"path": POINT}, scope=InPath("point_id", "assistance point")),
    ]


def _history(entry: HistoryEntry) -> HistoryView:
    return HistoryView(at=entry.at, what=entry.what, loan_id=entry.loan_id, due_at=entry.due_at,  # type: ignore[arg-type]
                       condition=entry.condition, detail=entry.detail, by_whom=entry.by_whom)


def _entry(entry: WaitingEntry) -> WaitlistEntryView:
    return WaitlistEntryView(entry_id=entry.entry_id, kind=entry.kind, language=entry.language,
                             joined_at=entry.joined_at, offered_at=entry.offered_at,
                             offered_device_id=entry.offered_device_id, held_until=entry.held_until)
