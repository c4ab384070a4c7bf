"""The finder's list: the seeded points nearest to a postcode or a place, nearest first, with
whether each is open at the moment asked (Brussels wall-clock time, exceptions and public
holidays), what it offers and where its booking link starts."""

from __future__ import annotations

import datetime as dt

import pytest

from services.booking.calendar.local_time import BRUSSELS
from services.booking.finder.listing import Origin, list_points
from services.booking.finder.opening_state import opening_state
from services.booking.points.model import AssistancePoint
from services.booking.points.nearest import UnknownPostcode
from services.booking.seeding import read_seed

# A Tuesday in May 2026 at 10:00 in Brussels (08:00 UTC): ordinary office hours.
TUESDAY_10H = dt.datetime(2026, 5, 5, 10, 0, tzinfo=BRUSSELS)


@pytest.fixture(scope="module")
def points() -> list[AssistancePoint]:
    return read_seed().points


def ids(points: list[AssistancePoint], postcode: str, n: int, **kwargs: object) -> list[str]:
    listed = list_points(points, Origin(postcode=postcode), TUESDAY_10H, "nl", **kwargs)  # type: ignore[arg-type]
    return [item.point.point_id for item in listed][:n]


@pytest.mark.parametrize(("postcode", "municipality", "nearest"), [
    ("2800", "12025", {"mechelen-stadhuis", "mechelen-digibank-predikheren", "mechelen-bpost-centrum"}),
    ("4700", "63023", {"eupen-rathaus", "eupen-digibank"}),
    ("1040", "21005", {"etterbeek-hotel-communal", "etterbeek-epn", "etterbeek-population"}),
    ("7050", "53044", {"jurbise-bpost", "jurbise-administration"}),
    ("2260", "13049", {"westerlo-digibank", "herselt-digibank", "hulshout-digibank"}),
    ("6730", "85039", {"tintigny-administration"}),
])
def test_a_postcodes_own_points_come_first(points, postcode, municipality, nearest) -> None:  # type: ignore[no-untyped-def]
    listed = list_points(points, Origin(postcode=postcode), TUESDAY_10H, "nl")
    first = [item.point for item in listed[:len(nearest)]]
    assert {p.point_id for p in first} == nearest
    assert all(p.municipality == municipality or postcode == "2260" for p in first)
    distances = [item.distance_km or 0.0 for item in listed]
    assert distances == sorted(distances)  # nearest first, all the way down
    assert len(listed) > len(nearest)  # and then the next nearest elsewhere
    # Distances as a Dutch reader writes them: "12,4" km, one decimal.
    far = listed[-1]
    assert far.distance_km is not None and far.distance_words == f"{far.distance_km:.1f}".replace(".", ",")
    assert "," in far.distance_words


def test_coordinates_and_a_service_filter(points) -> None:  # type: ignore[no-untyped-def]
    # Standing on Eupen's Rathausplatz: the town hall is nearer than the library.
    here = list_points(points, Origin(latitude=50.6280, longitude=6.0340), TUESDAY_10H, "de")
    assert [i.point.point_id for i in here[:2]] == ["eupen-rathaus", "eupen-digibank"]
    assert (here[0].distance_km or 0.0) < 0.05 and here[0].distance_words == "0,0"
    english = list_points(points, Origin(postcode="2800"), TUESDAY_10H, "en")
    assert all(i.distance_words == f"{i.distance_km:.1f}" for i in english)
    lending = list_points(points, Origin(postcode="2800"), TUESDAY_10H, "nl", service="device_lending")
    assert lending and all("device_lending" in i.point.services for i in lending)
    assert list_points(points, Origin(), TUESDAY_10H, "nl") == []
    with pytest.raises(UnknownPostcode):
        list_points(points, Origin(postcode="0999"), TUESDAY_10H, "nl")


def test_services_split_into_bookable_and_walk_in_and_the_booking_link_starts_sensibly(points) -> None:  # type: ignore[no-untyped-def]
    by_id = {i.point.point_id: i for i in list_points(points, Origin(postcode="2800"), TUESDAY_10H, "fr")}
    digibank = by_id["mechelen-digibank-predikheren"]
    assert "device_lending" in digibank.other_services and "printing" in digibank.other_services
    assert "device_lending" not in digibank.bookable and "ebox_activation" in digibank.bookable
    assert digibank.booking_service == "ebox_activation" and digibank.booking_language == "fr"
    # The town hall speaks no French: the booking link offers help in its own first language.
    assert by_id["mechelen-stadhuis"].booking_language == "nl"
    taxes = list_points(points, Origin(postcode="2800"), TUESDAY_10H, "nl", service="tax_on_web")
    assert taxes[0].booking_service == "tax_on_web"
    assert by_id["mechelen-stadhuis"].accessible == ["step_free", "accessible_toilet", "hearing_loop"]
    assert by_id["mechelen-bpost-centrum"].accessible == []  # not known: the page says to ask


def point_of(points: list[AssistancePoint], point_id: str) -> AssistancePoint:
    return next(p for p in points if p.point_id == point_id)


def test_open_now_follows_the_weekly_hours_in_brussels_time(points) -> None:  # type: ignore[no-untyped-def]
    town_hall = point_of(points, "mechelen-stadhuis")  # Tue 09:00-12:30, 13:30-16:00
    state = opening_state(town_hall, TUESDAY_10H.astimezone(dt.UTC))
    assert state.open_now and state.closes_at == dt.time(12, 30)
    lunch = opening_state(town_hall, dt.datetime(2026, 5, 5, 12, 45, tzinfo=BRUSSELS))
    assert not lunch.open_now and lunch.next_opening == dt.datetime(2026, 5, 5, 13, 30)
    # 07:30 UTC is 09:30 in Brussels in summer: open, although 07:30 is before opening time.
    assert opening_state(town_hall, dt.datetime(2026, 5, 5, 7, 30, tzinfo=dt.UTC)).open_now
    # 08:30 UTC on a winter Tuesday is 09:30 in Brussels; 07:30 UTC is 08:30 there: still closed.
    assert opening_state(town_hall, dt.datetime(2026, 12, 1, 8, 30, tzinfo=dt.UTC)).open_now
    assert not opening_state(town_hall, dt.datetime(2026, 12, 1, 7, 30, tzinfo=dt.UTC)).open_now
    saturday = opening_state(town_hall, dt.datetime(2026, 5, 9, 10, 0, tzinfo=BRUSSELS))
    assert not saturday.open_now and saturday.today == []
    assert saturday.next_opening == dt.datetime(2026, 5, 11, 9, 0)  # Monday morning


def test_exceptions_and_public_holidays_close_a_point(points) -> None:  # type: ignore[no-untyped-def]
    town_hall = point_of(points, "mechelen-stadhuis")
    # 31 December 2026 (a Thursday) is closed by the seed's exception; 24 December closes at noon.
    assert not opening_state(town_hall, dt.datetime(2026, 12, 31, 10, 0, tzinfo=BRUSSELS)).open_now
    eve = opening_state(town_hall, dt.datetime(2026, 12, 24, 11, 0, tzinfo=BRUSSELS))
    assert eve.open_now and eve.closes_at == dt.time(12, 0)
    # Ascension Day 2026 (Thursday 14 May) is a public holiday: closed, opens again on Friday.
    ascension = opening_state(town_hall, dt.datetime(2026, 5, 14, 10, 0, tzinfo=BRUSSELS))
    assert not ascension.open_now and ascension.next_opening == dt.datetime(2026, 5, 15, 9, 0)


@pytest.mark.parametrize("day", [dt.date(2026, 3, 29), dt.date(2026, 10, 25)])
def test_open_now_on_both_dst_change_days(points, day: dt.date) -> None:  # type: ignore[no-untyped-def]
    # A point open on Sunday mornings: on both change days 10:00 in Brussels is open and 08:00
    # is not, although the UTC offset of those wall-clock times differs from the day before.
    sunday = point_of(points, "mechelen-digibank-predikheren").model_copy(
        update={"opening_hours": {"sun": ["09:00-12:00"]}, "closed_on_public_holidays": False})
    ten = dt.datetime.combine(day, dt.time(10, 0), tzinfo=BRUSSELS).astimezone(dt.UTC)
    eight = dt.datetime.combine(day, dt.time(8, 0), tzinfo=BRUSSELS).astimezone(dt.UTC)
    assert opening_state(sunday, ten).open_now
    assert not opening_state(sunday, eight).open_now
    assert opening_state(sunday, ten - dt.timedelta(hours=1, minutes=30)).open_now is False
