"""Assistance points: validation against the reference data, and nearest-point search."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from services.booking.points.model import AssistancePoint
from services.booking.points.nearest import (
    UnknownPostcode,
    distance_km,
    nearest_to,
    nearest_to_postcode,
)
from services.booking.points.seed import DEFAULT_SEED, SeedError, load_points


@pytest.fixture(scope="module")
def points() -> list[AssistancePoint]:
    return load_points(DEFAULT_SEED)


def test_seed_covers_every_region_and_kind(points) -> None:  # type: ignore[no-untyped-def]
    assert {p.kind for p in points} == {"post_office", "municipal_counter", "digibank", "public_digital_space"}
    assert {p.municipality for p in points} >= {"12025", "21005", "63023", "53044"}
    assert any(set(p.languages) >= {"nl", "fr"} for p in points)  # bilingual Brussels
    assert any("de" in p.languages for p in points)  # German-speaking community


def point(**changes):  # type: ignore[no-untyped-def]
    base = load_points(DEFAULT_SEED)[0].model_dump(mode="json")
    return AssistancePoint.model_validate(base | changes)


@pytest.mark.parametrize(
    ("changes", "fragment"),
    [
        ({"municipality": "99999"}, "unknown municipality 99999"),
        ({"municipality": "21005"}, "postcode 2800 does not belong to municipality 21005"),
        ({"latitude": 4.48, "longitude": 51.02}, "outside Belgium"),
        ({"services": ["ebox_activation", "astrology"]}, "unknown service(s) astrology"),
        ({"opening_hours": {"mon": ["12:00-09:00"]}}, "must look like 09:00-12:30"),
        ({"services": ["device_lending"], "capacity": {"helpers": 1}}, "lendable_devices"),
    ],
)
def test_invalid_points_are_refused_with_the_reason(changes, fragment) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError, match=fragment.replace("(", r"\(").replace(")", r"\)")):
        point(**changes)


def test_a_broken_seed_file_lists_every_problem(tmp_path: Path) -> None:
    path = tmp_path / "points.yaml"
    good = DEFAULT_SEED.read_text()
    path.write_text(good.replace('municipality: "21005"', 'municipality: "99999"', 1).replace("latitude: 50.6280", "latitude: 6.03", 1))
    with pytest.raises(SeedError) as error:
        load_points(path)
    assert "2 problem(s)" in str(error.value)
    assert "unknown municipality 99999" in str(error.value) and "outside Belgium" in str(error.value)


def test_nearest_by_coordinates_filters_service_and_language(points) -> None:  # type: ignore[no-untyped-def]
    # Brussels Grand-Place, asking for eBox activation in German: only Eupen speaks it.
    found = nearest_to(points, 50.8467, 4.3525, service="ebox_activation", language="de")
    assert {f.point.point_id for f in found} == {"eupen-rathaus", "eupen-digibank"}
    assert found[0].distance_km <= found[1].distance_km
    assert 100 < found[0].distance_km < 130


def test_nearest_by_postcode_starts_from_the_municipality(points) -> None:  # type: ignore[no-untyped-def]
    assert nearest_to_postcode(points, "1040", service="ebox_activation")[0].point.municipality == "21005"
    # Brussels-City has no point of its own: Etterbeek's are the nearest.
    assert nearest_to_postcode(points, "1000", limit=2)[0].point.municipality == "21005"
    lending = nearest_to_postcode(points, "2000", service="device_lending")
    assert [f.point.point_id for f in lending] == ["mechelen-digibank-predikheren", "eupen-digibank"]
    with pytest.raises(UnknownPostcode):
        nearest_to_postcode(points, "0999")


def test_distance_is_a_great_circle() -> None:
    assert distance_km(50.8467, 4.3525, 51.2194, 4.4025) == pytest.approx(41.7, abs=0.5)  # Brussels–Antwerp
