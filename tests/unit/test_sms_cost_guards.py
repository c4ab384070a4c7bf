"""SMS pumping guards in notify: numbers outside the municipality's countries are not sent SMS
(the channel ladder falls back), and one number gets at most so many messages a day."""

from __future__ import annotations

import datetime as dt
from uuid import uuid4

import pytest
from prometheus_client import CollectorRegistry
from pydantic import ValidationError

from loket.contracts.values import ContactDetails
from loket.infra.identity.tenants import DEFAULT_SMS_COUNTRIES, Tenant
from services.notify.addresses import InvalidAddress, address_for
from services.notify.metrics import NotifyMetrics
from services.notify.repository import Notification
from services.notify.sending_rules import Deferred, SendingRules
from services.notify.throttle import Sent

NOON = dt.datetime(2026, 12, 2, 11, 0, tzinfo=dt.UTC)  # 12:00 in Brussels: outside quiet hours


def contact(phone: str) -> ContactDetails:
    return ContactDetails(phone=phone, email=None, language="nl", preferred_channels=("sms",))


@pytest.mark.parametrize("phone", ["+32470123456", "+31612345678", "+33612345678", "+4915112345678", "+352621123456"])
def test_belgium_and_its_neighbours_get_sms_by_default(phone: str) -> None:
    assert address_for("sms", contact(phone)) == phone


@pytest.mark.parametrize("phone", ["+23276123456", "+61412345678", "+447400123456"])
def test_other_countries_are_refused_with_the_reason(phone: str) -> None:
    with pytest.raises(InvalidAddress, match="not sent for this municipality"):
        address_for("sms", contact(phone))


def test_a_municipality_can_narrow_or_widen_its_countries() -> None:
    with pytest.raises(InvalidAddress, match=r"\(allowed: BE\)"):
        address_for("sms", contact("+31612345678"), ("BE",))
    assert address_for("sms", contact("+447400123456"), (*DEFAULT_SMS_COUNTRIES, "GB")) == "+447400123456"


def test_a_tenant_names_real_countries() -> None:
    document = {"municipality": "12025", "name": "Mechelen", "sms_sender": "Mechelen", "languages": ["nl"],
                "ebox": {"enterprise_number": "0207500123", "sender_application_id": "mechelen"},
                "paper": {"name": "Stad Mechelen", "lines": ["Grote Markt 21", "2800 Mechelen"]}}
    assert Tenant.model_validate(document).sms_countries == DEFAULT_SMS_COUNTRIES
    with pytest.raises(ValidationError, match="unknown country codes XX"):
        Tenant.model_validate({**document, "sms_countries": ["BE", "XX"]})


def sms(key: str) -> Notification:
    return Notification(uuid4(), "k", "appointment_reminder", uuid4(), "a", "12025", "nl", contact("+32470123456"),
                        key, ["sms"], 0, {}, "sending", NOON, NOON, 1, None, None)


def test_one_number_gets_at_most_the_daily_limit_even_when_spread_over_hours() -> None:
    rules = SendingRules("21:00-08:00", citizen_max_per_hour=4, metrics=NotifyMetrics(CollectorRegistry()),
                         citizen_max_per_day=10)
    # Ten sends over the last nine hours: every hour is under its limit, the day is full.
    earlier = [Sent(NOON - dt.timedelta(hours=h), uuid4()) for h in (1.5, 2, 3, 4, 5, 6, 7, 8, 8.5, 9)]
    hold = rules.hold(sms("pumped"), False, earlier, NOON)
    assert isinstance(hold, Deferred) and hold.until == NOON - dt.timedelta(hours=9) + dt.timedelta(days=1)
    # Another number with a quiet day goes out, and a refused send did not count towards the hour.
    assert rules.hold(sms("quiet"), False, earlier[-3:], NOON) is None
    assert rules.throttles[0].admit("pumped", [], NOON) is None


def sms_to(phone: str, key: str) -> Notification:
    return Notification(uuid4(), "k", "appointment_reminder", uuid4(), "a", "12025", "nl", contact(phone),
                        key, ["sms"], 0, {}, "sending", NOON, NOON, 1, None, None)


def test_a_number_prefix_gets_at_most_its_daily_cap_however_many_numbers_a_script_invents() -> None:
    rules = SendingRules("21:00-08:00", citizen_max_per_hour=4, metrics=NotifyMetrics(CollectorRegistry()),
                         citizen_max_per_day=10, prefix_max_per_day=3)
    stored = [Sent(NOON - dt.timedelta(hours=h), uuid4()) for h in (1, 2)]  # two SMS to +3247012… today already
    third = sms_to("+32470120001", "a")
    assert rules.hold(third, False, [], NOON, stored) is None  # the third fits
    held = rules.hold(sms_to("+32470120002", "b"), False, [], NOON, stored)  # a fourth number, same prefix
    assert isinstance(held, Deferred) and held.until == NOON - dt.timedelta(hours=2) + dt.timedelta(days=1)
    assert rules.hold(sms_to("+32470990001", "c"), False, [], NOON, []) is None  # another prefix goes out
    # A refused send does not count: the citizen limits forgot it, and the prefix too once unsent.
    rules.unsent(third, NOON)
    assert rules.hold(sms_to("+32470120003", "d"), False, [], NOON, stored) is None
