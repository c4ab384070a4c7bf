"""Letters from municipal back-offices for the demo: a realistic mix across the shipped rollout
policy (Mechelen's phases, bilingual Etterbeek, German-speaking Eupen), published on the bus as
a back-office system would, plus a few broken ones that must end in the DLQ with a reason."""

from __future__ import annotations

import base64
import functools
import json
import random
import uuid
from typing import Any

from fpdf import FPDF

from loket.contracts.letters import LetterIssued

# (municipality, department, document type, language, subject)
KINDS = [
    ("12025", "finance", "invoice", "nl", "Uw factuur voor de huisvuilophaling"),
    ("12025", "finance", "tax_assessment", "nl", "Aanslagbiljet gemeentebelasting 2026"),
    ("12025", "gas", "administrative_sanction", "nl", "GAS-boete: parkeerovertreding"),
    ("12025", "housing", "renovation_premium", "nl", "Beslissing renovatiepremie"),
    ("12025", "elections", "convocation", "nl", "Oproepingsbrief gemeenteraadsverkiezingen"),
    ("21005", "finance", "invoice", "fr", "Votre facture"),
    ("21005", "finance", "tax_assessment", "nl", "Aanslagbiljet"),
    ("63023", "finance", "invoice", "de", "Ihre Rechnung"),
    ("53044", "finance", "tax_assessment", "fr", "Avertissement-extrait de rôle"),
]
STREETS = [("2800", "Mechelen", "Bruul"), ("1040", "Etterbeek", "Rue des Champs"), ("4700", "Eupen", "Klosterstraße"),
           ("7050", "Jurbise", "Rue de la Station")]
NAMES = ["Jan Peeters", "Marie Dubois", "Ahmed El Amrani", "Sofie Maes", "Lukas Schmitz", "Élodie Lambert"]


@functools.cache
def _pdf(subject: str) -> str:
    pdf = FPDF(format="A4")
    pdf.set_font("Helvetica", size=12)
    for page in (1, 2):
        pdf.add_page()
        pdf.cell(0, 10, f"{subject} - {page}/2".encode("latin-1", "replace").decode("latin-1"))
    return base64.b64encode(bytes(pdf.output())).decode()


def national_number(rng: random.Random) -> str:
    """A valid national register number (born 1940-1999) with correct check digits."""
    first_nine = f"{rng.randint(40, 99):02d}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(1, 997):03d}"
    return f"{first_nine}{97 - int(first_nine) % 97:02d}"


def _contact(rng: random.Random, n: int, language: str) -> dict[str, object] | None:
    roll = rng.random()
    if roll < 0.2:
        return None
    contact: dict[str, object] = {"phone": f"+3247{5000000 + n:07d}", "language": language}
    if roll > 0.8:
        contact |= {"email": f"citizen{n}@example.be", "preferred_channels": ["email", "sms"]}
    return contact


def demo_letters(count: int, seed: int | None = None) -> list[LetterIssued]:
    """New letters each run (a back-office issues new letter ids every day); a seed replays."""
    rng = random.Random(seed)
    letters = []
    for n in range(count):
        municipality, department, document_type, language, subject = rng.choice(KINDS)
        postcode, town, street = rng.choice(STREETS)
        important = document_type == "tax_assessment"
        letters.append(LetterIssued(producer=f"backoffice-{municipality}", payload={
            "letter_id": uuid.UUID(int=rng.getrandbits(128), version=4),
            "municipality": municipality, "department": department, "document_type": document_type,
            "recipient_national_number": national_number(rng), "language": language, "subject": subject,
            "postal_address": {"name": rng.choice(NAMES), "street": street, "number": str(rng.randint(1, 120)),
                               "postcode": postcode, "municipality": town},
            "pdf_base64": _pdf(subject), "important": important,
            # Most back-offices know a phone number, some an e-mail address: notify tells the
            # citizen that an important letter is waiting in their eBox, naming the sender.
            "contact": _contact(rng, n, language) if important else None,
        }))
    return letters


def broken_letters() -> list[tuple[str, bytes]]:
    """(what is wrong, raw message) for the DLQ part of the demo."""
    good = json.loads(demo_letters(1, seed=1)[0].to_bytes())

    def variant(**payload: Any) -> bytes:
        event = {**good, "event_id": str(uuid.uuid4()), "payload": {**good["payload"], **payload, "letter_id": str(uuid.uuid4())}}
        return json.dumps(event).encode()

    return [
        ("invalid national number", variant(recipient_national_number="12345678901")),
        ("municipality not onboarded", variant(municipality="11001")),
        ("language not allowed", variant(municipality="12025", language="de")),
        ("not JSON", b"{this is not json"),
    ]
