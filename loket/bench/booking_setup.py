"""Data for `loket bench booking`: one busy point open around the clock with eight helpers,
30 points for the slot computation, and the list of (helper, start) targets the clients fight
over — each target asked for by several clients, so exactly one of them must win."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

import asyncpg

from services.booking.app import NAME
from services.booking.calendar.local_time import BRUSSELS, local_instant
from services.booking.catalogue import CATALOGUE
from services.booking.points.model import AssistancePoint
from services.booking.points.seed import DEFAULT_SEED, load_points
from services.booking.seeding import Seed, store_seed
from services.booking.staff.model import Helper, Shift
from services.booking.staff.seed import DEFAULT_STAFF_SEED, load_staff

BUSY_POINT = "bench-busy-point"
BUSY_MUNICIPALITY = "12025"  # the busy point is a clone of Mechelen's town hall
SERVICE = "ebox_activation"
HELPERS = [f"bench-helper-{i}" for i in range(8)]
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class Target:
    helper_id: str
    starts_at: dt.datetime


def busy_point() -> AssistancePoint:
    seed = next(p for p in load_points(DEFAULT_SEED) if p.point_id == "mechelen-stadhuis")
    return seed.model_copy(update={"point_id": BUSY_POINT, "opening_hours": {d: ["00:00-24:00"] for d in WEEKDAYS},
                                   "exceptions": {}, "closed_on_public_holidays": False})


def bench_staff() -> tuple[list[Helper], list[Shift]]:
    helpers = [Helper(helper_id=h, name=h, kind="staff", languages=["nl"], services=[SERVICE]) for h in HELPERS]
    shifts = [Shift(shift_id=f"{h}-{d}", helper_id=h, point_id=BUSY_POINT, weekday=d, starts=dt.time(0),
                    ends=dt.time(23, 59)) for h in HELPERS for d in WEEKDAYS]
    return helpers, shifts


def slot_points() -> tuple[list[AssistancePoint], list[Helper], list[Shift]]:
    """30 points (clones of the seeded ones) with their helpers' shifts, for slot listing."""
    seeds = load_points(DEFAULT_SEED)
    helpers, shifts = load_staff(DEFAULT_STAFF_SEED, {p.point_id for p in seeds})
    points, cloned = [], []
    for i in range(30):
        origin = seeds[i % len(seeds)]
        point = origin.model_copy(update={"point_id": f"bench-{i:02d}-{origin.point_id}"[:64]})
        points.append(point)
        cloned += [s.model_copy(update={"shift_id": f"{s.shift_id}-b{i}", "point_id": point.point_id})
                   for s in shifts if s.point_id == origin.point_id]
    # The seeded shifts stay: loading staff replaces all shifts of the helpers it is given.
    return points, helpers, [*shifts, *cloned]


def targets(requests: int, contenders: int, seed: int = 7) -> list[Target]:
    """`requests` wishes for requests/contenders distinct targets, shuffled. Targets of one
    helper are 45 minutes apart (30-minute service + 10-minute buffer fits), from the day after
    tomorrow: at 23:30 a target at 01:00 tomorrow would be inside the two-hour minimum notice and
    nobody could win it."""
    service = CATALOGUE[SERVICE]
    spacing = dt.timedelta(minutes=45)
    assert service.minutes + service.buffer_after + service.buffer_before <= 45
    first_day = dt.datetime.now(BRUSSELS).date() + dt.timedelta(days=2)
    per_day = 28  # 01:00 … 21:15 local: always inside the 00:00–23:59 shifts, DST or not
    distinct = []
    for n in range(-(-requests // contenders)):
        step, helper = divmod(n, len(HELPERS))
        day, k = divmod(step, per_day)
        start = local_instant(first_day + dt.timedelta(days=day), dt.time(1, 0)) + k * spacing
        distinct.append(Target(HELPERS[helper], start))
    wishes = [t for t in distinct for _ in range(contenders)][:requests]
    random.Random(seed).shuffle(wishes)
    return wishes


async def prepare(conn: asyncpg.Connection) -> None:
    points, slot_helpers, slot_shifts = slot_points()
    helpers, shifts = bench_staff()
    await store_seed(conn, Seed([busy_point(), *load_points(DEFAULT_SEED), *points], [*helpers, *slot_helpers],
                                [*shifts, *slot_shifts]))
    await clear(conn)


async def clear(conn: asyncpg.Connection) -> None:
    """Forget the benchmark's own appointments (and their events), nothing else."""
    async with conn.transaction():
        ids = [str(r[0]) for r in await conn.fetch(
            f"SELECT appointment_id FROM {NAME}.appointments WHERE point_id LIKE 'bench-%'")]
        await conn.execute(f"DELETE FROM {NAME}.outbox WHERE key = ANY($1::text[])", ids)
        await conn.execute(f"DELETE FROM {NAME}.appointment_links WHERE appointment_id = ANY($1::uuid[])", ids)
        await conn.execute(f"DELETE FROM {NAME}.appointments WHERE appointment_id = ANY($1::uuid[])", ids)
