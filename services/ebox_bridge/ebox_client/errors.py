"""eBox failures, split the GOV.UK Notify way so the bus consumer retries only what may heal."""

from __future__ import annotations

from loket.infra.errors import PermanentError, TransientError


class EboxRejected(PermanentError):
    """A 400: the message itself is wrong (INVALID_INPUT, INVALID_SENDER, …); retrying is useless."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


class EboxScopeError(PermanentError):
    """A 403: our client lacks a scope. A configuration problem worth an alert, not a retry."""


class EboxAuthError(PermanentError):
    """The token endpoint refused our client (bad key, unknown client, bad scope)."""

    def __init__(self, error: str, description: str) -> None:
        super().__init__(f"{error}: {description}")
        self.error = error
        self.description = description


class EboxUnavailable(TransientError):
    """429, 5xx, timeout, connection failure or an open circuit: try again later.

    `ambiguous`: the request may have reached the eBox and been registered before the failure
    (a timeout, a connection lost mid-request, a 500/502/504), so whether it landed is unknown.
    Only the same Idempotency-Key sent again can tell (409: it did)."""

    def __init__(self, reason: str, retry_after: float | None = None, *, ambiguous: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after
        self.ambiguous = ambiguous
