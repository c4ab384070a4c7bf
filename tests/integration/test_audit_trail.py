"""The audit trail: a staff member booking for a citizen, lending a device and recording an eBox
activation leaves one row each (who, what, which object, from where), and no row holds the
national number, the phone number or any other personal data itself."""

from __future__ import annotations

import asyncio
import datetime as dt
import re

from typer.testing import CliRunner

from loket.cli.audit_cmd import audit_trail
from tests.integration.test_booking_appointments import free_slots, wish
from tests.support.booking_harness import running_booking

NN = "85073003328"
DIGIBANK = "mechelen-digibank-predikheren"


async def test_personal_data_changes_are_audited_without_the_data(
        database_url, bus_url, tmp_path, monkeypatch, pool) -> None:  # type: ignore[no-untyped-def]
    async with running_booking(database_url, bus_url, tmp_path, monkeypatch) as booking:
        slot = (await free_slots(booking))[0]
        status, booked = await booking.call("POST", "/staff/appointments", "staff", json=wish(slot))
        assert status == 201, booked
        await booking.call("POST", f"/backoffice/points/{DIGIBANK}/devices", "backoffice",
                           json={"device_id": "audit-laptop", "kind": "laptop", "label": "Audit"})
        due = (dt.datetime.now(dt.UTC) + dt.timedelta(days=7)).isoformat()
        status, loan = await booking.call("POST", "/staff/loans", "staff", json={
            "device_id": "audit-laptop", "due_at": due, "language": "nl",
            "contact": {"phone": "0470 12 34 56", "language": "nl"}})
        assert status == 201, loan
        await booking.call("POST", "/staff/points/mechelen-stadhuis/tickets", "staff", json={"language": "nl"})
        status, visit = await booking.call("POST", "/staff/points/mechelen-stadhuis/call-next", "staff",
                                           json={"helper_id": "mechelen-an"})
        assert status == 200, visit
        status, _ = await booking.call("POST", f"/staff/visits/{visit['visit_id']}/end", "staff", json={
            "topic": "ebox_activation", "language": "nl", "outcome": "resolved", "ebox_activated": True,
            "national_number": NN, "consent_given": True})
        assert status == 200, _
        refused = await booking.call("POST", "/staff/loans", "staff", json={
            "device_id": "no-such-device", "due_at": due, "language": "nl",
            "contact": {"phone": "0470 12 34 56", "language": "nl"}})
        assert refused[0] == 404  # a refused request touched nothing: not audited
    mine = [booked["appointment_id"], loan["loan_id"], visit["visit_id"]]
    rows = await pool.fetch("SELECT * FROM identity.audit_log WHERE object_id = ANY($1::text[]) ORDER BY id", mine)
    assert not await pool.fetchval("SELECT count(*) FROM identity.audit_log WHERE object_id = 'no-such-device'")
    assert [(r["principal"], r["action"].split(" (")[0], r["object_type"], r["object_id"]) for r in rows] == [
        ("test-staff", "book for a citizen", "appointment", booked["appointment_id"]),
        ("test-staff", "lend a device", "loan", loan["loan_id"]),
        ("test-staff", "end a visit", "visit", visit["visit_id"]),
    ]
    assert all(r["client_address"] == "127.0.0.1" and r["municipality"] == "12025" for r in rows)
    everything = " ".join(str(v) for r in rows for v in r.values())
    # The phone number in any spelling (a bare "470" would match a timestamp's microseconds).
    assert NN not in everything and not re.search(r"470\D?12\D?34\D?56", everything)

    env = {"COLUMNS": "250", "LOKET_DATABASE_URL": database_url}
    shown = await asyncio.to_thread(CliRunner().invoke, _app(), ["--who", "test-staff", "--since", "1h"], env=env)
    assert shown.exit_code == 0, shown.output
    assert "end a visit" in shown.output and visit["visit_id"] in shown.output and NN not in shown.output


def _app():  # type: ignore[no-untyped-def]
    import typer

    app = typer.Typer()
    app.command()(audit_trail)
    return app
