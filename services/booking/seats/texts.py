"""Every sentence of the public seat booking page in NL, FR, DE and EN, and the kinds of seat as
people call them (never the stored word)."""

from __future__ import annotations


def _t(nl: str, fr: str, de: str, en: str) -> dict[str, str]:
    return {"nl": nl, "fr": fr, "de": de, "en": en}


# A kind of seat as a person reads it, on the public page and the staff page alike.
KINDS: dict[str, dict[str, str]] = {
    "workstation": _t("Computer", "Ordinateur fixe", "Computerarbeitsplatz", "Computer"),
    "laptop": _t("Laptop", "Ordinateur portable", "Laptop", "Laptop"),
}

SEAT_TEXTS: dict[str, dict[str, str]] = {
    "title": _t("Een computer of laptop reserveren", "Réserver un ordinateur", "Einen Computer reservieren",
                "Book a computer or laptop"),
    "intro": _t("Werk zelf op een computer of laptop van een hulppunt, gratis. Kies een plaats, een dag en een uur.",
                "Travaillez vous-même sur un ordinateur d'un point d'aide, gratuitement. Choisissez un lieu, un jour et une heure.",
                "Arbeiten Sie selbst an einem Computer einer Hilfestelle, kostenlos. Wählen Sie Ort, Tag und Stunde.",
                "Work on your own at a help point's computer or laptop, free of charge. Choose a place, a day and an hour."),
    "step1": _t("1. Waar en wat?", "1. Où et quoi ?", "1. Wo und was?", "1. Where and what?"),
    "point": _t("Hulppunt", "Point d'aide", "Hilfestelle", "Help point"),
    "kind": _t("Wat wilt u gebruiken?", "Que voulez-vous utiliser ?", "Was möchten Sie nutzen?",
               "What would you like to use?"),
    "next": _t("Vrije uren tonen", "Voir les heures libres", "Freie Stunden anzeigen", "Show free hours"),
    "no_points": _t("Geen hulppunt heeft nu computers of laptops om te reserveren.",
                    "Aucun point d'aide n'a d'ordinateurs à réserver pour l'instant.",
                    "Keine Hilfestelle hat derzeit Computer zu reservieren.",
                    "No help point has computers or laptops to book right now."),
    "step2": _t("2. Kies een dag en een uur", "2. Choisissez un jour et une heure", "2. Wählen Sie Tag und Stunde",
                "2. Choose a day and an hour"),
    "days": _t("Dagen", "Jours", "Tage", "Days"),
    "full": _t("volzet", "complet", "ausgebucht", "full"),
    "no_slots": _t("Geen vrije uren op deze dag. Kies een andere dag.", "Aucune heure libre ce jour-là. Choisissez un autre jour.",
                   "An diesem Tag keine freien Stunden. Wählen Sie einen anderen Tag.",
                   "No free hours on this day. Choose another day."),
    "no_days": _t("Dit hulppunt is de komende twee weken niet open.", "Ce point d'aide n'est pas ouvert dans les deux semaines.",
                  "Diese Hilfestelle ist in den nächsten zwei Wochen nicht geöffnet.",
                  "This help point is not open in the next two weeks."),
    "step3": _t("3. Uw gegevens (mag leeg)", "3. Vos coordonnées (facultatif)", "3. Ihre Angaben (freiwillig)",
                "3. Your details (optional)"),
    "contact_help": _t("Geeft u een gsm-nummer of e-mail, dan kunnen we u verwittigen als er iets verandert.",
                       "Avec un numéro de GSM ou un e-mail, nous pouvons vous prévenir en cas de changement.",
                       "Mit Handynummer oder E-Mail können wir Sie bei Änderungen benachrichtigen.",
                       "With a mobile number or e-mail we can tell you if anything changes."),
    "phone": _t("GSM-nummer (mag leeg)", "Numéro de GSM (facultatif)", "Handynummer (optional)", "Mobile number (optional)"),
    "email": _t("E-mail (mag leeg)", "E-mail (facultatif)", "E-Mail (optional)", "E-mail (optional)"),
    "language": _t("Uw taal", "Votre langue", "Ihre Sprache", "Your language"),
    "book": _t("Reserveren", "Réserver", "Reservieren", "Book"),
    "booked": _t("Uw plaats is gereserveerd", "Votre place est réservée", "Ihr Platz ist reserviert",
                 "Your seat is booked"),
    "what": _t("Wat", "Quoi", "Was", "What"),
    "seat_no": _t("Plaats {n}", "Place {n}", "Platz {n}", "Seat {n}"),
    "come_in": _t("Meld u bij aankomst aan de balie. Kunt u niet komen? Annuleer met de link hieronder, dan is de plaats vrij voor iemand anders.",
                  "Présentez-vous au guichet en arrivant. Vous ne pouvez pas venir ? Annulez avec le lien ci-dessous pour libérer la place.",
                  "Melden Sie sich bei Ankunft am Schalter. Können Sie nicht kommen? Sagen Sie über den Link unten ab, damit der Platz frei wird.",
                  "Report to the counter when you arrive. Cannot come? Cancel with the link below so the seat is free for someone else."),
    "keep_link": _t("Om uw reservatie later te bekijken of te annuleren, bewaar deze link (als bladwijzer, of een "
                    "foto van het adres hieronder).",
                    "Pour voir ou annuler votre réservation plus tard, gardez ce lien (en favori, ou une photo de "
                    "l'adresse ci-dessous).",
                    "Um Ihre Reservierung später zu sehen oder abzusagen, bewahren Sie diesen Link auf (als "
                    "Lesezeichen oder als Foto der Adresse unten).",
                    "To see or cancel your booking later, keep this link (as a bookmark, or a photo of the address "
                    "below)."),
    "booking_link": _t("Deze reservatie bekijken of annuleren", "Voir ou annuler cette réservation",
                       "Diese Reservierung sehen oder absagen", "See or cancel this booking"),
    "your_booking": _t("Uw reservatie", "Votre réservation", "Ihre Reservierung", "Your booking"),
    "cancel_seat": _t("Reservatie annuleren", "Annuler la réservation", "Reservierung absagen", "Cancel the booking"),
    "seat_cancelled": _t("Deze reservatie is geannuleerd. De plaats is vrij voor iemand anders.",
                         "Cette réservation est annulée. La place est libre pour quelqu'un d'autre.",
                         "Diese Reservierung ist abgesagt. Der Platz ist frei für jemand anderen.",
                         "This booking is cancelled. The seat is free for someone else."),
    "other_hour": _t("Een ander uur reserveren", "Réserver une autre heure", "Eine andere Stunde reservieren",
                     "Book another hour"),
    "back": _t("Opnieuw beginnen", "Recommencer", "Neu beginnen", "Start again"),
    "choose_hour": _t("Kies een uur uit de lijst.", "Choisissez une heure dans la liste.",
                      "Wählen Sie eine Stunde aus der Liste.", "Choose an hour from the list."),
    "choose_point": _t("Kies een hulppunt en wat u wilt gebruiken.", "Choisissez un point d'aide et ce que vous voulez utiliser.",
                       "Wählen Sie eine Hilfestelle und was Sie nutzen möchten.",
                       "Choose a help point and what you would like to use."),
}


def seat_texts(lang: str) -> dict[str, str]:
    return {key: values[lang] for key, values in SEAT_TEXTS.items()}


def kind_name(kind: str, lang: str) -> str:
    return KINDS[kind][lang]
