"""Every sentence of the KPI dashboard in NL, FR, DE and EN."""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    "nl": {"title": "Digitale inclusie in cijfers", "period": "Periode", "day": "dag", "week": "week",
           "month": "maand", "municipality": "Gemeente", "all": "Alle gemeenten", "show": "Tonen",
           "skip": "Naar de inhoud", "signed_in_as": "Aangemeld als", "signout": "Afmelden", "no_data": "Nog geen gegevens.",
           "table_below": "De cijfers staan in de tabel hieronder.", "languages": "Taal",
           "chart_desc": "Grafiek van {figure} per periode, per {series}.", "all_rows": "alle rijen",
           "all_hidden": "Geen grafiek: elk aantal hier is kleiner dan 5 personen of verborgen. De tabel hieronder toont wat er is.",
           "suppressed": "Aantallen onder 5 personen worden niet getoond (<5), om niemand herkenbaar te maken; "
                         "x: verborgen zodat een <5 niet uit de totalen kan worden afgeleid."},
    "fr": {"title": "L'inclusion numérique en chiffres", "period": "Période", "day": "jour", "week": "semaine",
           "month": "mois", "municipality": "Commune", "all": "Toutes les communes", "show": "Afficher",
           "skip": "Aller au contenu", "signed_in_as": "Connecté en tant que", "signout": "Se déconnecter",
           "no_data": "Pas encore de données.", "table_below": "Les chiffres figurent dans le tableau ci-dessous.",
           "languages": "Langue", "chart_desc": "Graphique : {figure} par période, par {series}.", "all_rows": "toutes les lignes",
           "all_hidden": "Pas de graphique : chaque effectif ici compte moins de 5 personnes ou est masqué. Le tableau ci-dessous montre ce qu'il y a.",
           "suppressed": "Les effectifs de moins de 5 personnes ne sont pas affichés (<5), pour que personne ne soit "
                         "reconnaissable ; x : masqué pour qu'un <5 ne puisse pas se déduire des totaux."},
    "de": {"title": "Digitale Inklusion in Zahlen", "period": "Zeitraum", "day": "Tag", "week": "Woche",
           "month": "Monat", "municipality": "Gemeinde", "all": "Alle Gemeinden", "show": "Anzeigen",
           "skip": "Zum Inhalt", "signed_in_as": "Angemeldet als", "signout": "Abmelden", "no_data": "Noch keine Daten.",
           "table_below": "Die Zahlen stehen in der Tabelle darunter.", "languages": "Sprache",
           "chart_desc": "Diagramm: {figure} je Zeitraum, nach {series}.", "all_rows": "alle Zeilen",
           "all_hidden": "Kein Diagramm: jede Zahl hier liegt unter 5 Personen oder ist verborgen. Die Tabelle darunter zeigt, was es gibt.",
           "suppressed": "Zahlen unter 5 Personen werden nicht gezeigt (<5), damit niemand erkennbar ist; "
                         "x: verborgen, damit sich ein <5 nicht aus den Summen errechnen lässt."},
    "en": {"title": "Digital inclusion in figures", "period": "Period", "day": "day", "week": "week",
           "month": "month", "municipality": "Municipality", "all": "All municipalities", "show": "Show",
           "skip": "Skip to content", "signed_in_as": "Signed in as", "signout": "Sign out", "no_data": "No data yet.",
           "table_below": "The figures are in the table below.", "languages": "Language",
           "chart_desc": "Chart of {figure} per period, by {series}.", "all_rows": "all rows",
           "all_hidden": "No chart: every count here is below 5 people or hidden. The table below shows what there is.",
           "suppressed": "Counts below 5 people are not shown (<5), so that nobody can be recognised; "
                         "x: hidden so that a <5 cannot be worked out from the totals."},
}
# The monthly report and the public performance page.
MORE: dict[str, dict[str, str]] = {'nl': {'monthly_link': 'Maandrapport voor de gemeenteraad (afdrukbaar)',
        'monthly_title': 'Maandrapport digitale inclusie',
        'month_label': 'Maand',
        'print_hint': 'Druk deze pagina af of bewaar ze als PDF via het afdrukmenu van uw browser.',
        'summary': 'Kerncijfers',
        'sum_letters': 'Brieven',
        'sum_share': 'Aandeel in de eBox',
        'sum_eur': 'Uitgespaarde portkosten (EUR)',
        'sum_visits': 'Begeleide bezoeken',
        'trend_note': 'Grafieken en tabellen: %s tot %s.',
        'performance_title': 'Loket: prestaties',
        'performance_intro': 'Hoe Loket presteert, per maand. Iedereen mag deze cijfers zien; kleine aantallen zijn '
                             'verborgen.'},
 'fr': {'monthly_link': 'Rapport mensuel pour le conseil communal (imprimable)',
        'monthly_title': "Rapport mensuel de l'inclusion numérique",
        'month_label': 'Mois',
        'print_hint': "Imprimez cette page ou enregistrez-la en PDF depuis le menu d'impression de votre navigateur.",
        'summary': 'Chiffres clés',
        'sum_letters': 'Lettres',
        'sum_share': "Part dans l'eBox",
        'sum_eur': 'Frais postaux évités (EUR)',
        'sum_visits': 'Visites accompagnées',
        'trend_note': 'Graphiques et tableaux : de %s à %s.',
        'performance_title': 'Loket : performances',
        'performance_intro': 'Les performances de Loket, par mois. Ces chiffres sont publics ; les petits effectifs '
                             'sont masqués.'},
 'de': {'monthly_link': 'Monatsbericht für den Gemeinderat (druckbar)',
        'monthly_title': 'Monatsbericht digitale Inklusion',
        'month_label': 'Monat',
        'print_hint': 'Drucken Sie diese Seite oder speichern Sie sie über das Druckmenü Ihres Browsers als PDF.',
        'summary': 'Kennzahlen',
        'sum_letters': 'Briefe',
        'sum_share': 'Anteil in der eBox',
        'sum_eur': 'Eingesparte Portokosten (EUR)',
        'sum_visits': 'Begleitete Besuche',
        'trend_note': 'Diagramme und Tabellen: %s bis %s.',
        'performance_title': 'Loket: Leistung',
        'performance_intro': 'Wie Loket arbeitet, je Monat. Diese Zahlen sind öffentlich; kleine Zahlen sind '
                             'verborgen.'},
 'en': {'monthly_link': 'Monthly report for the council (printable)',
        'monthly_title': 'Monthly digital-inclusion report',
        'month_label': 'Month',
        'print_hint': "Print this page, or save it as PDF from your browser's print menu.",
        'summary': 'Key figures',
        'sum_letters': 'Letters',
        'sum_share': 'Share in the eBox',
        'sum_eur': 'Postage avoided (EUR)',
        'sum_visits': 'Assisted visits',
        'trend_note': 'Charts and tables: %s to %s.',
        'performance_title': 'Loket: performance',
        'performance_intro': 'How Loket performs, month by month. Anyone may see these figures; small counts are '
                             'hidden.'}}
for _lang, _more in MORE.items():
    TEXTS[_lang].update(_more)

LANGUAGE_NAMES = {"nl": "Nederlands", "fr": "Français", "de": "Deutsch", "en": "English"}
