"""The synchronous client: the async client run on an event loop of its own, in a thread of
its own.

Why not a second implementation over urllib: one implementation of the HTTP, retry and error
behaviour cannot drift from itself. Why a thread and not `asyncio.run` per call: the loop (and
the aiohttp connection pool on it) lives as long as the client, and calls work from any thread,
even one that already runs an event loop (a notebook, an async web framework's sync handler).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import threading
import uuid
from collections.abc import Coroutine, Iterator, Mapping, Sequence
from typing import Any, TypeVar

from loket_client.async_client import AsyncLoketClient
from loket_client.models import (
    BatchResult,
    Delivery,
    LetterAccepted,
    LetterPage,
    LetterView,
    Webhook,
)
from loket_client.retry import RetryPolicy

T = TypeVar("T")


class LoketClient:
    """Use as `with LoketClient(base_url, api_key) as loket: ...` (or call `close()`); the
    methods are those of `AsyncLoketClient`, blocking."""

    def __init__(self, base_url: str, api_key: str, *, retry: RetryPolicy | None = None,
                 timeout_s: float = 30.0) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="loket-client", daemon=True)
        self._thread.start()
        # Its HTTP session is made on the first call, which runs on this client's loop.
        self._client = AsyncLoketClient(base_url, api_key, retry=retry, timeout_s=timeout_s)

    def __enter__(self) -> LoketClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        if self._loop.is_closed():
            return
        self._run(self._client.close())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join()
        self._loop.close()

    def _run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        if threading.current_thread() is self._thread:
            raise RuntimeError("a LoketClient call from inside its own loop would wait for itself")
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result()

    def send_letter(self, letter: Mapping[str, Any], *, pdf: bytes | None = None,
                    idempotency_key: str | None = None) -> LetterAccepted:
        return self._run(self._client.send_letter(letter, pdf=pdf, idempotency_key=idempotency_key))

    def send_letters(self, letters: Sequence[Mapping[str, Any]], *, idempotency_key: str | None = None) -> BatchResult:
        return self._run(self._client.send_letters(letters, idempotency_key=idempotency_key))

    def get_letter(self, letter_id: str | uuid.UUID) -> LetterView:
        return self._run(self._client.get_letter(letter_id))

    def list_letters(self, *, sender_reference: str | None = None, status: str | None = None,
                     since: dt.datetime | None = None, cursor: str | None = None,
                     limit: int | None = None) -> LetterPage:
        return self._run(self._client.list_letters(sender_reference=sender_reference, status=status, since=since,
                                                   cursor=cursor, limit=limit))

    def iter_letters(self, *, sender_reference: str | None = None, status: str | None = None,
                     since: dt.datetime | None = None, page_size: int | None = None) -> Iterator[LetterView]:
        """Every letter of the query, fetching the next page only when the last one is used up."""
        cursor: str | None = None
        while True:
            page = self.list_letters(sender_reference=sender_reference, status=status, since=since, cursor=cursor,
                                     limit=page_size)
            yield from page.letters
            if not (cursor := page.next_cursor):
                return

    def cancel_letter(self, letter_id: str | uuid.UUID) -> LetterView:
        return self._run(self._client.cancel_letter(letter_id))

    def create_webhook(self, url: str, event_types: Sequence[str] = ("*",)) -> Webhook:
        return self._run(self._client.create_webhook(url, event_types))

    def list_webhooks(self) -> list[Webhook]:
        return self._run(self._client.list_webhooks())

    def delete_webhook(self, webhook_id: str | uuid.UUID) -> None:
        self._run(self._client.delete_webhook(webhook_id))

    def list_deliveries(self, webhook_id: str | uuid.UUID, *, state: str | None = None,
                        limit: int | None = None) -> list[Delivery]:
        return self._run(self._client.list_deliveries(webhook_id, state=state, limit=limit))

    def replay_delivery(self, webhook_id: str | uuid.UUID, delivery_id: str | uuid.UUID) -> None:
        self._run(self._client.replay_delivery(webhook_id, delivery_id))
