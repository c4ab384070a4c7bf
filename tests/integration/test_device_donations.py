"""Donated devices: taken in by the back-office with how the donor wishes to be named, never lent
before their data wipe is recorded (the use case refuses with the reason, and the database itself
refuses a loan of an unwiped donated device), lendable once it is; the donor's name is blanked
after the municipality's contact_days."""

from __future__ import annotations

import datetime as dt
import uuid

import asyncpg
import pytest
from prometheus_client import CollectorRegistry

from loket.contracts.values import utc_now
from loket.infra.db.outbox import Outbox
from loket.infra.retention.policy import RetentionDays
from services.booking.metrics import BookingMetrics
from services.booking.settings import BookingSettings
from services.booking.use_cases import build_booking
from tests.support.booking_harness import running_booking

DIGIBANK = "mechelen-digibank-predikheren"


async def test_a_donated_device_is_lent_only_after_its_wipe_is_recorded(
        database_url, bus_url, tmp_path, monkeypatch, pool) -> None:  # type: ignore[no-untyped-def]
    donation = {"device_id": "gift-lap-01", "kind": "laptop", "label": "Gift laptop", "donor": "Bakkerij Peeters"}
    lend = {"device_id": "gift-lap-01", "language": "nl", "contact": {"email": "lener@example.org", "language": "nl"},
            "due_at": (dt.datetime.now(dt.UTC) + dt.timedelta(days=14)).isoformat()}
    async with running_booking(database_url, bus_url, tmp_path, monkeypatch) as booking:
        assert (await booking.call("POST", f"/backoffice/points/{DIGIBANK}/donations", "staff", json=donation))[0] == 403
        assert (await booking.call("POST", f"/backoffice/points/{DIGIBANK}/donations", "backoffice",
                                   json=donation))[0] == 201
        assert (await booking.call("POST", f"/backoffice/points/{DIGIBANK}/donations", "backoffice",
                                   json=donation))[0] == 409
        status, devices = await booking.call("GET", f"/staff/points/{DIGIBANK}/devices", "staff")
        (gift,) = [d for d in devices["devices"] if d["device_id"] == "gift-lap-01"]
        assert (gift["donated"], gift["wipe_pending"]) == (True, True)

        status, body = await booking.call("POST", "/staff/loans", "staff", json=lend)
        assert status == 409 and body["title"] == "Device not wiped" and "record its data wipe" in body["detail"]

        # The database refuses it too, whatever code path tries.
        async with pool.acquire() as conn, conn.transaction():
            with pytest.raises(asyncpg.CheckViolationError, match="data wipe is not recorded"):
                await conn.execute("""INSERT INTO booking.loans (loan_id, device_id, point_id, language, lent_at, due_at)
                                      VALUES ($1, 'gift-lap-01', $2, 'nl', now(), now() + interval '1 day')""",
                                   uuid.uuid4(), DIGIBANK)

        status, body = await booking.call("POST", "/staff/devices/gift-lap-01/wipe", "staff", json={"method": "sure"})
        assert status == 422
        assert (await booking.call("POST", "/staff/devices/gift-lap-01/wipe", "staff",
                                   json={"method": "certified_erasure"}))[0] == 200
        assert (await booking.call("POST", "/staff/devices/no-such-device/wipe", "staff",
                                   json={"method": "factory_reset"}))[0] == 404
        status, devices = await booking.call("GET", f"/staff/points/{DIGIBANK}/devices", "staff")
        assert [d["wipe_pending"] for d in devices["devices"] if d["device_id"] == "gift-lap-01"] == [False]
        assert (await booking.call("POST", "/staff/loans", "staff", json=lend))[0] == 201

    row = await pool.fetchrow("SELECT donor, wipe_method, wiped_by, wiped_at, donated_at FROM booking.devices "
                              "WHERE device_id = 'gift-lap-01'")
    assert (row["donor"], row["wipe_method"], row["wiped_by"]) == ("Bakkerij Peeters", "certified_erasure", "test-staff")
    loans = build_booking(BookingSettings(database_url=database_url), BookingMetrics(CollectorRegistry()), utc_now,
                          Outbox("booking"), lambda: pool).loans
    async with pool.acquire() as conn:
        assert await loans.forget_donors(conn, row["donated_at"] + dt.timedelta(days=29), RetentionDays(30)) == 0
        assert await loans.forget_donors(conn, row["donated_at"] + dt.timedelta(days=31), RetentionDays(30)) >= 1
    assert await pool.fetchval("SELECT donor FROM booking.devices WHERE device_id = 'gift-lap-01'") is None
