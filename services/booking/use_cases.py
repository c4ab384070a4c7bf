"""The booking service's use-case objects, built once by `create_app` and shared by the HTTP
routes and the background rounds."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import asyncpg

from loket.infra.db.change_signals import ChangeSignals
from loket.infra.db.outbox import Outbox
from loket.infra.identity.tenant_directory import TenantDirectory
from services.booking.appointments.service import Appointments
from services.booking.appointments.sms_reach import SmsReach
from services.booking.cancellation import Cancellation
from services.booking.http.rate_limit import RateLimit, SharedRateLimiter
from services.booking.loans.service import Loans
from services.booking.locations import Locator
from services.booking.metrics import BookingMetrics
from services.booking.phone_checks.service import PhoneChecks
from services.booking.printing.service import Printing
from services.booking.queue.service import Queue
from services.booking.rota.service import Rota
from services.booking.seats.service import Seats
from services.booking.settings import BookingSettings
from services.booking.waitlist.service import Waitlist
from services.booking.workshops.service import Workshops

NAME = "booking"
Clock = Callable[[], dt.datetime]


@dataclass(frozen=True)
class Booking:
    """The service's use-case objects, shared by the HTTP routes and the background loops."""

    settings: BookingSettings
    metrics: BookingMetrics
    clock: Clock
    appointments: Appointments
    phone_checks: PhoneChecks
    waitlist: Waitlist
    cancellation: Cancellation
    queue: Queue
    loans: Loans
    limiter: RateLimit
    locator: Locator  # where an object belongs, for the scope check of staff endpoints
    seats: Seats
    rota: Rota
    workshops: Workshops
    printing: Printing


def build_booking(settings: BookingSettings, metrics: BookingMetrics, clock: Clock, outbox: Outbox,
                  db: Callable[[], asyncpg.Pool], changes: ChangeSignals | None = None) -> Booking:
    """`outbox` is the runtime's: every event the service writes goes through the one relay;
    `changes` the runtime's change signals, which keep the caches right across replicas."""
    # The tenants are the bridge's to import; booking reads each municipality's SMS countries and
    # whether it confirms phone numbers before a public booking.
    tenants = TenantDirectory(None, settings.tenants_refresh_s, changes=changes)
    keys = settings.contact_keys(NAME)
    phone_checks = PhoneChecks(NAME, outbox, tenants, keys)
    appointments = Appointments(NAME, outbox, settings.rules(), SmsReach(tenants), phone_checks, changes=changes)
    waitlist = Waitlist(appointments, dt.timedelta(minutes=settings.booking_waitlist_claim_minutes),
                        settings.booking_public_url)
    limiter = SharedRateLimiter(db, NAME, settings.booking_public_rate_per_minute, settings.booking_public_burst)
    return Booking(settings, metrics, clock, appointments, phone_checks, waitlist, Cancellation(appointments, waitlist),
                   Queue(appointments, metrics), Loans(appointments, keys), limiter, Locator(NAME), Seats(appointments),
                   Rota(NAME, settings.rota_rules()), Workshops(appointments, outbox),
                   Printing(appointments))
