"""The sign-in pages in headless Chromium: a person signs in (with and without a code from an
authenticator app), is sent back to the dashboard, changes a password an administrator reset, and
signs out. Every page passes axe-core (nothing serious or critical) and is photographed into
test-artifacts/."""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import pyotp
import pytest

from loket.contracts.values import utc_now
from loket.infra.identity import account_admin
from tests.support.chromium import artifact, chromium_page, require_chromium
from tests.support.signin_harness import PASSWORD, assert_accessible, new_account, running_reporting

PHONE, TABLET = {"width": 412, "height": 915}, {"width": 1280, "height": 800}


@pytest.fixture(scope="module")
async def base(database_url: str, bus_url: str) -> AsyncIterator[str]:
    require_chromium()
    async with running_reporting(database_url, bus_url) as url:
        yield url


def script_errors(page) -> list[str]:  # type: ignore[no-untyped-def]
    # Chromium logs a refused form (401, 423) as a failed resource; that is the answer, not an error.
    return [e for e in page.console_errors if not e.startswith("Failed to load resource")]


async def shoot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    await assert_accessible(page, name)
    await page.screenshot(path=str(artifact(f"{name}.png")), full_page=True)


@pytest.mark.parametrize(("viewport", "name"), [(PHONE, "signin-phone"), (TABLET, "signin-tablet")])
async def test_the_sign_in_page_on_a_phone_and_a_tablet(base: str, viewport: dict[str, int], name: str) -> None:
    async with chromium_page(viewport) as page:
        await page.set_extra_http_headers({"Accept-Language": "fr-BE,fr;q=0.9"})
        await page.goto(f"{base}/signin")
        assert await page.get_attribute("html", "lang") == "fr"
        assert await page.inner_text("h1") == "Se connecter"
        await page.keyboard.press("Tab")  # the skip link, then the language links: focus is visible
        await page.keyboard.press("Tab")
        await shoot(page, name)
        await page.get_by_role("link", name="Nederlands").click()
        assert await page.inner_text("h1") == "Aanmelden"
        assert script_errors(page) == []


async def test_a_person_signs_in_from_the_dashboard_and_out_again(base: str, pool: asyncpg.Pool) -> None:
    username, _ = await new_account(pool, name="An Peeters")
    async with chromium_page(TABLET) as page:
        await page.goto(f"{base}/dashboard?lang=nl&period=month")
        assert page.url == f"{base}/signin?next=/dashboard%3Flang%3Dnl%26period%3Dmonth&lang=nl"
        await page.get_by_label("Gebruikersnaam").fill(username)
        await page.get_by_label("Wachtwoord").fill("not my password")
        await page.get_by_role("button", name="Aanmelden").click()
        summary = page.get_by_role("alert")
        assert "De gebruikersnaam of het wachtwoord klopt niet." in await summary.inner_text()
        assert await page.get_attribute("#password", "aria-invalid") == "true"
        assert await page.input_value("#username") == username  # kept; the password is not
        await shoot(page, "signin-error")
        await summary.get_by_role("link").click()  # the summary leads to the field
        assert await page.evaluate("document.activeElement.id") == "password"
        await page.get_by_label("Wachtwoord").fill(PASSWORD)
        await page.get_by_label("Wachtwoord").press("Enter")
        await page.wait_for_url(f"{base}/dashboard?lang=nl&period=month")
        assert "Aangemeld als An Peeters" in await page.inner_text("header")
        await page.screenshot(path=str(artifact("dashboard-signed-in.png")))
        await page.get_by_role("button", name="Afmelden").click()
        await page.wait_for_url(f"{base}/signin?bye=1&lang=nl")
        assert "U bent afgemeld." in await page.inner_text("main")
        await shoot(page, "signin-signed-out")
        await page.goto(f"{base}/dashboard")
        assert page.url.startswith(f"{base}/signin?next=/dashboard")  # the cookie no longer works
        assert script_errors(page) == []


async def test_a_person_with_an_authenticator_app_gives_its_code(base: str, pool: asyncpg.Pool) -> None:
    username, secret = await new_account(pool, totp=True, language="de", name="Jonas Schmitz")
    assert secret
    async with chromium_page(PHONE) as page:
        await page.goto(f"{base}/signin?lang=de")
        await page.get_by_label("Benutzername").fill(username)
        await page.get_by_label("Passwort").fill(PASSWORD)
        await page.get_by_role("button", name="Anmelden").click()
        await page.wait_for_url(f"{base}/signin/code")
        assert await page.inner_text("h1") == "Code aus Ihrer App"
        await shoot(page, "signin-code")
        await page.get_by_label("6-stelliger Code").fill("000000")
        await page.get_by_role("button", name="Bestätigen").click()
        assert "Dieser Code ist falsch" in await page.get_by_role("alert").inner_text()
        await shoot(page, "signin-code-error")
        await page.get_by_label("6-stelliger Code").fill(pyotp.TOTP(secret).now())
        await page.get_by_role("button", name="Bestätigen").click()
        await page.wait_for_url(f"{base}/signin")
        assert await page.inner_text("h1") == "Sie sind angemeldet"  # the account's language
        assert "Angemeldet als Jonas Schmitz." in await page.inner_text("main")
        await shoot(page, "signin-signed-in")
        assert script_errors(page) == []


async def test_a_reset_password_must_be_changed_at_the_next_sign_in(base: str, pool: asyncpg.Pool) -> None:
    username, _ = await new_account(pool, language="en")
    reset_to = "temporary from the admin"
    async with pool.acquire() as conn:
        await account_admin.reset_password(conn, username, reset_to, utc_now())
    async with chromium_page(PHONE) as page:
        await page.goto(f"{base}/dashboard")
        await page.get_by_label("Username").fill(username)
        await page.get_by_label("Password").fill(reset_to)
        await page.get_by_role("button", name="Sign in").click()
        await page.wait_for_url(f"{base}/signin/password?next=/dashboard")
        assert "Your administrator set a password for you" in await page.inner_text("main")
        await shoot(page, "signin-new-password")
        await page.goto(f"{base}/dashboard")  # nothing else opens before the password is changed
        assert page.url == f"{base}/signin/password?next=/dashboard"
        await page.get_by_label("Current password").fill(reset_to)
        await page.get_by_label("New password", exact=True).fill("password1234")
        await page.get_by_label("New password again").fill("password1234")
        await page.get_by_role("button", name="Save the password").click()
        assert "This password is very common" in await page.get_by_role("alert").inner_text()
        await shoot(page, "signin-new-password-error")
        await page.get_by_label("Current password").fill(reset_to)
        await page.get_by_label("New password", exact=True).fill("blue bicycle at the market")
        await page.get_by_label("New password again").fill("blue bicycle at the market")
        await page.get_by_role("button", name="Save the password").click()
        await page.wait_for_url(f"{base}/dashboard")
        assert script_errors(page) == []
    must_change = await pool.fetchval("SELECT must_change_password FROM identity.accounts WHERE username = $1",
                                      username)
    assert must_change is False


async def test_a_form_without_its_token_says_it_expired(base: str) -> None:
    async with chromium_page(PHONE) as page:
        await page.goto(f"{base}/signin?lang=en")
        await page.context.clear_cookies()  # the form's token no longer matches anything
        await page.get_by_label("Username").fill("someone")
        await page.get_by_label("Password").fill("whatever it is")
        await page.get_by_role("button", name="Sign in").click()
        assert await page.inner_text("h1") == "This form has expired"
        await shoot(page, "signin-expired-form")
