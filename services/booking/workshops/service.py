"""Workshop use cases; each writes in the caller's transaction, the state change and its event
(outbox) together. Registering, cancelling and promoting lock the workshop's row first, so for
one workshop they happen one after the other: places are counted right and the waiting list keeps
its order; the unique place index and the capacity trigger (migration 0013) hold even if a
future code path forgot the lock."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hmac
import uuid
from dataclasses import dataclass

import asyncpg

from loket.contracts.values import ContactDetails
from loket.contracts.workshops import WorkshopCancelledBy
from loket.infra.db.outbox import Outbox
from loket.infra.retention.policy import RetentionDays, past_retention, purged_rows
from services.booking.appointments.links import new_token, token_digest
from services.booking.appointments.service import Appointments
from services.booking.errors import Conflict, Gone, Invalid, NotAllowed, NotFound, NotOffered
from services.booking.points.model import AssistancePoint
from services.booking.workshops import events
from services.booking.workshops.model import Listed, Registration, Workshop, WorkshopDraft
from services.booking.workshops.rules import (
    attendance_problem,
    free_place,
    registration_open,
    session_problem,
)

REGISTRATION_COLUMNS = "registration_id, workshop_id, place_no, language, contact::text AS contact, registered_at, " \
                       "cancelled_at, attended_at"


@dataclass(frozen=True)
class Registered:
    registration_id: uuid.UUID
    place_no: int | None
    place_in_line: int | None  # for a waiting registration: 1 is next
    cancel_token: str  # the citizen's cancel link; only its digest is stored


class Workshops:
    def __init__(self, appointments: Appointments, outbox: Outbox) -> None:
        self.appointments, self.outbox, self.schema = appointments, outbox, appointments.schema

    async def plan(self, conn: asyncpg.Connection, point_id: str, draft: WorkshopDraft, now: dt.datetime) -> Workshop:
        point = await self.appointments.point(conn, point_id)
        if draft.language not in point.languages:
            raise NotOffered("Language not offered", f"{point_id} helps in {', '.join(point.languages)}, "
                                                     f"not in {draft.language}")
        if (problem := session_problem(draft.starts_at, draft.ends_at, now)) is not None:
            raise Invalid("Workshop times not possible", problem)
        workshop = Workshop(**vars(draft), workshop_id=uuid.uuid4(), point_id=point_id)
        await conn.execute(
            f"""INSERT INTO {self.schema}.workshops (workshop_id, point_id, title, language, capacity, trainer,
                    partner_school, starts_at, ends_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)""",
            workshop.workshop_id, point_id, draft.title, draft.language, draft.capacity, draft.trainer,
            draft.partner_school, draft.starts_at, draft.ends_at, now)
        return workshop

    async def upcoming(self, conn: asyncpg.Connection, point_id: str, now: dt.datetime) -> list[Listed]:
        """The point's workshops that have not begun, soonest first (an unknown point: NotFound)."""
        return await self.starting_after(conn, point_id, now)

    async def starting_after(self, conn: asyncpg.Connection, point_id: str, after: dt.datetime) -> list[Listed]:
        """The point's workshops that begin after `after`, soonest first (an unknown point: NotFound)."""
        await self.appointments.point(conn, point_id)
        rows = await conn.fetch(
            f"""SELECT w.*, count(r.place_no) AS placed,
                       count(*) FILTER (WHERE r.registration_id IS NOT NULL AND r.place_no IS NULL
                                          AND r.cancelled_at IS NULL) AS waiting
                FROM {self.schema}.workshops w
                LEFT JOIN {self.schema}.workshop_registrations r ON r.workshop_id = w.workshop_id
                WHERE w.point_id = $1 AND w.starts_at > $2
                GROUP BY w.workshop_id ORDER BY w.starts_at, w.title""", point_id, after)
        return [Listed(Workshop.of(r), r["placed"], r["waiting"]) for r in rows]

    async def workshop(self, conn: asyncpg.Connection, workshop_id: uuid.UUID, lock: bool = False) -> Workshop:
        row = await conn.fetchrow(f"SELECT * FROM {self.schema}.workshops WHERE workshop_id = $1"
                                  f"{' FOR UPDATE' if lock else ''}", workshop_id)
        if row is None:
            raise NotFound("Unknown workshop", f"there is no workshop {workshop_id}")
        return Workshop.of(row)

    async def register(self, conn: asyncpg.Connection, workshop_id: uuid.UUID, language: str,
                       contact: ContactDetails, now: dt.datetime) -> Registered:
        """A place while one is free, else the end of the waiting list."""
        workshop = await self.workshop(conn, workshop_id, lock=True)
        if not registration_open(workshop.starts_at, now):
            raise Gone("Registration closed", "the workshop has begun; choose a later one")
        point = await self.appointments.point(conn, workshop.point_id)
        taken = await conn.fetch(f"""SELECT place_no FROM {self.schema}.workshop_registrations
                                     WHERE workshop_id = $1 AND place_no IS NOT NULL""", workshop_id)
        place_no = free_place((r["place_no"] for r in taken), workshop.capacity)
        token = new_token()
        row = await conn.fetchrow(
            f"""INSERT INTO {self.schema}.workshop_registrations
                    (registration_id, workshop_id, place_no, language, contact, cancel_digest, registered_at)
                VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING {REGISTRATION_COLUMNS}""",
            uuid.uuid4(), workshop_id, place_no, language, contact.model_dump(mode="json"),
            token_digest(token), now)
        registration = Registration.of(row)
        in_line = None if place_no is not None else await self._place_in_line(conn, registration)
        await self.outbox.append(conn, events.registered(workshop, registration, point, contact, in_line))
        return Registered(registration.registration_id, place_no, in_line, token)

    async def cancel(self, conn: asyncpg.Connection, registration_id: uuid.UUID, by: WorkshopCancelledBy,
                     now: dt.datetime, token: str | None = None) -> None:
        """Cancel a placed or waiting registration (a citizen shows their link's `token`); a freed
        place goes to the first registration waiting, at once."""
        registration = await self.registration(conn, registration_id)
        workshop = await self.workshop(conn, registration.workshop_id, lock=True)
        registration = await self.registration(conn, registration_id)  # as it stands under the lock
        if token is not None:
            await self.check_link(conn, registration_id, token)
        if registration.cancelled_at is not None:
            raise Conflict("Cancelled already", f"registration {registration_id} is cancelled already")
        if registration.attended_at is not None or not registration_open(workshop.starts_at, now):
            raise Conflict("Not possible now", "the workshop has begun; a registration is cancelled before it")
        # Attendance is not taken under the workshop's lock: the row's own lock decides a race with it.
        status = await conn.execute(
            f"""UPDATE {self.schema}.workshop_registrations SET cancelled_at = $2, place_no = NULL
                WHERE registration_id = $1 AND cancelled_at IS NULL AND attended_at IS NULL""", registration_id, now)
        if not status.endswith(" 1"):
            raise Conflict("Not possible now", f"registration {registration_id} was marked as attended meanwhile")
        point = await self.appointments.point(conn, workshop.point_id)
        contact = registration.contact or _blanked(registration.language)
        await self.outbox.append(conn, events.cancelled(workshop, registration, point, contact, by))
        if registration.place_no is not None:
            await self._promote(conn, workshop, registration.place_no, point, now)

    async def change_capacity(self, conn: asyncpg.Connection, workshop_id: uuid.UUID, capacity: int,
                              now: dt.datetime) -> int:
        """More places (the first waiting get them, at once, each told) or fewer (never below the
        highest place taken: nobody loses a place they were given). Returns how many were placed."""
        workshop = await self.workshop(conn, workshop_id, lock=True)
        if not registration_open(workshop.starts_at, now):
            raise Conflict("Not possible now", "the workshop has begun; its places are as they are")
        if not 1 <= capacity <= 500:
            raise Invalid("Bad capacity", "a workshop has from 1 to 500 places")
        taken = [r["place_no"] for r in await conn.fetch(
            f"""SELECT place_no FROM {self.schema}.workshop_registrations
                WHERE workshop_id = $1 AND place_no IS NOT NULL""", workshop_id)]
        if capacity < max(taken, default=0):
            raise Conflict("Places taken", f"place {max(taken)} is taken: the workshop keeps at least "
                                           f"{max(taken)} places (cancel registrations first)")
        await conn.execute(f"UPDATE {self.schema}.workshops SET capacity = $2 WHERE workshop_id = $1",
                           workshop_id, capacity)
        grown = dataclasses.replace(workshop, capacity=capacity)
        point = await self.appointments.point(conn, workshop.point_id)
        placed = 0
        while (place_no := free_place(taken, capacity)) is not None:
            if not await self._promote(conn, grown, place_no, point, now):
                break  # nobody waits any more
            taken.append(place_no)
            placed += 1
        return placed

    async def _promote(self, conn: asyncpg.Connection, workshop: Workshop, place_no: int, point: AssistancePoint,
                       now: dt.datetime) -> bool:
        """The first waiting registration takes the place; False when nobody waits."""
        row = await conn.fetchrow(
            f"""UPDATE {self.schema}.workshop_registrations SET place_no = $2, placed_from_line_at = $3
                WHERE registration_id = (SELECT registration_id FROM {self.schema}.workshop_registrations
                                         WHERE workshop_id = $1 AND place_no IS NULL AND cancelled_at IS NULL
                                         ORDER BY line LIMIT 1)
                RETURNING {REGISTRATION_COLUMNS}""", workshop.workshop_id, place_no, now)
        if row is None:
            return False  # nobody waits: the place stays free for the next registration
        promoted = Registration.of(row)
        contact = promoted.contact or _blanked(promoted.language)
        await self.outbox.append(conn, events.place_offered(workshop, promoted, point, contact))
        return True

    async def attended(self, conn: asyncpg.Connection, registration_id: uuid.UUID, now: dt.datetime) -> None:
        registration = await self.registration(conn, registration_id)
        workshop = await self.workshop(conn, registration.workshop_id)
        if (problem := attendance_problem(workshop.starts_at, now)) is not None:
            raise Conflict("Too early", problem)
        status = await conn.execute(
            f"""UPDATE {self.schema}.workshop_registrations SET attended_at = $2
                WHERE registration_id = $1 AND place_no IS NOT NULL AND attended_at IS NULL""", registration_id, now)
        if not status.endswith(" 1"):
            raise Conflict("Not possible now", f"registration {registration_id} is {registration.status}"
                                               + (", attendance recorded already" if registration.attended_at else ""))
        point = await self.appointments.point(conn, workshop.point_id)
        await self.outbox.append(conn, events.attended(workshop, registration, point, now))

    async def check_link(self, conn: asyncpg.Connection, registration_id: uuid.UUID, token: str) -> None:
        """The citizen's link names this registration (only its digest is stored)."""
        digest = await conn.fetchval(
            f"SELECT cancel_digest FROM {self.schema}.workshop_registrations WHERE registration_id = $1",
            registration_id)
        if digest is None:
            raise NotFound("Unknown workshop registration", f"there is no workshop registration {registration_id}")
        if not hmac.compare_digest(token_digest(token), digest):
            raise NotAllowed("Not your registration", "this link belongs to another registration")

    async def registration(self, conn: asyncpg.Connection, registration_id: uuid.UUID) -> Registration:
        row = await conn.fetchrow(f"SELECT {REGISTRATION_COLUMNS} FROM {self.schema}.workshop_registrations "
                                  "WHERE registration_id = $1", registration_id)
        if row is None:
            raise NotFound("Unknown workshop registration", f"there is no workshop registration {registration_id}")
        return Registration.of(row)

    async def registrations(self, conn: asyncpg.Connection, workshop_id: uuid.UUID) -> list[Registration]:
        """Placed first (by place), then the waiting list in order, then the cancelled ones."""
        await self.workshop(conn, workshop_id)
        rows = await conn.fetch(
            f"""SELECT {REGISTRATION_COLUMNS} FROM {self.schema}.workshop_registrations WHERE workshop_id = $1
                ORDER BY cancelled_at IS NOT NULL, place_no IS NULL, place_no, line""", workshop_id)
        return [Registration.of(r) for r in rows]

    async def _place_in_line(self, conn: asyncpg.Connection, registration: Registration) -> int:
        return await conn.fetchval(
            f"""SELECT count(*) FROM {self.schema}.workshop_registrations
                WHERE workshop_id = $1 AND place_no IS NULL AND cancelled_at IS NULL
                  AND line <= (SELECT line FROM {self.schema}.workshop_registrations WHERE registration_id = $2)""",
            registration.workshop_id, registration.registration_id)

    async def erase_past_contacts(self, conn: asyncpg.Connection, now: dt.datetime, days: RetentionDays) -> int:
        """Blank the citizen's contact details once the workshop has been over for the
        municipality's `contact_days` (the registration, its place and attendance, stay)."""
        return await purged_rows(
            conn,
            f"""UPDATE {self.schema}.workshop_registrations r SET contact = NULL
                FROM {self.schema}.workshops w JOIN {self.schema}.assistance_points p ON p.point_id = w.point_id
                WHERE w.workshop_id = r.workshop_id AND r.contact IS NOT NULL
                  AND {past_retention("w.ends_at", "p.municipality")}""",
            now, days)


def _blanked(language: str) -> ContactDetails:
    """Contact details retention blanked already (a workshop long past): the event still says what
    happened, with nobody to write to."""
    return ContactDetails(language=language)  # type: ignore[arg-type]
