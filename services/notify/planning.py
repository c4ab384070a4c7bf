"""Which messages an event causes, and when (pure; no I/O).

A confirmation goes now; reminders at the configured offsets before the appointment (those
already past are skipped), for a workshop the day before at 10:00 in Brussels. Every planned message has a dedupe key built from the triggering
event, so a redelivered event plans nothing new.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from loket.contracts import Event
from loket.contracts.appointments import (
    AppointmentBooked,
    AppointmentCancelled,
    AppointmentNoShow,
    AppointmentRescheduled,
    AppointmentSlotOffered,
    PhoneCodeRequested,
)
from loket.contracts.devices import (
    DeviceAvailable,
    DeviceLent,
    DeviceLoanOverdue,
    DeviceLoanRenewed,
    DeviceReturned,
)
from loket.contracts.letter_status import (
    LetterCancelled,
    LetterDeliveredToEbox,
    LetterQueuedForPrint,
    LetterRead,
    LetterReturned,
    LetterUnreadEscalated,
)
from loket.contracts.reference.language_regime import UnknownMunicipality, municipality_name
from loket.contracts.values import ContactDetails
from loket.contracts.visits import WalkInTurnNear
from loket.contracts.workshops import (
    WorkshopPlaceOffered,
    WorkshopRegistered,
    WorkshopRegistrationCancelled,
)
from services.notify.language import choose_language
from services.notify.rendering import BRUSSELS

# The nudge about an unread letter is pointless once it is read, on paper anyway, or withdrawn.
SUPERSEDED_BY_LETTER_NEWS = ("letter_unread_nudge",)
# A nudge goes out at this local time of day (well outside quiet hours, when people read messages).
NUDGE_AT = dt.time(10, 0)
# Messages still waiting that an appointment change makes wrong.
SUPERSEDED_BY_CHANGE = ("appointment_reminder",)
SUPERSEDED_BY_CANCEL = ("appointment_confirmation", "appointment_reminder", "appointment_rescheduled")
# A loan's reminder before its due date: a renewal moves it, a return makes it pointless.
SUPERSEDED_BY_LOAN_NEWS = ("device_loan_due_reminder",)
# It goes the day before the due day, at this local time.
LOAN_REMINDER_AT = dt.time(10, 0)
# A workshop's reminder goes the day before at this local time in Brussels, whatever the hour of
# the workshop: a group session is planned in the diary a day ahead, not two hours ahead.
WORKSHOP_REMINDER_AT = dt.time(10, 0)
SUPERSEDED_BY_WORKSHOP_CANCEL = ("workshop_confirmation", "workshop_waiting", "workshop_place", "workshop_reminder")


@dataclass(frozen=True)
class Planned:
    dedupe_key: str
    kind: str
    trigger_event_id: UUID
    aggregate_id: str
    municipality: str | None
    language: str
    contact: ContactDetails
    channels: tuple[str, ...]
    due_at: dt.datetime
    event_at: dt.datetime
    context: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Plan:
    messages: list[Planned]
    cancel_pending: tuple[str, ...] = ()  # kinds of this aggregate's waiting messages to drop


def channels_of(contact: ContactDetails) -> tuple[str, ...]:
    """The citizen's order; without one, SMS first (many use only a basic phone), then e-mail."""
    if contact.preferred_channels:
        ordered = list(contact.preferred_channels)
        ordered += [c for c, v in (("sms", contact.phone), ("email", contact.email)) if v and c not in ordered]
        return tuple(ordered)
    return tuple(c for c, v in (("sms", contact.phone), ("email", contact.email)) if v)


def _message(event: Event, kind: str, aggregate: str, municipality: str | None, contact: ContactDetails,
             event_language: str | None, due_at: dt.datetime, suffix: str = "", **context: Any) -> Planned:
    language = choose_language(contact.language, event_language, municipality)
    return Planned(f"{event.event_id}:{kind}{suffix}", kind, event.event_id, aggregate, municipality, language, contact,
                   channels_of(contact), due_at, event.occurred_at, _jsonable(context))


def _jsonable(context: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, dt.datetime | dt.date) else v) for k, v in context.items()}


def reminder_time(starts_at: dt.datetime, hours: float) -> dt.datetime:
    """Whole days before go by the calendar ("the day before at the same time", also across a
    DST change); other offsets are real hours ("two hours before")."""
    if hours >= 24 and hours % 24 == 0:
        local = starts_at.astimezone(BRUSSELS)
        earlier = (local.replace(tzinfo=None) - dt.timedelta(days=hours // 24)).replace(tzinfo=BRUSSELS)
        return earlier.astimezone(dt.UTC)
    return starts_at - dt.timedelta(hours=hours)


def local_day_at(instant: dt.datetime, days: int, at: dt.time) -> dt.datetime:
    """`days` calendar days after (or, negative, before) the Brussels day of `instant`, at `at` on
    the wall clock: the same hour whether a DST change falls in between or on that very day."""
    day = instant.astimezone(BRUSSELS).date() + dt.timedelta(days=days)
    return dt.datetime.combine(day, at, tzinfo=BRUSSELS).astimezone(dt.UTC)


def nudge_time(delivered_at: dt.datetime, days: int) -> dt.datetime:
    """`days` calendar days after the delivery, at NUDGE_AT in Brussels."""
    return local_day_at(delivered_at, days, NUDGE_AT)


def loan_reminder_time(due_at: dt.datetime) -> dt.datetime:
    """The day before the due day at LOAN_REMINDER_AT in Brussels."""
    return local_day_at(due_at, -1, LOAN_REMINDER_AT)


def workshop_reminder_time(starts_at: dt.datetime) -> dt.datetime:
    """The calendar day before the workshop at WORKSHOP_REMINDER_AT in Brussels."""
    return local_day_at(starts_at, -1, WORKSHOP_REMINDER_AT)


def _workshop_plan(event: WorkshopRegistered | WorkshopPlaceOffered | WorkshopRegistrationCancelled,
                   now: dt.datetime) -> Plan:
    """A place: its confirmation now and one reminder the day before (none once that moment has
    passed: the confirmation came late enough). Waiting: a notice now, the reminder comes with the
    place. A cancellation: its confirmation, and whatever still waits for the registration goes."""
    p = event.payload
    aggregate = str(p.registration_id)
    if isinstance(event, WorkshopRegistrationCancelled):
        return Plan([_message(event, "workshop_cancelled", aggregate, p.municipality, p.contact, p.language, now,
                              place=_place(p), when=p.starts_at)], SUPERSEDED_BY_WORKSHOP_CANCEL)
    common = {"place": _place(p), "when": p.starts_at, "title": p.title}
    if isinstance(event, WorkshopRegistered) and p.waiting:
        return Plan([_message(event, "workshop_waiting", aggregate, p.municipality, p.contact, p.language, now,
                              line=p.place_in_line or 1, **common)])
    kind = "workshop_place" if isinstance(event, WorkshopPlaceOffered) else "workshop_confirmation"
    messages = [_message(event, kind, aggregate, p.municipality, p.contact, p.language, now, **common)]
    if (due := workshop_reminder_time(p.starts_at)) > now:
        messages.append(_message(event, "workshop_reminder", aggregate, p.municipality, p.contact, p.language, due,
                                 **common))
    return Plan(messages)


def _place(payload: Any) -> str:
    return payload.point_name or payload.point_id


def plan(event: Event, now: dt.datetime, reminder_hours: list[float], booking_url: str, nudge_days: int = 0) -> Plan:
    p = event.payload
    if isinstance(event, AppointmentBooked | AppointmentRescheduled):
        aggregate = str(p.appointment_id)
        kind = "appointment_confirmation" if isinstance(event, AppointmentBooked) else "appointment_rescheduled"
        extra = {"old_when": p.old_starts_at} if isinstance(event, AppointmentRescheduled) else {}
        messages = [_message(event, kind, aggregate, p.municipality, p.contact, p.language, now,
                             place=_place(p), when=p.starts_at, **extra)]
        for hours in reminder_hours:
            due = reminder_time(p.starts_at, hours)
            if due > now:
                messages.append(_message(event, "appointment_reminder", aggregate, p.municipality, p.contact,
                                         p.language, due, f":{hours:g}h", place=_place(p), when=p.starts_at))
        cancel = SUPERSEDED_BY_CHANGE if isinstance(event, AppointmentRescheduled) else ()
        return Plan(messages, cancel)
    if isinstance(event, WorkshopRegistered | WorkshopPlaceOffered | WorkshopRegistrationCancelled):
        return _workshop_plan(event, now)
    if isinstance(event, AppointmentCancelled):
        closed = p.reason == "point_closed"
        message = _message(event, "appointment_cancelled", str(p.appointment_id), p.municipality, p.contact,
                           p.language, now, place=_place(p), when=p.starts_at, point_closed=closed,
                           booking_url=booking_url)
        return Plan([message], SUPERSEDED_BY_CANCEL)
    if isinstance(event, AppointmentNoShow):
        return Plan([_message(event, "appointment_no_show", str(p.appointment_id), p.municipality, p.contact,
                              p.language, now, place=_place(p), when=p.starts_at, booking_url=booking_url)])
    if isinstance(event, AppointmentSlotOffered):
        return Plan([_message(event, "waitlist_offer", str(p.appointment_id), p.municipality, p.contact, p.language,
                              now, place=_place(p), when=p.starts_at, until=p.offer_expires_at,
                              claim_url=p.claim_url)])
    if isinstance(event, PhoneCodeRequested):
        # By SMS only (it confirms the phone number), and now or never: see `NOW_OR_NEVER`.
        contact = ContactDetails(phone=p.phone, language=p.language, preferred_channels=("sms",))
        return Plan([_message(event, "phone_code", str(p.check_id), p.municipality, contact, p.language, now,
                              code=p.code, place=p.point_name or p.point_id, valid_until=p.expires_at)])
    if isinstance(event, DeviceLoanOverdue) and p.contact is not None:
        return Plan([_message(event, "device_loan_overdue", str(p.loan_id), p.municipality, p.contact, p.language,
                              now, place=p.point_id, due=p.due_at, days=p.days_overdue)])
    if isinstance(event, DeviceLent | DeviceLoanRenewed):
        # One reminder per loan period, planned by the event that set the due date; a renewal
        # drops the one its earlier due date planned (a redelivered event plans nothing new).
        cancel = SUPERSEDED_BY_LOAN_NEWS if isinstance(event, DeviceLoanRenewed) else ()
        due = loan_reminder_time(p.due_at)
        if p.contact is None or due <= now:
            return Plan([], cancel)
        return Plan([_message(event, "device_loan_due_reminder", str(p.loan_id), p.municipality, p.contact,
                              p.language, due, place=p.point_id, due=p.due_at, device=p.device_kind)], cancel)
    if isinstance(event, DeviceReturned):
        return Plan([], SUPERSEDED_BY_LOAN_NEWS)
    if isinstance(event, DeviceAvailable):
        # `due`: the day it is kept for them until (rendered as a day in Brussels), when it is held.
        held = {"due": p.held_until} if p.held_until is not None else {}
        return Plan([_message(event, "device_available", str(p.entry_id), p.municipality, p.contact, p.language,
                              now, place=_place(p), device=p.device_kind, **held)])
    if isinstance(event, WalkInTurnNear):
        # Now or never: a "come back, it is nearly your turn" that waits is worse than none.
        return Plan([_message(event, "walk_in_turn_near", str(p.ticket_id), p.municipality, p.contact, p.language,
                              now, place=_place(p), ticket=p.ticket_number, ahead=p.people_ahead,
                              minutes=p.wait_minutes_optimistic)])
    if isinstance(event, LetterDeliveredToEbox | LetterUnreadEscalated) and p.important and p.contact is not None:
        # Naming the sender is the point: citizens cannot tell an eBox e-mail from phishing.
        kind = "letter_in_ebox" if isinstance(event, LetterDeliveredToEbox) else "letter_unread_escalated"
        extra = {"days": p.unread_days} if isinstance(event, LetterUnreadEscalated) else {}
        messages = [_message(event, kind, str(p.letter_id), p.municipality, p.contact, p.language, now,
                             sender=_sender(p.municipality), **extra)]
        if isinstance(event, LetterDeliveredToEbox) and nudge_days > 0:
            # Still unread after a week or so: one nudge, before the eBox's own reminder at 15
            # days and before paper; a LetterRead (or the paper copy) drops it while it waits.
            due = nudge_time(p.delivered_at, nudge_days)
            if due > now:
                messages.append(_message(event, "letter_unread_nudge", str(p.letter_id), p.municipality, p.contact,
                                         p.language, due, sender=_sender(p.municipality), days=nudge_days))
        cancel = SUPERSEDED_BY_LETTER_NEWS if isinstance(event, LetterUnreadEscalated) else ()
        return Plan(messages, cancel)
    if isinstance(event, LetterReturned) and p.contact is not None and p.municipality is not None:
        # bpost could not deliver it: tell the citizen whose letter it was, and where help is free.
        return Plan([_message(event, "letter_returned_invite", str(p.letter_id), p.municipality, p.contact,
                              p.language, now, sender=_sender(p.municipality), booking_url=booking_url)])
    if isinstance(event, LetterRead | LetterQueuedForPrint | LetterCancelled | LetterUnreadEscalated):
        return Plan([], SUPERSEDED_BY_LETTER_NEWS)
    return Plan([])


def _sender(municipality: str) -> str:
    try:
        return municipality_name(municipality)
    except UnknownMunicipality:
        return municipality
