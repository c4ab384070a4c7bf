"""A booking form sent twice books once (page/submission.py), over plain HTTP: the appointment
page and the seat page each send their form twice at the same moment and once more afterwards,
and get one appointment or seat, answered alike; the same form sent again for another hour is
refused in the page's language. A form without our key still books (as before)."""

from __future__ import annotations

import asyncio
import re

import asyncpg

from tests.integration.test_booking_appointments import POINT
from tests.support.booking_harness import RunningBooking, running_booking

DIGIBANK = "mechelen-digibank-predikheren"  # seed: 5 laptops


async def _get(booking: RunningBooking, path: str, **params: str) -> str:
    async with booking.http.get(f"{booking.base}{path}", params={"lang": "en", **params}) as r:
        assert r.status == 200, (r.status, (await r.text())[-800:])
        return await r.text()


async def _post(booking: RunningBooking, path: str, form: dict[str, str]) -> tuple[int, str]:
    async with booking.http.post(f"{booking.base}{path}", params={"lang": "en"}, data=form) as r:
        return r.status, await r.text()


def _key(html: str) -> str:
    match = re.search(r'name="submission" value="([0-9a-f]{32})"', html)
    assert match, "the form carries no submission key"
    return match.group(1)


def _slots(html: str) -> list[str]:
    return re.findall(r'name="starts_at" value="([^"]+)"(?![^>]*disabled)', html)


async def test_the_appointment_form_sent_twice_books_once(database_url, bus_url, tmp_path, monkeypatch,
                                                          pool: asyncpg.Pool) -> None:  # type: ignore[no-untyped-def]
    async with running_booking(database_url, bus_url, tmp_path, monkeypatch) as booking:
        path = f"/public/book/points/{POINT}"
        html = await _get(booking, path, service="ebox_activation", help_language="nl")
        first, second = _slots(html)[0], _slots(html)[-1]  # far apart: the helper's buffers do not touch
        form = {"submission": _key(html), "service": "ebox_activation", "help_language": "nl", "starts_at": first,
                "phone": "0470 12 34 56"}
        answers = await asyncio.gather(_post(booking, path, form), _post(booking, path, form))
        answers.append(await _post(booking, path, form))  # and once more, after both were answered
        assert [status for status, _ in answers] == [201, 201, 201], [a[1][-600:] for a in answers]
        assert await pool.fetchval("SELECT count(*) FROM booking.appointments WHERE point_id = $1", POINT) == 1
        status, html = await _post(booking, path, {**form, "starts_at": second})
        assert status == 409 and "This form has booked already." in html
        keyless = {k: v for k, v in form.items() if k != "submission"}
        status, html = await _post(booking, path, {**keyless, "starts_at": second})
        assert status == 201, html[-1500:]  # a form without a key of ours books, as it always did
        assert await pool.fetchval("SELECT count(*) FROM booking.appointments WHERE point_id = $1", POINT) == 2


async def test_the_seat_form_sent_twice_books_one_seat(database_url, bus_url, tmp_path, monkeypatch,
                                                       pool: asyncpg.Pool) -> None:  # type: ignore[no-untyped-def]
    async with running_booking(database_url, bus_url, tmp_path, monkeypatch) as booking:
        path = f"/public/seats/{DIGIBANK}"
        # The page opens on the first day with an hour still to come, which late on an open day
        # may be a single hour: the furthest day it offers has all of its hours.
        days = re.findall(r"&amp;day=(\d{4}-\d{2}-\d{2})", await _get(booking, path, kind="laptop"))
        html = await _get(booking, path, kind="laptop", day=max(days))
        first, second = _slots(html)[:2]
        form = {"submission": _key(html), "kind": "laptop", "starts_at": first, "language": "nl"}
        answers = await asyncio.gather(_post(booking, path, form), _post(booking, path, form))
        answers.append(await _post(booking, path, form))
        assert [status for status, _ in answers] == [201, 201, 201], [a[1][-600:] for a in answers]
        seats = {re.search(r"Seat \d+|seat \d+", html).group(0) for _, html in answers}  # type: ignore[union-attr]
        assert len(seats) == 1, seats  # each answer names the same seat
        assert await pool.fetchval("SELECT count(*) FROM booking.seat_bookings WHERE point_id = $1", DIGIBANK) == 1
        status, html = await _post(booking, path, {**form, "starts_at": second})
        assert status == 409 and "This form has booked already." in html
        assert await pool.fetchval("SELECT count(*) FROM booking.seat_bookings WHERE point_id = $1", DIGIBANK) == 1

        # Each answer carried a fresh cancel link (the first may never have arrived): the last one works.
        links = [re.search(r'id="manage-link" href="([^"]+)"', html).group(1) for _, html in answers]  # type: ignore[union-attr]
        assert len(set(links)) == 3
        async with booking.http.get(links[0]) as r:
            assert r.status == 404 and "This link is not valid" in await r.text()
        async with booking.http.get(links[-1].replace("&amp;", "&")) as r:
            assert r.status == 200 and "Cancel the booking" in await r.text()
        async with booking.http.post(links[-1].replace("&amp;", "&")) as r:
            assert r.status == 200 and "This booking is cancelled" in await r.text()
        assert await pool.fetchval("SELECT count(*) FROM booking.seat_bookings WHERE point_id = $1 "
                                   "AND cancelled_at IS NULL", DIGIBANK) == 0
