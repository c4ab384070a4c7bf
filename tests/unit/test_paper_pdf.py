"""The print-ready PDF, checked from the PDF itself: text positions (pypdf's text matrices,
converted to mm from the top-left corner) put every address line inside the envelope window and
the sender block outside it; the barcode decodes to the reference; the page count is right."""

from __future__ import annotations

import io
import uuid

import pytest
from fpdf import FPDF
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ContentStream

from loket.contracts.values import PostalAddress
from services.ebox_bridge.paper import UnreadablePdf, compose_print_pdf, count_pages
from services.ebox_bridge.paper.layout import (
    A4_HEIGHT_MM,
    SENDER,
    WINDOW,
    Zone,
    address_lines,
    latin1,
)
from services.ebox_bridge.sender_block import SenderBlock
from tests.support.letters import letter_pdf

PT_PER_MM = 72 / 25.4
TOLERANCE_MM = 0.05  # fpdf2 writes coordinates with two decimals in points
SENDER_BLOCK = SenderBlock("Stad Mechelen", ("Stadhuis", "2800 Mechelen"))
ADDRESS = PostalAddress(
    name="Jan Peeters", department="Dienst Financiën", street="Grote Markt", number="21", box="3",
    postcode="2800", municipality="Mechelen",
)
# Every field at a length that forces wrapping, shrinking or shortening, and a foreign country.
LONGEST = PostalAddress(
    name="Maximiliaan-Alexander Vandenbussche-Van Oudenhove de Wouters", department="W" * 120,
    street="Burgemeester Jozef Van Langendonckstraatweg", number="1234A", box="12B",
    postcode="75001", municipality="Saint-Germain-des-Prés-sur-Oise-lès-Bains", country="FR",
)


class Text:
    def __init__(self, text: str, x: float, y: float, size: float) -> None:
        self.text, self.x, self.baseline, self.size = text, x, y, size

    @property
    def width(self) -> float:
        pdf = FPDF(unit="mm")
        pdf.set_font("Helvetica", size=self.size)
        return pdf.get_string_width(self.text)

    @property
    def top(self) -> float:
        return self.baseline - self.size * 0.72 / PT_PER_MM  # Helvetica's cap height: 0.718 em

    def inside(self, zone: Zone) -> bool:
        t = TOLERANCE_MM
        return (
            zone.x - t <= self.x and self.x + self.width <= zone.right + t
            and zone.y - t <= self.top and self.baseline <= zone.bottom + t
        )

    def touches(self, zone: Zone) -> bool:
        return not (
            self.x + self.width < zone.x or self.x > zone.right
            or self.baseline < zone.y or self.top > zone.bottom
        )


def texts(pdf: bytes, page: int = 0) -> dict[str, Text]:
    found: dict[str, Text] = {}

    def visit(text, cm, tm, _font, size):  # type: ignore[no-untyped-def]
        if text.strip():
            x_pt, y_pt = tm[4] * cm[0] + cm[4], tm[5] * cm[3] + cm[5]
            found[text.strip()] = Text(text.strip(), x_pt / PT_PER_MM, A4_HEIGHT_MM - y_pt / PT_PER_MM, size)

    PdfReader(io.BytesIO(pdf)).pages[page].extract_text(visitor_text=visit)
    return found


def compose(address: PostalAddress = ADDRESS, language: str = "nl", reference: str = "REF-0001", pages: int = 2) -> tuple[bytes, int]:
    return compose_print_pdf(uuid.uuid4(), reference, address, SENDER_BLOCK, letter_pdf(pages), language)


@pytest.mark.parametrize("address", [ADDRESS, LONGEST], ids=["ordinary", "longest"])
def test_every_address_line_lies_wholly_inside_the_window(address: PostalAddress) -> None:
    found = texts(compose(address)[0])
    lines = [latin1(line) for line in address_lines(address)]
    for line in lines:
        # A shortened line ends in "."; match it by its beginning.
        match = found.get(line) or next(t for k, t in found.items() if line.startswith(k.rstrip(".")) and len(k) > 10)
        assert match.inside(WINDOW), f"{line!r} at x {match.x:.1f}–{match.x + match.width:.1f}, y {match.top:.1f}–{match.baseline:.1f} mm is outside {WINDOW}"
        assert match.size >= 8, "bpost asks for at least 8 pt"
    # Nothing but the address shows through the window.
    assert {t.text for t in found.values() if t.touches(WINDOW)} == {t.text for t in found.values() if t.inside(WINDOW)}
    assert len([t for t in found.values() if t.inside(WINDOW)]) == len(lines)


def test_the_ordinary_address_reads_in_bpost_order() -> None:
    assert address_lines(ADDRESS) == ["Jan Peeters", "Dienst Financiën", "Grote Markt 21 bus 3", "2800 MECHELEN"]
    by_height = sorted((t for t in texts(compose()[0]).values() if t.inside(WINDOW)), key=lambda t: t.baseline)
    assert [t.text for t in by_height] == address_lines(ADDRESS)


def test_the_sender_block_is_top_left_and_outside_the_window() -> None:
    found = texts(compose()[0])
    for line in (SENDER_BLOCK.name, *SENDER_BLOCK.lines):
        assert found[line].inside(SENDER) and not found[line].touches(WINDOW)


def test_page_count_is_the_cover_plus_the_original() -> None:
    for original in (1, 2, 7):
        pdf, pages = compose(pages=original)
        assert pages == original + 1 == count_pages(pdf) == len(PdfReader(io.BytesIO(pdf)).pages)
    pdf, _ = compose(pages=2)
    reader = PdfReader(io.BytesIO(pdf))
    assert reader.pages[0].mediabox.width == pytest.approx(210 * PT_PER_MM, abs=0.5)
    # The original pages follow the cover page, in order and unchanged.
    assert "pagina 1" in reader.pages[1].extract_text() and "pagina 2" in reader.pages[2].extract_text()


@pytest.mark.parametrize(
    ("language", "label", "count"),
    [
        ("nl", "Referentie: REF-0001", "Deze brief bevat 3 pagina's"),
        ("fr", "Référence: REF-0001", "Cette lettre contient 3 pages"),
        ("de", "Referenz: REF-0001", "Dieser Brief enthält 3 Seiten"),
    ],
)
def test_reference_and_page_count_in_the_letters_language(language: str, label: str, count: str) -> None:
    text = PdfReader(io.BytesIO(compose(language=language)[0])).pages[0].extract_text()
    assert label in text and count in text


CODE39 = {  # the standard Code 39 table (n = narrow, w = wide; bar, space, bar, …)
    "nnnwwnwnn": "0", "wnnwnnnnw": "1", "nnwwnnnnw": "2", "wnwwnnnnn": "3", "nnnwwnnnw": "4",
    "wnnwwnnnn": "5", "nnwwwnnnn": "6", "nnnwnnwnw": "7", "wnnwnnwnn": "8", "nnwwnnwnn": "9",
    "wnnnnwnnw": "A", "nnwnnwnnw": "B", "wnwnnwnnn": "C", "nnnnwwnnw": "D", "wnnnwwnnn": "E",
    "nnwnwwnnn": "F", "wnnnnnwwn": "R", "nwnnnnwnw": "-", "nwnnwnwnn": "*",
}


def decode_barcode(pdf: bytes) -> str:
    """Reads the Code 39 bars back from the cover page's filled rectangles, as a scanner would
    read widths, and checks the bars are wide enough for an ordinary scanner."""
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    ops = ContentStream(page.get_contents(), page.pdf).operations
    rects = [operands for operands, op in ops if op == b"re"]
    bars = sorted((float(x), float(w)) for x, _y, w, h in rects if abs(float(h)) > 10 * PT_PER_MM)
    elements = []  # alternating bar, space, bar, … widths in pt
    for (x, w), (next_x, _) in zip(bars, [*bars[1:], (None, None)], strict=True):
        elements.append(w)
        if next_x is not None:
            elements.append(next_x - x - w)
    narrow = min(elements)
    assert narrow >= 0.19 * PT_PER_MM, f"narrow bar {narrow / PT_PER_MM:.3f} mm is too thin to scan"
    kinds = "".join("w" if e > 2 * narrow else "n" for e in elements)
    chars = [CODE39[kinds[i:i + 9]] for i in range(0, len(kinds), 10)]
    assert kinds[9::10] == "n" * (len(chars) - 1), "characters are separated by a narrow gap"
    assert chars[0] == chars[-1] == "*"
    return "".join(chars[1:-1])


def test_the_barcode_decodes_to_the_reference() -> None:
    assert decode_barcode(compose(reference="REF-0001")[0]) == "REF-0001"
    letter_id = uuid.uuid4()
    pdf, _ = compose_print_pdf(letter_id, str(letter_id), ADDRESS, SENDER_BLOCK, letter_pdf(1), "nl")
    assert decode_barcode(pdf) == str(letter_id).upper()


def test_a_reference_code39_cannot_carry_falls_back_to_the_letter_id() -> None:
    letter_id = uuid.uuid4()
    pdf, _ = compose_print_pdf(letter_id, "dossier_2026#12", ADDRESS, SENDER_BLOCK, letter_pdf(1), "nl")
    assert decode_barcode(pdf) == str(letter_id).upper()
    assert "dossier_2026#12" in PdfReader(io.BytesIO(pdf)).pages[0].extract_text()


@pytest.mark.parametrize(("name", "printed"), [("Łukasz Nowak", "Lukasz Nowak"), ("Łukasz Żółć", "Lukasz Zólc"), ("Øre Ðoković", "Øre Ðokovic"), ("Œuvre 東京", "OEuvre ??")])
def test_names_outside_latin1_are_transliterated_not_dropped(name: str, printed: str) -> None:
    address = ADDRESS.model_copy(update={"name": name})
    found = texts(compose(address)[0])
    assert printed in found and found[printed].inside(WINDOW)


def test_address_lines_follow_bpost_rules() -> None:
    lines = address_lines(LONGEST)
    assert len(lines) <= 6 and all(len(line) <= 50 for line in lines)
    # The name wraps onto a second line; the department, with no room left, is shortened.
    assert lines[0] + " " + lines[1] == LONGEST.name and lines[2].endswith(".")
    # The number and box survive a long street name; postcode and country stay whole.
    assert lines[3].endswith(" 1234A bus 12B") and lines[3].startswith("Burgemeester")
    assert lines[4].startswith("75001 SAINT-GERMAIN") and lines[5] == "FRANCE"
    belgian = ADDRESS.model_copy(update={"department": None, "box": None, "name": "  Jan \t Peeters "})
    assert address_lines(belgian) == ["Jan Peeters", "Grote Markt 21", "2800 MECHELEN"]


def test_unreadable_pdfs_are_reported_without_their_content() -> None:
    for broken in (b"", b"Jan Peeters, Grote Markt 21", b"%PDF-1.4\nJan Peeters\n", letter_pdf(2)[:700]):
        with pytest.raises(UnreadablePdf) as error:
            count_pages(broken)
        assert "Peeters" not in str(error.value) and str(error.value)
    with pytest.raises(UnreadablePdf):
        compose_print_pdf(uuid.uuid4(), "R", ADDRESS, SENDER_BLOCK, b"%PDF-1.7\n(Jan Peeters)\n%%EOF", "nl")


def test_a_password_protected_pdf_is_unreadable() -> None:
    writer = PdfWriter(clone_from=io.BytesIO(letter_pdf(2)))
    writer.encrypt(user_password="secret", algorithm="AES-128")
    protected = io.BytesIO()
    writer.write(protected)
    with pytest.raises(UnreadablePdf, match="password"):
        count_pages(protected.getvalue())


@pytest.mark.parametrize("pages", [1, 2, 7])
def test_fast_page_count_agrees_with_a_full_parse(pages: int) -> None:
    from services.ebox_bridge.paper.print_pdf import parsed_page_count

    pdf = letter_pdf(pages)
    assert count_pages(pdf) == parsed_page_count(pdf) == pages


def test_an_incremental_update_that_removes_a_page_is_counted_right() -> None:
    # The old page tree (3 pages) stays in the file before the update's new one (2 pages).
    writer = PdfWriter(io.BytesIO(letter_pdf(3)), incremental=True)
    writer.remove_page(2)
    updated = io.BytesIO()
    writer.write(updated)
    assert updated.getvalue().count(b"startxref") == 2
    assert count_pages(updated.getvalue()) == 2
