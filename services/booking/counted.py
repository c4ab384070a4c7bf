"""The counted nouns of booking's pages (loan rules, renewals, free seats), in NL, FR, DE, EN:
"1 day", "14 days", "no renewals"; loket/infra/counted_words.py picks the form."""

from __future__ import annotations

from loket.infra.counted_words import Forms, count_words

NOUNS: dict[str, dict[str, Forms]] = {
    "days": {
        "nl": Forms("{n} dag", "{n} dagen"), "fr": Forms("{n} jour", "{n} jours"),
        "de": Forms("{n} Tag", "{n} Tage"), "en": Forms("{n} day", "{n} days"),
    },
    "renewals": {
        "nl": Forms("{n} verlenging", "{n} verlengingen", "geen verlengingen"),
        "fr": Forms("{n} prolongation", "{n} prolongations", "aucune prolongation"),
        "de": Forms("{n} Verlängerung", "{n} Verlängerungen", "keine Verlängerung"),
        "en": Forms("{n} renewal", "{n} renewals", "no renewals"),
    },
    "devices": {
        "nl": Forms("{n} toestel", "{n} toestellen"), "fr": Forms("{n} appareil", "{n} appareils"),
        "de": Forms("{n} Gerät", "{n} Geräte"), "en": Forms("{n} device", "{n} devices"),
    },
    # How often a loan was renewed, alone in the column "Renewed" (so capitalised, as a cell's label).
    "times": {
        "nl": Forms("{n} keer", "{n} keer", "Nog niet"), "fr": Forms("{n} fois", "{n} fois", "Pas encore"),
        "de": Forms("{n}-mal", "{n}-mal", "Noch nicht"), "en": Forms("Once", "{n} times", "Not yet"),
    },
    # Free places of one hour ("3 free"); a full hour says "full" instead.
    "free": {
        "nl": Forms("{n} vrij", "{n} vrij"), "fr": Forms("{n} libre", "{n} libres"),
        "de": Forms("{n} frei", "{n} frei"), "en": Forms("{n} free", "{n} free"),
    },
}


def counted(noun: str, n: int, lang: str) -> str:
    """`n` of `noun` (a key of NOUNS) in `lang`."""
    return count_words(NOUNS[noun], n, lang)
