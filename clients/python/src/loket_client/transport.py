"""One API call with its retries, over aiohttp: the only place that speaks HTTP.

The Idempotency-Key is fixed before the first try and sent unchanged on every retry, so a
retry of a request whose answer was lost gets that same answer back instead of a second letter.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import aiohttp

from loket_client import __version__
from loket_client.errors import ApiError, TransportError
from loket_client.retry import RetryPolicy

Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True)
class Upload:
    """A letter sent as multipart: its JSON as part `letter`, the PDF's bytes as part `pdf`."""

    letter: Mapping[str, Any]
    pdf: bytes

    def form(self) -> aiohttp.FormData:
        # A FormData is consumed by sending it: each try builds its own.
        data = aiohttp.FormData()
        data.add_field("letter", json.dumps(dict(self.letter)), content_type="application/json")
        data.add_field("pdf", self.pdf, content_type="application/pdf", filename="letter.pdf")
        return data


class Transport:
    def __init__(self, base_url: str, api_key: str, retry: RetryPolicy, *, timeout_s: float,
                 session: aiohttp.ClientSession | None = None, sleep: Sleep = asyncio.sleep) -> None:
        self.base_url, self.retry, self.sleep, self.timeout_s = base_url.rstrip("/"), retry, sleep, timeout_s
        # Made at the first call, not here: aiohttp binds a session to the running loop, and a
        # client may well be constructed before any loop runs.
        self._session, self._own_session = session, session is None
        self._headers = {"Authorization": f"Bearer {api_key}", "Accept": "application/json",
                         "User-Agent": f"loket-client-python/{__version__}"}

    async def call(self, method: str, path: str, *, json_body: Any = None, upload: Upload | None = None,
                   params: Mapping[str, str] | None = None, idempotency_key: str | None = None,
                   idempotent: bool = True) -> Any:
        """The answer's JSON (None for an empty answer); ApiError for an error status.

        `idempotent` says whether the request may be sent again after it may have reached the
        server (GETs, DELETEs, POSTs under an Idempotency-Key). A request that is not is retried
        only when the server surely did not process it: no connection made, 429 or 503.
        """
        headers = dict(self._headers)
        if idempotency_key is not None:
            headers["Idempotency-Key"] = idempotency_key
        url = f"{self.base_url}{path}"
        attempt = 0
        while True:
            attempt += 1
            last = attempt >= self.retry.max_attempts
            try:
                async with self._opened().request(
                        method, url, headers=headers, params=params, json=json_body,
                        data=upload.form() if upload is not None else None) as response:
                    raw = await response.read()
                    status, retry_after = response.status, response.headers.get("Retry-After")
            except (aiohttp.ClientConnectionError, aiohttp.ClientPayloadError, TimeoutError) as exc:
                # Connect failures, resets, answers cut short, timeouts. Only a failed connect
                # proves the server never saw the request.
                unsent = isinstance(exc, aiohttp.ClientConnectorError)
                if last or not (idempotent or unsent):
                    raise TransportError(f"{method} {url}: {type(exc).__name__}: {exc}") from exc
                await self.sleep(self.retry.delay_s(attempt))
                continue
            body = _decoded(raw)
            if status < 400:
                return body
            if last or not self.retry.retries_status(status, idempotent=idempotent):
                error = ApiError.from_answer(status, body)
                error.attempts = attempt
                raise error
            await self.sleep(self.retry.delay_s(attempt, retry_after))

    def _opened(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.timeout_s))
        return self._session

    async def close(self) -> None:
        if self._own_session and self._session is not None:
            await self._session.close()
            self._session = None


def _decoded(raw: bytes) -> Any:
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return raw.decode(errors="replace")
