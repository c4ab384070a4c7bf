"""Volunteer rota use cases; each writes in the caller's transaction, and this module is the one
writer of `open_shifts` and `shift_signups` (migration 0012).

The database holds the places: a sign-up takes the lowest place number free in its transaction's
view, and when a concurrent sign-up took it first the unique index refuses it and the next free
place is tried, so the last place of a shift goes to exactly one volunteer. A volunteer's own
sign-ups are serialised by an advisory lock on the helper, so two tabs cannot beat the weekly
maximum either. An approved sign-up is a shift of the rota (`staff/repository.py` reads it), so
approving or cancelling one tells every replica's point cache at commit.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

import asyncpg

from loket.infra.db.change_signals import announce
from services.booking.errors import Conflict, Invalid, NotFound
from services.booking.points.repository import POINTS
from services.booking.rota.rules import RotaRules, cancel_problem, signup_problem, week_of
from services.booking.staff.model import Helper

ACTIVE = ("requested", "approved")  # the statuses that hold a place
LONGEST_SHIFT = dt.timedelta(hours=12)


@dataclass(frozen=True)
class OpenShift:
    open_shift_id: uuid.UUID
    point_id: str
    on_date: dt.date
    starts: dt.time
    ends: dt.time
    places: int
    note: str | None
    taken: int  # requested or approved
    approved: int
    mine: SignupRef | None = None  # the asking volunteer's own live sign-up, if any

    @property
    def places_left(self) -> int:
        return self.places - self.taken


@dataclass(frozen=True)
class SignupRef:
    signup_id: uuid.UUID
    status: str


@dataclass(frozen=True)
class Signup:
    signup_id: uuid.UUID
    open_shift_id: uuid.UUID
    point_id: str
    helper_id: str
    helper_name: str
    on_date: dt.date
    starts: dt.time
    ends: dt.time
    status: str
    place_no: int


class Rota:
    def __init__(self, schema: str, rules: RotaRules) -> None:
        self.schema, self.rules = schema, rules

    async def helper_of(self, conn: asyncpg.Connection, account: str) -> Helper | None:
        """The helper profile of the person signed in as `account`."""
        document = await conn.fetchval(
            f"SELECT document FROM {self.schema}.helpers WHERE document::jsonb ->> 'account' = $1", account)
        return Helper.model_validate_json(document) if document else None

    async def offer(self, conn: asyncpg.Connection, point_id: str, on_date: dt.date, starts: dt.time,
                    ends: dt.time, places: int, note: str | None, by: str, today: dt.date,
                    now: dt.datetime) -> uuid.UUID:
        """The point manager offers an open shift volunteers may sign up for."""
        if ends <= starts:
            raise Invalid("Shift ends before it starts", "the shift must end after it starts")
        if dt.datetime.combine(on_date, ends) - dt.datetime.combine(on_date, starts) > LONGEST_SHIFT:
            raise Invalid("Shift too long", f"a shift lasts {LONGEST_SHIFT.seconds // 3600} hours at most")
        if on_date < today:
            raise Invalid("Shift in the past", f"{on_date.isoformat()} is over already")
        if not 1 <= places <= 50:
            raise Invalid("Bad number of places", "a shift has from 1 to 50 places")
        open_shift_id = uuid.uuid4()
        await conn.execute(
            f"""INSERT INTO {self.schema}.open_shifts
                    (open_shift_id, point_id, on_date, starts, ends, places, note, created_by, created_at)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)""",
            open_shift_id, point_id, on_date, starts, ends, places, note or None, by, now)
        return open_shift_id

    async def sign_up(self, conn: asyncpg.Connection, open_shift_id: uuid.UUID, helper: Helper,
                      now: dt.datetime) -> Signup:
        """The volunteer asks for a place; the point manager approves it."""
        await conn.execute("SELECT pg_advisory_xact_lock(hashtext('rota:' || $1))", helper.helper_id)
        shift = await conn.fetchrow(
            f"""SELECT point_id, on_date, starts, ends, places FROM {self.schema}.open_shifts
                WHERE open_shift_id = $1 AND withdrawn_at IS NULL""", open_shift_id)
        if shift is None:
            raise NotFound("Unknown shift", f"there is no open shift {open_shift_id}")
        if await conn.fetchval(
                f"""SELECT true FROM {self.schema}.shift_signups
                    WHERE open_shift_id = $1 AND helper_id = $2 AND status = ANY($3::text[])""",
                open_shift_id, helper.helper_id, list(ACTIVE)):
            raise Conflict("Signed up already", "you have a place on this shift already")
        monday, sunday = week_of(shift["on_date"])
        taken = await conn.fetchval(
            f"""SELECT count(*) FROM {self.schema}.shift_signups s
                JOIN {self.schema}.open_shifts o USING (open_shift_id)
                WHERE s.helper_id = $1 AND s.status = ANY($2::text[]) AND o.withdrawn_at IS NULL
                  AND o.on_date BETWEEN $3 AND $4""", helper.helper_id, list(ACTIVE), monday, sunday)
        if (problem := signup_problem(self.rules, shift["on_date"], shift["starts"], now, taken)) is not None:
            raise Conflict(problem.title, problem.detail)
        signup_id = uuid.uuid4()
        for _ in range(shift["places"]):
            place_no = await conn.fetchval(
                f"""SELECT p FROM generate_series(1, $2::int) AS p
                    WHERE NOT EXISTS (SELECT 1 FROM {self.schema}.shift_signups s
                                      WHERE s.open_shift_id = $1 AND s.place_no = p AND s.status = ANY($3::text[]))
                    ORDER BY p LIMIT 1""", open_shift_id, shift["places"], list(ACTIVE))
            if place_no is None:
                break
            try:
                async with conn.transaction():  # a savepoint: a place taken meanwhile leaves the caller's work intact
                    await conn.execute(
                        f"""INSERT INTO {self.schema}.shift_signups
                                (signup_id, open_shift_id, helper_id, place_no, status, signed_up_at)
                            VALUES ($1, $2, $3, $4, 'requested', $5)""",
                        signup_id, open_shift_id, helper.helper_id, place_no, now)
            except asyncpg.UniqueViolationError as taken_meanwhile:
                if taken_meanwhile.constraint_name == "shift_signups_once_per_helper":
                    raise Conflict("Signed up already", "you have a place on this shift already") from None
                continue
            return Signup(signup_id, open_shift_id, shift["point_id"], helper.helper_id, helper.name,
                          shift["on_date"], shift["starts"], shift["ends"], "requested", place_no)
        raise Conflict("Shift full", "every place on this shift is taken; choose another shift")

    async def cancel(self, conn: asyncpg.Connection, signup_id: uuid.UUID, helper_id: str, now: dt.datetime) -> None:
        """The volunteer withdraws their own sign-up, within the notice."""
        signup = await self.signup(conn, signup_id)
        if signup is None or signup.helper_id != helper_id:
            raise NotFound("Unknown sign-up", f"you have no sign-up {signup_id}")
        if signup.status not in ACTIVE:
            raise Conflict("Not possible now", "this sign-up was declined or cancelled already")
        if (problem := cancel_problem(self.rules, signup.on_date, signup.starts, now)) is not None:
            raise Conflict(problem.title, problem.detail)
        await self._move(conn, signup, "cancelled", helper_id, now)

    async def decide(self, conn: asyncpg.Connection, signup_id: uuid.UUID, approve: bool, by: str,
                     now: dt.datetime) -> Signup:
        """The point manager approves a requested sign-up (it joins the rota) or declines it."""
        signup = await self.signup(conn, signup_id)
        if signup is None:
            raise NotFound("Unknown sign-up", f"there is no sign-up {signup_id}")
        if signup.status != "requested":
            raise Conflict("Decided already", f"this sign-up is {signup.status} already")
        await self._move(conn, signup, "approved" if approve else "declined", by, now)
        return signup

    async def _move(self, conn: asyncpg.Connection, signup: Signup, status: str, by: str, now: dt.datetime) -> None:
        changed = await conn.execute(
            f"""UPDATE {self.schema}.shift_signups SET status = $2, decided_at = $3, decided_by = $4
                WHERE signup_id = $1 AND status = $5""", signup.signup_id, status, now, by, signup.status)
        if not changed.endswith(" 1"):
            raise Conflict("Changed meanwhile", "someone else changed this sign-up just now; look again")
        if "approved" in (status, signup.status):  # the rota of the point changed
            await announce(conn, POINTS, signup.point_id)

    async def signup(self, conn: asyncpg.Connection, signup_id: uuid.UUID) -> Signup | None:
        rows = await self._signups(conn, "s.signup_id = $1", signup_id)
        return rows[0] if rows else None

    async def signups_at(self, conn: asyncpg.Connection, point_id: str, since: dt.date) -> list[Signup]:
        """Every live sign-up for the point's open shifts from `since` on, for the manager."""
        return await self._signups(conn, "o.point_id = $1 AND o.on_date >= $2 AND s.status = ANY($3::text[])",
                                   point_id, since, list(ACTIVE))

    async def signups_of(self, conn: asyncpg.Connection, helper_id: str, since: dt.date) -> list[Signup]:
        """The volunteer's own sign-ups from `since` on, whatever became of them."""
        return await self._signups(conn, "s.helper_id = $1 AND o.on_date >= $2", helper_id, since)

    async def _signups(self, conn: asyncpg.Connection, where: str, *args: object) -> list[Signup]:
        rows = await conn.fetch(
            f"""SELECT s.signup_id, s.open_shift_id, o.point_id, s.helper_id, h.document::jsonb ->> 'name' AS name,
                       o.on_date, o.starts, o.ends, s.status, s.place_no
                FROM {self.schema}.shift_signups s
                JOIN {self.schema}.open_shifts o USING (open_shift_id)
                JOIN {self.schema}.helpers h USING (helper_id)
                WHERE o.withdrawn_at IS NULL AND {where}
                ORDER BY o.on_date, o.starts, s.signed_up_at""", *args)
        return [Signup(r["signup_id"], r["open_shift_id"], r["point_id"], r["helper_id"], r["name"], r["on_date"],
                       r["starts"], r["ends"], r["status"], r["place_no"]) for r in rows]

    async def open_shifts(self, conn: asyncpg.Connection, point_ids: list[str], since: dt.date, until: dt.date,
                          helper_id: str | None = None) -> list[OpenShift]:
        """The open shifts at these points between the dates, with how many places are taken and
        (for a volunteer) their own sign-up."""
        rows = await conn.fetch(
            f"""SELECT o.open_shift_id, o.point_id, o.on_date, o.starts, o.ends, o.places, o.note,
                       count(s.*) FILTER (WHERE s.status = ANY($4::text[])) AS taken,
                       count(s.*) FILTER (WHERE s.status = 'approved') AS approved,
                       (array_agg(s.signup_id) FILTER (WHERE s.helper_id = $5 AND s.status = ANY($4::text[])))[1] AS mine,
                       (array_agg(s.status) FILTER (WHERE s.helper_id = $5 AND s.status = ANY($4::text[])))[1] AS my_status
                FROM {self.schema}.open_shifts o
                LEFT JOIN {self.schema}.shift_signups s USING (open_shift_id)
                WHERE o.point_id = ANY($1::text[]) AND o.on_date BETWEEN $2 AND $3 AND o.withdrawn_at IS NULL
                GROUP BY o.open_shift_id ORDER BY o.on_date, o.starts, o.point_id""",
            point_ids, since, until, list(ACTIVE), helper_id)
        return [OpenShift(r["open_shift_id"], r["point_id"], r["on_date"], r["starts"], r["ends"], r["places"],
                          r["note"], r["taken"], r["approved"],
                          SignupRef(r["mine"], r["my_status"]) if r["mine"] else None) for r in rows]

    async def point_of_open_shift(self, conn: asyncpg.Connection, open_shift_id: uuid.UUID) -> str | None:
        return await conn.fetchval(
            f"SELECT point_id FROM {self.schema}.open_shifts WHERE open_shift_id = $1", open_shift_id)
