"""Sign-in through a municipality's own identity provider: a real Keycloak (from Maven Central,
started here) in front of the reporting service, driven by headless Chromium through Keycloak's
real login page.

A person in a mapped group lands back on the page they asked for with the mapped role, points
and municipality; a person in no mapped group is refused with a page that says why, and no
account is made; an answer whose `state` is not this browser's is refused. (The ID-token checks
themselves, other audience or issuer included, are in tests/unit/test_oidc_id_token.py.)
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

import asyncpg
import pytest

from loket.infra.embedded.ports import free_port
from loket.infra.identity.oidc_provider import Grant, OidcProvider
from loket.infra.identity.provider_sign_in import ACTION
from loket.infra.identity.roles import Role
from loket.infra.identity.schema import migrate_identity
from loket.infra.identity.tenant_store import import_tenants
from loket.infra.identity.tenants import read_tenant_file
from tests.support.chromium import artifact, chromium_page, require_chromium
from tests.support.keycloak import CLIENT_ID, Keycloak, running_keycloak
from tests.support.signin_harness import MECHELEN, TENANTS, assert_accessible, running_reporting

TABLET = {"width": 1280, "height": 800}
# The dashboard is for managers and analysts: An manages the town hall point (and works its counter).
MANAGERS, STAFF = "/loket/managers/mechelen-stadhuis", "/loket/staff/mechelen-stadhuis"
# The realm's people (tests/support/keycloak_realm/loket-test-realm.json).
AN = ("an.peeters", "counter tablet in the hall")  # in MANAGERS and STAFF
JAN = ("jan.janssens", "parking attendant at the station")  # only in /parking


@pytest.fixture(scope="module")
async def keycloak_and_loket(tmp_path_factory: pytest.TempPathFactory, database_url: str, bus_url: str,
                             pool: asyncpg.Pool) -> AsyncIterator[tuple[Keycloak, str]]:
    require_chromium()
    work = tmp_path_factory.mktemp("oidc")
    client_secret = secrets.token_urlsafe(32)
    secret_file = work / "mechelen-client-secret"
    secret_file.write_text(client_secret)
    os.chmod(secret_file, 0o600)
    loket_port = free_port()
    redirect_uri = f"http://127.0.0.1:{loket_port}/signin/provider/callback"
    with contextlib.ExitStack() as stack:
        # Keycloak takes tens of seconds to start: in a thread, so the event loop stays free.
        keycloak = await asyncio.to_thread(stack.enter_context, running_keycloak(work, redirect_uri, client_secret))
        artifact("keycloak-start.txt").write_text(f"Keycloak ready after {keycloak.started_in_s:.1f} s\n")
        print(f"\nKeycloak ready after {keycloak.started_in_s:.1f} s")  # noqa: T201 (shown with -s / -rA)
        await configure_mechelen(pool, keycloak, secret_file)
        try:
            async with running_reporting(database_url, bus_url, loket_port) as base:
                yield keycloak, base
        finally:
            async with pool.acquire() as conn:  # other modules see Mechelen as shipped
                await import_tenants(conn, read_tenant_file(TENANTS))
            await asyncio.to_thread(stack.close)


async def configure_mechelen(pool: asyncpg.Pool, keycloak: Keycloak, secret_file: Path) -> None:
    provider = OidcProvider(display_name="Stad Mechelen", issuer=keycloak.issuer, client_id=CLIENT_ID,
                            client_secret_file=secret_file, claim="groups",
                            mapping={MANAGERS: Grant(role=Role.POINT_MANAGER, points=("mechelen-stadhuis",)),
                                     STAFF: Grant(role=Role.STAFF, points=("mechelen-stadhuis",))})
    tenants = [t.model_copy(update={"oidc": provider}) if t.municipality == MECHELEN else t
               for t in read_tenant_file(TENANTS)]
    async with pool.acquire() as conn:
        await migrate_identity(conn)
        await import_tenants(conn, tenants)


async def sign_in_at_keycloak(page, keycloak: Keycloak, person: tuple[str, str]) -> None:  # type: ignore[no-untyped-def]
    await page.wait_for_url(f"{keycloak.issuer}/protocol/openid-connect/auth*")
    await page.fill("#username", person[0])
    await page.fill("#password", person[1])
    await page.click("#kc-login")


async def shoot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    await assert_accessible(page, name)
    await page.screenshot(path=str(artifact(f"{name}.png")), full_page=True)


async def test_a_mapped_person_signs_in_through_keycloak_and_lands_on_the_dashboard(
        keycloak_and_loket: tuple[Keycloak, str], pool: asyncpg.Pool) -> None:
    keycloak, base = keycloak_and_loket
    async with chromium_page(TABLET) as page:
        await page.goto(f"{base}/dashboard?lang=nl&period=month")
        assert page.url.startswith(f"{base}/signin?next=/dashboard")
        button = page.get_by_role("link", name="Aanmelden met Stad Mechelen")
        await shoot(page, "oidc-signin-with-provider")
        await button.click()
        authorize = dict(parse_qsl(urlsplit(page.url).query))
        assert authorize["code_challenge_method"] == "S256" and authorize["client_id"] == CLIENT_ID
        await sign_in_at_keycloak(page, keycloak, AN)
        await page.wait_for_url(f"{base}/dashboard?lang=nl&period=month")
        await page.screenshot(path=str(artifact("oidc-dashboard-signed-in.png")))
        assert "Aangemeld als An Peeters" in await page.inner_text("header")
        await page.screenshot(path=str(artifact("oidc-dashboard-signed-in.png")))
        cookies = {c["name"] for c in await page.context.cookies(base)}
        assert "loket_session" in cookies and "loket_oidc" not in cookies  # the attempt is used up
    account = await pool.fetchrow("SELECT id, username, role, municipality, points, provider_issuer, password_hash "
                                  "FROM identity.accounts WHERE provider_issuer = $1 AND username LIKE 'an.peeters%'",
                                  keycloak.issuer)
    assert account is not None
    assert (account["username"], account["role"], account["municipality"], account["points"]) == \
        ("an.peeters@12025", "point_manager", MECHELEN, ["mechelen-stadhuis"])  # the widest role held
    assert account["password_hash"].startswith("!")  # no password sign-in for a provider's person
    audited = await pool.fetchval("SELECT count(*) FROM identity.audit_log WHERE action = $1 AND object_id = $2 "
                                  "AND principal = 'an.peeters@12025' AND role = 'point_manager'", ACTION, str(account["id"]))
    assert audited >= 1


async def test_a_person_in_no_mapped_group_is_refused_and_nothing_is_made(
        keycloak_and_loket: tuple[Keycloak, str], pool: asyncpg.Pool) -> None:
    keycloak, base = keycloak_and_loket
    async with chromium_page(TABLET) as page:
        await page.goto(f"{base}/signin?municipality={MECHELEN}&lang=en")
        await page.get_by_role("link", name="Sign in with Stad Mechelen").click()
        await sign_in_at_keycloak(page, keycloak, JAN)
        await page.wait_for_url(f"{base}/signin/provider/callback*")
        assert await page.inner_text("h1") == "No access to Loket"
        assert "Nothing was created" in await page.get_by_role("alert").inner_text()
        await shoot(page, "oidc-refused-not-mapped")
        assert "loket_session" not in {c["name"] for c in await page.context.cookies(base)}
    made = await pool.fetchval("SELECT count(*) FROM identity.accounts WHERE username LIKE 'jan.janssens%'")
    assert made == 0


async def test_an_answer_with_another_state_is_refused(keycloak_and_loket: tuple[Keycloak, str]) -> None:
    keycloak, base = keycloak_and_loket
    callback = f"{base}/signin/provider/callback?"
    async with chromium_page(TABLET) as page:
        sent_back: list[str] = []

        async def change_the_state(route) -> None:  # type: ignore[no-untyped-def]
            # Keycloak's real redirect with its real code, but a state this browser did not leave with.
            answer = await route.fetch(max_redirects=0)
            location = answer.headers.get("location", "")
            if location.startswith(callback):
                sent_back.append(location)
                query = dict(parse_qsl(urlsplit(location).query))
                location = callback + urlencode({**query, "state": secrets.token_urlsafe(32)})
            await route.fulfill(response=answer, headers={**answer.headers, "location": location})

        await page.route(f"{keycloak.issuer}/login-actions/**", change_the_state)
        await page.goto(f"{base}/signin?municipality={MECHELEN}&lang=nl&next=/dashboard")
        await page.get_by_role("link", name="Aanmelden met Stad Mechelen").click()
        async with page.expect_response(lambda r: r.url.startswith(callback)) as answered:
            await sign_in_at_keycloak(page, keycloak, AN)
        assert sent_back, "Keycloak never sent the browser back"
        assert (await answered.value).status == 400
        assert await page.inner_text("h1") == "Aanmelden is niet gelukt"
        assert "niet in deze browser begonnen" in await page.get_by_role("alert").inner_text()
        await shoot(page, "oidc-refused-state")
        cookies = {c["name"] for c in await page.context.cookies(base)}
        assert "loket_session" not in cookies and "loket_oidc" not in cookies
