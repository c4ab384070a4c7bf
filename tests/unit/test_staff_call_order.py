"""The counter screen lists the queue in the order "call next" takes people: checked-in
appointments whose time has come, then walk-ins by arrival, then early appointments."""

from __future__ import annotations

import datetime as dt
import uuid

from services.booking.workspace.queue_view import Waiting, call_order

NOW = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)


def _ticket(number: int, minutes_ago: int) -> Waiting:
    return Waiting("ticket", uuid.uuid4(), number, None, "nl", None, NOW - dt.timedelta(minutes=minutes_ago))


def _appointment(starts_in: int) -> Waiting:
    starts = NOW + dt.timedelta(minutes=starts_in)
    return Waiting("appointment", uuid.uuid4(), None, starts, "fr", "ebox_activation", min(NOW, starts))


def test_due_appointments_first_then_walk_ins_by_arrival_then_early_appointments() -> None:
    early, due_later, due_first = _appointment(15), _appointment(-2), _appointment(-10)
    first_in, second_in = _ticket(1, 40), _ticket(2, 5)
    ordered = call_order([second_in, first_in], [early, due_later, due_first], NOW)
    assert ordered == [due_first, due_later, first_in, second_in, early]


def test_walk_ins_who_came_at_the_same_moment_go_by_number() -> None:
    a, b = _ticket(7, 3), _ticket(6, 3)
    assert call_order([a, b], [], NOW) == [b, a]


def test_an_appointment_at_this_very_minute_is_due() -> None:
    now_appointment = _appointment(0)
    assert call_order([_ticket(1, 30)], [now_appointment], NOW)[0] == now_appointment
