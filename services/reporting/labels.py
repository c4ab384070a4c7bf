"""Human words for every KPI title and column header, in NL, FR, DE and EN: a council reads
"Share in the eBox", never `ebox_share`. The JSON API and the CSV exports keep the machine codes
(stable keys for spreadsheets and back-offices in any language)."""

from __future__ import annotations

LANGUAGES = ("nl", "fr", "de", "en")


def _w(nl: str, fr: str, de: str, en: str) -> dict[str, str]:
    return {"nl": nl, "fr": fr, "de": de, "en": en}


TITLES: dict[str, dict[str, str]] = {
    "prints_by_point_kind": _w("Afgedrukte pagina's in bezoeken", "Pages imprimées pendant les visites",
                               "Gedruckte Seiten in Besuchen", "Pages printed in visits"),
    "visits_by_outcome": _w("Begeleide bezoeken per uitkomst", "Visites accompagnées par résultat",
                            "Begleitete Besuche nach Ergebnis", "Assisted visits by outcome"),
    "walk_in_wait": _w("Wachttijd zonder afspraak (minuten, gemiddeld)", "Attente sans rendez-vous (minutes, moyenne)",
                       "Wartezeit ohne Termin (Minuten, Durchschnitt)", "Walk-in waiting time (minutes, average)"),
    "appointments_by_outcome": _w("Afspraken per uitkomst", "Rendez-vous par résultat", "Termine nach Ergebnis",
                                  "Appointments by outcome"),
    "no_show_by_reminder": _w("Niet komen, met en zonder afgeleverde herinnering", "Absences, avec et sans rappel remis",
                              "Nichterscheinen, mit und ohne zugestellte Erinnerung",
                              "No-shows, with and without a delivered reminder"),
    "letters_by_channel": _w("Brieven per dienst, soort en kanaal", "Lettres par service, type et canal",
                             "Briefe nach Dienst, Art und Kanal", "Letters by department, type and channel"),
    "ebox_share": _w("Aandeel brieven in de eBox", "Part des lettres dans l'eBox", "Anteil der Briefe in der eBox",
                     "Share of letters delivered to the eBox"),
    "fallback_reasons": _w("Redenen voor papier", "Raisons du papier", "Gründe für Papier", "Why letters went on paper"),
    "issue_to_ebox_hours": _w("Van uitgifte tot eBox (uren, gemiddeld)", "De l'émission à l'eBox (heures, moyenne)",
                              "Von der Ausgabe bis zur eBox (Stunden, Durchschnitt)",
                              "From issue to eBox (hours, average)"),
    "unread_rate": _w("Ongelezen eBox-brieven", "Lettres eBox non lues", "Ungelesene eBox-Briefe", "Unread eBox letters"),
    "cost_avoided": _w("Uitgespaarde kosten (EUR, één tarief)", "Coûts évités (EUR, tarif unique)",
                       "Eingesparte Kosten (EUR, ein Tarif)", "Cost avoided (EUR, single rate)"),
    "adoption_funnel": _w("Geholpen met de eBox: later digitaal ontvangen",
                          "Aidés pour l'eBox : lettres reçues ensuite en numérique",
                          "Bei der eBox geholfen: später digital erhalten",
                          "Helped with the eBox: later letters received digitally"),
    "insert_campaign": _w("eBox-bijlage bij papieren brieven: effect tegenover de controlegroep",
                          "Encart eBox dans les lettres papier : effet par rapport au groupe témoin",
                          "eBox-Beilage in Papierbriefen: Wirkung gegenüber der Kontrollgruppe",
                          "eBox insert in paper letters: effect against the holdout"),
    "campaign_funnel": _w("eBox-campagne: van bijlage tot afspraak", "Campagne eBox : de l'encart au rendez-vous",
                          "eBox-Kampagne: von der Beilage zum Termin", "eBox campaign: from insert to appointment"),
    "device_loans": _w("Uitgeleende toestellen", "Appareils prêtés", "Ausgeliehene Geräte", "Devices lent"),
    "workshops": _w("Workshops: inschrijvingen, wachtlijst en aanwezigheid",
                    "Ateliers : inscriptions, liste d'attente et présence",
                    "Workshops: Anmeldungen, Warteliste und Teilnahme", "Workshops: registrations, waiting list and attendance"),
    "notifications": _w("Berichten per kanaal en status", "Messages par canal et statut", "Nachrichten nach Kanal und Status",
                        "Messages by channel and status"),
    "ebox_share_by_department": _w("Aandeel eBox per dienst, door de tijd", "Part de l'eBox par service, dans le temps",
                                   "Anteil der eBox nach Dienst, im Zeitverlauf", "eBox share by department over time"),
    "visits_by_topic": _w("Bezoeken per onderwerp", "Visites par sujet", "Besuche nach Thema", "Visits by topic"),
    "visits_by_point_kind": _w("Bezoeken per soort hulppunt", "Visites par type de point d'aide",
                               "Besuche nach Art der Hilfestelle", "Visits by kind of help point"),
    "cost_avoided_by_department": _w("Uitgespaarde portkosten per dienst en frankering (EUR, tarief van het jaar)",
                                     "Frais postaux évités par service et affranchissement (EUR, tarif de l'année)",
                                     "Eingesparte Portokosten nach Dienst und Frankierung (EUR, Tarif des Jahres)",
                                     "Postage avoided by department and postage class (EUR, that year's tariff)"),
}

COLUMNS: dict[str, dict[str, str]] = {
    "period": _w("Periode", "Période", "Zeitraum", "Period"),  # its cells name it in words (period_labels.py)
    "point_kind": _w("Soort hulppunt", "Type de point d'aide", "Art der Hilfestelle", "Kind of help point"),
    "outcome": _w("Uitkomst", "Résultat", "Ergebnis", "Outcome"),
    "visits": _w("Bezoeken", "Visites", "Besuche", "Visits"),
    "minutes": _w("Minuten", "Minutes", "Minuten", "Minutes"),
    "appointments": _w("Afspraken", "Rendez-vous", "Termine", "Appointments"),
    "reminder_delivered": _w("Herinnering", "Rappel", "Erinnerung", "Reminder"),
    "no_show_rate": _w("Niet gekomen", "Absents", "Nicht erschienen", "No-show rate"),
    "department": _w("Dienst", "Service", "Dienst", "Department"),
    "document_type": _w("Soort brief", "Type de lettre", "Briefart", "Kind of letter"),
    "channel": _w("Kanaal", "Canal", "Kanal", "Channel"),
    "letters": _w("Brieven", "Lettres", "Briefe", "Letters"),
    "ebox_share": _w("Aandeel in de eBox", "Part dans l'eBox", "Anteil in der eBox", "Share in the eBox"),
    "reason": _w("Reden", "Raison", "Grund", "Reason"),
    "hours": _w("Uren", "Heures", "Stunden", "Hours"),
    "unread_rate": _w("Ongelezen", "Non lues", "Ungelesen", "Unread"),
    "letters_digital_only": _w("Brieven enkel digitaal", "Lettres uniquement numériques", "Briefe nur digital",
                               "Letters only digital"),
    "eur": _w("EUR uitgespaard", "EUR évités", "EUR eingespart", "EUR avoided"),
    "digital_share": _w("Aandeel digitaal", "Part numérique", "Anteil digital", "Share digital"),
    "later_letters": _w("Latere brieven", "Lettres suivantes", "Spätere Briefe", "Later letters"),
    "citizens_helped": _w("Geholpen burgers", "Citoyens aidés", "Geholfene Bürger", "Citizens helped"),
    "with_insert_share": _w("Met bijlage: daarna digitaal", "Avec encart : ensuite en numérique",
                            "Mit Beilage: danach digital", "With the insert: later digital"),
    "holdout_share": _w("Controlegroep: daarna digitaal", "Groupe témoin : ensuite en numérique",
                        "Kontrollgruppe: danach digital", "Holdout: later digital"),
    "effect_pp": _w("Effect (procentpunten)", "Effet (points de pourcentage)", "Wirkung (Prozentpunkte)",
                    "Effect (percentage points)"),
    "ci_low_pp": _w("95%-interval, van", "Intervalle à 95 %, de", "95-%-Intervall, von", "95% interval, from"),
    "ci_high_pp": _w("95%-interval, tot", "Intervalle à 95 %, à", "95-%-Intervall, bis", "95% interval, to"),
    "holdout_followed_up": _w("Controlegroep met een latere brief", "Groupe témoin avec une lettre ultérieure",
                              "Kontrollgruppe mit späterem Brief", "Holdout with a later letter"),
    "insert_followed_up": _w("Met bijlage en een latere brief", "Avec encart et une lettre ultérieure",
                             "Mit Beilage und späterem Brief", "With the insert and a later letter"),
    "campaign": _w("Campagne", "Campagne", "Kampagne", "Campaign"),
    "inserts_sent": _w("Bijlagen verstuurd", "Encarts envoyés", "Beilagen verschickt", "Inserts sent"),
    "link_visits": _w("Bezoeken via de QR-code", "Visites via le code QR", "Besuche über den QR-Code",
                      "Visits through the QR code"),
    "bookings": _w("Afspraken via de QR-code", "Rendez-vous via le code QR", "Termine über den QR-Code",
                   "Appointments through the QR code"),
    "attended": _w("Gekomen", "Venus", "Erschienen", "Came"),
    "activations": _w("eBox geactiveerd", "eBox activée", "eBox aktiviert", "eBox activated"),
    "lent": _w("Uitgeleend", "Prêtés", "Ausgeliehen", "Lent"),
    "returned": _w("Teruggebracht", "Rendus", "Zurückgegeben", "Returned"),
    "overdue": _w("Te laat", "En retard", "Überfällig", "Overdue"),
    "renewed": _w("Verlengd", "Prolongés", "Verlängert", "Renewed"),
    "offered_from_waitlist": _w("Aangeboden aan wie wachtte", "Proposés aux personnes en attente",
                                "Wartenden angeboten", "Offered to people waiting"),
    "registrations": _w("Inschrijvingen", "Inscriptions", "Anmeldungen", "Registrations"),
    "waited": _w("Op de wachtlijst", "Sur liste d'attente", "Auf der Warteliste", "On the waiting list"),
    "placed_from_line": _w("Plaats gekregen van de wachtlijst", "Place obtenue depuis la liste d'attente",
                           "Platz von der Warteliste erhalten", "Got a place from the waiting list"),
    "cancelled": _w("Geannuleerd", "Annulées", "Abgesagt", "Cancelled"),
    "status": _w("Status", "Statut", "Status", "Status"),
    "messages": _w("Berichten", "Messages", "Nachrichten", "Messages"),
    "topic": _w("Onderwerp", "Sujet", "Thema", "Topic"),
    "postage_class": _w("Frankering", "Affranchissement", "Frankierung", "Postage class"),
    "pages_printed": _w("Pagina's afgedrukt", "Pages imprimées", "Gedruckte Seiten", "Pages printed"),
    "pages_over_quota": _w("Boven het gratis quotum", "Au-delà du quota gratuit", "Über dem Freikontingent",
                           "Over the free quota"),
    "tariff_year": _w("Tarief van", "Tarif de", "Tarif von", "Tariff of"),
}


def kpi_title(name: str, lang: str) -> str:
    return TITLES[name][lang]


def column_label(column: str, lang: str) -> str:
    return COLUMNS[column][lang]
