"""notify's loan messages on real PostgreSQL and NATS: a loan's reminder is planned once (the
same event published twice plans one row), for the day before the due day at 10:00 Brussels;
a renewal cancels it and plans the new one; a return cancels that; a device offered from the
waitlist reaches the SMS simulator at once."""

from __future__ import annotations

import datetime as dt
import uuid

from loket.contracts.devices import DeviceAvailable, DeviceLent, DeviceLoanRenewed, DeviceReturned
from services.notify.rendering import BRUSSELS
from tests.support.bridge_harness import publish
from tests.support.notify_harness import eventually, running_notify

PHONE = "+32470777888"


def due_on(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(23, 59), tzinfo=BRUSSELS).astimezone(dt.UTC)


async def reminders(pool, loan: str, status: str) -> list[dt.datetime]:  # type: ignore[no-untyped-def]
    rows = await pool.fetch("SELECT due_at FROM notify.notifications WHERE trigger_aggregate_id = $1 "
                            "AND kind = 'device_loan_due_reminder' AND status = $2 ORDER BY due_at", loan, status)
    return [r["due_at"] for r in rows]


async def test_a_loan_reminder_is_planned_once_moved_by_a_renewal_and_dropped_by_a_return(
        database_url, bus_url, tmp_path, pool) -> None:  # type: ignore[no-untyped-def]
    today = dt.datetime.now(BRUSSELS).date()
    first, second = today + dt.timedelta(days=10), today + dt.timedelta(days=24)
    loan = uuid.uuid4()
    ref = {"loan_id": loan, "device_id": "mech-lap-07", "point_id": "mechelen-digibank-predikheren",
           "municipality": "12025"}
    contact = {"phone": PHONE, "language": "nl"}
    async with running_notify(database_url, bus_url, tmp_path):
        lent = DeviceLent(producer="test", payload={**ref, "device_kind": "laptop", "due_at": due_on(first),
                                                    "contact": contact, "language": "nl"})
        await publish(bus_url, [lent, lent])  # the same event twice: one reminder
        planned = await eventually(lambda: reminders(pool, str(loan), "created"), what="the reminder")
        assert planned == [dt.datetime.combine(first - dt.timedelta(days=1), dt.time(10), tzinfo=BRUSSELS)]

        renewed = DeviceLoanRenewed(producer="test", payload={
            **ref, "device_kind": "laptop", "previous_due_at": due_on(first), "due_at": due_on(second),
            "renewals": 1, "contact": contact, "language": "nl"})
        await publish(bus_url, [renewed])

        async def moved() -> list[dt.datetime] | None:
            waiting = await reminders(pool, str(loan), "created")
            return waiting if len(await reminders(pool, str(loan), "cancelled")) == 1 else None

        assert await eventually(moved, what="the reminder moved") == [
            dt.datetime.combine(second - dt.timedelta(days=1), dt.time(10), tzinfo=BRUSSELS)]

        await publish(bus_url, [DeviceReturned(producer="test", payload={
            **ref, "returned_at": dt.datetime.now(dt.UTC), "condition": "good"})])

        async def dropped() -> bool:
            return len(await reminders(pool, str(loan), "cancelled")) == 2

        await eventually(dropped, what="the reminder dropped")
        assert await reminders(pool, str(loan), "created") == []


async def test_a_device_offered_from_the_waitlist_is_an_sms_at_once(database_url, bus_url, tmp_path,
                                                                    pool) -> None:  # type: ignore[no-untyped-def]
    async with running_notify(database_url, bus_url, tmp_path) as notify:
        await publish(bus_url, [DeviceAvailable(producer="test", payload={
            "entry_id": uuid.uuid4(), "device_id": "mech-tab-02", "device_kind": "tablet",
            "point_id": "mechelen-digibank-predikheren", "point_name": "Digibank Predikheren",
            "municipality": "12025", "contact": {"phone": "+32470777999", "language": "nl"}, "language": "nl"})])

        async def texts() -> list[str] | None:
            found = [m["body"] for m in await notify.sms.messages() if m["to"] == "+32470777999"]
            return found or None

        (body,) = await eventually(texts, what="the SMS at the simulator")
        assert "tablet" in body and "Digibank Predikheren" in body
