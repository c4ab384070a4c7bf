"""Pure rules about who may change an appointment, and when."""

from __future__ import annotations

import datetime as dt

from services.booking.availability.slots import BookingRules
from services.booking.calendar.local_time import local_text
from services.booking.errors import Conflict, Gone


def require_live(status: str) -> None:
    if status not in ("booked", "checked_in"):
        raise Conflict("Appointment closed", f"the appointment is {status.replace('_', '-')}; it can no longer be changed")


def require_change_notice(starts_at: dt.datetime, now: dt.datetime, rules: BookingRules) -> None:
    """Citizens change or cancel online until `change_notice` before the start; after that the
    helper may already be preparing, so they call the point instead."""
    if starts_at - now < rules.change_notice:
        hours = rules.change_notice.total_seconds() / 3600
        raise Conflict("Too late to change online",
                       f"changes are possible online until {hours:g} h before the appointment "
                       f"({local_text(starts_at)}); please call the assistance point")


def require_link_usable(expires_at: dt.datetime, used_at: dt.datetime | None, now: dt.datetime) -> None:
    if used_at is not None:
        raise Gone("Link already used", "this link was already used; use the newest link we sent you")
    if now >= expires_at:
        raise Gone("Link expired", "this link has expired")
