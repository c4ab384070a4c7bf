"""reporting counts device loans, their renewals and the offers to people on a waitlist on real
PostgreSQL: events in any order and repeated give one row per loan and per offer, the
`device_loans` figure counts loans lent, returned, overdue and renewed by the period they were
lent in and offers by the period they were made in, and no contact reaches reporting."""

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


def loan(renewals: int = 0, returned: bool = False) -> list[Event]:
    loan_id = {"loan_id": uuid.uuid4()}
    events: list[Event] = [example("DeviceLent", **loan_id)]
    events += [example("DeviceLoanRenewed", renewals=n, envelope={"occurred_at": T0 + timedelta(days=n)}, **loan_id)
               for n in range(1, renewals + 1)]
    if returned:
        events.append(example("DeviceReturned", **loan_id))
    return events


async def test_renewals_and_waitlist_offers_are_counted_whatever_the_order_and_repeats(pool) -> None:  # type: ignore[no-untyped-def]
    entry = uuid.uuid4()
    # The same entry offered twice (the first device went elsewhere), and another entry once.
    offers = [example("DeviceAvailable", entry_id=entry), example("DeviceAvailable", entry_id=entry),
              example("DeviceAvailable", entry_id=uuid.uuid4())]
    events = [*loan(), *loan(renewals=2, returned=True), *loan(renewals=1), *offers]
    schema = await fresh(pool, "rep_devices")
    try:
        async with pool.acquire() as conn, conn.transaction():
            await project(conn, schema, events, PSEUDONYMS)
        (period, lent, returned, overdue, renewed, offered), = await figure(pool, schema, "device_loans")
        assert (lent, returned, overdue, renewed, offered) == (3, 1, 0, 2, 3)
        assert period == T0.strftime("%Y-%m-01")
        assert sorted(await pool.fetchval(f"SELECT array_agg(renewals) FROM {schema}.loans WHERE renewals > 0")) \
            == [1, 2]  # the most renewals each loan reached

        # Shuffled and every event twice: the same rows, the same figure.
        assert await figure_shuffled_twice(pool, "device_loans", events, 23) == await figure(pool, schema, "device_loans")

        # Nothing personal reaches reporting: no contact column, no phone number or address in any row.
        rows = await pool.fetch(f"SELECT * FROM {schema}.device_offers")
        assert len(rows) == 3 and "contact" not in rows[0].keys()
        assert all("+32" not in str(dict(r)) and "@" not in str(dict(r)) for r in rows)
    finally:
        await pool.execute(f"DROP SCHEMA {schema} CASCADE")
