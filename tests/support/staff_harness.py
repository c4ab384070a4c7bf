"""People who work at assistance points (accounts with point roles, signed in by aiohttp or by
Chromium) for the staff workspace tests, on the booking harness."""

from __future__ import annotations

import contextlib
import json
import re
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable

import aiohttp
import asyncpg

from loket.infra.identity import account_admin
from loket.infra.identity.roles import Role
from loket.infra.identity.schema import migrate_identity
from loket.infra.identity.tenant_store import import_tenants
from loket.infra.identity.tenants import read_tenant_file
from tests.support.chromium import FLAGS, require_chromium
from tests.support.signin_harness import MECHELEN, PASSWORD, TENANTS, browser_session, post_signin

STADHUIS = "mechelen-stadhuis"
DIGIBANK = "mechelen-digibank-predikheren"


async def staff_account(pool: asyncpg.Pool, points: tuple[str, ...] = (STADHUIS,), role: Role = Role.STAFF,
                        language: str = "en", municipality: str = MECHELEN, display_name: str | None = None) -> str:
    username = f"{role.value.replace('_', '-')}-{uuid.uuid4().hex[:8]}"
    request = account_admin.AccountRequest(username, display_name or f"Test {role.value}", municipality, role, points,
                                           language, False)
    async with pool.acquire() as conn:
        await migrate_identity(conn)
        await import_tenants(conn, read_tenant_file(TENANTS))
        await account_admin.create_account(conn, request, PASSWORD)
    return username


async def signed_in_session(base: str, username: str) -> aiohttp.ClientSession:
    http = browser_session()
    response = await post_signin(http, base, username, PASSWORD)
    assert response.status == 303, response.status
    return http


async def csrf_of(http: aiohttp.ClientSession, url: str) -> str:
    async with http.get(url, allow_redirects=False) as r:
        text = await r.text()
        assert r.status == 200, (r.status, text[:500])
    match = re.search(r'name="csrf" value="([^"]+)"', text)
    assert match, "the page has no CSRF field"
    return match.group(1)


async def sign_in_page(page, base: str, path: str, username: str) -> None:  # type: ignore[no-untyped-def]
    await page.goto(f"{base}{path}")
    await page.locator("#username").fill(username)
    await page.locator("#password").fill(PASSWORD)
    await page.locator("form button[type=submit]").first.click()
    await page.wait_for_url(f"{base}{path}*")


async def outbox(pool: asyncpg.Pool, event_type: str) -> list[dict]:  # type: ignore[type-arg]
    rows = await pool.fetch("SELECT payload FROM booking.outbox WHERE event_type = $1 ORDER BY id", event_type)
    return [json.loads(r["payload"])["payload"] for r in rows]


@contextlib.asynccontextmanager
async def chromium_browser() -> AsyncIterator:  # type: ignore[type-arg]
    """One headless Chromium for several people and screens (a context each: their own cookies)."""
    executable = require_chromium()
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=executable, args=FLAGS, headless=True)
        try:
            yield browser
        finally:
            await browser.close()


async def new_page(browser, viewport: dict[str, int]):  # type: ignore[no-untyped-def]
    """A page in a fresh context, with its console errors in `page.console_errors`."""
    context = await browser.new_context(viewport=viewport)
    page = await context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.console_errors = errors
    return page


async def tab_to(page, name: str, presses: int = 80) -> None:  # type: ignore[no-untyped-def]
    """Press Tab until the focused element's accessible text is `name` (a keyboard user's way)."""
    for _ in range(presses):
        await page.keyboard.press("Tab")
        focused = await page.evaluate(
            "() => { const e = document.activeElement; if (!e) return ''; "
            "const label = e.labels && e.labels.length ? e.labels[0].textContent : ''; "
            "return (e.getAttribute('aria-label') || label || e.textContent || '').trim(); }")
        if focused == name:
            return
    raise AssertionError(f"Tab never reached {name!r}")


@contextlib.asynccontextmanager
async def ticket_changes(pool: asyncpg.Pool) -> AsyncIterator[Callable[[], Awaitable[str]]]:
    """Records every change to booking.tickets while the block runs (which statement, from which
    connection), and yields a reader for a failing assertion: a queue test that finds nobody
    waiting says who took the ticket, and which connections were open then."""
    await pool.execute("""
        CREATE TABLE IF NOT EXISTS public.test_ticket_changes (
            at timestamptz DEFAULT clock_timestamp(), op text, number int, point_id text, before text, after text,
            backend int, client_port int, application text, statement text);
        TRUNCATE public.test_ticket_changes;
        CREATE OR REPLACE FUNCTION public.test_record_ticket_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO public.test_ticket_changes (op, number, point_id, before, after, backend, client_port,
                                                   application, statement)
            VALUES (TG_OP, OLD.number, OLD.point_id, OLD.status, CASE WHEN TG_OP = 'UPDATE' THEN NEW.status END,
                    pg_backend_pid(), inet_client_port(), current_setting('application_name'), current_query());
            RETURN NULL;
        END $$;
        DROP TRIGGER IF EXISTS test_ticket_changes ON booking.tickets;
        CREATE TRIGGER test_ticket_changes AFTER UPDATE OR DELETE ON booking.tickets
            FOR EACH ROW EXECUTE FUNCTION public.test_record_ticket_change();""")

    async def report() -> str:
        changes = await pool.fetch("SELECT * FROM public.test_ticket_changes ORDER BY at")
        sessions = await pool.fetch("SELECT pid, client_port, application_name, state, left(query, 160) AS query "
                                    "FROM pg_stat_activity WHERE datname = current_database() "
                                    "AND pid <> pg_backend_pid()")
        return "\n".join(["ticket changes:", *(str(dict(r)) for r in changes),
                          "other connections:", *(str(dict(r)) for r in sessions)])

    try:
        yield report
    finally:
        await pool.execute("DROP TRIGGER IF EXISTS test_ticket_changes ON booking.tickets")
