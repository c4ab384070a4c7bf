"""Every word of the finder in NL, FR, DE and EN: sentences, point kinds and weekdays."""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    "title": {"nl": "Digitale hulp in de buurt", "fr": "Aide numérique près de chez vous",
              "de": "Digitale Hilfe in Ihrer Nähe", "en": "Digital help near you"},
    "intro": {"nl": "Hier helpt men u gratis met uw eBox, itsme, computer of smartphone. Kom langs tijdens de "
                    "openingsuren of maak een afspraak.",
              "fr": "On vous y aide gratuitement avec votre eBox, itsme, ordinateur ou smartphone. Passez pendant "
                    "les heures d'ouverture ou prenez rendez-vous.",
              "de": "Dort hilft man Ihnen kostenlos mit eBox, itsme, Computer oder Smartphone. Kommen Sie während "
                    "der Öffnungszeiten vorbei oder vereinbaren Sie einen Termin.",
              "en": "Free help with your eBox, itsme, computer or smartphone. Walk in during opening hours or "
                    "make an appointment."},
    "postcode": {"nl": "Uw postcode", "fr": "Votre code postal", "de": "Ihre Postleitzahl", "en": "Your postcode"},
    "service": {"nl": "Waarmee wilt u hulp? (mag leeg)", "fr": "Pour quoi avez-vous besoin d'aide ? (facultatif)",
                "de": "Wobei brauchen Sie Hilfe? (optional)", "en": "What do you need help with? (optional)"},
    "any_service": {"nl": "Alles", "fr": "Tout", "de": "Alles", "en": "Anything"},
    "search": {"nl": "Zoeken", "fr": "Chercher", "de": "Suchen", "en": "Search"},
    "results": {"nl": "Plaatsen, de dichtste eerst", "fr": "Lieux, les plus proches d'abord",
                "de": "Orte, die nächsten zuerst", "en": "Places, nearest first"},
    "near_postcode": {"nl": "km van postcode", "fr": "km du code postal", "de": "km von Postleitzahl",
                      "en": "km from postcode"},
    "near_place": {"nl": "km van de gekozen plaats", "fr": "km du lieu choisi", "de": "km vom gewählten Ort",
                   "en": "km from the chosen place"},
    "none_found": {"nl": "Geen plaats gevonden voor deze dienst.", "fr": "Aucun lieu trouvé pour ce service.",
                   "de": "Kein Ort für diese Leistung gefunden.", "en": "No place found for this service."},
    "unknown_postcode": {"nl": "Deze postcode kennen we niet. Een Belgische postcode heeft 4 cijfers, bv. 2800.",
                         "fr": "Nous ne connaissons pas ce code postal. Un code postal belge a 4 chiffres, p. ex. 1040.",
                         "de": "Diese Postleitzahl kennen wir nicht. Eine belgische Postleitzahl hat 4 Ziffern, z. B. 4700.",
                         "en": "We do not know this postcode. A Belgian postcode has 4 digits, e.g. 2800."},
    "bad_place": {"nl": "De coördinaten kloppen niet (breedte en lengte in België, bv. lat=51.03&lon=4.48).",
                  "fr": "Les coordonnées ne sont pas valables (latitude et longitude en Belgique, p. ex. lat=50.83&lon=4.39).",
                  "de": "Die Koordinaten stimmen nicht (Breite und Länge in Belgien, z. B. lat=50.63&lon=6.03).",
                  "en": "The coordinates are not valid (latitude and longitude in Belgium, e.g. lat=51.03&lon=4.48)."},
    "open_now": {"nl": "Nu open", "fr": "Ouvert maintenant", "de": "Jetzt geöffnet", "en": "Open now"},
    "until": {"nl": "tot", "fr": "jusqu'à", "de": "bis", "en": "until"},
    "closed_now": {"nl": "Nu gesloten", "fr": "Fermé maintenant", "de": "Jetzt geschlossen", "en": "Closed now"},
    "opens": {"nl": "opent", "fr": "ouvre", "de": "öffnet", "en": "opens"},
    "kind": {"nl": "Soort plaats", "fr": "Type de lieu", "de": "Art des Ortes", "en": "Kind of place"},
    "address": {"nl": "Adres", "fr": "Adresse", "de": "Adresse", "en": "Address"},
    "hours": {"nl": "Openingsuren (binnenlopen zonder afspraak)", "fr": "Heures d'ouverture (sans rendez-vous)",
              "de": "Öffnungszeiten (ohne Termin)", "en": "Opening hours (walk in)"},
    "today_hours": {"nl": "Vandaag", "fr": "Aujourd'hui", "de": "Heute", "en": "Today"},
    "closed_today": {"nl": "vandaag gesloten", "fr": "fermé aujourd'hui", "de": "heute geschlossen",
                     "en": "closed today"},
    "languages": {"nl": "Talen", "fr": "Langues", "de": "Sprachen", "en": "Languages"},
    "bookable": {"nl": "Op afspraak", "fr": "Sur rendez-vous", "de": "Mit Termin", "en": "By appointment"},
    "walk_in_only": {"nl": "Zonder afspraak", "fr": "Sans rendez-vous", "de": "Ohne Termin", "en": "Without appointment"},
    "connectoo": {"nl": "Connectoo-label: opgeleide digitale helpers",
                  "fr": "Label Connectoo : aidants numériques formés",
                  "de": "Connectoo-Label: geschulte digitale Helfer",
                  "en": "Connectoo label: trained digital helpers"},
    "accessibility": {"nl": "Toegankelijkheid", "fr": "Accessibilité", "de": "Barrierefreiheit", "en": "Accessibility"},
    "computers": {"nl": "computers ter plaatse", "fr": "ordinateurs sur place", "de": "Computer vor Ort",
                  "en": "computers on site"},
    "devices": {"nl": "toestellen om te lenen", "fr": "appareils à emprunter", "de": "Geräte zum Ausleihen",
                "en": "devices to borrow"},
    "accessibility_unknown": {"nl": "Vraag het ter plaatse of bel vooraf.", "fr": "Renseignez-vous sur place ou appelez avant.",
                              "de": "Fragen Sie vor Ort oder rufen Sie vorher an.", "en": "Ask on site or call ahead."},
    "book": {"nl": "Afspraak maken", "fr": "Prendre rendez-vous", "de": "Termin vereinbaren",
             "en": "Make an appointment"},
    "at": {"nl": "bij", "fr": "à", "de": "bei", "en": "at"},
    "no_booking": {"nl": "Geen afspraken: kom langs tijdens de openingsuren.",
                   "fr": "Pas de rendez-vous : passez pendant les heures d'ouverture.",
                   "de": "Keine Termine: kommen Sie während der Öffnungszeiten vorbei.",
                   "en": "No appointments: walk in during opening hours."},
    "to_booking": {"nl": "Liever meteen een afspraak?", "fr": "Plutôt prendre rendez-vous tout de suite ?",
                   "de": "Lieber gleich einen Termin?", "en": "Rather book straight away?"},
}

KINDS: dict[str, dict[str, str]] = {
    "post_office": {"nl": "Postkantoor (bpost)", "fr": "Bureau de poste (bpost)", "de": "Postamt (bpost)",
                    "en": "Post office (bpost)"},
    "municipal_counter": {"nl": "Gemeentelijk loket", "fr": "Guichet communal", "de": "Gemeindeschalter",
                          "en": "Municipal counter"},
    "digibank": {"nl": "Digibank", "fr": "Digibank", "de": "Digibank", "en": "Digibank"},
    "public_digital_space": {"nl": "Openbare computerruimte", "fr": "Espace public numérique",
                             "de": "Öffentlicher digitaler Raum", "en": "Public digital space"},
}

WEEKDAY_NAMES: dict[str, tuple[str, ...]] = {
    "nl": ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"),
    "fr": ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"),
    "de": ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}


def finder_texts(language: str) -> dict[str, str]:
    return {key: values[language] for key, values in TEXTS.items()}

ACCESSIBILITY: dict[str, dict[str, str]] = {
    "step_free": {"nl": "toegang zonder trappen", "fr": "accès sans marches", "de": "stufenloser Zugang",
                  "en": "step-free access"},
    "accessible_toilet": {"nl": "aangepast toilet", "fr": "toilette adaptée", "de": "barrierefreie Toilette",
                          "en": "accessible toilet"},
    "hearing_loop": {"nl": "ringleiding voor hoorapparaten", "fr": "boucle magnétique pour appareils auditifs",
                     "de": "Induktionsschleife für Hörgeräte", "en": "hearing loop"},
}
