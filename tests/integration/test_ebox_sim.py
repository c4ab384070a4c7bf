"""The eBox simulator over real HTTP (uvicorn on loopback, aiohttp as the client)."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from loket.simulators.ebox import EboxSimSettings, create_app
from loket.simulators.ebox.settings import PREFERENCE_SCOPE, PUBLISH_SCOPE
from tests.support.served_app import served

ADMIN = {"Authorization": "Bearer admin-secret"}
ENTERPRISE = "0206731645"
SSIN, SSIN_2, SSIN_3, BIS = "85073003328", "17073003384", "00012556777", "85493003331"
PUBLISH = "/messageRegistry/v3/ebox/messages"
PREFS = "/REST/ebox/enterprise/federation/v1/eboxPreferences/search"
PDF = b"%PDF-1.7\n\x00\xff\r\n binary \r body\n%%EOF"


def settings(**overrides: Any) -> EboxSimSettings:
    # share 0: nobody is digital until a test activates them, so NO_DIGITAL_USER is predictable.
    base = {"admin_token": "admin-secret", "share_digital_percent": 0, "share_digital_enterprises_percent": 0,
            "client_ids": ["bridge"]}
    return EboxSimSettings(**(base | overrides))


def assertion(client_id: str = "bridge") -> str:
    def part(doc: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(doc).encode()).rstrip(b"=").decode()

    claims = {"iss": client_id, "sub": client_id, "aud": "ebox", "exp": int(time.time()) + 60}
    return f"{part({'alg': 'RS256', 'typ': 'JWT'})}.{part(claims)}.c2lnbmF0dXJl"


async def get_token(http: aiohttp.ClientSession, base: str, scope: str, client: str = "bridge"):
    form = {
        "grant_type": "client_credentials",
        "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        "client_assertion": assertion(client),
        "scope": scope,
    }
    async with http.post(f"{base}/oauth/token", data=form) as response:
        return response.status, await response.json()


def digest(content: bytes) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(content).digest()).rstrip(b"=").decode()


def message(ssin: str = SSIN, **changes: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "recipient": {"eboxType": "citizen", "ssin": ssin},
        "sender": {"eboxType": "enterprise", "enterpriseNumber": ENTERPRISE},
        "subject": {"nl": "Uw afspraak"},
        "messageTypeId": "appointment",
        "senderApplicationId": "loket",
        "attachments": [
            {
                "httpPartName": "letter",
                "isMainContent": True,
                "digest": {"digestMethod": "sha_256", "digestValue": digest(PDF)},
            }
        ],
    }
    return doc | changes


class Sim:
    def __init__(self, http: aiohttp.ClientSession, base: str, token: str) -> None:
        self.http, self.base, self.token = http, base, token

    async def publish(self, doc: dict[str, Any], key: str | None = None, content: bytes = PDF):
        form = aiohttp.FormData()
        form.add_field("messageToPublish", json.dumps(doc), content_type="application/json")
        form.add_field("letter", content, filename="l.pdf", content_type="application/pdf")
        headers = {
            "Authorization": f"Bearer {self.token}",
            "Idempotency-Key": key or str(uuid.uuid4()),
        }
        async with self.http.post(f"{self.base}{PUBLISH}", data=form, headers=headers) as r:
            return r.status, await r.json(), r.headers

    async def call(self, method: str, path: str, body: Any = None, headers=None):
        headers = headers or {"Authorization": f"Bearer {self.token}"}
        async with self.http.request(method, f"{self.base}{path}", json=body, headers=headers) as r:
            return r.status, await r.json(), r.headers

    async def admin(self, method: str, path: str, body: Any = None):
        status, answer, _ = await self.call(method, path, body, ADMIN)
        assert status == 200, answer
        return answer


@pytest.fixture(scope="module")
async def server() -> AsyncIterator[str]:
    async with served(create_app(settings())) as base:
        yield base


@pytest.fixture
async def sim(server: str) -> AsyncIterator[Sim]:
    async with aiohttp.ClientSession() as http:
        status, body = await get_token(http, server, f"{PUBLISH_SCOPE} {PREFERENCE_SCOPE}")
        assert status == 200, body
        client = Sim(http, server, body["access_token"])
        await client.admin("POST", "/admin/reset")
        yield client


async def test_token_expires_and_then_publishing_is_refused() -> None:
    async with served(create_app(settings(token_ttl_s=0.5))) as base:
        async with aiohttp.ClientSession() as http:
            status, body = await get_token(http, base, PUBLISH_SCOPE)
            assert status == 200 and body["token_type"] == "Bearer" and body["expires_in"] <= 1
            client = Sim(http, base, body["access_token"])
            assert (await client.publish(message()))[0] == 201
            await asyncio.sleep(0.7)
            status, error, _ = await client.publish(message())
            assert (status, error["code"]) == (401, "INVALID_TOKEN") and error["id"]


async def test_unknown_client_gets_no_token(sim: Sim) -> None:
    status, body = await get_token(sim.http, sim.base, PUBLISH_SCOPE, client="intruder")
    assert (status, body["error"]) == (401, "invalid_client")


async def test_missing_or_absent_token_is_401_and_wrong_scope_403(sim: Sim) -> None:
    _, body = await get_token(sim.http, sim.base, PREFERENCE_SCOPE)
    assert (await Sim(sim.http, sim.base, body["access_token"]).publish(message()))[0] == 403
    assert (await Sim(sim.http, sim.base, "forged").publish(message()))[0] == 401


async def test_publish_is_recorded_and_flags_citizens_without_ebox(sim: Sim) -> None:
    status, answer, _ = await sim.publish(message(SSIN), key="k-1")
    assert status == 201 and answer["code"] == "NO_DIGITAL_USER" and answer["expirationDate"]
    await sim.admin("POST", f"/admin/citizens/{SSIN_2}/activate")
    status, digital, _ = await sim.publish(message(SSIN_2))
    assert status == 201 and "code" not in digital
    record = await sim.admin("GET", "/admin/received")
    first = next(m for m in record["messages"] if m["idempotencyKey"] == "k-1")
    assert first["messageId"] == answer["messageId"]
    assert first["mainContentSha256"] == hashlib.sha256(PDF).hexdigest()


@pytest.mark.parametrize(
    ("doc", "code"),
    [
        (message(subject={"nl": "Afspraak", "fr": "Rendez-vous"}), "INVALID_INPUT"),
        (message(subject={"nl": "x" * 401}), "INVALID_INPUT"),
        (message(ssin="85073003329"), "INVALID_INPUT"),
        (message(expirationDate=None), "INVALID_INPUT"),  # optional, so only the null fails
        (
            message(sender={"eboxType": "enterprise", "enterpriseNumber": "0123456789"}),
            "INVALID_SENDER",
        ),
        (
            message(attachments=[{**message()["attachments"][0], "isMainContent": False}]),
            "INVALID_INPUT",
        ),
    ],
    ids=["two-languages", "long-subject", "bad-ssin", "null", "other-sender", "no-main"],
)
async def test_invalid_messages_are_refused(sim: Sim, doc: dict[str, Any], code: str) -> None:
    status, error, _ = await sim.publish(doc)
    assert (status, error["code"]) == (400, code), error
    assert (await sim.admin("GET", "/admin/received"))["messages"] == []


async def test_bis_number_is_a_valid_recipient(sim: Sim) -> None:
    assert (await sim.publish(message(BIS)))[0] == 201


async def test_digest_mismatch(sim: Sim) -> None:
    status, error, _ = await sim.publish(message(), content=PDF + b"tampered")
    assert (status, error["code"]) == (400, "DIGEST_DO_NOT_MATCH")


async def test_repeated_idempotency_key_is_409_and_recorded_once(sim: Sim) -> None:
    status, first, _ = await sim.publish(message(), key="same")
    assert status == 201
    status, repeat, _ = await sim.publish(message(), key="same")
    assert (status, repeat["code"], repeat["messageId"]) == (
        409,
        "ALREADY_PUBLISHED",
        first["messageId"],
    )
    record = await sim.admin("GET", "/admin/received")
    assert record["acceptedByIdempotencyKey"] == {"same": 1}
    assert record["attemptsByIdempotencyKey"] == {"same": 2}


async def test_lost_answer_then_retry_publishes_exactly_once(sim: Sim) -> None:
    await sim.admin("POST", "/admin/faults", {"error_rate": 1.0})
    assert (await sim.publish(message(), key="lost"))[0] == 502
    await sim.admin("POST", "/admin/faults", {"error_rate": 0.0})
    status, repeat, _ = await sim.publish(message(), key="lost")
    record = await sim.admin("GET", "/admin/received")
    assert status == 409 and repeat["messageId"] == record["messages"][0]["messageId"]
    assert record["acceptedByIdempotencyKey"] == {"lost": 1}


async def test_preference_lookup_batch(sim: Sim) -> None:
    for ssin in (SSIN, BIS):
        await sim.admin("POST", f"/admin/citizens/{ssin}/activate")
    body = {"eboxType": "citizen", "eboxIdType": "ssin", "eboxIdValueList": [SSIN, SSIN_3, BIS]}
    status, found, _ = await sim.call("POST", PREFS, body)
    assert status == 200
    assert sorted(p["eboxId"]["eboxIdValue"] for p in found) == sorted([SSIN, BIS])
    assert all(isinstance(p["exclusivelyEbox"], bool) for p in found)
    too_many = body | {"eboxIdValueList": [SSIN] * 1001}
    assert (await sim.call("POST", PREFS, too_many))[0] == 400


async def test_enterprise_preference_lookup(sim: Sim) -> None:
    # The reference's EboxIdSameTypeList for enterprises (ebox-federation-1.3.yaml).
    company, other = "0406798006", "0428759497"
    await sim.admin("POST", f"/admin/enterprises/{company}/activate")
    body = {"eboxType": "ENTERPRISE", "eboxIdType": "EnterpriseNumber", "eboxIdValueList": [company, other]}
    status, found, _ = await sim.call("POST", PREFS, body)
    assert status == 200
    assert [p["eboxId"] for p in found] == [{"eboxType": "ENTERPRISE", "eboxIdValue": company}]
    # A citizen's activation says nothing about an enterprise, and ids must match the type.
    for wrong in ({"eboxIdType": "ssin"}, {"eboxIdValueList": [SSIN]}, {"eboxIdValueList": ["0406798007"]}):
        status, error, _ = await sim.call("POST", PREFS, body | wrong)
        assert (status, error["code"]) == (400, "INVALID_INPUT"), wrong


async def test_publish_to_an_enterprise(sim: Sim) -> None:
    company = "0406798006"
    doc = message(recipient={"eboxType": "enterprise", "eboxIdValue": company})
    status, answer, _ = await sim.publish(doc, key="company-1")
    assert status == 201 and answer["code"] == "NO_DIGITAL_USER"
    await sim.admin("POST", f"/admin/enterprises/{company}/activate")
    status, answer, _ = await sim.publish(doc, key="company-2")
    assert status == 201 and "code" not in answer
    record = await sim.admin("GET", "/admin/received")
    assert {(m["recipientKind"], m["ssin"]) for m in record["messages"]} == {("enterprise", company)}
    bad = message(recipient={"eboxType": "enterprise", "eboxIdValue": "0406798007"})
    assert (await sim.publish(bad))[0] == 400
    as_citizen = message(recipient={"eboxType": "citizen", "ssin": company})
    assert (await sim.publish(as_citizen))[0] == 400


async def test_outage_and_rate_limit(sim: Sim) -> None:
    await sim.admin("POST", "/admin/faults", {"outage": True})
    status, error, _ = await sim.publish(message())
    assert (status, error["code"]) == (503, "SERVICE_UNAVAILABLE")
    faults = await sim.admin("POST", "/admin/faults", {"outage": False, "status_429_rate": 1})
    assert faults == (await sim.admin("GET", "/admin/faults"))
    status, _, headers = await sim.publish(message())
    assert status == 429 and int(headers["Retry-After"]) >= 0
    assert (await sim.admin("GET", "/admin/received"))["messages"] == []


async def test_hang_makes_the_client_time_out() -> None:
    # Its own server with a short hang, so shutdown need not wait out the default 600 s.
    async with served(create_app(settings(hang_s=2))) as base:
        async with aiohttp.ClientSession() as http:
            _, body = await get_token(http, base, PUBLISH_SCOPE)
            client = Sim(http, base, body["access_token"])
            await client.admin("POST", "/admin/faults", {"hang_rate": 1})
            started = time.monotonic()
            with pytest.raises(TimeoutError):
                async with asyncio.timeout(0.5):
                    await client.publish(message())
            assert time.monotonic() - started < 1.5


async def test_read_status_changes_after_admin_read(sim: Sim) -> None:
    await sim.admin("POST", f"/admin/citizens/{SSIN}/activate")
    _, published, _ = await sim.publish(message())
    query = [
        {
            "messageId": published["messageId"],
            "eboxId": {"eboxType": "citizen", "eboxIdValue": SSIN},
        }
    ]
    status, before, _ = await sim.call("POST", "/messageRegistry/v3/searchMessageStatus", query)
    assert status == 201 and before[0]["readStatus"] is False
    await sim.admin("POST", f"/admin/read/{published['messageId']}")
    _, after, _ = await sim.call("POST", "/messageRegistry/v3/searchMessageStatus", query)
    assert after[0]["readStatus"] is True


async def test_admin_needs_the_admin_token(sim: Sim) -> None:
    status, _, _ = await sim.call("GET", "/admin/received")  # an eBox token is not an admin one
    assert status == 401
    async with sim.http.get(f"{sim.base}/health/live") as response:
        assert response.status == 200
