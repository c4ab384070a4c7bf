"""SMS through the provider's HTTP API (aiohttp: httpx degrades under concurrency).

POST {url}/v1/messages {to, from, body, reference} with `Idempotency-Key`: the provider
answers a repeat with the first message's id instead of sending again, which is what makes a
resend after a crash safe.
"""

from __future__ import annotations

import aiohttp

from services.notify.providers.outcome import Accepted, Outcome, Permanent, Retryable


class SmsProvider:
    def __init__(self, url: str, api_key: str, sender: str, timeout_s: float) -> None:
        self.url, self.sender = url.rstrip("/"), sender
        self._headers = {"Authorization": f"Bearer {api_key}"}
        self._timeout = aiohttp.ClientTimeout(total=timeout_s)
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> SmsProvider:
        self._session = aiohttp.ClientSession(headers=self._headers, timeout=self._timeout,
                                              connector=aiohttp.TCPConnector(limit=256))
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._session is not None:
            await self._session.close()

    async def send(self, to: str, body: str, reference: str, idempotency_key: str,
                   sender: str | None = None) -> Outcome:
        """`sender`: the municipality's own sender name; the configured one when None."""
        assert self._session is not None
        payload = {"to": to, "from": sender or self.sender, "body": body, "reference": reference}
        try:
            async with self._session.post(f"{self.url}/v1/messages", json=payload,
                                          headers={"Idempotency-Key": idempotency_key}) as response:
                data = await response.json(content_type=None) if response.content_length != 0 else {}
                if response.status in (200, 201):
                    return Accepted(str(data["id"]))
                detail = (data or {}).get("message") or f"HTTP {response.status}"
                if response.status == 429:
                    after = response.headers.get("Retry-After")
                    return Retryable(f"rate limited: {detail}", float(after) if after else None)
                if response.status >= 500:
                    return Retryable(f"provider error {response.status}: {detail}")
                if response.status in (401, 403):
                    return Retryable(f"provider refused our credentials ({response.status}): {detail}")
                return Permanent(f"provider refused the message ({response.status}): {detail}")
        except (TimeoutError, aiohttp.ClientError, ValueError, KeyError) as exc:
            return Retryable(f"provider unreachable: {type(exc).__name__}")
