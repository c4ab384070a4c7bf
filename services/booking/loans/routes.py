"""Device and loan endpoints (staff lend and take back, and record data wipes; back-office
registers devices and takes in donations)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field
from starlette.requests import Request

from loket.contracts.values import Language
from loket.infra.runtime import Runtime
from services.booking.appointments.contact import ContactIn
from services.booking.http.endpoint import Endpoint, uuid_path
from services.booking.http.scopes import COUNTER, MANAGERS, Audited, InBody, InPath
from services.booking.loans.service import Donation, Loans

POINT = {"point_id": {"type": "string", "minLength": 1, "examples": ["mechelen-digibank-predikheren"]}}
LOAN = {"loan_id": {"type": "string", "format": "uuid"}}
DEVICE = {"device_id": {"type": "string", "minLength": 1, "examples": ["mech-lap-01"]}}


class DeviceRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    device_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    kind: Literal["laptop", "tablet", "smartphone"]
    label: str = Field(min_length=1, max_length=120)


class DonationRequest(DeviceRequest):
    donor: str | None = Field(default=None, min_length=1, max_length=120,
                              description="how the donor wishes to be named (kept contact_days)")


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


class DeviceList(BaseModel):
    devices: list[DeviceView]


class LendRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    device_id: str = Field(min_length=1, max_length=64)
    due_at: AwareDatetime
    language: Language
    contact: ContactIn | None = None


class LoanView(BaseModel):
    loan_id: uuid.UUID


class ReturnRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    condition: Literal["good", "damaged", "lost"]
    notes: str | None = Field(default=None, min_length=1, max_length=500)


class Registered(BaseModel):
    device_id: str


def loan_endpoints(runtime: Runtime, loans: Loans, clock: Callable[[], dt.datetime]) -> list[Endpoint]:
    db = runtime.db

    async def register_device(request: Request, body: DeviceRequest) -> BaseModel:
        async with db().acquire() as conn, conn.transaction():
            await loans.register(conn, request.path_params["point_id"], body.device_id, body.kind, body.label)
        return Registered(device_id=body.device_id)

    async def donate_device(request: Request, body: DonationRequest) -> BaseModel:
        async with db().acquire() as conn, conn.transaction():
            await loans.register(conn, request.path_params["point_id"], body.device_id, body.kind, body.label,
                                 Donation(clock(), body.donor))
        return Registered(device_id=body.device_id)

    async def record_wipe(request: Request, body: WipeRequest) -> BaseModel:
        principal = request.state.principal
        async with db().acquire() as conn, conn.transaction():
            await loans.record_wipe(conn, request.path_params["device_id"], body.method, principal.name, clock())
        return Registered(device_id=request.path_params["device_id"])

    async def list_devices(request: Request) -> BaseModel:
        async with db().acquire() as conn:
            await loans.appointments.point(conn, request.path_params["point_id"])
            rows = await conn.fetch(
                f"""SELECT d.device_id, d.kind, d.label, d.condition, l.loan_id IS NOT NULL AS on_loan,
                           d.donated_at IS NOT NULL AS donated, d.wipe_required AND d.wiped_at IS NULL AS wipe_pending
                    FROM {runtime.schema}.devices d LEFT JOIN {runtime.schema}.loans l
                      ON l.device_id = d.device_id AND l.returned_at IS NULL
                    WHERE d.point_id = $1 ORDER BY d.device_id""", request.path_params["point_id"])
        return DeviceList(devices=[DeviceView(**dict(r)) for r in rows])

    async def lend_device(request: Request, body: LendRequest) -> BaseModel:
        async with db().acquire() as conn, conn.transaction():
            loan_id = await loans.lend(conn, body.device_id, body.due_at, body.language,
                                       body.contact.details() if body.contact else None, clock())
        return LoanView(loan_id=loan_id)

    async def return_device(request: Request, body: ReturnRequest) -> BaseModel:
        loan_id = uuid_path(request, "loan_id", "loan")
        async with db().acquire() as conn, conn.transaction():
            await loans.give_back(conn, loan_id, body.condition, body.notes, clock())
        return LoanView(loan_id=loan_id)

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
        Endpoint("GET", "/staff/points/{point_id}/devices", list_devices, "A point's devices", staff,
                 response=DeviceList, errors=(404,), tag="loans", extra={"path": POINT}, scope=InPath("point_id", "assistance point")),
        Endpoint("POST", "/staff/loans", lend_device, "Lend a device", staff, body=LendRequest, response=LoanView,
                 status=201, errors=(404, 409), tag="loans",
                 audit=Audited("lend a device (contact details)", "loan", "loan_id"), scope=InBody("device_id", "device")),
        Endpoint("POST", "/staff/loans/{loan_id}/return", return_device, "Take a device back", staff,
                 body=ReturnRequest, response=LoanView, errors=(404, 409), tag="loans", extra={"path": LOAN}, scope=InPath("loan_id", "loan")),
    ]
