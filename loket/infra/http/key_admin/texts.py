"""The sentences of the key management page in NL, FR, DE and EN."""

from __future__ import annotations

from loket.infra.identity.roles import Role

TEXTS: dict[str, dict[str, str]] = {
    "title": {"nl": "API-sleutels", "fr": "Clés d'API", "de": "API-Schlüssel", "en": "API keys"},
    "intro": {"nl": "Sleutels laten systemen (een backoffice, een drukkerij, een kiosk) Loket gebruiken voor {m}.",
              "fr": "Les clés permettent à des systèmes (un back-office, un imprimeur, une borne) d'utiliser Loket pour {m}.",
              "de": "Schlüssel lassen Systeme (ein Backoffice, eine Druckerei, ein Kiosk) Loket für {m} nutzen.",
              "en": "Keys let systems (a back-office, a print house, a kiosk) use Loket for {m}."},
    "all_municipalities": {"nl": "alle gemeenten", "fr": "toutes les communes", "de": "alle Gemeinden",
                           "en": "every municipality"},
    "existing": {"nl": "Bestaande sleutels", "fr": "Clés existantes", "de": "Vorhandene Schlüssel", "en": "Existing keys"},
    "none": {"nl": "Nog geen sleutels.", "fr": "Pas encore de clé.", "de": "Noch keine Schlüssel.", "en": "No keys yet."},
    "prefix": {"nl": "Voorvoegsel", "fr": "Préfixe", "de": "Präfix", "en": "Prefix"},
    "name": {"nl": "Naam", "fr": "Nom", "de": "Name", "en": "Name"},
    "role": {"nl": "Rol", "fr": "Rôle", "de": "Rolle", "en": "Role"},
    "points": {"nl": "Hulppunten", "fr": "Points d'aide", "de": "Hilfepunkte", "en": "Help points"},
    "expires": {"nl": "Vervalt", "fr": "Expire", "de": "Läuft ab", "en": "Expires"},
    "last_used": {"nl": "Laatst gebruikt", "fr": "Dernière utilisation", "de": "Zuletzt benutzt", "en": "Last used"},
    "state": {"nl": "Toestand", "fr": "État", "de": "Zustand", "en": "State"},
    "active": {"nl": "actief", "fr": "active", "de": "aktiv", "en": "active"},
    "revoked": {"nl": "ingetrokken", "fr": "révoquée", "de": "widerrufen", "en": "revoked"},
    "expired": {"nl": "vervallen", "fr": "expirée", "de": "abgelaufen", "en": "expired"},
    "never": {"nl": "nooit", "fr": "jamais", "de": "nie", "en": "never"},
    "revoke": {"nl": "Intrekken", "fr": "Révoquer", "de": "Widerrufen", "en": "Revoke"},
    "revoke_label": {"nl": "Sleutel {p} intrekken", "fr": "Révoquer la clé {p}", "de": "Schlüssel {p} widerrufen",
                     "en": "Revoke key {p}"},
    "new": {"nl": "Nieuwe sleutel", "fr": "Nouvelle clé", "de": "Neuer Schlüssel", "en": "New key"},
    "name_hint": {"nl": "Wie of wat de sleutel gebruikt, bv. 'Financiën – facturatie'.",
                  "fr": "Qui ou quoi utilise la clé, p. ex. « Finances – facturation ».",
                  "de": "Wer oder was den Schlüssel nutzt, z. B. „Finanzen – Rechnungen“.",
                  "en": "Who or what uses the key, e.g. 'Finance – invoicing'."},
    "points_hint": {"nl": "Alleen voor een kiosk of scherm: de hulppunt-id's, gescheiden door komma's.",
                    "fr": "Seulement pour une borne ou un écran : les identifiants des points, séparés par des virgules.",
                    "de": "Nur für einen Kiosk oder Bildschirm: die Kennungen der Hilfepunkte, durch Kommas getrennt.",
                    "en": "Only for a kiosk or display: the help points' ids, separated by commas."},
    "days": {"nl": "Geldig (dagen)", "fr": "Valable (jours)", "de": "Gültig (Tage)", "en": "Valid for (days)"},
    "create": {"nl": "Sleutel maken", "fr": "Créer la clé", "de": "Schlüssel erstellen", "en": "Create key"},
    "created": {"nl": "Sleutel {p} is gemaakt. Kopieer hem nu: hij wordt niet meer getoond.",
                "fr": "La clé {p} est créée. Copiez-la maintenant : elle ne sera plus affichée.",
                "de": "Schlüssel {p} ist erstellt. Kopieren Sie ihn jetzt: er wird nicht wieder angezeigt.",
                "en": "Key {p} is made. Copy it now: it is not shown again."},
    "the_key": {"nl": "De sleutel", "fr": "La clé", "de": "Der Schlüssel", "en": "The key"},
    "revoked_notice": {"nl": "Sleutel {p} is ingetrokken; elke dienst weigert hem binnen enkele seconden.",
                       "fr": "La clé {p} est révoquée ; chaque service la refuse en quelques secondes.",
                       "de": "Schlüssel {p} ist widerrufen; jeder Dienst lehnt ihn binnen Sekunden ab.",
                       "en": "Key {p} is revoked; every service refuses it within seconds."},
    "back": {"nl": "Terug naar de sleutels", "fr": "Retour aux clés", "de": "Zurück zu den Schlüsseln",
             "en": "Back to the keys"},
    "missing_name": {"nl": "Geef de sleutel een naam.", "fr": "Donnez un nom à la clé.",
                     "de": "Geben Sie dem Schlüssel einen Namen.", "en": "Give the key a name."},
    "bad_days": {"nl": "Kies een geldigheid van 1 tot 730 dagen.", "fr": "Choisissez une validité de 1 à 730 jours.",
                 "de": "Wählen Sie eine Gültigkeit von 1 bis 730 Tagen.", "en": "Choose a validity of 1 to 730 days."},
    "missing_points": {"nl": "Een kiosk of scherm hoort bij minstens één hulppunt van uw gemeente.",
                       "fr": "Une borne ou un écran appartient à au moins un point d'aide de votre commune.",
                       "de": "Ein Kiosk oder Bildschirm gehört zu mindestens einem Hilfepunkt Ihrer Gemeinde.",
                       "en": "A kiosk or display belongs to at least one help point of your municipality."},
    "refused": {"nl": "Niet mogelijk", "fr": "Pas possible", "de": "Nicht möglich", "en": "Not possible"},
    "expired_form": {"nl": "Dit formulier is verlopen; open de pagina opnieuw. Er is niets gebeurd.",
                     "fr": "Ce formulaire a expiré ; rouvrez la page. Rien n'a été fait.",
                     "de": "Dieses Formular ist abgelaufen; öffnen Sie die Seite erneut. Es ist nichts geschehen.",
                     "en": "This form has expired; open the page again. Nothing was done."},
    "unknown_key": {"nl": "Er is geen sleutel {p}.", "fr": "Il n'y a pas de clé {p}.", "de": "Es gibt keinen Schlüssel {p}.",
                    "en": "There is no key {p}."},
    "not_admin": {"nl": "Alleen de beheerder van een gemeente beheert haar sleutels.",
                  "fr": "Seul l'administrateur d'une commune gère ses clés.",
                  "de": "Nur die Verwaltung einer Gemeinde verwaltet ihre Schlüssel.",
                  "en": "Only a municipality's administrator manages its keys."},
}

# The roles an administrator may give a key: systems, and analysts' scripts. Never a person's role.
KEY_ROLES = (Role.BACKOFFICE, Role.PRINT_HOUSE, Role.DEVICE, Role.ANALYST)
ROLE_NAMES: dict[Role, dict[str, str]] = {
    Role.BACKOFFICE: {"nl": "Backofficesysteem", "fr": "Système de back-office", "de": "Backoffice-System",
                      "en": "Back-office system"},
    Role.PRINT_HOUSE: {"nl": "Drukkerij", "fr": "Imprimeur", "de": "Druckerei", "en": "Print house"},
    Role.DEVICE: {"nl": "Kiosk of wachtzaalscherm", "fr": "Borne ou écran de salle d'attente",
                  "de": "Kiosk oder Wartezimmer-Bildschirm", "en": "Kiosk or waiting-room display"},
    Role.ANALYST: {"nl": "Analist (cijfers)", "fr": "Analyste (chiffres)", "de": "Analyst (Zahlen)",
                   "en": "Analyst (figures)"},
}


def texts_for(lang: str) -> dict[str, str]:
    return {key: by_lang[lang] for key, by_lang in TEXTS.items()}
