"""The "your turn is near" round: walk-ins who left a mobile number at the kiosk are told to come
back when the live wait estimate says they may be called soon (not a fixed lead time). The
event (`WalkInTurnNear`) goes through the outbox; notify turns it into the SMS. The number is
forgotten in the same transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from itertools import groupby

import asyncpg

from loket.contracts.values import ContactDetails
from loket.contracts.visits import WalkInTurnNear, WalkInTurnNearPayload
from loket.infra.rounds import run_rounds
from loket.infra.runtime import Runtime
from services.booking.queue import repository as repo
from services.booking.queue.service import PRODUCER
from services.booking.use_cases import Booking
from services.booking.workspace.wait_estimate import turn_is_near
from services.booking.workspace.wait_figures import wait_for


def turn_near_round(booking: Booking) -> Callable[[Runtime], object]:
    lead = booking.settings.booking_turn_near_minutes

    async def turn_near(runtime: Runtime) -> None:
        async def round_() -> bool:
            async with runtime.db().acquire() as conn:
                await tell_walk_ins(conn, runtime.schema, booking, lead, booking.clock())
            return False

        await run_rounds(round_, booking.settings.booking_sweep_interval_s, "turn-near round")

    return turn_near


async def tell_walk_ins(conn: asyncpg.Connection, schema: str, booking: Booking, lead_minutes: int,
                        now: dt.datetime) -> int:
    """One pass over the waiting walk-ins with a number; how many were told."""
    told = 0
    awaiting = await repo.awaiting_turn_near(conn, schema)
    for point_id, group in groupby(awaiting, key=lambda a: a.point_id):
        staffed = await booking.appointments.staffed(conn, point_id)
        queue = [t.ticket_id for t in await repo.waiting(conn, schema, point_id)]
        for walk_in in group:
            if walk_in.ticket_id not in queue:
                continue  # called meanwhile
            ahead = queue.index(walk_in.ticket_id)
            estimate = await wait_for(conn, schema, staffed, walk_in.topic, ahead, now)
            if not turn_is_near(estimate, lead_minutes):
                continue
            async with conn.transaction():
                if not await repo.mark_turn_near(conn, schema, walk_in.ticket_id, now):
                    continue
                point = staffed.point
                await booking.queue.outbox.append(conn, WalkInTurnNear(producer=PRODUCER, payload=WalkInTurnNearPayload(
                    ticket_id=walk_in.ticket_id, point_id=point_id, municipality=point.municipality,
                    point_name=point.name_in(walk_in.language, *point.languages), ticket_number=walk_in.number,
                    people_ahead=ahead, wait_minutes_optimistic=estimate.optimistic_minutes,
                    wait_minutes_realistic=estimate.realistic_minutes, language=walk_in.language,  # type: ignore[arg-type]
                    contact=ContactDetails(phone=walk_in.phone, language=walk_in.language,  # type: ignore[arg-type]
                                           preferred_channels=("sms",)))))
            told += 1
    return told
