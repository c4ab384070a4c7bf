"""Loan rules in the vocabulary libraries use (pure; no I/O): the loan period, how many times a
loan may be renewed, how many devices one borrower may have out at once, and a hard due date
past which no loan is due (a point's summer closing, the end of a project's funding).

Rules are set per assistance point, not per municipality: each Digibank has its own stock, its
own demand and its own closing weeks; a municipality that wants one policy sets it at each
point. Due dates are days: a device is due by the end of its due day, Brussels time, so "three
weeks" is three weeks on the calendar whatever DST does in between.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field, StrictInt

from services.booking.calendar.local_time import local_date, local_instant
from services.booking.errors import Conflict, Invalid

# A device is due by the end of its due day (local time).
DUE_BY = dt.time(23, 59)


class LoanRules(BaseModel):
    """A point's loan rules; a point that set none lends by these defaults."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # Strict: `true` is not a number of days.
    loan_period_days: StrictInt = Field(default=21, ge=1, le=365, description="loan period: days a device is lent for")
    max_renewals: StrictInt = Field(default=1, ge=0, le=20, description="how many times one loan may be renewed")
    # Keep in step with the default in migration 0014's trigger `loans_per_borrower`.
    max_active_loans: StrictInt = Field(default=2, ge=1, le=20,
                                  description="the most devices one borrower may have on loan at this point at once")
    hard_due_date: dt.date | None = Field(default=None,
                                          description="no loan is due, and none is renewed, past this day")
    # Keep in step with the default of loan_rules.offer_hold_days (migration 0017).
    offer_hold_days: StrictInt = Field(
        default=3, ge=0, le=14,
        description="days a device that came back is held for the person on the waitlist it is offered to "
                    "(to the end of the last day); 0: an offer holds nothing")


def due_on(day: dt.date) -> dt.datetime:
    """The instant a device due on `day` is due: the end of that day in Brussels."""
    return local_instant(day, DUE_BY)


def held_until(rules: LoanRules, offered_at: dt.datetime) -> dt.datetime | None:
    """Until when a device offered at `offered_at` is kept for the person it was offered to:
    the end of the `offer_hold_days`-th day after the offer (Brussels), or None: not held."""
    if rules.offer_hold_days == 0:
        return None
    return due_on(local_date(offered_at) + dt.timedelta(days=rules.offer_hold_days))


def _past_hard_due_date(rules: LoanRules, due: dt.datetime) -> bool:
    return rules.hard_due_date is not None and local_date(due) > rules.hard_due_date


def first_due(rules: LoanRules, now: dt.datetime, asked: dt.datetime | None) -> dt.datetime:
    """When a loan starting now is due: the end of the loan period (or the hard due date, if
    sooner), or an earlier instant the helper chose."""
    latest = due_on(local_date(now) + dt.timedelta(days=rules.loan_period_days))
    if rules.hard_due_date is not None and _past_hard_due_date(rules, latest):
        latest = due_on(rules.hard_due_date)
        if latest <= now:
            raise Conflict("Past the hard due date",
                           f"this point lends nothing past its hard due date {rules.hard_due_date.isoformat()}")
    if asked is None:
        return latest
    if asked <= now:
        raise Invalid("Due date in the past", "due_at must be in the future")
    if asked > latest:
        raise Invalid("Due date beyond the loan rules",
                      f"due_at may be {local_date(latest).isoformat()} at the latest (loan period "
                      f"{rules.loan_period_days} days{_hard(rules)})")
    return asked


def renewed_due(rules: LoanRules, due_at: dt.datetime, renewals: int, now: dt.datetime, kind: str,
                waiting: int) -> dt.datetime:
    """The new due instant of a loan renewed now, or the precise reason it cannot be: renewals
    used up, the hard due date in the way, or someone waiting for a device of this kind. A
    renewal adds a loan period to the due date (to today, when the loan is overdue)."""
    if renewals >= rules.max_renewals:
        raise Conflict("No renewals left", f"this loan was renewed {renewals} times, the most this point allows "
                                           f"({rules.max_renewals}); the device is due back on "
                                           f"{local_date(due_at).isoformat()}")
    day = max(local_date(due_at), local_date(now)) + dt.timedelta(days=rules.loan_period_days)
    new_due = due_on(day)
    if _past_hard_due_date(rules, new_due):
        raise Conflict("Past the hard due date",
                       f"renewing would make the device due on {day.isoformat()}, past this point's hard due date "
                       f"{rules.hard_due_date.isoformat() if rules.hard_due_date else ''}")
    if waiting:
        raise Conflict("Others are waiting",
                       f"{waiting} {'person waits' if waiting == 1 else 'people wait'} for a {kind} at this point: "
                       f"the device is due back on {local_date(due_at).isoformat()}")
    return new_due


def _hard(rules: LoanRules) -> str:
    return f", hard due date {rules.hard_due_date.isoformat()}" if rules.hard_due_date else ""
