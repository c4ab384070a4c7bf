"""notify's pure parts: every kind renders in every language within the SMS segment limit,
the planning of confirmations and reminders (DST days included), language choice, quiet
hours and segment counting."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from loket.contracts.appointments import (
    AppointmentBooked,
    AppointmentCancelled,
    AppointmentRescheduled,
)
from services.notify.language import choose_language
from services.notify.planning import plan
from services.notify.rendering import BRUSSELS, kinds, render
from services.notify.rules import backoff, parse_quiet_hours, quiet_until
from services.notify.segments import is_gsm7, segments

MAX_SEGMENTS = 3
UTC = dt.UTC
CONTEXT = {
    "place": "Stadhuis Mechelen - Digitale Hulp", "when": "2026-03-30T07:00:00+00:00",
    "old_when": "2026-03-29T07:00:00+00:00", "until": "2026-03-28T10:30:00+00:00",
    "claim_url": "https://loket.mechelen.be/public/book/claim/3f0c1f7e-6b1a-4a51-9a61-7f3f1f0b2c11?token="
                 + "x" * 43,
    "booking_url": "https://loket.mechelen.be/public/book", "point_closed": True, "due": "2026-03-01",
    "days": 12, "sender": "Sint-Genesius-Rode", "ticket": 117, "ahead": 2, "minutes": 6, "code": "042917",
    "title": "Veilig internetbankieren met itsme", "line": 2, "device": "smartphone",
}


@pytest.mark.parametrize("kind", kinds())
@pytest.mark.parametrize("language", ["nl", "fr", "de", "en"])
def test_every_kind_renders_in_every_language_within_the_segment_limit(kind: str, language: str) -> None:
    message = render(kind, language, CONTEXT)
    assert message.subject and message.body and "{{" not in message.body
    assert segments(message.body) <= MAX_SEGMENTS, (kind, language, len(message.body), message.body)


@pytest.mark.parametrize("language", ["nl", "fr", "de", "en"])
def test_a_phone_code_is_one_sms_and_carries_the_code(language: str) -> None:
    # Sent for every public booking where a municipality asks for it: one segment, not two.
    body = render("phone_code", language, CONTEXT).body
    assert "042917" in body and CONTEXT["place"] in body
    assert segments(body) == 1, (language, len(body), body)


def test_there_are_thirteen_kinds_and_dates_follow_the_language() -> None:
    # 13 before the five of the workshops (issue 17): confirmation, waiting, place, reminder, cancelled;
    # then a loan's reminder before its due date and a device offered from the waitlist (issue 17).
    assert len(kinds()) == 20
    assert "maandag 30 maart 09:00" in render("appointment_reminder", "nl", CONTEXT).body
    assert "lundi 30 mars 09:00" in render("appointment_reminder", "fr", CONTEXT).body
    assert "Montag, 30. März 09:00" in render("appointment_reminder", "de", CONTEXT).body
    closed = render("appointment_cancelled", "fr", CONTEXT).body
    assert "fermé" in closed and CONTEXT["booking_url"] in closed


def test_segment_counting_gsm7_and_ucs2() -> None:
    assert segments("a" * 160) == 1 and segments("a" * 161) == 2 and segments("a" * 306) == 2
    assert segments("€" * 80) == 1 and segments("€" * 81) == 2  # extended characters cost two septets
    assert is_gsm7("Rendez-vous confirmé à 09:00") and not is_gsm7("Empêché")
    assert segments("ê" * 70) == 1 and segments("ê" * 71) == 2 and segments("ê" * 135) == 3


def booked(starts_at: dt.datetime, **contact) -> AppointmentBooked:  # type: ignore[no-untyped-def]
    return AppointmentBooked(producer="test", payload={
        "appointment_id": uuid.uuid4(), "point_id": "mechelen-stadhuis", "municipality": "12025",
        "point_name": "Stadhuis", "starts_at": starts_at, "ends_at": starts_at + dt.timedelta(minutes=30),
        "point_kind": "municipal_counter", "service": "ebox_activation", "helper_id": "h1", "language": "nl",
        "contact": {"phone": "+32470123456", "language": "nl", **contact}, "booked_via": "citizen",
        "lead_time_seconds": 3600})


@pytest.mark.parametrize("day", [dt.date(2026, 3, 29), dt.date(2026, 10, 25)])
def test_reminders_on_dst_days_keep_the_local_time(day: dt.date) -> None:
    # Sunday 09:00 on each change day: "the day before" is Saturday 09:00 on the clock (23 or 25
    # real hours earlier), "two hours before" is two real hours (07:00 local).
    starts = dt.datetime.combine(day, dt.time(9), tzinfo=BRUSSELS).astimezone(UTC)
    planned = plan(booked(starts), starts - dt.timedelta(days=3), [24, 2], "https://x/book")
    reminders = sorted(m.due_at for m in planned.messages if m.kind == "appointment_reminder")
    local = [r.astimezone(BRUSSELS).replace(tzinfo=None) for r in reminders]
    assert local == [dt.datetime.combine(day - dt.timedelta(days=1), dt.time(9)), dt.datetime.combine(day, dt.time(7))]
    assert starts - reminders[0] == dt.timedelta(hours=23 if day.month == 3 else 25)
    assert starts - reminders[1] == dt.timedelta(hours=2)


def test_past_reminders_are_skipped_and_redelivery_keys_are_stable() -> None:
    starts = dt.datetime(2026, 5, 4, 8, tzinfo=UTC)
    event = booked(starts)
    soon = plan(event, starts - dt.timedelta(hours=3), [24, 2], "u")
    assert sorted(m.kind for m in soon.messages) == ["appointment_confirmation", "appointment_reminder"]
    again = plan(event, starts - dt.timedelta(hours=3), [24, 2], "u")
    assert [m.dedupe_key for m in soon.messages] == [m.dedupe_key for m in again.messages]


def test_changes_drop_the_messages_they_make_wrong() -> None:
    starts = dt.datetime(2026, 5, 4, 8, tzinfo=UTC)
    base = {"appointment_id": uuid.uuid4(), "point_id": "p", "municipality": "12025", "language": "nl",
            "contact": {"phone": "+32470123456", "language": "nl"}}
    moved = AppointmentRescheduled(producer="t", payload={**base, "starts_at": starts, "ends_at": starts +
                                                          dt.timedelta(minutes=30), "old_starts_at": starts})
    cancelled = AppointmentCancelled(producer="t", payload={**base, "starts_at": starts, "reason": "point_closed"})
    assert plan(moved, starts - dt.timedelta(days=2), [24, 2], "u").cancel_pending == ("appointment_reminder",)
    dropped = plan(cancelled, starts - dt.timedelta(days=2), [24, 2], "u")
    assert "appointment_reminder" in dropped.cancel_pending and dropped.messages[0].context["point_closed"] is True


def test_language_follows_the_preference_within_the_regime() -> None:
    assert choose_language("fr", "nl", "21005") == "fr"  # Brussels is bilingual
    assert choose_language("fr", "nl", "12025") == "nl"  # Mechelen: Dutch only, the event's language
    assert choose_language("en", "nl", "12025") == "en"  # English as a courtesy
    assert choose_language("nl", None, "63023") == "de"  # Eupen: German (French facilities), not Dutch
    assert choose_language("fr", "nl", "23101") == "fr"  # Sint-Genesius-Rode: French facilities


def test_quiet_hours_defer_to_eight_local_even_on_dst_days() -> None:
    quiet = parse_quiet_hours("21:00-08:00")
    night = dt.datetime.combine(dt.date(2026, 3, 28), dt.time(22), tzinfo=BRUSSELS)  # the eve of the change
    until = quiet_until(night.astimezone(UTC), quiet)
    assert until is not None and until.astimezone(BRUSSELS).replace(tzinfo=None) == dt.datetime(2026, 3, 29, 8)
    assert until == dt.datetime(2026, 3, 29, 6, tzinfo=UTC)  # CEST after the jump
    early = dt.datetime.combine(dt.date(2026, 10, 25), dt.time(6, 30), tzinfo=BRUSSELS)
    assert quiet_until(early.astimezone(UTC), quiet) == dt.datetime(2026, 10, 25, 7, tzinfo=UTC)  # CET
    noon = dt.datetime.combine(dt.date(2026, 10, 25), dt.time(12), tzinfo=BRUSSELS)
    assert quiet_until(noon.astimezone(UTC), quiet) is None


def test_backoff_grows_and_respects_retry_after() -> None:
    assert backoff(1, 5, 900) <= dt.timedelta(seconds=5)
    assert dt.timedelta(seconds=20) <= backoff(4, 5, 900) <= dt.timedelta(seconds=40)
    assert backoff(1, 5, 900, retry_after_s=30) == dt.timedelta(seconds=30)
    assert backoff(30, 5, 900) <= dt.timedelta(seconds=900)


def test_a_walk_in_whose_turn_is_near_gets_one_message_now_naming_the_place_and_ticket() -> None:
    from loket.contracts.visits import WalkInTurnNear

    now = dt.datetime(2026, 12, 2, 10, 0, tzinfo=UTC)
    event = WalkInTurnNear(producer="test", payload={
        "ticket_id": uuid.uuid4(), "point_id": "etterbeek-epn", "municipality": "21005",
        "point_name": "EPN Etterbeek", "ticket_number": 117, "people_ahead": 2, "wait_minutes_optimistic": 6,
        "wait_minutes_realistic": 11, "language": "fr", "contact": {"phone": "+32470123456", "language": "fr"}})
    [message] = plan(event, now, [24, 2], "https://loket.example/public/book").messages
    assert (message.kind, message.due_at, message.channels, message.language) == ("walk_in_turn_near", now, ("sms",), "fr")
    body = render(message.kind, message.language, message.context).body
    assert "EPN Etterbeek" in body and "117" in body and "6 min" in body
