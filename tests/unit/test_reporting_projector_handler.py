"""reporting's projector handler on fakes: events through the real consumer dispatch
(`tests/support/fakes.deliver`) into the in-memory read models (`FakeProjections`). The SQL of
the same upserts keeps its PostgreSQL tests (tests/integration/test_reporting_figures.py)."""

from __future__ import annotations

import random
import secrets
from datetime import timedelta
from typing import Any

from loket.contracts import Event
from loket.contracts.national_number import is_valid_national_number
from loket.infra.bus.handler_context import BatchContext
from services.reporting.app import service_spec, subscriptions
from services.reporting.projector import STATEMENTS, SqlProjections, erased_pseudonym
from services.reporting.pseudonyms import Pseudonymizer
from tests.contracts.examples import (
    ACTIVATION_ID,
    APPOINTMENT_ID,
    LETTER_ID,
    LOAN_ID,
    NATIONAL_NUMBER,
    NOTIFICATION_ID,
    T0,
    VISIT_ID,
    example,
)
from tests.support.fake_projections import FakeProjections
from tests.support.fakes import FakeInbox, FakeOutbox, deliver
from tests.support.reporting_stream import stream

PSEUDONYMS = Pseudonymizer(secrets.token_bytes(32))


def handlers(store: Any) -> dict[type[Event], Any]:
    """Every topic's handlers as the service wires them, onto `store`."""
    return {cls: h for sub in subscriptions(store, PSEUDONYMS) for cls, h in sub.handlers.items()}


async def project(events: list[Event], *, store: FakeProjections | None = None, inbox: FakeInbox | None = None,
                  batch: int = 50) -> FakeProjections:
    store = store or FakeProjections()
    inbox = inbox or FakeInbox()
    wired = handlers(store)
    for start in range(0, len(events), batch):
        await deliver(wired, events[start:start + batch], outbox=FakeOutbox(), inbox=inbox)
    return store


def life_of_everything() -> list[Event]:
    """One aggregate of each kind through several of its events, in the order they happen."""
    return [
        example("LetterIssued"), example("LetterDeliveredToEbox"), example("LetterRead"),
        example("VisitStarted"), example("VisitEnded"),
        example("AppointmentBooked"),
        example("AppointmentRescheduled", envelope={"occurred_at": T0 + timedelta(hours=1)}),
        example("AppointmentAttended"),
        example("NotificationSent"), example("NotificationDelivered"),
        example("DeviceLent"), example("DeviceLoanOverdue"), example("DeviceReturned"),
        example("EboxActivationAssisted"),
        example("AppointmentSlotOffered"),  # not projected: skipped
    ]


async def test_events_of_every_kind_land_in_their_rows() -> None:
    store = await project(life_of_everything())
    assert {t: len(rows) for t, rows in store.tables.items()} == {
        "letters": 1, "visits": 1, "appointments": 1, "notifications": 1, "loans": 1, "activations": 1}
    letter = store.row("letters", LETTER_ID)
    assert letter["citizen"] == PSEUDONYMS(NATIONAL_NUMBER)
    assert (letter["municipality"], letter["department"], letter["document_type"]) == ("12025", "finance",
                                                                                      "tax_assessment")
    assert letter["issued_at"] == T0 and letter["ebox_delivered_at"] == T0
    assert letter["read_at"] == T0 + timedelta(days=2) and letter["queued_at"] is None
    visit = store.row("visits", VISIT_ID)
    assert visit["walk_in"] is True and visit["waited_seconds"] == 420
    assert visit["outcome"] == "resolved" and visit["duration_seconds"] == 1260
    appointment = store.row("appointments", APPOINTMENT_ID)
    assert appointment["starts_at"] == T0 + timedelta(days=4)  # the reschedule, later than the booking
    assert appointment["starts_version"] == T0 + timedelta(hours=1)
    assert appointment["booked_via"] == "citizen" and appointment["attended_at"] == T0 + timedelta(days=4)
    notification = store.row("notifications", NOTIFICATION_ID)
    assert notification["sent_at"] == T0 and notification["delivered_at"] == T0 + timedelta(seconds=4)
    loan = store.row("loans", LOAN_ID)
    assert loan["device_kind"] == "laptop" and loan["overdue_days"] == 3 and loan["condition"] == "good"
    assert store.row("activations", ACTIVATION_ID)["citizen"] == PSEUDONYMS(NATIONAL_NUMBER)


async def test_a_redelivered_event_is_projected_once() -> None:
    inbox, events = FakeInbox(), life_of_everything()
    store = await project(events, inbox=inbox)
    before, calls = store.snapshot(), list(store.calls)
    assert await deliver(handlers(store), events, outbox=FakeOutbox(), inbox=inbox) == 0
    assert store.calls == calls and store.snapshot() == before
    # Past the inbox (another consumer group, a lost inbox row) the upserts absorb it too.
    await project(events, store=store)
    assert store.snapshot() == before
    assert {t: len(rows) for t, rows in store.tables.items()} == {t: 1 for t in before}


async def test_a_later_reschedule_wins_whatever_the_order() -> None:
    booked = example("AppointmentBooked")
    moved = example("AppointmentRescheduled", envelope={"occurred_at": T0 + timedelta(hours=1)})
    for order in ([booked, moved], [moved, booked]):
        assert (await project(order)).row("appointments", APPOINTMENT_ID)["starts_at"] == T0 + timedelta(days=4)


async def test_a_status_before_its_issue_ends_in_the_same_row() -> None:
    issued, delivered, read = example("LetterIssued"), example("LetterDeliveredToEbox"), example("LetterRead")
    in_order = await project([issued, delivered, read])
    assert (await project([read, delivered, issued])).snapshot() == in_order.snapshot()
    assert (await project([delivered], batch=1)).row("letters", LETTER_ID)["citizen"] is None


async def test_any_order_and_any_batching_give_the_same_rows() -> None:
    events, _ = stream()
    expected = (await project(events)).snapshot()
    rng = random.Random(7)
    for _ in range(5):
        messy = events + rng.sample(events, 40)  # some of them twice, with their own event ids
        rng.shuffle(messy)
        assert (await project(messy, batch=rng.randint(1, 60))).snapshot() == expected


async def test_no_national_number_lands_in_a_row() -> None:
    events, truth = stream()
    events += life_of_everything()
    store = await project(events)
    numbers = {*truth.national_numbers, NATIONAL_NUMBER}
    assert all(is_valid_national_number(n) for n in numbers)
    values = [v for rows in store.tables.values() for row in rows.values() for v in row.values()]
    assert not [v for v in values if isinstance(v, str) and (is_valid_national_number(v)
                                                              or any(n in v for n in numbers))]
    assert sum(1 for v in values if v == PSEUDONYMS(NATIONAL_NUMBER)) == 2  # a letter and an activation


class RecordingConnection:
    def __init__(self) -> None:
        self.calls: list[tuple[str, list[Any]]] = []

    async def executemany(self, sql: str, rows: list[Any]) -> None:
        self.calls.append((sql, rows))


async def test_the_service_writes_one_set_based_statement_per_type_into_its_schema() -> None:
    conn, store = RecordingConnection(), SqlProjections("reporting")
    events = [example("LetterIssued", letter_id=LETTER_ID), example("LetterRead"), example("LetterRead")]
    handler = handlers(store)[type(events[0])]
    await handler.handle_batch(events, BatchContext(conn, FakeOutbox()))  # type: ignore[arg-type]
    assert [(sql, len(rows)) for sql, rows in conn.calls] == [
        (STATEMENTS["LetterIssued"].sql.format(schema="reporting"), 1),
        (STATEMENTS["LetterRead"].sql.format(schema="reporting"), 2)]
    assert conn.calls[0][0].startswith("INSERT INTO reporting.letters ")


def test_the_spec_without_settings_still_documents_every_subscription() -> None:
    spec = service_spec()
    assert len(spec.subscriptions) == 7 and all(not s.handlers for s in spec.subscriptions)


async def test_a_company_letter_counts_as_a_letter_of_no_citizen() -> None:
    # Issue 18: an enterprise recipient has no national number, so no pseudonym either (and
    # certainly not the pseudonym of the text "None").
    issued = example("LetterIssued", recipient_national_number=None,
                     recipient={"kind": "enterprise", "identifier": "0406798006"})
    store = await project([issued, example("LetterDeliveredToEbox")])
    letter = store.row("letters", LETTER_ID)
    assert letter["citizen"] is None
    assert letter["issued_at"] == issued.occurred_at and letter["ebox_delivered_at"] is not None


async def test_an_erasure_replaces_the_citizens_pseudonym_in_every_row_whatever_the_order() -> None:
    """Letters and activations keep being counted, joined under one stand-in that links to no
    number; a LetterIssued projected after the erasure (its topic's consumer lagging) cannot put
    the pseudonym back."""
    erasure = example("CitizenErasureRequested")
    erased = example("LetterRecipientErased", erasure_id=erasure.payload.erasure_id)
    stand_in = erased_pseudonym(erasure.payload.erasure_id)
    assert erased.payload.erasure_id == erasure.payload.erasure_id and stand_in != PSEUDONYMS(NATIONAL_NUMBER)
    everything = life_of_everything()
    # The activation shares the erasure's topic, so it comes before it; the letter's events are on
    # other topics, whose consumers may be behind or ahead.
    activation = [e for e in everything if e.event_type == "EboxActivationAssisted"]
    others = [e for e in everything if e.event_type != "EboxActivationAssisted"]
    orders = {
        "erasure last": [*everything, erasure, erased],
        "erasure first, the letter's events late": [*activation, erasure, erased, *others],
        "one batch, erasure in the middle": [*activation, others[0], erasure, *others[1:], erased],
    }
    for name, events in orders.items():
        store = await project(events, batch=len(events))
        values = [v for rows in store.tables.values() for row in rows.values() for v in row.values()]
        assert PSEUDONYMS(NATIONAL_NUMBER) not in values, name
        assert store.row("letters", LETTER_ID)["citizen"] == stand_in, name
        assert store.row("activations", ACTIVATION_ID)["citizen"] == stand_in, name
        assert store.row("letters", LETTER_ID)["read_at"] == T0 + timedelta(days=2), name  # still counted
