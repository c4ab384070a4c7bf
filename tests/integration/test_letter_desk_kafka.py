"""The desk's refused letters on Kafka, in Chromium: intake's dead letters live in the
`letters.issued.v1.dlq` topic there (on NATS, a stream), and a letter sent in again is no longer
listed because the replay writes a marker into that topic, not because anything is deleted. A
clerk of Mechelen sees Mechelen's refused letter and not Etterbeek's, sends it in again from the
page, intake takes it, and the list no longer shows it; the operator still sees Etterbeek's. The
page passes axe-core on a tablet and is photographed. Real Kafka (the shared three-broker
cluster), bridge, PostgreSQL and Chromium."""

from __future__ import annotations

import re
from typing import Any

import asyncpg

from tests.support.chromium import artifact, chromium_page
from tests.support.desk_harness import admitted, citizen, refuse, running_desk, signed_in
from tests.support.kafka_suite import BOOTSTRAP, ON_THE_SHARED_CLUSTER
from tests.support.letters_api import ETTERBEEK, MECHELEN, eventually
from tests.support.signin_harness import PASSWORD, assert_accessible

pytestmark = ON_THE_SHARED_CLUSTER

TABLET = {"width": 1024, "height": 768}


async def _listed(http: Any, base: str, text: str) -> bool:
    async with http.get(f"{base}/desk/refused") as r:
        return text in await r.text()


async def test_a_refused_letter_on_kafka_is_sent_in_again_from_the_page(database_url: str, pool: asyncpg.Pool,
                                                                        sim, keys, tmp_path) -> None:  # type: ignore[no-untyped-def]
    async with running_desk(database_url, f"kafka://{BOOTSTRAP}", pool, sim, keys.key, keys.cert, tmp_path) as desk:
        base = desk.base
        mine = await refuse(desk.bus_url, citizen(50), MECHELEN)
        theirs = await refuse(desk.bus_url, citizen(51), ETTERBEEK)

        async with chromium_page(TABLET) as page:
            await page.goto(f"{base}/desk/refused?lang=en")
            await page.get_by_label("Username").fill(desk.people["mechelen"])
            await page.get_by_label("Password").fill(PASSWORD)
            await page.get_by_role("button", name="Sign in").click()
            await page.wait_for_url(re.compile(r".*/desk/refused.*"))
            listed = await page.inner_text("main")
            assert str(mine) in listed and str(theirs) not in listed
            assert "Refused by the rules" in listed
            await assert_accessible(page, "refused on Kafka")
            await page.screenshot(path=str(artifact("desk-refused-kafka.png")), full_page=True)

            await page.get_by_role("button", name=f"Send letter {str(mine)[:8]} in again").click()
            await page.wait_for_url(re.compile(r".*/desk/refused\?done=1.*"))
            after = await page.inner_text("main")
            assert "The letter is sent in again" in after and str(mine) not in after
            await assert_accessible(page, "refused on Kafka, sent in again")
            await page.screenshot(path=str(artifact("desk-refused-kafka-replayed.png")), full_page=True)

        await admitted(desk, [mine], "queued_for_print")  # intake read the replayed letter from Kafka
        async with signed_in(desk, "mechelen") as http:
            assert not await _listed(http, base, str(mine)), "a letter sent in again is listed again"
        async with signed_in(desk, "operator") as http:
            await eventually(lambda: _listed(http, base, str(theirs)), what="Etterbeek's refused letter still listed")

