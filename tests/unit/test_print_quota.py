"""The free print quota of a visit: the first pages up to the point's quota are free, the rest are
over it; a point's document may set its own quota, 10 pages when it does not."""

from __future__ import annotations

import pytest

from services.booking.catalogue import CATALOGUE
from services.booking.points.settings_form import SettingsFormError, changed_point
from services.booking.printing.quota import PrintCount, split
from services.booking.seeding import read_seed

DIGIBANK = next(p for p in read_seed().points if p.point_id == "mechelen-digibank-predikheren")


@pytest.mark.parametrize(("pages", "quota", "free", "over"), [
    (0, 10, 0, 0), (3, 10, 3, 0), (10, 10, 10, 0), (11, 10, 10, 1), (25, 10, 10, 15), (4, 0, 0, 4),
])
def test_pages_up_to_the_quota_are_free_and_the_rest_over_it(pages: int, quota: int, free: int, over: int) -> None:
    assert split(pages, quota) == PrintCount(pages, free, over, quota)


def test_negative_counts_are_refused() -> None:
    with pytest.raises(ValueError, match="never negative"):
        split(-1, 10)
    with pytest.raises(ValueError, match="never negative"):
        split(1, -10)


def test_a_point_has_ten_free_pages_per_visit_unless_its_document_says_otherwise() -> None:
    assert DIGIBANK.free_print_pages == 10
    generous = DIGIBANK.model_validate({**DIGIBANK.model_dump(), "free_print_pages": 30})
    assert split(31, generous.free_print_pages).over_quota == 1
    with pytest.raises(ValueError):
        DIGIBANK.model_validate({**DIGIBANK.model_dump(), "free_print_pages": -1})


def test_the_point_manager_sets_the_quota_on_the_settings_form() -> None:
    form = {**_form_of_point(DIGIBANK), "free_print_pages": "30"}
    assert changed_point(DIGIBANK, form, list(CATALOGUE)).free_print_pages == 30
    assert changed_point(DIGIBANK, {**form, "free_print_pages": ""}, list(CATALOGUE)).free_print_pages == 10  # kept
    for typed in ("x", "-1", "2.5"):
        with pytest.raises(SettingsFormError):
            changed_point(DIGIBANK, {**form, "free_print_pages": typed}, list(CATALOGUE))
    with pytest.raises(ValueError):  # the model's ceiling
        changed_point(DIGIBANK, {**form, "free_print_pages": "5000"}, list(CATALOGUE))


def _form_of_point(point):  # type: ignore[no-untyped-def]
    from services.booking.staff.directory import Staffed
    from services.booking.workspace.point_settings_routes import _form_of

    return _form_of(Staffed(point, [], []))  # the form as the settings page fills it in
