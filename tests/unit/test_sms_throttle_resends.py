"""A message sent again because its round outlived its lease (or a crash left its outcome
unrecorded) counts once towards the citizen's limits: the provider de-duplicates it by its
idempotency key, so counting each resend would defer the citizen's message by a whole hour."""

from __future__ import annotations

import datetime as dt
from uuid import uuid4

from prometheus_client import CollectorRegistry

from services.notify.metrics import NotifyMetrics
from services.notify.sending_rules import Deferred, SendingRules
from services.notify.throttle import HOUR, Sent, WindowThrottle
from tests.unit.test_sms_cost_guards import NOON, sms

SECOND = dt.timedelta(seconds=1)


def rules() -> SendingRules:
    return SendingRules("21:00-08:00", citizen_max_per_hour=4, metrics=NotifyMetrics(CollectorRegistry()))


def test_a_message_claimed_again_and_again_counts_once() -> None:
    sending = rules()
    message = sms("slow")
    for retry in range(6):  # each round outlived its lease; the provider accepted every resend
        assert sending.hold(message, False, [], NOON + retry * 2 * SECOND) is None, retry


def test_other_messages_to_the_citizen_still_meet_the_limit() -> None:
    sending = rules()
    first = sms("busy")
    for retry in range(3):
        assert sending.hold(first, False, [], NOON + retry * SECOND) is None
    for n in range(3):  # three more messages: four in the hour in all
        assert sending.hold(sms("busy"), False, [], NOON + (4 + n) * SECOND) is None
    held = sending.hold(sms("busy"), False, [], NOON + 10 * SECOND)
    assert isinstance(held, Deferred) and held.until == NOON + HOUR


def test_a_resend_that_failed_leaves_the_first_send_counted() -> None:
    throttle = WindowThrottle(1, HOUR)
    message = uuid4()
    assert throttle.admit("c", [], NOON, message) is None
    assert throttle.admit("c", [], NOON + SECOND, message) is None  # the resend
    throttle.forget("c", NOON + SECOND, message)  # it failed: the first send still stands
    assert throttle.admit("c", [], NOON + 2 * SECOND, uuid4()) == NOON + HOUR
    throttle.forget("c", NOON, message)  # the first failed too: the citizen got nothing
    assert throttle.admit("c", [], NOON + 3 * SECOND, uuid4()) is None


def test_a_send_decided_before_one_another_round_recorded_meanwhile_still_counts() -> None:
    """Round A decides m1 and records its send at 12:00:00.257; round B claimed at .250 and
    decides m2, whose batch has not committed yet. B's m3 must wait for the hour: m2 is in
    nobody's table, though its decision is older than the newest stored send (the CI run that
    let a third SMS in the hour through)."""
    throttle = WindowThrottle(2, HOUR)
    m1, m2, m3 = uuid4(), uuid4(), uuid4()
    assert throttle.admit("c", [], NOON, m1) is None  # round A
    claimed = NOON + dt.timedelta(milliseconds=250)
    stored = [Sent(NOON + dt.timedelta(milliseconds=257), m1)]  # A recorded its send meanwhile
    assert throttle.admit("c", stored, claimed, m2) is None
    assert throttle.admit("c", stored, claimed, m3) == claimed + HOUR
    # A send in the table that this process also decided is one send, not two.
    other = WindowThrottle(2, HOUR)
    assert other.admit("d", [], NOON, m1) is None
    assert other.admit("d", [Sent(NOON + SECOND, m1)], NOON + 2 * SECOND, m2) is None
