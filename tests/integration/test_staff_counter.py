"""The counter screen with plain forms (no browser): the point picker and its scope, a walk-in
called, recalled up to the maximum and missed, another called and helped with the same events
as the API, an appointment checked in and marked no-show, and forms without their token refused."""

from __future__ import annotations

import asyncio
import datetime as dt
import re

import asyncpg

from tests.integration.test_booking_appointments import free_slots, wish
from tests.support.booking_harness import running_booking
from tests.support.staff_harness import (
    DIGIBANK,
    STADHUIS,
    csrf_of,
    outbox,
    signed_in_session,
    staff_account,
    ticket_changes,
)

NN = "85073003328"


async def test_a_clerk_calls_recalls_misses_and_helps(database_url, bus_url, tmp_path, monkeypatch,
                                                       pool: asyncpg.Pool) -> None:  # type: ignore[no-untyped-def]
    now = [dt.datetime.now(dt.UTC)]
    clerk = await staff_account(pool, points=(STADHUIS, DIGIBANK))
    async with running_booking(database_url, bus_url, tmp_path, monkeypatch, clock=lambda: now[0],
                               booking_counter_max_calls=2, booking_missed_recall_minutes=5) as booking, \
            ticket_changes(pool) as changes:
        base = booking.base
        for _ in range(2):
            assert (await booking.call("POST", f"/staff/points/{STADHUIS}/tickets", "staff",
                                       json={"language": "nl"}))[0] == 201
        http = await signed_in_session(base, clerk)
        async with http:
            async with http.get(f"{base}/staff/counter", allow_redirects=False) as r:
                picker = await r.text()
                assert r.status == 200 and "Mechelen City Hall" in picker and DIGIBANK in picker
                assert "mechelen-bpost-centrum" not in picker  # not one of theirs
            async with http.get(f"{base}/staff/counter?point={STADHUIS}&counter=2&lang=en",
                                allow_redirects=False) as r:
                assert r.status == 303 and r.headers["Location"] == f"/staff/counter/{STADHUIS}/2?lang=en"
            for elsewhere in ("mechelen-bpost-centrum", "etterbeek-epn", "no-such-point"):
                async with http.get(f"{base}/staff/counter/{elsewhere}/1", allow_redirects=False) as r:
                    assert r.status == 404, elsewhere
            screen = f"{base}/staff/counter/{STADHUIS}/2"
            token = await csrf_of(http, screen)
            async with http.post(f"{screen}/call-next", data={}, allow_redirects=False) as r:
                assert r.status == 403  # no token: nothing happens
            assert await pool.fetchval("SELECT count(*) FROM booking.calls") == 0

            async def post(action: str, **fields: str) -> tuple[int, str]:
                async with http.post(f"{screen}/{action}?lang=en", data={"csrf": token, **fields},
                                     allow_redirects=False) as r:
                    if r.status == 303:
                        async with http.get(f"{base}{r.headers['Location']}") as page:
                            return 303, await page.text()
                    return r.status, await r.text()

            status, page = await post("call-next")
            assert status == 303 and "You are calling ticket 1 (1 of 2 times)." in page
            assert _message(page) == "Called."
            status, page = await post("missed")
            assert status == 409  # not called often enough yet: the screen again, at the form's address
            # whose language links lead to the screen itself (they led to GET …/missed, a 405)
            assert f'href="/staff/counter/{STADHUIS}/2?lang=fr"' in page, page
            status, page = await post("recall")
            assert "(2 of 2 times)" in page and "Did not come</button>" in page
            status, page = await post("missed")
            assert "Did not come today" in page and "may be called again from" in page
            assert _message(page) == "Noted: did not come when called."
            missed_id = await pool.fetchval("SELECT ticket_id FROM booking.tickets WHERE number = 1 "
                                            "AND status = 'missed'")
            assert (await post("call", kind="ticket", id=str(missed_id)))[0] == 409  # too soon
            status, page = await post("call-next")
            assert "You are calling ticket 2" in page, f"{_message(page)}\n{await changes()}"
            now[0] += dt.timedelta(minutes=3)
            status, page = await post("arrived")
            assert "Visit with ticket 2, in Dutch" in page and 'name="national_number"' in page
            now[0] += dt.timedelta(minutes=12)
            status, page = await post("end", topic="ebox_activation", outcome="resolved", language="nl",
                                      ebox="yes", consent="yes", national_number="85.07.30-033.27")
            assert status == 400 and "not valid" in page and "85.07.30" not in page
            status, page = await post("end", topic="ebox_activation", outcome="resolved", language="nl",
                                      ebox="yes", consent="yes", national_number="85.07.30-033.28")
            assert status == 303 and "Nobody. Call the next person." in page and NN not in page
            assert _message(page) == "Visit ended and counted."
            # The missed ticket comes back after the delay and is called by name ("call this one").
            status, page = await post("call", kind="ticket", id=str(missed_id))
            assert status == 303 and "You are calling ticket 1 (1 of 2 times)." in page

    started, ended = await outbox(pool, "VisitStarted"), await outbox(pool, "VisitEnded")
    assert len(started) == 1 and started[0]["waited_seconds"] == 0 and started[0]["helper_id"] == clerk
    assert ended[0]["duration_seconds"] == 12 * 60 and ended[0]["topic"] == "ebox_activation"
    activation = await outbox(pool, "EboxActivationAssisted")
    assert activation[0]["national_number"] == NN and activation[0]["consent_given"] is True
    trail = await pool.fetch("SELECT object_type, object_id FROM identity.audit_log WHERE principal = $1", clerk)
    assert [(r["object_type"], r["object_id"]) for r in trail] == [("visit", started[0]["visit_id"])]


async def test_appointments_are_checked_in_called_in_their_turn_and_marked_no_show(
        database_url, bus_url, tmp_path, monkeypatch, pool: asyncpg.Pool) -> None:  # type: ignore[no-untyped-def]
    now = [dt.datetime.now(dt.UTC)]
    clerk = await staff_account(pool, language="nl")
    async with running_booking(database_url, bus_url, tmp_path, monkeypatch, clock=lambda: now[0]) as booking:
        slots = await free_slots(booking)
        first = (await booking.call("POST", "/public/appointments", json=wish(slots[0])))[1]
        second = (await booking.call("POST", "/public/appointments", json=wish(slots[-1])))[1]
        # The morning of the first appointment: its time has come.
        now[0] = dt.datetime.fromisoformat(slots[0]["starts_at"].replace("Z", "+00:00")) + dt.timedelta(minutes=2)
        assert (await booking.call("POST", f"/staff/points/{STADHUIS}/tickets", "staff",
                                   json={"language": "nl"}))[0] == 201
        http = await signed_in_session(booking.base, clerk)
        async with http:
            screen = f"{booking.base}/staff/counter/{STADHUIS}/1"
            token = await csrf_of(http, screen)

            async def post(action: str, **fields: str) -> int:
                async with http.post(f"{screen}/{action}", data={"csrf": token, **fields},
                                     allow_redirects=False) as r:
                    return r.status

            async with http.get(screen) as r:
                page = await r.text()
                assert "Afspraken vandaag" in page and "Aangemeld</button>" in page  # the account's language
            assert await post("check-in", id=first["appointment_id"]) == 303
            async with http.get(screen) as r:
                page = await r.text()
            # In call-next order: the appointment whose time has come, then the walk-in.
            queue = page[page.index("Wachtrij vandaag"):page.index("Afspraken vandaag")]
            assert re.search(r"afspraak van \d\d:\d\d.*ticket 1", queue, re.S), queue
            assert await post("call-next") == 303
            assert await post("arrived") == 303
            if second["starts_at"][:10] == first["starts_at"][:10]:
                assert await post("no-show", id=second["appointment_id"]) == 409  # its time has not come
    attended = await outbox(pool, "AppointmentAttended")
    assert [a["appointment_id"] for a in attended] == [first["appointment_id"]]
    assert (await outbox(pool, "VisitStarted"))[0]["appointment_id"] == first["appointment_id"]


async def test_no_show_of_an_appointment_whose_time_has_come(database_url, bus_url, tmp_path, monkeypatch,
                                                            pool: asyncpg.Pool) -> None:  # type: ignore[no-untyped-def]
    now = [dt.datetime.now(dt.UTC)]
    clerk = await staff_account(pool)
    async with running_booking(database_url, bus_url, tmp_path, monkeypatch, clock=lambda: now[0],
                               booking_no_show_grace_minutes=600) as booking:
        slot = (await free_slots(booking))[0]
        booked = (await booking.call("POST", "/public/appointments", json=wish(slot)))[1]
        now[0] = dt.datetime.fromisoformat(slot["starts_at"].replace("Z", "+00:00")) + dt.timedelta(minutes=5)
        http = await signed_in_session(booking.base, clerk)
        async with http:
            screen = f"{booking.base}/staff/counter/{STADHUIS}/1"
            token = await csrf_of(http, screen)
            async with http.post(f"{screen}/no-show", data={"csrf": token, "id": booked["appointment_id"]},
                                 allow_redirects=False) as r:
                assert r.status == 303
    assert await pool.fetchval("SELECT status FROM booking.appointments WHERE appointment_id = $1::uuid",
                               booked["appointment_id"]) == "no_show"
    assert [e["appointment_id"] for e in await outbox(pool, "AppointmentNoShow")] == [booked["appointment_id"]]


async def test_two_clerks_calling_at_once_never_get_the_same_person(database_url, bus_url, tmp_path, monkeypatch,
                                                                    pool: asyncpg.Pool) -> None:  # type: ignore[no-untyped-def]
    clerks = [await staff_account(pool) for _ in range(2)]
    async with running_booking(database_url, bus_url, tmp_path, monkeypatch) as booking, ticket_changes(pool) as changes:
        for _ in range(6):
            await booking.call("POST", f"/staff/points/{STADHUIS}/tickets", "staff", json={"language": "nl"})
        sessions = [await signed_in_session(booking.base, c) for c in clerks]
        try:
            screens = [f"{booking.base}/staff/counter/{STADHUIS}/{n}" for n in (1, 2)]
            tokens = [await csrf_of(s, u) for s, u in zip(sessions, screens, strict=True)]

            async def press(i: int, action: str) -> int:
                async with sessions[i].post(f"{screens[i]}/{action}", data={"csrf": tokens[i]},
                                            allow_redirects=False) as r:
                    return r.status

            for _ in range(3):  # three rounds of both pressing "call next" at the same moment
                pressed = await asyncio.gather(press(0, "call-next"), press(1, "call-next"))
                assert pressed == [303, 303], await changes()
                assert await asyncio.gather(press(0, "arrived"), press(1, "arrived")) == [303, 303]
                for i in (0, 1):
                    async with sessions[i].post(f"{screens[i]}/end", data={
                            "csrf": tokens[i], "topic": "eid_setup", "outcome": "resolved", "language": "nl"},
                            allow_redirects=False) as r:
                        assert r.status == 303
        finally:
            for s in sessions:
                await s.close()
    labels = await pool.fetch("SELECT label, counter FROM booking.calls")
    assert sorted(int(r["label"]) for r in labels) == [1, 2, 3, 4, 5, 6]
    started = await outbox(pool, "VisitStarted")
    assert len({s["ticket_id"] for s in started}) == 6


async def test_a_called_person_is_sent_to_another_counter_or_back_in_line_for_another_service(
        database_url, bus_url, tmp_path, monkeypatch, pool: asyncpg.Pool) -> None:  # type: ignore[no-untyped-def]
    clerk = await staff_account(pool)
    async with running_booking(database_url, bus_url, tmp_path, monkeypatch) as booking:
        for _ in range(2):
            await booking.call("POST", f"/staff/points/{STADHUIS}/tickets", "staff",
                               json={"language": "nl", "topic": "eid_setup"})
        http = await signed_in_session(booking.base, clerk)
        async with http:
            screens = {n: f"{booking.base}/staff/counter/{STADHUIS}/{n}" for n in ("1", "2")}
            token = await csrf_of(http, screens["1"])

            async def post(n: str, action: str, **fields: str) -> tuple[int, str]:
                async with http.post(f"{screens[n]}/{action}?lang=en", data={"csrf": token, **fields},
                                     allow_redirects=False) as r:
                    if r.status == 303:
                        async with http.get(f"{booking.base}{r.headers['Location']}") as page:
                            return 303, await page.text()
                    return r.status, await r.text()

            assert "You are calling ticket 1" in (await post("1", "call-next"))[1]
            assert (await post("1", "transfer", to_counter="1"))[0] == 409  # already there
            status, page = await post("1", "transfer", to_counter="2")
            assert status == 303 and "Nobody. Call the next person." in page
            assert await pool.fetchval("SELECT counter FROM booking.calls WHERE status = 'calling'") == "2"
            status, page = await post("2", "transfer", to_service="itsme_setup")
            assert status == 303 and "Nobody. Call the next person." in page
            ticket = await pool.fetchrow("SELECT status, topic FROM booking.tickets WHERE number = 1")
            assert (ticket["status"], ticket["topic"]) == ("waiting", "itsme_setup")
            # Back in the place they had: first in line again.
            assert "You are calling ticket 1" in (await post("1", "call-next"))[1]
    assert await outbox(pool, "VisitStarted") == []  # nobody was helped yet


async def test_the_front_door_signs_people_in_but_the_json_api_below_it_stays_bearer_only(
        database_url, bus_url, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import aiohttp

    async with running_booking(database_url, bus_url, tmp_path, monkeypatch) as booking, \
            aiohttp.ClientSession() as browser:
        html = {"Accept": "text/html"}
        async with browser.get(f"{booking.base}/staff/", headers=html, allow_redirects=False) as r:
            assert r.status == 303 and r.headers["Location"].startswith("/signin")
            assert "next=%2Fstaff%2F" in r.headers["Location"] or "next=/staff/" in r.headers["Location"]
        async with browser.get(f"{booking.base}/staff/points/mechelen-stadhuis/queue", headers=html,
                               allow_redirects=False) as r:
            assert r.status == 401  # the API never takes the browser route (nor its cookie)


def _message(page: str) -> str:
    """The screen's notice (what was done or refused), for a failing assertion."""
    import re

    found = re.search(r'class="(?:notice|error|message)[^"]*"[^>]*>(.*?)</', page, re.S)
    return found.group(1).strip() if found else page[:1500]
