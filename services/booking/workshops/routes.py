"""Workshop endpoints: managers plan a workshop at their point; citizens see a point's coming
workshops, register (a place, or the waiting list when full) and cancel by their link; counter
staff list the registrations, record attendance and cancel on a citizen's behalf."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field
from starlette.requests import Request

from loket.contracts.values import Language
from loket.infra.runtime import Runtime
from services.booking.appointments.api_models import LinkQuery
from services.booking.appointments.contact import ContactIn
from services.booking.http.endpoint import Endpoint, uuid_path
from services.booking.http.scopes import COUNTER, MANAGERS, OPEN, Audited, InPath
from services.booking.workshops.model import Listed, Registration, WorkshopDraft
from services.booking.workshops.service import Workshops

POINT = {"point_id": {"type": "string", "minLength": 1, "examples": ["mechelen-digibank-predikheren"]}}
WORKSHOP = {"workshop_id": {"type": "string", "format": "uuid"}}
REGISTRATION = {"registration_id": {"type": "string", "format": "uuid"}}


class WorkshopRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    title: str = Field(min_length=1, max_length=200, examples=["Veilig internetbankieren"])
    language: Language = Field(description="The language the workshop is given in.")
    capacity: int = Field(ge=1, le=500)
    trainer: str = Field(min_length=1, max_length=200, description="Who gives it (a name, free text).")
    partner_school: str | None = Field(default=None, min_length=1, max_length=200)
    starts_at: AwareDatetime
    ends_at: AwareDatetime

    def draft(self) -> WorkshopDraft:
        return WorkshopDraft(self.title, self.language, self.capacity, self.trainer, self.partner_school,
                             self.starts_at, self.ends_at)


class WorkshopView(BaseModel):
    workshop_id: uuid.UUID
    point_id: str
    title: str
    language: Language
    capacity: int
    trainer: str | None = Field(description="Only for staff: the public list does not name the trainer.")
    partner_school: str | None
    starts_at: dt.datetime
    ends_at: dt.datetime
    places_left: int
    waiting: int

    @classmethod
    def of(cls, listed: Listed, public: bool = False) -> WorkshopView:
        w = listed.workshop
        return cls(workshop_id=w.workshop_id, point_id=w.point_id, title=w.title, language=w.language,  # type: ignore[arg-type]
                   capacity=w.capacity, trainer=None if public else w.trainer, partner_school=w.partner_school, starts_at=w.starts_at,
                   ends_at=w.ends_at, places_left=listed.places_left, waiting=listed.waiting)


class WorkshopList(BaseModel):
    workshops: list[WorkshopView]


class RegistrationRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    contact: ContactIn = Field(description="A phone number or an e-mail address, and the citizen's language: "
                                           "the confirmation and the reminder go there, in that language.")


class RegistrationView(BaseModel):
    registration_id: uuid.UUID
    status: Literal["registered", "waiting"]
    place_in_line: int | None = Field(description="While waiting: 1 is next.")
    cancel_token: str = Field(description="Keep it: it cancels this registration (POST …/cancel?token=…).")


class RegistrationStep(BaseModel):
    registration_id: uuid.UUID
    status: Literal["registered", "waiting", "cancelled"]


class StaffRegistration(BaseModel):
    registration_id: uuid.UUID
    status: Literal["registered", "waiting", "cancelled"]
    place_no: int | None
    language: Language
    phone: str | None
    email: str | None
    registered_at: dt.datetime
    attended_at: dt.datetime | None

    @classmethod
    def of(cls, r: Registration) -> StaffRegistration:
        return cls(registration_id=r.registration_id, status=r.status, place_no=r.place_no,  # type: ignore[arg-type]
                   language=r.language, phone=r.contact.phone if r.contact else None,  # type: ignore[arg-type]
                   email=r.contact.email if r.contact else None, registered_at=r.registered_at,
                   attended_at=r.attended_at)


class StaffRegistrationList(BaseModel):
    registrations: list[StaffRegistration]


def workshop_endpoints(runtime: Runtime, workshops: Workshops, clock: Callable[[], dt.datetime]) -> list[Endpoint]:
    db = runtime.db

    async def plan_workshop(request: Request, body: WorkshopRequest) -> BaseModel:
        async with db().acquire() as conn, conn.transaction():
            planned = await workshops.plan(conn, request.path_params["point_id"], body.draft(), clock())
        return WorkshopView.of(Listed(planned, 0, 0))

    async def list_workshops(request: Request) -> BaseModel:
        async with db().acquire() as conn:
            listed = await workshops.upcoming(conn, request.path_params["point_id"], clock())
        return WorkshopList(workshops=[WorkshopView.of(w, public=True) for w in listed])

    async def register_for_workshop(request: Request, body: RegistrationRequest) -> BaseModel:
        workshop_id = uuid_path(request, "workshop_id", "workshop")
        async with db().acquire() as conn, conn.transaction():
            made = await workshops.register(conn, workshop_id, body.contact.language, body.contact.details(),
                                             clock())
        return RegistrationView(registration_id=made.registration_id,
                                status="waiting" if made.place_no is None else "registered",
                                place_in_line=made.place_in_line, cancel_token=made.cancel_token)

    async def cancel_by_link(request: Request, query: LinkQuery) -> BaseModel:
        registration_id = uuid_path(request, "registration_id", "workshop registration")
        async with db().acquire() as conn, conn.transaction():
            await workshops.cancel(conn, registration_id, "citizen", clock(), token=query.token)
        return RegistrationStep(registration_id=registration_id, status="cancelled")

    async def staff_cancel_registration(request: Request) -> BaseModel:
        registration_id = uuid_path(request, "registration_id", "workshop registration")
        async with db().acquire() as conn, conn.transaction():
            await workshops.cancel(conn, registration_id, "staff", clock())
        return RegistrationStep(registration_id=registration_id, status="cancelled")

    async def record_workshop_attendance(request: Request) -> BaseModel:
        registration_id = uuid_path(request, "registration_id", "workshop registration")
        async with db().acquire() as conn, conn.transaction():
            await workshops.attended(conn, registration_id, clock())
        return RegistrationStep(registration_id=registration_id, status="registered")

    async def workshop_registrations(request: Request) -> BaseModel:
        workshop_id = uuid_path(request, "workshop_id", "workshop")
        async with db().acquire() as conn:
            found = await workshops.registrations(conn, workshop_id)
        return StaffRegistrationList(registrations=[StaffRegistration.of(r) for r in found])

    point_scope, registration_scope = InPath("point_id", "assistance point"), InPath("registration_id",
                                                                                    "workshop registration")
    return [
        Endpoint("POST", "/staff/points/{point_id}/workshops", plan_workshop, "Plan a workshop at a point", MANAGERS,
                 body=WorkshopRequest, response=WorkshopView, status=201, errors=(404, 422), tag="workshops",
                 extra={"path": POINT}, scope=point_scope),
        Endpoint("GET", "/staff/workshops/{workshop_id}/registrations", workshop_registrations,
                 "A workshop's registrations: placed, waiting (in order), cancelled", COUNTER,
                 response=StaffRegistrationList, errors=(404,), tag="workshops", extra={"path": WORKSHOP},
                 scope=InPath("workshop_id", "workshop"),
                 audit=Audited("list workshop registrations (contact details)", "workshop")),
        Endpoint("POST", "/staff/workshop-registrations/{registration_id}/attended", record_workshop_attendance,
                 "The citizen took part in the workshop", COUNTER, response=RegistrationStep, errors=(404, 409),
                 tag="workshops", extra={"path": REGISTRATION}, scope=registration_scope),
        Endpoint("POST", "/staff/workshop-registrations/{registration_id}/cancel", staff_cancel_registration,
                 "Cancel a registration on the citizen's behalf (a freed place goes to the first waiting)",
                 COUNTER, response=RegistrationStep, errors=(404, 409), tag="workshops",
                 extra={"path": REGISTRATION}, scope=registration_scope),
        Endpoint("GET", "/public/points/{point_id}/workshops", list_workshops, "A point's coming workshops", None,
                 response=WorkshopList, errors=(404,), tag="workshops", extra={"path": POINT}, scope=OPEN),
        Endpoint("POST", "/public/workshops/{workshop_id}/registrations", register_for_workshop,
                 "Register for a workshop (on its waiting list when it is full)", None, body=RegistrationRequest,
                 response=RegistrationView, status=201, errors=(404, 410), tag="workshops",
                 extra={"path": WORKSHOP}, scope=OPEN),
        Endpoint("POST", "/public/workshop-registrations/{registration_id}/cancel", cancel_by_link,
                 "Cancel a registration by its link", None, query=LinkQuery, response=RegistrationStep,
                 errors=(403, 404, 409), tag="workshops", extra={"path": REGISTRATION}, scope=OPEN),
    ]
