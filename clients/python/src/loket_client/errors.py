"""Exceptions of the client. An answer of the API that is not a success becomes an `ApiError`
carrying its RFC 9457 problem details, so a back-office can show each refused field next to
the field (its JSON pointer)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class LoketError(Exception):
    """Anything this client raises."""


class TransportError(LoketError):
    """The API could not be reached (connection refused, reset, timed out), after the retries."""


@dataclass(frozen=True)
class FieldError:
    pointer: str  # JSON pointer (RFC 6901) into the request body; "" is the whole body
    detail: str


@dataclass(eq=False)  # exceptions compare and hash by identity
class ApiError(LoketError):
    """The API answered with an error status; the fields are its problem+json."""

    status: int
    title: str
    detail: str
    type: str = "about:blank"
    errors: list[FieldError] = field(default_factory=list)
    body: Any = None  # the answer as received, for anything not mapped above
    attempts: int = 1  # tries made, the last one answered this

    def __post_init__(self) -> None:
        super().__init__(str(self))

    def __str__(self) -> str:
        return f"{self.status} {self.title}: {self.detail}"

    @property
    def pointers(self) -> list[str]:
        """The JSON pointers of the invalid fields, in the order the API named them."""
        return [e.pointer for e in self.errors]

    @classmethod
    def from_answer(cls, status: int, body: Any) -> ApiError:
        problem = body if isinstance(body, dict) else {}
        errors = [FieldError(str(e.get("pointer", "")), str(e.get("detail", "")))
                  for e in problem.get("errors") or [] if isinstance(e, dict)]
        kind = _BY_STATUS.get(status, ServerError if status >= 500 else ApiError)
        return kind(status=status, title=str(problem.get("title", f"HTTP {status}")),
                    detail=str(problem.get("detail", body if isinstance(body, str) else "")),
                    type=str(problem.get("type", "about:blank")), errors=errors, body=body)


class BadRequest(ApiError):
    """400: the request could not be read (malformed JSON or multipart, a bad Idempotency-Key)."""


class Unauthorized(ApiError):
    """401: no API key, or one the API does not know (revoked, expired)."""


class Forbidden(ApiError):
    """403: the key's role may not call this endpoint."""


class NotFound(ApiError):
    """404: no such letter or webhook for your municipality."""


class Conflict(ApiError):
    """409: an Idempotency-Key reused for another request, a letter_id reused for other
    content, or a letter no longer cancellable."""


class InvalidRequest(ApiError):
    """422: refused by the intake's checks; `pointers` names each invalid field."""


class RateLimited(ApiError):
    """429, still refused after the retries."""


class ServerError(ApiError):
    """5xx, still failing after the retries."""


_BY_STATUS: dict[int, type[ApiError]] = {
    400: BadRequest, 401: Unauthorized, 403: Forbidden, 404: NotFound, 409: Conflict, 422: InvalidRequest,
    429: RateLimited,
}
