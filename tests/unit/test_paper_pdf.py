"""The print-ready PDF: the address block lies in the envelope window (checked from the PDF's
own text positions), the sender block does not, and the page count is right."""

from __future__ import annotations

import io
import uuid

import pytest
from pypdf import PdfReader

from services.contracts.values import PostalAddress
from services.ebox_bridge.paper import UnreadablePdf, compose_print_pdf, count_pages
from services.ebox_bridge.paper.layout import A4_HEIGHT_MM, SENDER, WINDOW, address_lines, latin1
from services.ebox_bridge.sender_block import SenderBlock
from tests.support.letters import letter_pdf

PT_PER_MM = 72 / 25.4
SENDER_BLOCK = SenderBlock("Stad Mechelen", ("Grote Markt 21", "2800 Mechelen"))
ADDRESS = PostalAddress(
    name="Jan Peeters", department="Dienst Financiën", street="Grote Markt", number="21", box="3",
    postcode="2800", municipality="Mechelen",
)


def text_positions(pdf: bytes, page: int = 0) -> dict[str, tuple[float, float]]:
    """text → (x, y) in mm from the top-left corner, from the PDF's text matrices."""
    found: dict[str, tuple[float, float]] = {}

    def visit(text, cm, tm, _font, _size):  # type: ignore[no-untyped-def]
        if text.strip():
            x_pt = tm[4] * cm[0] + cm[4]
            y_pt = tm[5] * cm[3] + cm[5]
            found[text.strip()] = (x_pt / PT_PER_MM, A4_HEIGHT_MM - y_pt / PT_PER_MM)

    PdfReader(io.BytesIO(pdf)).pages[page].extract_text(visitor_text=visit)
    return found


def compose(address: PostalAddress = ADDRESS, language: str = "nl") -> tuple[bytes, int]:
    return compose_print_pdf(uuid.uuid4(), "REF-0001", address, SENDER_BLOCK, letter_pdf(2), language)


def test_every_address_line_lies_inside_the_window_zone() -> None:
    pdf, _ = compose()
    positions = text_positions(pdf)
    lines = [latin1(line) for line in address_lines(ADDRESS)]
    assert lines == ["Jan Peeters", "Dienst Financiën", "Grote Markt 21 bus 3", "2800 MECHELEN"]
    for line in lines:
        assert line in positions, f"{line!r} not found in {list(positions)}"
        x, y = positions[line]
        assert WINDOW.contains(x, y), f"{line!r} at ({x:.1f}, {y:.1f}) mm is outside {WINDOW}"


def test_the_sender_block_is_outside_the_window() -> None:
    positions = text_positions(compose()[0])
    for line in (SENDER_BLOCK.name, *SENDER_BLOCK.lines):
        x, y = positions[line]
        assert SENDER.contains(x, y) and not WINDOW.contains(x, y)


def test_page_count_reference_and_language() -> None:
    pdf, pages = compose(language="fr")
    assert pages == 3 == count_pages(pdf)
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "Référence: REF-0001" in text
    assert "Cet envoi contient 3 pages" in text
    # The original pages follow the cover page unchanged.
    assert "pagina 1" in PdfReader(io.BytesIO(pdf)).pages[1].extract_text()


def test_names_outside_latin1_are_transliterated_not_dropped() -> None:
    address = ADDRESS.model_copy(update={"name": "Łukasz Żółć", "department": None})
    pdf, _ = compose(address)
    # ó is Latin-1 and stays; Ł, Ż, ł and ć lose only their marks.
    x, y = text_positions(pdf)["Lukasz Zólc"]
    assert WINDOW.contains(x, y)


def test_a_foreign_address_ends_with_the_country() -> None:
    address = PostalAddress(name="Marie Dupont", street="Rue de Rivoli", number="1", postcode="75001", municipality="Paris", country="FR")
    assert address_lines(address)[-2:] == ["75001 PARIS", "FRANCE"]


def test_unreadable_pdf_is_reported() -> None:
    with pytest.raises(UnreadablePdf):
        count_pages(b"%PDF-1.4\nnot really\n")


@pytest.mark.parametrize("pages", [1, 2, 7])
def test_fast_page_count_agrees_with_a_full_parse(pages: int) -> None:
    from services.ebox_bridge.paper.print_pdf import _parsed_page_count

    pdf = letter_pdf(pages)
    assert count_pages(pdf) == _parsed_page_count(pdf) == pages
    # Without the trailer markers the fast path steps aside and pypdf still counts (or refuses).
    with pytest.raises(UnreadablePdf):
        count_pages(pdf[: len(pdf) // 2])
