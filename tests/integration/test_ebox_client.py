"""The production eBox client against the real simulator over HTTP (no mocked clients)."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import aiohttp
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from loket.infra.errors import PermanentError, TransientError
from loket.simulators.ebox import EboxSimSettings, create_app
from services.ebox_bridge.ebox_client import (
    AlreadyPublished,
    BreakerState,
    Delivered,
    EboxAuthError,
    EboxClient,
    EboxClientConfig,
    EboxRejected,
    EboxUnavailable,
    NoDigitalUser,
)
from services.ebox_bridge.ebox_client.credentials import write_self_signed_keypair
from tests.support.served_app import served

ADMIN = {"Authorization": "Bearer admin-secret"}
ENTERPRISE = "0206731645"
SSIN, SSIN_2 = "85073003328", "17073003384"
PDF = b"%PDF-1.7\n\x00\xff\r\n binary \r body\n%%EOF"
PREFS_PATH = "/REST/ebox/enterprise/federation/v1/eboxPreferences/search"


def ssin(index: int) -> str:
    # Born in 1985 (no "2" prefix in the check); day and serial spread the index over valid dates.
    first_nine = f"8501{1 + index // 900:02d}{1 + index % 900:03d}"
    return f"{first_nine}{97 - int(first_nine) % 97:02d}"


def keypair(directory: Path, name: str) -> tuple[Path, Path]:
    return write_self_signed_keypair(directory, name, valid_days=1)


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> SimpleNamespace:
    directory = tmp_path_factory.mktemp("ebox-keys")
    good_key, good_cert = keypair(directory, "bridge")
    bad_key, _ = keypair(directory, "intruder")
    return SimpleNamespace(key=good_key, cert=good_cert, bad_key=bad_key)


def sim_app(keys: SimpleNamespace, **overrides: Any):
    base = {
        "admin_token": "admin-secret",
        "share_digital_percent": 0,  # nobody is digital until a test activates them
        "client_ids": ["bridge"],
        "client_public_key_pem": keys.cert.read_text(),
        "hang_s": 1.5,
    }
    return create_app(EboxSimSettings(**(base | overrides)))


def config(base: str, keys: SimpleNamespace, **overrides: Any) -> EboxClientConfig:
    values: dict[str, Any] = {
        "base_url": base,
        "token_url": f"{base}/oauth/token",
        "client_id": "bridge",
        "private_key_path": keys.key,
        "certificate_path": keys.cert,
        "enterprise_number": ENTERPRISE,
        "sender_application_id": "loket",
        "request_timeout_s": 5,
    }
    return EboxClientConfig(**(values | overrides))


class Requests:
    """Counts the requests a client session sends, by path, through aiohttp's tracing hooks."""

    def __init__(self) -> None:
        self.by_path: Counter[str] = Counter()
        self.trace = aiohttp.TraceConfig()
        self.trace.on_request_start.append(self._start)

    async def _start(self, _session: Any, _ctx: Any, params: aiohttp.TraceRequestStartParams):
        self.by_path[params.url.path] += 1


class Admin:
    def __init__(self, http: aiohttp.ClientSession, base: str) -> None:
        self.http, self.base = http, base

    async def __call__(self, method: str, path: str, body: Any = None) -> Any:
        async with self.http.request(
            method, f"{self.base}{path}", json=body, headers=ADMIN
        ) as response:
            assert response.status == 200, await response.text()
            return await response.json()


@pytest.fixture(scope="module")
async def server(keys: SimpleNamespace) -> AsyncIterator[str]:
    async with served(sim_app(keys)) as base:
        yield base


@pytest.fixture
async def admin(server: str) -> AsyncIterator[Admin]:
    async with aiohttp.ClientSession() as http:
        admin = Admin(http, server)
        await admin("POST", "/admin/reset")
        yield admin


@pytest.fixture
async def counted(server: str, keys: SimpleNamespace) -> AsyncIterator[SimpleNamespace]:
    requests = Requests()
    async with aiohttp.ClientSession(trace_configs=[requests.trace]) as http:
        cfg = config(server, keys, breaker_failure_threshold=3, breaker_cooldown_s=0.3)
        async with EboxClient(cfg, session=http) as client:
            yield SimpleNamespace(client=client, requests=requests)


async def publish(client: EboxClient, letter_id: uuid.UUID | None = None, **changes: Any):
    args: dict[str, Any] = {
        "letter_id": letter_id or uuid.uuid4(),
        "ssin": SSIN,
        "subject": "Uw afspraak",
        "language": "nl",
        "pdf": PDF,
        "message_type_id": "appointment",
    }
    return await client.publish(**(args | changes))


async def test_publish_to_a_digital_citizen_is_delivered(counted, admin: Admin) -> None:
    await admin("POST", f"/admin/citizens/{SSIN}/activate")
    letter_id = uuid.uuid4()
    outcome = await publish(counted.client, letter_id, business_data={"dossier": ["D-1"]})
    assert isinstance(outcome, Delivered)
    assert outcome.expiration
    (message,) = (await admin("GET", "/admin/received"))["messages"]
    assert message["messageId"] == outcome.message_id
    assert message["idempotencyKey"] == str(letter_id)
    assert message["digitalUser"] is True


async def test_citizen_without_ebox_gets_no_digital_user(counted, admin: Admin) -> None:
    outcome = await publish(counted.client, ssin=SSIN_2)
    assert isinstance(outcome, NoDigitalUser)
    received = await admin("GET", "/admin/received")
    assert [m["messageId"] for m in received["messages"]] == [outcome.message_id]


async def test_repeated_letter_is_already_published_and_accepted_once(
    counted, admin: Admin
) -> None:
    await admin("POST", f"/admin/citizens/{SSIN}/activate")
    letter_id = uuid.uuid4()
    first = await publish(counted.client, letter_id)
    again = await publish(counted.client, letter_id)
    assert isinstance(first, Delivered)
    assert again == AlreadyPublished(first.message_id)
    received = await admin("GET", "/admin/received")
    assert received["acceptedByIdempotencyKey"] == {str(letter_id): 1}
    assert received["attemptsByIdempotencyKey"] == {str(letter_id): 2}


async def test_expired_token_is_refreshed_transparently(keys: SimpleNamespace) -> None:
    # The client's clock stands still, so it trusts its cached token while the eBox (ttl 1.5 s)
    # has already expired it: only the 401 → refresh → retry path can make the 2nd publish work.
    requests = Requests()
    async with served(sim_app(keys, token_ttl_s=1.5, share_digital_percent=100)) as base:
        async with aiohttp.ClientSession(trace_configs=[requests.trace]) as http:
            async with EboxClient(config(base, keys), session=http, clock=lambda: 0.0) as client:
                assert isinstance(await publish(client), Delivered)
                await asyncio.sleep(1.7)
                assert isinstance(await publish(client), Delivered)
    assert requests.by_path["/oauth/token"] == 2
    assert requests.by_path["/messageRegistry/v3/ebox/messages"] == 3  # one refused with 401


async def test_assertion_signed_with_another_key_is_refused(server, keys) -> None:
    async with EboxClient(config(server, keys, private_key_path=keys.bad_key)) as client:
        with pytest.raises(EboxAuthError) as refused:
            await publish(client)
    assert refused.value.error == "invalid_client"
    assert "signature" in refused.value.description
    assert isinstance(refused.value, PermanentError)


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"ssin": "85073003329"}, "INVALID_INPUT"),  # wrong check digits
        ({"registered": True}, "NOT_IMPLEMENTED"),
    ],
)
async def test_refused_message_is_rejected_with_its_code(counted, admin, changes, code) -> None:
    with pytest.raises(EboxRejected) as rejected:
        await publish(counted.client, **changes)
    assert rejected.value.code == code
    assert isinstance(rejected.value, PermanentError)
    assert counted.client.breaker.state is BreakerState.CLOSED


async def test_sender_not_authorised_is_rejected(server, keys, admin: Admin) -> None:
    async with EboxClient(config(server, keys, enterprise_number="0123456789")) as client:
        with pytest.raises(EboxRejected) as rejected:
            await publish(client)
    assert rejected.value.code == "INVALID_SENDER"


async def test_rate_limit_and_outage_are_transient(counted, admin: Admin) -> None:
    await admin("POST", "/admin/faults", {"status_429_rate": 1.0})
    with pytest.raises(EboxUnavailable) as limited:
        await publish(counted.client)
    assert limited.value.retry_after == 1.0
    assert isinstance(limited.value, TransientError)
    await admin("POST", "/admin/faults", {"status_429_rate": 0.0, "outage": True})
    with pytest.raises(EboxUnavailable) as down:
        await publish(counted.client)
    assert down.value.reason.startswith("503")
    assert down.value.retry_after is None


async def test_hanging_ebox_times_out_as_unavailable(server, keys, admin: Admin) -> None:
    await admin("POST", "/admin/faults", {"hang_rate": 1.0})
    async with EboxClient(config(server, keys, request_timeout_s=0.3)) as client:
        with pytest.raises(EboxUnavailable) as timed_out:
            await publish(client)
    assert "Timeout" in timed_out.value.reason


async def test_circuit_opens_fails_fast_and_closes_after_recovery(counted, admin) -> None:
    await admin("POST", "/admin/faults", {"outage": True})
    client, publish_path = counted.client, "/messageRegistry/v3/ebox/messages"
    for _ in range(3):
        with pytest.raises(EboxUnavailable):
            await publish(client)
    assert client.breaker.state is BreakerState.OPEN
    sent = counted.requests.by_path[publish_path]
    with pytest.raises(EboxUnavailable) as fast:
        await publish(client)
    assert fast.value.reason == "circuit open"
    assert counted.requests.by_path[publish_path] == sent  # nothing went over the wire

    await admin("POST", "/admin/faults", {"outage": False})
    await asyncio.sleep(0.35)
    assert client.breaker.state is BreakerState.HALF_OPEN
    assert isinstance(await publish(client), NoDigitalUser)
    assert client.breaker.state is BreakerState.CLOSED


async def test_failed_trial_reopens_the_circuit(counted, admin: Admin) -> None:
    await admin("POST", "/admin/faults", {"outage": True})
    for _ in range(3):
        with pytest.raises(EboxUnavailable):
            await publish(counted.client)
    await asyncio.sleep(0.35)
    with pytest.raises(EboxUnavailable) as trial:
        await publish(counted.client)
    assert trial.value.reason != "circuit open"  # the trial did reach the eBox …
    assert counted.client.breaker.state is BreakerState.OPEN  # … and one failure re-opened it


async def test_preferences_of_1500_citizens_take_two_requests(counted, admin: Admin) -> None:
    citizens = [ssin(i) for i in range(1500)]
    assert len(set(citizens)) == 1500
    digital = {citizens[3], citizens[1200]}  # one in each chunk
    for number in digital:
        await admin("POST", f"/admin/citizens/{number}/activate")
    found = await counted.client.preferences(citizens)
    assert set(found) == digital
    assert all(p.last_connection is not None for p in found.values())
    assert counted.requests.by_path[PREFS_PATH] == 2


async def test_read_status_follows_the_citizen(counted, admin: Admin) -> None:
    await admin("POST", f"/admin/citizens/{SSIN}/activate")
    first, second = await publish(counted.client), await publish(counted.client)
    assert isinstance(first, Delivered) and isinstance(second, Delivered)
    await admin("POST", f"/admin/read/{first.message_id}")
    ids = [first.message_id, second.message_id, "unknown-id"]
    statuses = await counted.client.read_status(ids, {first.message_id: SSIN})
    assert statuses == {first.message_id: "read", second.message_id: "unread"}
    assert await counted.client.read_status(["unknown-id"]) == {}


def test_assertion_names_the_certificate_and_the_token_url(keys: SimpleNamespace) -> None:
    import base64
    import hashlib

    import jwt

    from services.ebox_bridge.ebox_client.assertion import ClientAssertion

    token_url = "https://ebox.example/oauth/token"
    signed = ClientAssertion("bridge", token_url, keys.key, keys.cert, 60).sign()
    der = x509.load_pem_x509_certificate(keys.cert.read_bytes()).public_bytes(
        serialization.Encoding.DER
    )
    thumb = base64.urlsafe_b64encode(hashlib.sha256(der).digest()).rstrip(b"=").decode()
    assert jwt.get_unverified_header(signed)["x5t#S256"] == thumb
    public = x509.load_pem_x509_certificate(keys.cert.read_bytes()).public_key()
    claims = jwt.decode(signed, public, algorithms=["RS256"], audience=token_url)  # type: ignore[arg-type]
    assert claims["iss"] == claims["sub"] == "bridge"
    assert 0 < claims["exp"] - claims["iat"] <= 60


def test_client_requests_the_scopes_the_simulator_grants(keys: SimpleNamespace) -> None:
    assert set(config("http://x", keys).scopes) == EboxSimSettings().scopes
