"""Every sentence of the booking page in NL, FR, DE and EN (plain language, short sentences)."""

from __future__ import annotations

LANGUAGES = ("nl", "fr", "de", "en")
LANGUAGE_NAMES = {"nl": "Nederlands", "fr": "Français", "de": "Deutsch", "en": "English"}

TEXTS: dict[str, dict[str, str]] = {
    "title": {"nl": "Afspraak voor digitale hulp", "fr": "Rendez-vous pour une aide numérique",
              "de": "Termin für digitale Hilfe", "en": "Appointment for digital help"},
    "intro": {"nl": "Gratis hulp met uw computer, smartphone, eBox of itsme, bij u in de buurt.",
              "fr": "Une aide gratuite pour votre ordinateur, smartphone, eBox ou itsme, près de chez vous.",
              "de": "Kostenlose Hilfe mit Computer, Smartphone, eBox oder itsme in Ihrer Nähe.",
              "en": "Free help with your computer, smartphone, eBox or itsme, near you."},
    "skip": {"nl": "Naar de inhoud", "fr": "Aller au contenu", "de": "Zum Inhalt", "en": "Skip to content"},
    "step1": {"nl": "1. Waar en waarvoor?", "fr": "1. Où et pour quoi ?", "de": "1. Wo und wofür?",
              "en": "1. Where and what for?"},
    "postcode": {"nl": "Uw postcode", "fr": "Votre code postal", "de": "Ihre Postleitzahl", "en": "Your postcode"},
    "service": {"nl": "Waarmee wilt u hulp?", "fr": "Pour quoi avez-vous besoin d'aide ?",
                "de": "Wobei brauchen Sie Hilfe?", "en": "What do you need help with?"},
    "language": {"nl": "In welke taal?", "fr": "Dans quelle langue ?", "de": "In welcher Sprache?",
                 "en": "In which language?"},
    "search": {"nl": "Zoek een plaats", "fr": "Chercher un lieu", "de": "Ort suchen", "en": "Find a place"},
    "step2": {"nl": "2. Kies een plaats", "fr": "2. Choisissez un lieu", "de": "2. Wählen Sie einen Ort",
              "en": "2. Choose a place"},
    "km": {"nl": "km van uw postcode", "fr": "km de votre code postal", "de": "km von Ihrer Postleitzahl",
           "en": "km from your postcode"},
    "none_found": {"nl": "Geen plaats gevonden. Probeer een andere taal of dienst.",
                   "fr": "Aucun lieu trouvé. Essayez une autre langue ou un autre service.",
                   "de": "Kein Ort gefunden. Versuchen Sie eine andere Sprache oder Leistung.",
                   "en": "No place found. Try another language or service."},
    "step3": {"nl": "3. Kies een moment", "fr": "3. Choisissez un moment", "de": "3. Wählen Sie einen Zeitpunkt",
              "en": "3. Choose a time"},
    "no_slots": {"nl": "Geen vrije momenten de komende twee weken.", "fr": "Aucun moment libre dans les deux semaines.",
                 "de": "Keine freien Termine in den nächsten zwei Wochen.", "en": "No free times in the next two weeks."},
    "contact": {"nl": "Hoe bereiken we u?", "fr": "Comment vous joindre ?", "de": "Wie erreichen wir Sie?",
                "en": "How can we reach you?"},
    "phone": {"nl": "GSM-nummer", "fr": "Numéro de GSM", "de": "Handynummer", "en": "Mobile number"},
    "email": {"nl": "E-mail (mag leeg)", "fr": "E-mail (facultatif)", "de": "E-Mail (optional)",
              "en": "E-mail (optional)"},
    "contact_help": {"nl": "We sturen een bevestiging en een herinnering. Boekt u voor iemand anders? Vul dan hun nummer in.",
                     "fr": "Nous envoyons une confirmation et un rappel. Vous réservez pour quelqu'un ? Indiquez son numéro.",
                     "de": "Wir senden eine Bestätigung und eine Erinnerung. Buchen Sie für jemanden? Geben Sie dessen Nummer an.",
                     "en": "We send a confirmation and a reminder. Booking for someone else? Enter their number."},
    "book": {"nl": "Afspraak bevestigen", "fr": "Confirmer le rendez-vous", "de": "Termin bestätigen",
             "en": "Confirm the appointment"},
    "booked": {"nl": "Uw afspraak is bevestigd", "fr": "Votre rendez-vous est confirmé",
               "de": "Ihr Termin ist bestätigt", "en": "Your appointment is confirmed"},
    "when": {"nl": "Wanneer", "fr": "Quand", "de": "Wann", "en": "When"},
    "where": {"nl": "Waar", "fr": "Où", "de": "Wo", "en": "Where"},
    "manage": {"nl": "Bewaar deze link om te verplaatsen of te annuleren:",
               "fr": "Gardez ce lien pour déplacer ou annuler :",
               "de": "Bewahren Sie diesen Link auf, um zu verschieben oder abzusagen:",
               "en": "Keep this link to move or cancel:"},
    "error": {"nl": "Er ging iets mis", "fr": "Un problème est survenu", "de": "Etwas ist schiefgelaufen",
              "en": "Something went wrong"},
    "finder_link": {"nl": "Alle hulppunten in de buurt, met hun openingsuren", "fr": "Tous les points d'aide proches, avec leurs horaires",
                    "de": "Alle Hilfestellen in der Nähe, mit Öffnungszeiten", "en": "All help points near you, with their opening hours"},
    "back": {"nl": "Opnieuw beginnen", "fr": "Recommencer", "de": "Neu beginnen", "en": "Start again"},
}


def texts_for(language: str) -> dict[str, str]:
    return {key: values[language] for key, values in TEXTS.items()}

# An appointment's status as the citizen reads it on the manage page (never the stored word).
APPOINTMENT_STATUS: dict[str, dict[str, str]] = {
    "booked": {"nl": "bevestigd", "fr": "confirmé", "de": "bestätigt", "en": "confirmed"},
    "checked_in": {"nl": "u bent aangemeld", "fr": "vous êtes arrivé(e)", "de": "Sie sind angemeldet",
                   "en": "you have checked in"},
    "attended": {"nl": "heeft plaatsgevonden", "fr": "a eu lieu", "de": "hat stattgefunden", "en": "took place"},
    "no_show": {"nl": "u kwam niet", "fr": "vous n'êtes pas venu(e)", "de": "Sie sind nicht gekommen",
                "en": "you did not come"},
    "cancelled": {"nl": "geannuleerd", "fr": "annulé", "de": "abgesagt", "en": "cancelled"},
    "held": {"nl": "voor u vastgehouden", "fr": "réservé pour vous", "de": "für Sie reserviert",
             "en": "held for you"},
    "expired": {"nl": "vervallen", "fr": "expiré", "de": "verfallen", "en": "expired"},
}
