"""The services citizens can get help with: how long each takes and the buffer a helper needs
around it (setting up a laptop, finding a printer, writing a note).

Durations are what municipal counters plan with; a point's own list says which it offers.
`device_lending` and `printing` are offered at points but never booked as appointments.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CatalogueService:
    slug: str
    minutes: int
    buffer_before: int
    buffer_after: int
    bookable: bool
    names: dict[str, str]


def _service(slug: str, minutes: int, before: int, after: int, nl: str, fr: str, de: str, en: str,
             bookable: bool = True) -> CatalogueService:
    return CatalogueService(slug, minutes, before, after, bookable, {"nl": nl, "fr": fr, "de": de, "en": en})


CATALOGUE: dict[str, CatalogueService] = {s.slug: s for s in (
    _service("civil_status_certificate", 15, 0, 5, "Uittreksel burgerlijke stand", "Extrait d'état civil",
             "Auszug aus dem Personenstandsregister", "Civil-status certificate"),
    _service("family_composition", 15, 0, 5, "Gezinssamenstelling", "Composition de ménage",
             "Haushaltszusammensetzung", "Family composition"),
    _service("residence_certificate", 15, 0, 5, "Attest van woonst", "Certificat de résidence",
             "Wohnsitzbescheinigung", "Residence certificate"),
    _service("criminal_record_extract", 15, 0, 5, "Uittreksel strafregister", "Extrait de casier judiciaire",
             "Strafregisterauszug", "Criminal-record extract"),
    _service("ebox_activation", 30, 0, 10, "eBox activeren", "Activer l'eBox", "eBox aktivieren",
             "Activate your eBox"),
    _service("itsme_setup", 30, 0, 10, "itsme installeren", "Installer itsme", "itsme einrichten", "Set up itsme"),
    _service("eid_setup", 20, 0, 10, "eID-kaartlezer en pincode", "Lecteur eID et code PIN",
             "eID-Kartenleser und PIN", "eID card reader and PIN"),
    _service("tax_on_web", 45, 0, 15, "Belastingaangifte (Tax-on-web)", "Déclaration d'impôts (Tax-on-web)",
             "Steuererklärung (Tax-on-web)", "Tax return (Tax-on-web)"),
    _service("online_forms", 30, 0, 10, "Online formulieren", "Formulaires en ligne", "Online-Formulare",
             "Online forms"),
    _service("device_basics", 45, 5, 10, "Basis computer en smartphone", "Bases ordinateur et smartphone",
             "Grundlagen Computer und Smartphone", "Computer and smartphone basics"),
    _service("device_lending", 15, 0, 0, "Toestel lenen", "Emprunter un appareil", "Gerät ausleihen",
             "Borrow a device", bookable=False),
    _service("printing", 10, 0, 0, "Afdrukken", "Imprimer", "Drucken", "Printing", bookable=False),
)}

SERVICES = frozenset(CATALOGUE)
BOOKABLE = frozenset(slug for slug, s in CATALOGUE.items() if s.bookable)


def known_services(value: list[str]) -> list[str]:
    """Validator for lists of service slugs (points and helpers)."""
    unknown = sorted(set(value) - SERVICES)
    if unknown:
        raise ValueError(f"unknown service(s) {', '.join(unknown)}; known: {', '.join(sorted(SERVICES))}")
    return value
