"""The words on the eBox insert page, per language (nl, fr, de, en) and per text variant.

Kept apart from the renderer so a translator or a communication officer can review and change
the wording without reading drawing code. The insert goes to people who still read letters on
paper, often because digital things are not easy for them: plain language, short sentences,
the three facts that matter (eBox is where the letters can go, help is free, bring your eID and
its PIN). Two variants: "standard" (a few short paragraphs) and "short" (one sentence), so a
municipality can try which one brings more people to an assistance point.

Every string is Latin-1 (the PDF core fonts cannot draw anything else); `{sender}`, `{km}` and
`{link}` are filled in by the renderer.
"""

from __future__ import annotations

from typing import TypedDict

LANGUAGES = ("nl", "fr", "de", "en")
VARIANTS = ("standard", "short")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class InsertTexts(TypedDict):
    title: str
    # Paragraphs above the points list, per variant; "{sender}" is the municipality. They do not
    # refer to "the points below": a letter may go out with no point nearby.
    body: dict[str, tuple[str, ...]]
    points_heading: str
    weekdays: dict[str, str]
    walk_in: str  # label before the walk-in hours
    appointment_only: str  # a point without walk-in hours
    phone: str
    km: str  # "{km}" is the distance, already formatted with `decimal`
    decimal: str
    qr_caption: str
    qr_link: str  # "{link}" is the short URL
    no_point: str  # instead of the points heading and list when no point is near


TEXTS: dict[str, InsertTexts] = {
    "nl": {
        "title": "Ontvang uw brieven digitaal in uw eBox",
        "body": {
            "standard": (
                "{sender} stuurt u brieven op papier. Met eBox, de beveiligde digitale brievenbus van "
                "de overheid, krijgt u die brieven voortaan digitaal: sneller, veilig en altijd terug "
                "te vinden op myebox.be.",
                "U kiest zelf. Zolang u eBox niet activeert, krijgt u uw brieven gewoon op papier.",
                "Hulp bij het activeren van uw eBox is gratis. Breng uw identiteitskaart (eID) en uw "
                "pincode mee.",
            ),
            "short": (
                "{sender} stuurt u brieven op papier: ontvang ze voortaan digitaal in uw eBox, met "
                "gratis hulp bij het activeren (breng uw eID en pincode mee).",
            ),
        },
        "points_heading": "Gratis hulp bij u in de buurt",
        "weekdays": {"mon": "ma", "tue": "di", "wed": "wo", "thu": "do", "fri": "vr", "sat": "za", "sun": "zo"},
        "walk_in": "Zonder afspraak",
        "appointment_only": "Alleen op afspraak",
        "phone": "Tel.",
        "km": "{km} km",
        "decimal": ",",
        "qr_caption": "Scan de code en maak gratis een afspraak",
        "qr_link": "of ga naar {link}",
        "no_point": "We vonden geen hulppunt bij u in de buurt. Vraag hulp aan het onthaal van uw "
        "gemeentehuis, of maak een afspraak met de QR-code.",
    },
    "fr": {
        "title": "Recevez vos lettres en ligne dans votre eBox",
        "body": {
            "standard": (
                "{sender} vous envoie des lettres sur papier. Avec eBox, la boîte aux lettres "
                "numérique et sécurisée des autorités, vous recevez ces lettres en ligne : plus vite, "
                "en toute sécurité et toujours disponibles sur myebox.be.",
                "C'est vous qui choisissez. Tant que vous n'activez pas eBox, vous continuez à "
                "recevoir vos lettres sur papier.",
                "L'aide pour activer votre eBox est gratuite. Apportez votre carte d'identité (eID) "
                "et votre code PIN.",
            ),
            "short": (
                "{sender} vous envoie des lettres sur papier : recevez-les en ligne dans votre eBox, "
                "avec une aide gratuite pour l'activer (apportez votre eID et votre code PIN).",
            ),
        },
        "points_heading": "Aide gratuite près de chez vous",
        "weekdays": {
            "mon": "lun.", "tue": "mar.", "wed": "mer.", "thu": "jeu.", "fri": "ven.", "sat": "sam.",
            "sun": "dim.",
        },
        "walk_in": "Sans rendez-vous",
        "appointment_only": "Uniquement sur rendez-vous",
        "phone": "Tél.",
        "km": "{km} km",
        "decimal": ",",
        "qr_caption": "Scannez le code pour prendre un rendez-vous gratuit",
        "qr_link": "ou allez sur {link}",
        "no_point": "Nous n'avons pas trouvé de point d'aide près de chez vous. Demandez de l'aide à "
        "l'accueil de votre maison communale, ou prenez rendez-vous avec le code QR.",
    },
    "de": {
        "title": "Erhalten Sie Ihre Briefe digital in Ihrer eBox",
        "body": {
            "standard": (
                "{sender} schickt Ihnen Briefe auf Papier. Mit eBox, dem sicheren digitalen "
                "Briefkasten der Behörden, erhalten Sie diese Briefe digital: schneller, sicher und "
                "jederzeit auf myebox.be abrufbar.",
                "Sie entscheiden selbst. Solange Sie eBox nicht aktivieren, erhalten Sie Ihre Briefe "
                "weiterhin auf Papier.",
                "Die Hilfe bei der Aktivierung Ihrer eBox ist kostenlos. Bringen Sie Ihren "
                "Personalausweis (eID) und Ihren PIN-Code mit.",
            ),
            "short": (
                "{sender} schickt Ihnen Briefe auf Papier: Erhalten Sie sie digital in Ihrer eBox, mit "
                "kostenloser Hilfe bei der Aktivierung (bringen Sie Ihre eID und Ihren PIN-Code mit).",
            ),
        },
        "points_heading": "Kostenlose Hilfe in Ihrer Nähe",
        "weekdays": {"mon": "Mo", "tue": "Di", "wed": "Mi", "thu": "Do", "fri": "Fr", "sat": "Sa", "sun": "So"},
        "walk_in": "Ohne Termin",
        "appointment_only": "Nur mit Termin",
        "phone": "Tel.",
        "km": "{km} km",
        "decimal": ",",
        "qr_caption": "Scannen Sie den Code und vereinbaren Sie einen kostenlosen Termin",
        "qr_link": "oder gehen Sie auf {link}",
        "no_point": "Wir haben keine Hilfestelle in Ihrer Nähe gefunden. Fragen Sie am Empfang Ihrer "
        "Gemeindeverwaltung nach, oder vereinbaren Sie einen Termin mit dem QR-Code.",
    },
    "en": {
        "title": "Get your letters online in your eBox",
        "body": {
            "standard": (
                "{sender} sends you letters on paper. With eBox, the government's secure digital "
                "mailbox, you get these letters online: faster, safely and always there on myebox.be.",
                "It is your choice. As long as you do not activate eBox, your letters keep coming on paper.",
                "Help to activate your eBox is free. Bring your identity card (eID) and your PIN code.",
            ),
            "short": (
                "{sender} sends you letters on paper: get them online in your eBox instead, with free "
                "help to activate it (bring your eID and your PIN code).",
            ),
        },
        "points_heading": "Free help near you",
        "weekdays": {
            "mon": "Mon", "tue": "Tue", "wed": "Wed", "thu": "Thu", "fri": "Fri", "sat": "Sat", "sun": "Sun",
        },
        "walk_in": "Walk-in",
        "appointment_only": "By appointment only",
        "phone": "Phone",
        "km": "{km} km",
        "decimal": ".",
        "qr_caption": "Scan to book a free appointment",
        "qr_link": "or go to {link}",
        "no_point": "We found no assistance point near you. Ask at the front desk of your town hall, "
        "or book an appointment with the QR code.",
    },
}


def texts_for(language: str) -> InsertTexts:
    """The texts of `language`; Dutch for a language the insert does not have (the platform's
    default, as on the cover page)."""
    return TEXTS.get(language, TEXTS["nl"])


def body_for(texts: InsertTexts, variant: str) -> tuple[str, ...]:
    return texts["body"].get(variant, texts["body"]["standard"])
