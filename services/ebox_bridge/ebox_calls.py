"""Calls to the eBox with their latency and error metrics (operation and code: bounded labels)."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg

from services.ebox_bridge.ebox_client import (
    EboxAuthError,
    EboxClient,
    EboxRejected,
    EboxScopeError,
    EboxUnavailable,
    NoDigitalUser,
    Preference,
    PublishOutcome,
    SenderIdentity,
)
from services.ebox_bridge.metrics import BridgeMetrics


class EboxCalls:
    def __init__(self, client: EboxClient | None, metrics: BridgeMetrics) -> None:
        # None: no eBox configured. Every call is then "unavailable", so letters still reach
        # paper at their fallback instant instead of waiting for a configuration forever.
        self.client, self.metrics = client, metrics

    async def publish(self, row: asyncpg.Record, pdf: bytes, *, confirm: bool = False) -> PublishOutcome:
        """`confirm`: the same publish again, to learn whether an earlier one whose answer was lost
        landed (409) before the letter goes to paper; its metrics are those of `publish_confirm`."""
        outcome = await self._timed(
            "publish_confirm" if confirm else "publish",
            lambda client: client.publish(
                row["letter_id"], row["ssin"], row["subject"], row["language"], pdf,
                row["message_type_id"], registered=row["registered"], sender=_sender(row), confirm=confirm,
                recipient_kind=row["recipient_kind"],
            ),
        )
        if isinstance(outcome, NoDigitalUser):
            self.metrics.ebox_errors.labels("publish", "NO_DIGITAL_USER").inc()
        return outcome

    async def preferences(self, ssins: list[str], kind: str = "citizen") -> dict[str, Preference]:
        return await self._timed("preferences", lambda client: client.preferences(ssins, kind))

    async def read_status(self, message_ids: list[str], recipients: dict[str, str],
                          enterprises: frozenset[str] = frozenset()) -> dict[str, str]:
        return await self._timed(
            "read_status", lambda client: client.read_status(message_ids, recipients, enterprises))

    async def _timed(self, operation: str, call: Callable[[EboxClient], Awaitable[Any]]) -> Any:
        if self.client is None:
            self.metrics.ebox_errors.labels(operation, "not_configured").inc()
            raise EboxUnavailable("eBox not configured (LOKET_EBOX_URL)")
        started = time.perf_counter()
        try:
            return await call(self.client)
        except EboxRejected as exc:
            self.metrics.ebox_errors.labels(operation, exc.code).inc()
            raise
        except EboxUnavailable as exc:
            self.metrics.ebox_errors.labels(operation, _unavailable_code(exc.reason)).inc()
            raise
        except (EboxAuthError, EboxScopeError) as exc:
            self.metrics.ebox_errors.labels(operation, "auth" if isinstance(exc, EboxAuthError) else "403").inc()
            raise
        finally:
            self.metrics.ebox_seconds.labels(operation).observe(time.perf_counter() - started)
            self.metrics.breaker_state.set(_BREAKER[self.client.breaker.state.value])


def _sender(row: asyncpg.Record) -> SenderIdentity | None:
    # Letters admitted before senders were per municipality carry none: the configured one.
    if row["sender_enterprise_number"] is None:
        return None
    return SenderIdentity(row["sender_enterprise_number"], row["sender_application_id"])


_BREAKER = {"closed": 0, "half_open": 1, "open": 2}


def _unavailable_code(reason: str) -> str:
    # "503 SERVICE_UNAVAILABLE" → "503"; "circuit open"/"TimeoutError…" → a fixed word.
    head = reason.split(" ", 1)[0]
    if head.isdigit():
        return head
    if reason.startswith("circuit"):
        return "circuit_open"
    return "timeout" if "Timeout" in reason else "connection"
