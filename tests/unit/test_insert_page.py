"""The eBox insert page, checked from the PDF itself: one page, the texts of its language (and of
no other), every point's name and phone, and a QR code that a real decoder reads back as the
exact link after the page is rasterised like a scan."""

from __future__ import annotations

import io

import pypdfium2 as pdfium
import pytest
import zxingcpp
from pypdf import PdfReader

from services.ebox_bridge.paper.insert_page import InsertContent, InsertPoint, insert_page
from services.ebox_bridge.paper.insert_texts import LANGUAGES, TEXTS, VARIANTS

LINK = "https://loket.example.be/b/mechelen-stadhuis/ins-12025-2026q4"
LONG_LINK = "https://loket.example.be/b/mechelen-digibank-predikheren/ins-12025-2026q4"
OFFICE_HOURS = tuple((day, ("09:00-12:30", "13:30-16:00")) for day in ("mon", "tue", "wed", "thu", "fri"))
POINTS = (
    InsertPoint("Stadhuis Mechelen", "Grote Markt 21", "2800 Mechelen", OFFICE_HOURS, "+32 15 29 76 00", 0.4),
    InsertPoint(
        "Digibank Predikheren", "Goswin de Stassartstraat 4", "2800 Mechelen",
        (("tue", ("13:00-16:00",)), ("sat", ("10:00-12:00",))), "+32 15 29 76 01", 1.25,
    ),
    InsertPoint("Bibliotheek Nekkerspoel", "Nekkerspoel 12", "2800 Mechelen", (), "+32 15 29 76 02", 3.0),
)


def content(language: str = "nl", variant: str = "standard", points: tuple[InsertPoint, ...] = POINTS,
            link: str = LINK) -> InsertContent:
    return InsertContent(language, variant, "Stad Mechelen", points, link)


def page_text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    return reader.pages[0].extract_text()


def qr_codes(pdf: bytes) -> list[str]:
    image = pdfium.PdfDocument(pdf)[0].render(scale=3).to_pil()
    return [b.text for b in zxingcpp.read_barcodes(image) if b.format == zxingcpp.BarcodeFormat.QRCode]


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("language", LANGUAGES)
def test_one_page_in_its_own_language_with_every_point(language: str, variant: str) -> None:
    text = page_text(insert_page(content(language, variant)))
    assert TEXTS[language]["title"] in text
    for other in LANGUAGES:
        if other != language:
            assert TEXTS[other]["title"] not in text
    for point in POINTS:
        assert point.name in text
        assert point.phone is not None and point.phone in text
    assert "Stad Mechelen" in text
    assert LINK in text


def test_the_variants_differ_and_an_unknown_one_is_the_standard() -> None:
    standard = page_text(insert_page(content("en", "standard")))
    short = page_text(insert_page(content("en", "short")))
    assert "It is your choice" in standard and "It is your choice" not in short
    assert page_text(insert_page(content("en", "poster"))) == standard


def test_an_unknown_language_is_dutch() -> None:
    assert TEXTS["nl"]["title"] in page_text(insert_page(content("xx")))


def test_the_hours_of_a_working_week_take_one_group() -> None:
    text = page_text(insert_page(content("nl")))
    assert "ma-vr 09:00-12:30, 13:30-16:00" in text
    assert "di 13:00-16:00; za 10:00-12:00" in text
    assert "Alleen op afspraak" in text  # the library has no walk-in hours
    assert "1,2 km" in text  # 1.25 km, Belgian decimal comma


@pytest.mark.parametrize("link", [LINK, LONG_LINK])
def test_the_qr_code_decodes_to_the_exact_link(link: str) -> None:
    assert qr_codes(insert_page(content("fr", points=POINTS, link=link))) == [link]


def test_without_points_the_page_says_to_ask_at_the_town_hall() -> None:
    pdf = insert_page(content("de", points=()))
    text = page_text(pdf)
    assert "Wir haben keine Hilfestelle in Ihrer" in text
    assert TEXTS["de"]["points_heading"] not in text
    assert qr_codes(pdf) == [LINK]


def test_a_name_outside_latin1_is_transliterated() -> None:
    lodz = InsertPoint("Łódź Digibank", "ul. Piotrkowska 104", "90-926 Łódź", (), None, None)
    text = page_text(insert_page(content("en", points=(lodz,))))
    assert "Lódz Digibank" in text  # Ł has no Latin-1 form; ó has one and keeps it
    assert "90-926 Lódz" in text


def test_only_the_three_nearest_points_are_shown() -> None:
    fourth = InsertPoint("OCMW Mechelen", "Lange Schipstraat 27", "2800 Mechelen", (), None, 4.0)
    text = page_text(insert_page(content("nl", points=(*POINTS, fourth))))
    assert POINTS[2].name in text and "OCMW Mechelen" not in text
