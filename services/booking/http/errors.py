"""The one mapping from booking's domain errors to HTTP statuses, shared by the JSON endpoints
(RFC 9457 problem+json) and the HTML pages (the same status on a rendered page)."""

from __future__ import annotations

from services.booking.errors import (
    BookingError,
    Conflict,
    Gone,
    Invalid,
    NotAllowed,
    NotFound,
    NotOffered,
)
from services.booking.http.problem import ProblemError

STATUS: dict[type[BookingError], int] = {
    NotFound: 404,
    Conflict: 409,
    NotAllowed: 403,
    Gone: 410,
    NotOffered: 422,
    Invalid: 422,
}


def status_of(error: BookingError) -> int:
    # Walk the class's ancestry so a finer subclass added later answers like the kind it refines.
    return next(STATUS[kind] for kind in type(error).__mro__ if kind in STATUS)


def as_problem(error: BookingError | ProblemError) -> ProblemError:
    """A domain refusal, or one the HTTP layer raised itself (bad header, 503 Busy), as one problem."""
    if isinstance(error, ProblemError):
        return error
    return ProblemError(status_of(error), error.title, error.detail)
