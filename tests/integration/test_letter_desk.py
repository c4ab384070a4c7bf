"""The letter desk over real HTTP (issue 18, part 4), without a browser: an anonymous browser is sent
to sign in; a clerk finds letters by id, by sender reference and by a national number typed in full
(POST only; the number never comes back in the page, and the search is audited); another
municipality's letter, batch, refused letter or webhook is unknown (404); a letter's timeline,
print batches with their files and returned letters, a refused letter sent in again and a failed
webhook delivery delivered again (POSTs with CSRF, audited) all work on the real bridge,
PostgreSQL and NATS."""

from __future__ import annotations

import csv
import io
import re
import uuid
from uuid import UUID

import asyncpg
import pytest

from loket.infra.date_words import BRUSSELS
from services.ebox_bridge.app import NAME
from services.ebox_bridge.desk.rendering import cutoff_text
from services.ebox_bridge.desk.routes import (
    DOWNLOAD_BATCH_FILE,
    REPLAY_DELIVERY,
    REPLAY_REFUSED,
    SEARCH_BY_RECIPIENT,
)
from tests.support.bridge_harness import letter_rows
from tests.support.desk_harness import (
    Desk,
    admitted,
    citizen,
    confirmed_batch,
    csrf_of,
    drain,
    refuse,
    running_desk,
    send_letter,
    signed_in,
    spellings,
    webhook_with_deliveries,
)
from tests.support.letters_api import ETTERBEEK, MECHELEN, eventually
from tests.support.signin_harness import browser_session


@pytest.fixture
async def desk(database_url: str, bus_url: str, pool: asyncpg.Pool, sim, keys, tmp_path):  # type: ignore[no-untyped-def]
    async with running_desk(database_url, bus_url, pool, sim, keys.key, keys.cert, tmp_path) as desk:
        yield desk


async def audit_rows(pool: asyncpg.Pool, username: str, action: str) -> list[asyncpg.Record]:
    return await pool.fetch("SELECT * FROM identity.audit_log WHERE principal = $1 AND action = $2 ORDER BY id",
                            username, action)


async def test_scope_search_by_number_and_timeline(desk: Desk) -> None:
    base = desk.base
    # Anonymous: a browser is sent to sign in and back; any other client gets the API's 401.
    async with browser_session() as http:
        async with http.get(f"{base}/desk/letters/by-recipient", allow_redirects=False) as r:
            assert r.status == 303 and r.headers["Location"].startswith("/signin?next=/desk/letters"), r.headers
        async with http.get(f"{base}/desk/letters", allow_redirects=False, headers={"Accept": "application/json"}) as r:
            assert r.status == 401

    number = citizen(11)
    reference = f"DESK-{uuid.uuid4().hex[:8]}"
    mine = await send_letter(desk, number, MECHELEN, reference=reference)
    theirs = await send_letter(desk, number, ETTERBEEK, reference=reference)  # the same citizen, elsewhere
    await admitted(desk, [mine, theirs])
    await admitted(desk, [mine], "queued_for_print")

    async with signed_in(desk, "mechelen") as http:
        # Another municipality's letter is unknown, by id and by reference: the very answer an id
        # nobody ever used gets (only the address in the language links differs).
        answers = []
        for letter_id in (str(theirs), str(uuid.uuid4()), "not-an-id"):
            async with http.get(f"{base}/desk/letters/{letter_id}", allow_redirects=False) as r:
                page = await r.text()
                assert r.status == 404 and "There is no letter with this id." in page, letter_id
                answers.append(page.replace(f"/desk/letters/{letter_id}?", "/desk/letters/ID?"))
        assert answers[0] == answers[1] == answers[2]
        async with http.get(f"{base}/desk/letters", params={"q": str(theirs)}, allow_redirects=False) as r:
            page = await r.text()
            assert r.status == 200 and f"/desk/letters/{theirs}" not in page and "No letter found." in page
        # By id: straight to the letter; by reference: the list, own letters only.
        async with http.get(f"{base}/desk/letters", params={"q": str(mine)}, allow_redirects=False) as r:
            assert r.status == 303 and r.headers["Location"] == f"/desk/letters/{mine}"
        async with http.get(f"{base}/desk/letters", params={"q": reference}, allow_redirects=False) as r:
            page = await r.text()
            assert r.status == 200 and f"/desk/letters/{mine}" in page and f"/desk/letters/{theirs}" not in page

        # The timeline, in words (never the states' names in the code).
        async with http.get(f"{base}/desk/letters/{mine}", allow_redirects=False) as r:
            page = await r.text()
        assert r.status == 200
        main = page[page.index("<main"):]
        for words in ("Waiting for the print run", "Received", "Route chosen", "Paper only",
                      "The sending rules say: paper only", reference):
            assert words in main, words
        for code in ("queued_for_print", "paper_only", "policy_paper_only", "routed"):
            assert not re.search(rf">[^<]*\b{code}\b[^<]*<", main), code  # in no text a person reads
        async with http.get(f"{base}/desk/letters/{mine}", params={"lang": "nl"}) as r:
            assert "Wacht op de printronde" in await r.text()

        # By national number: POST only, with the form's token; found, never shown back.
        async with http.post(f"{base}/desk/letters/by-recipient", data={"recipient": number},
                             allow_redirects=False) as r:
            assert r.status == 403  # no CSRF token: nothing searched
        token = await csrf_of(http, desk)
        typed = spellings(number)[1]  # as printed on an identity card: 47.01.01-012.xx
        async with http.post(f"{base}/desk/letters/by-recipient", data={"csrf": token, "recipient": typed},
                             allow_redirects=False) as r:
            page = await r.text()
        assert r.status == 200
        assert f"/desk/letters/{mine}" in page and f"/desk/letters/{theirs}" not in page
        assert "Letters to the number you typed (not shown)" in page
        for spelled in spellings(number):
            assert spelled not in page, "the national number came back in the page"
        async with http.post(f"{base}/desk/letters/by-recipient", data={"csrf": token, "recipient": number[:-1] + "0"
                             if number[-1] != "0" else number[:-1] + "1"}, allow_redirects=False) as r:
            page = await r.text()
            assert r.status == 400 and "not a valid national register" in page and number[:9] not in page
        async with http.get(f"{base}/desk/letters/by-recipient", params={"recipient": number},
                            allow_redirects=False) as r:
            assert r.status in (404, 405)  # never by GET: a number in a URL ends up in logs
    searches = await audit_rows(desk.pool, desk.people["mechelen"], SEARCH_BY_RECIPIENT)
    assert len(searches) == 1 and searches[0]["object_id"] == str(mine)
    assert all(s not in str(dict(searches[0])) for s in spellings(number))

    # The operator finds both; Etterbeek's clerk only Etterbeek's; an analyst nothing at all.
    async with signed_in(desk, "operator") as http:
        token = await csrf_of(http, desk)
        async with http.post(f"{base}/desk/letters/by-recipient", data={"csrf": token, "recipient": number}) as r:
            page = await r.text()
            assert f"/desk/letters/{mine}" in page and f"/desk/letters/{theirs}" in page
    async with signed_in(desk, "etterbeek") as http:
        async with http.get(f"{base}/desk/letters/{mine}", allow_redirects=False) as r:
            assert r.status == 404
        async with http.get(f"{base}/desk/letters/{theirs}", allow_redirects=False) as r:
            assert r.status == 200 and "Reçue" in await r.text()  # in the account's language
    async with signed_in(desk, "analyst") as http:
        async with http.get(f"{base}/desk/letters/{mine}", allow_redirects=False) as r:
            assert r.status == 403


async def test_print_batches_files_and_returned_letters(desk: Desk) -> None:
    base = desk.base
    await drain(desk)
    ids = [await send_letter(desk, citizen(20 + n), MECHELEN) for n in range(2)]
    await admitted(desk, ids, "queued_for_print")
    batch_id = await confirmed_batch(desk, ids)

    async with signed_in(desk, "mechelen") as http:
        async with http.get(f"{base}/desk/batches", params={"lang": "en"}) as r:
            page = await r.text()
        assert r.status == 200 and f"/desk/batches/{batch_id}" in page
        row = page[page.index(f"/desk/batches/{batch_id}"):].split("</tr>")[0]
        assert "Fully confirmed" in row and "Posted: 1" in row and "Returned: 1" in row, row
        # Closed by hand, not at 17:30: the cut-off shows its second, as the batch id does; the
        # day as people write it (7 Dec 2026), not as an ISO date.
        cutoff = await desk.pool.fetchval(f"SELECT cutoff_at FROM {NAME}.print_batches WHERE batch_id = $1", batch_id)
        local = cutoff.astimezone(BRUSSELS)
        assert cutoff_text(cutoff, "en") == f"{local.day} {local:%b %Y %H:%M:%S}", cutoff_text(cutoff, "en")
        assert cutoff_text(cutoff, "en") in row and not re.search(r"\d{4}-\d{2}-\d{2}", row), row
        async with http.get(f"{base}/desk/batches/{batch_id}") as r:
            page = await r.text()
        assert r.status == 200
        assert f"/desk/letters/{ids[1]}" in page and "addressee unknown" in page  # the returned letter
        assert f"/desk/letters/{ids[0]}" not in page  # the posted one is not returned
        assert f"/desk/batches/{batch_id}/files/manifest.csv" in page
        async with http.get(f"{base}/desk/batches/{batch_id}/files/manifest.csv") as r:
            assert r.status == 200 and r.content_type == "text/csv"
            assert "attachment" in r.headers["Content-Disposition"]
            rows = list(csv.DictReader(io.StringIO(await r.text())))
        assert {UUID(x["letter_id"]) for x in rows} == set(ids)
        async with http.get(f"{base}/desk/batches/{batch_id}/files/other.txt", allow_redirects=False) as r:
            assert r.status == 404
        async with http.get(f"{base}/desk/letters/{ids[1]}") as r:
            page = await r.text()
            assert "Returned to sender" in page and f"/desk/batches/{batch_id}" in page
        # The letter's department and kind, in the clerk's words: a housing permit in Dutch.
        async with http.get(f"{base}/desk/letters/{ids[1]}", params={"lang": "nl"}) as r:
            page = await r.text()
        assert "<dt>Dienst</dt><dd>Wonen</dd>" in page and "<dt>Soort brief</dt><dd>Vergunning</dd>" in page
        # The returned-letters list names the department in the clerk's words, as the council's
        # dashboard does (housing: "Wonen"), not as its slug with a capital ("Housing").
        async with http.get(f"{base}/desk/returned", params={"lang": "nl"}) as r:
            page = await r.text()
        row = page[page.index(f"/desk/letters/{ids[1]}"):].split("</tr>")[0]
        assert ">Wonen</td>" in row and "Housing" not in row, row
    downloads = await audit_rows(desk.pool, desk.people["mechelen"], DOWNLOAD_BATCH_FILE)
    assert [d["object_id"] for d in downloads] == [f"{batch_id}/manifest.csv"]

    async with signed_in(desk, "etterbeek") as http:  # a batch wholly Mechelen's: unknown here
        for path in (f"/desk/batches/{batch_id}", f"/desk/batches/{batch_id}/files/manifest.csv"):
            async with http.get(base + path, allow_redirects=False) as r:
                assert r.status == 404, path
        async with http.get(f"{base}/desk/batches") as r:
            assert batch_id not in await r.text()


async def test_a_refused_letter_is_sent_in_again(desk: Desk) -> None:
    base = desk.base
    mine = await refuse(desk.bus_url, citizen(30), MECHELEN)
    theirs = await refuse(desk.bus_url, citizen(31), ETTERBEEK)

    async def dead_id(http, letter_id: UUID) -> str | None:  # type: ignore[no-untyped-def]
        async with http.get(f"{base}/desk/refused") as r:
            page = await r.text()
            assert r.status == 200
        rows = [row for row in page.split("<tr>") if str(letter_id) in row]
        if not rows:
            return None
        return re.search(r'name="id" value="([^"]+)"', rows[0]).group(1)  # type: ignore[union-attr]

    async with signed_in(desk, "operator") as http:
        theirs_id = await dead_id(http, theirs)
        assert theirs_id is not None
    async with signed_in(desk, "mechelen") as http:
        async with http.get(f"{base}/desk/refused") as r:
            page = await r.text()
        assert str(mine) in page and str(theirs) not in page
        assert "Refused by the rules" in page and "no rollout policy for 12025/housing/permit" in page
        # The reason is the processing's English text: said in the header, marked for screen readers.
        assert '<td data-label="Technical reason" lang="en">no rollout policy for 12025/housing/permit' in page
        async with http.get(f"{base}/desk/refused", params={"lang": "nl"}) as r:
            dutch = await r.text()
        assert "Geweigerd door de regels" in dutch and "Technische reden (Engels)" in dutch
        for spelled in spellings(citizen(30)):
            assert spelled not in page  # masked in the reason
        mine_id = await dead_id(http, mine)
        assert mine_id is not None
        async with http.post(f"{base}/desk/refused/replay", data={"id": mine_id}, allow_redirects=False) as r:
            assert r.status == 403  # no CSRF token
        token = await csrf_of(http, desk)
        async with http.post(f"{base}/desk/refused/replay", data={"csrf": token, "id": theirs_id},
                             allow_redirects=False) as r:
            assert r.status == 404  # Etterbeek's: as if there were none
        assert not await letter_rows(desk.pool, [mine])
        async with http.post(f"{base}/desk/refused/replay", data={"csrf": token, "id": mine_id},
                             allow_redirects=False) as r:
            assert r.status == 303 and r.headers["Location"] == "/desk/refused?done=1"
        await admitted(desk, [mine], "queued_for_print")  # intake took it this time
        async with http.get(f"{base}/desk/refused?done=1") as r:
            page = await r.text()
            assert "The letter is sent in again" in page and str(mine) not in page
        async with http.post(f"{base}/desk/refused/replay", data={"csrf": token, "id": mine_id},
                             allow_redirects=False) as r:
            assert r.status == 303 and "gone=1" in r.headers["Location"]  # already sent in
    replays = await audit_rows(desk.pool, desk.people["mechelen"], REPLAY_REFUSED)
    assert [r["object_id"] for r in replays] == [str(mine)]
    async with signed_in(desk, "operator") as http:
        await eventually(lambda: _still_listed(http, base, theirs), what="Etterbeek's refused letter still there")


async def _still_listed(http, base: str, letter_id: UUID) -> bool:  # type: ignore[no-untyped-def]
    async with http.get(f"{base}/desk/refused") as r:
        return str(letter_id) in await r.text()


async def test_webhook_deliveries_their_failures_and_a_replay(desk: Desk) -> None:
    base = desk.base
    letter_id = await send_letter(desk, citizen(50), MECHELEN)
    webhook_id = await webhook_with_deliveries(desk, letter_id)
    failed = await desk.pool.fetchval(f"SELECT delivery_id FROM {NAME}.webhook_deliveries "
                                      "WHERE webhook_id = $1 AND state = 'failed'", webhook_id)
    replay = f"{base}/desk/webhooks/{webhook_id}/deliveries/{failed}/replay"

    async with signed_in(desk, "etterbeek") as http:  # Mechelen's endpoint: not there, not replayable
        async with http.get(f"{base}/desk/webhooks") as r:
            assert str(webhook_id)[:6] not in await r.text()
        token = await csrf_of(http, desk)
        async with http.post(replay, data={"csrf": token}, allow_redirects=False) as r:
            assert r.status == 404
    async with signed_in(desk, "mechelen") as http:
        async with http.get(f"{base}/desk/webhooks") as r:
            page = await r.text()
        section = page[page.index(f"hooks/{webhook_id.hex[:6]}"):].split("</section>")[0]
        assert "Failed notifications" in section and "HTTP 503 from the receiver" in section
        assert "Failed (given up after 24 hours)" in section and "Delivered" in section
        assert f"/desk/letters/{letter_id}" in section
        async with http.post(replay, data={}, allow_redirects=False) as r:
            assert r.status == 403  # no CSRF token
        token = await csrf_of(http, desk)
        async with http.post(replay, data={"csrf": token}, allow_redirects=False) as r:
            assert r.status == 303 and r.headers["Location"] == "/desk/webhooks?done=1"
    row = await desk.pool.fetchrow(f"SELECT state, attempts FROM {NAME}.webhook_deliveries WHERE delivery_id = $1",
                                   failed)
    assert row["state"] in ("pending", "failed") and row["attempts"] <= 1  # tried afresh (the address is fake)
    replays = await audit_rows(desk.pool, desk.people["mechelen"], REPLAY_DELIVERY)
    assert [r["object_id"] for r in replays] == [str(failed)]
