"""notify end to end on real PostgreSQL and NATS: events on the bus → SMS at the simulator over
HTTP (with receipts back) and e-mail at a real SMTP server, in the citizen's language; fallback,
retries, reminders that move and vanish, quiet hours."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

from loket.contracts.appointments import (
    AppointmentBooked,
    AppointmentCancelled,
    AppointmentRescheduled,
)
from loket.contracts.letter_status import LetterDeliveredToEbox
from loket.infra.http.auth import hash_token
from services.notify.rendering import BRUSSELS
from tests.support.bridge_harness import publish
from tests.support.notify_harness import eventually, running_notify

SOON = dt.timedelta(days=3)


def booked(phone: str | None = None, email: str | None = None, language: str = "nl", municipality: str = "12025",
           starts_at: dt.datetime | None = None, appointment_id: uuid.UUID | None = None, **contact: Any) -> AppointmentBooked:
    starts = starts_at or (dt.datetime.now(dt.UTC) + SOON).replace(microsecond=0)
    return AppointmentBooked(producer="test", payload={
        "appointment_id": appointment_id or uuid.uuid4(), "point_id": "etterbeek-epn", "municipality": municipality,
        "point_name": "Espace Public Numérique", "starts_at": starts, "ends_at": starts + dt.timedelta(minutes=30),
        "point_kind": "public_digital_space", "service": "ebox_activation", "helper_id": "h1", "language": "fr",
        "contact": {"phone": phone, "email": email, "language": language, **contact}, "booked_via": "citizen",
        "lead_time_seconds": 3600})


async def rows(pool, aggregate: str) -> list[dict]:  # type: ignore[no-untyped-def]
    found = await pool.fetch("SELECT kind, status, due_at, channel_index, attempts, failure_reason FROM "
                             "notify.notifications WHERE trigger_aggregate_id = $1 ORDER BY due_at", aggregate)
    return [dict(r) for r in found]


async def test_sms_and_email_reach_the_provider_and_the_mail_server_in_the_right_language(
        database_url, bus_url, tmp_path, pool) -> None:  # type: ignore[no-untyped-def]
    async with running_notify(database_url, bus_url, tmp_path) as notify:
        sms = booked(phone="+32470111222", language="fr", municipality="21005")  # Etterbeek: bilingual
        mail = booked(email="lukas@example.be", language="de", municipality="63023")  # Eupen
        letter = LetterDeliveredToEbox(producer="test", payload={
            "letter_id": uuid.uuid4(), "municipality": "12025", "department": "finance", "document_type": "invoice",
            "ebox_message_id": "m-1", "important": True, "language": "nl", "delivered_at": dt.datetime.now(dt.UTC),
            "contact": {"email": "an@example.be", "language": "nl"}})
        await publish(bus_url, [sms, mail, letter])
        messages = await eventually(notify.sms.messages, what="the SMS at the simulator")
        assert len(messages) == 1 and messages[0]["to"] == "+32470111222"
        assert "Rendez-vous confirmé" in messages[0]["body"] and "Espace Public Numérique" in messages[0]["body"]
        local = sms.payload.starts_at.astimezone(BRUSSELS).strftime("%H:%M")
        assert local in messages[0]["body"]
        mails = await eventually(lambda: len(notify.mails()) == 2 and notify.mails(), what="two e-mails")
        by_to = {m["To"]: m for m in mails}
        assert by_to["lukas@example.be"]["Subject"] == "Ihr Termin bei Espace Public Numérique"
        assert by_to["lukas@example.be"]["Content-Language"] == "de"
        assert "Stad Mechelen" in by_to["an@example.be"]["Subject"] or "Mechelen" in by_to["an@example.be"]["Subject"]
        assert "eBox" in by_to["an@example.be"].get_content()
        # The SMS receipt comes back: delivered; e-mail counts as delivered when the server accepts it.
        for event in (sms, mail):
            await eventually(lambda e=event: _statuses(pool, str(e.payload.appointment_id), "delivered"),
                             what="delivery recorded")
        await eventually(lambda: _statuses(pool, str(letter.payload.letter_id), "delivered"), what="letter mail")
        events = await pool.fetch("SELECT event_type, payload FROM notify.outbox ORDER BY id")
        kinds = [e["event_type"] for e in events]
        assert kinds.count("NotificationSent") == 3 and kinds.count("NotificationDelivered") == 3
        assert all(b"+32470111222" not in e["payload"] and b"lukas@" not in e["payload"] for e in events)


async def _statuses(pool, aggregate: str, *wanted: str) -> bool:  # type: ignore[no-untyped-def]
    # Reminders and the unread-letter nudge wait for their day: only what is due now counts.
    later = ("appointment_reminder", "letter_unread_nudge")
    found = [r["status"] for r in await rows(pool, aggregate) if r["kind"] not in later]
    return bool(found) and all(s in wanted for s in found)


async def test_permanent_sms_failure_falls_back_to_email_and_transient_failures_retry(
        database_url, bus_url, tmp_path, pool) -> None:  # type: ignore[no-untyped-def]
    async with running_notify(database_url, bus_url, tmp_path) as notify:
        dead_number = booked(phone="+32470990000", email="fallback@example.be")  # ends in 0000: not in service
        await publish(bus_url, [dead_number])
        await eventually(lambda: len(notify.mails()) == 1, what="the fallback e-mail")
        assert notify.mails()[0]["To"] == "fallback@example.be"
        # The sink has the mail a moment before the batch's outcomes commit.
        await eventually(lambda: _statuses(pool, str(dead_number.payload.appointment_id), "delivered"),
                         what="the fallback recorded")
        [confirmation] = [r for r in await rows(pool, str(dead_number.payload.appointment_id))
                          if r["kind"] == "appointment_confirmation"]
        assert (confirmation["status"], confirmation["channel_index"]) == ("delivered", 1)
        failed = await pool.fetchval("SELECT payload FROM notify.outbox WHERE event_type = 'NotificationFailed'")
        assert b'"status":"permanent-failure"' in failed and b'"channel":"sms"' in failed

        # Five 503s, then the provider works again. Five is more than the citizen's hourly limit
        # (4): failed attempts reached nobody and must not count towards it (the chaos suite
        # once saw such a retry deferred by an hour).
        await notify.sms.faults(fail_next=5)
        flaky = booked(phone="+32470333444")
        await publish(bus_url, [flaky])
        # Not "sending": a message is in that state from the moment a round claims it.
        await eventually(lambda: _statuses(pool, str(flaky.payload.appointment_id), "delivered"),
                         what="the retried SMS")
        [sent] = [r for r in await rows(pool, str(flaky.payload.appointment_id)) if r["kind"] == "appointment_confirmation"]
        assert sent["attempts"] == 6
        assert len([m for m in await notify.sms.messages() if m["to"] == "+32470333444"]) == 1

        invalid = booked(phone="+3200000000", email=None)  # well-formed, but no such Belgian number
        await publish(bus_url, [invalid])
        await eventually(lambda: _statuses(pool, str(invalid.payload.appointment_id), "permanent-failure"),
                         what="the permanent failure")
        reasons = [r["failure_reason"] for r in await rows(pool, str(invalid.payload.appointment_id))]
        assert any("not a valid number" in (r or "") or "cannot be read" in (r or "") for r in reasons)


async def test_reminders_move_with_a_reschedule_and_vanish_with_a_cancel(database_url, bus_url, tmp_path, pool) -> None:  # type: ignore[no-untyped-def]
    async with running_notify(database_url, bus_url, tmp_path) as notify:
        appointment = uuid.uuid4()
        first = booked(phone="+32470555666", appointment_id=appointment)
        await publish(bus_url, [first])
        await eventually(lambda: _reminders(pool, str(appointment), "created", 2), what="two reminders")
        later = first.payload.starts_at + dt.timedelta(days=1)
        moved = AppointmentRescheduled(producer="test", payload={
            "appointment_id": appointment, "point_id": "etterbeek-epn", "municipality": "12025",
            "starts_at": later, "ends_at": later + dt.timedelta(minutes=30), "old_starts_at": first.payload.starts_at,
            "language": "nl", "contact": {"phone": "+32470555666", "language": "nl"}})
        await publish(bus_url, [moved])
        await eventually(lambda: _reminders(pool, str(appointment), "cancelled", 2), what="old reminders cancelled")
        pending = [r for r in await rows(pool, str(appointment)) if r["kind"] == "appointment_reminder"
                   and r["status"] == "created"]
        assert sorted(r["due_at"] for r in pending) == [later - dt.timedelta(days=1), later - dt.timedelta(hours=2)]
        cancel = AppointmentCancelled(producer="test", payload={
            "appointment_id": appointment, "point_id": "etterbeek-epn", "municipality": "12025", "starts_at": later,
            "reason": "point_closed", "language": "nl", "contact": {"phone": "+32470555666", "language": "nl"}})
        await publish(bus_url, [cancel])
        await eventually(lambda: _reminders(pool, str(appointment), "cancelled", 4), what="all reminders cancelled")
        texts = await eventually(lambda: _texts(notify, "+32470555666", 3), what="three SMS")
        assert "gesloten" in texts[-1] and "verplaatst" in texts[1]


async def _reminders(pool, aggregate: str, status: str, count: int) -> bool:  # type: ignore[no-untyped-def]
    return len([r for r in await rows(pool, aggregate) if r["kind"] == "appointment_reminder"
                and r["status"] == status]) == count


async def _texts(notify, phone: str, count: int) -> list[str] | None:  # type: ignore[no-untyped-def]
    texts = [m["body"] for m in await notify.sms.messages() if m["to"] == phone]
    return texts if len(texts) >= count else None


async def test_quiet_hours_defer_sms_but_not_email(database_url, bus_url, tmp_path, pool) -> None:  # type: ignore[no-untyped-def]
    night = dt.datetime.combine(dt.date.today() + dt.timedelta(days=1), dt.time(22, 30), tzinfo=BRUSSELS)
    async with running_notify(database_url, bus_url, tmp_path, clock=lambda: night.astimezone(dt.UTC)) as notify:
        both = booked(phone="+32470777888", email="night@example.be", preferred_channels=["sms", "email"],
                      starts_at=night.astimezone(dt.UTC) + SOON)
        mail_only = booked(email="owl@example.be", starts_at=night.astimezone(dt.UTC) + SOON)
        await publish(bus_url, [both, mail_only])
        await eventually(lambda: len(notify.mails()) == 1, what="the e-mail sent at night")
        [deferred] = [r for r in await eventually(lambda: _deferred(pool, str(both.payload.appointment_id)),
                                                  what="the deferred SMS")]
        assert deferred["due_at"].astimezone(BRUSSELS).replace(tzinfo=None) == dt.datetime.combine(
            night.date() + dt.timedelta(days=1), dt.time(8))
        assert await notify.sms.messages() == []


async def _deferred(pool, aggregate: str) -> list[dict] | None:  # type: ignore[no-untyped-def]
    found = [r for r in await rows(pool, aggregate) if r["kind"] == "appointment_confirmation"
             and r["status"] == "created" and r["attempts"] == 0]
    due = [r for r in found if r["due_at"].astimezone(BRUSSELS).hour == 8]
    return due or None


async def test_an_opted_out_citizen_gets_nothing_and_the_opt_out_needs_a_token(
        database_url, bus_url, tmp_path, pool, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("LOKET_ADMIN_TOKEN", "opt-out-admin-token")
    tokens = tmp_path / "tokens.json"
    tokens.write_text(json.dumps([{"name": "kiosk", "role": "device", "municipality": "12025",
                                   "points": ["mechelen-stadhuis"], "sha256": hash_token("kiosk-token")}]))
    monkeypatch.setenv("LOKET_API_TOKENS_FILE", str(tokens))
    async with running_notify(database_url, bus_url, tmp_path) as notify:
        async with notify.sms.http.post(f"{notify.base}/opt-outs", json={"phone": "+32470999888"}) as r:
            assert r.status == 401
        async with notify.sms.http.post(f"{notify.base}/opt-outs", json={"phone": "+32470999888"},
                                        headers={"Authorization": "Bearer kiosk-token"}) as r:
            assert r.status == 403  # a waiting-room kiosk records no opt-outs
        async with notify.sms.http.post(f"{notify.base}/opt-outs", json={"phone": "+32470999888"},
                                        headers={"Authorization": "Bearer opt-out-admin-token"}) as r:
            assert r.status == 201
        # Nesting past the parser's limit was a 500; unstorable text is refused at the door, by its field.
        for raw, status, detail in [(b'{"email": "a\\ud800@b.be"}', 422, "email: text must not contain"),
                                    (b"[" * 20_000 + b"]" * 20_000, 400, "the body nests arrays or objects too deeply")]:
            async with notify.sms.http.post(f"{notify.base}/opt-outs", data=raw, headers={
                    "Authorization": "Bearer opt-out-admin-token", "Content-Type": "application/json"}) as r:
                assert r.status == status and (await r.json(content_type=None))["detail"].startswith(detail)
        quiet = booked(phone="+32470999888")
        await publish(bus_url, [quiet, booked(phone="+32470999777")])
        await eventually(lambda: _texts(notify, "+32470999777", 1), what="the other citizen's SMS")
        await eventually(lambda: _statuses(pool, str(quiet.payload.appointment_id), "permanent-failure"),
                         what="the opted-out message refused")
        assert not [m for m in await notify.sms.messages() if m["to"] == "+32470999888"]
        reasons = {r["failure_reason"] for r in await rows(pool, str(quiet.payload.appointment_id))}
        assert "the citizen opted out of messages" in reasons


async def test_a_citizen_gets_at_most_the_hourly_limit_and_the_rest_waits(database_url, bus_url, tmp_path, pool) -> None:  # type: ignore[no-untyped-def]
    async with running_notify(database_url, bus_url, tmp_path, citizen_max_per_hour=2) as notify:
        same_phone = [booked(phone="+32470121212") for _ in range(3)]
        await publish(bus_url, same_phone)
        await eventually(lambda: _texts(notify, "+32470121212", 2), what="two SMS")
        held = await eventually(lambda: _deferred_hour(pool), what="the third held back")
        assert held["attempts"] == 0
        assert len([m for m in await notify.sms.messages() if m["to"] == "+32470121212"]) == 2


async def _deferred_hour(pool) -> dict | None:  # type: ignore[no-untyped-def]
    # Compared with the service's own clock (the sent_at of the two that went), not the database's.
    row = await pool.fetchrow(
        "SELECT due_at, attempts, (SELECT max(sent_at) FROM notify.notifications) AS last_sent "
        "FROM notify.notifications WHERE kind = 'appointment_confirmation' AND status = 'created'")
    return dict(row) if row and row["last_sent"] and row["due_at"] > row["last_sent"] + dt.timedelta(minutes=50) else None


async def test_an_sms_carries_its_municipalitys_sender_name(database_url, bus_url, tmp_path, pool) -> None:  # type: ignore[no-untyped-def]
    from loket.infra.identity.schema import migrate_identity
    from loket.infra.identity.tenant_store import import_tenants
    from loket.infra.identity.tenants import read_tenant_file
    from services.ebox_bridge.settings import DEFAULT_TENANTS_FILE

    async with pool.acquire() as conn:
        await migrate_identity(conn)
        await import_tenants(conn, read_tenant_file(DEFAULT_TENANTS_FILE))
    async with running_notify(database_url, bus_url, tmp_path) as notify:
        await publish(bus_url, [booked(phone="+32470343434", municipality="21005"),
                                booked(phone="+32470565656", municipality="11002")])  # not onboarded
        await eventually(lambda: _texts(notify, "+32470343434", 1), what="Etterbeek's SMS")
        await eventually(lambda: _texts(notify, "+32470565656", 1), what="the SMS without a tenant")
        sender = {m["to"]: m["sender"] for m in await notify.sms.messages()}
        assert sender["+32470343434"] == "Etterbeek"  # from deploy/tenants.yaml
        assert sender["+32470565656"] not in ("", "Etterbeek")  # the configured default, never held back


async def test_a_walk_in_whose_turn_is_near_gets_the_sms_at_once(database_url, bus_url, tmp_path, pool) -> None:  # type: ignore[no-untyped-def]
    from loket.contracts.visits import WalkInTurnNear

    async with running_notify(database_url, bus_url, tmp_path) as notify:
        event = WalkInTurnNear(producer="test", payload={
            "ticket_id": uuid.uuid4(), "point_id": "etterbeek-epn", "municipality": "21005",
            "point_name": "Espace Public Numérique", "ticket_number": 42, "people_ahead": 1,
            "wait_minutes_optimistic": 4, "wait_minutes_realistic": 9, "language": "fr",
            "contact": {"phone": "+32470555666", "language": "fr"}})
        await publish(bus_url, [event])
        messages = await eventually(notify.sms.messages, what="the SMS at the simulator")
        assert [m["to"] for m in messages] == ["+32470555666"]
        assert "Bientôt votre tour" in messages[0]["body"] and "ticket 42" in messages[0]["body"]


async def test_one_number_prefix_gets_at_most_its_daily_sms_cap(database_url, bus_url, tmp_path, pool) -> None:  # type: ignore[no-untyped-def]
    async with running_notify(database_url, bus_url, tmp_path, sms_prefix_max_per_day=2) as notify:
        events = [booked(phone=f"+3247099900{i}", language="fr", municipality="21005") for i in range(3)]
        await publish(bus_url, events[:2])
        await eventually(lambda: _count_sms(notify, 2), what="the first two SMS")
        first = await eventually(lambda: pool.fetchval(
            "SELECT min(sent_at) FROM notify.notifications WHERE trigger_aggregate_id = ANY($1) HAVING count(sent_at) = 2",
            [str(e.payload.appointment_id) for e in events[:2]]), what="both sends recorded")
        await publish(bus_url, events[2:])
        # notify's clock runs at noon (daytime_clock), so "later" is measured from its first send.
        held = await eventually(lambda: _confirmation_deferred(pool, str(events[2].payload.appointment_id),
                                                               beyond=first + dt.timedelta(hours=1)),
                                what="the third confirmation deferred by the prefix cap")
        assert held == first + dt.timedelta(days=1)  # when the oldest of the prefix's SMS leaves the day
        assert len(await notify.sms.messages()) == 2


async def _count_sms(notify, expected: int) -> bool:  # type: ignore[no-untyped-def]
    return len(await notify.sms.messages()) == expected


async def _confirmation_deferred(pool, aggregate: str, beyond: dt.datetime):  # type: ignore[no-untyped-def]
    row = await pool.fetchrow("SELECT status, due_at FROM notify.notifications WHERE trigger_aggregate_id = $1 "
                              "AND kind = 'appointment_confirmation'", aggregate)
    return row["due_at"] if row and row["status"] == "created" and row["due_at"] > beyond else None


async def test_a_receipt_that_overtakes_the_recorded_send_is_kept_and_applied(
        database_url, bus_url, tmp_path, pool) -> None:  # type: ignore[no-untyped-def]
    # The provider posts its receipt before it answers the send request, so notify has not
    # stored the provider's message id yet when the receipt comes: it must not be lost.
    async with running_notify(database_url, bus_url, tmp_path) as notify:
        await notify.sms.faults(receipt_first=True)
        event = booked(phone="+32470333444", language="nl")
        await publish(bus_url, [event])
        await eventually(notify.sms.messages, what="the SMS at the simulator")
        await eventually(lambda: _statuses(pool, str(event.payload.appointment_id), "delivered"),
                         what="the early receipt applied")
        held = await pool.fetchval(
            "SELECT count(*) FROM notify.early_receipts e JOIN notify.notifications n USING (provider_ref) "
            "WHERE n.trigger_aggregate_id = $1", str(event.payload.appointment_id))
        assert held == 0, "an applied receipt must not stay held"
