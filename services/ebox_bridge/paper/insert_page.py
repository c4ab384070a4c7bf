"""The eBox insert: one extra A4 page added to a paper letter, telling the reader why eBox, that
help to activate it is free, where the three nearest assistance points are and how to book.

A paper letter is the one moment the platform surely reaches someone who is not on eBox yet,
so the invitation travels with it rather than in a separate mailing. The page goes into the
print PDF of every such letter, so it carries no personal data at all (no name, no address, no
national number): the same page may be printed, reprinted or kept in a print-house archive
without that being a disclosure. The short link in the QR code identifies an assistance point
and a campaign, never a person.

The renderer is pure (content in, PDF bytes out) so that it can be tested from the PDF alone
and so that the caller decides which points and which text variant a letter gets.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import segno
from fpdf import FPDF
from fpdf.enums import WrapMode

from services.ebox_bridge.paper.insert_texts import WEEKDAYS, InsertTexts, body_for, texts_for
from services.ebox_bridge.paper.layout import A4_HEIGHT_MM, A4_WIDTH_MM, a4_page, fit_width, latin1


@dataclass(frozen=True)
class InsertPoint:
    name: str  # already in the right language
    street_line: str  # e.g. "Grote Markt 21"
    town_line: str  # e.g. "2800 Mechelen"
    # (weekday slug "mon".."sun", ("09:00-12:30", "13:30-16:00")): open days only, in week order.
    walk_in_hours: tuple[tuple[str, tuple[str, ...]], ...]
    phone: str | None  # e.g. "+32 15 29 76 00"; None when unknown
    distance_km: float | None


@dataclass(frozen=True)
class InsertContent:
    language: str  # nl | fr | de | en (anything else: nl)
    variant: str  # "standard" | "short" (anything else: standard)
    sender_name: str  # the municipality, e.g. "Stad Mechelen"
    points: tuple[InsertPoint, ...]  # 0 to 3, nearest first
    link: str  # the short URL the QR code and the printed text carry


MARGIN_MM = 20.0
TEXT_WIDTH_MM = A4_WIDTH_MM - 2 * MARGIN_MM
TITLE_PT, HEADING_PT, BODY_PT, SMALL_PT = 17.0, 12.0, 10.5, 9.0
# A dark blue reads as "official" and prints well in greyscale; the point boxes get a light fill.
INK_BLUE = (0, 61, 121)
BOX_FILL = (238, 242, 247)
MAX_POINTS = 3
BOX_PADDING_MM = 3.0
# At most two lines of hours per point: seven days with split hours still fit, and three points
# can never grow down into the QR code.
MAX_HOURS_LINES = 2

# The image is the symbol plus its 4-module quiet zone. 42 mm keeps the symbol itself at 30 mm
# or more up to a version-1 code (21 of 29 modules) and its modules at 0.6 mm or more up to
# version 10 (a link of over 150 characters): comfortable for any phone camera.
QR_IMAGE_MM = 42.0
QR_BORDER_MODULES = 4
QR_PNG_SCALE = 10  # pixels per module: sharp edges at any print resolution
QR_X_MM = A4_WIDTH_MM - MARGIN_MM - QR_IMAGE_MM
# The link line(s) under the code end at the bottom margin.
LINK_LINE_MM = 4.0
QR_Y_MM = A4_HEIGHT_MM - MARGIN_MM - 2 * LINK_LINE_MM - 1 - QR_IMAGE_MM
LINK_MIN_PT = 7.0


def insert_page(content: InsertContent) -> bytes:
    """One A4 page as a PDF (bytes)."""
    texts = texts_for(content.language)
    pdf = a4_page()
    y = _title(pdf, texts["title"], MARGIN_MM)
    y = _body(pdf, body_for(texts, content.variant), content.sender_name, y + 3)
    _points(pdf, texts, content.points[:MAX_POINTS], y + 4)
    _qr_block(pdf, texts, content.link)
    return bytes(pdf.output())


def _title(pdf: FPDF, title: str, y: float) -> float:
    pdf.set_font("Helvetica", "B", TITLE_PT)
    pdf.set_text_color(*INK_BLUE)
    y = _lines(pdf, _wrap(pdf, latin1(title), TEXT_WIDTH_MM), y, 8.0)
    pdf.set_text_color(0, 0, 0)
    # A rule under the title: the eye finds where the leaflet starts on a page full of letter.
    pdf.set_draw_color(*INK_BLUE)
    pdf.set_line_width(0.6)
    pdf.line(MARGIN_MM, y + 1, MARGIN_MM + TEXT_WIDTH_MM, y + 1)
    return y + 2


def _body(pdf: FPDF, paragraphs: tuple[str, ...], sender: str, y: float) -> float:
    for paragraph in paragraphs:
        y = _paragraph(pdf, paragraph.format(sender=sender), y, BODY_PT) + 2
    return y


def _paragraph(pdf: FPDF, text: str, y: float, size: float) -> float:
    pdf.set_font("Helvetica", size=size)
    return _lines(pdf, _wrap(pdf, latin1(text), TEXT_WIDTH_MM), y, size * 0.5)


def _heading(pdf: FPDF, text: str, y: float) -> float:
    pdf.set_font("Helvetica", "B", HEADING_PT)
    pdf.set_text_color(*INK_BLUE)
    pdf.set_xy(MARGIN_MM, y)
    pdf.cell(TEXT_WIDTH_MM, 6, fit_width(pdf, latin1(text), TEXT_WIDTH_MM))
    pdf.set_text_color(0, 0, 0)
    return y + 8


def _points(pdf: FPDF, texts: InsertTexts, points: tuple[InsertPoint, ...], y: float) -> None:
    if not points:
        # No "help near you" heading over a line saying there is none near: just that line.
        _paragraph(pdf, texts["no_point"], y, BODY_PT)
        return
    y = _heading(pdf, texts["points_heading"], y)
    for point in points:
        y = _point(pdf, texts, point, y) + 3


def _point(pdf: FPDF, texts: InsertTexts, point: InsertPoint, top: float) -> float:
    """A filled box: name and distance, address and phone, hours. Returns the box's bottom."""
    inner = TEXT_WIDTH_MM - 2 * BOX_PADDING_MM
    x = MARGIN_MM + BOX_PADDING_MM
    pdf.set_font("Helvetica", size=SMALL_PT)
    hours = _wrap(pdf, latin1(_hours_text(texts, point)), inner)
    if len(hours) > MAX_HOURS_LINES:
        hours = [*hours[: MAX_HOURS_LINES - 1], fit_width(pdf, " ".join(hours[MAX_HOURS_LINES - 1:]), inner)]
    height = 2 * BOX_PADDING_MM + 6 + 5 + len(hours) * 4.5
    pdf.set_fill_color(*BOX_FILL)
    pdf.rect(MARGIN_MM, top, TEXT_WIDTH_MM, height, style="F")
    y = top + BOX_PADDING_MM
    distance = _distance(texts, point.distance_km)
    _left_right(pdf, x, y, inner, (latin1(point.name), ("Helvetica", "B", 11.0)), distance, 6)
    y += 6
    phone = f"{texts['phone']} {point.phone}" if point.phone else ""
    address = latin1(f"{point.street_line}, {point.town_line}")
    _left_right(pdf, x, y, inner, (address, ("Helvetica", "", 10.0)), latin1(phone), 5)
    y += 5
    pdf.set_font("Helvetica", size=SMALL_PT)
    _lines(pdf, hours, y, 4.5, x=x)
    return top + height


def _left_right(
    pdf: FPDF, x: float, y: float, width: float, left: tuple[str, tuple[str, str, float]], right: str,
    height: float,
) -> None:
    """`left` in its own font, `right` right-aligned in the body font; the left text gives way
    (shortened) when both do not fit, because the phone number and distance must stay whole."""
    pdf.set_font("Helvetica", size=10)
    right_width = pdf.get_string_width(right) + 4 if right else 0
    pdf.set_xy(x, y)
    pdf.cell(width, height, right, align="R")
    family, style, size = left[1]
    pdf.set_font(family, style, size)
    pdf.set_xy(x, y)
    pdf.cell(width - right_width, height, fit_width(pdf, left[0], width - right_width))


def _hours_text(texts: InsertTexts, point: InsertPoint) -> str:
    groups = _day_groups(point.walk_in_hours)
    if not groups:
        return texts["appointment_only"]
    parts = [f"{_day_range(texts, days)} {', '.join(slots)}" for days, slots in groups]
    return f"{texts['walk_in']}: {'; '.join(parts)}"


def _day_groups(
    hours: tuple[tuple[str, tuple[str, ...]], ...],
) -> list[tuple[list[str], tuple[str, ...]]]:
    """Consecutive days with the same hours as one group ("mon".."fri" 09:00-12:00): a week of
    identical office hours then takes one short line instead of five."""
    groups: list[tuple[list[str], tuple[str, ...]]] = []
    previous = -2
    for day, slots in hours:
        index = WEEKDAYS.index(day) if day in WEEKDAYS else -10
        if groups and index == previous + 1 and groups[-1][1] == tuple(slots):
            groups[-1][0].append(day)
        else:
            groups.append(([day], tuple(slots)))
        previous = index
    return groups


def _day_range(texts: InsertTexts, days: list[str]) -> str:
    names = [texts["weekdays"].get(day, day) for day in days]
    if len(names) == 1:
        return names[0]
    if len(names) == 2:
        return f"{names[0]}, {names[1]}"
    return f"{names[0]}-{names[-1]}"


def _distance(texts: InsertTexts, km: float | None) -> str:
    if km is None:
        return ""
    # Tenths below 10 km (walking or cycling matters), whole kilometres beyond.
    number = f"{km:.1f}" if km < 10 else f"{km:.0f}"
    return texts["km"].format(km=number.replace(".", texts["decimal"]))


def _qr_block(pdf: FPDF, texts: InsertTexts, link: str) -> None:
    """Bottom right: the code; left of it, what scanning does; under it, the link to type."""
    qr = segno.make(link, error="m", micro=False)
    buf = io.BytesIO()
    qr.save(buf, kind="png", scale=QR_PNG_SCALE, border=QR_BORDER_MODULES)
    pdf.image(io.BytesIO(buf.getvalue()), x=QR_X_MM, y=QR_Y_MM, w=QR_IMAGE_MM, h=QR_IMAGE_MM)
    caption_width = QR_X_MM - MARGIN_MM - 6
    pdf.set_font("Helvetica", "B", HEADING_PT)
    lines = _wrap(pdf, latin1(texts["qr_caption"]), caption_width)
    # Caption centred on the code's height, so the eye goes from the words to the code.
    caption_y = QR_Y_MM + (QR_IMAGE_MM - len(lines) * 6) / 2
    _lines(pdf, lines, caption_y, 6, x=MARGIN_MM, width=caption_width, align="R")
    _link_lines(pdf, latin1(texts["qr_link"].format(link=link)), latin1(link))


def _link_lines(pdf: FPDF, full: str, link: str) -> None:
    """"or go to <link>" right-aligned under the code: on one line when it fits at 7 pt or more,
    else the link alone; the link itself is never shortened, it has to work when typed."""
    top = QR_Y_MM + QR_IMAGE_MM + 1
    for text in (full, link):
        for size in (9.0, 8.0, LINK_MIN_PT):
            pdf.set_font("Helvetica", size=size)
            if pdf.get_string_width(text) <= TEXT_WIDTH_MM:
                _lines(pdf, [text], top, LINK_LINE_MM, align="R")
                return
    # A link longer than the page is wide (not one the platform makes): break it anywhere.
    pdf.set_font("Helvetica", size=LINK_MIN_PT)
    _lines(pdf, _wrap(pdf, link, TEXT_WIDTH_MM, WrapMode.CHAR)[:2], top, LINK_LINE_MM, align="R")


def _wrap(pdf: FPDF, text: str, width: float, mode: WrapMode = WrapMode.WORD) -> list[str]:
    """The lines `multi_cell` would make, in the current font, without drawing them."""
    lines = pdf.multi_cell(width, 5, text, wrapmode=mode, dry_run=True, output="LINES")
    return [str(line) for line in lines] if isinstance(lines, list) else [text]


def _lines(
    pdf: FPDF, lines: list[str], y: float, height: float, x: float = MARGIN_MM,
    width: float = TEXT_WIDTH_MM, align: str = "L",
) -> float:
    # One cell per line, left-aligned: justified text leaves uneven gaps that slow down readers.
    for line in lines:
        pdf.set_xy(x, y)
        pdf.cell(width, height, line, align=align)
        y += height
    return y

