"""A person who followed a broken link is sent on: the 404 page links to the service's start page
for the address's longest matching prefix, in the page's language; a program's problem has none."""

from __future__ import annotations

import aiohttp
from starlette.applications import Starlette

from loket.infra.http.fallback_answers import FALLBACK_HANDLERS
from tests.support.served_app import served

PAGE = {"Accept": "text/html"}


def app_with(start_pages: tuple[tuple[str, str], ...]) -> Starlette:
    app = Starlette(routes=[], exception_handlers=FALLBACK_HANDLERS)
    app.state.start_pages = start_pages
    return app


async def test_the_longest_matching_prefix_chooses_the_start_page() -> None:
    app = app_with((("/", "/public/find"), ("/staff", "/staff")))
    async with served(app) as base, aiohttp.ClientSession() as http:
        async with http.get(f"{base}/public/boek?lang=fr", headers=PAGE) as r:
            assert r.status == 404
            page = await r.text()
            assert 'href="/public/find?lang=fr"' in page and "Aller à la page d&#39;accueil" in page
        async with http.get(f"{base}/staff/rooster?lang=de", headers=PAGE) as r:
            assert 'href="/staff?lang=de"' in await r.text()
        async with http.get(f"{base}/staff/rooster") as r:  # a program: the problem, no page
            assert r.content_type == "application/problem+json"
            assert await r.json() == {"type": "about:blank", "title": "Not Found", "status": 404,
                                      "detail": "nothing is served at GET /staff/rooster"}


async def test_without_a_start_page_the_page_has_no_button() -> None:
    async with served(app_with(())) as base, aiohttp.ClientSession() as http, \
            http.get(f"{base}/anything?lang=en", headers=PAGE) as r:
        page = await r.text()
        assert r.status == 404 and "Page not found" in page and 'class="button"' not in page
