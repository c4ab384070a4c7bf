"""Free slots (pure): opening hours ∩ shifts − bookings − buffers, in local time on the DST
change days, closed on public holidays, with minimum notice and the booking window."""

from __future__ import annotations

import datetime as dt

from services.booking.availability.slots import BookingRules, Busy, blocked_range, free_slots
from services.booking.calendar.holidays import public_holidays
from services.booking.calendar.local_time import BRUSSELS
from services.booking.catalogue import CATALOGUE
from services.booking.points.model import AssistancePoint
from services.booking.staff.model import Helper, Shift

UTC = dt.UTC
EBOX = CATALOGUE["ebox_activation"]  # 30 min + 10 min buffer after
LONG_AGO = dt.datetime(2020, 1, 1, tzinfo=UTC)
RULES = BookingRules(min_notice=dt.timedelta(0), window=dt.timedelta(days=3650))


def point(**hours: list[str]) -> AssistancePoint:
    return AssistancePoint.model_validate({
        "point_id": "test-point", "kind": "municipal_counter", "municipality": "12025",
        "name": {"nl": "Test"}, "address": {"street": "Grote Markt", "number": "21", "postcode": "2800",
                                            "municipality": "Mechelen"},
        "latitude": 51.03, "longitude": 4.48, "languages": ["nl", "fr"], "services": ["ebox_activation"],
        "capacity": {"helpers": 1}, "opening_hours": hours,
        "exceptions": {"2026-12-24": ["09:00-10:00"], "2026-12-31": []}})


HELPER = Helper(helper_id="h1", name="An", kind="staff", languages=["nl"], services=["ebox_activation"])


def shift(weekday: str, starts: str, ends: str) -> Shift:
    return Shift(shift_id=f"s-{weekday}", helper_id="h1", point_id="test-point", weekday=weekday,
                 starts=dt.time.fromisoformat(starts), ends=dt.time.fromisoformat(ends))


def slots_on(day: dt.date, p: AssistancePoint, shifts: list[Shift], busy=(), now=LONG_AGO, rules=RULES):  # type: ignore[no-untyped-def]
    return free_slots(p, EBOX, "nl", [HELPER], shifts, list(busy), [day], now, rules)


def local(s) -> str:  # type: ignore[no-untyped-def]
    return s.starts_at.astimezone(BRUSSELS).strftime("%H:%M")


def test_spring_forward_day_starts_at_nine_local_and_loses_the_missing_hour() -> None:
    day = dt.date(2026, 3, 29)  # last Sunday of March: 02:00 → 03:00
    morning = slots_on(day, point(sun=["09:00-10:00"]), [shift("sun", "09:00", "10:00")])
    assert [local(s) for s in morning] == ["09:00", "09:15", "09:30"]
    assert morning[0].starts_at == dt.datetime(2026, 3, 29, 7, 0, tzinfo=UTC)  # CEST, UTC+2
    night = slots_on(day, point(sun=["01:00-04:00"]), [shift("sun", "01:00", "04:00")])
    # 01:00–04:00 on the wall clock is only two real hours that night.
    assert [local(s) for s in night] == ["01:00", "01:15", "01:30", "01:45", "03:00", "03:15", "03:30"]
    assert all(s.ends_at - s.starts_at == dt.timedelta(minutes=30) for s in night)


def test_fall_back_day_starts_at_nine_local_and_gains_an_hour() -> None:
    day = dt.date(2026, 10, 25)  # last Sunday of October: 03:00 → 02:00
    morning = slots_on(day, point(sun=["09:00-10:00"]), [shift("sun", "09:00", "10:00")])
    assert morning[0].starts_at == dt.datetime(2026, 10, 25, 8, 0, tzinfo=UTC)  # CET, UTC+1
    night = slots_on(day, point(sun=["01:00-04:00"]), [shift("sun", "01:00", "04:00")])
    # Four real hours: (240 − 30) / 15 + 1 starts, 02:xx appearing twice (summer, then winter time).
    assert len(night) == 15
    assert [local(s) for s in night].count("02:00") == 2
    # The day before, the same span gives the usual (180 − 30) / 15 + 1.
    assert len(slots_on(dt.date(2026, 10, 18), point(sun=["01:00-04:00"]), [shift("sun", "01:00", "04:00")])) == 11


def test_public_holidays_and_exceptions_close_or_shorten_the_day() -> None:
    p, shifts = point(mon=["09:00-12:00"], thu=["09:00-12:00"]), [shift("mon", "09:00", "12:00"),
                                                                    shift("thu", "09:00", "12:00")]
    assert dt.date(2026, 4, 6) in public_holidays(2026)  # Easter Monday
    assert slots_on(dt.date(2026, 4, 6), p, shifts) == []
    assert len(slots_on(dt.date(2026, 4, 13), p, shifts)) == 11
    assert [local(s) for s in slots_on(dt.date(2026, 12, 24), p, shifts)] == ["09:00", "09:15", "09:30"]
    assert slots_on(dt.date(2026, 12, 31), p, shifts) == []


def test_bookings_block_their_buffers_and_notice_and_window_limit_the_range() -> None:
    day = dt.date(2026, 4, 13)
    p, shifts = point(mon=["09:00-12:00"]), [shift("mon", "09:00", "12:00")]
    start = dt.datetime(2026, 4, 13, 8, 0, tzinfo=UTC)  # 10:00 local
    taken = Busy("h1", *blocked_range(EBOX, start))  # 10:00–10:40 with the buffer
    free = [local(s) for s in slots_on(day, p, shifts, busy=[taken])]
    # A 30-minute slot with its 10-minute buffer must not overlap 10:00–10:40.
    assert "09:15" in free and "09:30" not in free and "10:30" not in free and "10:45" in free
    now = dt.datetime(2026, 4, 13, 7, 0, tzinfo=UTC)  # 09:00 local
    notice = BookingRules(min_notice=dt.timedelta(hours=2), window=dt.timedelta(days=60))
    assert local(slots_on(day, p, shifts, now=now, rules=notice)[0]) == "11:00"
    far = BookingRules(min_notice=dt.timedelta(0), window=dt.timedelta(days=1))
    assert slots_on(day, p, shifts, now=now - dt.timedelta(days=3), rules=far) == []


def test_only_helpers_with_the_service_and_language_count() -> None:
    day = dt.date(2026, 4, 13)
    p, shifts = point(mon=["09:00-12:00"]), [shift("mon", "09:00", "12:00")]
    assert free_slots(p, EBOX, "fr", [HELPER], shifts, [], [day], LONG_AGO, RULES) == []
    assert free_slots(p, CATALOGUE["tax_on_web"], "nl", [HELPER], shifts, [], [day], LONG_AGO, RULES) == []


def test_checking_one_start_time_agrees_with_listing_the_day() -> None:
    from services.booking.availability.slots import helpers_offering

    p = point(sun=["01:00-04:00", "09:00-12:00"], mon=["09:00-12:00"])
    shifts = [shift("sun", "00:00", "23:00"), shift("mon", "09:00", "12:00")]
    for day in (dt.date(2026, 3, 29), dt.date(2026, 10, 25), dt.date(2026, 4, 13), dt.date(2026, 4, 6)):
        listed = {s.starts_at for s in slots_on(day, p, shifts)}
        start = dt.datetime.combine(day, dt.time(), tzinfo=BRUSSELS).astimezone(UTC) - dt.timedelta(hours=2)
        assert listed or day == dt.date(2026, 4, 6)  # Easter Monday: closed
        for k in range(12 * 30):  # every 5 minutes for 30 hours: on and off the 15-minute grid
            t = start + k * dt.timedelta(minutes=5)
            offered = helpers_offering(p, EBOX, "nl", [HELPER], shifts, t, LONG_AGO, RULES)
            assert (offered == ["h1"]) == (t in listed), (day, t)


def test_helper_minutes_count_only_shift_time_inside_opening_hours() -> None:
    from services.booking.utilisation import helper_minutes

    p = point(mon=["09:00-12:00", "13:00-16:00"], sun=["01:00-04:00"])
    shifts = [shift("mon", "08:00", "14:00"), shift("sun", "00:00", "23:00")]
    assert helper_minutes(p, shifts, dt.date(2026, 4, 13)) == 180 + 60
    assert helper_minutes(p, shifts, dt.date(2026, 4, 6)) == 0  # Easter Monday
    assert helper_minutes(p, shifts, dt.date(2026, 3, 29)) == 120  # the night the clocks jump
