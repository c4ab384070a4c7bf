"""`EboxClient`: publish letters and consult preferences and read status over one aiohttp session.

Every call goes through `_call`: circuit breaker → concurrency limit → bearer token → one retry
after a 401 (the token expired early or was revoked) → status mapping onto our error classes.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from types import TracebackType
from typing import Any
from uuid import UUID

import aiohttp

from loket.infra.errors import PermanentError, described
from services.ebox_bridge.ebox_client.assertion import ClientAssertion
from services.ebox_bridge.ebox_client.circuit_breaker import CircuitBreaker
from services.ebox_bridge.ebox_client.config import EboxClientConfig
from services.ebox_bridge.ebox_client.errors import (
    EboxAuthError,
    EboxRejected,
    EboxScopeError,
    EboxUnavailable,
)
from services.ebox_bridge.ebox_client.message import (
    Letter,
    SenderIdentity,
    message_to_publish,
    publish_form,
)
from services.ebox_bridge.ebox_client.outcomes import (
    AlreadyPublished,
    Delivered,
    NoDigitalUser,
    Preference,
    PublishOutcome,
)
from services.ebox_bridge.ebox_client.responses import json_body, retry_after, status_message
from services.ebox_bridge.ebox_client.token_source import TokenSource

# Builds the request keyword arguments afresh per attempt: a multipart body is single-use.
RequestArgs = Callable[[], dict[str, Any]]


class EboxClient:
    def __init__(
        self,
        config: EboxClientConfig,
        *,
        session: aiohttp.ClientSession | None = None,
        breaker: CircuitBreaker | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._config = config
        self._session = session
        self._owns_session = session is None
        self.breaker = breaker or CircuitBreaker(
            config.breaker_failure_threshold, config.breaker_cooldown_s
        )
        assertion = ClientAssertion(
            config.client_id,
            config.token_url,
            config.private_key_path,
            config.certificate_path,
            config.assertion_ttl_s,
        )
        self._tokens = TokenSource(
            config.token_url, assertion, config.scopes, config.token_refresh_margin_s, clock
        )
        self._slots = asyncio.Semaphore(config.max_concurrent_requests)
        self._timeout = aiohttp.ClientTimeout(total=config.request_timeout_s)

    async def __aenter__(self) -> EboxClient:
        if self._session is None:
            connector = aiohttp.TCPConnector(limit=self._config.max_concurrent_requests)
            self._session = aiohttp.ClientSession(connector=connector, timeout=self._timeout)
        return self

    async def __aexit__(
        self, _t: type[BaseException] | None, _e: BaseException | None, _tb: TracebackType | None
    ) -> None:
        if self._owns_session and self._session is not None:
            await self._session.close()
            self._session = None

    async def publish(
        self,
        letter_id: UUID,
        ssin: str,
        subject: str,
        language: str,
        pdf: bytes,
        message_type_id: str,
        registered: bool = False,
        business_data: Mapping[str, Sequence[str]] | None = None,
        sender: SenderIdentity | None = None,
        *,
        confirm: bool = False,
        recipient_kind: str = "citizen",
    ) -> PublishOutcome:
        """`sender`: the municipality the letter is from; the configured sender when None.
        `confirm`: this publish only asks whether an earlier one with the same key landed, so it
        goes out even while the circuit is open (one call per letter, at its paper deadline).
        `recipient_kind`: "enterprise" when `ssin` is an enterprise (KBO/BCE) number."""
        letter = Letter(ssin, subject, language, pdf, message_type_id, registered, business_data, recipient_kind)
        sender = sender or SenderIdentity(self._config.enterprise_number, self._config.sender_application_id)
        doc = message_to_publish(letter, sender.enterprise_number, sender.application_id)
        url = f"{self._config.base_url}{self._config.registry_path}/ebox/messages"
        # The letter id is the key: a retry after a lost answer can never publish twice.
        headers = {"Idempotency-Key": str(letter_id)}
        status, body = await self._call(
            "POST", url, lambda: {"data": publish_form(doc, pdf), "headers": dict(headers)},
            bypass_breaker=confirm,
        )
        if status == 409:
            message_id = body.get("messageId") if isinstance(body, dict) else None
            return AlreadyPublished(message_id if isinstance(message_id, str) else None)
        if body.get("code") == "NO_DIGITAL_USER":
            return NoDigitalUser(body["messageId"])
        return Delivered(body["messageId"], body["expirationDate"])

    async def preferences(self, ssins: list[str], kind: str = "citizen") -> dict[str, Preference]:
        """Preferences of the citizens (or, with kind "enterprise", the enterprises: `ssins` are
        then KBO/BCE numbers) who have an eBox; the others are absent from the result."""
        url = f"{self._config.base_url}{self._config.federation_path}/eboxPreferences/search"
        unique = list(dict.fromkeys(ssins))
        found: dict[str, Preference] = {}
        size = self._config.lookup_batch_size
        for start in range(0, len(unique), size):
            chunk = unique[start : start + size]
            query = {**_LOOKUP_TYPES[kind], "eboxIdValueList": chunk}
            _, body = await self._call("POST", url, _json(query))
            for item in body:
                preference = Preference.from_api(item)
                found[preference.ssin] = preference
        return found

    async def read_status(
        self, message_ids: Iterable[str], recipients: Mapping[str, str] | None = None,
        enterprises: frozenset[str] = frozenset(),
    ) -> dict[str, str]:
        """messageId → "read" | "unread" for the messages the registry knows.

        `recipients` (messageId → ssin) adds the eboxId the reference request carries;
        `enterprises` are the messageIds whose recipient is an enterprise (KBO/BCE number).
        """
        url = f"{self._config.base_url}{self._config.registry_path}/searchMessageStatus"
        ids = list(dict.fromkeys(message_ids))
        result: dict[str, str] = {}
        size = self._config.lookup_batch_size
        for start in range(0, len(ids), size):
            query = [_status_query(m, (recipients or {}).get(m), m in enterprises) for m in ids[start : start + size]]
            status, body = await self._call("POST", url, _json(query), not_found_ok=True)
            if status == 404:
                continue  # none of this chunk is known: nothing to report
            for item in body:
                result[item["messageId"]] = "read" if item.get("readStatus") else "unread"
        return result

    async def _call(
        self, method: str, url: str, args: RequestArgs, *, not_found_ok: bool = False,
        bypass_breaker: bool = False,
    ) -> tuple[int, Any]:
        if not bypass_breaker:
            self.breaker.before_call()
        try:
            async with self._slots:
                result = await self._authorised(method, url, args, not_found_ok)
        except EboxUnavailable:
            self.breaker.record_failure()
            raise
        except (aiohttp.ClientError, TimeoutError) as exc:
            self.breaker.record_failure()
            raise EboxUnavailable(
                described(exc),
                # Refused before connecting: nothing was sent. Anything later may have landed.
                ambiguous=not isinstance(exc, aiohttp.ClientConnectorError),
            ) from exc
        except PermanentError:
            # A 4xx means the eBox answered sanely: it is up, whatever we did wrong.
            self.breaker.record_success()
            raise
        except BaseException:
            self.breaker.record_abandoned()  # cancelled or a bug: says nothing about the eBox
            raise
        self.breaker.record_success()
        return result

    async def _authorised(
        self, method: str, url: str, args: RequestArgs, not_found_ok: bool
    ) -> tuple[int, Any]:
        assert self._session is not None, "use `async with EboxClient(...)`"
        for attempt in range(2):
            token = await self._tokens.get(self._session)
            kwargs = args()
            kwargs["headers"] = kwargs.get("headers", {}) | {"Authorization": f"Bearer {token}"}
            async with self._session.request(
                method, url, timeout=self._timeout, **kwargs
            ) as response:
                status, body = response.status, await json_body(response)
                if status == 401 and attempt == 0:
                    self._tokens.invalidate(token)
                    continue
                return _checked(response, status, body, not_found_ok)
        raise AssertionError("unreachable")


def _checked(
    response: aiohttp.ClientResponse, status: int, body: Any, not_found_ok: bool
) -> tuple[int, Any]:
    if status in (200, 201, 409) or (status == 404 and not_found_ok):
        return status, body
    code, message = status_message(body, status)
    if status == 429 or status >= 500:
        # 429 and 503 refuse the request before handling it; a 500, 502 or 504 may come after
        # the message was registered.
        raise EboxUnavailable(f"{status} {code}", retry_after(response), ambiguous=status not in (429, 503))
    if status == 403:
        raise EboxScopeError(f"{code}: {message}")
    if status == 401:
        raise EboxAuthError(code, f"refused even a fresh token: {message}")
    # 400 and anything else unexpected: retrying won't help.
    raise EboxRejected(code, message)


def _status_query(message_id: str, ssin: str | None, enterprise: bool = False) -> dict[str, Any]:
    query: dict[str, Any] = {"messageId": message_id}
    if ssin is not None:
        query["eboxId"] = {"eboxType": "enterprise" if enterprise else "citizen", "eboxIdValue": ssin}
    return query


# EboxIdSameTypeList of the federation's preference look-up, per recipient kind; the enterprise
# values are the reference's own (ebox-federation-1.3.yaml: ENTERPRISE / EnterpriseNumber).
_LOOKUP_TYPES: dict[str, dict[str, str]] = {
    "citizen": {"eboxType": "citizen", "eboxIdType": "ssin"},
    "enterprise": {"eboxType": "ENTERPRISE", "eboxIdType": "EnterpriseNumber"},
}


def _json(body: Any) -> RequestArgs:
    # Binds this chunk's body now; a lambda in the loop would see only the last chunk.
    return lambda: {"json": body}
