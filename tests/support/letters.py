"""Realistic `LetterIssued` events for the bridge's tests: a genuine multi-page PDF, valid and
distinct national numbers, and a way to pick citizens the simulator treats as digital."""

from __future__ import annotations

import base64
import functools
import uuid
from typing import Any

from fpdf import FPDF

from loket.contracts.letters import LetterIssued
from loket.simulators.ebox.citizens import Citizens
from loket.simulators.ebox.enterprises import Enterprises

ADDRESS = {
    "name": "Jan Peeters", "street": "Grote Markt", "number": "21", "box": "3",
    "postcode": "2800", "municipality": "Mechelen",
}


@functools.cache
def letter_pdf(pages: int = 2) -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_font("Helvetica", size=12)
    for page in range(pages):
        pdf.add_page()
        pdf.cell(0, 10, f"Aanslagbiljet - pagina {page + 1}")
    return bytes(pdf.output())


def national_number(index: int, born: int = 85) -> str:
    """A valid NN for people born in January of 19`born`; distinct for index < 900 * 28. Tests that
    share the session database with others pick a year nobody else uses, so no letter of another
    test can carry their citizen's number."""
    first_nine = f"{born:02d}01{1 + index // 900:02d}{1 + index % 900:03d}"
    return f"{first_nine}{97 - int(first_nine) % 97:02d}"


class Population:
    """Splits national numbers into digital / not digital the way the simulator will."""

    def __init__(self, seed: int = 0, share_digital_percent: int = 35, start: int = 0) -> None:
        self._citizens = Citizens(seed, share_digital_percent)
        self._next = start

    def take(self, digital: bool) -> str:
        while True:
            number = national_number(self._next)
            self._next += 1
            if self._citizens.is_digital(number) == digital:
                return number


def enterprise_number(index: int) -> str:
    """A valid KBO/BCE number (10 digits, leading 0), distinct for index < 10 000 000."""
    first_eight = f"0{3_000_000 + index:07d}"
    return f"{first_eight}{97 - int(first_eight) % 97:02d}"


class Companies:
    """Splits enterprise numbers into digital / not digital the way the simulator will."""

    def __init__(self, seed: int = 0, share_digital_percent: int = 90, start: int = 0) -> None:
        self._enterprises = Enterprises(seed, share_digital_percent)
        self._next = start

    def take(self, digital: bool) -> str:
        while True:
            number = enterprise_number(self._next)
            self._next += 1
            if self._enterprises.is_digital(number) == digital:
                return number


COMPANY_ADDRESS = {
    "name": "Brouwerij Het Anker NV", "department": "Boekhouding", "street": "Guido Gezellelaan",
    "number": "49", "postcode": "2800", "municipality": "Mechelen",
}


def company_letter(number: str, **payload: Any) -> LetterIssued:
    """A letter to an enterprise, by its KBO/BCE number, addressed to the company on paper."""
    fields: dict[str, Any] = {
        "recipient_national_number": None,
        "recipient": {"kind": "enterprise", "identifier": number},
        "postal_address": COMPANY_ADDRESS,
    }
    return letter_issued("", **(fields | payload))


def letter_issued(ssin: str, *, envelope: dict[str, Any] | None = None, **payload: Any) -> LetterIssued:
    body: dict[str, Any] = {
        "letter_id": uuid.uuid4(),
        "municipality": "12025",
        "department": "finance",
        "document_type": "invoice",
        "recipient_national_number": ssin,
        "language": "nl",
        "subject": "Uw factuur",
        "postal_address": ADDRESS,
        "pdf_base64": base64.b64encode(letter_pdf()).decode(),
    }
    return LetterIssued(producer="test-backoffice", payload=body | payload, **(envelope or {}))
