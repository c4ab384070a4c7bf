"""The floor of an assistance point: walk-in tickets, "call next" interleaving walk-ins with
checked-in appointments, visits with outcomes and eBox activations, and device loans that can
never be lent twice, with overdue reminders once a day."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging

from tests.integration.test_booking_appointments import free_slots, wish
from tests.support.booking_harness import running_booking

DIGIBANK = "mechelen-digibank-predikheren"
NN = "85073003328"


async def outbox(pool, event_type: str) -> list[dict]:  # type: ignore[no-untyped-def]
    rows = await pool.fetch("SELECT payload FROM booking.outbox WHERE event_type = $1 ORDER BY id", event_type)
    return [json.loads(r["payload"])["payload"] for r in rows]


async def test_walk_ins_and_due_appointments_are_called_in_the_right_order(
        database_url, bus_url, tmp_path, monkeypatch, pool) -> None:  # type: ignore[no-untyped-def]
    now = [dt.datetime.now(dt.UTC)]
    async with running_booking(database_url, bus_url, tmp_path, monkeypatch, clock=lambda: now[0]) as booking:
        slot = (await free_slots(booking))[0]
        appointment = (await booking.call("POST", "/public/appointments", json=wish(slot)))[1]
        point = "mechelen-stadhuis"
        first = (await booking.call("POST", f"/staff/points/{point}/tickets", "staff", json={"language": "nl"}))[1]
        second = (await booking.call("POST", f"/staff/points/{point}/tickets", "staff", json={"language": "nl"}))[1]
        assert (first["number"], second["number"], second["waiting_before"]) == (1, 2, 1)
        await booking.call("POST", f"/staff/appointments/{appointment['appointment_id']}/check-in", "staff")
        # Before the appointment's time: the walk-in who waited longest goes first.
        status, called = await booking.call("POST", f"/staff/points/{point}/call-next", "staff",
                                            json={"helper_id": "mechelen-an"})
        assert status == 200 and called["ticket_number"] == 1 and called["appointment_id"] is None
        # At the appointment's time it goes before the remaining walk-in.
        now[0] = dt.datetime.fromisoformat(slot["starts_at"].replace("Z", "+00:00")) + dt.timedelta(minutes=1)
        status, called_appt = await booking.call("POST", f"/staff/points/{point}/call-next", "staff",
                                                 json={"helper_id": "mechelen-youssef"})
        assert called_appt["appointment_id"] == appointment["appointment_id"] and called_appt["waited_seconds"] == 60
        status, last = await booking.call("POST", f"/staff/points/{point}/call-next", "staff",
                                          json={"helper_id": "mechelen-an"})
        assert last["ticket_number"] == 2
        status, body = await booking.call("POST", f"/staff/points/{point}/call-next", "staff",
                                          json={"helper_id": "mechelen-an"})
        assert status == 409 and "no walk-in" in body["detail"]
        now[0] += dt.timedelta(minutes=20)
        status, ended = await booking.call("POST", f"/staff/visits/{called_appt['visit_id']}/end", "staff",
                                           json={"topic": "ebox", "language": "nl", "outcome": "resolved"})
        assert status == 200 and ended["duration_seconds"] == 20 * 60
        status, _ = await booking.call("POST", f"/staff/visits/{called_appt['visit_id']}/end", "staff",
                                       json={"topic": "ebox", "language": "nl", "outcome": "resolved"})
        assert status == 409
    started = await outbox(pool, "VisitStarted")
    assert [s.get("ticket_id") is not None for s in started] == [True, False, True]
    assert (await outbox(pool, "VisitEnded"))[0]["outcome"] == "resolved"
    attended = await outbox(pool, "AppointmentAttended")
    assert attended and attended[-1]["appointment_id"] == appointment["appointment_id"]


async def test_concurrent_calls_never_take_the_same_walk_in(database_url, bus_url, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    async with running_booking(database_url, bus_url, tmp_path, monkeypatch) as booking:
        point = "mechelen-stadhuis"
        for _ in range(10):
            await booking.call("POST", f"/staff/points/{point}/tickets", "staff", json={"language": "nl"})
        results = await asyncio.gather(*(booking.call("POST", f"/staff/points/{point}/call-next", "staff",
                                                      json={"helper_id": "mechelen-an"}) for _ in range(12)))
        numbers = [body["ticket_number"] for status, body in results if status == 200]
        assert sorted(numbers) == list(range(1, 11))
        assert sorted(status for status, _ in results).count(409) == 2


class Captured(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.text = ""

    def emit(self, record: logging.LogRecord) -> None:
        self.text += self.format(record) + "\n"


async def test_ebox_activation_carries_the_number_only_with_consent(
        database_url, bus_url, tmp_path, monkeypatch, pool) -> None:  # type: ignore[no-untyped-def]
    captured = Captured()
    root = logging.getLogger()
    root.addHandler(captured)
    previous = root.level
    root.setLevel(logging.DEBUG)
    try:
        await _activations(database_url, bus_url, tmp_path, monkeypatch)
    finally:
        root.removeHandler(captured)
        root.setLevel(previous)
    activations = await outbox(pool, "EboxActivationAssisted")
    assert [(a["national_number"], a["consent_given"]) for a in activations[-2:]] == [(NN, True), (None, False)]
    assert captured.text and NN not in captured.text


async def _activations(database_url, bus_url, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    async with running_booking(database_url, bus_url, tmp_path, monkeypatch) as booking:
        point = "mechelen-stadhuis"
        visits = []
        for _ in range(3):
            await booking.call("POST", f"/staff/points/{point}/tickets", "staff", json={"language": "nl"})
            visits.append((await booking.call("POST", f"/staff/points/{point}/call-next", "staff",
                                              json={"helper_id": "mechelen-an"}))[1]["visit_id"])
        end = {"topic": "ebox", "language": "nl", "outcome": "resolved", "ebox_activated": True}
        status, body = await booking.call("POST", f"/staff/visits/{visits[0]}/end", "staff",
                                          json={**end, "national_number": NN})
        assert status == 422 and "consent" in body["detail"] and NN not in json.dumps(body)
        status, body = await booking.call("POST", f"/staff/visits/{visits[0]}/end", "staff",
                                          json={**end, "national_number": "12345678901", "consent_given": True})
        assert status == 422 and "not a valid national register" in body["detail"]
        assert (await booking.call("POST", f"/staff/visits/{visits[0]}/end", "staff",
                                   json={**end, "national_number": "85.07.30-033.28", "consent_given": True}))[0] == 200
        assert (await booking.call("POST", f"/staff/visits/{visits[1]}/end", "staff", json=end))[0] == 200


async def test_a_device_is_never_lent_twice_and_overdue_loans_are_announced_once_a_day(
        database_url, bus_url, tmp_path, monkeypatch, pool) -> None:  # type: ignore[no-untyped-def]
    now = [dt.datetime.now(dt.UTC)]
    async with running_booking(database_url, bus_url, tmp_path, monkeypatch, clock=lambda: now[0],
                               booking_sweep_interval_s=0.1) as booking:
        device = {"device_id": "mech-lap-01", "kind": "laptop", "label": "Laptop 1"}
        status, body = await booking.call("POST", f"/backoffice/points/{DIGIBANK}/devices", "staff", json=device)
        assert status == 403
        assert (await booking.call("POST", f"/backoffice/points/{DIGIBANK}/devices", "backoffice", json=device))[0] == 201
        status, body = await booking.call("POST", "/backoffice/points/mechelen-stadhuis/devices", "backoffice",
                                          json={**device, "device_id": "x-1"})
        assert status == 422 and "does not lend" in body["detail"]
        lend = {"device_id": "mech-lap-01", "due_at": (now[0] + dt.timedelta(days=14)).isoformat(), "language": "nl",
                "contact": {"phone": "0470 12 34 56", "language": "nl"}}
        results = await asyncio.gather(*(booking.call("POST", "/staff/loans", "staff", json=lend) for _ in range(8)))
        assert sorted(status for status, _ in results) == [201] + [409] * 7
        loan_id = next(body["loan_id"] for status, body in results if status == 201)
        # Two days late: one reminder, not one per sweep round.
        now[0] += dt.timedelta(days=16)
        await asyncio.sleep(1.0)
        overdue = await outbox(pool, "DeviceLoanOverdue")
        assert [(o["loan_id"], o["days_overdue"]) for o in overdue] == [(loan_id, 2)]
        assert overdue[0]["contact"]["phone"] == "+32470123456"
        now[0] += dt.timedelta(days=1)
        await asyncio.sleep(1.0)
        assert [o["days_overdue"] for o in await outbox(pool, "DeviceLoanOverdue")] == [2, 3]
        status, _ = await booking.call("POST", f"/staff/loans/{loan_id}/return", "staff",
                                       json={"condition": "good", "notes": "keyboard fine"})
        assert status == 200
        assert (await booking.call("POST", f"/staff/loans/{loan_id}/return", "staff", json={"condition": "good"}))[0] == 409
        status, devices = await booking.call("GET", f"/staff/points/{DIGIBANK}/devices", "staff")
        assert devices["devices"][0]["on_loan"] is False
        again = {**lend, "due_at": (now[0] + dt.timedelta(days=7)).isoformat()}
        assert (await booking.call("POST", "/staff/loans", "staff", json=again))[0] == 201  # lendable again
    assert len(await outbox(pool, "DeviceReturned")) == 1
