"""Words for the departments and document types municipalities send letters for, in NL, FR, DE
and EN: the letter desk (ebox_bridge) and the council's dashboard (reporting) name them alike.

Both are slugs a back-office chooses (`LetterIssued.department`, `.document_type`), not closed
sets: a town may add one tomorrow. One without words here is spelled out from its slug
(`parking_permits` → "Parking permits"), never shown as a code with underscores.
"""

from __future__ import annotations


def _w(nl: str, fr: str, de: str, en: str) -> dict[str, str]:
    return {"nl": nl, "fr": fr, "de": de, "en": en}


DEPARTMENTS: dict[str, dict[str, str]] = {
    "finance": _w("Financiën", "Finances", "Finanzen", "Finance"),
    # GAS: gemeentelijke administratieve sancties (SAC in French), not a gas supplier.
    "gas": _w("GAS-boetes", "Sanctions administratives (SAC)", "Verwaltungssanktionen", "Administrative sanctions"),
    "economy": _w("Economie", "Économie", "Wirtschaft", "Economy"),
    "housing": _w("Wonen", "Logement", "Wohnen", "Housing"),
    "elections": _w("Verkiezingen", "Élections", "Wahlen", "Elections"),
    "population": _w("Bevolking", "Population", "Bevölkerung", "Population"),
}

DOCUMENT_TYPES: dict[str, dict[str, str]] = {
    "invoice": _w("Factuur", "Facture", "Rechnung", "Invoice"),
    "reminder": _w("Herinnering", "Rappel", "Mahnung", "Reminder"),
    "tax_assessment": _w("Aanslagbiljet", "Avertissement-extrait de rôle", "Steuerbescheid", "Tax assessment"),
    "administrative_sanction": _w("Administratieve sanctie", "Sanction administrative", "Verwaltungssanktion",
                                  "Administrative sanction"),
    "sanction_reminder": _w("Herinnering sanctie", "Rappel de sanction", "Mahnung Sanktion", "Sanction reminder"),
    "market_permit": _w("Marktvergunning", "Autorisation de marché", "Marktgenehmigung", "Market permit"),
    "renovation_premium": _w("Renovatiepremie", "Prime à la rénovation", "Renovierungsprämie", "Renovation grant"),
    "permit": _w("Vergunning", "Permis", "Genehmigung", "Permit"),
    "convocation": _w("Oproepingsbrief", "Convocation", "Einberufung", "Polling card"),
    "appointment_confirmation": _w("Bevestiging afspraak", "Confirmation de rendez-vous", "Terminbestätigung",
                                   "Appointment confirmation"),
}


def words(code: str) -> str:
    """A code as words: `permanent-failure` → "permanent failure"."""
    return code.replace("_", " ").replace("-", " ").strip()


def spelled_out(code: str) -> str:
    """A code no words name yet, as words with a capital: `parking_permits` → "Parking permits"."""
    spelled = words(code)
    return spelled[:1].upper() + spelled[1:]


def department_words(slug: str, lang: str) -> str:
    return in_words(DEPARTMENTS, slug, lang)


def document_type_words(slug: str, lang: str) -> str:
    return in_words(DOCUMENT_TYPES, slug, lang)


def in_words(vocabulary: dict[str, dict[str, str]], code: str, lang: str) -> str:
    """`code`'s words in `lang` from `vocabulary`, or the code spelled out if it has none there."""
    known = vocabulary.get(code)
    return known[lang] if known is not None else spelled_out(code)
