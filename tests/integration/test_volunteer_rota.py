"""The volunteer rota on real PostgreSQL: two volunteers taking the last place of a shift, exactly
one wins (also when the code's own check is raced: the database refuses on its own); the weekly
maximum and the notice rules; an approved sign-up joins the point's rota (and so its bookable
slots), a cancelled one leaves it."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid

import asyncpg
import pytest

from services.booking.errors import Conflict
from services.booking.rota.rules import RotaRules
from services.booking.rota.service import Rota
from services.booking.staff.directory import PointDirectory
from services.booking.staff.model import Helper
from services.booking.staff.repository import upsert_staff
from tests.support.booking_harness import seed_booking

DIGIBANK = "mechelen-digibank-predikheren"
RULES = RotaRules(signup_notice=dt.timedelta(hours=24), cancel_notice=dt.timedelta(hours=48), max_per_week=3)
NOW = dt.datetime(2030, 3, 1, 9, tzinfo=dt.UTC)  # a Friday; shifts below are the week after
TODAY = dt.date(2030, 3, 1)


def volunteer(name: str) -> Helper:
    tag = uuid.uuid4().hex[:8]
    return Helper(helper_id=f"test-{name}-{tag}", name=name.title(), kind="volunteer", languages=["nl"],
                  services=["ebox_activation"], account=f"{name}-{tag}")


@pytest.fixture
async def rota(pool: asyncpg.Pool):  # type: ignore[no-untyped-def]
    async with pool.acquire() as conn:
        await seed_booking(conn)
        await conn.execute("DELETE FROM booking.shift_signups; DELETE FROM booking.open_shifts")
    yield Rota("booking", RULES)
    async with pool.acquire() as conn:
        await conn.execute("DELETE FROM booking.shift_signups; DELETE FROM booking.open_shifts")


async def _helpers(pool: asyncpg.Pool, *names: str) -> list[Helper]:
    helpers = [volunteer(n) for n in names]
    async with pool.acquire() as conn:
        await upsert_staff(conn, "booking", helpers, [])
    return helpers


async def _offer(pool: asyncpg.Pool, rota: Rota, day: dt.date, places: int, starts: int = 10) -> uuid.UUID:
    async with pool.acquire() as conn:
        return await rota.offer(conn, DIGIBANK, day, dt.time(starts), dt.time(starts + 3), places, None, "manager",
                                TODAY, NOW)


async def _sign_up(pool: asyncpg.Pool, rota: Rota, shift: uuid.UUID, helper: Helper, now: dt.datetime = NOW):  # type: ignore[no-untyped-def]
    async with pool.acquire() as conn, conn.transaction():
        return await rota.sign_up(conn, shift, helper, now)


async def test_two_volunteers_taking_the_last_place_exactly_one_wins(pool, rota) -> None:  # type: ignore[no-untyped-def]
    for round_no in range(10):  # ten shifts, each with one place left, two volunteers at once
        first, one, two = await _helpers(pool, "anna", "bart", "chris")
        shift = await _offer(pool, rota, dt.date(2030, 3, 4 + round_no % 5), places=2, starts=8 + round_no)
        await _sign_up(pool, rota, shift, first)
        results = await asyncio.gather(_sign_up(pool, rota, shift, one), _sign_up(pool, rota, shift, two),
                                       return_exceptions=True)
        won = [r for r in results if not isinstance(r, BaseException)]
        lost = [r for r in results if isinstance(r, BaseException)]
        assert len(won) == 1 and len(lost) == 1, results
        assert isinstance(lost[0], Conflict) and lost[0].title == "Shift full", lost[0]
        assert won[0].place_no == 2
        held = await pool.fetchval("SELECT count(*) FROM booking.shift_signups WHERE open_shift_id = $1 "
                                   "AND status IN ('requested', 'approved')", shift)
        assert held == 2


async def test_the_database_refuses_a_place_twice_or_beyond_the_shift(pool, rota) -> None:  # type: ignore[no-untyped-def]
    """Whatever a future code path does: the unique index and the trigger hold on their own."""
    one, two = await _helpers(pool, "bert", "carla")
    shift = await _offer(pool, rota, dt.date(2030, 3, 5), places=1)

    async def insert(conn: asyncpg.Connection, helper: Helper, place_no: int) -> None:
        await conn.execute("INSERT INTO booking.shift_signups (signup_id, open_shift_id, helper_id, place_no, status, "
                           "signed_up_at) VALUES ($1, $2, $3, $4, 'requested', now())",
                           uuid.uuid4(), shift, helper.helper_id, place_no)

    async with pool.acquire() as conn:
        await insert(conn, one, 1)
        with pytest.raises(asyncpg.UniqueViolationError):
            await insert(conn, two, 1)
        with pytest.raises(asyncpg.CheckViolationError, match="beyond the 1 places"):
            await insert(conn, two, 2)


async def test_weekly_maximum_notice_and_a_second_sign_up_are_refused(pool, rota) -> None:  # type: ignore[no-untyped-def]
    (dina,) = await _helpers(pool, "dina")
    week = [await _offer(pool, rota, dt.date(2030, 3, d), places=3) for d in (4, 5, 6, 7)]
    for shift in week[:3]:
        await _sign_up(pool, rota, shift, dina)
    with pytest.raises(Conflict, match="3 shifts that week already"):
        await _sign_up(pool, rota, week[3], dina)
    with pytest.raises(Conflict, match="a place on this shift already"):
        await _sign_up(pool, rota, week[0], dina)
    next_week = await _offer(pool, rota, dt.date(2030, 3, 11), places=3)  # a new ISO week counts afresh
    assert (await _sign_up(pool, rota, next_week, dina)).status == "requested"
    # Sign-ups close 24 hours before the start (14:00 Brussels = 13:00 UTC in March): 23 hours is late.
    late = dt.datetime(2030, 3, 10, 14, 0, tzinfo=dt.UTC)
    tomorrow = await _offer(pool, rota, dt.date(2030, 3, 11), places=1, starts=14)
    with pytest.raises(Conflict, match="sign-ups close 24 hours before"):
        await _sign_up(pool, rota, tomorrow, (await _helpers(pool, "emma"))[0], now=late)


async def test_an_approved_sign_up_joins_the_rota_and_a_cancelled_one_leaves_it(pool, rota) -> None:  # type: ignore[no-untyped-def]
    (frank,) = await _helpers(pool, "frank")
    day = dt.date(2030, 3, 6)
    shift = await _offer(pool, rota, day, places=1)
    signup = await _sign_up(pool, rota, shift, frank)
    directory = PointDirectory("booking", ttl_s=0)

    async def frank_works_on(day: dt.date) -> bool:
        async with pool.acquire() as conn:
            staffed = await directory.get(conn, DIGIBANK)
        assert staffed is not None
        return any(s.helper_id == frank.helper_id and s.works_on(day) for s in staffed.shifts)

    assert not await frank_works_on(day)  # requested only
    async with pool.acquire() as conn, conn.transaction():
        await rota.decide(conn, signup.signup_id, True, "manager", NOW)
    assert await frank_works_on(day)
    async with pool.acquire() as conn:
        with pytest.raises(Conflict, match="approved already"):
            await rota.decide(conn, signup.signup_id, False, "manager", NOW)
        # 48 hours before 10:00 on 6 March is 09:00 UTC on 4 March: one minute later is too late.
        with pytest.raises(Conflict, match="until 48 hours before"):
            await rota.cancel(conn, signup.signup_id, frank.helper_id, dt.datetime(2030, 3, 4, 9, 1, tzinfo=dt.UTC))
        await rota.cancel(conn, signup.signup_id, frank.helper_id, NOW)
    assert not await frank_works_on(day)
    async with pool.acquire() as conn:
        listed = await rota.open_shifts(conn, [DIGIBANK], TODAY, day, frank.helper_id)
    assert [(o.taken, o.places_left, o.mine) for o in listed] == [(0, 1, None)]
