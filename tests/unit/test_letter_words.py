"""Departments and document types in words: the letter desk and the council's dashboard share
them (loket/contracts/reference/letter_words.py), in NL, FR, DE and EN."""

from __future__ import annotations

from loket.contracts.reference.letter_words import (
    DEPARTMENTS,
    DOCUMENT_TYPES,
    department_words,
    document_type_words,
    spelled_out,
)
from services.reporting.labels import LANGUAGES
from services.reporting.value_labels import value_label


def test_every_known_department_and_document_type_has_words_in_four_languages() -> None:
    for vocabulary in (DEPARTMENTS, DOCUMENT_TYPES):
        for code, words in vocabulary.items():
            assert set(words) == set(LANGUAGES), code
            assert all(w and "_" not in w for w in words.values()), code


def test_a_department_in_the_reader_s_language() -> None:
    assert department_words("housing", "nl") == "Wonen"
    assert department_words("finance", "fr") == "Finances"
    # GAS are administrative sanctions, not a gas supplier (its slug, capitalised, read "Gas").
    assert department_words("gas", "en") == "Administrative sanctions"
    assert department_words("gas", "nl") == "GAS-boetes"


def test_a_kind_of_letter_in_the_reader_s_language() -> None:
    assert document_type_words("permit", "nl") == "Vergunning"
    assert document_type_words("tax_assessment", "fr") == "Avertissement-extrait de rôle"
    assert document_type_words("dog_licence", "en") == "Dog licence"  # a kind a town added later


def test_a_department_a_town_added_later_is_spelled_out() -> None:
    assert department_words("parking_permits", "de") == "Parking permits"
    assert spelled_out("permanent-failure") == "Permanent failure"


def test_the_dashboard_and_the_desk_use_the_same_words() -> None:
    for slug in (*DEPARTMENTS, "social_services"):
        for lang in LANGUAGES:
            assert value_label("department", slug, lang) == department_words(slug, lang)
    for slug in (*DOCUMENT_TYPES, "dog_licence"):
        for lang in LANGUAGES:
            assert value_label("document_type", slug, lang) == document_type_words(slug, lang)
