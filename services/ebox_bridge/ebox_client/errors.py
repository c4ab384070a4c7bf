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
    """429, 5xx, timeout, connection failure or an open circuit: try again later."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after
