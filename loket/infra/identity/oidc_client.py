"""Talking to a municipality's identity provider: its discovery document, its signing keys and
the token endpoint. Discovery and keys are cached per issuer; the keys are fetched again when a
token names a key we do not know (the provider rotated them), at most once a minute.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import aiohttp
import jwt

_TIMEOUT = aiohttp.ClientTimeout(total=10)
METADATA_TTL_S = 3600.0
KEYS_REFETCH_AFTER_S = 60.0


class ProviderUnavailable(RuntimeError):
    """The provider did not answer as OpenID Connect says it must; the message names the step."""


@dataclass(frozen=True)
class ProviderMetadata:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str


@dataclass
class _Cached:
    metadata: ProviderMetadata
    fetched_at: float
    keys: jwt.PyJWKSet | None = None
    keys_fetched_at: float = -1e18


class ProviderClient:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._cache: dict[str, _Cached] = {}

    async def metadata(self, issuer: str) -> ProviderMetadata:
        cached = self._cache.get(issuer)
        if cached is None or self._clock() - cached.fetched_at > METADATA_TTL_S:
            document = await _get_json(f"{issuer}/.well-known/openid-configuration", "discovery")
            # Discovery says the document's issuer must be the one asked for: otherwise it would
            # let another issuer's tokens pass as this one's.
            if document.get("issuer") != issuer:
                raise ProviderUnavailable(f"discovery at {issuer} names another issuer")
            try:
                metadata = ProviderMetadata(issuer, document["authorization_endpoint"],
                                            document["token_endpoint"], document["jwks_uri"])
            except KeyError as missing:
                raise ProviderUnavailable(f"discovery at {issuer} lacks {missing}") from None
            cached = self._cache[issuer] = _Cached(metadata, self._clock())
        return cached.metadata

    async def signing_key(self, issuer: str, key_id: str | None) -> jwt.PyJWK | None:
        """The provider's key with this `kid` (or its only key when the token names none)."""
        cached = self._cache.get(issuer)
        if cached is None:
            await self.metadata(issuer)
            cached = self._cache[issuer]
        key = _find(cached.keys, key_id)
        if key is None and self._clock() - cached.keys_fetched_at >= KEYS_REFETCH_AFTER_S:
            document = await _get_json(cached.metadata.jwks_uri, "signing keys")
            try:
                cached.keys = jwt.PyJWKSet.from_dict(document)
            except jwt.PyJWKSetError as exc:
                raise ProviderUnavailable(f"the signing keys of {issuer} are unusable: {exc}") from None
            cached.keys_fetched_at = self._clock()
            key = _find(cached.keys, key_id)
        return key

    async def exchange_code(self, issuer: str, client_id: str, client_secret: str, code: str,
                            redirect_uri: str, code_verifier: str) -> dict[str, Any]:
        """The token response for an authorization code (client_secret_basic, with PKCE)."""
        metadata = await self.metadata(issuer)
        form = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri,
                "code_verifier": code_verifier}
        try:
            async with aiohttp.ClientSession(timeout=_TIMEOUT) as http, http.post(
                metadata.token_endpoint, data=form,
                headers={"Accept": "application/json", "Authorization": _basic(client_id, client_secret)},
            ) as response:
                body = await response.json(content_type=None)
                if response.status != 200:
                    # The provider's error code only ("invalid_grant"): its description may echo input.
                    error = body.get("error", "?") if isinstance(body, dict) else "?"
                    raise ProviderUnavailable(f"the token endpoint refused the code ({response.status}, {error})")
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            raise ProviderUnavailable(f"the token endpoint did not answer: {type(exc).__name__}") from None
        if not isinstance(body, dict) or not isinstance(body.get("id_token"), str):
            raise ProviderUnavailable("the token response has no ID token")
        return body


def _basic(client_id: str, client_secret: str) -> str:
    # RFC 6749 §2.3.1: both are form-encoded before they are joined and base64-encoded.
    pair = f"{quote(client_id, safe='')}:{quote(client_secret, safe='')}"
    return "Basic " + base64.b64encode(pair.encode()).decode("ascii")


def _find(keys: jwt.PyJWKSet | None, key_id: str | None) -> jwt.PyJWK | None:
    if keys is None:
        return None
    signing = [k for k in keys.keys if k.public_key_use in (None, "sig")]
    if key_id is None:
        return signing[0] if len(signing) == 1 else None
    return next((k for k in signing if k.key_id == key_id), None)


async def _get_json(url: str, what: str) -> dict[str, Any]:
    try:
        async with aiohttp.ClientSession(timeout=_TIMEOUT) as http, http.get(
                url, headers={"Accept": "application/json"}) as response:
            if response.status != 200:
                raise ProviderUnavailable(f"{what} at {url} answered {response.status}")
            document = await response.json(content_type=None)
    except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
        raise ProviderUnavailable(f"{what} at {url} did not answer: {type(exc).__name__}") from None
    if not isinstance(document, dict):
        raise ProviderUnavailable(f"{what} at {url} is not a JSON object")
    return document
