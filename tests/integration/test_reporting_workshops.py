"""reporting counts workshop registrations and attendance on real PostgreSQL: events in any order
and repeated give one row per registration, and the `workshops` figure counts registrations, the
waiting list, places given from it, cancellations and who came (a WorkshopAttended is counted)."""

from __future__ import annotations

import secrets
import uuid
from datetime import timedelta

from loket.contracts import Event
from services.reporting.projector import project
from services.reporting.pseudonyms import Pseudonymizer
from tests.contracts.examples import T0, example
from tests.integration.test_reporting_figures import figure, figure_shuffled_twice, fresh

PSEUDONYMS = Pseudonymizer(secrets.token_bytes(32))
WORKSHOP = uuid.uuid4()


def registration(attended: bool = False, waiting: bool = False, placed: bool = False,
                 cancelled: bool = False) -> list[Event]:
    ids = {"registration_id": uuid.uuid4(), "workshop_id": WORKSHOP}
    events: list[Event] = [example("WorkshopRegistered", waiting=waiting, place_in_line=1 if waiting else None, **ids)]
    if placed:
        events.append(example("WorkshopPlaceOffered", envelope={"occurred_at": T0 + timedelta(hours=1)}, **ids))
    if cancelled:
        events.append(example("WorkshopRegistrationCancelled", envelope={"occurred_at": T0 + timedelta(hours=2)},
                              was_waiting=waiting and not placed, **ids))
    if attended:
        events.append(example("WorkshopAttended", **ids))
    return events


async def test_a_workshop_attended_is_counted_whatever_the_order_and_repeats(pool) -> None:  # type: ignore[no-untyped-def]
    events = [*registration(attended=True), *registration(attended=True), *registration(cancelled=True),
              *registration(waiting=True, placed=True, attended=True), *registration(waiting=True),
              *registration(waiting=True, cancelled=True)]
    schema = await fresh(pool, "rep_workshops")
    try:
        async with pool.acquire() as conn, conn.transaction():
            await project(conn, schema, events, PSEUDONYMS)
        (period, registrations, waited, placed, cancelled, attended), = await figure(pool, schema, "workshops")
        assert (registrations, waited, placed, cancelled, attended) == (6, 3, 1, 2, 3)
        assert period == (T0 + timedelta(days=3)).strftime("%Y-%m-01")  # by the month the workshop is given

        # Shuffled and every event twice: the same rows, the same figure.
        assert await figure_shuffled_twice(pool, "workshops", events, 17) == await figure(pool, schema, "workshops")

        # One attendance more, alone: counted even before its registration arrives.
        async with pool.acquire() as conn, conn.transaction():
            await project(conn, schema, [example("WorkshopAttended", registration_id=uuid.uuid4())], PSEUDONYMS)
        assert (await figure(pool, schema, "workshops"))[0][5] == 4
        # Nothing personal reaches reporting: no contact column, no phone number in any row.
        rows = await pool.fetch(f"SELECT * FROM {schema}.workshop_registrations")
        assert all("+32" not in str(dict(r)) for r in rows) and "contact" not in rows[0].keys()
    finally:
        await pool.execute(f"DROP SCHEMA {schema} CASCADE")
