"""Booking tells the citizen at once when the municipality's SMS cannot reach their number (the
same country rule notify applies when it sends)."""

from __future__ import annotations

import pytest

from loket.infra.identity.tenants import DEFAULT_SMS_COUNTRIES
from services.booking.appointments.sms_reach import unreachable_by_sms


@pytest.mark.parametrize("phone", ["+32470123456", "+31612345678", "+33612345678", "+4915112345678", "+352621123456"])
def test_belgium_and_its_neighbours_are_reached_by_default(phone: str) -> None:
    assert unreachable_by_sms(phone, DEFAULT_SMS_COUNTRIES) is None


def test_a_number_from_elsewhere_is_refused_with_the_countries_that_are_reached() -> None:
    reason = unreachable_by_sms("+16502530000", DEFAULT_SMS_COUNTRIES)
    assert reason is not None and "Belgium (+32)" in reason and "the Netherlands (+31)" in reason
    assert "e-mail" in reason


def test_a_municipality_that_allows_belgium_only_refuses_a_dutch_number() -> None:
    assert unreachable_by_sms("+31612345678", ("BE",)) is not None
    assert unreachable_by_sms("+32470123456", ("BE",)) is None
