"""Appointments nobody came to become no-shows after a grace period (and notify may offer
the citizen a new slot). Runs on every replica; SKIP LOCKED keeps them from doubling up."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from services.booking.appointments.service import Appointments
from services.booking.metrics import BookingMetrics
from services.booking.settings import BookingSettings
from services.infra.rounds import run_rounds
from services.infra.runtime import Runtime


def no_show_sweeper(settings: BookingSettings, metrics: BookingMetrics, clock: Callable[[], dt.datetime]):  # type: ignore[no-untyped-def]
    grace = dt.timedelta(minutes=settings.booking_no_show_grace_minutes)

    async def no_show_sweep(runtime: Runtime) -> None:
        appointments = Appointments(runtime.schema, runtime.outbox, settings.rules())

        async def round_() -> bool:
            async with runtime.db().acquire() as conn, conn.transaction():
                found = await appointments.sweep_no_shows(conn, grace, clock())
            metrics.no_shows.inc(found)
            return found >= 500

        await run_rounds(round_, settings.booking_sweep_interval_s, "no-show sweep")

    return no_show_sweep
