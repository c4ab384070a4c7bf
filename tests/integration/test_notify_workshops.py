"""Workshop reminders end to end on real PostgreSQL, NATS and the SMS simulator: a place gets its
confirmation at once and one reminder the day before at 10:00 in Brussels, sent when notify's
clock reaches that instant on both DST change days of 2026 (08:00 UTC on 29 March, 09:00 UTC on
25 October), once even when the event comes again; a cancelled registration's reminder is never sent."""

from __future__ import annotations

import datetime as dt
import uuid

from loket.contracts.workshops import WorkshopRegistered, WorkshopRegistrationCancelled
from services.notify.receipts import FINAL
from services.notify.rendering import BRUSSELS
from tests.support.bridge_harness import publish
from tests.support.notify_harness import eventually, running_notify


def local(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=BRUSSELS).astimezone(dt.UTC)


def ref(registration: uuid.UUID, starts_at: dt.datetime) -> dict[str, object]:
    return {"registration_id": registration, "workshop_id": uuid.uuid4(), "point_id": "mechelen-digibank-predikheren",
            "municipality": "12025", "starts_at": starts_at, "point_name": "Digibank Predikheren"}


def registered(phone: str, starts_at: dt.datetime, registration: uuid.UUID | None = None) -> WorkshopRegistered:
    return WorkshopRegistered(producer="test", payload={
        **ref(registration or uuid.uuid4(), starts_at), "title": "Veilig internetbankieren",
        "ends_at": starts_at + dt.timedelta(hours=2), "workshop_language": "nl", "language": "nl",
        "contact": {"phone": phone, "language": "nl"}, "waiting": False})


async def reminder_statuses_once_final(pool, registrations: list[str]) -> dict[str, str] | None:  # type: ignore[no-untyped-def]
    rows = await pool.fetch("SELECT trigger_aggregate_id, status FROM notify.notifications "
                            "WHERE kind = 'workshop_reminder' AND trigger_aggregate_id = ANY($1::text[])", registrations)
    statuses = {r["trigger_aggregate_id"]: r["status"] for r in rows}
    return statuses if all(status in FINAL for status in statuses.values()) else None


async def texts_to(notify, phone: str, count: int) -> list[str] | None:  # type: ignore[no-untyped-def]
    found = [m["body"] for m in await notify.sms.messages() if m["to"] == phone]
    return found if len(found) >= count else None


async def test_one_reminder_at_ten_in_brussels_on_both_dst_change_days(database_url, bus_url, tmp_path, pool) -> None:  # type: ignore[no-untyped-def]
    now = [dt.datetime(2026, 3, 27, 12, tzinfo=dt.UTC)]
    spring = registered("+32470100001", local(dt.date(2026, 3, 30), 14))  # reminder on 29 March
    autumn = registered("+32470100002", local(dt.date(2026, 10, 26), 14))  # reminder on 25 October
    dropped_id = uuid.uuid4()
    dropped = registered("+32470100003", local(dt.date(2026, 3, 30), 14), dropped_id)
    async with running_notify(database_url, bus_url, tmp_path, clock=lambda: now[0]) as notify:
        await publish(bus_url, [spring, autumn, dropped])
        for phone in ("+32470100001", "+32470100002", "+32470100003"):
            await eventually(lambda p=phone: texts_to(notify, p, 1), what=f"the confirmation to {phone}")
        due = {r["trigger_aggregate_id"]: r["due_at"] for r in await pool.fetch(
            "SELECT trigger_aggregate_id, due_at FROM notify.notifications WHERE kind = 'workshop_reminder'")}
        assert due == {str(spring.payload.registration_id): dt.datetime(2026, 3, 29, 8, tzinfo=dt.UTC),
                       str(autumn.payload.registration_id): dt.datetime(2026, 10, 25, 9, tzinfo=dt.UTC),
                       str(dropped_id): dt.datetime(2026, 3, 29, 8, tzinfo=dt.UTC)}
        cancel = WorkshopRegistrationCancelled(producer="test", payload={
            **ref(dropped_id, dropped.payload.starts_at), "cancelled_by": "citizen", "was_waiting": False,
            "language": "nl", "contact": {"phone": "+32470100003", "language": "nl"}})
        await publish(bus_url, [cancel])
        await eventually(lambda: texts_to(notify, "+32470100003", 2), what="the cancellation's confirmation")

        # 10:00 in Brussels on 29 March (clocks went forward at 02:00): the spring reminder goes.
        now[0] = dt.datetime(2026, 3, 29, 8, tzinfo=dt.UTC)
        sent = await eventually(lambda: texts_to(notify, "+32470100001", 2), what="the spring reminder")
        assert "Herinnering" in sent[1] and "14:00" in sent[1] and "Veilig internetbankieren" in sent[1]
        # The same event again (a redelivery), then an hour later: still one reminder. A later
        # registration's confirmation marks that notify has handled and dispatched past both.
        await publish(bus_url, [spring])
        now[0] = dt.datetime(2026, 3, 29, 9, tzinfo=dt.UTC)
        await publish(bus_url, [registered("+32470100004", local(dt.date(2026, 4, 20), 14))])
        await eventually(lambda: texts_to(notify, "+32470100004", 1), what="the marker's confirmation")
        assert len(await texts_to(notify, "+32470100001", 0) or []) == 2
        assert len(await texts_to(notify, "+32470100003", 0) or []) == 2  # confirmation and cancellation only

        # 10:00 in Brussels on 25 October (clocks went back at 03:00): the autumn reminder goes.
        now[0] = dt.datetime(2026, 10, 25, 9, tzinfo=dt.UTC)
        sent = await eventually(lambda: texts_to(notify, "+32470100002", 2), what="the autumn reminder")
        assert "14:00" in sent[1]
        # The simulator's delivery receipt reaches notify a moment after the text itself: wait for
        # it while notify runs, or shutting down first would leave the last reminder "sending".
        ids = [str(spring.payload.registration_id), str(autumn.payload.registration_id), str(dropped_id)]
        statuses = await eventually(lambda: reminder_statuses_once_final(pool, ids), what="the reminders' receipts")
    assert len(statuses) == 3  # one reminder row per registration, the redelivery made none
    assert statuses == {
        str(spring.payload.registration_id): "delivered", str(autumn.payload.registration_id): "delivered",
        str(dropped_id): "cancelled"}
