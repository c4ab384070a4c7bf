"""The point-settings form read into a point: hours per weekday, exceptions and closures, services,
languages, capacity, accessibility, the Connectoo label; what cannot be read names its field, and
the point's own model refuses what the seed file could not hold either."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError

from services.booking.catalogue import CATALOGUE
from services.booking.points.settings_form import SettingsFormError, changed_point, exceptions_text
from services.booking.rota.texts import rota_texts
from services.booking.seeding import read_seed
from services.booking.workspace.point_settings_routes import _field_label, _reasons
from services.booking.workspace.texts import texts_for

DIGIBANK = next(p for p in read_seed().points if p.point_id == "mechelen-digibank-predikheren")
SERVICES = list(CATALOGUE)


def form(**fields: str) -> dict[str, str]:
    base = {"hours_tue": "13:00-17:00", "hours_sat": "10:00-13:00", "language:nl": "on", "service:printing": "on",
            "service:device_lending": "on", "capacity_helpers": "3", "capacity_access_points": "10",
            "capacity_laptops": "5", "capacity_lendable_devices": "25", "closed_on_public_holidays": "on"}
    return {**base, **fields}


def test_the_form_sets_every_part_of_the_point() -> None:
    changed = changed_point(DIGIBANK, form(**{
        "hours_mon": " 09:00-12:30 ; 13:30–16:00 ", "exceptions": "2026-12-24 09:00-12:00\n\n2026-12-31 gesloten",
        "language:fr": "on", "capacity_laptops": "8", "access_step_free": "on", "connectoo_label": "on",
        "phone": "+32 15 29 76 00"}), SERVICES)
    assert changed.opening_hours == {"mon": ["09:00-12:30", "13:30-16:00"], "tue": ["13:00-17:00"],
                                     "sat": ["10:00-13:00"]}
    assert changed.exceptions == {dt.date(2026, 12, 24): ["09:00-12:00"], dt.date(2026, 12, 31): []}
    assert changed.languages == ["nl", "fr"] and changed.services == ["device_lending", "printing"]
    assert changed.capacity.laptops == 8 and changed.accessibility and changed.accessibility.step_free
    assert changed.connectoo_label and changed.phone == "+32 15 29 76 00" and changed.closed_on_public_holidays
    assert changed.name == DIGIBANK.name and changed.address == DIGIBANK.address  # not on the form: kept
    assert exceptions_text(changed) == "2026-12-24 09:00-12:00\n2026-12-31 closed"


def test_what_cannot_be_read_names_its_field() -> None:
    with pytest.raises(SettingsFormError) as bad_line:
        changed_point(DIGIBANK, form(exceptions="2026-12-24 09:00-12:00\nnext Tuesday closed"), SERVICES)
    assert bad_line.value.field == "exceptions" and bad_line.value.line == 2
    with pytest.raises(SettingsFormError) as bad_date:
        changed_point(DIGIBANK, form(exceptions="2026-02-30 closed"), SERVICES)
    assert bad_date.value.line == 1
    with pytest.raises(SettingsFormError) as bad_number:
        changed_point(DIGIBANK, form(capacity_laptops="five"), SERVICES)
    assert bad_number.value.field == "capacity_laptops"


def test_the_points_model_refuses_what_a_seed_file_could_not_hold() -> None:
    with pytest.raises(ValidationError, match="end after it starts"):
        changed_point(DIGIBANK, form(hours_tue="17:00-13:00"), SERVICES)
    with pytest.raises(ValidationError, match="languages"):
        changed_point(DIGIBANK, form(**{"language:nl": ""}), SERVICES)
    with pytest.raises(ValidationError, match="lendable_devices"):  # lends devices, but none to lend
        changed_point(DIGIBANK, form(capacity_lendable_devices="0"), SERVICES)


@pytest.mark.parametrize(("lang", "expected"), [
    ("nl", "een hulppunt dat toestellen uitleent, heeft uitleenbare toestellen nodig"),
    ("fr", "un point d'aide qui prête des appareils doit en avoir à prêter"),
    ("de", "eine Hilfestelle, die Geräte verleiht, braucht verleihbare Geräte"),
    ("en", "a point that lends devices needs lendable devices"),
])
def test_the_models_refusals_read_in_the_pages_language(lang: str, expected: str) -> None:
    r = rota_texts(lang)
    with pytest.raises(ValidationError) as refused:
        changed_point(DIGIBANK, form(capacity_lendable_devices="0"), SERVICES)
    assert _reasons(refused.value, r) == expected
    with pytest.raises(ValidationError) as no_language:  # and a refusal without a code, known by its field
        changed_point(DIGIBANK, {k: v for k, v in form().items() if not k.startswith("language:")}, SERVICES)
    assert _reasons(no_language.value, r) == r["refused_no_language"]
    # A field that cannot be read is named by its label, never its form name.
    assert _field_label("capacity_lendable_devices", texts_for(lang), r) == r["cap_lendable"]
    assert "capacity_" not in _field_label("capacity_laptops", texts_for(lang), r)
