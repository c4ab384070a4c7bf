"""Housekeeping rounds: appointments nobody came to become no-shows after a grace period
(notify may offer a new slot), waitlist offers nobody claimed pass to the next person, so do
devices kept for someone waiting who did not collect them in time, overdue loans are announced
once a day, and the queue and device gauges are refreshed.
Runs on every replica; SKIP LOCKED keeps them from doubling up."""

from __future__ import annotations

import datetime as dt
import time

from loket.infra.rounds import run_rounds
from loket.infra.runtime import Runtime
from services.booking.queue.repository import waiting_by_kind
from services.booking.use_cases import Booking
from services.booking.utilisation import utilisation_by_kind


def no_show_sweeper(booking: Booking):  # type: ignore[no-untyped-def]
    grace = dt.timedelta(minutes=booking.settings.booking_no_show_grace_minutes)

    async def no_show_sweep(runtime: Runtime) -> None:
        last_gauges = -1e9

        async def round_() -> bool:
            nonlocal last_gauges
            async with runtime.db().acquire() as conn, conn.transaction():
                missed = await booking.appointments.sweep_no_shows(conn, grace, booking.clock())
                lapsed = await booking.waitlist.expire(conn, booking.clock())
                overdue = await booking.loans.sweep_overdue(conn, booking.clock())
                uncollected = await booking.loans.sweep_lapsed_holds(conn, booking.clock())
            booking.metrics.no_shows.inc(missed)
            if time.monotonic() - last_gauges >= 60:  # a whole-day scan: once a minute is plenty
                last_gauges = time.monotonic()
                async with runtime.db().acquire() as conn:
                    for kind, ratio in (await utilisation_by_kind(conn, runtime.schema, booking.clock())).items():
                        booking.metrics.helper_utilisation.labels(kind).set(ratio)
            async with runtime.db().acquire() as conn:  # cheap: keep these fresh every round
                on_loan, late, used = await booking.loans.gauges(conn, booking.clock())
                for kind, waiting in (await waiting_by_kind(conn, runtime.schema)).items():
                    booking.metrics.queue_length.labels(kind).set(waiting)
            booking.metrics.devices_on_loan.set(on_loan)
            booking.metrics.devices_overdue.set(late)
            booking.metrics.device_utilisation.set(used)
            return missed >= 500 or lapsed >= 200 or overdue >= 500 or uncollected >= 500

        await run_rounds(round_, booking.settings.booking_sweep_interval_s, "no-show and waitlist sweep")

    return no_show_sweep
