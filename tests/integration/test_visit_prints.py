"""Pages printed during a visit are counted: recorded through the JSON endpoint and on the
counter screen (Chromium, axe-core), added up while the visit is open, split by the point's free
quota in every answer, carried on VisitEnded and counted by reporting's projection and KPI."""

from __future__ import annotations

import json
import re
import secrets
import uuid

import asyncpg

from loket.contracts.visits import VisitEnded
from loket.infra.db.schema import migrate_service_schema
from loket.infra.identity.roles import Role
from services.reporting.kpis import BY_NAME, compute
from services.reporting.projector import project
from services.reporting.pseudonyms import Pseudonymizer
from services.reporting.rebuild import MIGRATIONS
from tests.support.booking_harness import running_booking
from tests.support.chromium import artifact
from tests.support.signin_harness import assert_accessible
from tests.support.staff_harness import (
    DIGIBANK,
    STADHUIS,
    chromium_browser,
    new_page,
    outbox,
    sign_in_page,
    staff_account,
)

TABLET = {"width": 1280, "height": 800}


async def _visit(booking, point: str = DIGIBANK) -> str:  # type: ignore[no-untyped-def]
    """A walk-in's visit under way at the point (the Digibank has a printer, the city hall none)."""
    assert (await booking.call("POST", f"/staff/points/{point}/tickets", "staff", json={"language": "nl"}))[0] == 201
    status, called = await booking.call("POST", f"/staff/points/{point}/call-next", "staff",
                                        json={"helper_id": "mechelen-an"})
    assert status == 200, called
    return called["visit_id"]


async def _reported(pool: asyncpg.Pool) -> list[list[object]]:
    """The booking outbox's VisitEnded events projected into a fresh reporting schema, and the KPI."""
    rows = await pool.fetch("SELECT payload FROM booking.outbox WHERE event_type = 'VisitEnded' ORDER BY id")
    events = [VisitEnded.model_validate(json.loads(r["payload"])) for r in rows]
    schema = "rep_prints"
    async with pool.acquire() as conn:
        await conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        await migrate_service_schema(conn, schema, MIGRATIONS)
        async with conn.transaction():
            await project(conn, schema, events, Pseudonymizer(secrets.token_bytes(32)))
        try:
            return await compute(conn, schema, BY_NAME["prints_by_point_kind"], None, "month", 1.0)
        finally:
            await conn.execute(f"DROP SCHEMA {schema} CASCADE")


async def test_pages_are_added_up_split_by_the_quota_and_reported(database_url, bus_url, tmp_path, monkeypatch,
                                                                  pool: asyncpg.Pool) -> None:  # type: ignore[no-untyped-def]
    async with running_booking(database_url, bus_url, tmp_path, monkeypatch) as booking:
        visit_id, plain = await _visit(booking), await _visit(booking)
        prints = f"/staff/visits/{visit_id}/prints"
        status, first = await booking.call("POST", prints, "staff", json={"pages": 7})
        assert status == 200, first
        assert first == {"visit_id": visit_id, "pages_printed": 7, "free_pages": 7, "pages_over_quota": 0,
                         "free_pages_per_visit": 10}
        status, second = await booking.call("POST", prints, "staff", json={"pages": 6})
        assert (second["pages_printed"], second["free_pages"], second["pages_over_quota"]) == (13, 10, 3)
        # Bad input is refused clearly and counts nothing.
        for bad in ({"pages": 0}, {"pages": 501}, {"pages": "x"}, {}):
            status, problem = await booking.call("POST", prints, "staff", json=bad)
            assert status == 422 and "pages" in json.dumps(problem), (bad, problem)
        assert (await booking.call("POST", f"/staff/visits/{uuid.uuid4()}/prints", "staff", json={"pages": 1}))[0] == 404
        assert (await booking.call("POST", prints, json={"pages": 1}))[0] == 401
        status, refused = await booking.call("POST", f"/staff/visits/{await _visit(booking, STADHUIS)}/prints", "staff",
                                             json={"pages": 1})
        assert status == 422 and refused["title"] == "No printing here", refused

        end = {"topic": "online_forms", "language": "nl", "outcome": "resolved"}
        for visit in (visit_id, plain):
            assert (await booking.call("POST", f"/staff/visits/{visit}/end", "staff", json=end))[0] == 200
        status, late = await booking.call("POST", prints, "staff", json={"pages": 2})
        assert status == 409 and late["title"] == "Visit ended"
    ended = {e["visit_id"]: e for e in await outbox(pool, "VisitEnded")}
    assert (ended[visit_id]["pages_printed"], ended[visit_id]["pages_over_quota"]) == (13, 3)
    assert (ended[plain]["pages_printed"], ended[plain]["pages_over_quota"]) == (None, None)  # nothing printed
    reported = await _reported(pool)
    assert [row[1:] for row in reported] == [["digibank", 13, 3, 1]], reported


async def test_staff_count_pages_on_the_counter_screen(database_url, bus_url, tmp_path, monkeypatch,
                                                       pool: asyncpg.Pool) -> None:  # type: ignore[no-untyped-def]
    clerk = await staff_account(pool, points=(STADHUIS, DIGIBANK))
    async with running_booking(database_url, bus_url, tmp_path, monkeypatch) as booking:
        for point in (STADHUIS, DIGIBANK):
            await booking.call("POST", f"/staff/points/{point}/tickets", "staff", json={"language": "en"})
        async with chromium_browser() as browser:
            page = await new_page(browser, TABLET)
            # The city hall has no printer for citizens: its counter screen asks for no pages.
            await sign_in_page(page, booking.base, f"/staff/counter/{STADHUIS}/3?lang=en", clerk)
            await page.get_by_role("button", name="Call next").click()
            await page.get_by_role("button", name="Is at the counter: start the visit").click()
            assert await page.locator("input[name=pages]").count() == 0
            await page.get_by_label("Topic").select_option("online_forms")
            await page.get_by_role("button", name="End the visit").click()
            await page.goto(f"{booking.base}/staff/counter/{DIGIBANK}/3?lang=en")
            await page.get_by_role("button", name="Call next").click()
            await page.get_by_role("button", name="Is at the counter: start the visit").click()
            await page.get_by_label("Pages printed", exact=True).fill("12")
            await page.get_by_role("button", name="Count the pages").click()
            await page.wait_for_url(re.compile(r".*done=prints.*"))
            assert await page.inner_text("[role=status]") == "Pages counted."
            assert await page.inner_text("#prints") == \
                "12 pages printed in this visit: 10 free, 2 over the quota (10 free per visit)."
            response = await page.request.post(
                f"{booking.base}/staff/counter/{DIGIBANK}/3/prints?lang=en",
                form={"csrf": await page.get_attribute("input[name=csrf]", "value"), "pages": "0"})
            assert response.status == 400 and "A number of pages from 1 to 500." in await response.text()  # no count
            await assert_accessible(page, "counter visit with prints")
            await page.screenshot(path=str(artifact("staff-counter-prints.png")), full_page=True)
            for lang in ("nl", "fr", "de"):
                await page.goto(f"{booking.base}/staff/counter/{DIGIBANK}/3?lang={lang}")
                await assert_accessible(page, f"counter visit with prints ({lang})")
                await page.screenshot(path=str(artifact(f"staff-counter-prints-{lang}.png")), full_page=True)
            await page.goto(f"{booking.base}/staff/counter/{DIGIBANK}/3?lang=en")
            await page.get_by_label("Topic").select_option("online_forms")
            await page.get_by_label("Pages printed, not counted yet (optional)").fill("3")
            await page.get_by_role("button", name="End the visit").click()
            assert "Nobody. Call the next person." in await page.inner_text("main")
    ended = {e["point_id"]: e for e in await outbox(pool, "VisitEnded")}
    assert (ended[DIGIBANK]["pages_printed"], ended[DIGIBANK]["pages_over_quota"]) == (15, 5)
    assert ended[STADHUIS]["pages_printed"] is None


async def test_the_point_manager_sets_the_free_pages_in_the_app(database_url, bus_url, tmp_path, monkeypatch,
                                                                pool: asyncpg.Pool) -> None:  # type: ignore[no-untyped-def]
    manager = await staff_account(pool, role=Role.POINT_MANAGER, points=(DIGIBANK,))
    async with running_booking(database_url, bus_url, tmp_path, monkeypatch) as booking:
        async with chromium_browser() as browser:
            boss = await new_page(browser, TABLET)
            await sign_in_page(boss, booking.base, f"/staff/manage/{DIGIBANK}?lang=en", manager)
            field = boss.get_by_label("Free printed pages per visit")
            assert await field.input_value() == "10"  # the default
            await field.fill("4")
            await boss.get_by_role("button", name="Save", exact=True).click()
            await boss.wait_for_url(re.compile(r".*done=saved.*"))
            await assert_accessible(boss, "point settings with the print quota")
        status, counted = await booking.call("POST", f"/staff/visits/{await _visit(booking)}/prints", "staff",
                                             json={"pages": 6})
        assert status == 200 and (counted["free_pages"], counted["pages_over_quota"]) == (4, 2), counted
    document = await pool.fetchval("SELECT document::jsonb -> 'free_print_pages' FROM booking.assistance_points "
                                   "WHERE point_id = $1", DIGIBANK)
    assert document == 4  # kept in the point's document
