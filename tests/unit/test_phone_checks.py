"""The SMS code a municipality may ask for before a public booking: how a typed code is judged
(booking), and how notify sends it: by SMS only, now or never."""

from __future__ import annotations

import dataclasses
import datetime as dt
import secrets
import uuid

from prometheus_client import CollectorRegistry

from loket.contracts.appointments import PhoneCodeRequested
from loket.contracts.values import ContactDetails
from loket.infra.contact_keys import ContactKeys
from services.booking.phone_checks.codes import (
    CONFIRMED_GOOD_FOR,
    MAX_WRONG_TRIES,
    Refusal,
    StoredCheck,
    code_digest,
    judge,
    new_code,
    phone_digest,
    typed_code_key,
)
from services.notify.metrics import NotifyMetrics
from services.notify.planning import plan
from services.notify.repository import Notification
from services.notify.sending_rules import Deferred, SendingRules, TooLate
from services.notify.throttle import Sent

NOW = dt.datetime(2026, 12, 2, 22, 30, tzinfo=dt.UTC)  # 23:30 in Brussels: within quiet hours
PHONE = "+32470123456"
KEYS = ContactKeys(secrets.token_urlsafe(32))


def key_of(phone: str) -> str:
    """What booking stores for a number, and what `judge` compares: its keyed digest."""
    return KEYS.keyed_from_digest(phone_digest(phone))


def typed(stored: StoredCheck, code: str) -> str:
    """A typed code in the form `judge` compares, as booking computes it."""
    return typed_code_key(stored, code, KEYS.keyed_from_digest)


def check(code: str = "042917", **changes: object) -> StoredCheck:
    check_id = uuid.uuid4()
    fields = {"check_id": check_id, "phone_digest": key_of(PHONE),
              "code_digest": KEYS.keyed_from_digest(code_digest(check_id, code)),
              "wrong_tries": 0, "expires_at": NOW + dt.timedelta(minutes=10), "confirmed_at": None, "used_at": None}
    return StoredCheck(**{**fields, **changes})  # type: ignore[arg-type]


def test_codes_are_six_digits_and_not_all_alike() -> None:
    codes = {new_code() for _ in range(200)}
    assert all(len(c) == 6 and c.isdigit() for c in codes) and len(codes) > 150


def test_the_right_code_for_the_right_number_confirms_it() -> None:
    stored = check()
    assert judge(stored, typed(stored, "042917"), key_of(PHONE), NOW) is None


def test_a_stored_code_is_keyed_so_a_copy_of_the_table_does_not_give_it_away() -> None:
    stored = check()
    # Whoever copies the table can hash all million codes with the check id: the right one must not
    # give the stored value.
    assert code_digest(stored.check_id, "042917") != stored.code_digest
    assert judge(stored, typed(stored, "042917"), key_of(PHONE), NOW) is None


def test_a_check_made_before_codes_were_keyed_still_confirms_with_its_code() -> None:
    legacy = check()
    legacy = dataclasses.replace(legacy, code_digest=code_digest(legacy.check_id, "042917"))
    assert judge(legacy, typed(legacy, "042917"), key_of(PHONE), NOW) is None
    assert judge(legacy, typed(legacy, "042918"), key_of(PHONE), NOW) is Refusal.WRONG


def test_each_way_a_code_can_fail_says_why() -> None:
    stored = check()
    right = typed(stored, "042917")
    assert judge(stored, typed(stored, "042918"), key_of(PHONE), NOW) is Refusal.WRONG
    assert judge(stored, right, key_of("+32470999999"), NOW) is Refusal.OTHER_NUMBER
    assert judge(stored, right, key_of(PHONE), NOW + dt.timedelta(minutes=10)) is Refusal.EXPIRED
    too_many = check(wrong_tries=MAX_WRONG_TRIES)
    assert judge(too_many, typed(too_many, "042917"), key_of(PHONE), NOW) is Refusal.TOO_MANY_TRIES
    used = check(used_at=NOW)
    assert judge(used, typed(used, "042917"), key_of(PHONE), NOW) is Refusal.USED


def test_a_confirmed_number_stays_confirmed_for_a_second_choice_of_time_then_not() -> None:
    stored = check(confirmed_at=NOW, expires_at=NOW)  # the code itself has expired since
    anything = typed(stored, "whatever was typed")
    assert judge(stored, anything, key_of(PHONE), NOW + CONFIRMED_GOOD_FOR - dt.timedelta(seconds=1)) is None
    assert judge(stored, anything, key_of(PHONE), NOW + CONFIRMED_GOOD_FOR) is Refusal.EXPIRED


def requested(expires_at: dt.datetime = NOW + dt.timedelta(minutes=10), municipality: str = "21005") -> PhoneCodeRequested:
    return PhoneCodeRequested(producer="test", payload={
        "check_id": uuid.uuid4(), "point_id": "mechelen-stadhuis", "municipality": municipality,
        "point_name": "Stadhuis Mechelen", "phone": PHONE, "language": "fr", "code": "042917",
        "expires_at": expires_at})


def test_notify_plans_the_code_now_by_sms_only_in_the_citizens_language_within_the_law() -> None:
    (message,) = plan(requested(), NOW, [24.0], "https://loket.example/public/book").messages
    assert (message.kind, message.channels, message.language, message.due_at) == ("phone_code", ("sms",), "fr", NOW)
    assert message.context["code"] == "042917" and message.context["place"] == "Stadhuis Mechelen"
    # The language law still holds: Mechelen writes in Dutch, whatever the page's language was.
    assert plan(requested(municipality="12025"), NOW, [], "").messages[0].language == "nl"


def as_notification(event: PhoneCodeRequested) -> Notification:
    m = plan(event, NOW, [], "").messages[0]
    return Notification(uuid.uuid4(), m.dedupe_key, m.kind, event.event_id, m.aggregate_id, m.municipality,
                        m.language, ContactDetails(phone=PHONE, language="fr", preferred_channels=("sms",)), PHONE,
                        list(m.channels), 0, m.context, "sending", NOW, NOW, 1, None, None)


def rules(per_hour: int = 4) -> SendingRules:
    return SendingRules("21:00-08:00", citizen_max_per_hour=per_hour, metrics=NotifyMetrics(CollectorRegistry()))


def test_a_code_goes_out_in_quiet_hours_where_a_reminder_waits() -> None:
    code = as_notification(requested())
    reminder = dataclasses.replace(code, kind="appointment_reminder")
    assert rules().hold(code, False, [], NOW) is None
    assert isinstance(rules().hold(reminder, False, [], NOW), Deferred)


def test_a_code_that_cannot_go_now_is_dropped_not_deferred() -> None:
    over_the_limit = rules(per_hour=1).hold(as_notification(requested()), False,
                                                [Sent(NOW - dt.timedelta(minutes=5), uuid.uuid4())], NOW)
    assert isinstance(over_the_limit, TooLate) and "per hour" in over_the_limit.reason
    expired = rules().hold(as_notification(requested(expires_at=NOW - dt.timedelta(seconds=1))), False, [], NOW)
    assert isinstance(expired, TooLate) and "expired" in expired.reason
