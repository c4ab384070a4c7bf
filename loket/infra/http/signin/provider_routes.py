"""`GET /signin/provider` (leave for the municipality's identity provider) and
`GET /signin/provider/callback` (come back from it): OpenID Connect, authorization code flow
with PKCE (S256).

Leaving stores the attempt in a signed cookie (`oidc_attempt.py`) and sends the browser to the
provider; coming back checks that the `state` is this browser's, exchanges the code, verifies
the ID token and hands its claims to `ProviderSignIn`. Each refusal is a page saying what
happened and what to do; nothing is written for a refused person.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Callable
from urllib.parse import urlencode

import asyncpg
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from loket.infra.http.client_address import session_client
from loket.infra.http.signin import oidc_attempt
from loket.infra.http.signin.cookies import SESSION, CookiePolicy
from loket.infra.http.signin.next_path import safe_next, with_next
from loket.infra.http.signin.rendering import HEADERS, page_language, render
from loket.infra.http.signin.texts import texts_for
from loket.infra.identity.id_token import IdTokenRefused, verified_claims
from loket.infra.identity.oidc_client import ProviderClient, ProviderUnavailable
from loket.infra.identity.oidc_provider import OidcProvider, ProviderChoice, ProviderSecretError
from loket.infra.identity.provider_sign_in import NotMapped, ProviderSignIn
from loket.infra.identity.sign_in import Disabled
from loket.infra.identity.tenant_store import all_tenants, tenant

log = logging.getLogger(__name__)

START, CALLBACK = "/signin/provider", "/signin/provider/callback"
_CALLBACK_NAME = "signin_provider_callback"


class ProviderPages:
    def __init__(self, sign_in: ProviderSignIn, client: ProviderClient, cookies: CookiePolicy,
                 pool: Callable[[], asyncpg.Pool]) -> None:
        self.sign_in, self.client, self.cookies, self.pool = sign_in, client, cookies, pool

    def routes(self) -> list[Route]:
        return [Route(START, self.start, methods=["GET"]),
                Route(CALLBACK, self.callback, methods=["GET"], name=_CALLBACK_NAME)]

    async def choices(self, municipality: str | None) -> list[ProviderChoice]:
        """The providers the sign-in page offers: the one municipality's when `?municipality=`
        names one, else every configured one."""
        if municipality:
            found = await tenant(self.pool(), municipality)
            tenants = [found] if found else []
        else:
            tenants = await all_tenants(self.pool())
        return [ProviderChoice(t.municipality, t.oidc.display_name) for t in tenants if t.oidc is not None]

    # --- leaving for the provider

    async def start(self, request: Request) -> Response:
        municipality = request.query_params.get("municipality", "")
        next_path, lang = safe_next(request.query_params.get("next")), page_language(request)
        provider = await self._provider(municipality)
        if provider is None:
            return self._refused(request, lang, next_path, "provider_refused_title", "no_provider", 404)
        try:
            secret = provider.client_secret()
            metadata = await self.client.metadata(provider.issuer)
        except (ProviderSecretError, ProviderUnavailable) as exc:
            log.error("cannot start a sign-in through the provider of %s: %s", municipality, exc)
            return self._refused(request, lang, next_path, "provider_refused_title", "provider_failed", 503,
                                 provider, municipality)
        attempt = oidc_attempt.Attempt.new(municipality, next_path, lang)
        query = urlencode({
            "response_type": "code", "client_id": provider.client_id, "redirect_uri": self._redirect_uri(request),
            "scope": " ".join(provider.scopes), "state": attempt.state, "nonce": attempt.nonce,
            "code_challenge": attempt.code_challenge, "code_challenge_method": "S256", "ui_locales": lang,
        })
        response = RedirectResponse(f"{metadata.authorization_endpoint}?{query}", 303)
        self.cookies.write(response, oidc_attempt.COOKIE, attempt.sealed(secret), request,
                           max_age=oidc_attempt.MAX_AGE_S)
        return response

    # --- coming back

    async def callback(self, request: Request) -> Response:
        params, lang = request.query_params, page_language(request)
        sealed = self.cookies.read(oidc_attempt.COOKIE, request)
        municipality = oidc_attempt.municipality_of(sealed) if sealed else None
        provider = await self._provider(municipality) if municipality else None
        attempt = None
        if provider is not None and sealed:
            try:
                attempt = oidc_attempt.opened(sealed, provider.client_secret())
            except ProviderSecretError as exc:
                log.error("cannot finish a sign-in through the provider of %s: %s", municipality, exc)
        if attempt is not None:
            lang = attempt.lang  # our own signed cookie: its language holds even when the state does not
        # The state binds the answer to the browser that left: without this check another
        # person's code could sign this browser in as them (login CSRF).
        if attempt is None or provider is None or not hmac.compare_digest(
                params.get("state", "").encode(), attempt.state.encode()):
            log.info("provider callback refused: no matching sign-in attempt in this browser")
            return self._refused(request, lang, "/signin", "provider_refused_title", "attempt_lost", 400)
        if params.get("error") or not params.get("code"):
            # "access_denied" is the person stopping at the provider; other codes are the provider's.
            reason = "cancelled" if params.get("error") == "access_denied" else "provider_failed"
            return self._refused(request, lang, attempt.next_path, "provider_refused_title", reason, 400,
                                 provider, attempt.municipality)
        try:
            tokens = await self.client.exchange_code(provider.issuer, provider.client_id, provider.client_secret(),
                                                     params["code"], self._redirect_uri(request), attempt.code_verifier)
            claims = await verified_claims(tokens["id_token"], issuer=provider.issuer, client_id=provider.client_id,
                                           nonce=attempt.nonce, signing_key=self.client.signing_key)
        except (ProviderUnavailable, ProviderSecretError, IdTokenRefused) as exc:
            log.warning("sign-in through the provider of %s failed: %s", attempt.municipality, exc)
            return self._refused(request, lang, attempt.next_path, "provider_refused_title", "provider_failed", 502,
                                 provider, attempt.municipality)
        outcome = await self.sign_in.finish(attempt.municipality, provider, claims, lang, session_client(request),
                                            replaces=self.cookies.read(SESSION, request))
        if isinstance(outcome, NotMapped):
            return self._refused(request, lang, attempt.next_path, "not_mapped_title", "not_mapped", 403, provider)
        if isinstance(outcome, Disabled):
            return self._refused(request, lang, attempt.next_path, "provider_refused_title", "disabled", 403)
        response = RedirectResponse(attempt.next_path, 303)
        self.cookies.write(response, SESSION, outcome.session.session_id, request)
        self.cookies.clear(response, oidc_attempt.COOKIE, request)
        for name, value in HEADERS.items():
            response.headers[name] = value
        return response

    # --- shared

    async def _provider(self, municipality: str | None) -> OidcProvider | None:
        if not municipality or not municipality.isdigit() or len(municipality) != 5:
            return None
        found = await tenant(self.pool(), municipality)
        return found.oidc if found else None

    def _redirect_uri(self, request: Request) -> str:
        # The same at leaving and coming back, as the provider checks; behind a proxy the
        # services run with --proxy-headers so that this is the public address.
        return str(request.url_for(_CALLBACK_NAME))

    def _refused(self, request: Request, lang: str, next_path: str, title: str, reason: str, status: int,
                 provider: OidcProvider | None = None, retry_municipality: str | None = None) -> Response:
        """A page saying what happened; the attempt cookie is gone (an attempt is used once)."""
        t = texts_for(lang)
        name = provider.display_name if provider else ""
        retry = (with_next(START, next_path, municipality=retry_municipality, lang=lang)
                 if retry_municipality else None)
        response = render(request, lang, "provider_refused.html.j2", status, title=t[title],
                          message=t[reason].format(provider=name), retry=retry,
                          back=with_next("/signin", next_path, lang=lang))
        self.cookies.clear(response, oidc_attempt.COOKIE, request)
        return response

