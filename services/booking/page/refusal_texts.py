"""What the citizen pages say when something is refused, in the page's language.

Use cases raise errors with an English title and sentence, made for the API's problem+json. A
citizen reading the page in Dutch, French or German must get a sentence in that language: it is
chosen by the error's title (titles are stable, sentences carry details), or, for a form field
that does not validate, by the field. An error without a translation here shows the API's
English sentence: better than nothing, and `tests/unit/test_booking_refusal_texts.py` lists the
titles the citizen pages can meet so a new one is not forgotten.
"""

from __future__ import annotations

from pydantic import ValidationError

from services.booking.errors import BookingError

Texts = dict[str, str]

BY_TITLE: dict[str, Texts] = {
    "Unknown point": {
        "nl": "Dit hulppunt bestaat niet (meer). Kies een hulppunt in de lijst.",
        "fr": "Ce point d'aide n'existe pas (ou plus). Choisissez un point d'aide dans la liste.",
        "de": "Diese Hilfestelle gibt es nicht (mehr). Wählen Sie eine Hilfestelle aus der Liste.",
        "en": "This help point does not exist (any more). Choose a help point from the list."},
    "Unknown service": {
        "nl": "Voor deze hulp kunt u geen afspraak maken. Kies een andere hulp.",
        "fr": "Cette aide ne se réserve pas. Choisissez une autre aide.",
        "de": "Für diese Hilfe gibt es keine Termine. Wählen Sie eine andere Hilfe.",
        "en": "This kind of help cannot be booked. Choose another one."},
    "Service not offered": {
        "nl": "Dit hulppunt biedt deze hulp niet aan. Kies een ander hulppunt.",
        "fr": "Ce point d'aide ne propose pas cette aide. Choisissez un autre point d'aide.",
        "de": "Diese Hilfestelle bietet diese Hilfe nicht an. Wählen Sie eine andere Hilfestelle.",
        "en": "This help point does not offer this help. Choose another help point."},
    "Language not offered": {
        "nl": "Niemand helpt hier in die taal. Kies een andere taal of een ander hulppunt.",
        "fr": "Personne n'aide ici dans cette langue. Choisissez une autre langue ou un autre point d'aide.",
        "de": "Hier hilft niemand in dieser Sprache. Wählen Sie eine andere Sprache oder Hilfestelle.",
        "en": "Nobody helps in that language here. Choose another language or help point."},
    "Not offered here": {
        "nl": "Dit hulppunt biedt deze hulp niet aan in die taal. Kies een ander hulppunt.",
        "fr": "Ce point d'aide ne propose pas cette aide dans cette langue. Choisissez un autre point d'aide.",
        "de": "Diese Hilfestelle bietet diese Hilfe nicht in dieser Sprache an. Wählen Sie eine andere.",
        "en": "This help point does not offer this help in that language. Choose another help point."},
    "Slot taken": {
        "nl": "Iemand anders heeft dit uur net genomen. Kies een ander uur.",
        "fr": "Quelqu'un vient de prendre cette heure. Choisissez une autre heure.",
        "de": "Jemand anderes hat diese Uhrzeit gerade gebucht. Wählen Sie eine andere Uhrzeit.",
        "en": "Someone else has just taken this time. Choose another time."},
    "Not an available slot": {
        "nl": "Dit uur is niet (meer) vrij. Kies een uur uit de lijst.",
        "fr": "Cette heure n'est pas (ou plus) libre. Choisissez une heure dans la liste.",
        "de": "Diese Uhrzeit ist nicht (mehr) frei. Wählen Sie eine Uhrzeit aus der Liste.",
        "en": "This time is not free (any more). Choose a time from the list."},
    "Phone number out of reach": {
        "nl": "Deze gemeente kan geen sms sturen naar nummers uit dat land. Geef een ander gsm-nummer "
              "of een e-mailadres.",
        "fr": "Cette commune ne peut pas envoyer de SMS vers les numéros de ce pays. Donnez un autre numéro "
              "de GSM ou une adresse e-mail.",
        "de": "Diese Gemeinde kann keine SMS an Nummern aus diesem Land senden. Geben Sie eine andere "
              "Handynummer oder eine E-Mail-Adresse an.",
        "en": "This municipality cannot send text messages to numbers from that country. Give another mobile "
              "number or an e-mail address."},
    "Unknown appointment": {
        "nl": "Deze afspraak bestaat niet. Gebruik de link uit uw bevestiging.",
        "fr": "Ce rendez-vous n'existe pas. Utilisez le lien de votre confirmation.",
        "de": "Diesen Termin gibt es nicht. Verwenden Sie den Link aus Ihrer Bestätigung.",
        "en": "This appointment does not exist. Use the link in your confirmation."},
    "Wrong appointment": {
        "nl": "Deze link hoort bij een andere afspraak.",
        "fr": "Ce lien appartient à un autre rendez-vous.",
        "de": "Dieser Link gehört zu einem anderen Termin.",
        "en": "This link belongs to another appointment."},
    "Link expired": {
        "nl": "Deze link is verlopen. Bel het hulppunt als u uw afspraak wilt wijzigen.",
        "fr": "Ce lien a expiré. Appelez le point d'aide pour changer votre rendez-vous.",
        "de": "Dieser Link ist abgelaufen. Rufen Sie die Hilfestelle an, um Ihren Termin zu ändern.",
        "en": "This link has expired. Call the help point to change your appointment."},
    "Link already used": {
        "nl": "Deze link werd al gebruikt. Elke link werkt één keer.",
        "fr": "Ce lien a déjà été utilisé. Chaque lien ne fonctionne qu'une fois.",
        "de": "Dieser Link wurde schon verwendet. Jeder Link funktioniert nur einmal.",
        "en": "This link was already used. Each link works once."},
    "Too late to change online": {
        "nl": "Uw afspraak begint binnenkort: online wijzigen kan niet meer. Bel het hulppunt.",
        "fr": "Votre rendez-vous commence bientôt : il ne peut plus être changé en ligne. Appelez le point "
              "d'aide.",
        "de": "Ihr Termin beginnt bald: Online ist keine Änderung mehr möglich. Rufen Sie die Hilfestelle an.",
        "en": "Your appointment starts soon: it can no longer be changed online. Call the help point."},
    "Appointment closed": {
        "nl": "Deze afspraak kan niet meer gewijzigd worden: ze werd geannuleerd of heeft al plaatsgevonden.",
        "fr": "Ce rendez-vous ne peut plus être modifié : il a été annulé ou a déjà eu lieu.",
        "de": "Dieser Termin kann nicht mehr geändert werden: Er wurde abgesagt oder hat schon stattgefunden.",
        "en": "This appointment can no longer be changed: it was cancelled or has already taken place."},
    "Nothing to claim": {
        "nl": "Dit vrijgekomen uur is niet meer voor u vastgehouden.",
        "fr": "Cette heure libérée ne vous est plus réservée.",
        "de": "Diese frei gewordene Uhrzeit ist nicht mehr für Sie reserviert.",
        "en": "This freed time is no longer held for you."},
}

BY_FIELD: dict[str, Texts] = {
    "phone": {
        "nl": "Dit is geen geldig gsm-nummer (bijvoorbeeld 0470 12 34 56 of +32 470 12 34 56).",
        "fr": "Ce n'est pas un numéro de GSM valable (par exemple 0470 12 34 56 ou +32 470 12 34 56).",
        "de": "Das ist keine gültige Handynummer (zum Beispiel 0470 12 34 56 oder +32 470 12 34 56).",
        "en": "This is not a valid mobile number (for example 0470 12 34 56 or +32 470 12 34 56)."},
    "email": {
        "nl": "Dit is geen geldig e-mailadres (bijvoorbeeld naam@voorbeeld.be).",
        "fr": "Ce n'est pas une adresse e-mail valable (par exemple nom@exemple.be).",
        "de": "Das ist keine gültige E-Mail-Adresse (zum Beispiel name@beispiel.be).",
        "en": "This is not a valid e-mail address (for example name@example.be)."},
    "contact": {
        "nl": "Geef een gsm-nummer of een e-mailadres, zodat we uw afspraak kunnen bevestigen.",
        "fr": "Donnez un numéro de GSM ou une adresse e-mail pour que nous puissions confirmer votre rendez-vous.",
        "de": "Geben Sie eine Handynummer oder E-Mail-Adresse an, damit wir Ihren Termin bestätigen können.",
        "en": "Give a mobile number or an e-mail address so we can confirm your appointment."},
    "starts_at": {
        "nl": "Kies een uur.",
        "fr": "Choisissez une heure.",
        "de": "Wählen Sie eine Uhrzeit.",
        "en": "Choose a time."},
    "postcode": {
        "nl": "Deze postcode kennen we niet. Geef een Belgische postcode van 4 cijfers, bijvoorbeeld 2800.",
        "fr": "Nous ne connaissons pas ce code postal. Donnez un code postal belge de 4 chiffres, par exemple 1040.",
        "de": "Diese Postleitzahl kennen wir nicht. Geben Sie eine belgische Postleitzahl mit 4 Ziffern an, "
              "zum Beispiel 4700.",
        "en": "We do not know this postcode. Give a Belgian postcode of 4 digits, for example 2800."},
    "bad_link": {
        "nl": "Deze link is niet geldig. Gebruik de link uit uw bevestiging.",
        "fr": "Ce lien n'est pas valable. Utilisez le lien de votre confirmation.",
        "de": "Dieser Link ist nicht gültig. Verwenden Sie den Link aus Ihrer Bestätigung.",
        "en": "This link is not valid. Use the link in your confirmation."},
    "link": {
        "nl": "Deze pagina werd geopend met een onvolledige link. Begin opnieuw bij de eerste stap.",
        "fr": "Cette page a été ouverte avec un lien incomplet. Recommencez à la première étape.",
        "de": "Diese Seite wurde mit einem unvollständigen Link geöffnet. Beginnen Sie beim ersten Schritt.",
        "en": "This page was opened with an incomplete link. Start again at the first step."},
}


# The SMS code a municipality may ask for before a public booking (`phone_checks`).
BY_TITLE.update({
    "Wrong code": {
        "nl": "Dat is niet de code die we stuurden. Kijk de sms na en probeer opnieuw.",
        "fr": "Ce n'est pas le code envoyé. Vérifiez le SMS et réessayez.",
        "de": "Das ist nicht der gesendete Code. Prüfen Sie die SMS und versuchen Sie es erneut.",
        "en": "That is not the code we sent. Check the text message and try again."},
    "Code expired": {
        "nl": "Deze code is niet meer geldig. Vraag een nieuwe code.",
        "fr": "Ce code n'est plus valable. Demandez un nouveau code.",
        "de": "Dieser Code ist nicht mehr gültig. Fordern Sie einen neuen Code an.",
        "en": "This code is no longer valid. Ask for a new code."},
    "Too many wrong codes": {
        "nl": "De code werd te vaak verkeerd ingevuld. Vraag een nieuwe code.",
        "fr": "Le code a été mal saisi trop souvent. Demandez un nouveau code.",
        "de": "Der Code wurde zu oft falsch eingegeben. Fordern Sie einen neuen Code an.",
        "en": "The code was entered wrongly too often. Ask for a new code."},
    "Code used": {
        "nl": "Deze code werd al gebruikt. Vraag een nieuwe code.",
        "fr": "Ce code a déjà été utilisé. Demandez un nouveau code.",
        "de": "Dieser Code wurde schon verwendet. Fordern Sie einen neuen Code an.",
        "en": "This code was used already. Ask for a new code."},
    "Too many codes": {
        "nl": "Dit nummer kreeg vandaag al te veel codes. Probeer morgen opnieuw, of geef alleen een e-mailadres.",
        "fr": "Ce numéro a déjà reçu trop de codes aujourd'hui. Réessayez demain, ou donnez seulement une adresse e-mail.",
        "de": "Diese Nummer hat heute schon zu viele Codes erhalten. Versuchen Sie es morgen, oder geben Sie nur "
              "eine E-Mail-Adresse an.",
        "en": "This number got too many codes today. Try again tomorrow, or give only an e-mail address."},
})
for _title in ("Code for another number", "Unknown phone check", "Phone number not confirmed"):
    BY_TITLE[_title] = BY_TITLE["Code expired"]  # the way out is the same: a new code
BY_FIELD["code"] = {
    "nl": "Vul de code van 6 cijfers uit de sms in.", "fr": "Entrez le code de 6 chiffres reçu par SMS.",
    "de": "Geben Sie den 6-stelligen Code aus der SMS ein.", "en": "Enter the 6-digit code from the text message."}
# The seat booking page (seats/page_routes.py).
BY_TITLE["Fully booked"] = {
    "nl": "Alle plaatsen zijn al bezet voor (een deel van) dit uur. Kies een ander uur.",
    "fr": "Toutes les places sont déjà prises pour (une partie de) cette heure. Choisissez une autre heure.",
    "de": "Alle Plätze sind für (einen Teil) dieser Stunde schon belegt. Wählen Sie eine andere Stunde.",
    "en": "Every seat is taken for (part of) this hour. Choose another hour."}
BY_TITLE["Slot not bookable"] = {
    "nl": "Op dit uur is het hulppunt niet open, of het uur is al voorbij. Kies een uur uit de lijst.",
    "fr": "Le point d'aide n'est pas ouvert à cette heure, ou elle est déjà passée. Choisissez une heure dans la liste.",
    "de": "Zu dieser Stunde ist die Hilfestelle nicht geöffnet, oder sie ist vorbei. Wählen Sie eine Stunde aus der Liste.",
    "en": "The help point is not open at that hour, or it is over. Choose an hour from the list."}
BY_TITLE["No such seats here"] = {
    "nl": "Dit hulppunt heeft zo geen plaatsen om te reserveren. Kies een ander hulppunt of een andere soort.",
    "fr": "Ce point d'aide n'a pas ce type de place à réserver. Choisissez un autre point ou un autre type.",
    "de": "Diese Hilfestelle hat solche Plätze nicht zu buchen. Wählen Sie eine andere Hilfestelle oder Art.",
    "en": "This help point has no such seats to book. Choose another help point or kind."}
# The same booking form sent again with other choices after it booked (page/submission.py).
BY_TITLE["Idempotency key reused"] = {
    "nl": "Met dit formulier is al geboekt. Open de pagina opnieuw om nog iets te boeken.",
    "fr": "Ce formulaire a déjà servi à réserver. Rouvrez la page pour réserver autre chose.",
    "de": "Mit diesem Formular wurde schon gebucht. Öffnen Sie die Seite erneut, um noch etwas zu buchen.",
    "en": "This form has booked already. Open the page again to book something else."}
BY_TITLE["Form used already"] = BY_TITLE["Idempotency key reused"]
BY_TITLE["Too late to cancel"] = {
    "nl": "Het uur is begonnen: annuleren kan niet meer online. Bel het hulppunt.",
    "fr": "L'heure a commencé : l'annulation en ligne n'est plus possible. Appelez le point d'aide.",
    "de": "Die Stunde hat begonnen: Online absagen geht nicht mehr. Rufen Sie die Hilfestelle an.",
    "en": "The hour has begun: it can no longer be cancelled online. Call the help point."}
BY_TITLE["Unknown link"] = BY_FIELD["bad_link"]  # a token that matches nothing, or no appointment id at all


def refusal_text(exc: BookingError, lang: str) -> str:
    """A refused use case in the page's language (the API's English sentence if not translated)."""
    texts = BY_TITLE.get(exc.title)
    return texts[lang] if texts else exc.detail


def field_text(field: str, lang: str) -> str:
    return BY_FIELD[field][lang]


def form_text(exc: ValidationError | ValueError, lang: str) -> str:
    """The contact or time the citizen typed does not validate: one sentence per field concerned."""
    if not isinstance(exc, ValidationError):
        return field_text("starts_at", lang)  # no time chosen, or not one of ours
    fields = dict.fromkeys(str(error["loc"][0]) if error["loc"] else "contact" for error in exc.errors())
    # Anything else comes from the page itself, not from what the citizen typed.
    return " ".join(BY_FIELD.get(name, BY_FIELD["link"])[lang] for name in fields)
