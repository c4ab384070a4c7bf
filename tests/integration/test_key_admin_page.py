"""The administrators' key page on booking: a municipality's administrator signs in, makes a key
(shown once, usable at once), revokes it; an analyst is refused, a form without its token
changes nothing, and another municipality's key answers 404. In Chromium with axe-core."""

from __future__ import annotations

import re

import asyncpg

from loket.infra.identity import api_keys, repository
from loket.infra.identity.roles import Role
from tests.support.booking_harness import running_booking
from tests.support.chromium import artifact, chromium_page
from tests.support.signin_harness import (
    PASSWORD,
    assert_accessible,
    browser_session,
    form_token,
    new_account,
    post_signin,
)

TABLET = {"width": 1280, "height": 900}


async def test_an_administrator_makes_and_revokes_a_key(database_url, bus_url, tmp_path, monkeypatch,
                                                         pool: asyncpg.Pool) -> None:  # type: ignore[no-untyped-def]
    admin, _ = await new_account(pool, role=Role.MUNICIPALITY_ADMIN, name="Els Admin", language="en")
    async with running_booking(database_url, bus_url, tmp_path, monkeypatch) as booking:
        base = booking.base
        async with chromium_page(TABLET) as page:
            await page.goto(f"{base}/admin/keys")
            assert page.url.startswith(f"{base}/signin?next=/admin/keys")
            await page.get_by_label("Username").fill(admin)
            await page.get_by_label("Password").fill(PASSWORD)
            await page.get_by_role("button", name="Sign in").click()
            await page.wait_for_url(f"{base}/admin/keys")
            await page.get_by_label("Name", exact=True).fill("Finance – invoicing")
            await page.get_by_label("Role").select_option("backoffice")
            await page.get_by_label("Valid for (days)").fill("90")
            await page.get_by_role("button", name="Create key").click()
            token = await page.input_value("#new-key")
            assert re.fullmatch(r"lk_[a-z0-9]{10}_[A-Za-z0-9_-]{43}", token)
            await assert_accessible(page, "key made")
            await page.screenshot(path=str(artifact("admin-keys-made.png")), full_page=True)
            prefix = token.split("_")[1]
            async with booking.http.get(f"{base}/staff/points/mechelen-stadhuis/queue",
                                        headers={"Authorization": f"Bearer {token}"}) as r:
                assert r.status == 200  # usable at once, for its own municipality
            await page.goto(f"{base}/admin/keys")
            assert token not in await page.content()  # shown once
            await page.get_by_role("button", name=f"Revoke key {prefix}").click()
            await page.wait_for_url(re.compile(rf".*/admin/keys\?revoked={prefix}.*"))
            assert f"Key {prefix} is revoked" in await page.inner_text("main")
            await assert_accessible(page, "key revoked")
            await page.screenshot(path=str(artifact("admin-keys-revoked.png")), full_page=True)
    stored = await pool.fetchrow("SELECT municipality, role, revoked_at, created_by FROM identity.api_keys "
                                 "WHERE prefix = $1", prefix)
    assert (stored["municipality"], stored["role"], stored["created_by"]) == ("12025", "backoffice", f"web:{admin}")
    assert stored["revoked_at"] is not None


async def test_refusals_change_nothing(database_url, bus_url, tmp_path, monkeypatch,
                                       pool: asyncpg.Pool) -> None:  # type: ignore[no-untyped-def]
    admin, _ = await new_account(pool, role=Role.MUNICIPALITY_ADMIN)
    analyst, _ = await new_account(pool, role=Role.ANALYST)
    eupen = api_keys.new_key()
    async with pool.acquire() as conn:
        await repository.insert_key(conn, eupen.prefix, eupen.secret_sha256, "Eupen finance", "63023", "backoffice",
                                    [], "test", None)
    keys_before = await pool.fetchval("SELECT count(*) FROM identity.api_keys")
    async with running_booking(database_url, bus_url, tmp_path, monkeypatch) as booking:
        base = booking.base
        async with browser_session() as http:
            assert (await post_signin(http, base, analyst, PASSWORD)).status == 303
            async with http.get(f"{base}/admin/keys", allow_redirects=False) as r:
                assert r.status == 403 and "beheerder van een gemeente" in await r.text()
        async with browser_session() as http:
            assert (await post_signin(http, base, admin, PASSWORD)).status == 303
            async with http.post(f"{base}/admin/keys", data={"name": "x", "role": "backoffice", "days": "9"},
                                 allow_redirects=False) as r:
                assert r.status == 403  # no CSRF token
            token = await form_token(http, f"{base}/admin/keys")
            async with http.post(f"{base}/admin/keys/{eupen.prefix}/revoke", data={"csrf": token},
                                 allow_redirects=False) as r:
                assert r.status == 404  # another municipality's key: as if unknown
            async with http.post(f"{base}/admin/keys", data={"csrf": token, "name": "", "role": "device",
                                                             "days": "0"}, allow_redirects=False) as r:
                page = await r.text()
                assert r.status == 400 and "Geef de sleutel een naam." in page and "1 tot 730 dagen" in page
            async with http.get(f"{base}/admin/keys", allow_redirects=False) as r:
                assert eupen.prefix not in await r.text()  # an administrator sees only their municipality's
    assert await pool.fetchval("SELECT count(*) FROM identity.api_keys") == keys_before
    assert await pool.fetchval("SELECT revoked_at FROM identity.api_keys WHERE prefix = $1", eupen.prefix) is None
