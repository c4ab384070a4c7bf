"""Human words for the values in the dimension columns (kinds of point, outcomes, channels,
reasons, departments…), in NL, FR, DE and EN; departments and document types are the letter
desk's words too (loket/contracts/reference/letter_words.py). A value without a label (a
department a municipality added later, a new visit topic) is shown as words, never as a code
with underscores; the test of the dashboard lists every closed set of the contracts."""

from __future__ import annotations

import re
from typing import Any

from loket.contracts.reference.language_regime import municipality_name
from loket.contracts.reference.letter_words import DEPARTMENTS, DOCUMENT_TYPES, in_words
from services.reporting.labels import _w

YES_NO = {True: _w("Met afgeleverde herinnering", "Avec rappel remis", "Mit zugestellter Erinnerung",
                   "With a delivered reminder"),
          False: _w("Zonder afgeleverde herinnering", "Sans rappel remis", "Ohne zugestellte Erinnerung",
                    "Without a delivered reminder")}

VALUES: dict[str, dict[str, dict[str, str]]] = {
    "point_kind": {
        "post_office": _w("Postkantoor (bpost)", "Bureau de poste (bpost)", "Postamt (bpost)", "Post office (bpost)"),
        "municipal_counter": _w("Gemeentelijk loket", "Guichet communal", "Gemeindeschalter", "Municipal counter"),
        "digibank": _w("Digibank", "Digibank", "Digibank", "Digibank"),
        "public_digital_space": _w("Openbare computerruimte", "Espace public numérique", "Öffentlicher digitaler Raum",
                                   "Public digital space"),
    },
    "outcome": {
        "resolved": _w("Opgelost", "Résolu", "Gelöst", "Resolved"),
        "referred": _w("Doorverwezen", "Réorienté", "Weitergeleitet", "Referred"),
        "needs_appointment": _w("Afspraak nodig", "Rendez-vous nécessaire", "Termin nötig", "Needs an appointment"),
        "attended": _w("Gekomen", "Présent", "Erschienen", "Attended"),
        "no_show": _w("Niet gekomen", "Absent", "Nicht erschienen", "Did not come"),
        "cancelled": _w("Geannuleerd", "Annulé", "Abgesagt", "Cancelled"),
        "booked": _w("Gepland", "Prévu", "Geplant", "Booked"),
    },
    "channel": {
        "ebox": _w("eBox", "eBox", "eBox", "eBox"),
        "paper": _w("Papier", "Papier", "Papier", "Paper"),
        "both": _w("eBox en papier", "eBox et papier", "eBox und Papier", "eBox and paper"),
        "failed": _w("Mislukt", "Échec", "Fehlgeschlagen", "Failed"),
        "pending": _w("Onderweg", "En cours", "Unterwegs", "On its way"),
        "cancelled": _w("Ingetrokken", "Retirée", "Zurückgezogen", "Withdrawn"),
        "sms": _w("Sms", "SMS", "SMS", "Text message"),
        "email": _w("E-mail", "E-mail", "E-Mail", "E-mail"),
    },
    "reason": {
        "no_digital_user": _w("Geen eBox", "Pas d'eBox", "Keine eBox", "No eBox"),
        "policy_paper_only": _w("Beleid: enkel papier", "Règle : papier uniquement", "Regel: nur Papier",
                                "Policy: paper only"),
        "policy_both": _w("Beleid: eBox en papier", "Règle : eBox et papier", "Regel: eBox und Papier",
                          "Policy: eBox and paper"),
        "ebox_unavailable": _w("eBox onbereikbaar", "eBox indisponible", "eBox nicht erreichbar", "eBox unavailable"),
        "unread_escalation": _w("Ongelezen in de eBox", "Non lue dans l'eBox", "Ungelesen in der eBox",
                                "Unread in the eBox"),
        "ebox_rejected": _w("Geweigerd door de eBox", "Refusée par l'eBox", "Von der eBox abgelehnt", "Refused by the eBox"),
    },
    "status": {
        "delivered": _w("Afgeleverd", "Remis", "Zugestellt", "Delivered"),
        "sending": _w("Onderweg", "En cours d'envoi", "Wird gesendet", "Sending"),
        "permanent-failure": _w("Blijvend mislukt", "Échec définitif", "Endgültig fehlgeschlagen", "Failed for good"),
        "temporary-failure": _w("Tijdelijk mislukt", "Échec temporaire", "Vorübergehend fehlgeschlagen",
                                "Failed for now"),
        "technical-failure": _w("Technische fout", "Erreur technique", "Technischer Fehler", "Technical failure"),
    },
    "postage_class": {
        "non_prior": _w("Niet-prior", "Non prior", "Non-Prior", "Non-prior"),
        "prior": _w("Prior", "Prior", "Prior", "Prior"),
        "registered": _w("Aangetekend", "Recommandé", "Einschreiben", "Registered"),
    },
    "department": DEPARTMENTS,
    "document_type": DOCUMENT_TYPES,
    "topic": {
        "ebox": _w("eBox", "eBox", "eBox", "eBox"),
        "ebox_activation": _w("eBox activeren", "Activer l'eBox", "eBox aktivieren", "Activating the eBox"),
        "itsme": _w("itsme", "itsme", "itsme", "itsme"),
        "itsme_setup": _w("itsme installeren", "Installer itsme", "itsme einrichten", "Setting up itsme"),
        "eid_setup": _w("eID en pincode", "eID et code PIN", "eID und PIN", "eID and PIN"),
        "tax_on_web": _w("Belastingaangifte", "Déclaration d'impôts", "Steuererklärung", "Tax return"),
        "online_forms": _w("Online formulieren", "Formulaires en ligne", "Online-Formulare", "Online forms"),
        "device_basics": _w("Basis computer en smartphone", "Bases ordinateur et smartphone",
                            "Grundlagen Computer und Smartphone", "Computer and smartphone basics"),
        "device_lending": _w("Toestel lenen", "Emprunter un appareil", "Gerät ausleihen", "Borrowing a device"),
        "printing": _w("Afdrukken", "Imprimer", "Drucken", "Printing"),
        "civil_status_certificate": _w("Uittreksel burgerlijke stand", "Extrait d'état civil",
                                       "Personenstandsauszug", "Civil-status certificate"),
        "family_composition": _w("Gezinssamenstelling", "Composition de ménage", "Haushaltszusammensetzung",
                                 "Family composition"),
        "residence_certificate": _w("Attest van woonst", "Certificat de résidence", "Wohnsitzbescheinigung",
                                    "Residence certificate"),
        "criminal_record_extract": _w("Uittreksel strafregister", "Extrait de casier judiciaire", "Strafregisterauszug",
                                      "Criminal-record extract"),
        "other": _w("Andere", "Autre", "Sonstiges", "Other"),
    },
}
DIMENSIONS = frozenset(VALUES) | {"reminder_delivered", "campaign"}
# `i12025-2026q4` (the eBox campaign of a municipality and quarter) → "Mechelen 2026 Q4".
_CAMPAIGN = re.compile(r"^i(?P<town>[0-9]{5})-(?P<year>[0-9]{4})q(?P<quarter>[1-4])$")


def value_label(column: str, value: Any, lang: str) -> Any:
    """The words for a dimension value; other cells (periods, figures) are returned unchanged."""
    if column == "reminder_delivered" and isinstance(value, bool):
        return YES_NO[value][lang]
    if column == "campaign" and isinstance(value, str) and (found := _CAMPAIGN.match(value)):
        return f"{municipality_name(found['town'])} {found['year']} Q{found['quarter']}"
    if column not in VALUES or not isinstance(value, str):
        return value
    return in_words(VALUES[column], value, lang)
