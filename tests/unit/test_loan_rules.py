"""The loan rules, pure: the loan period in calendar days (due by the end of the day, Brussels,
across DST), the hard due date capping a loan and stopping renewals, renewals counted, and
someone waiting refusing a renewal; the borrower key is a hash of the contact, never the
contact itself."""

from __future__ import annotations

import datetime as dt
import secrets

import pytest

from loket.contracts.values import ContactDetails
from loket.infra.contact_keys import ContactKeys
from services.booking.calendar.local_time import BRUSSELS
from services.booking.errors import Conflict, Invalid
from services.booking.loans.borrowers import borrower_key
from services.booking.loans.rules import LoanRules, due_on, first_due, held_until, renewed_due

UTC = dt.UTC


def at(day: dt.date, hour: int = 14) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=BRUSSELS).astimezone(UTC)


def local(instant: dt.datetime) -> dt.datetime:
    return instant.astimezone(BRUSSELS).replace(tzinfo=None)


def test_a_loan_is_due_at_the_end_of_the_last_day_of_its_period_across_a_dst_change() -> None:
    now = at(dt.date(2026, 3, 20))  # three weeks over the spring change
    due = first_due(LoanRules(loan_period_days=21), now, None)
    assert local(due) == dt.datetime(2026, 4, 10, 23, 59)
    assert local(first_due(LoanRules(loan_period_days=14), at(dt.date(2026, 10, 20)), None)) == \
        dt.datetime(2026, 11, 3, 23, 59)


def test_the_hard_due_date_caps_a_loan_and_stops_lending_once_it_is_reached() -> None:
    rules = LoanRules(loan_period_days=21, hard_due_date=dt.date(2026, 7, 1))
    assert local(first_due(rules, at(dt.date(2026, 6, 20)), None)) == dt.datetime(2026, 7, 1, 23, 59)
    assert local(first_due(rules, at(dt.date(2026, 6, 1)), None)) == dt.datetime(2026, 6, 22, 23, 59)
    with pytest.raises(Conflict, match="hard due date 2026-07-01"):
        first_due(rules, at(dt.date(2026, 7, 2)), None)


def test_a_chosen_due_date_may_be_sooner_but_not_later_than_the_rules() -> None:
    rules = LoanRules(loan_period_days=7)
    now = at(dt.date(2026, 5, 4))
    assert first_due(rules, now, now + dt.timedelta(days=2)) == now + dt.timedelta(days=2)
    with pytest.raises(Invalid, match="2026-05-11 at the latest"):
        first_due(rules, now, now + dt.timedelta(days=8))
    with pytest.raises(Invalid, match="in the future"):
        first_due(rules, now, now - dt.timedelta(minutes=1))


def test_a_renewal_adds_a_period_to_the_due_date_or_to_today_when_overdue() -> None:
    rules = LoanRules(loan_period_days=14, max_renewals=2)
    due = due_on(dt.date(2026, 5, 18))
    assert local(renewed_due(rules, due, 0, at(dt.date(2026, 5, 15)), "laptop", 0)) == dt.datetime(2026, 6, 1, 23, 59)
    assert local(renewed_due(rules, due, 1, at(dt.date(2026, 5, 25)), "laptop", 0)) == dt.datetime(2026, 6, 8, 23, 59)


def test_renewals_are_refused_with_the_reason() -> None:
    rules = LoanRules(loan_period_days=14, max_renewals=1, hard_due_date=dt.date(2026, 6, 30))
    due = due_on(dt.date(2026, 6, 10))
    now = at(dt.date(2026, 6, 8))
    with pytest.raises(Conflict, match=r"renewed 1 times, the most this point allows \(1\)") as used_up:
        renewed_due(rules, due, 1, now, "laptop", 0)
    assert used_up.value.title == "No renewals left"
    with pytest.raises(Conflict, match="due on 2026-07-08, past this point's hard due date 2026-06-30") as hard:
        renewed_due(rules, due_on(dt.date(2026, 6, 24)), 0, now, "laptop", 0)
    assert hard.value.title == "Past the hard due date"
    with pytest.raises(Conflict, match="2 people wait for a tablet") as waiting:
        renewed_due(rules, due, 0, now, "tablet", 2)
    assert waiting.value.title == "Others are waiting"
    assert local(renewed_due(rules, due, 0, now, "tablet", 0)) == dt.datetime(2026, 6, 24, 23, 59)


def test_no_renewals_at_all_when_the_rules_allow_none() -> None:
    with pytest.raises(Conflict, match="No renewals|the most this point allows \\(0\\)"):
        renewed_due(LoanRules(max_renewals=0), due_on(dt.date(2026, 6, 10)), 0, at(dt.date(2026, 6, 1)), "laptop", 0)


def test_the_borrower_key_is_a_stable_keyed_hash_of_the_phone_or_else_the_email() -> None:
    keys = ContactKeys(secrets.token_urlsafe(32))
    phone = ContactDetails(phone="+32470123456", email="An@Example.org", language="nl")
    assert borrower_key(phone, keys) == borrower_key(ContactDetails(phone="+32470123456", language="fr"), keys)
    assert "32470123456" not in borrower_key(phone, keys)
    email = ContactDetails(email="An@Example.org", language="nl")
    assert borrower_key(email, keys) == borrower_key(ContactDetails(email="an@example.org", language="nl"), keys)
    assert borrower_key(email, keys) != borrower_key(phone, keys)
    # Not the plain hash anyone could recompute, and another secret gives another key.
    assert borrower_key(phone, keys) != phone.digest() and phone.digest() not in borrower_key(phone, keys)
    assert borrower_key(phone, keys) != borrower_key(phone, ContactKeys(secrets.token_urlsafe(32)))


def test_defaults_are_library_like_and_rules_are_bounded() -> None:
    assert LoanRules() == LoanRules(loan_period_days=21, max_renewals=1, max_active_loans=2, hard_due_date=None)
    with pytest.raises(ValueError, match="max_active_loans"):
        LoanRules(max_active_loans=0)


def test_what_the_contract_would_refuse_later_is_a_validation_error_at_the_door() -> None:
    from pydantic import ValidationError

    from services.booking.appointments.contact import ContactIn
    from services.booking.loans.routes import ReturnRequest

    with pytest.raises(ValidationError, match="must not repeat a channel"):
        ContactIn(email="an@example.org", language="nl", preferred_channels=["email", "email"])
    with pytest.raises(ValidationError, match="'sms' needs a phone number"):
        ContactIn(email="an@example.org", language="nl", preferred_channels=["sms"])
    with pytest.raises(ValidationError, match="NUL or a lone surrogate"):
        ContactIn(email="a\x00n@example.org", language="nl")
    with pytest.raises(ValidationError, match="without NUL"):
        ReturnRequest(condition="good", notes="screen\x00cracked")
    assert ContactIn(email="an@example.org", language="nl", preferred_channels=["email"]).details().email


def test_rules_take_numbers_not_booleans() -> None:
    with pytest.raises(ValueError, match="max_renewals"):
        LoanRules.model_validate({"max_renewals": False})
    assert LoanRules.model_validate({"hard_due_date": "2026-07-01"}).hard_due_date == dt.date(2026, 7, 1)


def test_an_offered_device_is_kept_to_the_end_of_the_last_day_of_its_hold_or_not_at_all() -> None:
    # Offered on Friday 23 October 2026 in the afternoon; three days run across the DST change.
    offered = dt.datetime(2026, 10, 23, 14, 0, tzinfo=BRUSSELS)
    until = held_until(LoanRules(offer_hold_days=3), offered)
    assert until is not None and until.astimezone(BRUSSELS).replace(tzinfo=None) == dt.datetime(2026, 10, 26, 23, 59)
    assert held_until(LoanRules(), offered) == held_until(LoanRules(offer_hold_days=3), offered)  # the default
    assert held_until(LoanRules(offer_hold_days=0), offered) is None  # an offer that holds nothing
    with pytest.raises(ValueError, match="offer_hold_days"):
        LoanRules(offer_hold_days=15)
