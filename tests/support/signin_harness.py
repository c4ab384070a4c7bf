"""A running reporting service (the service with a page for people) and accounts to sign in with,
on the test session's PostgreSQL and NATS."""

from __future__ import annotations

import contextlib
import re
import uuid
from collections.abc import AsyncIterator

import aiohttp
import asyncpg
import pytest
from axe_playwright_python.async_playwright import Axe

from loket.infra.identity import account_admin
from loket.infra.identity.roles import Role
from loket.infra.identity.schema import migrate_identity
from loket.infra.identity.tenant_store import import_tenants
from loket.infra.identity.tenants import SHIPPED_TENANTS_FILE, read_tenant_file
from services.reporting.app import create_app
from services.reporting.settings import ReportingSettings
from tests.support.served_app import served

TENANTS = SHIPPED_TENANTS_FILE
MECHELEN = "12025"
PASSWORD = "counter tablet in the hall"
ADMIN_TOKEN = "signin-test-admin-token"


@contextlib.asynccontextmanager
async def running_reporting(database_url: str, bus_url: str, port: int | None = None) -> AsyncIterator[str]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LOKET_ADMIN_TOKEN", ADMIN_TOKEN)
        patch.delenv("LOKET_API_TOKENS_FILE", raising=False)
        settings = ReportingSettings(database_url=database_url, bus_url=bus_url,
                                     reporting_pseudonym_secret="a-test-secret-of-enough-length")
        async with served(create_app(settings), port) as base:
            yield base


async def new_account(pool: asyncpg.Pool, *, totp: bool = False, language: str = "nl",
                      role: Role = Role.ANALYST, name: str | None = None) -> tuple[str, str | None]:
    """A fresh account of Mechelen with PASSWORD; returns (username, TOTP secret or None)."""
    username = f"{role.value.replace('_', '-')}-{uuid.uuid4().hex[:8]}"
    request = account_admin.AccountRequest(username, name, MECHELEN, role,
                                           ("mechelen-stadhuis",) if role is Role.STAFF else (), language, totp)
    async with pool.acquire() as conn:
        await migrate_identity(conn)
        await import_tenants(conn, read_tenant_file(TENANTS))
        created = await account_admin.create_account(conn, request, PASSWORD)
    return created.username, created.totp_secret


def browser_session() -> aiohttp.ClientSession:
    """Keeps cookies for 127.0.0.1 (aiohttp's default jar refuses IP addresses) and does not follow
    redirects on its own, so tests see each 303."""
    return aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True),
                                 headers={"Accept": "text/html"})


async def form_token(http: aiohttp.ClientSession, url: str) -> str:
    async with http.get(url, allow_redirects=False) as r:
        assert r.status == 200, await r.text()
        match = re.search(r'name="csrf" value="([^"]+)"', await r.text())
    assert match, "the page has no CSRF field"
    return match.group(1)


async def post_signin(http: aiohttp.ClientSession, base: str, username: str, password: str,
                      next_path: str = "", token: str | None = None) -> aiohttp.ClientResponse:
    token = token if token is not None else await form_token(http, f"{base}/signin")
    async with http.post(f"{base}/signin", allow_redirects=False,
                         data={"csrf": token, "username": username, "password": password, "next": next_path}) as r:
        await r.read()
        return r


def session_cookie(http: aiohttp.ClientSession) -> str | None:
    found = [c.value for c in http.cookie_jar if c.key == "loket_session"]
    return found[0] if found else None


async def assert_accessible(page, name: str) -> None:  # type: ignore[no-untyped-def]
    """axe-core on the page as shown: no serious or critical violation."""
    results = await Axe().run(page)
    bad = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]])
           for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert not bad, f"{name}: {bad}"
