"""Housekeeping rounds: appointments nobody came to become no-shows after a grace period
(notify may offer a new slot), and waitlist offers nobody claimed pass to the next person.
Runs on every replica; SKIP LOCKED keeps them from doubling up."""

from __future__ import annotations

import datetime as dt
import time
from typing import TYPE_CHECKING

from services.booking.utilisation import utilisation_by_kind
from services.infra.rounds import run_rounds
from services.infra.runtime import Runtime

if TYPE_CHECKING:
    from services.booking.app import Booking


def no_show_sweeper(booking: Booking):  # type: ignore[no-untyped-def]
    grace = dt.timedelta(minutes=booking.settings.booking_no_show_grace_minutes)

    async def no_show_sweep(runtime: Runtime) -> None:
        last_gauges = -1e9

        async def round_() -> bool:
            nonlocal last_gauges
            async with runtime.db().acquire() as conn, conn.transaction():
                missed = await booking.appointments.sweep_no_shows(conn, grace, booking.clock())
                lapsed = await booking.waitlist.expire(conn, booking.clock())
            booking.metrics.no_shows.inc(missed)
            if time.monotonic() - last_gauges >= 60:  # a whole-day scan: once a minute is plenty
                last_gauges = time.monotonic()
                async with runtime.db().acquire() as conn:
                    for kind, ratio in (await utilisation_by_kind(conn, runtime.schema, booking.clock())).items():
                        booking.metrics.helper_utilisation.labels(kind).set(ratio)
            return missed >= 500 or lapsed >= 200

        await run_rounds(round_, booking.settings.booking_sweep_interval_s, "no-show and waitlist sweep")

    return no_show_sweep
