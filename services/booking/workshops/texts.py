"""Every word of the public workshop pages in NL, FR, DE and EN (plain language, short sentences),
and the refusals of the workshop use cases in those languages."""

from __future__ import annotations

Texts = dict[str, str]

TEXTS: dict[str, Texts] = {
    "title": {"nl": "Workshops digitale vaardigheden", "fr": "Ateliers de compétences numériques",
              "de": "Workshops für digitale Kompetenzen", "en": "Digital skills workshops"},
    "intro": {"nl": "Gratis lessen in groep. Schrijf u in: we sturen een bevestiging en de dag ervoor een herinnering.",
              "fr": "Des cours gratuits en groupe. Inscrivez-vous : vous recevez une confirmation et un rappel la veille.",
              "de": "Kostenlose Kurse in der Gruppe. Melden Sie sich an: Sie erhalten eine Bestätigung und am Vortag "
                    "eine Erinnerung.",
              "en": "Free group lessons. Register: we send a confirmation and a reminder the day before."},
    "at": {"nl": "Bij", "fr": "Chez", "de": "Bei", "en": "At"},
    "none": {"nl": "Hier zijn nu geen workshops gepland.", "fr": "Aucun atelier n'est prévu ici pour l'instant.",
             "de": "Hier sind zurzeit keine Workshops geplant.", "en": "No workshops are planned here right now."},
    "when": {"nl": "Wanneer", "fr": "Quand", "de": "Wann", "en": "When"},
    "given_in": {"nl": "Taal van de les", "fr": "Langue du cours", "de": "Sprache des Kurses",
                 "en": "Language of the lesson"},
    "with": {"nl": "Samen met", "fr": "Avec", "de": "Gemeinsam mit", "en": "Together with"},
    "places": {"nl": "Vrije plaatsen", "fr": "Places libres", "de": "Freie Plätze", "en": "Places left"},
    "full": {"nl": "Volzet. U kunt op de wachtlijst.", "fr": "Complet. Vous pouvez vous mettre sur la liste d'attente.",
             "de": "Ausgebucht. Sie können auf die Warteliste.", "en": "Full. You can join the waiting list."},
    "register": {"nl": "Inschrijven", "fr": "S'inscrire", "de": "Anmelden", "en": "Register"},
    "join_line": {"nl": "Op de wachtlijst", "fr": "Sur la liste d'attente", "de": "Auf die Warteliste",
                  "en": "Join the waiting list"},
    "register_for": {"nl": "Inschrijven voor", "fr": "Inscription à", "de": "Anmeldung für", "en": "Register for"},
    "contact": {"nl": "Hoe bereiken we u?", "fr": "Comment vous joindre ?", "de": "Wie erreichen wir Sie?",
                "en": "How do we reach you?"},
    "contact_help": {"nl": "Vul een gsm-nummer of een e-mailadres in (of beide).",
                     "fr": "Indiquez un numéro de GSM ou une adresse e-mail (ou les deux).",
                     "de": "Geben Sie eine Handynummer oder eine E-Mail-Adresse an (oder beides).",
                     "en": "Give a mobile number or an e-mail address (or both)."},
    "phone": {"nl": "GSM-nummer", "fr": "Numéro de GSM", "de": "Handynummer", "en": "Mobile number"},
    "email": {"nl": "E-mailadres", "fr": "Adresse e-mail", "de": "E-Mail-Adresse", "en": "E-mail address"},
    "message_language": {"nl": "In welke taal sturen we berichten?", "fr": "Dans quelle langue vous écrire ?",
                         "de": "In welcher Sprache schreiben wir Ihnen?", "en": "Which language for our messages?"},
    "registered": {"nl": "U bent ingeschreven", "fr": "Vous êtes inscrit", "de": "Sie sind angemeldet",
                   "en": "You are registered"},
    "waiting": {"nl": "U staat op de wachtlijst, plaats", "fr": "Vous êtes sur la liste d'attente, place",
                "de": "Sie stehen auf der Warteliste, Platz", "en": "You are on the waiting list, number"},
    "waiting_help": {"nl": "Komt er een plaats vrij, dan is die voor u en krijgt u bericht.",
                     "fr": "Si une place se libère, elle est pour vous et nous vous prévenons.",
                     "de": "Wird ein Platz frei, ist er für Sie und wir melden uns.",
                     "en": "If a place comes free, it is yours and we will tell you."},
    "keep_link": {"nl": "Bewaar deze link. Kunt u niet komen? Schrijf u hier uit, dan krijgt iemand anders uw plaats:",
                  "fr": "Gardez ce lien. Empêché ? Désinscrivez-vous ici, votre place ira à quelqu'un d'autre :",
                  "de": "Bewahren Sie diesen Link auf. Verhindert? Melden Sie sich hier ab, dann bekommt jemand "
                        "anderes Ihren Platz:",
                  "en": "Keep this link. Cannot come? Cancel here, so someone else gets your place:"},
    "your_registration": {"nl": "Uw inschrijving", "fr": "Votre inscription", "de": "Ihre Anmeldung",
                          "en": "Your registration"},
    "cancel": {"nl": "Mij uitschrijven", "fr": "Me désinscrire", "de": "Mich abmelden", "en": "Cancel my registration"},
    "cancelled": {"nl": "U bent uitgeschreven. Dank om het te laten weten.",
                  "fr": "Vous êtes désinscrit. Merci de nous avoir prévenus.",
                  "de": "Sie sind abgemeldet. Danke für die Nachricht.",
                  "en": "Your registration is cancelled. Thank you for letting us know."},
    "back": {"nl": "Alle workshops hier", "fr": "Tous les ateliers ici", "de": "Alle Workshops hier",
             "en": "All workshops here"},
}

STATUS: dict[str, Texts] = {
    "registered": TEXTS["registered"],
    "waiting": {"nl": "Op de wachtlijst", "fr": "Sur la liste d'attente", "de": "Auf der Warteliste",
                "en": "On the waiting list"},
    "cancelled": {"nl": "Uitgeschreven", "fr": "Désinscrit", "de": "Abgemeldet", "en": "Cancelled"},
}

# The use cases' refusals (by their title) in the page's language.
REFUSALS: dict[str, Texts] = {
    "Registration closed": {"nl": "Deze workshop is al begonnen. Kies een latere.",
                            "fr": "Cet atelier a déjà commencé. Choisissez-en un plus tard.",
                            "de": "Dieser Workshop hat schon begonnen. Wählen Sie einen späteren.",
                            "en": "This workshop has begun. Choose a later one."},
    "Unknown workshop": {"nl": "Deze workshop bestaat niet (meer).", "fr": "Cet atelier n'existe pas (plus).",
                         "de": "Diesen Workshop gibt es nicht (mehr).", "en": "This workshop does not exist (any more)."},
    "Unknown workshop registration": {"nl": "Deze link werkt niet. Kijk hem na.", "fr": "Ce lien ne fonctionne pas. "
                                      "Vérifiez-le.", "de": "Dieser Link funktioniert nicht. Prüfen Sie ihn.",
                                      "en": "This link does not work. Please check it."},
    "Cancelled already": {"nl": "Deze inschrijving is al geannuleerd.", "fr": "Cette inscription est déjà annulée.",
                          "de": "Diese Anmeldung ist schon abgesagt.", "en": "This registration is cancelled already."},
    "Not possible now": {"nl": "De workshop is begonnen: uitschrijven kan niet meer.",
                         "fr": "L'atelier a commencé : il n'est plus possible de se désinscrire.",
                         "de": "Der Workshop hat begonnen: Abmelden geht nicht mehr.",
                         "en": "The workshop has begun: it can no longer be cancelled."},
}
REFUSALS["Not your registration"] = REFUSALS["Unknown workshop registration"]


def workshop_texts(lang: str) -> dict[str, str]:
    return {key: words[lang] for key, words in TEXTS.items()}
