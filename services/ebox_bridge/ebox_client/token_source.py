"""Access tokens from the client-credentials grant, cached until shortly before they expire."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import aiohttp

from services.ebox_bridge.ebox_client.assertion import ClientAssertion
from services.ebox_bridge.ebox_client.errors import EboxAuthError, EboxUnavailable
from services.ebox_bridge.ebox_client.responses import retry_after

JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


class TokenSource:
    def __init__(
        self,
        token_url: str,
        assertion: ClientAssertion,
        scopes: list[str],
        refresh_margin_s: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._token_url = token_url
        self._assertion = assertion
        self._scope = " ".join(scopes)
        self._margin_s = refresh_margin_s
        self._clock = clock
        self._token: str | None = None
        self._valid_until = 0.0
        # One fetch at a time: many concurrent publishes must not stampede the token endpoint.
        self._lock = asyncio.Lock()

    def invalidate(self, token: str) -> None:
        """Forget `token` (the API said 401); a newer token fetched meanwhile is kept."""
        if self._token == token:
            self._token = None

    async def get(self, http: aiohttp.ClientSession) -> str:
        async with self._lock:
            if self._token is None or self._clock() >= self._valid_until:
                await self._fetch(http)
            assert self._token is not None
            return self._token

    async def _fetch(self, http: aiohttp.ClientSession) -> None:
        form = {
            "grant_type": "client_credentials",
            "client_assertion_type": JWT_BEARER,
            "client_assertion": self._assertion.sign(),
            "scope": self._scope,
        }
        started = self._clock()
        async with http.post(self._token_url, data=form) as response:
            if response.status == 429 or response.status >= 500:
                raise EboxUnavailable(
                    f"token endpoint answered {response.status}", retry_after(response)
                )
            body: Any = await response.json(content_type=None)
            if response.status != 200 or not isinstance(body, dict):
                body = body if isinstance(body, dict) else {}
                raise EboxAuthError(
                    str(body.get("error", f"http_{response.status}")),
                    str(body.get("error_description", "the token request was refused")),
                )
        lifetime = float(body.get("expires_in", 0))
        self._token = str(body["access_token"])
        # Measured from before the request so network time never makes us overestimate.
        self._valid_until = started + lifetime - min(self._margin_s, lifetime / 2)
