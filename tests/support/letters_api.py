"""The bridge served over real HTTP (embedded PostgreSQL and NATS, the eBox simulator), with API
keys of two municipalities, for the letters API and webhook tests."""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import aiohttp
import asyncpg

from loket.infra.identity import api_keys, repository
from loket.infra.identity.schema import migrate_identity
from services.ebox_bridge.settings import EboxBridgeSettings
from tests.support import waiting
from tests.support.bridge_harness import install_test_policy, running_bridge
from tests.support.letters import ADDRESS, letter_pdf

MECHELEN, ETTERBEEK = "12025", "21005"
T = TypeVar("T")


@dataclass
class Api:
    base: str
    http: aiohttp.ClientSession
    keys: dict[str, str]  # municipality → API key

    def headers(self, municipality: str = MECHELEN, **extra: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys[municipality]}", **extra}

    async def call(self, method: str, path: str, municipality: str = MECHELEN, *, json: Any = None,
                   headers: dict[str, str] | None = None, **kwargs: Any) -> tuple[int, Any]:
        async with self.http.request(method, f"{self.base}{path}", json=json,
                                     headers={**self.headers(municipality), **(headers or {})}, **kwargs) as r:
            body = await r.json(content_type=None) if r.content_length != 0 else None
            return r.status, body


async def make_key(pool: asyncpg.Pool, municipality: str, role: str = "backoffice") -> str:
    key = api_keys.new_key()
    async with pool.acquire() as conn:
        await migrate_identity(conn)
        await repository.insert_key(conn, key.prefix, key.secret_sha256, f"test {role} {municipality}", municipality,
                                    role, [], "test", dt.datetime.now(dt.UTC) + dt.timedelta(days=1))
    return key.token


@contextlib.asynccontextmanager
async def letters_api(pool: asyncpg.Pool, settings: EboxBridgeSettings) -> AsyncIterator[Api]:
    await install_test_policy(pool)
    keys = {m: await make_key(pool, m) for m in (MECHELEN, ETTERBEEK)}
    async with running_bridge(settings) as base, aiohttp.ClientSession() as http:
        api = Api(base, http, keys)
        # Until the tenant directory's first load is done (intake may be doing it), requests get
        # 503 + Retry-After; wait for it so a test's concurrent requests do not race it.
        async def ready() -> bool:
            status = (await api.call("POST", "/v1/letters", json={}))[0]
            assert status in (422, 503), status
            return status == 422

        await eventually(ready, what="the letters API ready")
        yield api


def letter(ssin: str, **fields: Any) -> dict[str, Any]:
    """A valid letter request for Mechelen's finance invoices."""
    return {
        "department": "finance", "document_type": "invoice", "recipient_national_number": ssin,
        "language": "nl", "subject": "Uw factuur", "postal_address": ADDRESS,
        "pdf_base64": base64.b64encode(letter_pdf()).decode(), **fields,
    }


async def eventually(probe: Callable[[], Awaitable[T | None]], timeout: float = 60, what: str = "condition") -> T:
    """`tests.support.waiting.eventually` with the letter flows' longer ceiling."""
    result: T = await waiting.eventually(probe, timeout, what, interval=0.1)
    return result
