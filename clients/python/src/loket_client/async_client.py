"""The asynchronous client: one method per operation of the letters and webhooks API."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Any

import aiohttp

from loket_client.errors import Conflict
from loket_client.models import (
    BatchResult,
    Delivery,
    LetterAccepted,
    LetterPage,
    LetterView,
    Webhook,
)
from loket_client.retry import RetryPolicy
from loket_client.transport import Sleep, Transport, Upload


def new_idempotency_key() -> str:
    return str(uuid.uuid4())


class AsyncLoketClient:
    """Use as `async with AsyncLoketClient(base_url, api_key) as loket: ...` (or call `close()`).

    Each sending call makes a fresh Idempotency-Key unless given one, and keeps it for its
    retries. Pass your own key (e.g. derived from your own record's id) to make a send safe to
    repeat across restarts of your program too.
    """

    def __init__(self, base_url: str, api_key: str, *, retry: RetryPolicy | None = None,
                 timeout_s: float = 30.0, session: aiohttp.ClientSession | None = None,
                 sleep: Sleep | None = None) -> None:
        extra = {"sleep": sleep} if sleep is not None else {}
        self._http = Transport(base_url, api_key, retry or RetryPolicy(), timeout_s=timeout_s, session=session,
                               **extra)

    async def __aenter__(self) -> AsyncLoketClient:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.close()

    async def close(self) -> None:
        """Closes the HTTP session it made (one passed in stays the caller's to close)."""
        await self._http.close()

    # Letters

    async def send_letter(self, letter: Mapping[str, Any], *, pdf: bytes | None = None,
                          idempotency_key: str | None = None) -> LetterAccepted:
        """Send one letter: as JSON with `pdf_base64` in it, or, given `pdf`, as multipart (no
        base64 inflation: the better way for large PDFs). Raises InvalidRequest (422) with the
        pointers of the refused fields, Conflict (409) for a key reused with another letter."""
        key = idempotency_key or new_idempotency_key()
        if pdf is not None:
            body = await self._http.call("POST", "/v1/letters", upload=Upload(letter, pdf), idempotency_key=key)
        else:
            body = await self._http.call("POST", "/v1/letters", json_body=dict(letter), idempotency_key=key)
        return LetterAccepted.from_json(body)

    async def send_letters(self, letters: Sequence[Mapping[str, Any]], *,
                           idempotency_key: str | None = None) -> BatchResult:
        """Send up to 1 000 letters (each with `pdf_base64`), answered per item: a refused letter
        does not stop the others, so check `BatchResult.items`."""
        body = await self._http.call("POST", "/v1/letters/batch", json_body={"letters": [dict(x) for x in letters]},
                                     idempotency_key=idempotency_key or new_idempotency_key())
        return BatchResult.from_json(body)

    async def get_letter(self, letter_id: str | uuid.UUID) -> LetterView:
        return LetterView.from_json(await self._http.call("GET", f"/v1/letters/{letter_id}"))

    async def list_letters(self, *, sender_reference: str | None = None, status: str | None = None,
                           since: dt.datetime | None = None, cursor: str | None = None,
                           limit: int | None = None) -> LetterPage:
        """One page of your municipality's letters, newest first; see `iter_letters` for all."""
        params = {k: v for k, v in {
            "sender_reference": sender_reference, "status": status,
            "since": since.isoformat() if since is not None else None, "cursor": cursor,
            "limit": str(limit) if limit is not None else None,
        }.items() if v is not None}
        return LetterPage.from_json(await self._http.call("GET", "/v1/letters", params=params))

    async def iter_letters(self, *, sender_reference: str | None = None, status: str | None = None,
                           since: dt.datetime | None = None, page_size: int | None = None) -> AsyncIterator[LetterView]:
        """Every letter of the query, page after page (following `next_cursor`)."""
        cursor: str | None = None
        while True:
            page = await self.list_letters(sender_reference=sender_reference, status=status, since=since,
                                           cursor=cursor, limit=page_size)
            for view in page.letters:
                yield view
            if not (cursor := page.next_cursor):
                return

    async def cancel_letter(self, letter_id: str | uuid.UUID) -> LetterView:
        """Cancel a letter neither published nor in a closed print batch; Conflict (409) otherwise.

        A cancel whose answer was lost and that is sent again gets a 409 (already cancelled):
        the letter is read then, and a cancelled letter is returned as the success it was.
        """
        try:
            body = await self._http.call("POST", f"/v1/letters/{letter_id}/cancel")
        except Conflict as refused:
            if refused.attempts > 1:  # an earlier try of this very call may have cancelled it
                view = await self.get_letter(letter_id)
                if view.status == "cancelled":
                    return view
            raise
        return LetterView.from_json(body)

    # Webhooks

    async def create_webhook(self, url: str, event_types: Sequence[str] = ("*",)) -> Webhook:
        """Subscribe `url`; the answer's `secret` (whsec_…) is shown this once: store it."""
        body = await self._http.call("POST", "/v1/webhooks", json_body={"url": url, "event_types": list(event_types)},
                                     idempotent=False)  # two tries could make two endpoints
        return Webhook.from_json(body)

    async def list_webhooks(self) -> list[Webhook]:
        body = await self._http.call("GET", "/v1/webhooks")
        return [Webhook.from_json(w) for w in body["webhooks"]]

    async def delete_webhook(self, webhook_id: str | uuid.UUID) -> None:
        await self._http.call("DELETE", f"/v1/webhooks/{webhook_id}")

    async def list_deliveries(self, webhook_id: str | uuid.UUID, *, state: str | None = None,
                              limit: int | None = None) -> list[Delivery]:
        params = {k: v for k, v in {"state": state, "limit": str(limit) if limit else None}.items() if v}
        body = await self._http.call("GET", f"/v1/webhooks/{webhook_id}/deliveries", params=params)
        return [Delivery.from_json(d) for d in body["deliveries"]]

    async def replay_delivery(self, webhook_id: str | uuid.UUID, delivery_id: str | uuid.UUID) -> None:
        """Deliver again (with the same webhook-id), e.g. one given up after its retry window."""
        await self._http.call("POST", f"/v1/webhooks/{webhook_id}/deliveries/{delivery_id}/replay")
