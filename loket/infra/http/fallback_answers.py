"""What a service answers when no route does (404, 405), a request fails outside a route's own
error handling (500) or a form is longer than a form of ours can be (413): problem+json for
programs, a short page in the person's language for browsers (a 404's with a way on: the
service's start page).

Starlette's own answers are a line of plain English ("Not Found", "Method Not Allowed",
"Internal Server Error"): a back-office's client that reads problem details got no title and no
detail for a mistyped path, and a person who followed a broken link saw a bare line of text in
a language that may not be theirs. The routes keep their own answers (a page's "unknown letter",
the APIs' problems); these are only for what no route answered.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from loket.infra.http.auth import problem
from loket.infra.http.path_prefixes import by_longest_prefix
from loket.infra.http.signin.forms import FormTooLong
from loket.infra.http.signin.rendering import page_language, render

_TEXTS = {
    400: {
        "nl": ("Niet te lezen", "Wat u verstuurde bevat een teken dat in geen enkele tekst mag staan (een NUL-teken). "
               "Ga terug en verstuur het opnieuw zonder dat teken."),
        "fr": ("Illisible", "Ce que vous avez envoyé contient un caractère qu'aucun texte ne peut contenir (un "
               "caractère NUL). Revenez en arrière et renvoyez-le sans ce caractère."),
        "de": ("Nicht lesbar", "Was Sie gesendet haben, enthält ein Zeichen, das in keinem Text stehen darf (ein "
               "NUL-Zeichen). Gehen Sie zurück und senden Sie es ohne dieses Zeichen erneut."),
        "en": ("Cannot be read", "What you sent contains a character no text may hold (a NUL character). Go back "
               "and send it again without it."),
    },
    404: {
        "nl": ("Pagina niet gevonden", "Op dit adres staat geen pagina van Loket. Kijk het adres na, of ga terug "
               "naar de pagina waar u vandaan kwam."),
        "fr": ("Page introuvable", "Il n'y a pas de page de Loket à cette adresse. Vérifiez l'adresse, ou revenez à "
               "la page d'où vous veniez."),
        "de": ("Seite nicht gefunden", "Unter dieser Adresse gibt es keine Seite von Loket. Prüfen Sie die Adresse, "
               "oder gehen Sie zurück zur vorherigen Seite."),
        "en": ("Page not found", "There is no Loket page at this address. Check the address, or go back to the page "
               "you came from."),
    },
    405: {
        "nl": ("Dat kan hier niet", "Deze pagina kan dat verzoek niet aannemen. Ga terug naar de pagina waar u "
               "vandaan kwam en probeer het daar opnieuw."),
        "fr": ("Action impossible ici", "Cette page ne peut pas recevoir cette demande. Revenez à la page d'où vous "
               "veniez et réessayez."),
        "de": ("Das geht hier nicht", "Diese Seite kann diese Anfrage nicht annehmen. Gehen Sie zurück zur "
               "vorherigen Seite und versuchen Sie es dort erneut."),
        "en": ("Not possible here", "This page cannot take that request. Go back to the page you came from and try "
               "again there."),
    },
    413: {
        "nl": ("Te lang", "Wat u verstuurde is langer dan Loket hier aanneemt. Ga terug, maak de tekst korter en "
               "verstuur het opnieuw."),
        "fr": ("Trop long", "Ce que vous avez envoyé est plus long que ce que Loket accepte ici. Revenez en arrière, "
               "raccourcissez le texte et renvoyez-le."),
        "de": ("Zu lang", "Was Sie gesendet haben, ist länger, als Loket hier annimmt. Gehen Sie zurück, kürzen Sie "
               "den Text und senden Sie es erneut."),
        "en": ("Too long", "What you sent is longer than Loket takes here. Go back, shorten the text and send it "
               "again."),
    },
    500: {
        "nl": ("Er ging iets mis", "Er ging bij ons iets mis, niet bij u. Probeer het zo meteen opnieuw. Als u een "
               "formulier verstuurde, kijk dan na of het bewaard is voor u het opnieuw verstuurt."),
        "fr": ("Une erreur s'est produite", "Une erreur s'est produite chez nous, pas chez vous. Réessayez dans un "
               "instant. Si vous envoyiez un formulaire, vérifiez s'il a été enregistré avant de le renvoyer."),
        "de": ("Etwas ist schiefgegangen", "Bei uns ist etwas schiefgegangen, nicht bei Ihnen. Versuchen Sie es "
               "gleich noch einmal. Wenn Sie ein Formular gesendet haben, prüfen Sie, ob es gespeichert wurde, bevor "
               "Sie es erneut senden."),
        "en": ("Something went wrong", "Something went wrong on our side, not yours. Please try again in a moment. "
               "If you were sending a form, check whether it was saved before you send it again."),
    },
}
_AGAIN = {"nl": "Opnieuw proberen", "fr": "Réessayer", "de": "Erneut versuchen", "en": "Try again"}
_START = {"nl": "Naar de beginpagina", "fr": "Aller à la page d'accueil", "de": "Zur Startseite",
          "en": "Go to the start page"}
_BAD_LINK = {
    "nl": ("Deze link klopt niet", "Het adres vraagt iets wat Loket niet kan tonen, bijvoorbeeld een periode, maand "
           "of gemeente die niet bestaat. Begin opnieuw vanaf de pagina zelf.", "Naar de pagina"),
    "fr": ("Ce lien n'est pas valable", "L'adresse demande quelque chose que Loket ne peut pas afficher, par exemple "
           "une période, un mois ou une commune qui n'existe pas. Recommencez depuis la page elle-même.",
           "Aller à la page"),
    "de": ("Dieser Link stimmt nicht", "Die Adresse verlangt etwas, das Loket nicht zeigen kann, zum Beispiel einen "
           "Zeitraum, Monat oder eine Gemeinde, die es nicht gibt. Beginnen Sie noch einmal auf der Seite selbst.",
           "Zur Seite"),
    "en": ("This link is not right", "The address asks for something Loket cannot show, such as a period, month or "
           "municipality that does not exist. Start again from the page itself.", "Go to the page"),
}


def wants_a_page(request: Request) -> bool:
    """A browser asks for HTML; programs (and curl) do not."""
    return "text/html" in request.headers.get("accept", "")


async def not_found(request: Request, exc: Exception) -> Response:
    return answer(request, 404, "Not Found", f"nothing is served at {request.method} {request.url.path}",
                  onward=start_page(request))


def start_page(request: Request) -> str | None:
    """Where a person who reached no page is sent on: the service's start page for the address's
    longest matching prefix (`ServiceSpec.start_pages`), so a mistyped link is not a dead end."""
    pages = getattr(request.app.state, "start_pages", ()) if "app" in request.scope else ()
    return by_longest_prefix(request.url.path, pages)


async def method_not_allowed(request: Request, exc: Exception) -> Response:
    allowed = exc.headers.get("Allow", "") if isinstance(exc, HTTPException) and exc.headers else ""
    response = answer(request, 405, "Method Not Allowed",
                       f"{request.url.path} does not take {request.method}" + (f"; it takes {allowed}" if allowed else ""))
    if allowed:
        response.headers["Allow"] = allowed
    return response


async def form_too_long(request: Request, exc: Exception) -> Response:
    # A person who pasted a long text into a staff form was told the form had expired (a 403).
    return answer(request, 413, "Content Too Large", str(exc))


async def server_error(request: Request, exc: Exception) -> Response:
    # Starlette's ServerErrorMiddleware calls this, then re-raises: the server logs the traceback.
    return answer(request, 500, "Internal error", "something went wrong on our side; please try again")


def bad_link(request: Request, refusal: Response, page: str) -> Response:
    """A page's refusal of its query parameters (a problem, `refusal`), for a browser: a page in
    the person's language, with the way to `page` itself (its defaults); a program keeps the problem."""
    if not wants_a_page(request) or refusal.status_code not in (400, 404):
        return refusal
    lang = page_language(request)
    title, text, go = _BAD_LINK[lang]
    return render(request, lang, "message.html.j2", status=refusal.status_code,
                  page={"title": title, "text": text, "again": go}, again=f"{page}?lang={lang}")


FALLBACK_HANDLERS: dict[Any, Callable[[Request, Exception], Awaitable[Response]]] = {
    404: not_found, 405: method_not_allowed, FormTooLong: form_too_long, 500: server_error,
}


def answer(request: Request, status: int, title: str, detail: str, onward: str | None = None) -> Response:
    """problem+json with `title` and `detail` for a program; for a browser, the page of `status`,
    with a button to `onward` (a start page) if given."""
    if not wants_a_page(request):
        return problem(status, title, detail)
    lang = page_language(request)
    heading, text = _TEXTS[status][lang]
    button: str | None
    target: str | None
    if onward is not None:
        button, target = _START[lang], f"{onward}?lang={lang}"
    else:
        # Only a page asked for by GET can simply be asked for again; a form's answer cannot.
        button = _AGAIN[lang] if status == 500 else None
        here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        target = here if request.method == "GET" else None
    return render(request, lang, "message.html.j2", status=status,
                  page={"title": heading, "text": text, "again": button}, again=target)
