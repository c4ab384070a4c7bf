"""The letter desk's sentences and labels in NL, FR, DE and EN. States, reasons and kinds are
shown by these human labels, never by their names in the code."""

from __future__ import annotations

from loket.infra.counted_words import Forms

LANGUAGE_NAMES = {"nl": "Nederlands", "fr": "Français", "de": "Deutsch", "en": "English"}

TEXTS: dict[str, dict[str, str]] = {
    "desk": {"nl": "Briefbalie", "fr": "Guichet des lettres", "de": "Briefschalter", "en": "Letter desk"},
    "skip": {"nl": "Naar de inhoud", "fr": "Aller au contenu", "de": "Zum Inhalt", "en": "Skip to content"},
    "languages": {"nl": "Taal", "fr": "Langue", "de": "Sprache", "en": "Language"},
    "sections": {"nl": "Onderdelen", "fr": "Sections", "de": "Bereiche", "en": "Sections"},
    "nav_find": {"nl": "Brief zoeken", "fr": "Trouver une lettre", "de": "Brief suchen", "en": "Find a letter"},
    "nav_batches": {"nl": "Printrondes", "fr": "Lots d'impression", "de": "Druckläufe", "en": "Print batches"},
    "nav_dlq": {"nl": "Geweigerde brieven", "fr": "Lettres refusées", "de": "Abgewiesene Briefe",
                "en": "Refused letters"},
    "nav_webhooks": {"nl": "Webhooks", "fr": "Webhooks", "de": "Webhooks", "en": "Webhooks"},
    "nav_returned": {"nl": "Teruggestuurd", "fr": "Retours", "de": "Rücksendungen", "en": "Returned"},
    "returned_title": {"nl": "Teruggestuurde brieven: adres nakijken", "fr": "Lettres retournées : vérifier l'adresse",
                       "de": "Zurückgesandte Briefe: Adresse prüfen", "en": "Returned letters: check the address"},
    "returned_intro": {"nl": "bpost kon deze brieven niet bezorgen. Kijk het adres na in het bevolkingsregister en "
                             "duid de brief dan aan als nagekeken.",
                       "fr": "bpost n'a pas pu distribuer ces lettres. Vérifiez l'adresse dans le registre de la "
                             "population, puis marquez la lettre comme vérifiée.",
                       "de": "bpost konnte diese Briefe nicht zustellen. Prüfen Sie die Adresse im "
                             "Bevölkerungsregister und markieren Sie den Brief dann als geprüft.",
                       "en": "bpost could not deliver these letters. Check the address in the population register, "
                             "then mark the letter as checked."},
    "department": {"nl": "Dienst", "fr": "Service", "de": "Dienst", "en": "Department"},
    "returned_check": {"nl": "Adres nagekeken", "fr": "Adresse vérifiée", "de": "Adresse geprüft",
                       "en": "Address checked"},
    "returned_check_label": {"nl": "Adres van brief {i} nagekeken", "fr": "Adresse de la lettre {i} vérifiée",
                             "de": "Adresse von Brief {i} geprüft", "en": "Address of letter {i} checked"},
    "returned_done": {"nl": "Aangeduid als nagekeken.", "fr": "Marquée comme vérifiée.", "de": "Als geprüft markiert.",
                      "en": "Marked as checked."},
    "returned_none": {"nl": "Geen teruggestuurde brieven om na te kijken.", "fr": "Aucune lettre retournée à vérifier.",
                      "de": "Keine zurückgesandten Briefe zu prüfen.", "en": "No returned letters to check."},
    "returned_no_reason": {"nl": "Geen reden opgegeven", "fr": "Aucune raison indiquée", "de": "Kein Grund angegeben",
                           "en": "No reason given"},
    "returned_gone": {"nl": "Die brief staat niet (meer) op de lijst.", "fr": "Cette lettre n'est pas (plus) dans la liste.",
                      "de": "Dieser Brief ist nicht (mehr) in der Liste.", "en": "That letter is not (or no longer) on the list."},
    "signed_in_as": {"nl": "Aangemeld als {n}", "fr": "Connecté·e : {n}", "de": "Angemeldet als {n}",
                     "en": "Signed in as {n}"},
    "sign_out": {"nl": "Afmelden", "fr": "Se déconnecter", "de": "Abmelden", "en": "Sign out"},
    "scope_one": {"nl": "U ziet de brieven van {m}.", "fr": "Vous voyez les lettres de {m}.",
                  "de": "Sie sehen die Briefe von {m}.", "en": "You see the letters of {m}."},
    "scope_all": {"nl": "U ziet de brieven van alle gemeenten.", "fr": "Vous voyez les lettres de toutes les communes.",
                  "de": "Sie sehen die Briefe aller Gemeinden.", "en": "You see the letters of every municipality."},
    # --- finding
    "find_title": {"nl": "Een brief zoeken", "fr": "Trouver une lettre", "de": "Einen Brief suchen",
                   "en": "Find a letter"},
    "find_by_letter": {"nl": "Op brief", "fr": "Par lettre", "de": "Nach Brief", "en": "By letter"},
    "find_by_person": {"nl": "Op ontvanger", "fr": "Par destinataire", "de": "Nach Empfänger", "en": "By recipient"},
    "by_id_or_ref": {"nl": "Brief-id of referentie van de afzender", "fr": "Identifiant de la lettre ou référence de l'expéditeur",
                     "de": "Brief-ID oder Referenz des Absenders", "en": "Letter id or sender reference"},
    "by_id_hint": {"nl": "Bijvoorbeeld 3f2c…-… (de id die Loket gaf) of de referentie van uw backoffice.",
                   "fr": "Par exemple 3f2c…-… (l'identifiant donné par Loket) ou la référence de votre back-office.",
                   "de": "Zum Beispiel 3f2c…-… (die ID von Loket) oder die Referenz Ihres Backoffice.",
                   "en": "For example 3f2c…-… (the id Loket gave) or your back-office's reference."},
    "search": {"nl": "Zoeken", "fr": "Rechercher", "de": "Suchen", "en": "Search"},
    "by_recipient": {"nl": "Rijksregisternummer van de ontvanger", "fr": "Numéro de registre national du destinataire",
                     "de": "Nationalregisternummer des Empfängers", "en": "Recipient's national register number"},
    "by_recipient_hint": {
        "nl": "Typ het volledige nummer (11 cijfers). Het wordt niet bewaard, niet getoond en staat nooit in een adres.",
        "fr": "Tapez le numéro complet (11 chiffres). Il n'est ni conservé, ni affiché, ni jamais mis dans une adresse.",
        "de": "Geben Sie die vollständige Nummer ein (11 Ziffern). Sie wird weder gespeichert noch angezeigt und steht nie in einer Adresse.",
        "en": "Type the full number (11 digits). It is not kept, not shown and never put in an address."},
    "search_recipient": {"nl": "Brieven van deze persoon zoeken", "fr": "Chercher les lettres de cette personne",
                         "de": "Briefe dieser Person suchen", "en": "Find this person's letters"},
    "bad_number": {"nl": "Dit is geen geldig rijksregister- of bisnummer. Kijk de 11 cijfers na.",
                   "fr": "Ce n'est pas un numéro de registre national ou bis valable. Vérifiez les 11 chiffres.",
                   "de": "Das ist keine gültige Nationalregister- oder BIS-Nummer. Prüfen Sie die 11 Ziffern.",
                   "en": "This is not a valid national register or BIS number. Check the 11 digits."},
    "empty_query": {"nl": "Typ een brief-id of een referentie.", "fr": "Tapez un identifiant ou une référence.",
                    "de": "Geben Sie eine Brief-ID oder eine Referenz ein.", "en": "Type a letter id or a reference."},
    "results": {"nl": "Gevonden brieven", "fr": "Lettres trouvées", "de": "Gefundene Briefe", "en": "Letters found"},
    "results_for_ref": {"nl": "Brieven met referentie “{r}”", "fr": "Lettres avec la référence « {r} »",
                        "de": "Briefe mit der Referenz „{r}“", "en": "Letters with reference “{r}”"},
    "results_for_recipient": {"nl": "Brieven aan het getypte nummer (niet getoond)",
                              "fr": "Lettres au numéro tapé (non affiché)",
                              "de": "Briefe an die eingegebene Nummer (nicht angezeigt)",
                              "en": "Letters to the number you typed (not shown)"},
    "none_found": {"nl": "Geen brief gevonden.", "fr": "Aucune lettre trouvée.", "de": "Kein Brief gefunden.",
                   "en": "No letter found."},
    "letter": {"nl": "Brief", "fr": "Lettre", "de": "Brief", "en": "Letter"},
    "reference": {"nl": "Referentie", "fr": "Référence", "de": "Referenz", "en": "Reference"},
    "municipality": {"nl": "Gemeente", "fr": "Commune", "de": "Gemeinde", "en": "Municipality"},
    "status": {"nl": "Toestand", "fr": "État", "de": "Status", "en": "Status"},
    "received": {"nl": "Ontvangen", "fr": "Reçue", "de": "Eingegangen", "en": "Received"},
    "open_letter": {"nl": "Brief {i} openen", "fr": "Ouvrir la lettre {i}", "de": "Brief {i} öffnen",
                    "en": "Open letter {i}"},
    # --- one letter
    "letter_title": {"nl": "Brief {i}", "fr": "Lettre {i}", "de": "Brief {i}", "en": "Letter {i}"},
    "summary": {"nl": "Overzicht", "fr": "Résumé", "de": "Übersicht", "en": "Summary"},
    "routing": {"nl": "Route", "fr": "Acheminement", "de": "Zustellweg", "en": "Route"},
    "document_type": {"nl": "Soort brief", "fr": "Type de document", "de": "Dokumentart", "en": "Kind of letter"},
    "ebox_channel": {"nl": "eBox", "fr": "eBox", "de": "eBox", "en": "eBox"},
    "paper_channel": {"nl": "Papier", "fr": "Papier", "de": "Papier", "en": "Paper"},
    "not_used": {"nl": "Niet gebruikt voor deze brief.", "fr": "Pas utilisé pour ce courrier.",
                 "de": "Für diesen Brief nicht genutzt.", "en": "Not used for this letter."},
    "delivered_at": {"nl": "Afgeleverd", "fr": "Déposée le", "de": "Zugestellt am", "en": "Delivered"},
    "read_at": {"nl": "Gelezen", "fr": "Lue le", "de": "Gelesen am", "en": "Read"},
    "print_batch": {"nl": "Printronde", "fr": "Lot d'impression", "de": "Drucklauf", "en": "Print batch"},
    "last_error": {"nl": "Laatste fout van de eBox", "fr": "Dernière erreur de l'eBox", "de": "Letzter Fehler der eBox",
                   "en": "Last eBox error"},
    "timeline": {"nl": "Tijdlijn", "fr": "Chronologie", "de": "Zeitleiste", "en": "Timeline"},
    "when": {"nl": "Wanneer", "fr": "Quand", "de": "Wann", "en": "When"},
    "channel": {"nl": "Kanaal", "fr": "Canal", "de": "Kanal", "en": "Channel"},
    "step": {"nl": "Stap", "fr": "Étape", "de": "Schritt", "en": "Step"},
    "why": {"nl": "Waarom", "fr": "Pourquoi", "de": "Warum", "en": "Why"},
    "not_yet_admitted": {"nl": "De brief is aanvaard en wacht op de verwerking.",
                         "fr": "La lettre est acceptée et attend son traitement.",
                         "de": "Der Brief ist angenommen und wartet auf die Verarbeitung.",
                         "en": "The letter is accepted and waits to be processed."},
    "times_in": {"nl": "Tijden in Brussel.", "fr": "Heures de Bruxelles.", "de": "Zeiten in Brüssel.",
                 "en": "Times in Brussels."},
    "back_to_find": {"nl": "Een andere brief zoeken", "fr": "Chercher une autre lettre", "de": "Einen anderen Brief suchen",
                     "en": "Find another letter"},
    # --- print batches
    "batches_title": {"nl": "Printrondes", "fr": "Lots d'impression", "de": "Druckläufe", "en": "Print batches"},
    "batches_intro": {"nl": "Elke dag om de sluitingstijd gaan de wachtende brieven in één printronde. "
                            "U ziet de rondes die enkel brieven van uw gemeente bevatten.",
                      "fr": "Chaque jour à l'heure de clôture, les lettres en attente forment un lot d'impression. "
                            "Vous voyez les lots qui ne contiennent que des lettres de votre commune.",
                      "de": "Jeden Tag zum Annahmeschluss bilden die wartenden Briefe einen Drucklauf. "
                            "Sie sehen die Läufe, die nur Briefe Ihrer Gemeinde enthalten.",
                      "en": "Every day at the cut-off the waiting letters form one print batch. "
                            "You see the batches that hold only your municipality's letters."},
    "batches_intro_all": {"nl": "Elke dag om de sluitingstijd gaan de wachtende brieven in één printronde.",
                          "fr": "Chaque jour à l'heure de clôture, les lettres en attente forment un lot d'impression.",
                          "de": "Jeden Tag zum Annahmeschluss bilden die wartenden Briefe einen Drucklauf.",
                          "en": "Every day at the cut-off the waiting letters form one print batch."},
    "no_batches": {"nl": "Nog geen printronde.", "fr": "Pas encore de lot.", "de": "Noch kein Drucklauf.",
                   "en": "No print batch yet."},
    "batch": {"nl": "Ronde", "fr": "Lot", "de": "Lauf", "en": "Batch"},
    "cutoff": {"nl": "Sluiting", "fr": "Clôture", "de": "Annahmeschluss", "en": "Cut-off"},
    "letters": {"nl": "Brieven", "fr": "Lettres", "de": "Briefe", "en": "Letters"},
    "pages": {"nl": "Pagina's", "fr": "Pages", "de": "Seiten", "en": "Pages"},
    "confirmation": {"nl": "Bevestiging drukkerij", "fr": "Confirmation de l'imprimeur", "de": "Bestätigung der Druckerei",
                     "en": "Print house confirmation"},
    "files": {"nl": "Bestanden", "fr": "Fichiers", "de": "Dateien", "en": "Files"},
    "files_pending": {"nl": "worden geschreven", "fr": "en cours d'écriture", "de": "werden geschrieben",
                      "en": "being written"},
    "files_purged": {"nl": "verwijderd na de bewaartermijn", "fr": "supprimés après le délai de conservation",
                     "de": "nach Ablauf der Aufbewahrungsfrist gelöscht", "en": "removed after the retention period"},
    "open_batch": {"nl": "Ronde {b} openen", "fr": "Ouvrir le lot {b}", "de": "Lauf {b} öffnen", "en": "Open batch {b}"},
    "batch_title": {"nl": "Printronde {b}", "fr": "Lot d'impression {b}", "de": "Drucklauf {b}", "en": "Print batch {b}"},
    "progress": {"nl": "Voortgang", "fr": "Avancement", "de": "Fortschritt", "en": "Progress"},
    "count_in_batch": {"nl": "Wacht op de drukkerij", "fr": "Attend l'imprimeur", "de": "Wartet auf die Druckerei",
                       "en": "Waiting for the print house"},
    "download": {"nl": "Downloaden", "fr": "Télécharger", "de": "Herunterladen", "en": "Download"},
    "manifest_json": {"nl": "Manifest (JSON)", "fr": "Manifeste (JSON)", "de": "Manifest (JSON)", "en": "Manifest (JSON)"},
    "manifest_csv": {"nl": "Manifest (CSV, voor een rekenblad)", "fr": "Manifeste (CSV, pour un tableur)",
                     "de": "Manifest (CSV, für eine Tabelle)", "en": "Manifest (CSV, for a spreadsheet)"},
    "batch_pdf": {"nl": "Alle brieven (PDF)", "fr": "Toutes les lettres (PDF)", "de": "Alle Briefe (PDF)",
                  "en": "Every letter (PDF)"},
    "returned_letters": {"nl": "Teruggekomen brieven", "fr": "Lettres revenues", "de": "Zurückgekommene Briefe",
                         "en": "Returned letters"},
    "no_returned": {"nl": "Geen enkele brief kwam terug.", "fr": "Aucune lettre n'est revenue.",
                    "de": "Kein Brief kam zurück.", "en": "No letter came back."},
    "returned_at": {"nl": "Teruggekomen", "fr": "Revenue le", "de": "Zurück am", "en": "Returned"},
    "back_to_batches": {"nl": "Terug naar de printrondes", "fr": "Retour aux lots", "de": "Zurück zu den Druckläufen",
                        "en": "Back to the print batches"},
    # --- dead letters
    "dlq_title": {"nl": "Geweigerde brieven", "fr": "Lettres refusées", "de": "Abgewiesene Briefe",
                  "en": "Refused letters"},
    "dlq_intro": {"nl": "Brieven die de verwerking niet kon aannemen, met de reden. Is de oorzaak verholpen "
                        "(bijvoorbeeld de verzendregels van de gemeente), stuur de brief dan opnieuw in.",
                  "fr": "Les lettres que le traitement n'a pas pu accepter, avec la raison. Une fois la cause "
                        "corrigée (par exemple les règles d'envoi de la commune), renvoyez la lettre.",
                  "de": "Briefe, die die Verarbeitung nicht annehmen konnte, mit dem Grund. Ist die Ursache behoben "
                        "(zum Beispiel die Versandregeln der Gemeinde), senden Sie den Brief erneut ein.",
                  "en": "Letters that processing could not take, with the reason. Once the cause is fixed "
                        "(for instance the municipality's sending rules), send the letter in again."},
    "no_dead_letters": {"nl": "Geen geweigerde brieven.", "fr": "Aucune lettre refusée.", "de": "Keine abgewiesenen Briefe.",
                        "en": "No refused letters."},
    "dlq_unreadable": {"nl": "onleesbaar bericht", "fr": "message illisible", "de": "unlesbare Nachricht",
                       "en": "unreadable message"},
    "kind": {"nl": "Soort", "fr": "Type", "de": "Art", "en": "Kind"},
    "reason": {"nl": "Reden", "fr": "Raison", "de": "Grund", "en": "Reason"},
    # A refused letter's reason is the processing's own text, always English: the header says so
    # and the cell carries lang="en" so that a screen reader switches voice.
    "technical_reason": {"nl": "Technische reden (Engels)", "fr": "Raison technique (en anglais)",
                         "de": "Technischer Grund (Englisch)", "en": "Technical reason"},
    "tries": {"nl": "Pogingen", "fr": "Essais", "de": "Versuche", "en": "Tries"},
    "refused_at": {"nl": "Geweigerd", "fr": "Refusée le", "de": "Abgewiesen am", "en": "Refused"},
    "replay": {"nl": "Opnieuw insturen", "fr": "Renvoyer", "de": "Erneut einsenden", "en": "Send in again"},
    "replay_label": {"nl": "Brief {i} opnieuw insturen", "fr": "Renvoyer la lettre {i}",
                     "de": "Brief {i} erneut einsenden", "en": "Send letter {i} in again"},
    "replayed": {"nl": "De brief is opnieuw ingestuurd; zoek hem over enkele seconden op.",
                 "fr": "La lettre est renvoyée ; retrouvez-la dans quelques secondes.",
                 "de": "Der Brief ist erneut eingesandt; suchen Sie ihn in einigen Sekunden.",
                 "en": "The letter is sent in again; look it up in a few seconds."},
    "dlq_gone": {"nl": "Deze geweigerde brief bestaat niet (meer): misschien stuurde iemand hem al opnieuw in.",
                 "fr": "Cette lettre refusée n'existe pas (plus) : quelqu'un l'a peut-être déjà renvoyée.",
                 "de": "Diesen abgewiesenen Brief gibt es nicht (mehr): vielleicht hat ihn schon jemand erneut eingesandt.",
                 "en": "This refused letter does not exist (any more): someone may have sent it in again already."},
    "bus_down": {"nl": "De berichtenbus is nu niet bereikbaar; probeer het over een minuut opnieuw.",
                 "fr": "Le bus de messages est injoignable ; réessayez dans une minute.",
                 "de": "Der Nachrichtenbus ist nicht erreichbar; versuchen Sie es in einer Minute erneut.",
                 "en": "The message bus cannot be reached; try again in a minute."},
    "dlq_newest": {"nl": "U ziet de {m} recentste.", "fr": "Vous voyez les {m} plus récentes.",
                   "de": "Sie sehen die {m} neuesten.", "en": "You see the newest {m}."},
    # --- webhooks
    "webhooks_title": {"nl": "Webhooks", "fr": "Webhooks", "de": "Webhooks", "en": "Webhooks"},
    "webhooks_intro": {"nl": "De adressen die uw backoffice opgaf om over brieven verwittigd te worden, en hoe elke "
                             "verwittiging afliep. Loket probeert 24 uur lang opnieuw.",
                       "fr": "Les adresses que votre back-office a données pour être averti des lettres, et comment "
                             "chaque avis s'est passé. Loket réessaie pendant 24 heures.",
                       "de": "Die Adressen, die Ihr Backoffice für Nachrichten über Briefe angegeben hat, und wie jede "
                             "Nachricht ausging. Loket versucht es 24 Stunden lang erneut.",
                       "en": "The addresses your back-office gave to hear about letters, and how each notification "
                             "went. Loket retries for 24 hours."},
    "no_webhooks": {"nl": "Geen webhooks ingesteld.", "fr": "Aucun webhook configuré.", "de": "Keine Webhooks eingerichtet.",
                    "en": "No webhooks set up."},
    "events": {"nl": "Gebeurtenissen", "fr": "Événements", "de": "Ereignisse", "en": "Events"},
    "all_events": {"nl": "alle", "fr": "tous", "de": "alle", "en": "all"},
    "deliveries": {"nl": "Laatste verwittigingen", "fr": "Derniers avis", "de": "Letzte Nachrichten",
                   "en": "Latest notifications"},
    "failed_notifications": {"nl": "Mislukte verwittigingen", "fr": "Avis échoués", "de": "Fehlgeschlagene Nachrichten",
                             "en": "Failed notifications"},
    "failures": {"nl": "Mislukt", "fr": "Échoués", "de": "Fehlgeschlagen", "en": "Failed"},
    "no_deliveries": {"nl": "Nog geen verwittigingen.", "fr": "Pas encore d'avis.", "de": "Noch keine Nachrichten.",
                      "en": "No notifications yet."},
    "event": {"nl": "Gebeurtenis", "fr": "Événement", "de": "Ereignis", "en": "Event"},
    "attempts": {"nl": "Pogingen", "fr": "Essais", "de": "Versuche", "en": "Attempts"},
    "answer": {"nl": "Antwoord", "fr": "Réponse", "de": "Antwort", "en": "Answer"},
    "created": {"nl": "Aangemaakt", "fr": "Créé", "de": "Erstellt", "en": "Created"},
    "endpoint": {"nl": "Adres", "fr": "Adresse", "de": "Adresse", "en": "Address"},
    "deliver_again": {"nl": "Opnieuw afleveren", "fr": "Renvoyer", "de": "Erneut zustellen", "en": "Deliver again"},
    "deliver_again_label": {"nl": "Verwittiging over brief {i} opnieuw afleveren", "fr": "Renvoyer l'avis sur la lettre {i}",
                            "de": "Nachricht zu Brief {i} erneut zustellen", "en": "Deliver the notification about letter {i} again"},
    "delivery_again": {"nl": "De verwittiging wordt opnieuw afgeleverd (24 uur lang, tot het lukt).",
                       "fr": "L'avis est renvoyé (pendant 24 heures, jusqu'à ce qu'il passe).",
                       "de": "Die Nachricht wird erneut zugestellt (24 Stunden lang, bis es klappt).",
                       "en": "The notification is delivered again (for 24 hours, until it gets through)."},
    "unknown_delivery": {"nl": "Er is geen zulke verwittiging.", "fr": "Il n'y a pas d'avis de ce genre.",
                         "de": "Es gibt keine solche Nachricht.", "en": "There is no such notification."},
    # --- refusals
    "refused": {"nl": "Niet mogelijk", "fr": "Pas possible", "de": "Nicht möglich", "en": "Not possible"},
    "not_desk": {"nl": "De briefbalie is er voor medewerkers van de gemeente en voor de beheerder van het platform.",
                 "fr": "Le guichet des lettres est réservé au personnel communal et à l'opérateur de la plateforme.",
                 "de": "Der Briefschalter ist für Mitarbeitende der Gemeinde und den Plattformbetrieb.",
                 "en": "The letter desk is for municipal staff and the platform operator."},
    "unknown_letter": {"nl": "Er is geen brief met deze id.", "fr": "Il n'y a pas de lettre avec cet identifiant.",
                       "de": "Es gibt keinen Brief mit dieser ID.", "en": "There is no letter with this id."},
    "unknown_batch": {"nl": "Er is geen printronde {b}.", "fr": "Il n'y a pas de lot {b}.", "de": "Es gibt keinen Drucklauf {b}.",
                      "en": "There is no print batch {b}."},
    "expired_form": {"nl": "Dit formulier is verlopen; open de pagina opnieuw. Er is niets gebeurd.",
                     "fr": "Ce formulaire a expiré ; rouvrez la page. Rien n'a été fait.",
                     "de": "Dieses Formular ist abgelaufen; öffnen Sie die Seite erneut. Es ist nichts geschehen.",
                     "en": "This form has expired; open the page again. Nothing was done."},
    "back": {"nl": "Terug naar de briefbalie", "fr": "Retour au guichet", "de": "Zurück zum Briefschalter",
             "en": "Back to the letter desk"},
    "problem": {"nl": "Er is een probleem", "fr": "Il y a un problème", "de": "Es gibt ein Problem",
                "en": "There is a problem"},
}

# The one status a sender sees (api/letter_status.py).
STATUS: dict[str, dict[str, str]] = {
    "accepted": {"nl": "Aanvaard, nog niet verwerkt", "fr": "Acceptée, pas encore traitée",
                 "de": "Angenommen, noch nicht verarbeitet", "en": "Accepted, not processed yet"},
    "in_progress": {"nl": "Wordt naar de eBox gestuurd", "fr": "En route vers l'eBox", "de": "Wird an die eBox gesendet",
                    "en": "Being sent to the eBox"},
    "delivered_to_ebox": {"nl": "In de eBox, nog niet gelezen", "fr": "Dans l'eBox, pas encore lue",
                          "de": "In der eBox, noch nicht gelesen", "en": "In the eBox, not read yet"},
    "read": {"nl": "Gelezen in de eBox", "fr": "Lue dans l'eBox", "de": "In der eBox gelesen", "en": "Read in the eBox"},
    "queued_for_print": {"nl": "Wacht op de printronde", "fr": "Attend le lot d'impression",
                         "de": "Wartet auf den Drucklauf", "en": "Waiting for the print run"},
    "printed": {"nl": "Gedrukt", "fr": "Imprimée", "de": "Gedruckt", "en": "Printed"},
    "posted": {"nl": "Gepost", "fr": "Postée", "de": "Aufgegeben", "en": "Posted"},
    "returned": {"nl": "Teruggekomen naar de afzender", "fr": "Revenue à l'expéditeur",
                 "de": "An den Absender zurückgekommen", "en": "Returned to sender"},
    "failed": {"nl": "Mislukt", "fr": "Échouée", "de": "Fehlgeschlagen", "en": "Failed"},
    "cancelled": {"nl": "Geannuleerd", "fr": "Annulée", "de": "Storniert", "en": "Cancelled"},
}

# One step of a channel (domain/states.py), as the timeline says it.
STATES: dict[str, dict[str, str]] = {
    "received": {"nl": "Ontvangen", "fr": "Reçue", "de": "Eingegangen", "en": "Received"},
    "routed": {"nl": "Route gekozen", "fr": "Acheminement choisi", "de": "Zustellweg gewählt", "en": "Route chosen"},
    "pending": {"nl": "Wacht op verzending naar de eBox", "fr": "Attend l'envoi vers l'eBox",
                "de": "Wartet auf den Versand an die eBox", "en": "Waiting to be sent to the eBox"},
    "publishing": {"nl": "Wordt naar de eBox gestuurd", "fr": "Envoi vers l'eBox en cours",
                   "de": "Wird an die eBox gesendet", "en": "Being sent to the eBox"},
    "delivered_to_ebox": {"nl": "Afgeleverd in de eBox", "fr": "Déposée dans l'eBox", "de": "In die eBox zugestellt",
                          "en": "Delivered to the eBox"},
    "read": {"nl": "Gelezen", "fr": "Lue", "de": "Gelesen", "en": "Read"},
    "unread_escalated": {"nl": "Te lang ongelezen: ook op papier", "fr": "Non lue trop longtemps : aussi sur papier",
                         "de": "Zu lange ungelesen: auch auf Papier", "en": "Unread too long: also on paper"},
    "not_digital": {"nl": "Geen eBox: op papier", "fr": "Pas d'eBox : sur papier", "de": "Keine eBox: auf Papier",
                    "en": "No eBox: on paper"},
    "unavailable": {"nl": "eBox te lang onbereikbaar: op papier", "fr": "eBox injoignable trop longtemps : sur papier",
                    "de": "eBox zu lange nicht erreichbar: auf Papier", "en": "eBox down too long: on paper"},
    "failed": {"nl": "Mislukt", "fr": "Échec", "de": "Fehlgeschlagen", "en": "Failed"},
    "queued_for_print": {"nl": "Wacht op de printronde", "fr": "Attend le lot d'impression",
                         "de": "Wartet auf den Drucklauf", "en": "Waiting for the print run"},
    "in_batch": {"nl": "In een printronde", "fr": "Dans un lot d'impression", "de": "In einem Drucklauf",
                 "en": "In a print batch"},
    "printed": {"nl": "Gedrukt", "fr": "Imprimée", "de": "Gedruckt", "en": "Printed"},
    "posted": {"nl": "Gepost", "fr": "Postée", "de": "Aufgegeben", "en": "Posted"},
    "returned": {"nl": "Teruggekomen", "fr": "Revenue", "de": "Zurückgekommen", "en": "Returned"},
    "cancelled": {"nl": "Geannuleerd", "fr": "Annulée", "de": "Storniert", "en": "Cancelled"},
}

CHANNELS: dict[str, dict[str, str]] = {
    "letter": {"nl": "Brief", "fr": "Lettre", "de": "Brief", "en": "Letter"},
    "ebox": {"nl": "eBox", "fr": "eBox", "de": "eBox", "en": "eBox"},
    "paper": {"nl": "Papier", "fr": "Papier", "de": "Papier", "en": "Paper"},
}

ROUTINGS: dict[str, dict[str, str]] = {
    "ebox_first": {"nl": "eBox, anders papier", "fr": "eBox, sinon papier", "de": "eBox, sonst Papier",
                   "en": "eBox, else paper"},
    "paper_only": {"nl": "Alleen papier", "fr": "Papier uniquement", "de": "Nur Papier", "en": "Paper only"},
    "both": {"nl": "eBox én papier", "fr": "eBox et papier", "de": "eBox und Papier", "en": "eBox and paper"},
    "ebox_only": {"nl": "Alleen eBox", "fr": "eBox uniquement", "de": "Nur eBox", "en": "eBox only"},
}

# Reasons the pipeline writes into a letter's history; anything else is shown as written.
REASONS: dict[str, dict[str, str]] = {
    "policy_paper_only": {"nl": "De verzendregels zeggen: alleen papier", "fr": "Les règles d'envoi disent : papier uniquement",
                          "de": "Die Versandregeln sagen: nur Papier", "en": "The sending rules say: paper only"},
    "policy_both": {"nl": "De verzendregels zeggen: eBox én papier", "fr": "Les règles d'envoi disent : eBox et papier",
                    "de": "Die Versandregeln sagen: eBox und Papier", "en": "The sending rules say: eBox and paper"},
    "no_digital_user": {"nl": "De ontvanger heeft geen eBox", "fr": "Le destinataire n'a pas d'eBox",
                        "de": "Der Empfänger hat keine eBox", "en": "The recipient has no eBox"},
    "ebox_rejected": {"nl": "De eBox weigerde de brief", "fr": "L'eBox a refusé la lettre",
                      "de": "Die eBox hat den Brief abgelehnt", "en": "The eBox refused the letter"},
    "ebox_unavailable": {"nl": "De eBox bleef te lang onbereikbaar", "fr": "L'eBox est restée injoignable trop longtemps",
                         "de": "Die eBox war zu lange nicht erreichbar", "en": "The eBox stayed down too long"},
    "unread_escalation": {"nl": "Belangrijke brief te lang ongelezen", "fr": "Lettre importante non lue trop longtemps",
                          "de": "Wichtiger Brief zu lange ungelesen", "en": "Important letter unread too long"},
}

CONFIRMATION: dict[str, dict[str, str]] = {
    "awaiting": {"nl": "Nog niets bevestigd", "fr": "Rien de confirmé", "de": "Noch nichts bestätigt",
                 "en": "Nothing confirmed yet"},
    "partial": {"nl": "Deels bevestigd", "fr": "Confirmé en partie", "de": "Teilweise bestätigt",
                "en": "Partly confirmed"},
    "complete": {"nl": "Volledig bevestigd", "fr": "Entièrement confirmé", "de": "Vollständig bestätigt",
                 "en": "Fully confirmed"},
}

DLQ_KINDS: dict[str, dict[str, str]] = {
    "contract": {"nl": "Onleesbaar of ongeldig bericht", "fr": "Message illisible ou invalide",
                 "de": "Unlesbare oder ungültige Nachricht", "en": "Unreadable or invalid message"},
    "permanent": {"nl": "Geweigerd door de regels", "fr": "Refusée par les règles", "de": "Von den Regeln abgelehnt",
                  "en": "Refused by the rules"},
    "exhausted": {"nl": "Bleef mislukken na herhaalde pogingen", "fr": "Échecs répétés après plusieurs essais",
                  "de": "Scheiterte nach wiederholten Versuchen", "en": "Kept failing after retries"},
}

DELIVERY_STATES: dict[str, dict[str, str]] = {
    "pending": {"nl": "Wordt (opnieuw) geprobeerd", "fr": "En cours d'essai", "de": "Wird (erneut) versucht",
                "en": "Being tried"},
    "delivered": {"nl": "Afgeleverd", "fr": "Remis", "de": "Zugestellt", "en": "Delivered"},
    "failed": {"nl": "Mislukt (na 24 uur opgegeven)", "fr": "Échoué (abandonné après 24 heures)",
               "de": "Fehlgeschlagen (nach 24 Stunden aufgegeben)", "en": "Failed (given up after 24 hours)"},
}

# The status events a webhook may carry (letters.status.v1), as people say them.
EVENT_TYPES: dict[str, dict[str, str]] = {
    "LetterDeliveredToEbox": STATES["delivered_to_ebox"],
    "LetterRead": STATES["read"],
    "LetterUnreadEscalated": STATES["unread_escalated"],
    "LetterQueuedForPrint": STATES["queued_for_print"],
    "LetterPrinted": STATES["printed"],
    "LetterPosted": STATES["posted"],
    "LetterReturned": STATES["returned"],
    "LetterFailed": STATES["failed"],
    "LetterCancelled": STATES["cancelled"],
    "LetterRecipientErased": {"nl": "Ontvanger gewist op zijn verzoek", "fr": "Destinataire effacé à sa demande",
                              "de": "Empfänger auf seinen Wunsch gelöscht", "en": "Recipient erased at their request"},
}


def texts_for(lang: str) -> dict[str, str]:
    return {key: by_lang[lang] for key, by_lang in TEXTS.items()}


def label(table: dict[str, dict[str, str]], value: str | None, lang: str) -> str:
    """The human label of `value`; an unknown value is shown as it is (never silently dropped)."""
    if value is None:
        return "–"
    return table.get(value, {}).get(lang, value)


def reason_text(reason: str | None, lang: str) -> str:
    """A history row's reason: the label of a known code, `policy <routing>` as the routing's label,
    anything else (a print house's words, an eBox error) as written."""
    if not reason:
        return ""
    if reason in REASONS:
        return REASONS[reason][lang]
    if reason.startswith("policy ") and reason[7:] in ROUTINGS:
        return ROUTINGS[reason[7:]][lang]
    return reason


# The refused page's count (loket/infra/counted_words.py picks the form): "1 refused letter.",
# "3 lettres refusées.", never "lettre(s) refusée(s)".
REFUSED_LETTERS = {
    "nl": Forms("{n} geweigerde brief.", "{n} geweigerde brieven."),
    "fr": Forms("{n} lettre refusée.", "{n} lettres refusées."),
    "de": Forms("{n} abgewiesener Brief.", "{n} abgewiesene Briefe."),
    "en": Forms("{n} refused letter.", "{n} refused letters."),
}
