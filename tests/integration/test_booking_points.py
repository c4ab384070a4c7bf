"""`loket seed` loads the assistance points idempotently; citizens find the nearest ones over
HTTP without a token, and get precise 4xx answers for bad queries."""

from __future__ import annotations

import asyncio
from pathlib import Path

import aiohttp
from typer.testing import CliRunner

from loket.cli.app import app as cli
from services.booking.app import create_app
from services.booking.settings import BookingSettings
from tests.support.booking_harness import forget_rate_limits
from tests.support.served_app import served


async def invoke(args: list[str]):  # type: ignore[no-untyped-def]
    return await asyncio.to_thread(CliRunner().invoke, cli, args)


async def test_seed_is_idempotent_and_refuses_a_broken_file(database_url, pool, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    first = await invoke(["seed", "--database-url", database_url])
    assert first.exit_code == 0, first.output
    again = await invoke(["seed", "--database-url", database_url])
    assert "0 point(s) added or changed" in " ".join(again.output.split())
    assert await pool.fetchval("SELECT count(*) FROM booking.assistance_points") >= 9
    broken = tmp_path / "points.yaml"
    broken.write_text("points:\n  - point_id: x\n    kind: castle\n")
    result = await invoke(["seed", "--file", str(broken), "--database-url", database_url])
    assert result.exit_code == 2
    assert "points[0].kind" in " ".join(result.output.split())


async def test_citizens_find_the_nearest_points_without_a_token(database_url, bus_url) -> None:  # type: ignore[no-untyped-def]
    assert (await invoke(["seed", "--database-url", database_url])).exit_code == 0
    app = create_app(BookingSettings(database_url=database_url, bus_url=bus_url))
    async with served(app) as base, aiohttp.ClientSession() as http:
        await forget_rate_limits(database_url)
        async with http.get(f"{base}/public/points", params={"postcode": "1000", "service": "ebox_activation", "language": "fr"}) as r:
            assert r.status == 200
            found = (await r.json())["points"]
        assert found[0]["point_id"].startswith("etterbeek-")  # Brussels-City has none: Etterbeek's are nearest
        assert all("fr" in p["languages"] and "ebox_activation" in p["services"] for p in found)
        assert [p["distance_km"] for p in found] == sorted(p["distance_km"] for p in found)
        for params, status, fragment in [
            ({"postcode": "0999"}, 404, "not a Belgian postcode"),
            ({"postcode": "1000", "service": "astrology"}, 400, "service must be one of"),
            ({"lat": "north", "lon": "4.3"}, 400, "lat and lon must be decimal numbers"),
            ({}, 400, "give postcode"),
            ({"postcode": "1000", "limit": "500"}, 400, "limit must be a whole number from 1 to 20"),
        ]:
            async with http.get(f"{base}/public/points", params=params) as r:
                assert r.status == status and r.content_type == "application/problem+json"
                assert fragment in (await r.json())["detail"]
        async with http.get(f"{base}/docs/asyncapi") as r:
            assert r.status == 401  # everything else still needs a token
