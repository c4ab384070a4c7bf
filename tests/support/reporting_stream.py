"""A synthetic event stream for reporting with its ground truth kept beside it, so tests can
compute the expected figures independently of the SQL under test."""

from __future__ import annotations

import asyncio
import datetime as dt
import random
import uuid
from dataclasses import dataclass, field

import asyncpg

from loket.contracts import Event
from loket.contracts.appointments import (
    AppointmentAttended,
    AppointmentBooked,
    AppointmentCancelled,
    AppointmentNoShow,
)
from loket.contracts.citizens import EboxActivationAssisted
from loket.contracts.letter_status import (
    LetterDeliveredToEbox,
    LetterInsertDecided,
    LetterQueuedForPrint,
)
from loket.contracts.notifications import NotificationDelivered, NotificationSent
from loket.contracts.visits import VisitEnded, VisitStarted
from tests.support.bridge_harness import publish
from tests.support.letters import letter_issued, national_number

TOWN = "12025"
MAY = dt.datetime(2026, 5, 4, 8, tzinfo=dt.UTC)
CONTACT = {"phone": "+32470123456", "language": "nl"}


@dataclass
class Truth:
    visit_outcomes: list[str] = field(default_factory=list)
    walk_in_waits: list[int] = field(default_factory=list)
    appointment_outcomes: list[str] = field(default_factory=list)
    reminded: list[bool] = field(default_factory=list)  # per finished (attended / no-show) appointment
    finished_no_show: list[bool] = field(default_factory=list)
    letter_channels: list[str] = field(default_factory=list)
    paper_reasons: list[str] = field(default_factory=list)
    helped_letters_digital: list[bool] = field(default_factory=list)
    national_numbers: list[str] = field(default_factory=list)
    pages_printed: list[tuple[int, int]] = field(default_factory=list)  # (pages, over the quota) per visit with prints


def _t(hours: float) -> dt.datetime:
    return MAY + dt.timedelta(hours=hours)


def stream(seed: int = 1) -> tuple[list[Event], Truth]:
    rng, truth, events = random.Random(seed), Truth(), []
    point = {"point_id": "mechelen-stadhuis", "municipality": TOWN, "point_kind": "municipal_counter"}
    for i, outcome in enumerate(["resolved"] * 9 + ["referred"] * 6 + ["needs_appointment"] * 2):
        visit, walk_in = uuid.uuid4(), i % 3 != 0
        wait = rng.choice([120, 300, 600, 900])
        events.append(VisitStarted(producer="t", occurred_at=_t(i), payload={
            **point, "visit_id": visit, "helper_id": "h1", "language": "nl", "started_at": _t(i),
            "ticket_id": f"t{i}" if walk_in else None, "waited_seconds": wait}))
        pages = (0, 3, 12, 25)[i % 4]  # some visits print, over a free quota of 10 pages or not
        prints = {"pages_printed": pages, "pages_over_quota": max(0, pages - 10)} if pages else {}
        events.append(VisitEnded(producer="t", occurred_at=_t(i + 0.5), payload={
            **point, "visit_id": visit, "topic": "ebox", "language": "nl", "outcome": outcome,
            "duration_seconds": 1800, "ended_at": _t(i + 0.5), **prints}))
        truth.visit_outcomes.append(outcome)
        if pages:
            truth.pages_printed.append((pages, max(0, pages - 10)))
        if walk_in:
            truth.walk_in_waits.append(wait)
    ref = {"point_id": "mechelen-stadhuis", "municipality": TOWN}
    for i, outcome in enumerate(["attended"] * 10 + ["no_show"] * 7 + ["cancelled"] * 3 + ["booked"] * 2):
        appointment, starts = uuid.uuid4(), _t(48 + i)
        events.append(AppointmentBooked(producer="t", occurred_at=_t(i), payload={
            **ref, "appointment_id": appointment, "starts_at": starts, "ends_at": starts + dt.timedelta(minutes=30),
            "point_kind": "municipal_counter", "service": "ebox_activation", "helper_id": "h1", "language": "nl",
            "contact": CONTACT, "booked_via": "citizen", "lead_time_seconds": 48 * 3600}))
        if outcome == "attended":
            events.append(AppointmentAttended(producer="t", occurred_at=starts, payload={
                **ref, "appointment_id": appointment, "attended_at": starts}))
        elif outcome == "no_show":
            events.append(AppointmentNoShow(producer="t", occurred_at=starts + dt.timedelta(minutes=20), payload={
                **ref, "appointment_id": appointment, "service": "ebox_activation", "starts_at": starts,
                "language": "nl", "contact": CONTACT}))
        elif outcome == "cancelled":
            events.append(AppointmentCancelled(producer="t", occurred_at=_t(24 + i), payload={
                **ref, "appointment_id": appointment, "starts_at": starts, "reason": "citizen", "language": "nl",
                "contact": CONTACT}))
        reminded = outcome in ("attended", "no_show") and rng.random() < 0.6
        if reminded:
            note = uuid.uuid4()
            base = {"notification_id": note, "kind": "appointment_reminder", "channel": "sms",
                    "trigger_aggregate_id": str(appointment)}
            events.append(NotificationSent(producer="t", occurred_at=starts - dt.timedelta(hours=2), payload={
                **base, "municipality": TOWN, "trigger_event_id": uuid.uuid4(), "language": "nl",
                "sent_at": starts - dt.timedelta(hours=2)}))
            events.append(NotificationDelivered(producer="t", occurred_at=starts - dt.timedelta(hours=2), payload={
                **base, "delivered_at": starts - dt.timedelta(hours=2)}))
        truth.appointment_outcomes.append(outcome)
        if outcome in ("attended", "no_show"):
            truth.reminded.append(reminded)
            truth.finished_no_show.append(outcome == "no_show")
    helped = national_number(7)
    truth.national_numbers.append(helped)
    events.append(EboxActivationAssisted(producer="t", occurred_at=_t(1), payload={
        "activation_id": uuid.uuid4(), "point_id": "mechelen-stadhuis", "municipality": TOWN,
        "national_number": helped, "consent_given": True, "activated_at": _t(1)}))
    channels = ["ebox"] * 14 + ["paper"] * 8 + ["both"] * 3
    for i, channel in enumerate(channels):
        number = helped if i in (0, 1, 15) else national_number(100 + i)
        truth.national_numbers.append(number)
        issued = letter_issued(number, envelope={"occurred_at": _t(2 + i)})
        events.append(issued)
        ctx = {"letter_id": issued.payload.letter_id, "municipality": TOWN, "department": "finance",
               "document_type": "invoice"}
        if channel in ("ebox", "both"):
            events.append(LetterDeliveredToEbox(producer="t", occurred_at=_t(3 + i), payload={
                **ctx, "ebox_message_id": f"m{i}", "important": False, "language": "nl", "delivered_at": _t(3 + i)}))
        if channel in ("paper", "both"):
            reason = "policy_both" if channel == "both" else rng.choice(["no_digital_user", "ebox_unavailable"])
            events.append(LetterQueuedForPrint(producer="t", occurred_at=_t(3 + i), payload={
                **ctx, "reason": reason, "postage_class": "non_prior", "pages": 2}))
            truth.paper_reasons.append(reason)
        truth.letter_channels.append(channel)
        if number == helped:
            truth.helped_letters_digital.append(channel in ("ebox", "both"))
    return events, truth


# ---- Trends: several months, departments, topics and kinds of point (a stream of its own, so the
# figures of `stream()` that other tests compare stay exactly as they are).

TREND_MONTHS = (dt.datetime(2025, 12, 3, 9, tzinfo=dt.UTC), dt.datetime(2026, 1, 7, 9, tzinfo=dt.UTC),
                dt.datetime(2026, 2, 4, 9, tzinfo=dt.UTC))
# department → (registered mail?, letters per month, digital share rising month by month)
TREND_DEPARTMENTS = {"finance": (False, 10, (0.3, 0.5, 0.7)), "gas": (True, 6, (0.5, 0.5, 0.8))}
TREND_POINTS = {"mechelen-stadhuis": "municipal_counter", "mechelen-digibank-predikheren": "digibank",
                "mechelen-bpost-centrum": "post_office"}
TREND_TOPICS = ("ebox_activation", "itsme_setup", "tax_on_web")


@dataclass
class TrendTruth:
    # (month "YYYY-MM-01", department) → channels of its letters: "ebox" (digital only) or "paper"
    letters: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    # (month, topic) and (month, point kind) → visits ended
    topics: dict[tuple[str, str], int] = field(default_factory=dict)
    kinds: dict[tuple[str, str], int] = field(default_factory=dict)


def trend_stream(seed: int = 2) -> tuple[list[Event], TrendTruth]:
    rng, truth = random.Random(seed), TrendTruth()
    events: list[Event] = []
    n = 0
    for month in TREND_MONTHS:
        key_month = month.strftime("%Y-%m-01")
        for department, (registered, count, shares) in TREND_DEPARTMENTS.items():
            digital = round(count * shares[TREND_MONTHS.index(month)])
            channels = ["ebox"] * digital + ["paper"] * (count - digital)
            truth.letters[(key_month, department)] = channels
            for i, channel in enumerate(channels):
                n += 1
                at = month + dt.timedelta(hours=i)
                issued = letter_issued(national_number(500 + n), envelope={"occurred_at": at}, department=department,
                                       document_type="invoice" if department == "finance" else "administrative_sanction",
                                       registered=registered)
                events.append(issued)
                ctx = {"letter_id": issued.payload.letter_id, "municipality": TOWN, "department": department,
                       "document_type": issued.payload.document_type}
                if channel == "ebox":
                    events.append(LetterDeliveredToEbox(producer="t", occurred_at=at, payload={
                        **ctx, "ebox_message_id": f"trend-{n}", "important": False, "language": "nl",
                        "delivered_at": at + dt.timedelta(minutes=5)}))
                else:
                    events.append(LetterQueuedForPrint(producer="t", occurred_at=at, payload={
                        **ctx, "reason": "no_digital_user", "postage_class": "registered" if registered else "non_prior",
                        "pages": 1}))
        for i in range(rng.randint(8, 14)):
            point_id = rng.choice(list(TREND_POINTS))
            topic = rng.choice(TREND_TOPICS)
            visit, at = uuid.uuid4(), month + dt.timedelta(days=1, hours=i)
            place = {"point_id": point_id, "municipality": TOWN, "point_kind": TREND_POINTS[point_id]}
            events.append(VisitStarted(producer="t", occurred_at=at, payload={
                **place, "visit_id": visit, "helper_id": "h1", "language": "nl", "started_at": at,
                "ticket_id": None, "waited_seconds": 0}))
            events.append(VisitEnded(producer="t", occurred_at=at, payload={
                **place, "visit_id": visit, "topic": topic, "language": "nl", "outcome": "resolved",
                "duration_seconds": 900, "ended_at": at + dt.timedelta(minutes=15)}))
            truth.topics[(key_month, topic)] = truth.topics.get((key_month, topic), 0) + 1
            truth.kinds[(key_month, TREND_POINTS[point_id])] = truth.kinds.get((key_month, TREND_POINTS[point_id]), 0) + 1
    return events, truth


async def project(pool: asyncpg.Pool, bus_url: str, events: list[Event]) -> None:
    """Publish `events` and wait (up to 30 s) until reporting has handled every one: the topics are
    consumed by separate subscribers, so "all letters issued" says nothing about the print
    queue's stream."""
    await publish(bus_url, events)
    expected = len({e.event_id for e in events})
    for _ in range(300):
        if await pool.fetchval("SELECT count(*) FROM reporting.inbox") >= expected:
            return
        await asyncio.sleep(0.1)


# ---- The eBox campaign: recipients in the insert arm and in the holdout, some with later letters
# reaching the eBox (tests/integration/test_reporting_insert_campaign.py computes the truth).
CAMPAIGN_TOWN = "12025"
CAMPAIGN_START = dt.datetime(2026, 10, 5, 9, 0, tzinfo=dt.UTC)
# (arm, recipients, of whom got a later letter, of whom got a later one in the eBox)
CAMPAIGN_ARMS = {"insert": (40, 30, 18), "holdout": (20, 16, 4)}


def campaign_stream() -> list[Event]:
    events: list[Event] = []
    n = 0
    for arm, (recipients, followed, digital) in CAMPAIGN_ARMS.items():
        for i in range(recipients):
            n += 1
            number = national_number(3000 + n)
            first = letter_issued(number, envelope={"occurred_at": CAMPAIGN_START})
            ctx = {"letter_id": first.payload.letter_id, "municipality": CAMPAIGN_TOWN, "department": "finance",
                   "document_type": "invoice"}
            events += [first,
                       LetterQueuedForPrint(producer="t", occurred_at=CAMPAIGN_START, payload={
                           **ctx, "reason": "no_digital_user", "postage_class": "non_prior", "pages": 2}),
                       LetterInsertDecided(producer="t", occurred_at=CAMPAIGN_START + dt.timedelta(hours=8), payload={
                           "letter_id": first.payload.letter_id, "municipality": CAMPAIGN_TOWN, "department": "finance",
                           "campaign": "i12025-2026q4", "arm": arm, "decided_at": CAMPAIGN_START + dt.timedelta(hours=8)})]
            if i >= followed:
                continue
            later_at = CAMPAIGN_START + dt.timedelta(days=20)
            later = letter_issued(number, envelope={"occurred_at": later_at})
            events.append(later)
            if i < digital:
                events.append(LetterDeliveredToEbox(producer="t", occurred_at=later_at, payload={
                    "letter_id": later.payload.letter_id, "municipality": CAMPAIGN_TOWN, "department": "finance",
                    "document_type": "invoice", "ebox_message_id": f"m{n}", "important": False, "language": "nl",
                    "delivered_at": later_at + dt.timedelta(minutes=3)}))
    return events
