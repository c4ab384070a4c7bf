"""The citizen pages say every refusal in the page's language: each title a citizen's booking,
change, cancellation or claim can meet has a sentence in NL, FR, DE and EN, and a form field
that does not validate is named in the page's language, not in pydantic's English."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import ValidationError

from services.booking.appointments.contact import ContactIn
from services.booking.errors import Conflict, Invalid
from services.booking.page.refusal_texts import BY_FIELD, BY_TITLE, form_text, refusal_text
from services.booking.page.texts import APPOINTMENT_STATUS, LANGUAGES

BOOKING = Path(__file__).resolve().parents[2] / "services" / "booking"
# The use cases behind the citizen pages (book, slots, change, cancel, claim a freed slot, book a seat).
CITIZEN_PATHS = ["appointments/service.py", "appointments/rules.py", "appointments/sms_reach.py",
                 "waitlist/service.py", "seats/service.py"]
# Raised there, but only on staff or API paths a citizen's page never takes.
NOT_ON_CITIZEN_PAGES = {"Cannot check in", "Dates reversed",
                        "Not possible now", "Unknown seat booking"}  # a seat's check-in, check-out, cancel
RAISED = re.compile(r"(?:NotFound|Conflict|NotAllowed|Gone|NotOffered|Invalid)\(\s*\"([^\"]+)\"")


def test_every_refusal_a_citizen_page_can_meet_has_a_sentence_in_every_language() -> None:
    titles = {t for path in CITIZEN_PATHS for t in RAISED.findall((BOOKING / path).read_text())}
    assert "Slot taken" in titles and "Phone number out of reach" in titles  # the scan finds them
    assert titles - NOT_ON_CITIZEN_PAGES - set(BY_TITLE) == set()


@pytest.mark.parametrize("texts", [*BY_TITLE.values(), *BY_FIELD.values()])
def test_each_sentence_exists_in_each_language_and_is_translated(texts: dict[str, str]) -> None:
    assert set(texts) == set(LANGUAGES) and all(texts.values())
    assert len(set(texts.values())) == len(LANGUAGES)  # not one language copied into another


def test_a_refusal_is_said_in_the_pages_language_and_an_unknown_one_in_the_apis_words() -> None:
    taken = Conflict("Slot taken", "12:00 at mechelen-stadhuis was just booked by someone else; choose another time")
    assert refusal_text(taken, "fr") == BY_TITLE["Slot taken"]["fr"] and "heure" in refusal_text(taken, "fr")
    assert refusal_text(Invalid("Something new", "the API's sentence"), "de") == "the API's sentence"


def test_a_bad_phone_number_or_no_contact_is_named_in_the_pages_language() -> None:
    with pytest.raises(ValidationError) as bad_phone:
        ContactIn(phone="12", language="nl")
    assert form_text(bad_phone.value, "nl") == BY_FIELD["phone"]["nl"]
    with pytest.raises(ValidationError) as nothing:
        ContactIn(language="de")
    assert form_text(nothing.value, "de") == BY_FIELD["contact"]["de"]
    assert form_text(ValueError("Invalid isoformat string: ''"), "fr") == BY_FIELD["starts_at"]["fr"]


def test_every_stored_appointment_status_has_a_word_for_the_citizen() -> None:
    migrations = (BOOKING / "migrations" / "0005_waitlist.sql").read_text()
    stored = set(re.findall(r"'(\w+)'", migrations.split("appointments_status_check")[2].split(";")[0]))
    assert "booked" in stored and stored == set(APPOINTMENT_STATUS)
    assert all(set(words) == set(LANGUAGES) for words in APPOINTMENT_STATUS.values())
