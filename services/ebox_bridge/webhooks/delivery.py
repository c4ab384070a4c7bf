"""The webhook delivery worker's three steps (`loket.infra.db.work_queue`): claim due
deliveries under a lease, POST them signed (outside any transaction), record each outcome.

A 2xx answer delivers; anything else (an error status, a refused connection, a timeout) is
tried again with backoff until the delivery's window ends, then it is marked failed and shown
(GET …/deliveries?state=failed) for a replay. The `webhook-id` stays the same on every try, so a
receiver that got a delivery whose answer was lost ignores the repeat.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

import aiohttp
import asyncpg

from loket.contracts import Event
from loket.infra.db.work_queue import Lease
from loket.infra.errors import described
from services.ebox_bridge.webhooks import repository as webhooks
from services.ebox_bridge.webhooks.retry import RetryPolicy
from services.ebox_bridge.webhooks.signing import signed_headers

Attempt = tuple[int | None, str | None]  # (HTTP status, error) of one try


class WebhookDelivery:
    def __init__(self, schema: str, retry: RetryPolicy, timeout_s: float, clock: Callable[[], dt.datetime]) -> None:
        self.schema, self.retry, self.timeout_s, self.clock = schema, retry, timeout_s, clock
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> WebhookDelivery:
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.timeout_s))
        return self

    async def __aexit__(self, *_: object) -> None:
        if self._session is not None:
            await self._session.close()

    async def claim(self, conn: asyncpg.Connection, limit: int, lease: Lease) -> Sequence[asyncpg.Record]:
        return await webhooks.claim_due(conn, self.schema, limit, lease.now, lease.until)

    async def call(self, items: Sequence[asyncpg.Record], lease: Lease) -> list[Attempt]:
        return list(await asyncio.gather(*(self._post(item) for item in items)))

    async def _post(self, item: asyncpg.Record) -> Attempt:
        if item["endpoint_deleted"]:
            return None, "the endpoint was deleted"
        assert self._session is not None, "use the worker as an async context manager"
        headers = signed_headers(item["secret"], str(item["delivery_id"]), item["body"], self.clock())
        try:
            async with self._session.post(item["url"], data=item["body"].encode(), headers=headers,
                                          allow_redirects=False) as response:
                await response.read()
                return response.status, None if 200 <= response.status < 300 else f"answered {response.status}"
        except (aiohttp.ClientError, TimeoutError) as exc:
            return None, described(exc)[:500]

    async def record(self, conn: asyncpg.Connection, items: Sequence[asyncpg.Record], result: list[Attempt],
                     lease: Lease) -> list[Event]:
        now = self.clock()
        outcomes: list[dict[str, Any]] = []
        for item, (status, error) in zip(items, result, strict=True):
            if error is None:
                outcomes.append(dict(delivery_id=item["delivery_id"], state="delivered", due_at=now, status=status,
                                     error=None, delivered_at=now))
                continue
            retry_at = None if item["endpoint_deleted"] else self.retry.next_try(item["attempts"], now,
                                                                                   item["give_up_at"])
            outcomes.append(dict(delivery_id=item["delivery_id"], state="pending" if retry_at else "failed",
                                 due_at=retry_at or now, status=status, error=error, delivered_at=None))
        await webhooks.record_outcomes(conn, self.schema, outcomes, lease.until)
        return []
